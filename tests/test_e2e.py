"""End to end: the real server, real clicks, taps and keys in Debian's Chromium.

Where to click is computed from the exported region polygons and point positions and converted to
pixels through the plot's own axes, so the tests survive layout changes.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from meridian_map import ResolvedAtlas
from meridian_map.body import XY
from meridian_map.export import export_atlas
from meridian_map.model import ViewId
from meridian_map.quiz import LOCATE_EXCLUDED_REGIONS, Question, locate_question, score_locate
from meridian_map.regions import region_at
from meridian_map.testing import (
    MAP,
    PLOT,
    ROOT,
    chromium,
    click_and_wait,
    click_figure,
    figure_to_page,
    fingers,
    free_port,
    map_state,
    page_to_figure,
    running_app,
    scroll_into_view,
    tap_and_wait,
    wait_for_app,
)
from meridian_map.ui.page import VIEW_NAMES

from .conftest import round_where

# `make test` deals these out to both test processes (`--dist loadgroup`, no groups: each test is
# handed to whichever process is free, which measured fastest here, 551-583 s against 680 s for
# `load` and `worksteal`); each process starts its own server and Chromium (the module's fixtures),
# and every click waits for a still page, so a busy neighbour costs time, not hits.
pytestmark = [pytest.mark.e2e]
VIEWPORT = {"width": 1400, "height": 1300}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DEVICES = {"desktop": {}, "phone": PHONE}


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


def inside(exported: dict[str, Any], region_id: str, view: str = "posterior", spot: str = "anchor") -> XY:
    """A spot inside the region: its anchor (deep, and clear of point markers), or its deepest spot."""
    region = next(r for r in exported["regions"] if r["id"] == region_id and r["view"] == view)
    return region[spot][0], region[spot][1]


def url_regions(page: Page) -> list[str]:
    values = parse_qs(urlparse(page.url).query).get("regions", [""])[0]
    return [v for v in values.split(",") if v]


def wait_for_regions(page: Page, expected: list[str], timeout: float = 15_000) -> None:
    page.wait_for_function(
        "(expected) => (new URLSearchParams(location.search).get('regions') || '') === expected",
        arg=",".join(expected),
        timeout=timeout,
    )
    wait_for_app(page, timeout)


def panel(page: Page) -> Any:
    return page.locator(".st-key-explanation")


def press(page: Page, device: str, x: float, y: float) -> None:
    (tap_and_wait if device == "phone" else click_and_wait)(page, x, y)


# -- choosing areas ---------------------------------------------------------------------------
def test_click_in_lower_back_left_explains_bladder_and_governing_vessel(page: Page, exported: dict[str, Any]) -> None:
    click_and_wait(page, *inside(exported, "lower_back_left"))
    wait_for_regions(page, ["lower_back_left"])
    expect(panel(page)).to_contain_text("Lower back (left)")
    expect(panel(page)).to_contain_text("BL Bladder")
    expect(panel(page)).to_contain_text("GV Governing Vessel")
    expect(panel(page)).to_contain_text("See a doctor instead of, or before, acupuncture")
    expect(page.get_by_test_id("stMultiSelect")).to_contain_text("Lower back (left)")


@pytest.mark.parametrize("device", DEVICES)
def test_clicks_add_regions_and_a_second_click_removes_one(
    browser: Browser, server: str, exported: dict[str, Any], device: str
) -> None:
    with opened(browser, server, **DEVICES[device]) as page:
        press(page, device, *inside(exported, "lower_back_left"))
        wait_for_regions(page, ["lower_back_left"])
        expect(panel(page)).to_contain_text("Lower back (left)")
        press(page, device, *inside(exported, "sacrum"))
        wait_for_regions(page, ["lower_back_left", "sacrum"])
        press(page, device, *inside(exported, "lower_back_left"))
        wait_for_regions(page, ["sacrum"])
        expect(panel(page)).not_to_contain_text("Lower back (left)")
        assert map_state(page)["regions"] == "sacrum"  # the drawing agrees with the state
        page.get_by_role("button", name="Clear", exact=True).click()
        wait_for_regions(page, [])
        expect(panel(page)).to_contain_text("Start with where it hurts")
        assert map_state(page)["regions"] == ""


def test_click_off_the_body_selects_nothing(page: Page, exported: dict[str, Any]) -> None:
    x_range = exported["views"]["posterior"]["x_range"]
    click_figure(page, x_range[0] + 1.0, 100.0)  # beside the hip, outside the silhouette
    click_figure(page, 0.0, 30.0)  # between the calves
    page.wait_for_timeout(600)
    wait_for_app(page)
    assert url_regions(page) == []
    assert map_state(page).get("sent", "0") == "0"  # nothing was even sent
    expect(panel(page)).to_contain_text("Start with where it hurts")


def test_clicking_a_point_shows_its_card_and_lights_its_region(page: Page, atlas: ResolvedAtlas) -> None:
    click_and_wait(page, *atlas.positions["BL23"][1])
    page.wait_for_function("() => location.search.includes('point=BL23')", timeout=15_000)
    wait_for_app(page)
    expect(panel(page)).to_contain_text("BL23 · Shenshu · 肾俞")
    expect(panel(page)).to_contain_text("L2")
    assert url_regions(page) == ["lower_back_right"]
    assert page.locator(f"{MAP} circle.mm-ring").count() == 2  # both sides of the pair are ringed


def test_hovering_names_the_area_and_a_point(page: Page, atlas: ResolvedAtlas, exported: dict[str, Any]) -> None:
    """And outlines the area under the pointer: no area's border is drawn at rest."""
    outline = page.locator(f"{MAP} path.mm-hover")
    expect(outline).to_have_count(0)
    page.mouse.move(*scroll_into_view(page, *inside(exported, "buttock_left")))
    tip = page.locator(f"{MAP} .mm-tip")
    expect(tip).to_have_text("Buttock (left)")
    expect(outline).to_have_count(1)
    shown = page.evaluate(
        """(map) => { const r = document.querySelector(map + ' path.mm-hover').getBoundingClientRect();
                      return {l: r.left, r: r.right, t: r.top, b: r.bottom}; }""",
        MAP,
    )
    corners = [figure_to_page(page, *xy) for polygon in atlas.region_shapes["buttock_left"].polygons for xy in polygon]
    assert shown["l"] == pytest.approx(min(x for x, _ in corners), abs=3)  # the outline is that area's
    assert shown["b"] == pytest.approx(max(y for _, y in corners), abs=3)
    page.mouse.move(*figure_to_page(page, *atlas.positions["BL23"][0]))
    expect(tip).to_contain_text("BL23  Shenshu  肾俞")
    expect(tip).to_contain_text("Kidney Shu")
    page.mouse.move(5, 5)
    page.mouse.move(*figure_to_page(page, -40.0, 30.0))  # off the body: no card, no outline
    expect(tip).to_be_hidden()
    expect(outline).to_have_count(0)


def border(shown: ResolvedAtlas, start: XY, end: XY) -> tuple[XY, XY]:
    """The spots 0.3 cm either side of the first border crossed going from `start` to `end`."""
    first = region_at(shown.regions, shown.body, start)
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = (lo + hi) / 2
        xy = (start[0] + mid * (end[0] - start[0]), start[1] + mid * (end[1] - start[1]))
        lo, hi = (mid, hi) if region_at(shown.regions, shown.body, xy) == first else (lo, mid)
    length = ((end[0] - start[0]) ** 2 + (end[1] - start[1]) ** 2) ** 0.5
    step = 0.3 / length
    return tuple(  # type: ignore[return-value]
        (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])) for t in (lo - step, lo + step)
    )


BORDERS = {
    # name: (start, end) in figure cm on the back view, and the two regions either side
    "spine in the neck": (
        lambda a: ((-2.0, a.body.levels["C5"]), (2.0, a.body.levels["C5"])),
        "neck_left",
        "neck_right",
    ),
    "spine in the lower back": (
        lambda a: ((-2.0, a.body.levels["L3"] + 1.2), (2.0, a.body.levels["L3"] + 1.2)),
        "lower_back_left",
        "lower_back_right",
    ),
    "mid back and lower back": (
        lambda a: ((-6.0, a.body.levels["T10"]), (-6.0, a.body.levels["L3"])),
        "mid_back_left",
        "lower_back_left",
    ),
    "thigh and knee": (
        lambda a: (a.anchors["back_of_thigh_left"], (a.anchors["back_of_thigh_left"][0], a.body.levels["L3"] - 60)),
        "back_of_thigh_left",
        "back_of_knee_left",
    ),
}  # fmt: skip


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", BORDERS)
def test_clicks_0_3_cm_either_side_of_a_border_select_each_side(
    browser: Browser, server: str, atlas: ResolvedAtlas, name: str, device: str
) -> None:
    segment, first, second = BORDERS[name]
    before, after = border(atlas, *segment(atlas))
    assert region_at(atlas.regions, atlas.body, before).id == first  # type: ignore[union-attr]
    assert region_at(atlas.regions, atlas.body, after).id == second  # type: ignore[union-attr]
    with opened(browser, server, **DEVICES[device]) as page:
        press(page, device, *before)
        wait_for_regions(page, [first])
        press(page, device, *after)
        wait_for_regions(page, [first, second])


ROUND_TRIP_EVERY = 8  # the server's side of a click is one code path; each region's hit-test is in the page


@pytest.mark.parametrize(("view", "count"), [("posterior", 32), ("lateral", 20), ("anterior", 27), ("medial", 9)])
def test_a_click_at_the_deepest_spot_of_every_region_selects_it(
    browser: Browser, server: str, exported: dict[str, Any], view: str, count: int
) -> None:
    """Every region's deepest spot, clicked with the mouse: each is hit-tested to its own region in
    the page, and every eighth one also makes the real round trip (the URL and the map agree)."""
    regions = [r for r in exported["regions"] if r["view"] == view]
    assert len(regions) == count
    with opened(browser, f"{server}/?view={view}") as page:
        chosen: list[str] = []
        for region in regions[::ROUND_TRIP_EVERY]:
            click_and_wait(page, *region["deepest"])
            chosen.append(region["id"])
            assert url_regions(page) == chosen, f"{region['deepest']} did not select {region['id']}"
            assert map_state(page)["regions"] == ",".join(chosen)
    with opened(browser, f"{server}/?view={view}") as page:
        catch_clicks(page)
        for region in regions:
            px, py = scroll_into_view(page, *region["deepest"])
            page.evaluate("() => { window.meridianMap.maps.body_map.lastTap = null; }")  # a new single click
            page.mouse.click(px, py)
        clicks: list[dict[str, Any]] = page.evaluate("() => window.__clicks")
    assert [c["region"] for c in clicks] == [r["id"] for r in regions]


def catch_clicks(page: Page) -> None:
    """From now on the map's clicks are kept in the page instead of sent to the app, so that a
    hundred of them take seconds; the shading still follows each one."""
    page.evaluate("() => { window.__clicks = []; window.meridianMap.maps.body_map.trigger ="
                  " (name, payload) => window.__clicks.push(payload); }")  # fmt: skip


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior", "medial"])
def test_a_tap_at_the_deepest_spot_of_every_region_picks_it_on_a_phone(
    browser: Browser, server: str, exported: dict[str, Any], view: str
) -> None:
    """Taps with a finger at 390 px; the taps the app takes in are tested with real round trips
    above (borders, add and remove)."""
    regions = [r for r in exported["regions"] if r["view"] == view]
    with opened(browser, f"{server}/?view={view}", **PHONE) as page:
        catch_clicks(page)
        for region in regions:
            px, py = scroll_into_view(page, *region["deepest"])
            page.evaluate("() => { window.meridianMap.maps.body_map.lastTap = null; }")  # a new single tap
            page.touchscreen.tap(px, py)
            shaded = map_state(page)["regions"].split(",")
            assert region["id"] in shaded, (region["id"], shaded)
        clicks: list[dict[str, Any]] = page.evaluate("() => window.__clicks")
    assert [c["region"] for c in clicks] == [r["id"] for r in regions]
    assert all(c["view"] == view for c in clicks)


def test_the_highlight_is_drawn_before_the_panel_answers(page: Page, exported: dict[str, Any]) -> None:
    px, py = scroll_into_view(page, *inside(exported, "sacrum"))
    page.evaluate(
        """(map) => {
            window.__seen = {};
            const root = document.querySelector(map + ' [data-testid="stBidiComponentRegular"]');
            new MutationObserver(() => {
                const shaded = root.querySelector('path.mm-selected[data-region="sacrum"]');
                if (shaded) window.__seen.highlight ??= performance.now();
            }).observe(root, {subtree: true, childList: true, attributes: true});
            const poll = () => {
                const text = document.querySelector('.st-key-explanation')?.innerText || '';
                if (text.includes('Sacrum and tailbone')) window.__seen.panel = performance.now();
                else requestAnimationFrame(poll);
            };
            requestAnimationFrame(poll);
        }""",
        MAP,
    )
    page.mouse.click(px, py)
    page.wait_for_function("() => window.__seen.panel", timeout=15_000)
    seen = page.evaluate("() => window.__seen")
    assert seen["highlight"] < seen["panel"], seen
    wait_for_app(page)
    assert map_state(page)["regions"] == "sacrum"


def test_deep_link_restores_the_view_and_back_steps_back(
    browser: Browser, server: str, exported: dict[str, Any]
) -> None:
    with opened(browser, f"{server}/?regions=lower_back_left,sacrum&channels=BL,GV&point=BL23") as page:
        expect(panel(page)).to_contain_text("BL23 · Shenshu")
        expect(panel(page)).to_contain_text("Sacrum and tailbone")
        groups = page.evaluate(
            "(plot) => [...new Set(document.querySelector(plot).data.map(t => t.legendgroup).filter(Boolean))].sort()",
            PLOT,
        )
        assert groups == ["BL", "GV"]
        assert map_state(page)["regions"] == "lower_back_left,sacrum"
        click_and_wait(page, *inside(exported, "neck_right"))
        wait_for_regions(page, ["lower_back_left", "sacrum", "neck_right"])
        page.go_back()
        wait_for_regions(page, ["lower_back_left", "sacrum"])
        expect(page.get_by_test_id("stMultiSelect")).not_to_contain_text("Neck (right)")
        expect(panel(page)).not_to_contain_text("Neck (right)")
        assert map_state(page)["regions"] == "lower_back_left,sacrum"


def test_switching_to_the_side_view_keeps_the_selection(page: Page, exported: dict[str, Any]) -> None:
    click_and_wait(page, *inside(exported, "side_of_thigh_right"))
    wait_for_regions(page, ["side_of_thigh_right"])
    drawn = int(map_state(page)["drawn"])
    page.get_by_role("radio", name="Side (right)").click()
    page.wait_for_function("() => location.search.includes('view=lateral')", timeout=15_000)
    wait_for_app(page)
    page.wait_for_function(
        "([map, drawn]) => +document.querySelector(map + ' [data-testid=\"stBidiComponentRegular\"]')"
        ".dataset.drawn > drawn",
        arg=[MAP, drawn],
    )
    assert url_regions(page) == ["side_of_thigh_right"]
    expect(panel(page)).to_contain_text("Side of the thigh (right)")
    click_and_wait(page, *inside(exported, "knee_right", "lateral"))
    wait_for_regions(page, ["side_of_thigh_right", "knee_right"])


def test_a_click_redraws_nothing_large(page: Page, exported: dict[str, Any]) -> None:
    """The drawing is made once: clicks only restyle it, and the drawing is never sent again."""
    received: list[int] = []
    drawn = map_state(page)["drawn"]
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.on(
        "Network.webSocketFrameReceived",
        lambda event: received.append(len(base64.b64decode(event["response"]["payloadData"]))),  # binary frames
    )
    for region in ("lower_back_left", "sacrum", "lower_back_left", "sacrum"):
        click_and_wait(page, *inside(exported, region))
    assert map_state(page)["drawn"] == drawn  # plotly.js drew the figure once
    assert max(received) < 5_000, max(received)  # no message carries the 86 KB drawing
    # What is left is the panel's own new text; a click used to cost 150 KB (`make bench` has the figures).
    assert sum(received) / 4 < 32 * 1024, sum(received)


# -- zoom, pan and the phone --------------------------------------------------------------------
def zoom_level(page: Page) -> float:
    return float(map_state(page).get("zoom", "1"))


def x_span(page: Page) -> float:
    span: float = page.evaluate("(plot) => { const r = document.querySelector(plot)._fullLayout.xaxis.range;"
                                " return r[1] - r[0]; }", PLOT)  # fmt: skip
    return span


def marker_width(page: Page) -> float:
    width: float = page.evaluate(
        "(plot) => document.querySelector(plot + ' .scatterlayer path.point').getBoundingClientRect().width", PLOT
    )
    return width


def test_zoom_in_and_out_with_buttons_keeps_markers_legible_and_resets(page: Page) -> None:
    full, marker = x_span(page), marker_width(page)
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1.60")
    assert x_span(page) == pytest.approx(full / 1.6, rel=0.01)
    assert marker_width(page) == pytest.approx(marker, abs=0.6)  # markers keep their size, so they spread apart
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "2.56")
    page.get_by_role("button", name="Zoom out").click()
    expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1.60")
    page.get_by_role("button", name="Reset zoom").click()
    expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1")
    assert x_span(page) == pytest.approx(full, rel=0.001)


def test_the_zoom_lives_in_the_link(browser: Browser, server: str) -> None:
    with opened(browser, f"{server}/?regions=sacrum") as page:
        page.get_by_role("button", name="Zoom in").click()
        page.wait_for_function("() => new URLSearchParams(location.search).has('zoom')", timeout=15_000)
        wait_for_app(page)
        zoomed_span, link = x_span(page), page.url
        page.reload()  # the same link restores the same part of the drawing
        wait_for_app(page)
        expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1.60")
        assert x_span(page) == pytest.approx(zoomed_span, abs=0.2)
        assert url_regions(page) == ["sacrum"] and page.url == link
        page.get_by_role("button", name="Reset zoom").click()
        page.wait_for_function("() => !new URLSearchParams(location.search).has('zoom')", timeout=15_000)


def test_a_double_click_zooms_in_on_the_spot_and_a_drag_pans(page: Page, exported: dict[str, Any]) -> None:
    spot = inside(exported, "sacrum")
    px, py = scroll_into_view(page, *spot)
    page.mouse.dblclick(px, py)
    page.wait_for_function(
        "(map) => document.querySelector(map + ' [data-testid=\"stBidiComponentRegular\"]').dataset.zoom === '1.60'",
        arg=MAP,
    )
    assert page_to_figure(page, px, py) == pytest.approx(spot, abs=0.3)  # the spot stays under the pointer
    wait_for_app(page)
    regions_after_double_click = url_regions(page)
    assert regions_after_double_click in (["sacrum"], [])  # its first click chose the area, the second zoomed
    page.mouse.move(px, py)
    page.mouse.down()
    page.mouse.move(px + 60, py + 40, steps=6)
    page.mouse.up()
    page.wait_for_timeout(500)
    moved = page_to_figure(page, px + 60, py + 40)
    assert moved == pytest.approx(spot, abs=0.4)  # the drawing moved with the pointer
    assert url_regions(page) == regions_after_double_click  # a drag chooses nothing


def stage_box(page: Page) -> dict[str, float]:
    box = page.locator(f"{MAP} .mm-stage").bounding_box()
    assert box is not None
    return box


def test_on_a_phone_the_diagram_fits_the_screen_and_a_swipe_scrolls_the_page(browser: Browser, server: str) -> None:
    with opened(browser, server, **PHONE) as page:
        box = stage_box(page)
        assert box["height"] <= 844 and box["width"] <= 390  # the whole body on one screen
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing cut off sideways
        page.locator(f"{MAP} .mm-stage").scroll_into_view_if_needed()
        box = stage_box(page)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        fingers(page, [[(x, y - 20 * i) for i in range(16)]])  # a swipe up, starting on the diagram
        assert stage_box(page)["y"] < box["y"] - 150  # the page moved up under the finger
        assert url_regions(page) == [] and map_state(page).get("sent", "0") == "0"  # and the swipe chose nothing


def test_on_a_phone_a_pinch_zooms_and_then_one_finger_pans(browser: Browser, server: str) -> None:
    with opened(browser, server, **PHONE) as page:
        page.locator(f"{MAP} .mm-stage").scroll_into_view_if_needed()
        box = stage_box(page)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        fingers(page, [[(x - 30 - 3 * i, y) for i in range(11)], [(x + 30 + 3 * i, y) for i in range(11)]])
        assert float(map_state(page)["zoom"]) == pytest.approx(2.0, abs=0.1)  # the fingers spread 60 -> 120 px
        expect(page.locator(f"{MAP} .mm-surface")).to_have_class("mm-surface mm-zoomed")
        top = stage_box(page)["y"]
        before = page_to_figure(page, x, y)
        fingers(page, [[(x, y - 10 * i) for i in range(13)]])  # zoomed in, one finger pans the drawing
        after = page_to_figure(page, x, y)
        assert after[1] < before[1] - 5  # lower parts of the body came under the finger
        assert stage_box(page)["y"] == pytest.approx(top, abs=1)  # and the page stayed where it was
        assert url_regions(page) == []
        page.get_by_role("button", name="Reset zoom").tap()
        expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1")


# -- keyboard -----------------------------------------------------------------------------------
def test_the_keyboard_moves_between_areas_and_chooses_one(page: Page, atlas: ResolvedAtlas) -> None:
    surface = page.get_by_role("listbox", name="Body diagram", exact=False)
    surface.focus()
    page.keyboard.press("ArrowDown")
    first = map_state(page)["active"]
    page.keyboard.press("ArrowDown")
    second = map_state(page)["active"]
    assert first != second
    assert atlas.anchors[second][1] < atlas.anchors[first][1]  # down the body
    option = page.locator(f"#body_map-option-{second}")
    expect(surface).to_have_attribute("aria-activedescendant", f"body_map-option-{second}")
    page.keyboard.press("Enter")
    wait_for_regions(page, [second])
    expect(option).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"{MAP} .mm-live")).to_contain_text(atlas.region_labels[second])
    page.keyboard.press("ArrowRight")
    assert atlas.anchors[map_state(page)["active"]][0] > atlas.anchors[second][0]  # to the right as drawn
    page.keyboard.press(" ")
    wait_for_regions(page, [second, map_state(page)["active"]])
    page.keyboard.press("+")
    expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1.60")


# -- the self-test -------------------------------------------------------------------------------
def test_a_locate_question_is_scored_in_cun_from_a_real_click(
    browser: Browser, server: str, atlas: ResolvedAtlas, exported: dict[str, Any]
) -> None:
    seed, questions = round_where(atlas, lambda qs: qs[0].kind == "locate")
    question = questions[0]
    with opened(browser, f"{server}/?mode=student&seed={seed}") as page:
        quiz = page.locator(".st-key-quiz")
        expect(quiz).to_contain_text("Score: 0 of 0")
        point = next(p for c in exported["channels"] for p in c["points"] if p["code"] == question.code)
        x, y = point["positions"][question.view][-1]  # the true spot, from the export
        click_and_wait(page, x, y)
        expect(quiz).to_contain_text("Score: 1 of 1")
        expect(quiz).to_contain_text(f"Right: you clicked 0.0 B-cun from {question.code}")
        # The answer stays marked where the click fell, beside the ringed true spot.
        expect(page.locator(f"{MAP} path.mm-mark")).to_have_count(1)
        expect(page.locator(f"{MAP} circle.mm-ring")).not_to_have_count(0)


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior", "medial"])
def test_a_click_on_the_true_spot_of_every_locate_point_scores_zero(
    browser: Browser, server: str, atlas: ResolvedAtlas, view: str
) -> None:
    """Every point a locate round can ask on this view: the click is read where it fell (the clicks
    are caught in the page rather than sent, so that 100-odd of them take seconds)."""
    shown = atlas.on(view)  # type: ignore[arg-type]
    askable = [code for code in shown.positions if atlas.points[code].region not in LOCATE_EXCLUDED_REGIONS]
    assert len(askable) > 10
    with opened(browser, f"{server}/?view={view}") as page:
        catch_clicks(page)
        for code in askable:
            px, py = scroll_into_view(page, *shown.positions[code][-1])
            page.evaluate("() => { window.meridianMap.maps.body_map.lastTap = null; }")  # a new single click
            page.mouse.click(px, py)
        clicks: list[dict[str, float]] = page.evaluate("() => window.__clicks")
    assert len(clicks) == len(askable)
    for code, click in zip(askable, clicks, strict=True):
        result = score_locate(atlas, locate_question(atlas, view, code), (click["x"], click["y"]))  # type: ignore[arg-type]
        assert round(result.distance_cun, 1) == 0.0, (code, view, result.distance_cun)


# -- the rest of the page ------------------------------------------------------------------------
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
                      "Keeping treatment safe", "When to see a doctor instead"):  # fmt: skip
            page.get_by_role("button", name="Next step ▶").click()
            expect(story).to_contain_text(title)
        expect(story).to_contain_text("saddle")
        shown = page.evaluate(
            "(plot) => [...document.querySelectorAll(plot + ' path.point')].filter(p => p.style.display !== 'none')"
            ".length",
            PLOT,
        )
        assert 0 < shown < 40  # calm: only the key points of the chosen area
        expect(page.locator('[aria-label="Mode"]')).to_have_count(0)  # no mode switch for the patient
        expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
        page.get_by_test_id("stExpandSidebarButton").click()  # the practitioner's tools are folded away
        page.get_by_role("button", name="Leave the treatment room").click()  # and their way out is there
        expect(page.locator('[aria-label="Mode"]')).to_have_count(1)


@pytest.mark.parametrize("size", ["desktop", "phone", "zoom200"])
def test_student_labels_do_not_overlap_as_drawn(browser: Browser, server: str, atlas: ResolvedAtlas, size: str) -> None:
    """Every back-view point labelled in pinyin, measured in the browser's own layout of the text: at
    1400 px, at 390 px, and at 200 % zoom, where the diagram keeps its height (the page scrolls)
    rather than squeeze the labels into the window."""
    # A round whose first question hides no point and keeps the back view.
    seed, _ = round_where(atlas, lambda qs: qs[0].kind == "channel" and qs[0].view == "posterior")
    url = f"{server}/?mode=student&labels=pinyin&seed={seed}"
    with opened(browser, url, **SIZES[size]) as page:
        if size == "zoom200":  # the diagram stacks above the panel, whole width, at its own height
            shape = page.evaluate(
                "(plot) => { const gd = document.querySelector(plot);"
                " return [gd.getBoundingClientRect().width, gd._fullLayout.height, gd.layout.meta.labelled]; }",
                PLOT,
            )
            assert shape[0] >= 600 and shape[1] >= 800 and shape[2] is True, shape
        boxes: list[dict[str, float]] = page.evaluate(
            """(plot) => [...document.querySelectorAll(plot + ' g.textpoint text')]
                .filter((t) => t.textContent.trim())
                .map((t) => { const r = t.getBoundingClientRect();
                              return {text: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; })""",
            PLOT,
        )
    names = sorted(b["text"] for b in boxes)
    assert names == sorted(atlas.points[code].pinyin for code in atlas.positions)  # each point once
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            overlap_x = min(one["r"], other["r"]) - max(one["l"], other["l"])
            overlap_y = min(one["b"], other["b"]) - max(one["t"], other["t"])
            assert overlap_x <= 1 or overlap_y <= 1, (one, other)


HEADER = """(plot) => [0, 1].map((i) => {
    const text = document.querySelector(`${plot} g.annotation[data-index="${i}"] text.annotation-text`);
    const r = text.getBoundingClientRect();
    return {text: text.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
})"""


@pytest.mark.parametrize("width", [1400, 900, 390])
def test_the_header_words_stay_apart_as_drawn(browser: Browser, server: str, width: int) -> None:
    """Which edge is which ("Back · patient's right side" ... "Front"), measured in Chromium's layout:
    the two never touch. At 900 px the sidebar leaves the plot under 200 px wide, where the long words
    would run together: the header takes its short ones there."""
    phone = PHONE if width < 500 else {"viewport": {"width": width, "height": 1000}}
    with opened(browser, f"{server}/?view=lateral", **phone) as page:
        for view in ("lateral", "medial", "posterior"):
            if view != "lateral":
                page.goto(f"{server}/?view={view}")
                wait_for_app(page)
            left, right = page.evaluate(HEADER, PLOT)
            assert left["text"] and right["text"], view
            assert right["l"] - left["r"] >= 10, (view, width, left, right)
            area, words = page.evaluate(
                """([plot, map]) => [document.querySelector(plot)._fullLayout._size.w,
                    document.querySelector(map + ' [data-testid="stBidiComponentRegular"]').dataset.header]""",
                [PLOT, MAP],
            )
            assert words == ("long" if area >= 300 else "narrow"), (view, width, area)  # long words where they fit
            assert ("·" in left["text"]) == (words == "long" and view != "posterior"), (view, left)


# A desktop window at 200 % browser zoom: half the CSS pixels, each drawn twice as large.
ZOOMED_200: dict[str, Any] = {"viewport": {"width": 700, "height": 500}, "device_scale_factor": 2}
SIZES: dict[str, dict[str, Any]] = {"desktop": {}, "phone": PHONE, "zoom200": ZOOMED_200}

DRAWN_LABELS = """(plot) => {
    const gd = document.querySelector(plot);
    const size = gd._fullLayout._size, box = gd.getBoundingClientRect();
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const page = (x, y) => [box.left + size.l + xa.l2p(x), box.top + size.t + ya.l2p(y)];
    const traces = [...gd.querySelectorAll('.scatterlayer > g.trace')];
    const named = (name) => traces.filter((g) => g.__data__?.[0]?.trace?.name === name);
    const rect = (t) => { const r = t.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
    const texts = (g) => [...g.querySelectorAll('g.textpoint text')].filter((t) => t.textContent.trim());
    const labels = traces.filter((g) => (g.__data__[0].trace.name || '').endsWith(' labels'))
        .flatMap((g) => texts(g).map((t) => ({text: t.textContent, ...rect(t)})));
    const ruler = named('spine ruler').flatMap((g) => texts(g).map(rect));
    const leader = named('label lines')[0].__data__.map((d) => page(d.x, d.y));
    const levels = named('spine ruler')[0].__data__.map((d) => d.y);
    const [left, top] = page(-0.7, Math.max(...levels));
    const [right, bottom] = page(0.7, Math.min(...levels));
    const [l, t] = [box.left + size.l, box.top + size.t];
    return {area: {l, r: l + size.w, t, b: t + size.h}, labels, ruler, leader,
            spine: {l: left, r: right, t: top, b: bottom}};
}"""


def _polylines(drawn: list[list[float | None]]) -> list[list[list[float]]]:
    """A lines trace's polylines in page pixels, split where its gaps are (a gap's x and y come from
    the browser as NaN)."""
    lines: list[list[list[float]]] = [[]]
    for x, y in drawn:
        if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
            lines.append([])
        else:
            lines[-1].append([float(x), float(y)])
    return [line for line in lines if len(line) > 1]


def _through(a: list[float], b: list[float], box: dict[str, float]) -> bool:
    """Whether the segment a-b passes through the box, sampled every pixel or so."""
    (ax, ay), (bx, by) = a, b
    steps = max(2, int(abs(bx - ax) + abs(by - ay)))
    return any(
        box["l"] < ax + (bx - ax) * k / steps < box["r"] and box["t"] < ay + (by - ay) * k / steps < box["b"]
        for k in range(steps + 1)
    )


@pytest.mark.parametrize(
    ("size", "labels", "regions"),
    [
        ("desktop", "pinyin", ""),
        ("phone", "pinyin", ""),
        ("zoom200", "pinyin", ""),
        ("phone", "code", "lower_back_left"),
        ("zoom200", "hanzi", "lower_back_left,sacrum"),
    ],
)
def test_labels_are_never_cut_off_and_no_leader_line_crosses_the_spine_ruler(
    browser: Browser, server: str, atlas: ResolvedAtlas, size: str, labels: str, regions: str
) -> None:
    """At 390 px and at 200 % zoom, with the spine ruler on: every label wholly inside the plot, and
    no leader line over the ruler's level names or across the spine, in the browser's own layout;
    also with every point labelled, where the head's labels are more than the rows above the ruler."""
    seed, _ = round_where(atlas, lambda qs: qs[0].kind == "channel" and qs[0].view == "posterior")
    url = f"{server}/?mode=student&labels={labels}&landmarks=1&seed={seed}" + (f"&regions={regions}" if regions else "")
    with opened(browser, url, **SIZES[size]) as page:
        page.locator(MAP).scroll_into_view_if_needed()
        drawn: dict[str, Any] = page.evaluate(DRAWN_LABELS, PLOT)
    area = drawn["area"]
    assert drawn["labels"] and len(drawn["ruler"]) >= 17
    for label in drawn["labels"]:
        inside = area["l"] - 0.5 <= label["l"] and label["r"] <= area["r"] + 0.5
        assert inside and area["t"] - 0.5 <= label["t"] and label["b"] <= area["b"] + 0.5, (label, area)
    lines = _polylines(drawn["leader"])
    assert len(lines) == len(drawn["labels"])  # one leader per label
    segments = [(a, b) for line in lines for a, b in itertools.pairwise(line)]
    spine = drawn["spine"]
    for a, b in segments:
        assert not any(_through(a, b, box) for box in drawn["ruler"]), (a, b)
        assert not (min(a[0], b[0]) < spine["l"] and max(a[0], b[0]) > spine["r"] and _through(a, b, spine)), (a, b)


def test_search_works_at_phone_width(browser: Browser, server: str) -> None:
    with opened(browser, server, **PHONE) as page:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing cut off sideways
        plot_width = page.evaluate(f"() => document.querySelector('{PLOT}').getBoundingClientRect().width")
        assert 300 <= plot_width <= 390  # the diagram scales to the screen
        page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_label("Find a point").fill("shen shu")
        page.get_by_label("Find a point").press("Enter")
        result = page.get_by_role("button", name="BL23 Shenshu")
        expect(result).to_be_visible()
        assert result.bounding_box()["height"] >= 36  # a finger-sized target  # type: ignore[index]
        result.click()
        page.wait_for_function("() => location.search.includes('point=BL23')", timeout=15_000)


# -- accessibility -------------------------------------------------------------------------------
AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"  # make test installs it


def axe_violations(page: Page, selector: str) -> list[dict[str, Any]]:
    """axe-core's violations inside one element, with their impact, read from the settled page: no
    run under way and no element still fading back in from one (a fading button reads as low contrast)."""
    wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-stale]')]"
        ".every((e) => e.dataset.stale === 'false' && getComputedStyle(e).opacity === '1')"
    )
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async (selector) => (await axe.run(document.querySelector(selector), {resultTypes: ['violations']}))
            .violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' '))}))""",
        selector,
    )
    return found


@pytest.mark.parametrize("device", DEVICES)
def test_the_diagram_has_no_serious_accessibility_violation(
    browser: Browser, server: str, exported: dict[str, Any], device: str
) -> None:
    with opened(browser, f"{server}/?regions=lower_back_left&point=BL23", **DEVICES[device]) as page:
        page.get_by_role("listbox", name="Body diagram", exact=False).focus()
        page.keyboard.press("ArrowDown")
        page.get_by_role("button", name="Zoom in").click()
        serious = [v for v in axe_violations(page, MAP) if v["impact"] in ("serious", "critical")]
        assert serious == []


PAGES = {
    "explore": "", "explore-chosen": "?regions=lower_back_left,sacrum,buttock_left&point=BL23",
    "patient": "?mode=patient", "patient-chosen": "?mode=patient&regions=lower_back_left,sacrum",
    "student": "?mode=student&seed=3", "student-chosen": "?mode=student&seed=3&labels=code&regions=lower_back_left",
}  # fmt: skip


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("state", PAGES)
def test_every_mode_has_no_serious_accessibility_violation_on_the_whole_page(
    browser: Browser, server: str, device: str, state: str
) -> None:
    """The whole page, as each audience sees it: contrast, heading order, names (axe-core)."""
    with opened(browser, f"{server}/{PAGES[state]}", **DEVICES[device]) as page:
        found = axe_violations(page, "body")
        serious = [(v["id"], v["nodes"][:3]) for v in found if v["impact"] in ("serious", "critical")]
        assert serious == []
        headings = page.evaluate(
            "() => [...document.querySelectorAll('h1, h2, h3, h4')].filter((h) => h.offsetParent)"
            ".map((h) => Number(h.tagName[1]))"
        )
        assert all(b - a <= 1 for a, b in itertools.pairwise(headings)), headings  # no level skipped


def test_both_sides_of_the_lower_back_and_the_sacrum_fit_two_desktop_screens(browser: Browser, server: str) -> None:
    """Explore says each thing once: the three areas' panel, the sheet, the link and the warning signs
    take at most two screens of a 1400 x 1000 desktop (the page scrolls in Streamlit's main block)."""
    query = "?regions=lower_back_left,lower_back_right,sacrum"
    with opened(browser, f"{server}/{query}", viewport={"width": 1400, "height": 1000}) as page:
        expect(panel(page)).to_contain_text("Lower back (both sides)")
        height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        assert height <= 2 * 1000, height


def test_an_areas_more_opens_its_layers_by_keyboard(browser: Browser, server: str, atlas: ResolvedAtlas) -> None:
    """Several areas: an area's layers are drawn when its "More" opens (a rerun); the keyboard opens it."""
    with opened(browser, f"{server}/?regions=lower_back_left,sacrum") as page:
        card = page.locator(".st-key-region_sacrum")
        expect(card.get_by_role("tab")).to_have_count(0)
        card.locator("summary", has_text="More: channels, traditional view, anatomy, evidence").focus()
        page.keyboard.press("Enter")
        wait_for_app(page)
        expect(card.get_by_role("tab")).to_have_text(["Traditional view", "Anatomy", "Questions", "Evidence"])
        card.get_by_role("tab", name="Anatomy").click()
        expect(card.get_by_role("tabpanel")).to_contain_text(atlas.region_content["sacrum"].layers.anatomy[:40])
        expect(page.locator(".st-key-region_lower_back_left").get_by_role("tab")).to_have_count(0)


def test_quick_clicks_on_several_areas_all_count(page: Page, exported: dict[str, Any]) -> None:
    """Clicks that come while the app is still answering are merged by Streamlit; none is lost."""
    regions = ["upper_back_left", "mid_back_right", "sacrum", "buttock_left", "lower_back_right"]
    for region in regions:
        px, py = scroll_into_view(page, *inside(exported, region))
        page.mouse.click(px, py)
        page.wait_for_timeout(60)
    wait_for_app(page)
    page.wait_for_timeout(300)
    wait_for_app(page)
    assert sorted(url_regions(page)) == sorted(regions)
    assert sorted(map_state(page)["regions"].split(",")) == sorted(regions)


def test_another_view_starts_whole_and_so_does_the_way_back(page: Page) -> None:
    page.get_by_role("button", name="Zoom in").click()
    page.wait_for_function("() => new URLSearchParams(location.search).has('zoom')", timeout=15_000)
    for view in ("Side (right)", "Back"):
        page.get_by_role("radio", name=view).click()
        wait_for_app(page)
        # The new view's drawing resets the zoom when it is drawn, which on a busy machine can come
        # a moment after the run that sent it.
        expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1")
        assert "zoom=" not in page.url


def test_a_zoom_survives_a_resize_of_the_window(browser: Browser, server: str, exported: dict[str, Any]) -> None:
    with opened(browser, server, viewport={"width": 900, "height": 900}) as page:
        full = x_span(page)
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.wait_for_timeout(600)
        wide = page.evaluate("(plot) => document.querySelector(plot)._fullLayout.yaxis.range", PLOT)
        assert wide[1] - wide[0] < 190  # the body fills the height again: no empty band left from the narrow shape
        page.get_by_role("button", name="Zoom in").click()
        page.wait_for_function("() => new URLSearchParams(location.search).has('zoom')", timeout=15_000)
        wait_for_app(page)
        centre = page.evaluate(
            "(plot) => { const r = document.querySelector(plot)._fullLayout.yaxis.range; return (r[0] + r[1]) / 2; }",
            PLOT,
        )
        page.set_viewport_size({"width": 1200, "height": 900})
        page.wait_for_timeout(600)
        after = page.evaluate("(plot) => document.querySelector(plot)._fullLayout.yaxis.range", PLOT)
        assert (after[0] + after[1]) / 2 == pytest.approx(centre, abs=1.0)  # still zoomed on the same spot
        assert after[1] - after[0] < (wide[1] - wide[0]) / 1.3
        assert full > 0
        click_and_wait(page, *inside(exported, "sacrum"))
        wait_for_regions(page, ["sacrum"])


# -- hostile content and hostile links (issue 11) -------------------------------------------
@contextmanager
def logged_app(tmp_path: Any, env: dict[str, str] | None = None) -> Iterator[tuple[str, Any]]:
    """The real server as `running_app` starts it, its output kept in a file the test reads."""
    import os
    import subprocess
    import sys

    from meridian_map.testing import free_port, wait_until_healthy

    port, log = free_port(), tmp_path / "server.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
        f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none", "--server.runOnSave=false", "--client.toolbarMode=minimal",
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, text=True
        )
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", process, 60)
            yield f"http://127.0.0.1:{port}", log
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_hostile_content_makes_no_outside_request_and_runs_no_script(browser: Browser, tmp_path: Any) -> None:
    from .test_urls import hostile_content

    data = tmp_path / "meridians.yaml"
    hostile_content(data)
    with logged_app(tmp_path, {"MERIDIAN_MAP_DATA": str(data)}) as (server, _log):
        context = browser.new_context(viewport=VIEWPORT)
        requests: list[str] = []
        dialogs: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        chosen = "regions=lower_back_left,sacrum&point=BL23&channel=BL"
        for query in (chosen, f"mode=patient&{chosen}", f"mode=student&seed=3&labels=pinyin&landmarks=1&{chosen}"):
            page.goto(f"{server}/?{query}")
            wait_for_app(page, timeout=120_000)
            if "patient" not in query:  # the sections drawn once opened, the pain profile's questions, search results
                for section in ("More: channels", "Is acupuncture safe?"):
                    for summary in page.locator("summary", has_text=section).all():
                        summary.click()
                        wait_for_app(page, timeout=120_000)
                page.get_by_text("Describe the pain").first.click()
                page.get_by_label("Find a point").fill("shenshu")
                page.keyboard.press("Enter")
                wait_for_app(page, timeout=120_000)
            page.mouse.wheel(0, 3000)
            page.wait_for_timeout(500)
            assert page.locator('[data-testid="stException"]').count() == 0
            # Plotly draws <a href> from its text: none from data, and no image or script from data anywhere.
            assert page.locator(f"{PLOT} a[href]").count() == 0
            assert page.locator("main img[src^='http'], main a[href^='javascript']").count() == 0
            assert "«F" in page.locator(PLOT).first.inner_text() or "patient" in query  # data did reach the plot
            text = page.locator("main").inner_text()
            assert "leak.test" in text and "«F" in text  # shown, as text
        context.close()
    outside = [u for u in requests if not u.startswith((server, "data:", "blob:"))]
    assert outside == [] and dialogs == []


NASTY_LINKS = [
    "/?regions=" + "a," * 50_000,
    "/?mode=student&seed=" + "9" * 4301,
    "/?mode=student&seed=%C2%B2",
    "/?regions=%3Cscript%3Ealert(1)%3C/script%3E,sacrum&point=%00%1B&zoom=nan,inf,1e309,1&view=%E2%80%AE",
    "/?regions=sacrum,sacrum&channels=&channels=BL&=x&labels=" + "%F0%9F%98%80" * 500,
]


def test_nasty_links_show_the_page_and_leave_the_server_log_clean(browser: Browser, tmp_path: Any) -> None:
    with logged_app(tmp_path) as (server, log):
        for path in NASTY_LINKS:
            with opened(browser, server + path) as page:
                assert page.locator('[data-testid="stException"]').count() == 0
                assert page.locator('[data-testid="stAlertContentInfo"]').count() <= 1
                assert "Ignored from the link" in page.locator("main").inner_text() or "sacrum" in page.url
        written = log.read_text()
    assert "Traceback" not in written and "Error" not in written and "Exception" not in written, written


DETAIL_SPACING = """(plot) => {
    const gd = document.querySelector(plot), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const spots = gd.data.filter((t) => (t.name || "").endsWith("(detail)") && t.mode === "markers")
        .flatMap((t) => t.x.map((x, i) => [t.customdata[i], xa.l2p(x), ya.l2p(t.y[i])]));
    let closest = Infinity;
    for (const [i, a] of spots.entries())
        for (const b of spots.slice(i + 1)) closest = Math.min(closest, Math.hypot(a[1] - b[1], a[2] - b[2]));
    return {count: spots.length, closest};
}"""


@pytest.mark.parametrize(("view", "device", "tapped"), [
    ("lateral", "desktop", "GB9"), ("lateral", "phone", "GB8"),
    ("anterior", "desktop", "BL5"), ("anterior", "phone", "BL4"),
])  # fmt: skip
def test_the_head_detail_separates_every_head_point_and_its_markers_are_points(
    browser: Browser, server: str, atlas: ResolvedAtlas, view: ViewId, device: str, tapped: str
) -> None:
    """As laid out in the browser: every head point's marker in the side or front view's detail a
    marker's width (9 px) from every other, on a desktop as drawn and on a phone after one zoom
    step; tapping one in the detail (the closest pair's) chooses that point, as on the body."""
    from meridian_map.detail import head_detail
    from meridian_map.figure import POINT_SIZE

    with opened(browser, f"{server}/?view={view}", **DEVICES[device]) as page:
        if device == "phone":
            page.get_by_role("button", name="Zoom in").click()
            expect(page.locator(f"{MAP} [data-testid='stBidiComponentRegular']")).to_have_attribute("data-zoom", "1.60")
        spacing = page.evaluate(DETAIL_SPACING, PLOT)
        expected = 20 if view == "lateral" else 19  # the front: GV28 is drawn at GV27's marker
        assert spacing["count"] == expected and spacing["closest"] >= POINT_SIZE, spacing
        if device == "phone":
            page.get_by_role("button", name="Reset zoom").click()
        on_view = atlas.on(view)
        detail = head_detail(on_view.body)
        assert detail is not None
        spot = next(xy for xy in on_view.positions[tapped] if detail.shows(xy))
        press = click_and_wait if device == "desktop" else tap_and_wait
        press(page, *detail.to_detail(spot))
        page.wait_for_function(f"() => location.search.includes('point={tapped}')", timeout=15_000)


# -- nothing lost: a reload and a server restart mid-session ------------------------------------
def area_list(page: Page) -> Any:
    return page.get_by_test_id("stMultiSelect").filter(has_text="Where does it hurt?")


def choose_area(page: Page, label: str) -> None:
    """Type an area's full name in the area list and press Enter, as a person would."""
    area_list(page).locator("input").click()
    page.keyboard.type(label)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # and close the list, as a person moving on would


def chips(page: Page) -> list[str]:
    tags = area_list(page).locator("[data-tag]").all()
    return [tag.get_attribute("aria-label") or "" for tag in tags]


def expect_chips(page: Page, areas: list[str]) -> None:
    """The area list shows these areas, in this order (waiting, as its chips are drawn after the page)."""
    expect(area_list(page).locator("[data-tag]")).to_have_count(len(areas))
    assert chips(page) == areas


def mid_round(atlas: ResolvedAtlas) -> tuple[int, tuple[Question, ...]]:
    """A round that opens with a naming question (answered with a button) and goes on off the back view."""
    return round_where(atlas, lambda qs: qs[0].kind == "name" and qs[1].view != "posterior")


def answer_the_first_question(page: Page, question: Question) -> None:
    (right,) = question.correct
    page.locator(f".st-key-quiz_0_{right} button").click()
    expect(page.locator(".st-key-quiz")).to_contain_text("Score: 1 of 1")
    page.locator(".st-key-quiz_next button").click()
    expect(page.locator(".st-key-quiz")).to_contain_text("Question 2 of")
    wait_for_app(page)


def expect_restored(page: Page, seed: int, view: str, areas: list[str]) -> None:
    """The page shows what its link says: the areas, the view, student mode and the round."""
    expect_chips(page, areas)
    expect(page.get_by_role("radio", name="Student")).to_be_checked()
    expect(page.get_by_role("radio", name=VIEW_NAMES[view], exact=True)).to_be_checked()
    expect(page.locator(".st-key-quiz")).to_contain_text(f"round {seed}")
    expect(page.locator(".st-key-quiz")).to_contain_text("Question 2 of")
    expect(page.locator(".st-key-quiz")).to_contain_text("Your score for question 1 was lost")


def test_a_full_area_name_and_enter_add_that_one_area(page: Page) -> None:
    choose_area(page, "Arm (left)")  # also found, fuzzily, in "Front of the waist and belly (from the side) (left)"
    wait_for_regions(page, ["arm_left"])
    choose_area(page, "Lower back (left)")
    wait_for_regions(page, ["arm_left", "lower_back_left"])
    expect_chips(page, ["Arm (left)", "Lower back (left)"])


def test_a_reload_mid_round_restores_areas_view_mode_and_seed(
    browser: Browser, server: str, atlas: ResolvedAtlas
) -> None:
    seed, questions = mid_round(atlas)
    with opened(browser, f"{server}/?mode=student&seed={seed}&regions=sacrum") as page:
        answer_the_first_question(page, questions[0])
        link = page.url
        page.reload()
        wait_for_app(page)
        assert page.url == link
        expect_restored(page, seed, questions[1].view, ["Sacrum and tailbone"])


def test_after_a_server_restart_the_page_keeps_its_state_and_the_next_action(
    browser: Browser, atlas: ResolvedAtlas
) -> None:
    seed, questions = mid_round(atlas)
    port = free_port()  # the same address after the restart, as behind a proxy
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        with running_app(port=port) as url:
            page.goto(f"{url}/?mode=student&seed={seed}&regions=sacrum")
            wait_for_app(page)
            answer_the_first_question(page, questions[0])
            link = page.url
        page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                               ".dataset.testConnectionState !== 'CONNECTED'")  # fmt: skip
        with running_app(port=port):
            page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                                   ".dataset.testConnectionState === 'CONNECTED'", timeout=30_000)  # fmt: skip
            assert page.url == link
            choose_area(page, "Neck (right)")  # the first action after the restart: it used to be dropped
            wait_for_regions(page, ["sacrum", "neck_right"], timeout=60_000)  # a new server's first run is slow
            after = parse_qs(urlparse(page.url).query)
            assert after | {"regions": ["sacrum"]} == parse_qs(urlparse(link).query)
            expect_restored(page, seed, questions[1].view, ["Sacrum and tailbone", "Neck (right)"])
    finally:
        context.close()
