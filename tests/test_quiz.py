"""The self-test: seeded rounds, scoring of clicks and choices, and answers that count once."""

from __future__ import annotations

import random

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.model import VIEW_IDS, Scale, ViewId
from meridian_map.quiz import (
    CHANNEL_OPTIONS,
    ChoiceResult,
    LocateResult,
    RoundState,
    answer,
    channel_question,
    choice_feedback,
    choose,
    cun_at,
    labels_note,
    locate_feedback,
    locate_question,
    make_round,
    misses,
    name_question,
    retry_subjects,
    score,
    score_choice,
    score_locate,
    start,
    subject,
)


def test_same_seed_gives_the_same_round(atlas: ResolvedAtlas) -> None:
    first = make_round(atlas, seed=42)
    assert make_round(atlas, seed=42) == first
    assert len(first) == 10
    assert {q.kind for q in first} == {"locate", "name", "channel"}


def test_different_seeds_give_different_rounds(atlas: ResolvedAtlas) -> None:
    assert make_round(atlas, seed=1) != make_round(atlas, seed=2)
    assert len({make_round(atlas, seed=s) for s in range(10)}) == 10


@pytest.mark.parametrize("seed", range(20))
def test_rounds_use_shown_points_and_never_repeat(atlas: ResolvedAtlas, seed: int) -> None:
    round_ = make_round(atlas, seed, size=12)
    subjects = [q.code or atlas.base_of(q.region or "") for q in round_]
    assert len(subjects) == len(set(subjects)) == 12
    for q in round_:
        on_view = atlas.on(q.view)
        if q.kind == "channel":
            assert q.region in on_view.region_shapes
            assert q.correct
        else:
            assert q.code is not None
            assert q.positions == on_view.positions[q.code]


def test_round_kinds_and_views_can_be_restricted(atlas: ResolvedAtlas) -> None:
    round_ = make_round(atlas, 7, size=6, kinds=("locate",), views=("posterior",))
    assert [q.kind for q in round_] == ["locate"] * 6
    assert {q.view for q in round_} == {"posterior"}
    # A pool that runs out gives a shorter round rather than repeats.
    regions = make_round(atlas, 7, size=100, kinds=("channel",), views=("posterior",))
    assert 0 < len(regions) < 100
    assert len({atlas.base_of(q.region or "") for q in regions}) == len(regions)


def test_click_exactly_on_bl23_is_zero_cun_and_correct(atlas: ResolvedAtlas) -> None:
    question = locate_question(atlas, "posterior", "BL23")
    right = atlas.positions["BL23"][1]  # back view: the patient's left first, then right
    result = score_locate(atlas, question, right)
    assert result == LocateResult(right, right, 0.0, True)


def test_click_one_cun_lateral_is_about_one_cun_and_wrong(atlas: ResolvedAtlas) -> None:
    question = locate_question(atlas, "posterior", "BL23")
    x, y = atlas.positions["BL23"][1]
    cun = atlas.body.cun(Scale.back)
    result = score_locate(atlas, question, (x + cun, y))
    assert result.distance_cun == pytest.approx(1.0)
    assert not result.correct
    assert result.nearest == (x, y)
    assert score_locate(atlas, question, (x, y + 0.4 * cun)).correct


def test_nearest_of_bilateral_positions_counts(atlas: ResolvedAtlas) -> None:
    question = locate_question(atlas, "posterior", "BL23")
    left, right = question.positions
    assert left[0] < 0 < right[0]
    cun = atlas.body.cun(Scale.back)
    near_left = (left[0] - 0.3 * cun, left[1])
    result = score_locate(atlas, question, near_left)
    assert result.nearest == left
    assert result.distance_cun == pytest.approx(0.3)
    assert result.correct


def test_scale_follows_the_height(atlas: ResolvedAtlas) -> None:
    body = atlas.body
    assert cun_at(atlas, "posterior", atlas.positions["BL23"][0][1]) == body.cun(Scale.back)
    assert cun_at(atlas, "posterior", atlas.positions["BL40"][0][1]) == body.cun(Scale.leg)
    assert cun_at(atlas, "posterior", atlas.positions["GV20"][0][1]) == body.cun(Scale.head)
    side, front = atlas.on("lateral").body, atlas.on("anterior").body
    assert cun_at(atlas, "lateral", 110.0) == side.region_unit
    assert cun_at(atlas, "anterior", 110.0) == front.cun(Scale.chest)


def test_name_options_hold_the_answer_once_among_four(atlas: ResolvedAtlas) -> None:
    for seed in range(30):
        for q in make_round(atlas, seed, kinds=("name",)):
            assert len(q.options) == len(set(q.options)) == 4
            assert q.options.count(q.code or "") == 1
            assert q.correct == {q.code}
            assert score_choice(q, q.code or "")
            assert not score_choice(q, next(o for o in q.options if o != q.code))


def test_name_distractors_prefer_the_same_region_and_are_distinguishable(atlas: ResolvedAtlas) -> None:
    q = name_question(atlas, "posterior", "BL23", random.Random(0))
    distractors = set(q.options) - {"BL23"}
    assert all(atlas.points[code].region == "lower_back" for code in distractors)
    # GV28 sits on GV27 on the front view: they must not be offered together.
    front = name_question(atlas, "anterior", "GV28", random.Random(0))
    assert "GV27" not in front.options


def test_no_name_question_gives_its_answer_away_by_colour_or_shape(atlas: ResolvedAtlas) -> None:
    """Over 500 seeded questions: the answer is never the only option of its channel (so never the
    only marker of its colour and shape); indeed every option is of its channel."""
    asked = [q for seed in range(63) for q in make_round(atlas, seed, size=8, kinds=("name",))]
    assert len(asked) >= 500
    assert {q.view for q in asked} == set(VIEW_IDS)
    for q in asked:
        channel = atlas.points[q.code or ""].channel
        assert [atlas.points[o].channel for o in q.options] == [channel] * 4, q


@pytest.mark.parametrize("view", VIEW_IDS)
def test_name_distractors_of_the_same_channel_and_area_come_first(atlas: ResolvedAtlas, view: ViewId) -> None:
    on_view = atlas.on(view)
    for code in list(on_view.positions)[::3]:
        point = atlas.points[code]
        q = name_question(atlas, view, code, random.Random(code))
        asked = locate_question(atlas, view, code)
        neighbours = {  # same channel, same area, on this view, and far enough apart to tell from it
            other
            for other in on_view.positions
            if other != code and atlas.points[other].channel == point.channel
            and atlas.points[other].region == point.region
            and not any(score_locate(atlas, asked, spot).correct for spot in on_view.positions[other])
        }  # fmt: skip
        distractors = set(q.options) - {code}
        assert distractors <= neighbours if len(neighbours) >= 3 else neighbours <= distractors, (code, q.options)


def test_a_missed_click_is_told_how_far_which_way_and_the_landmark_rule(atlas: ResolvedAtlas) -> None:
    question = locate_question(atlas, "posterior", "BL23")
    x, y = atlas.positions["BL23"][1]  # the patient's right: lateral is +x
    cun = atlas.body.cun(Scale.back)
    text = locate_feedback(atlas, question, score_locate(atlas, question, (x + 0.8 * cun, y)))
    assert text == (
        "Not quite: 0.8 B-cun too far lateral (0.8 B-cun from BL23; its true spot is ringed). Find BL23 by "
        "landmark: level with the lower border of the L2 spinous process, 1.5 B-cun from the midline."
    )
    left_x, _ = atlas.positions["BL23"][0]  # the patient's left: medial is +x, and the larger part first
    text = locate_feedback(atlas, question, score_locate(atlas, question, (left_x + 0.3 * cun, y - 0.9 * cun)))
    assert text.startswith("Not quite: 0.9 B-cun too low and 0.3 B-cun too far medial (0.9 B-cun from BL23")
    right = locate_feedback(atlas, question, score_locate(atlas, question, (x, y + 0.2 * cun)))
    assert right == "Right: you clicked 0.2 B-cun from BL23; its true spot is ringed."


@pytest.mark.parametrize(
    ("view", "code", "dx", "words"),
    [
        ("posterior", "GV4", -1.0, "1.0 B-cun to the patient's left of the midline"),
        ("anterior", "GV24", -1.0, "1.0 B-cun to the patient's right of the midline"),
        ("lateral", "GB30", 1.0, "1.0 B-cun too far anterior"),
        ("medial", "KI3", 1.0, "1.0 B-cun too far posterior"),
    ],
)
def test_directions_follow_the_view(atlas: ResolvedAtlas, view: ViewId, code: str, dx: float, words: str) -> None:
    question = locate_question(atlas, view, code)
    x, y = question.positions[0]
    text = locate_feedback(atlas, question, score_locate(atlas, question, (x + dx * cun_at(atlas, view, y), y)))
    assert text.startswith(f"Not quite: {words} ("), text
    assert f"Find {code} by landmark: " in text


def test_a_missed_name_is_given_the_point_and_its_landmark_rule(atlas: ResolvedAtlas) -> None:
    q = name_question(atlas, "posterior", "BL23", random.Random(0))
    wrong = next(o for o in q.options if o != "BL23")
    assert choice_feedback(atlas, q, choose(q, wrong)) == (
        "Not quite: the answer was BL23 (Shenshu). Find BL23 by landmark: level with the lower border of the L2 "
        "spinous process, 1.5 B-cun from the midline."
    )
    assert choice_feedback(atlas, q, choose(q, "BL23")) == "Right: BL23 (Shenshu)."
    channels = channel_question(atlas, "posterior", "lower_back_right")
    assert choice_feedback(atlas, channels, choose(channels, ["BL"])) == (
        "Not quite: the channels that run through it are BL (Bladder), GV (Governing Vessel)."
    )


def test_labels_that_cannot_show_say_why(atlas: ResolvedAtlas) -> None:
    named = name_question(atlas, "posterior", "BL23", random.Random(0))
    located = locate_question(atlas, "posterior", "BL23")
    channels = channel_question(atlas, "posterior", "lower_back_right")
    assert "hidden during a naming question" in (labels_note(named, True, False, "posterior") or "")
    assert "BL23 has no marker and no label" in (labels_note(located, True, False, "posterior") or "")
    assert labels_note(named, False, False, "posterior") is None  # no labels asked for: nothing to explain
    assert labels_note(channels, True, True, "posterior") is None
    assert "back view only" in (labels_note(channels, True, True, "lateral") or "")


def test_a_review_round_asks_about_the_misses_only_by_the_same_seed_rule(atlas: ResolvedAtlas) -> None:
    round_ = make_round(atlas, seed=11, size=8)
    state = start(round_)
    for i, q in enumerate(round_):  # every other question missed
        if q.kind == "locate":
            x, y = q.positions[0]
            result: LocateResult | ChoiceResult = score_locate(atlas, q, (x, y + (0 if i % 2 else 20)))
        else:
            result = choose(q, q.correct if i % 2 else frozenset())
        state = answer(state, i, result)
    missed = misses(state, round_)
    subjects = retry_subjects(atlas, missed)
    assert subjects == tuple(subject(atlas, m.question) for m in missed) and len(subjects) == 4
    again = make_round(atlas, seed=99, size=8, subjects=subjects)
    assert sorted(subject(atlas, q) for q in again) == sorted(subjects)
    assert make_round(atlas, seed=99, size=8, subjects=subjects) == again  # the seed gives it again


def test_channel_question_for_the_lower_back(atlas: ResolvedAtlas) -> None:
    q = channel_question(atlas, "posterior", "lower_back_right")
    assert q.options == CHANNEL_OPTIONS == ("BL", "KI", "GV", "GB")
    assert {"BL", "GV"} <= q.correct
    assert q.correct == {"BL", "GV"}  # KI is deep, GB distal: they do not run through
    assert score_choice(q, ["GV", "BL"])
    assert not score_choice(q, ["BL"])
    assert not score_choice(q, ["BL", "GV", "KI"])
    assert channel_question(atlas, "posterior", "lower_back").correct == q.correct


def test_answering_twice_counts_once(atlas: ResolvedAtlas) -> None:
    round_ = make_round(atlas, seed=5, size=3, kinds=("channel",))
    q = round_[0]
    state = start(round_)
    right = choose(q, q.correct)
    state = answer(state, 0, right)
    assert score(state) == (1, 1)
    # Every Streamlit rerun records the answer again, and later clicks send others.
    for _ in range(5):
        assert answer(state, 0, right) is state
        state = answer(state, 0, right)
    state = answer(state, 0, ChoiceResult(frozenset(), False))
    assert score(state) == (1, 1)
    assert state.answers[0] == right
    # Recording a wrong answer first is just as final.
    state = answer(state, 1, ChoiceResult(frozenset(), False))
    state = answer(state, 1, choose(round_[1], round_[1].correct))
    assert score(state) == (1, 2)


def test_a_default_state_grows_to_hold_an_answer() -> None:
    state = answer(RoundState(), 2, ChoiceResult(frozenset({"BL"}), True))
    assert state.answers == (None, None, ChoiceResult(frozenset({"BL"}), True))
    assert score(state) == (1, 1)
    with pytest.raises(IndexError):
        answer(state, -1, ChoiceResult(frozenset(), False))


def test_misses_list_the_wrong_answers_in_order(atlas: ResolvedAtlas) -> None:
    round_ = make_round(atlas, seed=11, size=4)
    state = start(round_)
    outcomes = [False, True, False]  # the fourth stays unanswered
    for i, (q, ok) in enumerate(zip(round_, outcomes, strict=False)):
        if q.kind == "locate":
            true = q.positions[0]
            far = atlas.on(q.view).body.cun(Scale.leg) * 3
            result: LocateResult | ChoiceResult = score_locate(atlas, q, (true[0], true[1] + (0 if ok else far)))
        else:
            result = choose(q, q.correct if ok else frozenset())
        assert result.correct is ok
        state = answer(state, i, result)
    assert score(state) == (1, 3)
    missed = misses(state, round_)
    assert [m.index for m in missed] == [0, 2]
    assert [m.question for m in missed] == [round_[0], round_[2]]
    assert all(m.result is not None and not m.result.correct for m in missed)
    assert [m.index for m in misses(state, round_, include_unanswered=True)] == [0, 2, 3]


def test_no_locate_question_asks_for_a_head_point(atlas: ResolvedAtlas) -> None:
    """The drawing has no eyes, nose or hairline to measure a face or scalp point from."""
    asked = [q for seed in range(60) for q in make_round(atlas, seed) if q.kind == "locate"]
    assert asked and all(atlas.points[q.code].region not in ("face", "head") for q in asked)
    named = [q for seed in range(60) for q in make_round(atlas, seed) if q.kind == "name"]
    assert any(atlas.points[q.code].region in ("face", "head") for q in named)  # naming them is fair
