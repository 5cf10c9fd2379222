"""Student self-test: rounds of questions, their scoring, and the record of a round.

Pure and deterministic: a round is drawn from `random.Random(seed)`, so the same
seed gives every student the same questions (a teacher shares the seed in the
URL). Three kinds of question:

- ``locate``: click where a point lies on a view; scored by the distance in B-cun
  from the nearest true position (bilateral points have two).
- ``name``: a point is highlighted; pick its code from four options, all of its channel
  whenever the channel has enough points (so the marker's colour and shape tell nothing).
- ``channel``: a region is highlighted; pick every channel that runs through it.

The round's record, `RoundState`, takes each question's answer once only: the
Streamlit app reruns its script on every interaction, and a re-recorded answer
must never count twice. Feedback teaches: a missed click is told how far and which
way it was off, and every miss is given the point's landmark rule.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .atlas import ResolvedAtlas
from .body import XY
from .explain import describe_placement
from .model import VIEW_IDS, Point, Scale, ViewId
from .regions import RegionShape

LOCATE_EXCLUDED_REGIONS = frozenset({"face", "head"})

Kind = Literal["locate", "name", "channel"]
KINDS: tuple[Kind, ...] = ("locate", "name", "channel")
CHANNEL_OPTIONS: tuple[str, ...] = ("BL", "KI", "GV", "GB")
OPTION_COUNT = 4  # options of a name question, the right one included
TOLERANCE_CUN = 0.5  # a click this close (in B-cun) to the true position is right
VIEW_NAMES: dict[ViewId, str] = {"posterior": "back", "lateral": "side", "anterior": "front", "medial": "inner leg"}
MIDLINE_CM = 0.3  # a point this close to x = 0 is on the midline: a miss is to its left or right


@dataclass(frozen=True)
class Question:
    """One question of a round, with everything needed to ask and score it.

    ``code`` and ``positions``: the point to locate (locate) or the highlighted
    point (name), with its true position(s) on ``view``. ``region``: the region
    shape id shown (channel). ``options``: the choices (name: four point codes,
    shuffled; channel: BL, KI, GV, GB). ``correct``: the right option(s).
    """

    kind: Kind
    view: ViewId
    prompt: str
    code: str | None = None
    positions: tuple[XY, ...] = ()
    region: str | None = None
    options: tuple[str, ...] = ()
    correct: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LocateResult:
    """A scored click: how far from the nearest true position, and that position to show."""

    clicked: XY
    nearest: XY
    distance_cun: float
    correct: bool


@dataclass(frozen=True)
class ChoiceResult:
    """A scored name or channel answer: what was chosen and whether it was right."""

    chosen: frozenset[str]
    correct: bool


Result = LocateResult | ChoiceResult


@dataclass(frozen=True)
class Miss:
    """A question for the end-of-round review: answered wrongly (or, if asked for, not at all)."""

    index: int
    question: Question
    result: Result | None


@dataclass(frozen=True)
class RoundState:
    """The answers of a round so far: one slot per question, None until answered. The first `lost`
    questions were answered in a session that is gone (a reload, a server restart): the link says
    how far the round got, but their answers are not known."""

    answers: tuple[Result | None, ...] = ()
    lost: int = 0


# -- building questions -------------------------------------------------------------------


def _on(atlas: ResolvedAtlas, view: ViewId) -> ResolvedAtlas:
    return atlas if atlas.view == view else atlas.on(view)


def locate_question(atlas: ResolvedAtlas, view: ViewId, code: str) -> Question:
    """Ask where point `code` lies on `view`; KeyError if the view does not show it."""
    on_view = _on(atlas, view)
    positions = on_view.positions[code]
    point = on_view.points[code]
    prompt = f"Click {code} ({point.pinyin}) on the {VIEW_NAMES[view]} view."
    return Question("locate", view, prompt, code=code, positions=positions, correct=frozenset({code}))


def name_question(atlas: ResolvedAtlas, view: ViewId, code: str, rng: random.Random) -> Question:
    """Highlight `code` on `view` and offer it with three distractors, shuffled.

    The distractors are of the point's own channel whenever it has enough: first those of the same
    area on this view, then the rest of the channel on this view, then the channel's points other
    views show; only then other channels' points of the same area, then any. So the marker's colour
    and shape never single out the answer. A point that sits within the locate tolerance of the
    highlighted one on this view is never a distractor, as the two could not be told apart.
    """
    on_view = _on(atlas, view)
    positions = on_view.positions[code]
    point = on_view.points[code]

    def indistinct(other: str) -> bool:
        return any(
            _distance_cun(on_view, view, true, spot) <= TOLERANCE_CUN
            for true in positions
            for spot in on_view.positions.get(other, ())
        )

    def tier(other: Point) -> int:
        same_area, shown = other.region == point.region, other.code in on_view.positions
        if other.channel == point.channel:
            return 0 if same_area and shown else 1 if shown else 2
        return 3 if same_area else 4

    tiers: list[list[str]] = [[] for _ in range(5)]
    for other in on_view.atlas.points:
        if other.code != code and not indistinct(other.code):
            tiers[tier(other)].append(other.code)
    distractors: list[str] = []
    for tier_codes in tiers:
        rng.shuffle(tier_codes)
        distractors += tier_codes[: OPTION_COUNT - 1 - len(distractors)]
    options = [code, *distractors]
    rng.shuffle(options)
    prompt = f"Which point is highlighted on the {VIEW_NAMES[view]} view?"
    return Question(
        "name", view, prompt, code=code, positions=positions, options=tuple(options), correct=frozenset({code})
    )


def _shape(on_view: ResolvedAtlas, region_id: str) -> RegionShape:
    """A region shape on the view by its id, or the first shape of a content id ('lower_back')."""
    if region_id in on_view.region_shapes:
        return on_view.region_shapes[region_id]
    for shape in on_view.regions:
        if shape.base_id == region_id:
            return shape
    raise KeyError(f"no region {region_id!r} on the {on_view.view} view")


def runs_through(atlas: ResolvedAtlas, region_id: str) -> frozenset[str]:
    """The channels whose link to the region is 'runs_through'."""
    return frozenset(link.id for link in atlas.content_of(region_id).channels if link.link == "runs_through")


def channel_question(atlas: ResolvedAtlas, view: ViewId, region_id: str) -> Question:
    """Highlight a region (shape id, or content id for its first shape) and ask which channels run through it."""
    on_view = _on(atlas, view)
    shape = _shape(on_view, region_id)
    prompt = f"Which channels run through the highlighted region ({shape.label})? Choose all that apply."
    return Question(
        "channel",
        view,
        prompt,
        region=shape.id,
        options=CHANNEL_OPTIONS,
        correct=runs_through(on_view, shape.id),
    )


def make_round(
    atlas: ResolvedAtlas,
    seed: int,
    size: int = 10,
    kinds: Sequence[Kind] = KINDS,
    views: Sequence[ViewId] = VIEW_IDS,
    subjects: Collection[str] | None = None,
) -> tuple[Question, ...]:
    """A round of `size` questions drawn with `random.Random(seed)`: the same seed, the same round.

    The kinds take turns (in an order the seed shuffles), so a round of 10 with all
    three kinds has 4 + 3 + 3 questions. Each question is on one of `views` that
    shows its point or region. No point and no region is the subject of two
    questions in a round (locating GB20 after naming it would give it away).
    Regions no channel runs through are not asked about. With `subjects` (point
    codes and region ids, as `subject` gives them: the misses of a round), only
    those are asked about, by the same rule. The round is shorter than `size`
    only if the pool runs out.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown question kind(s): {', '.join(sorted(unknown))}")
    rng = random.Random(seed)
    on_views = [_on(atlas, view) for view in views]

    point_views: dict[str, list[ViewId]] = {}
    for on_view in on_views:
        for point in on_view.atlas.points:  # file order: deterministic
            # A point drawn at another's marker (GV28 at GV27 on the front view) is not asked about there.
            if point.code in on_view.positions and point.code not in on_view.shared_markers:
                point_views.setdefault(point.code, []).append(on_view.view)
    region_views: dict[str, list[tuple[ViewId, str]]] = {}
    for on_view in on_views:
        for shape in on_view.regions:
            if runs_through(on_view, shape.id):
                region_views.setdefault(shape.base_id, []).append((on_view.view, shape.id))

    pools: dict[Kind, list[str]] = {}
    for kind in dict.fromkeys(kinds):
        pool = list(region_views if kind == "channel" else point_views)
        if subjects is not None:
            pool = [subject for subject in pool if subject in subjects]
        if kind == "locate":  # the drawing has no eyes, nose or hairline to measure a head point from
            pool = [code for code in pool if atlas.points[code].region not in LOCATE_EXCLUDED_REGIONS]
        rng.shuffle(pool)
        pools[kind] = pool

    order = list(dict.fromkeys(kinds))
    rng.shuffle(order)
    used: set[str] = set()
    questions: list[Question] = []
    turn = 0
    while len(questions) < size and any(pools.values()):
        kind = order[turn % len(order)]
        turn += 1
        pool = pools[kind]
        while pool and pool[-1] in used:
            pool.pop()
        if not pool:
            continue
        subject = pool.pop()
        used.add(subject)
        if kind == "channel":
            view, shape_id = rng.choice(region_views[subject])
            questions.append(channel_question(atlas, view, shape_id))
        elif kind == "name":
            questions.append(name_question(atlas, rng.choice(point_views[subject]), subject, rng))
        else:
            questions.append(locate_question(atlas, rng.choice(point_views[subject]), subject))
    return tuple(questions)


def subject(atlas: ResolvedAtlas, question: Question) -> str:
    """What a question is about, as `make_round(subjects=...)` takes it: a point code, or a region's
    content id ('lower_back' for 'lower_back_left')."""
    if question.kind == "channel":
        return atlas.base_of(question.region or "")
    return question.code or ""


def subject_ids(atlas: ResolvedAtlas) -> frozenset[str]:
    """Every subject a question can have: the points' codes and the regions' content ids."""
    return frozenset(atlas.points) | frozenset(atlas.region_content)


# -- scoring ------------------------------------------------------------------------------


def cun_at(atlas: ResolvedAtlas, view: ViewId, y: float) -> float:
    """Centimetres per B-cun for judging distances at height `y` (cm) on `view`.

    The scale is picked by height, with the body's own proportions:

    - above C7 (head and upper neck): the head scale of the view (mastoid to
      mastoid behind, frontal angles in front, hairline to hairline from the side);
    - below the gluteal fold (the legs): the leg scale, popliteal crease to
      lateral malleolus, which every view has;
    - the trunk between: the back scale on the back view, the chest scale on the
      front view, and on the side view, which has no width measurement of the
      trunk, the body's back B-cun (`BodyModel.region_unit`).
    """
    body = _on(atlas, view).body
    if y > body.proportions.c7:
        return body.cun(Scale.head)
    if y < body.proportions.gluteal_fold:
        return body.cun(Scale.leg)
    for scale in (Scale.back, Scale.chest):
        if scale in body.table.spans:
            return body.cun(scale)
    return body.region_unit


def _distance_cun(atlas: ResolvedAtlas, view: ViewId, true: XY, clicked: XY) -> float:
    return math.dist(true, clicked) / cun_at(atlas, view, true[1])


def score_locate(atlas: ResolvedAtlas, question: Question, clicked: XY) -> LocateResult:
    """Score a click: the distance in B-cun from the nearest true position, on the scale at that position.

    Right when within 0.5 B-cun; `nearest` is the true position to show afterwards.
    """
    if question.kind != "locate" or not question.positions:
        raise ValueError(f"not a locate question: {question.kind}")
    distances = [(_distance_cun(atlas, question.view, true, clicked), true) for true in question.positions]
    distance, nearest = min(distances)
    clicked = (float(clicked[0]), float(clicked[1]))
    return LocateResult(clicked, nearest, distance, distance <= TOLERANCE_CUN)


def _sides(view: ViewId) -> tuple[str, str]:
    """What lies towards -x and +x on a view, as the figure's side labels say."""
    return {
        "posterior": ("to the patient's left", "to the patient's right"),
        "anterior": ("to the patient's right", "to the patient's left"),
        "lateral": ("too far posterior", "too far anterior"),
        "medial": ("too far anterior", "too far posterior"),
    }[view]


def offset(atlas: ResolvedAtlas, question: Question, result: LocateResult) -> list[str]:
    """Which way a click missed, in B-cun, the larger part first: "0.8 B-cun too far lateral".

    Across the body on the back and front views: lateral or medial of the point, or for a point on
    the midline to the patient's left or right of it; on the side and inner-leg views anterior or
    posterior. Up and down: too high or too low. Parts under 0.05 B-cun are left out."""
    (tx, ty), (cx, cy) = result.nearest, result.clicked
    unit = cun_at(atlas, question.view, ty)
    across, up = (cx - tx) / unit, (cy - ty) / unit
    minus, plus = _sides(question.view)
    if question.view in ("posterior", "anterior"):
        if abs(tx) < MIDLINE_CM:
            word = f"{minus if across < 0 else plus} of the midline"
        else:
            word = "too far lateral" if across * tx > 0 else "too far medial"
    else:
        word = minus if across < 0 else plus
    parts = [(abs(across), word), (abs(up), "too high" if up > 0 else "too low")]
    return [f"{size:.1f} B-cun {word}" for size, word in sorted(parts, reverse=True) if size >= 0.05]


def landmark_rule(atlas: ResolvedAtlas, view: ViewId, code: str) -> str:
    """How to find a point on a view by its landmark, as a sentence: "Find BL23 by landmark: level
    with the lower border of the L2 spinous process, 1.5 B-cun from the midline." """
    described = describe_placement(_on(atlas, view), code) or atlas.points[code].location
    if described[:1].isupper() and described[1:2].islower():
        described = described[0].lower() + described[1:]
    return f"Find {code} by landmark: {described}"


def locate_feedback(atlas: ResolvedAtlas, question: Question, result: LocateResult) -> str:
    """What a scored click teaches: how far and which way it was off, and how to find the point."""
    code = question.code or ""
    if result.correct:
        return f"Right: you clicked {result.distance_cun:.1f} B-cun from {code}; its true spot is ringed."
    parts = offset(atlas, question, result)
    way, rule = " and ".join(parts), landmark_rule(atlas, question.view, code)
    return f"Not quite: {way} ({result.distance_cun:.1f} B-cun from {code}; its true spot is ringed). {rule}"


def choice_feedback(atlas: ResolvedAtlas, question: Question, result: ChoiceResult) -> str:
    """What a name or channel answer teaches: for a missed point, its name and its landmark rule."""
    if question.kind == "name":
        code = question.code or ""
        named = f"{code} ({atlas.points[code].pinyin})"
        if result.correct:
            return f"Right: {named}."
        return f"Not quite: the answer was {named}. " + landmark_rule(atlas, question.view, code)
    if result.correct:
        return "Right."
    right = ", ".join(f"{c} ({atlas.channels[c].name})" for c in CHANNEL_OPTIONS if c in question.correct)
    return f"Not quite: the channels that run through it are {right}."


def labels_note(question: Question | None, labels: bool, landmarks: bool, view: ViewId) -> str | None:
    """Why labels asked for do not show (one line), or None when they all show."""
    if labels and question is not None and question.kind == "name":
        return "Point labels are hidden during a naming question: they would give the answer away."
    if labels and question is not None and question.kind == "locate":
        return f"{question.code} has no marker and no label until you answer: finding it is the question."
    if landmarks and view != "posterior":
        return "The spine ruler and B-cun lines are drawn on the back view only."
    return None


def _chosen(answer: str | Iterable[str]) -> frozenset[str]:
    return frozenset({answer}) if isinstance(answer, str) else frozenset(answer)


def score_choice(question: Question, answer: str | Collection[str]) -> bool:
    """Whether a name answer (a code) or a channel answer (the set chosen) is exactly right."""
    if question.kind == "locate":
        raise ValueError("a locate question is scored with score_locate")
    return _chosen(answer) == question.correct


def choose(question: Question, answer: str | Collection[str]) -> ChoiceResult:
    """Score a name or channel answer into a result to record with `answer`."""
    return ChoiceResult(_chosen(answer), score_choice(question, answer))


# -- the round's record -------------------------------------------------------------------


def start(questions: Sequence[Question]) -> RoundState:
    """A fresh record for a round: every question unanswered."""
    return RoundState((None,) * len(questions))


def answer(state: RoundState, question_index: int, result: Result) -> RoundState:
    """Record a question's answer once: a question already answered keeps its first answer.

    Returns `state` itself when nothing changes, so a rerun that records the same
    (or another) answer again never changes the score. A state shorter than the
    index (e.g. a default `RoundState()`) grows to hold it.
    """
    if question_index < 0:
        raise IndexError(f"question index {question_index} is negative")
    answers = state.answers
    if question_index < len(answers) and answers[question_index] is not None:
        return state
    if question_index >= len(answers):
        answers = answers + (None,) * (question_index + 1 - len(answers))
    return replace(state, answers=(*answers[:question_index], result, *answers[question_index + 1 :]))


def behind(state: RoundState) -> int:
    """How many questions of the round are done: the lost ones and those answered since."""
    answered = [index for index, result in enumerate(state.answers) if result is not None]
    return max([state.lost, *(index + 1 for index in answered)])


def score(state: RoundState) -> tuple[int, int]:
    """(right, answered) so far."""
    given = [result for result in state.answers if result is not None]
    return sum(result.correct for result in given), len(given)


def retry_subjects(atlas: ResolvedAtlas, missed: Iterable[Miss]) -> tuple[str, ...]:
    """The subjects of the missed questions, in round order: a new round of these only."""
    return tuple(dict.fromkeys(subject(atlas, miss.question) for miss in missed))


def misses(state: RoundState, round_: Sequence[Question], include_unanswered: bool = False) -> list[Miss]:
    """The questions answered wrongly, in round order, for the review (and the unanswered, if asked)."""
    out: list[Miss] = []
    for index, question in enumerate(round_):
        result = state.answers[index] if index < len(state.answers) else None
        if (result is not None and not result.correct) or (result is None and include_unanswered):
            out.append(Miss(index, question, result))
    return out
