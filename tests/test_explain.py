"""How a point is found, in words a student can follow on the body."""

from __future__ import annotations

import re

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.explain import (
    JARGON,
    POINT_CODE,
    STEP_WORDS,
    area_cautions,
    describe_placement,
    patient_story,
    place_names,
    warning_signs,
    without_codes,
    words,
)


@pytest.mark.parametrize(
    ("view", "code", "expected"),
    [
        ("posterior", "BL23", "Level with the lower border of the L2 spinous process, 1.5 B-cun from the midline."),
        ("posterior", "GV4", "Level with the lower border of the L2 spinous process, on the midline."),
        ("posterior", "BL57", "8 B-cun below (B-cun here: lateral malleolus to popliteal crease = 16)"),
        ("lateral", "GB30", "(B-cun here: popliteal crease to greater trochanter = 19)"),
    ],
)
def test_a_placement_reads_as_a_landmark_and_a_distance(
    atlas: ResolvedAtlas, view: str, code: str, expected: str
) -> None:
    assert expected in str(describe_placement(atlas.on(view), code))  # type: ignore[arg-type]


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior", "medial"])
def test_no_description_shows_an_identifier(atlas: ResolvedAtlas, view: str) -> None:
    shown = atlas.on(view)  # type: ignore[arg-type]
    for code in shown.positions:
        text = describe_placement(shown, code)
        assert text and not re.search(r"\w_\w", text), (code, text)


def test_the_patient_story_names_each_point_once_and_reads_as_sentences(atlas: ResolvedAtlas) -> None:
    story = patient_story(atlas, ("lower_back_left", "back_of_thigh_left", "hip_left"))
    text = " ".join(p for step in story for p in step.paragraphs)
    assert not POINT_CODE.search(text)
    for point in atlas.points.values():  # "GB34 (Yanglingquan)" must not become "Yanglingquan (Yanglingquan)"
        name = re.escape(point.pinyin)
        assert not re.search(rf"\b{name} \(?{name}\b", text), point.pinyin
    (lines,) = story[1].paragraphs[:1]
    # Each line once, by its closest link to any area: the hip brings the Gallbladder line through.
    assert lines.startswith("Through these places: ") and "the Gallbladder line" in lines
    said = " ".join(story[1].paragraphs)
    for channel in atlas.channels.values():
        assert said.count(channel.patient_name or "") <= 1
    assert "the line up the middle of your back" in said  # what the Governing Vessel is, not its name


def _worst_cases(atlas: ResolvedAtlas) -> list[tuple[str, ...]]:
    """Every area alone, every area of each view at once, and left with right."""
    single = [(shape.id,) for view in atlas.views.values() for shape in view.regions]
    every = [tuple(s.id for s in view.regions) for view in atlas.views.values()]
    return [*single, *every, ("lower_back_left", "lower_back_right", "sacrum")]


def test_every_step_of_the_story_fits_sixty_plain_words_whatever_is_chosen(atlas: ResolvedAtlas) -> None:
    for chosen in _worst_cases(atlas):
        for step in patient_story(atlas, chosen):
            said = " ".join(step.paragraphs)
            assert words(said) <= STEP_WORDS, (chosen[:3], step.title, words(said))
            assert not POINT_CODE.search(said) and not any(term in said for term in JARGON), (step.title, said)
            assert 1 <= len(step.urgent) <= 2 and len(set(step.urgent)) == len(step.urgent)


def test_left_and_right_of_one_area_are_told_once_in_the_patients_own_words(atlas: ResolvedAtlas) -> None:
    both = patient_story(atlas, ("lower_back_left", "lower_back_right", "sacrum"))
    where = " ".join(both[0].paragraphs)
    assert where.startswith("You showed me both sides of your lower back and your sacrum and tailbone.")
    plain = without_codes(atlas, atlas.region_content["lower_back"].layers.plain)
    assert " ".join(p for step in both for p in step.paragraphs).count(plain[:40]) == 1
    assert place_names(atlas, ("neck_left",)) == ["your neck, on your left"]
    assert place_names(atlas, ("calf_right",)) == ["your calf, on your right"]


def test_warning_signs_go_with_every_step_and_the_whole_list_once_at_the_end(atlas: ResolvedAtlas) -> None:
    story = patient_story(atlas, ("lower_back_left", "sacrum", "buttock_left"))
    *steps, last = story
    assert all(not step.warnings for step in steps) and last.warnings
    signs = last.warnings
    assert len(signs) == len(set(signs)) and set(atlas.atlas.red_flags_general) <= set(signs)
    for region in ("lower_back", "sacrum", "buttock"):
        assert set(atlas.region_content[region].layers.red_flags) <= set(signs)
    assert sum("saddle" in sign for sign in signs) == 1 and sum("bowel" in sign for sign in signs) == 1
    assert "emergency" in signs[0] and story[0].urgent == signs[:2]  # the most urgent first, on every step
    neck = warning_signs(atlas, ("neck_left",))
    assert neck[0] in atlas.region_content["neck"].layers.red_flags[:1] or "emergency" in neck[0]


def test_codes_give_way_to_names_without_saying_a_name_twice(atlas: ResolvedAtlas) -> None:
    assert without_codes(atlas, "GB34 (Yanglingquan) eases") == "Yanglingquan eases"
    assert without_codes(atlas, "GV4 (Mingmen, below L2)") == "Mingmen (below L2)"
    assert without_codes(atlas, "GV5 (below L1), GV4 Mingmen") == "Xuanshu (below L1), Mingmen"
    assert without_codes(atlas, "BL23 and BL99") == "Shenshu and BL99"  # an unknown code stays as it is


def test_the_treatment_room_tells_why_and_what_research_says_in_a_few_plain_words(atlas: ResolvedAtlas) -> None:
    pinyin = re.compile(r"\b(" + "|".join(re.escape(p.pinyin) for p in atlas.points.values()) + r")\b", re.I)
    for region in atlas.atlas.regions:
        words = region.layers.patient
        assert words is not None, region.id
        for text in (words.why, words.evidence):
            assert len(text.split()) <= 45 and not POINT_CODE.search(text) and not pinyin.search(text), text
            assert not re.search(r"\d", text), text  # no figures, years or guideline numbers
        assert words.why.startswith("In traditional Chinese medicine")  # belief, said as belief
    story = patient_story(atlas, ("neck_left",))
    neck = next(r for r in atlas.atlas.regions if r.id == "neck").layers.patient
    assert neck is not None
    assert story[2].paragraphs == (neck.why,)
    assert story[3].paragraphs == (neck.evidence,)


def test_landmarks_read_as_anatomy(atlas: ResolvedAtlas) -> None:
    anterior, posterior = atlas.on("anterior"), atlas
    assert describe_placement(anterior, "KI22") == (
        "From the 5th intercostal space, 2 B-cun lateral (B-cun here: midline to nipple = 4)."
    )
    assert describe_placement(posterior, "KI10") == "At the medial end of the popliteal crease."
    assert "anterior superior iliac spine (ASIS)" in str(describe_placement(atlas.on("lateral"), "GB28"))
    # Measured across with one bone and along with another: both are named.
    assert describe_placement(anterior, "KI13") == (
        "From the umbilicus, 3 B-cun below, 0.5 B-cun lateral "
        "(B-cun here: pubic symphysis to umbilicus = 5; midline to nipple = 4)."
    )
    assert (
        describe_placement(atlas.on("medial"), "KI5")
        == "From KI3, 1 B-cun below (B-cun here: medial malleolus to medial condyle of the tibia = 13)."
    )
    assert describe_placement(anterior, "GB15") == (
        "From the anterior hairline, 0.5 B-cun above, directly in line with the pupil "
        "(B-cun here: anterior hairline to vertex = 5)."
    )


def test_the_story_says_once_that_points_here_are_avoided_in_pregnancy(atlas: ResolvedAtlas) -> None:
    pregnancy = "traditionally avoided in pregnancy"
    story = patient_story(atlas, ("sacrum", "heel_and_ankle_left", "neck_right"))
    safe = next(step for step in story if step.title == "Keeping treatment safe")
    assert sum(pregnancy in p for step in story for p in step.paragraphs) == 1
    assert any(pregnancy in p for p in safe.paragraphs)
    knee = next(step for step in patient_story(atlas, ("knee_left",)) if step.title == "Keeping treatment safe")
    assert not any(pregnancy in p for p in knee.paragraphs)  # no such point among the knee's key points
    assert knee.paragraphs[0].startswith("Serious harm from acupuncture is rare")


def test_other_channels_points_avoided_in_pregnancy_carry_the_caution_into_the_story(atlas: ResolvedAtlas) -> None:
    for code in ("LI4", "SP6"):
        assert "pregnancy" in atlas.other_points[code].cautions, code
    face = atlas.region_content["face"]
    assert "LI4" in face.layers.traditional and not {"pregnancy"} & {
        c for code in face.all_points for c in atlas.points[code].cautions
    }  # only LI4, named in the text, brings the caution to the face
    assert [c.id for c in area_cautions(atlas, ("face",))] == ["pregnancy"]
