"""Selection state: one place that reads and writes it, and keeps it in the URL.

Streamlit reruns the whole script on every interaction. The state changes only
in widget callbacks (once per user action) and when the URL changes from the
outside (opening a link, the browser's Back button). Each run writes the URL
back only when it differs, so Back steps through real changes.

A session's first run takes its state from the URL, but it may come from a page
that was already open (the server restarted, or a failover moved the page): its
request carries the action that reached the new server, and Streamlit calls no
callback in a session that has not drawn the widgets yet. So in a first run the
widgets start from the state as their defaults (a browser's own values come
first), and `catch_up` takes in what they say beyond it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import streamlit as st

from meridian_map import quiz
from meridian_map.atlas import ResolvedAtlas
from meridian_map.diagram import Zoom, read_click, read_zoom, read_zoom_report, zoom_text
from meridian_map.figure import Selection
from meridian_map.links import share_link
from meridian_map.model import CHANNEL_IDS, VIEW_IDS, ViewId

from .body_map import last_click, last_zoom

REGIONS = "regions"
CHANNELS = "channels"
POINT = "point"
FOCUS = "channel"  # one channel whose regions are shown
FOCUS_WIDGET = "focus_select"
VIEW = "view"
VIEW_WIDGET = "view_select"
MODE = "mode"
MODE_WIDGET = "mode_select"
MODE_IDS = ("explore", "patient", "student")
SEED = "seed"  # a quiz round: the same seed gives a whole class the same questions
RETRY = "retry"  # a review round: only these subjects (the misses of a round), drawn by the seed
ANSWERED = "answered"  # how many questions of the round are done (their answers live in the session only)
LABELS_WIDGET = "labels_select"
LANDMARKS_WIDGET = "landmarks_toggle"
QUIZ = "_quiz"
QUIZ_FEEDBACK = "_quiz_feedback"  # (right?, text) for the answer on screen
REVIEWING = "_quiz_reviewing"  # the index of the question whose answer is on screen
ANSWER_MARK = "_answer_mark"  # where the student clicked for a locate answer on screen
URL_WRITTEN = "_url_written"
NOTICES = "_notices"
MAP_ACK = "_map_ack"  # the last click the body map sent that the state took in
ZOOM = "zoom"  # (view, the part of its drawing shown) when zoomed in: another view starts whole
ZOOM_ACK = "_zoom_ack"  # the last zoom the body map sent that the state took in
ACTED = "_acted"  # this run answers a click or zoom on the diagram (so the URL it brings may be stale)
REGION_WIDGET = "region_select"
CONTENT = "_content"  # the digest of the content file the state was last checked against
FIRST_RUN = "_first_run"  # this run is the session's first (see the module's docstring)
STARTING = "_starting"  # in a first run: the value each widget starts from
MISSED = "_missed"  # in a first run: the callbacks of the buttons and clicks its request carried


def channel_widget(channel_id: str) -> str:
    return f"show_{channel_id}"


NAMED_AT_MOST = 3  # ignored values the notice names; the others are counted
SHOWN_CHARS = 40  # of an ignored value, in the notice
SEED_DIGITS = 9  # a seed is a few ASCII digits (the app draws them below 10,000)
_SEED = re.compile(rf"[0-9]{{1,{SEED_DIGITS}}}")
_ANSWERED = re.compile("[0-9]{1,2}")  # a round has a few questions


@dataclass(frozen=True)
class UrlState:
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = CHANNEL_IDS
    point: str | None = None
    focus: str | None = None
    view: ViewId = "posterior"
    mode: str = "explore"
    seed: int | None = None
    labels: str | None = None
    landmarks: bool = False
    ignored: tuple[str, ...] = field(default=())  # the first few values dropped, named ("region 'kneecap'")
    zoom: Zoom | None = None
    retry: tuple[str, ...] = ()
    ignored_count: int = 0  # how many different values were dropped in all
    answered: int = 0

    @property
    def notice(self) -> str | None:
        """One sentence naming what the link asked for that the app does not know, or None."""
        if not self.ignored:
            return None
        named = ", ".join(self.ignored)
        more = self.ignored_count - len(self.ignored)
        return f"Ignored from the link: unknown {named}" + (f" and {more:,} more" if more else "") + "."


class _Ignored:
    """The values a link asked for that are dropped: each different one counted once, a few named."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.named: list[str] = []

    def add(self, name: str, value: str) -> None:
        said = f"{name} '{_shown(value)}'"
        if said in self.seen:
            return
        self.seen.add(said)
        if len(self.named) < NAMED_AT_MOST:
            self.named.append(said)


def _shown(value: str) -> str:
    """An ignored value as the notice quotes it: short, and only printable characters."""
    printable = "".join(c if c.isprintable() else "\ufffd" for c in value[: SHOWN_CHARS + 1])
    return printable[:SHOWN_CHARS] + "…" if len(printable) > SHOWN_CHARS else printable


def parse_url(params: Mapping[str, str], atlas: ResolvedAtlas) -> UrlState:
    """Read ?regions=..&channels=..&point=..; whatever is not known is dropped, and a few of the
    dropped values are named (in `ignored`, for one notice). Never raises, whatever the link says;
    unknown parameters (a tracking tag, say) are left alone without a word."""
    ignored = _Ignored()

    def pick(name: str, known: set[str] | tuple[str, ...]) -> list[str]:
        chosen: list[str] = []
        for value in filter(None, (v.strip() for v in str(params.get(name, "")).split(","))):
            if value in known:
                if value not in chosen:  # said twice: kept once
                    chosen.append(value)
            else:
                ignored.add(name.removesuffix("s"), value)
        return chosen

    regions = pick(REGIONS, set(atlas.region_labels))
    channels = pick(CHANNELS, CHANNEL_IDS) if CHANNELS in params else list(CHANNEL_IDS)
    point = _single(params, POINT, set(atlas.points), ignored)
    focus = _single(params, FOCUS, set(CHANNEL_IDS), ignored)
    view = cast(ViewId, _single(params, VIEW, set(VIEW_IDS), ignored) or "posterior")
    mode = _single(params, MODE, set(MODE_IDS), ignored) or "explore"
    seed_text = str(params.get(SEED, "")).strip()
    # Not str.isdigit(): it accepts '²' and digits of other scripts, and any length, that int() refuses.
    seed = int(seed_text) if _SEED.fullmatch(seed_text) else None
    if seed_text and seed is None:
        ignored.add("seed", seed_text)
    labels = _single(params, "labels", {"code", "pinyin", "hanzi"}, ignored)
    landmarks = params.get("landmarks", "") == "1"
    zoom_value = str(params.get(ZOOM, ""))
    zoom = read_zoom(zoom_value) if zoom_value else None
    if zoom_value and zoom is None:
        ignored.add("zoom", zoom_value)
    retry = pick(RETRY, set(quiz.subject_ids(atlas)))
    answered_text = str(params.get(ANSWERED, "")).strip()
    answered_ok = _ANSWERED.fullmatch(answered_text) is not None
    answered = int(answered_text) if answered_ok else 0
    if answered_text and not answered_ok:
        ignored.add("answered", answered_text)
    ordered_channels = tuple(c for c in CHANNEL_IDS if c in channels)
    return UrlState(
        tuple(regions), ordered_channels, point, focus, view, mode, seed, labels, landmarks, tuple(ignored.named),
        zoom, tuple(retry), len(ignored.seen), answered,
    )  # fmt: skip


def _single(params: Mapping[str, str], name: str, known: set[str], ignored: _Ignored) -> str | None:
    value = str(params.get(name, "")).strip() or None
    if value is not None and value not in known:
        ignored.add(name, value)
        return None
    return value


def to_url(selection: Selection) -> dict[str, str]:
    params: dict[str, str] = {}
    if selection.regions:
        params[REGIONS] = ",".join(selection.regions)
    if tuple(selection.channels) != CHANNEL_IDS:
        params[CHANNELS] = ",".join(selection.channels)
    if selection.point:
        params[POINT] = selection.point
    if selection.focus:
        params[FOCUS] = selection.focus
    if selection.view != "posterior":
        params[VIEW] = selection.view
    if selection.zoom:
        params[ZOOM] = zoom_text(selection.zoom)
    mode = st.session_state.get(MODE, "explore")
    if mode != "explore":
        params[MODE] = mode
    if mode == "student" and st.session_state.get(SEED) is not None:
        params[SEED] = str(st.session_state[SEED])
    if mode == "student" and st.session_state.get(RETRY):
        params[RETRY] = ",".join(st.session_state[RETRY])
    done = quiz.behind(st.session_state.get(QUIZ) or quiz.RoundState())
    if mode == "student" and done:
        params[ANSWERED] = str(done)
    if mode == "student" and selection.labels:
        params["labels"] = selection.labels
    if mode == "student" and selection.landmarks:
        params["landmarks"] = "1"
    return params


def current() -> Selection:
    student = st.session_state.get(MODE) == "student"
    return Selection(
        regions=tuple(st.session_state.get(REGIONS, ())),
        channels=tuple(st.session_state.get(CHANNELS, CHANNEL_IDS)),
        point=st.session_state.get(POINT),
        focus=st.session_state.get(FOCUS),
        view=st.session_state.get(VIEW, "posterior"),
        labels=st.session_state.get(LABELS_WIDGET) if student else None,
        landmarks=bool(st.session_state.get(LANDMARKS_WIDGET)) if student else False,
        answer_for=st.session_state.get("_answer_for") if student else None,
        quiz_point=_asked("name", "code") if student else None,
        quiz_region=_asked("channel", "region") if student else None,
        plain=st.session_state.get(MODE) == "patient",
        zoom=_zoom_on(st.session_state.get(VIEW, "posterior")),
        mark=st.session_state.get(ANSWER_MARK) if student and st.session_state.get(REVIEWING) is not None else None,
    )


def _zoom_on(view: ViewId) -> Zoom | None:
    zoomed = st.session_state.get(ZOOM)
    return zoomed[1] if zoomed and zoomed[0] == view else None


def _asked(kind: str, field_name: str) -> str | None:
    asked = st.session_state.get("_question")
    if not asked or asked[1].kind != kind:
        return None
    value: str | None = getattr(asked[1], field_name)
    return value


def _apply(selection: Selection) -> None:
    st.session_state[REGIONS] = list(selection.regions)
    st.session_state[CHANNELS] = list(selection.channels)
    st.session_state[POINT] = selection.point
    st.session_state[FOCUS] = selection.focus
    st.session_state[VIEW] = selection.view
    st.session_state[ZOOM] = (selection.view, selection.zoom) if selection.zoom else None


def sync_from_url(atlas: ResolvedAtlas) -> None:
    """Adopt the URL when it changed from the outside (first load, a link, Back).

    Not in a run that a click on the diagram started: its request can carry the address from
    before the last run's answer reached the browser, and adopting that would undo clicks."""
    params = {k: st.query_params[k] for k in st.query_params}
    first = URL_WRITTEN not in st.session_state
    st.session_state[FIRST_RUN], st.session_state[STARTING], st.session_state[MISSED] = first, {}, []
    if st.session_state.pop(ACTED, False) or st.session_state.get(URL_WRITTEN) == params:
        return
    parsed = parse_url(params, atlas)
    _apply(Selection(parsed.regions, parsed.channels, parsed.point, parsed.focus, parsed.view, zoom=parsed.zoom))
    st.session_state[MODE] = parsed.mode
    _show({LABELS_WIDGET: parsed.labels, LANDMARKS_WIDGET: parsed.landmarks})
    if parsed.seed != st.session_state.get(SEED) or parsed.retry != tuple(st.session_state.get(RETRY) or ()):
        st.session_state[SEED] = parsed.seed
        st.session_state[RETRY] = parsed.retry
        st.session_state[QUIZ] = None
    # A round this session has no record of; only a student's round with its seed has questions to go on from.
    if st.session_state.get(QUIZ) is None and parsed.answered and parsed.seed is not None and parsed.mode == "student":
        st.session_state[QUIZ] = quiz.RoundState(lost=parsed.answered)
    st.session_state[URL_WRITTEN] = params
    st.session_state[NOTICES] = [parsed.notice] if parsed.notice else []


def drop_stale(atlas: ResolvedAtlas) -> None:
    """The content file was edited under this session: drop what it no longer has (a region
    renamed, a point removed), with the same notice as a link's unknown values, and start the
    self-test round again (its questions are drawn from the new content)."""
    seen = st.session_state.get(CONTENT)
    st.session_state[CONTENT] = atlas.digest
    if seen is None or seen == atlas.digest:
        return
    regions = list(st.session_state.get(REGIONS, ()))
    dropped = [f"region '{r}'" for r in regions if r not in atlas.region_labels]
    st.session_state[REGIONS] = [r for r in regions if r in atlas.region_labels]
    if st.session_state.get(POINT) is not None and st.session_state[POINT] not in atlas.points:
        dropped.append(f"point '{st.session_state[POINT]}'")
        st.session_state[POINT] = None
    retry = tuple(st.session_state.get(RETRY) or ())
    subjects = quiz.subject_ids(atlas)
    dropped += [f"retry '{r}'" for r in retry if r not in subjects]
    st.session_state[RETRY] = tuple(r for r in retry if r in subjects)
    st.session_state[QUIZ] = None
    st.session_state["_question"] = None
    next_question()
    st.session_state[NOTICES] = [*st.session_state.get(NOTICES, []), *dropped]


def sync_widgets() -> None:
    """Widgets show the state (set before they are drawn in this run)."""
    _show(_widget_values())


def _widget_values() -> dict[str, Any]:
    """What each widget that has a callback shows of the state."""
    selection = current()
    values: dict[str, Any] = {
        REGION_WIDGET: list(selection.regions),
        FOCUS_WIDGET: selection.focus,
        VIEW_WIDGET: selection.view,
        MODE_WIDGET: st.session_state.get(MODE, "explore"),
    }
    return values | {channel_widget(c): c in selection.channels for c in CHANNEL_IDS}


def _show(values: Mapping[str, Any]) -> None:
    """Set widgets to these values: in a first run as their defaults (see `starting`)."""
    if st.session_state.get(FIRST_RUN):
        st.session_state[STARTING] = {**st.session_state[STARTING], **values}
    else:
        for key, value in values.items():
            st.session_state[key] = value


def starting(key: str) -> Any:
    """A widget's default: the state's value in a session's first run, when the widget's key is
    not set, so that a browser which was already showing the page keeps the value it sends. None
    (no default) in later runs, where the key is set."""
    return st.session_state.get(STARTING, {}).get(key) if st.session_state.get(FIRST_RUN) else None


def missed(happened: bool, callback: Callable[[], None]) -> None:
    """A button press or diagram click that came with a session's first run: Streamlit did not call
    its callback (the session had not drawn it before), so `catch_up` will."""
    if happened and st.session_state.get(FIRST_RUN):
        st.session_state[MISSED].append(callback)


def button(draw: Callable[..., bool], label: str, on_click: Callable[..., None], args: tuple[Any, ...] = (),
           **options: Any) -> None:  # fmt: skip
    """`draw` (st.button, or a column's) with `on_click`, kept even when it came with a first run."""
    missed(draw(label, on_click=on_click, args=args, **options), partial(on_click, *args))


def catch_up() -> None:
    """At the end of a session's first run (before the URL is written): take in the action that
    came with it, as the callbacks would have, and draw the page again from the new state."""
    if not st.session_state.get(FIRST_RUN):
        return
    shown = _widget_values()
    changed = [_CALLBACKS[k] for k, v in shown.items() if k in st.session_state and st.session_state[k] != v]
    actions = [*dict.fromkeys(changed), *st.session_state[MISSED]]
    for action in actions:
        action()
    if actions:
        st.rerun()


def write_url() -> None:
    params = to_url(current())
    if params != st.session_state.get(URL_WRITTEN):
        st.query_params.from_dict(params)
        st.session_state[URL_WRITTEN] = params


# -- callbacks: each runs once per user action ---------------------------------------------
def on_regions_chosen() -> None:
    st.session_state[REGIONS] = list(st.session_state[REGION_WIDGET])


def on_mode_chosen() -> None:
    st.session_state[MODE] = st.session_state[MODE_WIDGET] or st.session_state.get(MODE, "explore")
    st.session_state["_story_step"] = 0


def leave_treatment_room() -> None:
    """The practitioner's way out (the patient sees no mode switch)."""
    st.session_state[MODE] = st.session_state[MODE_WIDGET] = "explore"
    st.session_state["_story_step"] = 0


def share_url(selection: Selection) -> str:
    """The link to this view, from the app's own base address (MERIDIAN_MAP_PUBLIC_URL, else this
    machine's port and base path), never from the address the request came with."""
    port, base_path = st.get_option("server.port"), st.get_option("server.baseUrlPath")
    return share_link(to_url(selection), port=port, base_path=base_path).url


# -- the student's self-test: every answer is recorded once, whatever reruns follow --------
def quiz_seed() -> int:
    if st.session_state.get(SEED) is None:
        st.session_state[SEED] = random.randrange(1, 10_000)
    return int(st.session_state[SEED])


def quiz_retry() -> tuple[str, ...]:
    """The subjects of a review round (the misses of the last one), or () for a full round."""
    return tuple(st.session_state.get(RETRY) or ())


def current_question(
    questions: tuple[quiz.Question, ...], round_state: quiz.RoundState
) -> tuple[int, quiz.Question] | None:
    """The question on screen: the one just answered while its answer is shown, else the first
    unanswered one. As a side effect the diagram shows its view and target (called before the
    widgets are set from the state, so the view control shows it too)."""
    reviewing = st.session_state.get(REVIEWING)
    if reviewing is not None and reviewing < len(questions):
        question = questions[reviewing]
        st.session_state["_answer_for"] = None  # answered: no more scoring clicks
        st.session_state["_question"] = (reviewing, question)
        _set_view(question.view)
        return reviewing, question
    for index, question in enumerate(questions):
        if index < round_state.lost:
            continue
        if index >= len(round_state.answers) or round_state.answers[index] is None:
            previous = st.session_state.get("_question")
            if previous is None or previous[0] != index:  # a new question starts clean
                st.session_state[POINT] = None
                st.session_state[FOCUS] = None
            st.session_state["_answer_for"] = question.code if question.kind == "locate" else None
            st.session_state["_question"] = (index, question)
            _set_view(question.view)
            if question.kind == "name":
                st.session_state[POINT] = None
            return index, question
    st.session_state["_answer_for"] = None
    st.session_state["_question"] = None
    return None


def _set_view(view: ViewId) -> None:
    """Show another view; it starts whole (a zoom belongs to the drawing it was made on)."""
    if st.session_state.get(VIEW, "posterior") != view:
        st.session_state[ZOOM] = None
    st.session_state[VIEW] = view


def _record(questions: tuple[quiz.Question, ...], index: int, result: quiz.Result, feedback: str) -> None:
    """Keep the answer (once), and show it until the student moves on to the next question."""
    round_state = st.session_state.get(QUIZ) or quiz.start(questions)
    st.session_state[QUIZ] = quiz.answer(round_state, index, result)
    st.session_state[QUIZ_FEEDBACK] = (result.correct, f"Question {index + 1}: {feedback}")
    st.session_state[REVIEWING] = index


def next_question() -> None:
    st.session_state[ANSWER_MARK] = None
    st.session_state[REVIEWING] = None
    st.session_state[QUIZ_FEEDBACK] = None
    st.session_state[POINT] = None


def answer_choice(atlas: ResolvedAtlas, questions: tuple[quiz.Question, ...], index: int, option: str) -> None:
    question = questions[index]
    result = quiz.choose(question, option if question.kind == "name" else [option])
    _record(questions, index, result, quiz.choice_feedback(atlas, question, result))


def answer_channels(atlas: ResolvedAtlas, questions: tuple[quiz.Question, ...], index: int) -> None:
    question = questions[index]
    picked = st.session_state.get(f"quiz_{index}_pick") or []
    result = quiz.choose(question, picked)
    _record(questions, index, result, quiz.choice_feedback(atlas, question, result))


def new_round(seed: int, retry: tuple[str, ...] = ()) -> None:
    """Start a round drawn by `seed`: of every subject, or with `retry` of these only."""
    st.session_state[SEED] = seed
    st.session_state[RETRY] = retry
    st.session_state[QUIZ] = None
    next_question()


def on_view_chosen() -> None:
    # A segmented control can be emptied by clicking the active option: keep the current view then.
    _set_view(st.session_state[VIEW_WIDGET] or st.session_state.get(VIEW, "posterior"))


def on_focus_chosen() -> None:
    st.session_state[FOCUS] = st.session_state[FOCUS_WIDGET]


def on_channel_toggled() -> None:
    st.session_state[CHANNELS] = [c for c in CHANNEL_IDS if st.session_state[channel_widget(c)]]


def clear() -> None:
    st.session_state[REGIONS] = []
    st.session_state[POINT] = None


def choose_point(code: str | None) -> None:
    st.session_state[POINT] = code


def jump_to(code: str, view: ViewId) -> None:
    """Open a point on the view that shows it (a search result)."""
    st.session_state[POINT] = code
    _set_view(view)


def map_ack() -> int:
    return int(st.session_state.get(MAP_ACK, 0))


def zoom_ack() -> int:
    return int(st.session_state.get(ZOOM_ACK, 0))


def on_map_zoom() -> None:
    """The diagram was zoomed, panned or reset: keep the part shown (it goes into the link)."""
    view = st.session_state.get(VIEW, "posterior")
    report = read_zoom_report(last_zoom(), view)
    if report is None:
        return
    zoom, count = report
    st.session_state[ACTED] = True
    st.session_state[ZOOM_ACK] = count
    st.session_state[ZOOM] = (view, zoom) if zoom else None


ZOOM_TOLERANCE_CM = 0.01  # the link keeps a zoom to six digits; a report this close is the same zoom


def zoom_is_new() -> bool:
    """Whether the component reports a zoom that the state does not hold. A zoom is the component's
    kept value, not a one-off event, so a session's first run after a restart cannot tell it by its
    arrival; but the old session wrote every zoom it took into the link, which the new one starts from."""
    report = read_zoom_report(last_zoom(), st.session_state.get(VIEW, "posterior"))
    if report is None:
        return False
    reported, held = report[0], current().zoom
    if reported is None or held is None:
        return reported != held
    return any(abs(a - b) > ZOOM_TOLERANCE_CM for a, b in zip(reported, held, strict=True))


def on_map_click(atlas: ResolvedAtlas) -> None:
    """A click on the diagram: an answer to a locate question, else toggle the region under it,
    or open the point (and light up its region)."""
    click = read_click(last_click(), atlas, current())
    if click is None:
        return
    st.session_state[ACTED] = True
    st.session_state[MAP_ACK] = click.seq
    asked = st.session_state.get("_question")
    reviewing = st.session_state.get(REVIEWING) is not None
    if st.session_state.get(MODE) == "student" and asked and asked[1].kind == "locate" and not reviewing:
        index, question = asked
        result = quiz.score_locate(atlas, question, click.at)
        _record(asked_round(), index, result, quiz.locate_feedback(atlas, question, result))
        st.session_state[POINT] = question.code
        st.session_state[ANSWER_MARK] = result.clicked  # shown with the true spot until the next question
        return
    if click.point:
        st.session_state[POINT] = click.point
    # The click names the areas it leaves chosen on this view (a point's area is added: who clicks a
    # point usually means "it hurts here"). Clicks that came while the app was busy are folded into
    # the last one by Streamlit, and this way none of them is lost.
    chosen = list(st.session_state.get(REGIONS, []))
    kept = [r for r in chosen if r not in atlas.region_shapes or r in click.regions]
    st.session_state[REGIONS] = kept + [r for r in click.regions if r not in kept]


def asked_round() -> tuple[quiz.Question, ...]:
    return tuple(st.session_state.get("_round", ()))


_CALLBACKS: dict[str, Callable[[], None]] = {
    REGION_WIDGET: on_regions_chosen,
    FOCUS_WIDGET: on_focus_chosen,
    VIEW_WIDGET: on_view_chosen,
    MODE_WIDGET: on_mode_chosen,
    **{channel_widget(c): on_channel_toggled for c in CHANNEL_IDS},
}
