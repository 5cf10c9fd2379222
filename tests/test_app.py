"""The page through Streamlit's AppTest: the multiselect (the keyboard path), toggles, URL state."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from meridian_map import open_atlas
from meridian_map.quiz import Question
from meridian_map.ui.text import shown as as_shown

from .conftest import DATA, ROOT, round_where

APP = str(ROOT / "src" / "meridian_map" / "ui" / "streamlit_app.py")  # the page that app.py serves


def start(**query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def page_text(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [s.value for s in app.subheader] + [h.value for h in app.header]
    parts += [w.value for w in app.warning] + [e.value for e in app.error] + [i.value for i in app.info]
    parts += [c.value for c in app.caption]
    text = re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))  # as shown, without Markdown escapes
    return as_shown(text).replace("**", "")


def component_data(app: AppTest, name: str) -> dict[str, Any]:
    """What the page hands a body map component (`body_map`: the drawing; `body_map_highlight`)."""
    mounts = [e for e in app.get("bidi_component") if e.proto.component_name == f"meridian-map.{name}"]
    data: Any = json.loads(mounts[-1].proto.json)
    if isinstance(data, str):  # the drawing goes as JSON text (see ui/body_map.py)
        data = json.loads(data)
    return data


def test_first_view_invites_a_click_and_shows_no_region() -> None:
    app = start()
    assert not app.exception
    assert app.multiselect(key="region_select").value == []
    assert "Start with where it hurts" in page_text(app)
    assert dict(app.query_params) == {}


def test_choosing_a_region_explains_it_with_channels_evidence_and_red_flags() -> None:
    app = start()
    app.multiselect(key="region_select").set_value(["lower_back_left"]).run()
    text = page_text(app)
    assert "Lower back (left)" in text
    assert "BL Bladder" in text and "GV Governing Vessel" in text and "KI Kidney" in text
    assert "BL23 Shenshu" in text
    assert "See a doctor instead of, or before, acupuncture" in text
    assert "saddle" in text.lower() and "bladder or bowel" in text.lower()
    assert "NG59" in text or "NICE" in text
    assert app.query_params["regions"] == "lower_back_left"


def test_regions_accumulate_and_clear_empties_them() -> None:
    app = start()
    app.multiselect(key="region_select").set_value(["neck_right", "sacrum"]).run()
    assert app.query_params["regions"] == "neck_right,sacrum"
    assert app.multiselect(key="region_select").value == ["neck_right", "sacrum"]
    next(b for b in app.button if b.label == "Clear").click().run()
    assert app.multiselect(key="region_select").value == []
    assert "regions" not in app.query_params


def test_a_link_restores_regions_channels_and_point() -> None:
    app = start(regions="lower_back_left,sacrum", channels="BL,GV", point="BL23")
    assert app.multiselect(key="region_select").value == ["lower_back_left", "sacrum"]
    assert app.toggle(key="show_BL").value and app.toggle(key="show_GV").value
    assert not app.toggle(key="show_KI").value and not app.toggle(key="show_GB").value
    text = page_text(app)
    assert "BL23 · Shenshu · 肾俞" in text and "Sacrum and tailbone" in text


def test_unknown_values_in_a_link_are_ignored_with_a_notice() -> None:
    app = start(regions="lower_back_left,kneecap", channels="BL,XX", point="BL99")
    assert app.multiselect(key="region_select").value == ["lower_back_left"]
    notice = as_shown(" ".join(i.value for i in app.info))
    assert "region 'kneecap'" in notice and "channel 'XX'" in notice and "point 'BL99'" in notice
    app.run()  # the notice is said once, not on every rerun
    assert not any("kneecap" in as_shown(i.value) for i in app.info)


def test_channel_toggle_hides_it_and_goes_into_the_link() -> None:
    app = start()
    app.toggle(key="show_GB").set_value(False).run()
    assert app.query_params["channels"] == "BL,KI,GV"
    app.toggle(key="show_GB").set_value(True).run()
    assert "channels" not in app.query_params


@pytest.fixture
def broken_data() -> Iterator[str]:
    path = "tests/content_errors/unknown_point_in_region.yaml"
    os.environ["MERIDIAN_MAP_DATA"] = str(ROOT / path)
    yield path
    del os.environ["MERIDIAN_MAP_DATA"]


def test_broken_content_shows_the_problems_in_the_page_not_a_traceback(broken_data: str) -> None:
    app = start()
    assert not app.exception
    assert "content file has problems" in app.error[0].value
    shown = app.code[0].value
    assert shown.endswith(
        "unknown_point_in_region.yaml:256: regions[6].key_points[0]: unknown point 'BL25' (did you mean 'BL52'?)"
    )


def test_pain_down_the_back_of_the_leg_is_named_as_the_bladder_line() -> None:
    app = start(regions="buttock_left,back_of_thigh_left,calf_left")
    text = page_text(app)
    assert "Pain that travels: Buttock → Back of the thigh → Calf follows the Bladder channel." in text
    assert "Gallbladder channel." not in text
    app = start(regions="buttock_right,side_of_thigh_right,side_of_lower_leg_right")
    assert "follows the Gallbladder channel" in page_text(app)


def test_choosing_a_channel_shows_the_regions_it_serves() -> None:
    app = start()
    app.selectbox(key="focus_select").set_value("GB").run()
    assert app.query_params["channel"] == "GB"
    text = page_text(app)
    assert "GB · Gallbladder · 足少阳胆经" in text
    assert "Runs through this area:" in text and "Side of the thigh" in text


def test_pain_profile_explains_traditional_reasoning_not_a_diagnosis() -> None:
    app = start(regions="lower_back_left")
    assert "not a diagnosis" in page_text(app)
    app.pills(key="profile_type").set_value(["heavy"]).run()
    app.pills(key="profile_worsens").set_value(["cold_damp"]).run()
    app.pills(key="profile_eases").set_value(["warmth"]).run()
    ranked = [m.value.split("**")[1] for m in app.markdown if "in traditional reasoning, to" in m.value]
    assert ranked[0] == "Cold-Damp"
    assert "points, in traditional reasoning, to Cold-Damp" in page_text(app)
    assert "See a doctor instead of, or before, acupuncture" in page_text(app)  # the red flags stay visible


def test_the_side_view_keeps_the_selection_and_goes_into_the_link() -> None:
    app = start(regions="lower_back_left,side_of_thigh_right")
    app.segmented_control(key="view_select").set_value("lateral").run()
    assert app.query_params["view"] == "lateral"
    assert app.multiselect(key="region_select").value == ["lower_back_left", "side_of_thigh_right"]
    assert "Side of the thigh (right)" in page_text(app) and "Lower back (left)" in page_text(app)
    app = start(view="lateral", regions="knee_right")
    assert app.segmented_control(key="view_select").value == "lateral"
    assert "Knee, front and side (right)" in page_text(app)


@pytest.mark.parametrize(
    ("query", "code", "view"),
    [("bl 23", "BL23", "posterior"), ("BL-23", "BL23", "posterior"), ("UB23", "BL23", "posterior"),
     ("Shen Shu", "BL23", "posterior"), ("肾俞", "BL23", "posterior"), ("kidney shu", "BL23", "posterior"),
     ("yongquan", "KI1", "anterior"), ("GB 44", "GB44", "lateral")],
)  # fmt: skip
def test_search_by_any_name_jumps_to_the_point_on_its_view(query: str, code: str, view: str) -> None:
    app = start()
    app.text_input(key="search_query").set_value(query).run()
    app.button(key=f"hit_{code}").click().run()
    assert app.query_params["point"] == code
    assert app.query_params.get("view", "posterior") == view
    assert f"{code} · " in page_text(app)


def test_the_take_home_sheet_downloads_as_png_and_pdf() -> None:
    app = start(regions="lower_back_left")
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download PNG", "Download PDF"]
    assert "Take-home sheet" in page_text(app)


def test_patient_mode_tells_the_story_one_step_at_a_time_without_codes() -> None:
    app = start(mode="patient", regions="lower_back_left")
    assert not app.get("segmented_control") or all(c.key != "mode_select" for c in app.segmented_control)
    titles = []
    for step in range(6):
        titles.append(app.main.header[0].value)
        story = as_shown(" ".join(m.value for m in app.markdown))
        assert not re.search(r"\b(BL|KI|GV|GB)\d{1,2}\b", story), story
        assert len(app.main.warning) + len(app.main.error) >= 1  # a warning sign with every step
        if step < 5:
            app.button(key="story_next").click().run()
    assert app.button(key="story_next").disabled
    labels = [b.label for b in app.main.button]
    assert "◀ Previous step" in labels and "Back" not in labels  # no control named like the view's "Back"
    assert titles == [
        "Where your pain is", "The lines that run there", "Why a practitioner works on them",
        "What the research says", "Keeping treatment safe", "When to see a doctor instead",
    ]  # fmt: skip
    assert [b.label for b in app.get("download_button")] == ["Download PNG", "Download PDF"]
    app.button(key="leave_patient").click().run()  # the practitioner's way out, in the sidebar
    assert app.segmented_control(key="mode_select").value == "explore"
    app.segmented_control(key="mode_select").set_value("student").run()
    assert app.query_params["mode"] == "student"
    assert app.multiselect(key="region_select").value == ["lower_back_left"]  # the selection carries over


def _first_question(kind: str) -> tuple[int, Question]:
    """A seed whose round starts with this kind of question, and that question."""
    seed, questions = round_where(open_atlas(), lambda qs: qs[0].kind == kind)
    return seed, questions[0]


def test_student_round_scores_an_answer_once_and_the_seed_is_in_the_link() -> None:
    seed, question = _first_question("name")
    app = start(mode="student", seed=str(seed))
    assert app.query_params["seed"] == str(seed)
    assert any("Score: 0 of 0" in m.value for m in app.markdown)
    (right,) = question.correct
    app.button(key=f"quiz_0_{right}").click().run()
    assert any("Score: 1 of 1" in m.value for m in app.markdown)
    app.run()
    app.multiselect(key="region_select").set_value(["sacrum"]).run()  # later reruns do not count it again
    assert any("Score: 1 of 1" in m.value for m in app.markdown)


def test_a_round_the_link_says_was_under_way_says_its_score_was_lost_and_goes_on() -> None:
    seed, question = _first_question("name")
    fresh = start(mode="student", seed=str(seed))  # a teacher's link: the round has not begun
    assert "was lost" not in page_text(fresh)
    (right,) = question.correct
    fresh.button(key=f"quiz_0_{right}").click().run()
    assert fresh.query_params["answered"] == "1"  # how far the round got goes into the link; the score cannot
    app = start(mode="student", seed=str(seed), answered="3")  # a reload or a restart, three questions in
    text = page_text(app)
    assert "Your score for questions 1–3 was lost when the app restarted or the page was reloaded; " \
        "the questions are the same." in text  # fmt: skip
    assert "Question 4 of 8" in text and "Score: 0 of 0 from question 4 on" in text
    assert app.query_params["answered"] == "3"


def test_the_story_starts_again_when_the_areas_change() -> None:
    app = start(mode="patient", regions="lower_back_left")
    for _ in range(5):
        app.button(key="story_next").click().run()
    assert any("Step 6 of 6" in m.value for m in app.markdown)
    app.multiselect(key="region_select").set_value(["calf_left"]).run()
    assert any("Step 1 of 6" in m.value for m in app.markdown)
    assert app.main.header[0].value == "Where your pain is"


def test_an_answer_stays_on_screen_until_the_student_moves_on() -> None:
    seed, questions = round_where(
        open_atlas(),
        lambda qs: [q.kind for q in qs[:2]] == ["name", "locate"] and qs[0].view != qs[1].view,
    )
    first, second = questions[:2]
    app = start(mode="student", seed=str(seed))
    assert app.segmented_control(key="view_select").value == first.view  # the control shows the view drawn
    wrong = next(option for option in first.options if option not in first.correct)
    app.button(key=f"quiz_0_{wrong}").click().run()
    shown = as_shown(" ".join(w.value for w in app.warning))
    assert f"Question 1: Not quite: the answer was {first.code} (" in shown
    assert f"Find {first.code} by landmark: " in shown  # the miss teaches where it is
    assert any(first.prompt in as_shown(m.value) for m in app.markdown)  # still the answered question, on its view
    assert app.segmented_control(key="view_select").value == first.view
    app.button(key="quiz_next").click().run()
    assert any(second.prompt in as_shown(m.value) for m in app.markdown) and not app.warning
    assert app.segmented_control(key="view_select").value == second.view
    assert app.query_params.get("view", "posterior") == second.view


def test_student_labels_and_landmarks_go_on_the_diagram() -> None:
    # A round whose first question is on the back view and names no point.
    seed, _ = round_where(open_atlas(), lambda qs: qs[0].view == "posterior" and qs[0].kind == "channel")
    app = start(mode="student", seed=str(seed))
    app.radio(key="labels_select").set_value("pinyin").run()
    app.toggle(key="landmarks_toggle").set_value(True).run()
    spec = json.dumps(component_data(app, "body_map")["drawing"]["figure"], ensure_ascii=False)
    assert "Shenshu" in spec and "Iliac<br>crest L4" in spec and "B-cun" in spec


def test_explore_tour_steps_through_a_channel_on_the_right_views() -> None:
    app = start()
    app.selectbox(key="tour_channel").set_value("KI").run()
    app.button(key="tour_next").click().run()
    assert app.query_params["point"] == "KI1" and app.query_params["view"] == "anterior"
    app.button(key="tour_next").click().run()
    assert app.query_params["point"] == "KI2"
    app.button(key="tour_back").click().run()
    assert app.query_params["point"] == "KI1"
    assert any("Point 1 of 27" in c.value for c in app.caption)


def test_a_channel_question_takes_every_channel_that_runs_there() -> None:
    seed, question = _first_question("channel")
    app = start(mode="student", seed=str(seed))
    highlight = component_data(app, "body_map_highlight")["highlight"]
    assert highlight["question"] == question.region  # the region asked about is highlighted
    app.multiselect(key="quiz_0_pick").set_value(sorted(question.correct)).run()
    app.button(key="quiz_0_check").click().run()
    assert any("Score: 1 of 1" in m.value for m in app.markdown)


def test_a_name_question_rings_the_point_without_naming_it() -> None:
    seed, question = _first_question("name")
    app = start(mode="student", seed=str(seed))
    rings = component_data(app, "body_map_highlight")["highlight"]["rings"]
    assert [ring["code"] for ring in rings] == [question.code]
    card = component_data(app, "body_map")["drawing"]["cards"][question.code]
    assert card == {"title": "Which point is this?", "lines": []}
    assert not any(
        s.value.startswith(f"{question.code} · ") for s in [*app.subheader, *app.header]
    )  # no card gives it away


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"regions": "lower_back_left,sacrum"}, "?regions=lower_back_left,sacrum"),
        ({"point": "GB30", "view": "lateral"}, "point=GB30"),
        ({"view": "anterior"}, "?view=anterior"),
    ],
)
def test_explore_gives_a_link_to_share_for_every_view(query: dict[str, str], expected: str) -> None:
    app = start(**query)
    links = [m.value for m in app.markdown if "Link to this view" in m.value]
    assert len(links) == 1 and expected in links[0]
    assert ("view=lateral" in links[0]) == (query.get("view") == "lateral")


def test_a_zoom_in_the_link_reaches_the_diagram_and_stays_in_the_link() -> None:
    app = start(zoom="-10,10,80,120", regions="sacrum")
    assert component_data(app, "body_map_highlight")["highlight"]["zoom"] == [-10.0, 10.0, 80.0, 120.0]
    assert app.query_params["zoom"] == "-10,10,80,120"
    app.segmented_control(key="view_select").set_value("lateral").run()  # another view starts whole
    assert component_data(app, "body_map_highlight")["highlight"]["zoom"] is None
    assert "zoom" not in app.query_params
    broken = start(zoom="1,2,three,4")
    assert "zoom '1,2,three,4'" in as_shown(" ".join(i.value for i in broken.info))
    assert component_data(broken, "body_map_highlight")["highlight"]["zoom"] is None


@pytest.mark.parametrize(
    ("shown", "expected"),
    [([-5.0, 5.0, 90.0, 110.0], "-5,5,90,110"), (None, None), ([-10.0, 10.0, 80.0, 120.0], "-10,10,80,120")],
)
def test_a_zoom_the_page_shows_in_a_new_sessions_first_run_is_kept(
    shown: list[float] | None, expected: str | None
) -> None:
    """After a server restart the open page's first request carries the zoom its diagram shows; the
    link holds the zoom the old session took. A different one is the person's first action: kept
    (zoomed further, or reset); the same one is no action."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(zoom="-10,10,80,120", regions="sacrum")
    app.session_state["body_map"] = {"zoom": {"view": "posterior", "ranges": shown, "seq": 3}}
    app.run()
    assert not app.exception
    assert app.query_params.get("zoom") == expected
    assert component_data(app, "body_map_highlight")["highlight"]["zoom"] == (shown and [float(v) for v in shown])
    assert app.query_params["regions"] == "sacrum"


def test_the_safety_section_is_in_the_panel_once_an_area_is_chosen() -> None:
    safety = open_atlas().atlas.safety
    assert safety is not None
    app = start(regions="lower_back_left")
    assert [e.label for e in app.expander if e.label.startswith("Is acupuncture safe?")]
    assert "pacemaker" not in page_text(app)  # drawn once opened, not on every click
    app.session_state["safety"] = True  # as opening it sets it
    text = page_text(app.run())
    for item in safety.items:
        assert f"{item.title}: {item.text}" in text, item.id
    assert "8.6%" in text and "2.2%" in text and "pacemaker" in text
    assert "Witt CM" in text  # its sources are listed with it


def test_a_pregnancy_point_says_so_on_its_card() -> None:
    app = start(point="BL67", view="lateral")
    warnings = as_shown(" ".join(w.value for w in app.warning))
    assert "Traditionally avoided in pregnancy" in warnings
    assert "Carr DJ" in page_text(app)
    app = start(point="BL23")  # a point with no caution shows none
    assert not any("pregnancy" in w.value for w in app.warning)


def test_the_treatment_room_says_once_that_points_here_are_avoided_in_pregnancy() -> None:
    app = start(mode="patient", regions="sacrum,heel_and_ankle_left")
    for _ in range(4):
        app.button(key="story_next").click().run()
    assert app.main.header[0].value == "Keeping treatment safe"
    story = [m.value for m in app.markdown]
    assert sum("traditionally avoided in pregnancy" in m for m in story) == 1
    app.multiselect(key="region_select").set_value(["knee_left"]).run()  # no pregnancy point among its key points
    for _ in range(4):
        app.button(key="story_next").click().run()
    assert app.main.header[0].value == "Keeping treatment safe"
    assert not any("traditionally avoided in pregnancy" in m.value for m in app.markdown)


def test_labels_turned_on_during_a_naming_question_say_why_they_do_not_show() -> None:
    seed, _ = _first_question("name")
    app = start(mode="student", seed=str(seed))
    app.radio(key="labels_select").set_value("code").run()
    figure = component_data(app, "body_map")["drawing"]["figure"]
    assert not [t for t in figure["data"] if (t.get("name") or "").endswith(" labels")]  # nothing drawn ...
    notes = [c.value for c in app.caption if "hidden during a naming question" in c.value]
    assert notes and all(len(note.splitlines()) == 1 for note in notes)  # ... and one line says why
    app.radio(key="labels_select").set_value(None).run()
    assert not any("hidden during a naming question" in c.value for c in app.caption)


HEAD_POINTS = "GV20,GV21"  # never asked to locate: a review round of them answers without a click


def test_the_review_offers_a_round_of_the_misses_only_and_the_link_holds_it() -> None:
    app = start(mode="student", seed="5", retry=f"{HEAD_POINTS},lower_back")
    questions = app.session_state["_round"]
    assert sorted(q.code or "lower_back" for q in questions) == ["GV20", "GV21", "lower_back"]
    assert any("round 5, of 3 missed" in m.value for m in app.markdown)
    for index, question in enumerate(questions):  # miss the points, get the area right
        if question.kind == "name":
            app.button(key=f"quiz_{index}_{next(o for o in question.options if o != question.code)}").click().run()
        else:
            app.multiselect(key=f"quiz_{index}_pick").set_value(sorted(question.correct)).run()
            app.button(key=f"quiz_{index}_check").click().run()
        app.button(key="quiz_next").click().run()
    assert any("Round finished." in m.value for m in app.markdown)
    app.button(key="quiz_retry").click().run()
    assert app.query_params["retry"] == ",".join(q.code for q in questions if q.kind == "name")
    again = app.session_state["_round"]
    assert sorted(q.code or "" for q in again) == ["GV20", "GV21"]
    # The link gives the same review round to anyone who opens it.
    shared = start(mode="student", seed=app.query_params["seed"], retry=app.query_params["retry"])
    assert shared.session_state["_round"] == again


def test_unknown_subjects_in_a_review_link_are_ignored_with_a_notice() -> None:
    app = start(mode="student", seed="5", retry="GV20,XX99")
    assert "retry 'XX99'" in " ".join(i.value for i in app.info)
    assert [q.code for q in app.session_state["_round"]] == ["GV20"]
    assert app.query_params["retry"] == "GV20"


def test_explore_with_several_areas_says_what_they_share_first_and_each_warning_sign_once() -> None:
    app = start(regions="lower_back_left,sacrum,buttock_left")
    headers = [h.value for h in app.main.header]
    assert headers[:4] == ["What these areas share", "Lower back (left)", "Sacrum and tailbone", "Buttock (left)"]
    text = page_text(app)
    atlas = open_atlas()
    signs = {*atlas.atlas.red_flags_general, *atlas.region_content["lower_back"].layers.red_flags}
    for sign in signs:  # the first few in view, the rest behind one expander: each said once
        assert text.count(sign.replace("**", "")) == 1, sign
    assert [e.label for e in app.main.expander if e.label.startswith("All ")] == [
        "All 19 warning signs for these areas"
    ]


def test_several_areas_draw_an_areas_layers_only_once_its_more_is_opened() -> None:
    """Each area's layers wait behind its "More" (so a click does not build them all); opened, they are
    all there, and only that area's."""
    app = start(regions="lower_back_left,sacrum")
    assert [e.label for e in app.main.expander].count("More: channels, traditional view, anatomy, evidence") == 2
    assert not app.get("tab")
    sacrum = open_atlas().region_content["sacrum"].layers
    assert sacrum.anatomy.split(". ")[0] not in page_text(app)
    app.session_state["more_sacrum"] = True  # as a click on its "More" sets it
    app.run()
    assert [t.label for t in app.get("tab")] == ["Traditional view", "Anatomy", "Questions", "Evidence"]
    text = page_text(app)
    assert sacrum.anatomy.split(". ")[0] in text
    lower_back = open_atlas().region_content["lower_back"].layers
    assert lower_back.anatomy.split(". ")[0] not in text


def test_explore_tells_both_sides_of_an_area_once() -> None:
    app = start(regions="lower_back_left,sacrum,lower_back_right")
    headers = [h.value for h in app.main.header]
    assert headers[:3] == ["What these areas share", "Lower back (both sides)", "Sacrum and tailbone"]
    assert "Lower back (left)" not in headers and "Lower back (right)" not in headers
    text = page_text(app)
    lead = open_atlas().region_content["lower_back"].layers.plain.split(". ")[0]
    assert text.count(lead) == 1  # the card's lead sentence, said once for the two sides


# -- the content file edited while the app runs ----------------------------------------------
def _rename_sacrum(text: str) -> str:
    """The same content with the sacrum's area under another id (and every reference to it)."""
    text = re.sub(r"(?m)^(\s*-? ?(?:id|region): )sacrum$", r"\1sacral_area", text)
    return re.sub(r"(?<=\[)sacrum(?=[,\]])|(?<=[\[,] )sacrum(?=[,\]])", "sacral_area", text)


@pytest.fixture
def live_data(tmp_path: Path) -> Iterator[Callable[[str], None]]:
    """A copy of the content that the app reads, and a way to save an edit of it."""
    path = tmp_path / "meridians.yaml"
    saves = [0]

    def save(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        saves[0] += 1  # a distinct modification time even where the clock is coarse
        os.utime(path, ns=(saves[0] * 1_000_000_000, saves[0] * 1_000_000_000))

    save(DATA.read_text(encoding="utf-8"))
    os.environ["MERIDIAN_MAP_DATA"] = str(path)
    yield save
    del os.environ["MERIDIAN_MAP_DATA"]


def test_a_broken_edit_shows_the_problems_and_a_fixed_one_brings_the_map_back(
    live_data: Callable[[str], None],
) -> None:
    good = DATA.read_text(encoding="utf-8")
    app = start(regions="sacrum")
    assert "Sacrum" in page_text(app)
    live_data(good.replace("- id: sacrum\n", "- id: sacrum\n  colour: red\n", 1))
    app.run()
    assert not app.exception
    assert "content file has problems" in app.error[0].value
    assert "unknown key 'colour'" in app.code[0].value
    live_data(good)
    app.run()
    assert not app.exception and not any("content file has problems" in e.value for e in app.error)
    assert "Sacrum" in page_text(app)
    assert component_data(app, "body_map")["drawing"]


def test_a_region_renamed_while_it_is_chosen_is_dropped_with_the_notice(live_data: Callable[[str], None]) -> None:
    app = start(regions="sacrum,neck_right", point="BL31")
    live_data(_rename_sacrum(DATA.read_text(encoding="utf-8")))
    app.run()
    assert not app.exception
    assert app.multiselect(key="region_select").value == ["neck_right"]
    notice = " ".join(i.value for i in app.info)
    assert "region 'sacrum'" in notice
    assert app.query_params["regions"] == "neck_right"
    app.multiselect(key="region_select").set_value(["neck_right", "sacral_area"]).run()
    assert not app.exception
    assert app.query_params["regions"] == "neck_right,sacral_area"
    app.run()  # said once
    assert not any("sacrum" in i.value for i in app.info)


def test_after_an_edit_the_diagram_handout_and_quiz_show_the_new_content(live_data: Callable[[str], None]) -> None:
    good = DATA.read_text(encoding="utf-8")
    app = start(regions="sacrum")
    assert "Sacrum and tailbone" in json.dumps(component_data(app, "body_map"))
    live_data(good.replace("label: Sacrum and tailbone", "label: Base of the spine"))
    app.run()
    assert not app.exception
    drawing = json.dumps(component_data(app, "body_map"))
    assert "Base of the spine" in drawing and "Sacrum and tailbone" not in drawing
    assert "Base of the spine" in page_text(app)


def test_after_an_edit_the_quiz_asks_from_the_new_content(live_data: Callable[[str], None]) -> None:
    seed, question = _first_question("locate")
    app = start(mode="student", seed=str(seed))
    assert question.prompt in page_text(app)
    atlas = open_atlas(DATA)
    old = atlas.points[question.code].pinyin
    good = DATA.read_text(encoding="utf-8")
    live_data(
        good.replace(f"- code: {question.code}\n  pinyin: {old}\n", f"- code: {question.code}\n  pinyin: Edited\n")
    )
    app.run()
    assert not app.exception
    assert question.prompt.replace(old, "Edited") in page_text(app)
    assert question.prompt not in page_text(app)
