"""End to end: the real server, real clicks in Debian's Chromium.

Where to click is computed from the exported region polygons and converted to
pixels through the plot's own axes, so the tests survive layout changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from meridian_map import ResolvedAtlas
from meridian_map.export import export_atlas
from meridian_map.testing import (
    chart_key,
    chromium,
    click_and_wait,
    click_figure,
    running_app,
    scroll_into_view,
    wait_for_app,
)

from .conftest import round_where

pytestmark = pytest.mark.e2e
VIEWPORT = {"width": 1400, "height": 1300}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    with opened(browser, server) as fresh:
        yield fresh


@contextmanager
def opened(browser: Browser, url: str, **context_options: Any) -> Iterator[Page]:
    """A fresh browser context on one address, with the app drawn."""
    context = browser.new_context(**({"viewport": VIEWPORT} | context_options))
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def exported(atlas: ResolvedAtlas) -> dict[str, Any]:
    return export_atlas(atlas)


def inside(exported: dict[str, Any], region_id: str) -> tuple[float, float]:
    """The centroid of the region's largest exported polygon (convex cells keep it inside)."""
    region = next(r for r in exported["regions"] if r["id"] == region_id and r["view"] == "posterior")
    polygon = max(region["polygons"], key=len)
    xs, ys = zip(*polygon, strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def url_regions(page: Page) -> list[str]:
    values = parse_qs(urlparse(page.url).query).get("regions", [""])[0]
    return [v for v in values.split(",") if v]


def wait_for_regions(page: Page, expected: list[str]) -> None:
    page.wait_for_function(
        "(expected) => (new URLSearchParams(location.search).get('regions') || '') === expected",
        arg=",".join(expected),
        timeout=15_000,
    )
    wait_for_app(page)


def panel(page: Page) -> Any:
    return page.locator(".st-key-explanation")


def test_click_in_lower_back_left_explains_bladder_and_governing_vessel(page: Page, exported: dict[str, Any]) -> None:
    click_and_wait(page, *inside(exported, "lower_back_left"))
    wait_for_regions(page, ["lower_back_left"])
    expect(panel(page)).to_contain_text("Lower back (left)")
    expect(panel(page)).to_contain_text("BL Bladder")
    expect(panel(page)).to_contain_text("GV Governing Vessel")
    expect(panel(page)).to_contain_text("See a doctor instead, or first, if")
    expect(page.get_by_test_id("stMultiSelect")).to_contain_text("Lower back (left)")


def test_clicks_add_regions_and_a_second_click_removes_one(page: Page, exported: dict[str, Any]) -> None:
    click_and_wait(page, *inside(exported, "lower_back_left"))
    wait_for_regions(page, ["lower_back_left"])
    click_and_wait(page, *inside(exported, "sacrum"))
    wait_for_regions(page, ["lower_back_left", "sacrum"])
    click_and_wait(page, *inside(exported, "lower_back_left"))
    wait_for_regions(page, ["sacrum"])
    expect(panel(page)).not_to_contain_text("Lower back (left)")
    page.get_by_role("button", name="Clear", exact=True).click()
    wait_for_regions(page, [])
    expect(panel(page)).to_contain_text("Start with where it hurts")


def test_click_off_the_body_selects_nothing(page: Page, exported: dict[str, Any]) -> None:
    x_range = exported["views"]["posterior"]["x_range"]
    click_figure(page, x_range[0] + 1.0, 100.0)  # beside the hip, outside the silhouette
    click_figure(page, 0.0, 30.0)  # between the calves
    page.wait_for_timeout(1500)
    wait_for_app(page)
    assert url_regions(page) == []
    expect(panel(page)).to_contain_text("Start with where it hurts")


def test_clicking_a_point_shows_its_card_and_lights_its_region(page: Page, atlas: ResolvedAtlas) -> None:
    click_and_wait(page, *atlas.positions["BL23"][1])
    page.wait_for_function("() => location.search.includes('point=BL23')", timeout=15_000)
    wait_for_app(page)
    expect(panel(page)).to_contain_text("BL23 · Shenshu · 肾俞")
    expect(panel(page)).to_contain_text("L2")
    assert url_regions(page) == ["lower_back_right"]


def test_deep_link_restores_the_view_and_back_steps_back(
    browser: Browser, server: str, exported: dict[str, Any]
) -> None:
    with opened(browser, f"{server}/?regions=lower_back_left,sacrum&channels=BL,GV&point=BL23") as page:
        expect(panel(page)).to_contain_text("BL23 · Shenshu")
        expect(panel(page)).to_contain_text("Sacrum and tailbone")
        groups = page.evaluate(
            "() => [...new Set(document.querySelector('.stPlotlyChart .js-plotly-plot').data"
            ".map(t => t.legendgroup).filter(g => g && !g.startsWith('region:')))].sort()"
        )
        assert groups == ["BL", "GV"]
        click_and_wait(page, *inside(exported, "neck_right"))
        wait_for_regions(page, ["lower_back_left", "sacrum", "neck_right"])
        page.go_back()
        wait_for_regions(page, ["lower_back_left", "sacrum"])
        expect(page.get_by_test_id("stMultiSelect")).not_to_contain_text("Neck (right)")
        expect(panel(page)).not_to_contain_text("Neck (right)")


@pytest.mark.parametrize(("view", "count"), [("posterior", 32), ("lateral", 20), ("anterior", 27)])
def test_every_region_answers_a_click_inside_it(
    browser: Browser, server: str, exported: dict[str, Any], view: str, count: int
) -> None:
    with opened(browser, f"{server}/?view={view}") as page:
        chosen: list[str] = []
        for region in (r for r in exported["regions"] if r["view"] == view):
            click_and_wait(page, *region["anchor"])
            chosen.append(region["id"])
            assert url_regions(page) == chosen, f"a click at {region['anchor']} did not select {region['id']}"
        assert len(chosen) == count


def test_switching_to_the_side_view_keeps_the_selection(page: Page, exported: dict[str, Any]) -> None:
    click_and_wait(page, *inside(exported, "side_of_thigh_right"))
    wait_for_regions(page, ["side_of_thigh_right"])
    page.get_by_role("radio", name="Side (right)").click()
    page.wait_for_function("() => location.search.includes('view=lateral')", timeout=15_000)
    wait_for_app(page)
    assert url_regions(page) == ["side_of_thigh_right"]
    expect(panel(page)).to_contain_text("Side of the thigh (right)")
    lateral = next(r for r in exported["regions"] if r["id"] == "knee_right" and r["view"] == "lateral")
    click_and_wait(page, *lateral["anchor"])
    wait_for_regions(page, ["side_of_thigh_right", "knee_right"])


def test_the_take_home_sheet_downloads_as_an_a4_png_and_pdf(browser: Browser, server: str) -> None:
    import re
    from io import BytesIO
    from pathlib import Path

    from PIL import Image

    with opened(browser, f"{server}/?regions=lower_back_left", accept_downloads=True) as page:
        with page.expect_download() as png_download:
            page.get_by_role("button", name="Download PNG").click()
        png = Path(png_download.value.path()).read_bytes()
        assert Image.open(BytesIO(png)).size == (1240, 1754)
        with page.expect_download() as pdf_download:
            page.get_by_role("button", name="Download PDF").click()
        pdf = Path(pdf_download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
        box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert box is not None and round(float(box.group(1))) == 595 and round(float(box.group(2))) == 842


def test_patient_story_steps_forward_in_the_browser(browser: Browser, server: str) -> None:
    with opened(browser, f"{server}/?mode=patient&regions=lower_back_left") as page:
        story = page.locator(".st-key-patient")
        expect(story).to_contain_text("Where your pain is")
        for title in ("The lines that run there", "Why a practitioner works on them", "What the research says",
                      "When to see a doctor instead"):  # fmt: skip
            page.get_by_role("button", name="Next ▶").click()
            expect(story).to_contain_text(title)
        expect(story).to_contain_text("saddle")


def test_a_locate_question_is_scored_in_cun_from_a_real_click(
    browser: Browser, server: str, atlas: ResolvedAtlas, exported: dict[str, Any]
) -> None:

    seed, questions = round_where(atlas, lambda qs: qs[0].kind == "locate")
    question = questions[0]
    with opened(browser, f"{server}/?mode=student&seed={seed}") as page:
        quiz = page.locator(".st-key-quiz")
        expect(quiz).to_contain_text("Score: 0 of 0")
        point = next(p for c in exported["channels"] for p in c["points"] if p["code"] == question.code)
        click_and_wait(page, *point["positions"][question.view][-1])  # the true spot, from the export
        expect(quiz).to_contain_text("Score: 1 of 1")
        expect(quiz).to_contain_text("Right: you clicked 0.")
        expect(quiz).to_contain_text(f"B-cun from {question.code}")


def test_a_tap_on_a_touch_screen_selects_the_area_under_the_finger(
    browser: Browser, server: str, exported: dict[str, Any]
) -> None:
    with opened(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as page:
        for expected in (["lower_back_left"], []):  # a second tap removes the area again
            before = chart_key(page)
            page.touchscreen.tap(*scroll_into_view(page, *inside(exported, "lower_back_left")))
            page.wait_for_function("(before) => !document.querySelector('.' + before)", arg=before, timeout=15_000)
            wait_for_regions(page, expected)
            if expected:
                expect(panel(page)).to_contain_text("Lower back (left)")


@pytest.mark.parametrize("width", [1400, 390])
def test_student_labels_do_not_overlap_as_drawn(
    browser: Browser, server: str, atlas: ResolvedAtlas, width: int
) -> None:
    """Every back-view point labelled in pinyin, measured in the browser's own layout of the text."""
    # A round whose first question hides no point and keeps the back view.
    seed, _ = round_where(atlas, lambda qs: qs[0].kind == "channel" and qs[0].view == "posterior")
    url = f"{server}/?mode=student&labels=pinyin&seed={seed}"
    with opened(browser, url, viewport={"width": width, "height": 1000}) as page:
        boxes: list[dict[str, float]] = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot g.textpoint text')]
                .filter((t) => t.textContent.trim())
                .map((t) => { const r = t.getBoundingClientRect();
                              return {text: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; })"""
        )
    names = sorted(b["text"] for b in boxes)
    assert names == sorted(atlas.points[code].pinyin for code in atlas.positions)  # each point once
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            overlap_x = min(one["r"], other["r"]) - max(one["l"], other["l"])
            overlap_y = min(one["b"], other["b"]) - max(one["t"], other["t"])
            assert overlap_x <= 1 or overlap_y <= 1, (one, other)


def test_search_works_at_phone_width(browser: Browser, server: str) -> None:
    with opened(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as page:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing cut off sideways
        plot_width = page.evaluate("() => document.querySelector('.stPlotlyChart').getBoundingClientRect().width")
        assert 300 <= plot_width <= 390  # the diagram scales to the screen
        page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_label("Find a point").fill("shen shu")
        page.get_by_label("Find a point").press("Enter")
        result = page.get_by_role("button", name="BL23 Shenshu")
        expect(result).to_be_visible()
        assert result.bounding_box()["height"] >= 36  # a finger-sized target  # type: ignore[index]
        result.click()
        page.wait_for_function("() => location.search.includes('point=BL23')", timeout=15_000)
