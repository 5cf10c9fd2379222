"""Student self-test: rounds of questions, their scoring, and the record of a round.

Pure and deterministic: a round is drawn from `random.Random(seed)`, so the same
seed gives every student the same questions (a teacher shares the seed in the
URL). Three kinds of question:

- ``locate``: click where a point lies on a view; scored by the distance in B-cun
  from the nearest true position (bilateral points have two).
- ``name``: a point is highlighted; pick its code from four options.
- ``channel``: a region is highlighted; pick every channel that runs through it.

The round's record, `RoundState`, takes each question's answer once only: the
Streamlit app reruns its script on every interaction, and a re-recorded answer
must never count twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .atlas import ResolvedAtlas
from .body import XY
from .model import VIEW_IDS, Scale, ViewId
from .regions import RegionShape

LOCATE_EXCLUDED_REGIONS = frozenset({"face", "head"})

Kind = Literal["locate", "name", "channel"]
KINDS: tuple[Kind, ...] = ("locate", "name", "channel")
CHANNEL_OPTIONS: tuple[str, ...] = ("BL", "KI", "GV", "GB")
OPTION_COUNT = 4  # options of a name question, the right one included
TOLERANCE_CUN = 0.5  # a click this close (in B-cun) to the true position is right
VIEW_NAMES: dict[ViewId, str] = {"posterior": "back", "lateral": "side", "anterior": "front", "medial": "inner leg"}


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
    """The answers of a round so far: one slot per question, None until answered."""

    answers: tuple[Result | None, ...] = ()


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

    Distractors come first from the same region, then the same channel, then any
    point; a point that sits within the locate tolerance of the highlighted one
    on this view is never a distractor, as the two could not be told apart.
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

    tiers: list[list[str]] = [[], [], []]
    for other in on_view.atlas.points:
        if other.code == code or indistinct(other.code):
            continue
        tier = 0 if other.region == point.region else 1 if other.channel == point.channel else 2
        tiers[tier].append(other.code)
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
) -> tuple[Question, ...]:
    """A round of `size` questions drawn with `random.Random(seed)`: the same seed, the same round.

    The kinds take turns (in an order the seed shuffles), so a round of 10 with all
    three kinds has 4 + 3 + 3 questions. Each question is on one of `views` that
    shows its point or region. No point and no region is the subject of two
    questions in a round (locating GB20 after naming it would give it away).
    Regions no channel runs through are not asked about. The round is shorter
    than `size` only if the pool runs out.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown question kind(s): {', '.join(sorted(unknown))}")
    rng = random.Random(seed)
    on_views = [_on(atlas, view) for view in views]

    point_views: dict[str, list[ViewId]] = {}
    for on_view in on_views:
        for point in on_view.atlas.points:  # file order: deterministic
            if point.code in on_view.positions:
                point_views.setdefault(point.code, []).append(on_view.view)
    region_views: dict[str, list[tuple[ViewId, str]]] = {}
    for on_view in on_views:
        for shape in on_view.regions:
            if runs_through(on_view, shape.id):
                region_views.setdefault(shape.base_id, []).append((on_view.view, shape.id))

    pools: dict[Kind, list[str]] = {}
    for kind in dict.fromkeys(kinds):
        pool = list(region_views if kind == "channel" else point_views)
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


def score(state: RoundState) -> tuple[int, int]:
    """(right, answered) so far."""
    given = [result for result in state.answers if result is not None]
    return sum(result.correct for result in given), len(given)


def misses(state: RoundState, round_: Sequence[Question], include_unanswered: bool = False) -> list[Miss]:
    """The questions answered wrongly, in round order, for the review (and the unanswered, if asked)."""
    out: list[Miss] = []
    for index, question in enumerate(round_):
        result = state.answers[index] if index < len(state.answers) else None
        if (result is not None and not result.correct) or (result is None and include_unanswered):
            out.append(Miss(index, question, result))
    return out
