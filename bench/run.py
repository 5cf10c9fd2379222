"""Speed figures for Meridian Map: printed as a table and saved to bench/results/latest.json.

A report, not a test: nothing here asserts a threshold. See bench/README.md for what each figure means.
`--runs N` repeats the whole measurement N times and adds the run-to-run spread of the medians.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Error, Page, Response, ViewportSize, WebSocket
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.testing.v1 import AppTest

from meridian_map import ResolvedAtlas, open_atlas
from meridian_map.explain import area_names
from meridian_map.export import export_atlas
from meridian_map.figure import KEY_POINT_SIZE, POINT_SIZE
from meridian_map.testing import (
    MAP,
    PLOT,
    ROOT,
    chromium,
    figure_to_page,
    map_state,
    running_app,
    scroll_into_view,
    wait_for_app,
)
from meridian_map.ui.serve import PLOTLY_ROUTE

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"
BARE_SCRIPT = BENCH / "bare_button.py"
APP_SCRIPT = ROOT / "app.py"
PAGE_SCRIPT = ROOT / "src" / "meridian_map" / "ui" / "streamlit_app.py"  # what AppTest runs
VIEWPORT: ViewportSize = {"width": 1400, "height": 1300}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CLICKS = 20
RERUNS = 20
COLD_STARTS = 3
SETTLE_MS = 300  # after each click is ready: late frames (query string, script finished) count for that click
HOVER_MS = 60  # the mouse rests on the spot this long before pressing (desktop only; no hover on a touch screen)
TIMEOUT_MS = 30_000
REGIONS = ("lower_back_left", "sacrum")  # clicked in turn: A on, B on, A off, B off, ...
VIEW = "posterior"  # the view the page opens on, where those regions are drawn
# A point marker takes presses this far past its drawn edge (as HIT_SLOP_PX in ui/assets/body_map.js).
HIT_SLOP_PX = {"mouse": 2.0, "touch": 6.0}
SPOT_MARGIN_PX = 2.0  # a press spot is at least this far inside its region and outside every marker's target
SPOT_STEP_CM = 0.25  # the grid the spots are chosen from
CLICK_TIMEOUT_MS = 10_000  # a click that has not settled by then went wrong
PRESS_GAP_MS = 450  # presses at least this far apart: the map takes two at one spot within 400 ms as a double click
CPU_SAMPLE_S = 0.5  # how often the run reads every process's CPU time
BUSY_SHARE = 0.1  # above this share of the CPUs used by other processes, the table says the timings are inflated
MAP_ROOT = f'{MAP} [data-testid="stBidiComponentRegular"]'  # the element whose dataset the component writes

# Installed in every document before Streamlit's own scripts. In the page's performance.now() time base:
# - __benchClickAt: the first pointerdown, mousedown or touchstart since the clock was reset (e.timeStamp, the
#   input event's time). pointerdown, because the map cancels a mouse's pointerdown (no text selection while
#   panning), which stops the browser from sending the mousedown; a tap's late compatibility mousedown is ignored;
# - __bench.requestAt: the first websocket message the page sent after it (the rerun request);
# - __bench.received: when the page began handling each websocket message it received after it;
# - __bench.changeAt / paintAt / changeTo / ackAt: set by WATCH_MAP_JS below.
CLICK_CLOCK_JS = """
window.__benchClickAt = null;
window.__bench = {
    requestAt: null, received: [], changeAt: null, paintAt: null, changeTo: null, ackAt: null, root: null,
};
const benchPress = (e) => { if (window.__benchClickAt === null) window.__benchClickAt = e.timeStamp; };
window.addEventListener('pointerdown', benchPress, true);
window.addEventListener('mousedown', benchPress, true);
window.addEventListener('touchstart', benchPress, true);
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
        super(...args);
        this.addEventListener('message', () => {  // added before Streamlit's own handler, so it runs first
            const bench = window.__bench;
            if (window.__benchClickAt !== null && bench.received.length < 1000) bench.received.push(performance.now());
        });
    }
    send(data) {
        const bench = window.__bench;
        if (window.__benchClickAt !== null && bench.requestAt === null) bench.requestAt = performance.now();
        return super.send(data);
    }
};
"""
RESET_CLOCK_JS = """
() => {
    window.__benchClickAt = null;
    Object.assign(window.__bench, {
        requestAt: null, received: [], changeAt: null, paintAt: null, changeTo: null, ackAt: null,
    });
}
"""
READ_CLOCK_JS = """
() => {
    const b = window.__bench;
    const before = b.ackAt === null ? [] : b.received.filter((t) => t <= b.ackAt);
    return {
        clickAt: window.__benchClickAt, requestAt: b.requestAt, changeAt: b.changeAt, paintAt: b.paintAt,
        changeTo: b.changeTo, ackAt: b.ackAt, connected: Boolean(b.root && b.root.isConnected),
        answerAt: before.length ? Math.max(...before) : null, received: b.received,
        firstBackAt: b.requestAt === null ? null : b.received.find((t) => t >= b.requestAt) ?? null,
    };
}
"""
# Watches the drawn map (once it is on the page): the first change after a click of what it shows, the areas
# in its data-regions or the set of shaded path.mm-selected, and the frame after that change (the one that
# paints it: performance.now() in the next requestAnimationFrame callback). Also when data-ack moved.
WATCH_MAP_JS = """
(selector) => {
    const bench = window.__bench;
    const root = document.querySelector(selector);
    const shown = () => {
        const paths = [...root.querySelectorAll('path.mm-selected')].map((p) => p.getAttribute('data-region') || '?');
        return (root.dataset.regions || '') + '|' + paths.sort().join(',');
    };
    bench.root = root;
    let last = shown();
    let lastAck = root.dataset.ack || '0';
    new MutationObserver(() => {
        const now = performance.now();
        const clicked = window.__benchClickAt !== null;
        const ack = root.dataset.ack || '0';
        if (ack !== lastAck) {
            lastAck = ack;
            if (clicked && bench.ackAt === null) bench.ackAt = now;
        }
        const current = shown();
        if (current === last) return;
        last = current;
        if (!clicked || bench.changeAt !== null) return;
        bench.changeAt = now;
        bench.changeTo = current;
        requestAnimationFrame(() => { bench.paintAt = performance.now(); });
    }).observe(root, {
        attributes: true, attributeFilter: ['data-regions', 'data-ack'], childList: true, subtree: true,
    });
}
"""
# The diagram is drawn: plotly.js has drawn it at least once. Returns performance.now() (time since navigation).
DRAWN_JS = """
([selector, plot]) => {
    const root = document.querySelector(selector);
    const drawn = root && Number(root.dataset.drawn || 0) >= 1 && document.querySelector(plot)?._fullLayout;
    return Boolean(drawn) && performance.now();
}
"""
# The panel shows the new selection, Streamlit is not running, and the map has Python's answer to its last click.
PANEL_READY_JS = """
([selector, present, absent]) => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && /Running|Stop/.test(status.innerText)) return false;
    const root = document.querySelector(selector);
    if (!root || (root.dataset.ack || '0') !== (root.dataset.sent || '0')) return false;
    const panel = document.querySelector('.st-key-explanation');
    if (!panel) return false;
    const text = panel.innerText;
    if (!present.every((t) => text.includes(t)) || absent.some((t) => text.includes(t))) return false;
    return performance.now();
}
"""
BARE_READY_JS = """
(expected) => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && /Running|Stop/.test(status.innerText)) return false;
    const counter = document.querySelector('.st-key-counter');
    return Boolean(counter && counter.innerText.trim() === expected) && performance.now();
}
"""
# How plotly.js reached the page, from the page's own Resource Timing (transferSize 0: the browser cache).
PLOTLY_FETCH_JS = """
(route) => performance.getEntriesByType('resource').filter((e) => e.name.includes(route)).map((e) => ({
    transferSize: e.transferSize, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize,
}))
"""


# -- numbers -------------------------------------------------------------------------------
def summary(values: list[float]) -> dict[str, float | None]:
    """Median, p90 (inclusive interpolation), min and max; None for each when nothing was measured."""
    if not values:
        return {"median": None, "p90": None, "min": None, "max": None, "n": 0}
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    return {
        "median": statistics.median(values),
        "p90": p90,
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def measured(values: list[float | None]) -> dict[str, float | None]:
    """Summary of the values that were measured (None: not seen for that click)."""
    return summary([v for v in values if v is not None])


def timed(action: Callable[[], object]) -> float:
    """Milliseconds one call takes, by time.perf_counter."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


# -- traffic -------------------------------------------------------------------------------
@dataclass
class Frame:
    sent: bool
    size: int


@dataclass
class Traffic:
    """HTTP responses and websocket frames seen by one page, logged as they arrive."""

    responses: list[Response] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("response", self._on_response)
        page.on("websocket", self._on_websocket)

    def _on_response(self, response: Response) -> None:
        self.responses.append(response)  # Playwright wants a Python function, not list.append

    def _on_websocket(self, websocket: WebSocket) -> None:
        websocket.on("framereceived", partial(self._frame, sent=False))
        websocket.on("framesent", partial(self._frame, sent=True))

    def _frame(self, payload: str | bytes, sent: bool) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        self.frames.append(Frame(sent, size))

    def received(self, since: int = 0, until: int | None = None) -> int:
        return sum(f.size for f in self.frames[since:until] if not f.sent)

    def sent(self, since: int = 0, until: int | None = None) -> int:
        return sum(f.size for f in self.frames[since:until] if f.sent)


def http_bytes(responses: list[Response]) -> dict[str, Any]:
    """Bytes on the wire (headers + bodies as sent; 0 for an answer from the browser cache), decoded body
    bytes, and the wire bytes of plotly.js alone."""
    wire = decoded = plotly = 0
    for response in responses:
        sizes = response.request.sizes()
        on_wire = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        wire += on_wire
        if PLOTLY_ROUTE in response.url:
            plotly += on_wire
        with suppress(Error):  # redirects and bodiless answers have no body to read
            decoded += len(response.body())
    return {"requests": len(responses), "wire_bytes": wire, "decoded_body_bytes": decoded, "plotly_wire_bytes": plotly}


# -- browser helpers -----------------------------------------------------------------------
@contextmanager
def browser_context(browser: Browser, **context_options: Any) -> Iterator[BrowserContext]:
    """A new context (empty cache) with the click clock installed in every page."""
    context = browser.new_context(**({"viewport": VIEWPORT} | context_options))
    context.add_init_script(CLICK_CLOCK_JS)
    try:
        yield context
    finally:
        context.close()


def tracked_page(context: BrowserContext) -> tuple[Page, Traffic]:
    page = context.new_page()
    traffic = Traffic()
    traffic.attach(page)
    return page, traffic


def wait_ready(page: Page, expression: str, arg: Any = None, timeout: float = TIMEOUT_MS) -> float:
    """Wait (polling every animation frame) until `expression` returns a time; return that time."""
    handle = page.wait_for_function(expression, arg=arg, polling="raf", timeout=timeout)
    return float(handle.json_value())


def drawn_count(page: Page) -> int:
    return int(map_state(page).get("drawn") or 0)


@dataclass
class Click:
    panel_ms: float  # in page: press (pointerdown) -> readiness first held (app: panel; bare: counter)
    highlight_ms: float | None  # in page: press -> the frame after the map first changed what it shows
    predicted_ms: float | None  # in page: press -> that change (the DOM mutation, before the frame)
    request_ms: float | None  # in page: press -> the first websocket message the page sent
    first_back_ms: float | None  # in page: press -> the first websocket message handled after the request
    answer_ms: float | None  # in page: press -> the last websocket message handled before Python's answer
    ack_ms: float | None  # in page: press -> the map's data-ack took the new value (Python's answer arrived)
    first_change_right: bool | None  # the first change showed the selection the click should give
    wall_ms: float  # Python perf_counter around the press and the wait (scroll and hover included)
    ws_received: int  # websocket bytes received from the press until just before the next one
    ws_sent: int
    ws_messages: int  # websocket messages received from the press until just before the next one
    received_ms: list[float]  # in page: press -> each websocket message handled, until the readiness held


@dataclass(frozen=True)
class Spot:
    x: float  # figure units (cm)
    y: float


@dataclass(frozen=True)
class Targets:
    """What one page clicks: the regions in turn, where, and what the explanation panel calls them."""

    regions: tuple[str, ...]
    spots: dict[str, Spot]
    labels: dict[str, str]
    margins_px: dict[str, float]  # how far each spot is from its region's edge and every marker's target
    notes: tuple[str, ...] = ()


class Presser:
    """Presses one spot after another, never two within PRESS_GAP_MS (the map would make a double click,
    a zoom, of two presses at one spot)."""

    def __init__(self, page: Page, touch: bool) -> None:
        self.page = page
        self.touch = touch
        self.last = -math.inf

    def space(self) -> None:
        elapsed_ms = (time.perf_counter() - self.last) * 1000
        if elapsed_ms < PRESS_GAP_MS:
            self.page.wait_for_timeout(PRESS_GAP_MS - elapsed_ms)

    def press(self, px: float, py: float) -> None:
        """At page pixels: a finger tap, or the mouse moved there, rested HOVER_MS and clicked."""
        if self.touch:
            self.page.touchscreen.tap(px, py)
        else:
            self.page.mouse.move(px, py)
            self.page.wait_for_timeout(HOVER_MS)
            self.page.mouse.click(px, py)
        self.last = time.perf_counter()

    def press_figure(self, spot: Spot) -> None:
        self.press(*scroll_into_view(self.page, spot.x, spot.y))

    def press_button(self, name: str) -> None:
        box = self.page.get_by_role("button", name=name).bounding_box()
        if box is None:
            raise RuntimeError(f"the button {name!r} is not visible")
        self.press(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def measure_click(
    page: Page, traffic: Traffic, presser: Presser, do_press: Callable[[], None], wait: Callable[[], float],
    expected: str | None = None,
) -> Click:  # fmt: skip
    """One press and its wait; `expected` is the map's data-regions the click should give (the app only)."""
    presser.space()
    page.evaluate(RESET_CLOCK_JS)
    since = len(traffic.frames)
    start = time.perf_counter()
    do_press()
    ready_at = wait()
    wall_ms = (time.perf_counter() - start) * 1000
    clock = page.evaluate(READ_CLOCK_JS)
    page.wait_for_timeout(SETTLE_MS)
    until = len(traffic.frames)
    if clock["clickAt"] is None:
        raise RuntimeError("the page saw no pointerdown, mousedown or touchstart: the click clock is not installed")
    clicked = float(clock["clickAt"])

    def since_click(key: str) -> float | None:
        return None if clock[key] is None else float(clock[key]) - clicked

    right = None
    if expected is not None:
        if not clock["connected"]:
            raise RuntimeError("the map's element left the page during the clicks: the component was remounted")
        shown = map_state(page).get("regions", "")
        if sorted(shown.split(",")) != sorted(expected.split(",")):
            raise RuntimeError(f"after the click the map shows {shown!r}, not {expected!r}")
        right = clock["changeTo"] is not None and sorted(clock["changeTo"].split("|")[0].split(",")) == sorted(
            expected.split(",")
        )
    return Click(
        panel_ms=ready_at - clicked,
        highlight_ms=since_click("paintAt"),
        predicted_ms=since_click("changeAt"),
        request_ms=since_click("requestAt"),
        first_back_ms=since_click("firstBackAt"),
        answer_ms=since_click("answerAt"),
        ack_ms=since_click("ackAt"),
        first_change_right=right,
        wall_ms=wall_ms,
        ws_received=traffic.received(since, until),
        ws_sent=traffic.sent(since, until),
        ws_messages=sum(not f.sent for f in traffic.frames[since:until]),
        received_ms=[round(float(t) - clicked, 1) for t in clock["received"]],
    )


# -- the click spots -----------------------------------------------------------------------
@dataclass(frozen=True)
class Geometry:
    """The view's areas and point markers, from the exported atlas (figure units, cm)."""

    regions: dict[str, dict[str, Any]]
    markers: list[tuple[str, float, float]]  # point code, x, y


def view_geometry() -> Geometry:
    """From the exported atlas (which also checks, before anything starts, that the content loads)."""
    exported = export_atlas(open_atlas())
    regions = {r["id"]: r for r in exported["regions"] if r.get("view", VIEW) == VIEW}
    if missing := sorted(set(REGIONS) - set(regions)):
        raise RuntimeError(f"the {VIEW} view has no region {missing}")
    markers = [
        (str(point["code"]), float(x), float(y))
        for channel in exported["channels"]
        for point in channel["points"]
        for x, y in point["positions"].get(VIEW, [])
    ]
    return Geometry(regions, markers)


def _inside(x: float, y: float, polygon: list[list[float]]) -> bool:
    inside = False
    for (xi, yi), (xj, yj) in zip(polygon, polygon[-1:] + polygon[:-1], strict=True):
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
    return inside


def _to_edge(x: float, y: float, polygon: list[list[float]]) -> float:
    best = math.inf
    for (ax, ay), (bx, by) in zip(polygon, polygon[-1:] + polygon[:-1], strict=True):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy or 1.0)))
        best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


def best_spot(geometry: Geometry, rid: str, scale: float, slop: float, key: set[str]) -> tuple[float, Spot]:
    """The spot of region `rid` farthest (in page pixels, at `scale` px per cm) from its edge and from every
    marker's press target (the marker's radius plus `slop`, key points drawn larger); and that distance."""
    region = geometry.regions[rid]
    corners = [corner for polygon in region["polygons"] for corner in polygon]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    reach = (KEY_POINT_SIZE / 2 + slop) / scale + max(max(xs) - min(xs), max(ys) - min(ys))
    near = [
        (x, y, (KEY_POINT_SIZE if code in key else POINT_SIZE) / 2 + slop)
        for code, x, y in geometry.markers
        if min(xs) - reach <= x <= max(xs) + reach and min(ys) - reach <= y <= max(ys) + reach
    ]
    best = (-math.inf, Spot(*region["anchor"]))
    for i in range(round((max(xs) - min(xs)) / SPOT_STEP_CM) + 1):
        for j in range(round((max(ys) - min(ys)) / SPOT_STEP_CM) + 1):
            x, y = min(xs) + i * SPOT_STEP_CM, min(ys) + j * SPOT_STEP_CM
            margin = min(_to_edge(x, y, p) for p in region["polygons"]) * scale
            margin = min([margin, *(math.hypot(x - mx, y - my) * scale - radius for mx, my, radius in near)])
            if margin <= best[0] or not any(_inside(x, y, p) for p in region["polygons"]):
                continue
            others = (r for other, r in geometry.regions.items() if other != rid)
            if not any(_inside(x, y, p) for r in others for p in r["polygons"]):
                best = (margin, Spot(round(x, 3), round(y, 3)))
    return best


def choose_targets(page: Page, geometry: Geometry, touch: bool) -> Targets:
    """Where this page (at its own scale, with its pointer) presses each region of REGIONS.

    The map takes a press within a point marker's target as a press on the point, which opens the point and
    never takes the area away: so each region is pressed where it is farthest from every marker, counting
    the chosen regions' points drawn larger (as they are once chosen). A region with no spot SPOT_MARGIN_PX
    clear is replaced, for this page only, by the nearest region of the view that has one (and a note)."""
    scale = abs(figure_to_page(page, 1, 0)[0] - figure_to_page(page, 0, 0)[0])  # px per cm, as on this page
    slop = HIT_SLOP_PX["touch" if touch else "mouse"]
    device = "phone" if touch else "desktop"

    def spot(rid: str, pair: set[str]) -> tuple[float, Spot]:
        key = {str(code) for r in pair | {rid} for code in geometry.regions[r]["points"]}
        return best_spot(geometry, rid, scale, slop, key)

    used: list[str] = []
    spots, margins, notes = {}, {}, []
    for rid in REGIONS:
        margin, where = spot(rid, set(REGIONS))
        chosen = rid
        if margin < SPOT_MARGIN_PX:
            ax, ay = geometry.regions[rid]["anchor"]
            nearest = sorted(
                (r for r in geometry.regions if r not in REGIONS and r not in used),
                key=lambda r: math.dist((ax, ay), geometry.regions[r]["anchor"]),
            )
            for other in nearest:
                other_margin, other_where = spot(other, set(REGIONS) | {other})
                if other_margin >= SPOT_MARGIN_PX:
                    notes.append(
                        f"NOTE ({device}): {rid} has no spot {SPOT_MARGIN_PX:.0f} px clear of the point markers' "
                        f"{'touch' if touch else 'click'} targets once chosen (best {margin:.1f} px at "
                        f"{scale:.2f} px/cm), so a press there opens a point and cannot take the area away; "
                        f"this page presses {other} instead."
                    )
                    chosen, margin, where = other, other_margin, other_where
                    break
            else:
                raise RuntimeError(f"{device}: no region near {rid} can be pressed clear of the point markers")
        used.append(chosen)
        spots[chosen], margins[chosen] = where, round(margin, 1)
    labels = {rid: str(geometry.regions[rid]["label"]) for rid in used}
    return Targets(tuple(used), spots, labels, margins, tuple(notes))


# -- the app in Chromium -------------------------------------------------------------------
@cache
def bench_atlas() -> ResolvedAtlas:
    """The content, loaded once for the benches' own checks."""
    return open_atlas()


def click_app(page: Page, traffic: Traffic, targets: Targets, touch: bool) -> list[Click]:
    """CLICKS presses on the map, A on, B on, A off, B off, ..., each after the last one is complete."""
    page.evaluate(WATCH_MAP_JS, MAP_ROOT)
    presser = Presser(page, touch)
    regions = targets.regions
    selected: set[str] = set()
    results = []
    for index in range(CLICKS):
        region = regions[index % len(regions)]
        selected ^= {region}
        present = area_names(bench_atlas(), [r for r in regions if r in selected])  # both sides of an area: one card
        absent = [targets.labels[r] for r in regions if r not in selected]
        wait = partial(wait_ready, page, PANEL_READY_JS, [MAP_ROOT, present, absent], CLICK_TIMEOUT_MS)
        do_press = partial(presser.press_figure, targets.spots[region])
        try:
            click = measure_click(page, traffic, presser, do_press, wait, ",".join(sorted(selected)))
        except PlaywrightTimeout as error:
            panel = page.locator(".st-key-explanation").inner_text()[:120].replace("\n", " / ")
            raise RuntimeError(
                f"press {index + 1} on {region} at {targets.spots[region]}, expecting {sorted(selected)}, did not "
                f"settle within {CLICK_TIMEOUT_MS} ms: map {map_state(page)}; panel starts {panel!r}"
            ) from error
        results.append(click)
    return results


def load(page: Page, traffic: Traffic, url: str, ready: str, arg: Any) -> dict[str, Any]:
    """Open the page and time (in page, from navigation start) until `ready` holds; let late frames arrive;
    count what came in."""
    start = time.perf_counter()
    page.goto(url)
    ready_ms = wait_ready(page, ready, arg)
    wall_ms = (time.perf_counter() - start) * 1000
    page.wait_for_timeout(SETTLE_MS)
    return {
        "ready_ms": ready_ms,
        "wall_ms": wall_ms,
        "http": http_bytes(list(traffic.responses)),
        "ws_received_bytes": traffic.received(),
        "ws_frames_received": sum(not f.sent for f in traffic.frames),
        "ws_sent_bytes": traffic.sent(),
    }


def load_app(page: Page, traffic: Traffic, url: str) -> dict[str, Any]:
    loaded = load(page, traffic, url, DRAWN_JS, [MAP_ROOT, PLOT])
    wait_for_app(page, TIMEOUT_MS)  # then everything settled before the first click
    loaded["plotly_fetch"] = page.evaluate(PLOTLY_FETCH_JS, PLOTLY_ROUTE)
    return loaded


def bench_app(browser: Browser, geometry: Geometry, touch: bool = False) -> dict[str, Any]:
    """Page load (empty cache), the clicks, then a second load in the same context (warm cache)."""
    options = PHONE if touch else {}
    with running_app(APP_SCRIPT) as url, browser_context(browser, **options) as context:
        page, traffic = tracked_page(context)
        page_load = load_app(page, traffic, url)
        targets = choose_targets(page, geometry, touch)
        responses_before, drawn_before = len(traffic.responses), drawn_count(page)
        clicks = click_app(page, traffic, targets, touch)
        during = traffic.responses[responses_before:]
        http_during_clicks = http_bytes(during) | {"urls": [r.url.removeprefix(url) for r in during]}
        draws_during_clicks = drawn_count(page) - drawn_before
        page.close()
        warm_page, warm_traffic = tracked_page(context)
        warm_load = None if touch else load_app(warm_page, warm_traffic, url)
    return {
        "targets": targets,
        "page_load": page_load,
        "warm_load": warm_load,
        "clicks": clicks,
        "http_during_clicks": http_during_clicks,
        "plotly_draws_during_clicks": draws_during_clicks,
    }


# -- the bare page -------------------------------------------------------------------------
def bench_bare(browser: Browser, touch: bool = False) -> dict[str, Any]:
    options = PHONE if touch else {}
    with running_app(BARE_SCRIPT) as url, browser_context(browser, **options) as context:
        page, traffic = tracked_page(context)
        page_load = load(page, traffic, url, BARE_READY_JS, "Clicks: 0")
        presser = Presser(page, touch)
        clicks = []
        for n in range(1, CLICKS + 1):
            wait = partial(wait_ready, page, BARE_READY_JS, f"Clicks: {n}")
            clicks.append(measure_click(page, traffic, presser, partial(presser.press_button, "Add one"), wait))
    return {"page_load": page_load, "clicks": clicks}


# -- cold start -------------------------------------------------------------------------
def cold_start(browser: Browser) -> dict[str, float]:
    """Seconds from starting `streamlit run` until /_stcore/health answers, and until the diagram is drawn
    in a fresh browser context (empty cache) opened right after the health check."""
    start = time.perf_counter()
    with running_app(APP_SCRIPT) as url:
        healthy = time.perf_counter() - start
        with browser_context(browser) as context:
            page = context.new_page()
            page.goto(url)
            wait_ready(page, DRAWN_JS, [MAP_ROOT, PLOT])
            drawn = time.perf_counter() - start
    return {"health_s": healthy, "drawn_s": drawn}


# -- server time per rerun, through AppTest ---------------------------------------------
def started_app_test(script: Path) -> AppTest:
    """AppTest of `script`, run once (which fills the caches)."""
    # from_file warns "missing ScriptRunContext" from the main thread: harmless noise. Set again
    # before each start, since Streamlit's own logger set-up can put the level back.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    return AppTest.from_file(str(script), default_timeout=60).run()


def time_selection_reruns(app: AppTest) -> list[float]:
    """Milliseconds per .run() after setting the region picker: on, on, off, off, ... as the clicks do."""
    if app.exception or not any(m.key == "region_select" for m in app.multiselect):
        shown = [e.value for e in app.exception] + [e.value for e in app.error] + [c.value for c in app.code]
        raise RuntimeError(f"the page did not draw its region picker under AppTest: {shown}")
    selected: list[str] = []
    times = []
    for index in range(RERUNS):
        region = REGIONS[index % len(REGIONS)]
        selected = [r for r in selected if r != region] if region in selected else [*selected, region]
        times.append(timed(app.multiselect(key="region_select").set_value(list(selected)).run))
    return times


def bench_reruns() -> dict[str, list[float]]:
    app = started_app_test(PAGE_SCRIPT)
    changed = time_selection_reruns(app)
    unchanged = [timed(app.run) for _ in range(RERUNS)]
    bare = started_app_test(BARE_SCRIPT)
    bare_clicks = [timed(bare.button(key="add").click().run) for _ in range(RERUNS)]
    return {"changed_ms": changed, "unchanged_ms": unchanged, "bare_click_ms": bare_clicks}


# -- machine load ---------------------------------------------------------------------------
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[tuple[int, int], tuple[int, float]]:
    """(pid, start time in ticks since boot) -> (parent pid, CPU seconds used so far), for each running
    process; {} without /proc."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, ...
        except OSError:  # the process ended meanwhile
            continue
        found[(int(stat.parent.name), int(fields[19]))] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


class OthersCpu:
    """CPU time used during a run by processes other than this one and its descendants (its servers, the
    browser): /proc read every CPU_SAMPLE_S by a background thread, so a process that starts and ends between
    two readings is missed, and one that lost its parent before it was first seen counts as someone else's."""

    def __init__(self) -> None:
        self.base: dict[tuple[int, int], float] = {}
        self.last: dict[tuple[int, int], float] = {}
        self.ours: set[tuple[int, int]] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="others-cpu", daemon=True)
        self.started = time.perf_counter()
        uptime = Path("/proc/uptime").read_text().split()[0] if Path("/proc/uptime").exists() else "0"
        self.started_ticks = float(uptime) * TICKS

    def __enter__(self) -> OthersCpu:
        self._sample()
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()
        self._sample()

    def _watch(self) -> None:
        while not self.stop.wait(CPU_SAMPLE_S):
            self._sample()

    def _sample(self) -> None:
        processes = _processes()
        parents = {pid: parent for (pid, _), (parent, _) in processes.items()}
        for key, (_, cpu) in processes.items():
            if key not in self.last:
                self.base[key] = 0.0 if key[1] >= self.started_ticks else cpu  # started during the run: all of it
                if self._descends(key[0], parents):
                    self.ours.add(key)
            self.last[key] = cpu

    @staticmethod
    def _descends(pid: int, parents: dict[int, int]) -> bool:
        me = os.getpid()
        while pid > 1:
            if pid == me:
                return True
            pid = parents.get(pid, 0)
        return False

    def share(self) -> float:
        """Share of all CPUs the other processes used, from entering until leaving."""
        used = sum(cpu - self.base[key] for key, cpu in self.last.items() if key not in self.ours)
        return used / ((time.perf_counter() - self.started) * (os.cpu_count() or 1))


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat; (0, 0) without it."""
    path = Path("/proc/stat")
    if not path.exists():
        return 0, 0
    values = [int(v) for v in path.read_text().splitlines()[0].split()[1:9]]  # user nice system idle iowait ...
    return sum(values) - values[3] - values[4], sum(values)


def machine_load(sample_s: float = 1.0) -> dict[str, float]:
    """The 1-minute load average, and the share of the CPUs busy over `sample_s` seconds, taken while this
    script runs nothing else (so it is other processes' share)."""
    busy, total = _cpu_ticks()
    time.sleep(sample_s)
    busy_after, total_after = _cpu_ticks()
    share = (busy_after - busy) / (total_after - total) if total_after > total else 0.0
    return {"loadavg_1min": round(os.getloadavg()[0], 2), "others_cpu_share": round(share, 3)}


# -- one whole measurement ---------------------------------------------------------------------
def step(name: str) -> None:
    print(f"... {name}", file=sys.stderr, flush=True)


def measure(geometry: Geometry, run: int, runs: int) -> dict[str, Any]:
    at_start = machine_load()  # other tests or browsers running make every timing slower
    started = time.perf_counter()
    tag = f"run {run}/{runs}: " if runs > 1 else ""
    with OthersCpu() as others:
        with chromium() as browser:
            cold = []
            for attempt in range(1, COLD_STARTS + 1):
                step(f"{tag}cold start {attempt}/{COLD_STARTS}")
                cold.append(cold_start(browser))
            step(f"{tag}app: page load, {CLICKS} clicks, second page load")
            app = bench_app(browser, geometry)
            step(f"{tag}bare page: page load and {CLICKS} clicks")
            bare = bench_bare(browser)
            step(f"{tag}phone: app page load and {CLICKS} taps at 390 px")
            phone = bench_app(browser, geometry, touch=True)
            step(f"{tag}phone: bare page and {CLICKS} taps")
            phone_bare = bench_bare(browser, touch=True)
            browser_version = browser.version
        step(f"{tag}server reruns through AppTest ({RERUNS} each)")
        reruns = bench_reruns()
    seconds = time.perf_counter() - started
    results = build_results(browser_version, app, bare, phone, phone_bare, cold, reruns)
    results["meta"] |= {
        "bench_seconds": round(seconds, 1),
        "cpu_share_used_by_others": round(others.share(), 3),
        "load_at_start": at_start,
        "load_at_end": machine_load(),
    }
    return results


# -- results ---------------------------------------------------------------------------------
def ratio(app: dict[str, float | None], bare: dict[str, float | None], key: str) -> float | None:
    above, below = app[key], bare[key]
    return above / below if above is not None and below else None


def _between(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


def clicks_summary(clicks: list[Click], bare: list[Click]) -> dict[str, Any]:
    """Every timing of a series of app clicks, the bare page's beside them, and every sample."""
    highlight = measured([c.highlight_ms for c in clicks])
    panel = summary([c.panel_ms for c in clicks])
    bare_ms = summary([c.panel_ms for c in bare])
    return {
        "highlight": highlight,
        "panel": panel,
        "bare": bare_ms,
        "ratio_highlight_over_bare": {k: ratio(highlight, bare_ms, k) for k in ("median", "p90")},
        "ratio_panel_over_bare": {k: ratio(panel, bare_ms, k) for k in ("median", "p90")},
        "press_to_prediction_mutation": measured([c.predicted_ms for c in clicks]),
        "press_to_request_sent": measured([c.request_ms for c in clicks]),
        "request_sent_to_first_message": measured([_between(c.request_ms, c.first_back_ms) for c in clicks]),
        "first_message_to_answer_message": measured([_between(c.first_back_ms, c.answer_ms) for c in clicks]),
        "answer_message_to_ack": measured([_between(c.answer_ms, c.ack_ms) for c in clicks]),
        "ack_to_panel": measured([None if c.ack_ms is None else c.panel_ms - c.ack_ms for c in clicks]),
        "bare_press_to_request_sent": measured([c.request_ms for c in bare]),
        "first_change_wrong": sum(c.first_change_right is False for c in clicks),
        "highlight_not_seen": sum(c.highlight_ms is None for c in clicks),
        "ws_received_per_click": summary([float(c.ws_received) for c in clicks]),
        "ws_sent_per_click": summary([float(c.ws_sent) for c in clicks]),
        "ws_messages_per_click": summary([float(c.ws_messages) for c in clicks]),
        "bare_ws_messages_per_click": summary([float(c.ws_messages) for c in bare]),
        "bare_ws_received_per_click": summary([float(c.ws_received) for c in bare]),
        "bare_ws_sent_per_click": summary([float(c.ws_sent) for c in bare]),
        "wall_ms": summary([c.wall_ms for c in clicks]),
        "bare_wall_ms": summary([c.wall_ms for c in bare]),
        "samples": [asdict(c) for c in clicks],
        "bare_samples": [asdict(c) for c in bare],
    }


def build_results(
    browser_version: str,
    app: dict[str, Any],
    bare: dict[str, Any],
    phone: dict[str, Any],
    phone_bare: dict[str, Any],
    cold: list[dict[str, float]],
    reruns: dict[str, list[float]],
) -> dict[str, Any]:
    return {
        "meta": {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "streamlit": _version("streamlit"),
            "plotly": _version("plotly"),
            "playwright": _version("playwright"),
            "chromium": browser_version,
            "cpus": os.cpu_count(),
            "clicks": CLICKS,
            "reruns": RERUNS,
            "cold_starts": COLD_STARTS,
            "regions_clicked": list(REGIONS),
            "latency_clock": "in page, performance.now() minus the first pointerdown/mousedown/touchstart event's "
            "timeStamp; the highlight from a MutationObserver plus the next animation frame, the panel polled every "
            "frame",
        },
        "desktop": {
            "targets": asdict(app["targets"]),
            **clicks_summary(app["clicks"], bare["clicks"]),
            "page_load": app["page_load"],
            "warm_load": app["warm_load"],
            "bare_page_load": bare["page_load"],
            "http_during_clicks": app["http_during_clicks"],
            "plotly_draws_during_clicks": app["plotly_draws_during_clicks"],
        },
        "phone": {
            "targets": asdict(phone["targets"]),
            **clicks_summary(phone["clicks"], phone_bare["clicks"]),
            "viewport": PHONE["viewport"],
            "page_load": phone["page_load"],
            "bare_page_load": phone_bare["page_load"],
            "http_during_clicks": phone["http_during_clicks"],
            "plotly_draws_during_clicks": phone["plotly_draws_during_clicks"],
        },
        "server_rerun_ms": {key: summary(values) for key, values in reruns.items()},
        "cold_start_s": {
            "health": summary([c["health_s"] for c in cold]),
            "drawn": summary([c["drawn_s"] for c in cold]),
            "samples": cold,
        },
    }


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


# -- the table -------------------------------------------------------------------------------
Row = tuple[str, str, str, str, str, str]


def _timing(label: str, values: dict[str, Any], scale: float = 1.0, digits: int = 0) -> Row:
    if not values["n"]:
        return (label, "-", "-", "-", "-", "0")
    median, p90, low, high = (f"{values[k] * scale:.{digits}f}" for k in ("median", "p90", "min", "max"))
    return (label, median, p90, low, high, str(values["n"]))


def _kib_row(label: str, values: dict[str, Any]) -> Row:
    return _timing(label, values, 1 / 1024, 1)


def _ratio_row(label: str, ratios: dict[str, float | None]) -> Row:
    return (label, _times(ratios["median"]), _times(ratios["p90"]), "", "", "")


def _one(label: str, value: str, note: str = "") -> Row:
    return (label, value, "", "", "", note)


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.{2 if value < 1 else 1}f}x"


def _kib(value: float) -> str:
    return f"{value / 1024:.1f}"


def _plotly_source(fetches: list[dict[str, int]]) -> str:
    if not fetches:
        return "not fetched"
    return "browser cache" if all(f["transferSize"] == 0 for f in fetches) else "network"


def _clicks_rows(part: dict[str, Any], verb: str, unit: str, numbers: tuple[str, str, str]) -> list[Row]:
    """The click (or tap) rows; `numbers` prefixes the highlight, panel and bytes groups."""
    first, second, third = (f"{n} " if n else "  " for n in numbers)
    return [
        _timing(f"{first}{verb} -> highlight drawn, app (ms)", part["highlight"]),
        _timing(f"  {verb} -> counter, bare page (ms)", part["bare"]),
        _ratio_row("  ratio app highlight / bare", part["ratio_highlight_over_bare"]),
        _timing(f"{second}{verb} -> panel updated, app (ms)", part["panel"]),
        _timing(f"    {verb} -> rerun request sent (ms)", part["press_to_request_sent"]),
        _timing("    request -> first message back (ms)", part["request_sent_to_first_message"]),
        _timing("    -> last message before the answer (ms)", part["first_message_to_answer_message"]),
        _timing("    -> answer on the map (data-ack) (ms)", part["answer_message_to_ack"]),
        _timing("    -> panel updated (ms)", part["ack_to_panel"]),
        _timing(f"  {verb} -> counter, bare page (ms)", part["bare"]),
        _ratio_row("  ratio app panel / bare", part["ratio_panel_over_bare"]),
        _kib_row(f"{third}websocket received per {unit}, app (KiB)", part["ws_received_per_click"]),
        _kib_row(f"  websocket sent per {unit}, app (KiB)", part["ws_sent_per_click"]),
        _kib_row(f"  websocket received per {unit}, bare (KiB)", part["bare_ws_received_per_click"]),
        _timing(f"  websocket messages per {unit}, app", part["ws_messages_per_click"]),
        _timing(f"  websocket messages per {unit}, bare", part["bare_ws_messages_per_click"]),
        _one(f"  HTTP during the {unit}s, total (KiB)", _kib(part["http_during_clicks"]["wire_bytes"]),
             f"{part['http_during_clicks']['requests']} req"),
        _one(f"  plotly.js draws during the {unit}s", str(part["plotly_draws_during_clicks"])),
    ]  # fmt: skip


def table(results: dict[str, Any]) -> str:
    desktop, phone, reruns, cold = (
        results["desktop"],
        results["phone"],
        results["server_rerun_ms"],
        results["cold_start_s"],
    )
    cold_load, warm_load = desktop["page_load"], desktop["warm_load"]
    rows: list[Row] = [
        ("figure", "median", "p90", "min", "max", "n"),
        ("desktop 1400x1300, mouse", "", "", "", "", ""),
        *_clicks_rows(desktop, "click", "click", ("1", "2", "3")),
        _timing("4 cold start -> health answers (s)", cold["health"], digits=2),
        _timing("  cold start -> diagram drawn (s)", cold["drawn"], digits=2),
        _one("  empty cache: navigation -> drawn (ms)", f"{cold_load['ready_ms']:.0f}"),
        _one("    bare page: navigation -> counter (ms)", f"{desktop['bare_page_load']['ready_ms']:.0f}"),
        _one("  empty cache: HTTP on the wire (KiB)", _kib(cold_load["http"]["wire_bytes"]),
             f"{cold_load['http']['requests']} req"),
        _one("    of which plotly.js (KiB)", _kib(cold_load["http"]["plotly_wire_bytes"]),
             _plotly_source(cold_load["plotly_fetch"])),
        _one("    bare page: HTTP on the wire (KiB)", _kib(desktop["bare_page_load"]["http"]["wire_bytes"]),
             f"{desktop['bare_page_load']['http']['requests']} req"),
        _one("  empty cache: HTTP decoded bodies (KiB)", _kib(cold_load["http"]["decoded_body_bytes"])),
        _one("  empty cache: websocket received (KiB)", _kib(cold_load["ws_received_bytes"]),
             f"{cold_load['ws_frames_received']} frames"),
        _one("  2nd load, same context: -> drawn (ms)", f"{warm_load['ready_ms']:.0f}"),
        _one("  2nd load: HTTP on the wire (KiB)", _kib(warm_load["http"]["wire_bytes"]),
             f"{warm_load['http']['requests']} req"),
        _one("    of which plotly.js (bytes)", str(warm_load["http"]["plotly_wire_bytes"]),
             _plotly_source(warm_load["plotly_fetch"])),
        _timing("5 server rerun, selection changes (ms)", reruns["changed_ms"]),
        _timing("  server rerun, nothing changes (ms)", reruns["unchanged_ms"]),
        _timing("  server rerun, bare page click (ms)", reruns["bare_click_ms"]),
        ("phone 390x844, touch", "", "", "", "", ""),
        _one("6 navigation -> drawn, empty cache (ms)", f"{phone['page_load']['ready_ms']:.0f}"),
        _one("    bare page: navigation -> counter (ms)", f"{phone['bare_page_load']['ready_ms']:.0f}"),
        *_clicks_rows(phone, "tap", "tap", ("", "", "")),
    ]  # fmt: skip
    return "\n".join([header(results["meta"]), *notes(results), *_lay_out(rows)])


def _lay_out(rows: list[Row]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join([f"{row[0]:<{widths[0]}}", *(f"{cell:>{widths[i + 1]}}" for i, cell in enumerate(row[1:]))]).rstrip()
        for row in rows
    ]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return lines


def header(meta: dict[str, Any]) -> str:
    start, end = meta["load_at_start"], meta["load_at_end"]
    return (
        f"Meridian Map bench  {meta['when']}  {meta['cpus']} CPUs  streamlit {meta['streamlit']}  "
        f"chromium {meta['chromium']}\n"
        f"machine load: other processes used {start['others_cpu_share']:.0%} of the CPUs in the second before the "
        f"run, {meta['cpu_share_used_by_others']:.0%} during it, "
        f"{end['others_cpu_share']:.0%} in the second after; load average {start['loadavg_1min']:.2f} at start, "
        f"{end['loadavg_1min']:.2f} at end"
    )


def notes(results: dict[str, Any]) -> list[str]:
    """What a reader should know before trusting the figures."""
    found = [*results["desktop"]["targets"]["notes"], *results["phone"]["targets"]["notes"]]
    meta = results["meta"]
    shares = (meta["cpu_share_used_by_others"], meta["load_at_start"]["others_cpu_share"],
              meta["load_at_end"]["others_cpu_share"])  # fmt: skip
    if max(shares) > BUSY_SHARE:
        found.append("NOTE: other processes were busy during the run; the timings are inflated.")
    for name in ("desktop", "phone"):
        part = results[name]
        if part["highlight_not_seen"]:
            found.append(f"NOTE ({name}): {part['highlight_not_seen']} clicks changed nothing on the map before "
                         "the panel was ready (no highlight timing for them).")  # fmt: skip
        if part["first_change_wrong"]:
            found.append(f"NOTE ({name}): in {part['first_change_wrong']} clicks the map's first change was not the "
                         "selection the click gives (the prediction differed from Python's answer).")  # fmt: skip
        highlight, panel = part["highlight"]["median"], part["panel"]["median"]
        if highlight is not None and highlight >= panel:
            found.append(f"NOTE ({name}): the highlight is not drawn before the panel is ready.")
    return found


# -- several runs ----------------------------------------------------------------------------
# The rows whose run-to-run spread --runs reports: (label, where in the results, scale, digits shown).
SPREAD_ROWS: list[tuple[str, tuple[str, ...], float, int]] = [
    ("1 click -> highlight drawn, app (ms)", ("desktop", "highlight"), 1, 0),
    ("  click -> counter, bare page (ms)", ("desktop", "bare"), 1, 0),
    ("  ratio app highlight / bare", ("desktop", "ratio_highlight_over_bare"), 1, 2),
    ("2 click -> panel updated, app (ms)", ("desktop", "panel"), 1, 0),
    ("  ratio app panel / bare", ("desktop", "ratio_panel_over_bare"), 1, 2),
    ("3 websocket received per click (KiB)", ("desktop", "ws_received_per_click"), 1 / 1024, 1),
    ("4 cold start -> diagram drawn (s)", ("cold_start_s", "drawn"), 1, 2),
    ("  empty cache: navigation -> drawn (ms)", ("desktop", "page_load", "ready_ms"), 1, 0),
    ("5 server rerun, selection changes (ms)", ("server_rerun_ms", "changed_ms"), 1, 0),
    ("6 phone: navigation -> drawn (ms)", ("phone", "page_load", "ready_ms"), 1, 0),
    ("  phone: tap -> highlight drawn (ms)", ("phone", "highlight"), 1, 0),
    ("  phone: tap -> panel updated (ms)", ("phone", "panel"), 1, 0),
    ("  phone: tap -> counter, bare (ms)", ("phone", "bare"), 1, 0),
]


def _median_of(results: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = results
    for key in path:
        value = value[key]
    if isinstance(value, dict):
        value = value["median"]
    return None if value is None else float(value)


def spread(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each key row: the median of every run, and their min and max."""
    found = {}
    for label, path, _, _ in SPREAD_ROWS:
        medians = [_median_of(r, path) for r in runs]
        values = [m for m in medians if m is not None]
        found[label.strip()] = {
            "medians": medians,
            "min": min(values, default=None),
            "max": max(values, default=None),
        }
    return found


def spread_table(runs: list[dict[str, Any]]) -> str:
    found = spread(runs)
    rows: list[tuple[str, ...]] = [("median of each run", "min", "max", "max/min", "per run")]
    for label, _, scale, digits in SPREAD_ROWS:
        row = found[label.strip()]
        low, high = row["min"], row["max"]
        if low is None or high is None:
            rows.append((label, "-", "-", "-", ""))
            continue
        each = " ".join("-" if m is None else f"{m * scale:.{digits}f}" for m in row["medians"])
        factor = f"{high / low:.2f}" if low else "-"
        rows.append((label, f"{low * scale:.{digits}f}", f"{high * scale:.{digits}f}", factor, each))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join([f"{row[0]:<{widths[0]}}", *(f"{c:>{widths[i + 1]}}" for i, c in enumerate(row[1:-1])), row[-1]])
        for row in rows
    ]
    lines.insert(1, "-" * max(len(line) for line in lines))
    shares = ", ".join(f"{r['meta']['cpu_share_used_by_others']:.0%}" for r in runs)
    return "\n".join([f"Run-to-run spread over {len(runs)} runs (other processes' CPU share per run: {shares})",
                      *lines])  # fmt: skip


# -- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole measurement N times (default 1)")
    runs = parser.parse_args(argv).runs
    if runs < 1:
        parser.error("--runs must be at least 1")
    started = time.perf_counter()
    geometry = view_geometry()
    results = []
    for run in range(1, runs + 1):
        results.append(measure(geometry, run, runs))
        print(table(results[-1]), flush=True)
        if run < runs:
            print()
    report: dict[str, Any] = {"runs": results}
    if runs > 1:
        report["spread"] = spread(results)
        print()
        print(spread_table(results))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"(whole run {time.perf_counter() - started:.1f} s; details in {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
