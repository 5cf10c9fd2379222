"""How a point is found, in words a student can follow on the body."""

from __future__ import annotations

import re

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.explain import POINT_CODE, area_cautions, describe_placement, patient_story, without_codes


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
    channels = story[1].paragraphs
    assert all(re.match(r"The [\w ]+(, [\w ]+,)? (runs|treats|reaches) ", line) for line in channels), channels
    # "Governing Vessel" is explained where a patient first meets it.
    assert any(line.startswith("The Governing Vessel, the line up the middle of the back, runs ") for line in channels)
    assert len(channels) == len({line.split(" runs")[0].split(" treats")[0] for line in channels})  # each once
    # The hip's link, not the lower back's ("treats this area from a distance").
    assert any(line.startswith("The Gallbladder channel runs through these areas.") for line in channels)


def test_codes_give_way_to_names_without_saying_a_name_twice(atlas: ResolvedAtlas) -> None:
    assert without_codes(atlas, "GB34 (Yanglingquan) eases") == "Yanglingquan eases"
    assert without_codes(atlas, "GV4 (Mingmen, below L2)") == "Mingmen (below L2)"
    assert without_codes(atlas, "GV5 (below L1), GV4 Mingmen") == "Xuanshu (below L1), Mingmen"
    assert without_codes(atlas, "BL23 and BL99") == "Shenshu and BL99"  # an unknown code stays as it is


def test_when_to_see_a_doctor_says_each_warning_sign_once(atlas: ResolvedAtlas) -> None:
    flags = patient_story(atlas, ("lower_back_left", "sacrum", "buttock_left"))[-1].paragraphs
    assert set(atlas.atlas.red_flags_general) <= set(flags)  # the general list, whole
    assert sum("saddle" in flag for flag in flags) == 1
    assert sum("bowel" in flag for flag in flags) == 1


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
    assert story[2].paragraphs == (f"Neck (left): {neck.why}",)
    assert story[3].paragraphs == (f"Neck (left): {neck.evidence}",)


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
