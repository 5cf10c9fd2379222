"""The three audiences: the treatment room (patient), the classroom (student), the curious visitor (explore)."""

from __future__ import annotations

import random
from collections.abc import Callable

import streamlit as st

from meridian_map import quiz
from meridian_map.atlas import ResolvedAtlas
from meridian_map.explain import describe_placement, patient_story
from meridian_map.figure import Selection
from meridian_map.search import best_view
from meridian_map.ui import state
from meridian_map.ui.text import link_target, safe

MODES = {"explore": "Explore", "patient": "Treatment room", "student": "Student"}
STORY_STEP = "_story_step"
STORY_FOR = "_story_for"  # the areas the story on screen is about
QUIZ = state.QUIZ  # the RoundState of the current round
ROUND_SIZE = 8

# Large, high-contrast type for a patient looking at the practitioner's screen. Static CSS,
# scoped to the patient panel; no content is ever rendered as HTML.
PATIENT_CSS = """<style>
.st-key-patient p, .st-key-patient li { font-size: 1.35rem; line-height: 1.55; color: #111; }
.st-key-patient h2 { font-size: 2.1rem; }
</style>"""


# -- patient ---------------------------------------------------------------------------------
def patient_panel(atlas: ResolvedAtlas, selection: Selection, handout: Callable[[], None]) -> None:
    st.html(PATIENT_CSS)
    with st.container(key="patient"):
        steps = patient_story(atlas, selection.regions)
        if not steps:
            st.header("Show me where it hurts")
            st.markdown("Touch or click the drawing where you feel the pain. You can choose more than one place.")
            return
        if st.session_state.get(STORY_FOR) != selection.regions:  # new areas: their story starts at step 1
            st.session_state[STORY_FOR] = selection.regions
            st.session_state[STORY_STEP] = 0
        index = min(st.session_state.get(STORY_STEP, 0), len(steps) - 1)
        step = steps[index]
        # Back and Next stay in one place above the text, whatever its length.
        back, where, forward = st.columns([3, 2, 3], vertical_alignment="center")
        # Named apart from the view switch's "Back": the story's own steps.
        state.button(back.button, "◀ Previous step", key="story_back", on_click=_step, args=(-1, len(steps)),
                     disabled=index == 0, width="stretch")  # fmt: skip
        where.markdown(f"Step {index + 1} of {len(steps)}")
        state.button(forward.button, "Next step ▶", key="story_next", on_click=_step, args=(1, len(steps)),
                     disabled=index == len(steps) - 1, width="stretch")  # fmt: skip
        st.header(safe(step.title))
        for paragraph in step.paragraphs:
            st.markdown(safe(paragraph))
        if step.warnings:  # the last step: every sign, each once, most urgent first
            st.error("\n".join(f"- {safe(sign)}" for sign in step.warnings), icon=":material/emergency:")
        else:  # the most urgent one or two with every other step
            st.warning(
                "**Get medical help first if:**\n" + "\n".join(f"- {safe(sign)}" for sign in step.urgent),
                icon=":material/emergency:",
            )
    handout()


def _step(delta: int, count: int) -> None:
    st.session_state[STORY_STEP] = max(0, min(count - 1, st.session_state.get(STORY_STEP, 0) + delta))


# -- student -----------------------------------------------------------------------------------
LABEL_OPTIONS = [None, "code", "pinyin", "hanzi"]


def student_tools() -> None:
    st.radio(
        "Label the points by",
        options=LABEL_OPTIONS,
        index=LABEL_OPTIONS.index(state.starting(state.LABELS_WIDGET)),
        format_func=lambda o: "No labels" if o is None else {"code": "WHO code"}.get(o, o.capitalize()),
        key=state.LABELS_WIDGET,
        horizontal=True,
    )
    st.toggle("Spine ruler and B-cun lines (back view)", key=state.LANDMARKS_WIDGET,
              value=bool(state.starting(state.LANDMARKS_WIDGET)))  # fmt: skip
    _labels_note()


def _labels_note() -> None:
    """One line on why labels asked for are not on the diagram (during a question, on another view)."""
    asked = st.session_state.get("_question")
    note = quiz.labels_note(
        asked[1] if asked else None,
        labels=st.session_state.get(state.LABELS_WIDGET) is not None,
        landmarks=bool(st.session_state.get(state.LANDMARKS_WIDGET)),
        view=st.session_state.get(state.VIEW, "posterior"),
    )
    if note:
        st.caption(note)


def measuring_panel(atlas: ResolvedAtlas) -> None:
    """How points are measured: the conventions every location in the atlas assumes."""
    measuring = atlas.atlas.measuring
    if measuring is None:
        return
    with st.expander(safe(measuring.title), key="measuring"):
        for topic in measuring.topics:
            st.markdown(f"**{safe(topic.heading)}.** {safe(topic.text)}")
        for number, ref in enumerate(measuring.refs, start=1):
            st.caption(f"[{number}] {safe(atlas.references[ref].citation)}")


def placement_caption(atlas: ResolvedAtlas, code: str) -> None:
    described = describe_placement(atlas, code)
    if described:
        st.caption(f"Found by landmark: {safe(described)}")


def prepare_quiz(atlas: ResolvedAtlas) -> None:
    """Before the diagram is drawn: the current question decides its view and its click targets."""
    questions = _round(atlas, state.quiz_seed(), state.quiz_retry())
    st.session_state["_round"] = questions
    state.current_question(questions, st.session_state.get(QUIZ) or quiz.start(questions))


def quiz_panel(atlas: ResolvedAtlas) -> None:
    """A self-test round: locate (click the diagram), name the point, which channel runs here."""
    seed, retry = state.quiz_seed(), state.quiz_retry()
    questions = _round(atlas, seed, retry)
    with st.container(border=True, key="quiz"):
        st.header("Self-test")
        round_state: quiz.RoundState = st.session_state.get(QUIZ) or quiz.start(questions)
        right, answered = quiz.score(round_state)
        which = f"round {seed}" + (f", of {len(questions)} missed" if retry else "")
        lost = min(round_state.lost, len(questions))
        if lost:  # the score is the only state not in the link: say so rather than show a wrong one
            st.warning(f"Your score for {'question 1' if lost == 1 else f'questions 1–{lost}'} was lost when the "
                       "app restarted or the page was reloaded; the questions are the same.")  # fmt: skip
        since = f" from question {lost + 1} on" if lost else ""
        st.markdown(f"**Score: {right} of {answered}**{since} · {which} · the link gives a class the same round")
        current = st.session_state.get("_question")
        feedback = st.session_state.get(state.QUIZ_FEEDBACK)
        if current is None:
            _review(atlas, questions, round_state)
        elif st.session_state.get(state.REVIEWING) is not None:
            index, question = current
            st.markdown(f"**Question {index + 1} of {len(questions)}.** {safe(question.prompt)}")
            if feedback:
                right, text = feedback
                (st.success if right else st.warning)(safe(text))
            last = index == len(questions) - 1
            state.button(st.button, "See how you did ▶" if last else "Next question ▶", key="quiz_next",
                         on_click=state.next_question, type="primary")  # fmt: skip
        else:
            index, question = current
            st.markdown(f"**Question {index + 1} of {len(questions)}.** {safe(question.prompt)}")
            if question.kind == "locate":
                st.caption("Click on the diagram where you would place it. Within 0.5 B-cun counts as right.")
            elif question.kind == "name":
                st.caption("The point is ringed on the diagram.")
                _labels_note()
                for option in question.options:
                    state.button(st.button, safe(option), key=f"quiz_{index}_{option}", on_click=state.answer_choice,
                                 args=(atlas, questions, index, option), width="stretch")  # fmt: skip
            else:
                st.multiselect("Channels", options=list(question.options), key=f"quiz_{index}_pick",
                               format_func=lambda c: f"{c} · {atlas.channels[c].name}")  # fmt: skip
                state.button(st.button, "Check", key=f"quiz_{index}_check", on_click=state.answer_channels,
                             args=(atlas, questions, index))  # fmt: skip
        state.button(st.button, "New round", key="quiz_new", on_click=state.new_round,
                     args=(random.randrange(1, 10_000),))  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=16)
def _questions(_atlas: ResolvedAtlas, atlas_key: str, seed: int, retry: tuple[str, ...]) -> tuple[quiz.Question, ...]:
    return quiz.make_round(_atlas, seed, size=ROUND_SIZE, subjects=retry or None)


def _round(atlas: ResolvedAtlas, seed: int, retry: tuple[str, ...] = ()) -> tuple[quiz.Question, ...]:
    return _questions(atlas, atlas.digest, seed, retry)


def _review(atlas: ResolvedAtlas, questions: tuple[quiz.Question, ...], round_state: quiz.RoundState) -> None:
    st.markdown("**Round finished.**")
    missed = quiz.misses(round_state, questions)
    if not missed and not round_state.lost:
        st.success("No misses. Well done.")
    for miss in missed:
        question = miss.question
        if isinstance(miss.result, quiz.LocateResult):
            detail = "; ".join(quiz.offset(atlas, question, miss.result))
        else:
            detail = "the answer was " + ", ".join(sorted(question.correct))
        st.markdown(f"- {safe(question.prompt)} ({safe(detail)})")
    if missed:  # the same seed rule: the link to the new round gives a class the same questions
        retry = quiz.retry_subjects(atlas, missed)
        state.button(st.button, f"Try the {len(missed)} missed again", key="quiz_retry", type="primary",
                     on_click=state.new_round, args=(random.randrange(1, 10_000), retry))  # fmt: skip


# -- explore -----------------------------------------------------------------------------------
def tour(atlas: ResolvedAtlas) -> None:
    """Step through a channel's points in order, each on the view that shows it."""
    with st.container(border=True, key="tour"):
        st.markdown("**Channel tour**: follow a channel point by point.")
        channel = st.selectbox("Channel", options=list(atlas.channels), key="tour_channel",
                               format_func=lambda c: f"{c} · {atlas.channels[c].name}")  # fmt: skip
        codes = [p.code for p in atlas.atlas.points if p.channel == channel]
        current = st.session_state.get(state.POINT)
        index = codes.index(current) if current in codes else -1
        back, forward = st.columns(2)
        previous_code = codes[max(index - 1, 0)]
        next_code = codes[min(index + 1, len(codes) - 1)] if index >= 0 else codes[0]
        state.button(back.button, "◀ Previous", key="tour_back", disabled=index <= 0, width="stretch",
                     on_click=state.jump_to, args=(previous_code, best_view(atlas, previous_code)))  # fmt: skip
        state.button(forward.button, "Next ▶" if index >= 0 else f"Start at {safe(codes[0])}", key="tour_next",
                     width="stretch", disabled=index == len(codes) - 1, on_click=state.jump_to,
                     args=(next_code, best_view(atlas, next_code)))  # fmt: skip
        if index >= 0:
            st.caption(f"Point {index + 1} of {len(codes)} on the {safe(atlas.channels[channel].name)} channel")


def share_link(selection: Selection) -> None:
    # A plain link, not st.code: the code block's highlighter is a 1.5 MB download on the first click.
    st.markdown(
        f"[Link to this view](<{link_target(state.share_url(selection))}>) · copy or send it to open this view again."
    )
