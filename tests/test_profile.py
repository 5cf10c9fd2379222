"""The pain profile: the model's checks, the ranking of patterns and the summary sentence."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from meridian_map import ResolvedAtlas
from meridian_map.model import PainProfile
from meridian_map.profile import matching_summary, reason

# A small, self-contained profile: the tests of the logic do not depend on the draft's wording.
SMALL: dict[str, Any] = {
    "caveat": "This shows how traditional diagnosis reasons. It is not a diagnosis.",
    "questions": [
        {
            "id": "type",
            "label": "What does it feel like?",
            "phrase": "{} pain",
            "subject": True,
            "options": [{"id": "heavy", "label": "Heavy"}, {"id": "stabbing", "label": "Stabbing"}],
        },
        {
            "id": "eases",
            "label": "What eases it?",
            "phrase": "is eased by {}",
            "options": [{"id": "warmth", "label": "Warmth"}, {"id": "rest", "label": "Rest"}],
        },
        {
            "id": "worsens",
            "label": "What worsens it?",
            "phrase": "is worse {}",
            "options": [
                {"id": "cold_damp", "label": "Cold and damp weather", "phrase": "in cold and damp weather"},
                {"id": "fatigue", "label": "Being tired", "phrase": "when tired"},
            ],
        },
    ],
    "patterns": [
        {
            "id": "cold_damp",
            "name": "Cold-Damp",
            "plain": "p",
            "traditional": "t",
            "signs": [
                {"question": "worsens", "option": "cold_damp", "weight": 3},
                {"question": "type", "option": "heavy", "weight": 2},
                {"question": "eases", "option": "warmth", "weight": 3},
            ],
            "channels": ["BL", "GV"],
            "points": ["BL23", "GV3", "BL40"],
            "note": "n",
        },
        {
            "id": "stagnation",
            "name": "Qi and Blood stagnation",
            "plain": "p",
            "traditional": "t",
            "signs": [{"question": "type", "option": "stabbing", "weight": 3}],
            "channels": ["BL", "GV"],
            "points": ["BL17", "BL40", "GV26"],
            "note": "n",
        },
        {
            "id": "kidney_deficiency",
            "name": "Kidney deficiency",
            "plain": "p",
            "traditional": "t",
            "signs": [
                {"question": "worsens", "option": "fatigue", "weight": 3},
                {"question": "eases", "option": "rest", "weight": 2},
                {"question": "eases", "option": "warmth", "weight": 1},
            ],
            "channels": ["BL", "GV", "KI"],
            "points": ["BL23", "GV4", "KI3"],
            "note": "n",
        },
    ],
}


@pytest.fixture(scope="module")
def small() -> PainProfile:
    return PainProfile.model_validate(SMALL)


@pytest.fixture(scope="module")
def draft(atlas: ResolvedAtlas) -> PainProfile:
    """The pain profile of the bundled content file."""
    assert atlas.atlas.pain_profile is not None
    return atlas.atlas.pain_profile


def _broken(change: Any) -> str:
    data = copy.deepcopy(SMALL)
    change(data)
    with pytest.raises(ValidationError) as caught:
        PainProfile.model_validate(data)
    return "\n".join(error["msg"] for error in caught.value.errors())


# The draft file


def test_the_draft_validates_and_has_the_four_questions_and_patterns(draft: PainProfile) -> None:
    assert [q.id for q in draft.questions] == ["type", "timing", "eases", "worsens"]
    assert [p.id for p in draft.patterns] == ["cold_damp", "damp_heat", "stagnation", "kidney_deficiency"]
    for pattern in draft.patterns:
        assert set(pattern.channels) <= {"BL", "KI", "GV", "GB"}
        assert 3 <= len(pattern.points) <= 6


def test_the_draft_says_it_is_not_a_diagnosis(draft: PainProfile) -> None:
    assert "not a diagnosis" in draft.caveat
    for pattern in draft.patterns:
        assert "traditional reasoning" in pattern.plain, pattern.id


def test_the_draft_names_only_points_the_atlas_has(draft: PainProfile, atlas: ResolvedAtlas) -> None:
    assert set(draft.point_codes) <= set(atlas.points)


CLASSIC = {
    "cold_damp": {
        "type": ["heavy"],
        "timing": ["morning_stiffness"],
        "eases": ["warmth", "movement"],
        "worsens": ["cold_damp"],
    },
    "damp_heat": {"type": ["burning", "heavy"], "worsens": ["heat_humid"]},
    "stagnation": {"type": ["stabbing"], "timing": ["worse_at_night"], "worsens": ["prolonged_posture"]},
    "kidney_deficiency": {
        "type": ["dull", "aching"],
        "timing": ["after_activity"],
        "eases": ["rest", "pressure"],
        "worsens": ["fatigue"],
    },
}


@pytest.mark.parametrize("expected", list(CLASSIC))
def test_classic_answers_rank_their_pattern_first(draft: PainProfile, expected: str) -> None:
    ranked = reason(draft, CLASSIC[expected])
    assert ranked[0].pattern.id == expected
    assert all(m.score < ranked[0].score for m in ranked[1:]), [(m.pattern.id, m.score) for m in ranked]


def test_the_draft_summary_reads_as_one_sentence(draft: PainProfile) -> None:
    top = reason(draft, {"type": ["heavy"], "worsens": ["cold_damp"], "eases": ["warmth"]})[0]
    assert matching_summary(top) == (
        "Heavy pain that is eased by warmth and is worse in cold and damp weather "
        "points, in traditional reasoning, to Cold-Damp."
    )


# Reasoning


def test_no_answers_point_nowhere(small: PainProfile, draft: PainProfile) -> None:
    assert reason(small, {}) == []
    assert reason(draft, {}) == []
    assert reason(draft, {"type": [], "eases": []}) == []


def test_scores_are_the_sum_of_matched_weights(small: PainProfile) -> None:
    ranked = reason(small, {"type": ["heavy"], "eases": ["warmth", "rest"], "worsens": ["cold_damp"]})
    assert [(m.pattern.id, m.score) for m in ranked] == [("cold_damp", 8), ("kidney_deficiency", 3)]
    cold = ranked[0]
    # Signs follow the order of the questions, not the order they are listed in the pattern.
    assert [(s.question_label, s.option_label, s.weight) for s in cold.signs] == [
        ("What does it feel like?", "Heavy", 2),
        ("What eases it?", "Warmth", 3),
        ("What worsens it?", "Cold and damp weather", 3),
    ]


def test_patterns_with_no_matching_sign_are_left_out(small: PainProfile) -> None:
    assert [m.pattern.id for m in reason(small, {"type": ["stabbing"]})] == ["stagnation"]


def test_ties_keep_file_order(small: PainProfile) -> None:
    # cold_damp 3 (warmth) and stagnation 3 (stabbing) tie; kidney_deficiency 1 (warmth) comes last.
    ranked = reason(small, {"type": ["stabbing"], "eases": ["warmth"]})
    assert [(m.pattern.id, m.score) for m in ranked] == [
        ("cold_damp", 3),
        ("stagnation", 3),
        ("kidney_deficiency", 1),
    ]


def test_exact_ties_keep_file_order(small: PainProfile) -> None:
    ranked = reason(small, {"type": ["stabbing"], "worsens": ["cold_damp", "fatigue"]})
    assert [(m.pattern.id, m.score) for m in ranked] == [
        ("cold_damp", 3),
        ("stagnation", 3),
        ("kidney_deficiency", 3),
    ]


def test_a_bare_string_counts_as_one_answer(small: PainProfile) -> None:
    assert reason(small, {"type": "heavy"}) == reason(small, {"type": ["heavy"]})


def test_unknown_answers_are_refused(small: PainProfile) -> None:
    with pytest.raises(KeyError, match=r"no question 'typ'.*did you mean 'type'"):
        reason(small, {"typ": ["heavy"]})
    with pytest.raises(KeyError, match=r"question 'type' has no option 'hevy'.*did you mean 'heavy'"):
        reason(small, {"type": ["hevy"]})


# The summary sentence


def test_summary_with_several_answers_to_one_question(small: PainProfile) -> None:
    match = reason(small, {"eases": ["warmth", "rest"], "worsens": ["fatigue"]})[0]
    assert match.pattern.id == "kidney_deficiency"
    assert matching_summary(match) == (
        "Pain that is eased by warmth and rest and is worse when tired "
        "points, in traditional reasoning, to Kidney deficiency."
    )


def test_summary_with_only_the_kind_of_pain(small: PainProfile) -> None:
    match = reason(small, {"type": ["stabbing"]})[0]
    assert matching_summary(match) == "Stabbing pain points, in traditional reasoning, to Qi and Blood stagnation."


# Validation


def test_an_unknown_option_in_a_sign_is_refused_clearly() -> None:
    def change(data: dict[str, Any]) -> None:
        data["patterns"][0]["signs"][0]["option"] = "cold_dmp"

    message = _broken(change)
    assert (
        "patterns[0] (cold_damp).signs[0]: unknown option 'cold_dmp' for question 'worsens' "
        "(known: cold_damp, fatigue); did you mean 'cold_damp'?"
    ) in message


def test_an_unknown_question_in_a_sign_is_refused() -> None:
    def change(data: dict[str, Any]) -> None:
        data["patterns"][1]["signs"][0]["question"] = "feel"

    assert "patterns[1] (stagnation).signs[0]: unknown question 'feel' (known: type, eases, worsens)" in _broken(change)


def test_pattern_ids_must_be_unique() -> None:
    def change(data: dict[str, Any]) -> None:
        data["patterns"][2]["id"] = "cold_damp"

    assert "pattern ids must be unique; repeated: cold_damp" in _broken(change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["patterns"][0]["signs"][0].update(weight=4), "less than or equal to 3"),
        (lambda d: d["patterns"][0]["signs"][0].update(weight=0), "greater than or equal to 1"),
        (lambda d: d["patterns"][0].update(points=["BL23", "GV3"]), "at least 3 items"),
        (lambda d: d["patterns"][0].update(points=["BL23", "GV3", "BL99"]), "outside BL1-BL67"),
        (lambda d: d["patterns"][0].update(points=["BL23", "GV3", "SP9"]), "not a channel id followed by a number"),
        (lambda d: d["patterns"][0].update(points=["BL23", "GV3", "KI3"]), "point(s) KI3 are on a channel not listed"),
        (lambda d: d["patterns"][0].update(points=["BL23", "GV3", "BL23"]), "repeats points: BL23"),
        (lambda d: d["patterns"][0].update(channels=["BL", "LU"]), "unknown channel 'LU'"),
        (lambda d: d["patterns"][0]["signs"].append(d["patterns"][0]["signs"][0]), "lists a sign more than once"),
        (lambda d: d["questions"][0]["options"].append({"id": "heavy", "label": "x"}), "repeats option id(s): heavy"),
        (lambda d: d["questions"][1].update(phrase="is eased"), "must contain '{}' exactly once"),
        (lambda d: d["questions"][1].update(subject=True), "at most one question may be the subject"),
        (lambda d: d["questions"].append(d["questions"][0]), "question ids must be unique; repeated: type"),
        (lambda d: d.update(extra="no"), "Extra inputs are not permitted"),
        (lambda d: d.update(caveat=" "), "at least 1 character"),
    ],
)
def test_other_mistakes_are_refused(change: Any, expected: str) -> None:
    assert expected in _broken(change)


def test_the_profile_is_frozen(small: PainProfile) -> None:
    with pytest.raises(ValidationError):
        small.caveat = "changed"  # type: ignore[misc]
