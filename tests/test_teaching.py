"""Issue 9, teaching and evidence: how points are measured, the points beyond the four channels, the sources."""

from __future__ import annotations

import re

from meridian_map import ResolvedAtlas
from meridian_map.explain import explain_region, patient_story

from .test_app import page_text, start

BACK_PAIN_EXTRAS = ("EX-B2", "EX-B7", "EX-B8", "EX-UE7", "SI3")


def _measuring_text(atlas: ResolvedAtlas) -> dict[str, str]:
    measuring = atlas.atlas.measuring
    assert measuring is not None
    return {topic.heading: topic.text for topic in measuring.topics}


def test_every_finger_cun_in_a_location_is_defined_for_students(atlas: ResolvedAtlas) -> None:
    users = [p.code for p in atlas.atlas.points if "F-cun" in p.location]
    assert {"BL67", "GB44"} <= set(users)
    finger = next(text for heading, text in _measuring_text(atlas).items() if "F-cun" in heading)
    assert "1 F-cun" in finger and "3 F-cun" in finger and "thumb" in finger
    for code in users:
        assert code in finger, code


def test_the_back_conventions_and_counting_are_taught_with_their_source(atlas: ResolvedAtlas) -> None:
    text = " ".join(_measuring_text(atlas).values())
    for convention in ("C7", "T3", "root of the spine of the scapula", "T7", "inferior angle", "L4", "iliac crests",
                       "S2", "posterior superior iliac spines", "3 B-cun", "count the spinous processes down from C7",
                       "up from L4"):  # fmt: skip
        assert convention in text, convention
    assert atlas.atlas.measuring is not None and "who-2008" in atlas.atlas.measuring.refs


def test_the_bladder_kidney_pairing_is_the_reason_given_for_both_channels(atlas: ResolvedAtlas) -> None:
    bladder, kidney = atlas.channels["BL"].summary_traditional, atlas.channels["KI"].summary_traditional
    for text in (bladder, kidney):
        assert "exterior-interior pair" in text and "Foot Taiyang" in text and "Foot Shaoyin" in text
        assert "back pain" in text
    lower_back = atlas.region_content["lower_back"].layers.traditional
    assert "exterior-interior pair" in lower_back and "Foot Taiyang (Bladder)" in lower_back


def test_the_governing_vessel_is_explained_in_plain_words_where_patients_see_it(atlas: ResolvedAtlas) -> None:
    assert "the line up the middle of the back" in atlas.channels["GV"].summary_plain
    for region in atlas.atlas.regions:  # the treatment room says what it is, not its name
        words = region.layers.patient
        assert words is None or "Governing Vessel" not in words.why + words.evidence, region.id
    lines = " ".join(patient_story(atlas, ("lower_back_left",))[1].paragraphs)
    assert "the line up the middle of your back" in lines and "Governing Vessel" not in lines


def _citing(atlas: ResolvedAtlas, ref: str) -> list[str]:
    """The reference's own note and every evidence summary that cites it."""
    texts = [atlas.references[ref].note or ""]
    texts += [r.layers.evidence.summary for r in atlas.atlas.regions if ref in r.layers.evidence.refs]
    return texts


def test_the_tension_type_headache_figures_match_the_review_and_name_their_subsets(atlas: ResolvedAtlas) -> None:
    texts = _citing(atlas, "linde-2016-tth")
    assert len(texts) >= 3
    for text in texts:
        flat = " ".join(text.split())
        assert re.search(r"48 in\s+100 .*17 in 100 .*\(two large trials", flat), flat
        assert re.search(r"52 against 43 in 100 .*\(six trials, dominated by one large trial", flat), flat
        assert not re.search(r"\b(19|51) ?%", flat), flat  # the old, unconfirmed figures


def test_the_migraine_review_is_quoted_without_unconfirmed_figures(atlas: ResolvedAtlas) -> None:
    for text in _citing(atlas, "linde-2016-migraine"):
        flat = " ".join(text.split())
        migraine = flat[flat.find("migraine") :]
        assert not re.search(r"\b(50|41) ?%|4,985", migraine), flat


def test_every_reference_is_cited_somewhere(atlas: ResolvedAtlas) -> None:
    cited = {ref for r in atlas.atlas.regions for ref in r.layers.evidence.refs}
    cited |= {ref for chain in atlas.atlas.chains for ref in chain.refs}
    cited |= {ref for point in atlas.atlas.other_points for ref in point.refs}
    cited |= set(atlas.atlas.measuring.refs if atlas.atlas.measuring else ())
    safety = atlas.atlas.safety
    cited |= {ref for item in (*safety.items, *safety.cautions) for ref in item.refs} if safety else set()
    new = {"who-1991", "gbt-12346-2006", "mu-2020", "vickers-2018", "cherkin-2009", "zhang-2011", "karagounis-2011"}
    assert new <= set(atlas.references)
    assert set(atlas.references) - cited == set()


def test_the_low_back_evidence_cites_the_reviews_an_expert_expects(atlas: ResolvedAtlas) -> None:
    for region_id in ("lower_back", "sacrum"):
        refs = atlas.region_content[region_id].layers.evidence.refs
        assert {"vickers-2012", "vickers-2018", "cherkin-2009", "mu-2020"} <= set(refs), region_id
    assert "gerac-2007" in atlas.region_content["lower_back"].layers.evidence.refs
    heel = atlas.region_content["heel_and_ankle"].layers.evidence.refs
    assert {"clark-2012", "cotchett-2014", "zhang-2011", "karagounis-2011"} <= set(heel)


def test_the_back_pain_points_beyond_the_four_channels_are_named_with_their_standard(atlas: ResolvedAtlas) -> None:
    explained = explain_region(atlas, "lower_back_left")
    codes = [p.code for p in explained.other_points]
    assert set(BACK_PAIN_EXTRAS) <= set(codes)
    for point in explained.other_points:
        assert re.search(r"WHO (1991|2008)", point.standard), point.code
        assert point.location and point.hanzi and point.pinyin
    assert atlas.other_points["SI3"].kind == "Small Intestine channel"
    assert atlas.other_points["EX-B2"].kind == "extra point"
    assert "BL62" in atlas.region_content["lower_back"].layers.traditional and "BL62" in atlas.points


def test_bl25_is_chosen_in_every_pattern_that_treats_the_lower_back(atlas: ResolvedAtlas) -> None:
    profile = atlas.atlas.pain_profile
    assert profile is not None
    for pattern in profile.patterns:
        assert "BL25" in pattern.points and len(pattern.points) <= 6, pattern.id


def test_students_see_how_points_are_measured_and_others_do_not() -> None:
    app = start(mode="student", seed="1")
    assert not app.exception
    text = page_text(app)
    assert "How points are measured" in [e.label for e in app.expander]
    assert "Finger cun (F-cun)." in text and "0.1 F-cun" in text and "posterior superior iliac spines" in text
    assert "WHO Standard Acupuncture Point Locations" in text
    assert "How points are measured" not in [e.label for e in start().expander]


def test_the_lower_back_panel_names_the_extra_points_and_their_standard() -> None:
    app = start(regions="lower_back_left")
    text = page_text(app)
    assert "Other points named here" in text
    for code in BACK_PAIN_EXTRAS:
        line = next((line for line in text.splitlines() if line.startswith(f"- {code} ")), None)
        assert line is not None, code
        assert "Standard: " in line and re.search(r"WHO (1991|2008)", line), line
