"""Speed figures for Meridian Map: printed as a table and saved to bench/results/latest.json.

A report, not a test: nothing here asserts a threshold. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Error, Page, Response, ViewportSize, WebSocket
from streamlit.testing.v1 import AppTest

from meridian_map import open_atlas
from meridian_map.export import export_atlas
from meridian_map.testing import ROOT, chart_key, chromium, click_figure, running_app, scroll_into_view

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"
BARE_SCRIPT = BENCH / "bare_button.py"
APP_SCRIPT = ROOT / "app.py"
VIEWPORT: ViewportSize = {"width": 1400, "height": 1300}
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CLICKS = 20
RERUNS = 20
COLD_STARTS = 3
SETTLE_MS = 300  # after each click is drawn: late frames (query string, script finished) count for that click
HOVER_MS = 60  # the pause click_figure makes between hover and click; the bare page gets the same
TIMEOUT_MS = 30_000
REGIONS = ("lower_back_left", "sacrum")  # clicked in turn: A on, B on, A off, B off, ...
VIEW = "posterior"  # the view the page opens on, where those regions are drawn

BIG_MESSAGE_BYTES = 50_000  # a websocket message this big carries the diagram (the figure JSON)
# Records, in the page's performance.now() time base, when the mouse button (or finger) went down and when the
# page handled the last big websocket message (the diagram) since the clock was reset.
CLICK_CLOCK_JS = """
window.__benchClickAt = null;
window.__benchChartAt = null;
window.addEventListener('mousedown', (e) => { window.__benchClickAt = e.timeStamp; }, true);
window.addEventListener('touchstart', (e) => { window.__benchClickAt = e.timeStamp; }, true);
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
            const size = e.data.byteLength ?? e.data.size ?? e.data.length ?? 0;
            if (size >= BIG_MESSAGE_BYTES) window.__benchChartAt = performance.now();
        });
    }
};
""".replace("BIG_MESSAGE_BYTES", str(BIG_MESSAGE_BYTES))
# The same readiness as meridian_map.testing.wait_for_app, without its trailing 150 ms pause,
# returning the moment (performance.now()) it first held.
APP_READY_JS = """
() => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && /Running|Stop/.test(status.innerText)) return false;
    const charts = document.querySelectorAll('[class*="st-key-body_chart_"] .js-plotly-plot');
    const plot = charts.length === 1 ? charts[0] : null;
    return Boolean(plot && plot._fullLayout && plot.data && plot.data.length) && performance.now();
}
"""
CLICK_READY_JS = """
([before, present, absent]) => {
    if (document.querySelector('.' + before)) return false;
    const panel = document.querySelector('.st-key-explanation');
    if (!panel) return false;
    const text = panel.innerText;
    if (!present.every((t) => text.includes(t)) || absent.some((t) => text.includes(t))) return false;
    return (APP_READY)();
}
""".replace("APP_READY", APP_READY_JS.strip())
BARE_READY_JS = """
(expected) => {
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && /Running|Stop/.test(status.innerText)) return false;
    const counter = document.querySelector('.st-key-counter');
    return Boolean(counter && counter.innerText.trim() === expected) && performance.now();
}
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

    def received(self, since: int = 0) -> int:
        return sum(f.size for f in self.frames[since:] if not f.sent)

    def sent(self, since: int = 0) -> int:
        return sum(f.size for f in self.frames[since:] if f.sent)

    def http_bytes(self, responses: list[Response]) -> dict[str, int]:
        """Bytes on the wire (headers + encoded bodies) and decoded body bytes."""
        wire = decoded = 0
        for response in responses:
            sizes = response.request.sizes()
            wire += sizes["responseHeadersSize"] + sizes["responseBodySize"]
            with suppress(Error):  # redirects and bodiless answers have no body to read
                decoded += len(response.body())
        return {"requests": len(responses), "wire_bytes": wire, "decoded_body_bytes": decoded}


# -- browser helpers -----------------------------------------------------------------------
@contextmanager
def fresh_page(browser: Browser, **context_options: Any) -> Iterator[tuple[Page, Traffic]]:
    """A new context (empty cache) with the click clock and traffic counters installed."""
    context = browser.new_context(**({"viewport": VIEWPORT} | context_options))
    context.add_init_script(CLICK_CLOCK_JS)
    page = context.new_page()
    traffic = Traffic()
    traffic.attach(page)
    try:
        yield page, traffic
    finally:
        context.close()


def wait_ready(page: Page, expression: str, arg: Any = None) -> float:
    """Wait (polling every animation frame) until `expression` returns a time; return that time."""
    handle = page.wait_for_function(expression, arg=arg, polling="raf", timeout=TIMEOUT_MS)
    return float(handle.json_value())


def click_clock(page: Page) -> tuple[float, float | None]:
    """When the mouse went down, and when the diagram's message was handled (None: no such message)."""
    clicked, chart = page.evaluate("() => [window.__benchClickAt, window.__benchChartAt]")
    if clicked is None:
        raise RuntimeError("the page saw no mousedown: the click clock is not installed")
    return float(clicked), None if chart is None else float(chart)


def reset_click_clock(page: Page) -> None:
    page.evaluate("() => { window.__benchClickAt = null; window.__benchChartAt = null; }")


@dataclass
class Click:
    latency_ms: float  # in page: mousedown event -> readiness first held (performance.now())
    wall_ms: float  # Python perf_counter around the whole click call and wait, hover pause included
    ws_received: int  # websocket bytes received from the click until just before the next one
    ws_sent: int
    chart_message_ms: float | None  # in page: mousedown -> the diagram's websocket message handled


def measure_click(page: Page, traffic: Traffic, do_click: Callable[[], None], wait: Callable[[], float]) -> Click:
    reset_click_clock(page)
    since = len(traffic.frames)
    start = time.perf_counter()
    do_click()
    ready_at = wait()
    wall_ms = (time.perf_counter() - start) * 1000
    clicked, chart = click_clock(page)
    page.wait_for_timeout(SETTLE_MS)
    chart_ms = None if chart is None else chart - clicked
    return Click(ready_at - clicked, wall_ms, traffic.received(since), traffic.sent(since), chart_ms)


# -- 1 and 4: the app in Chromium ----------------------------------------------------------
@dataclass(frozen=True)
class Targets:
    anchors: dict[str, tuple[float, float]]  # a point inside each clicked region, in figure units
    labels: dict[str, str]  # what the explanation panel calls it


def region_targets() -> Targets:
    """From the exported atlas (also checks, before anything starts, that the content loads)."""
    exported = export_atlas(open_atlas())
    chosen = {r["id"]: r for r in exported["regions"] if r["id"] in REGIONS and r.get("view", VIEW) == VIEW}
    if set(chosen) != set(REGIONS):
        raise RuntimeError(f"the {VIEW} view has no region {sorted(set(REGIONS) - set(chosen))}")
    anchors = {rid: (float(r["anchor"][0]), float(r["anchor"][1])) for rid, r in chosen.items()}
    return Targets(anchors, {rid: str(r["label"]) for rid, r in chosen.items()})


def tap_figure(page: Page, x: float, y: float) -> None:
    """Scroll the spot into view if need be, then tap it with a finger (no hover on a touch screen)."""
    page.touchscreen.tap(*scroll_into_view(page, x, y))


def click_app(
    page: Page, traffic: Traffic, targets: Targets, clicks: int, press: Callable[..., None] = click_figure
) -> list[Click]:
    anchors, labels = targets.anchors, targets.labels
    selected: set[str] = set()
    results = []
    for index in range(clicks):
        region = REGIONS[index % len(REGIONS)]
        selected ^= {region}
        present = [labels[r] for r in REGIONS if r in selected]
        absent = [labels[r] for r in REGIONS if r not in selected]
        do_click = partial(press, page, *anchors[region])
        wait = partial(wait_ready, page, CLICK_READY_JS, [chart_key(page), present, absent])
        results.append(measure_click(page, traffic, do_click, wait))
    return results


def load(page: Page, traffic: Traffic, url: str, ready: Callable[[], float]) -> dict[str, Any]:
    """Open the page, wait until drawn, let late frames arrive; count what came in."""
    load_ms = timed(lambda: (page.goto(url), ready()))
    page.wait_for_timeout(SETTLE_MS)
    return {
        "load_ms": load_ms,
        "http": traffic.http_bytes(list(traffic.responses)),
        "ws_received_bytes": traffic.received(),
        "ws_frames_received": sum(not f.sent for f in traffic.frames),
        "ws_sent_bytes": traffic.sent(),
    }


def bench_app(browser: Browser, targets: Targets) -> dict[str, Any]:
    with running_app(APP_SCRIPT) as url, fresh_page(browser) as (page, traffic):
        page_load = load(page, traffic, url, lambda: wait_ready(page, APP_READY_JS))
        responses_before = len(traffic.responses)
        clicks = click_app(page, traffic, targets, CLICKS)
        http_during_clicks = traffic.http_bytes(traffic.responses[responses_before:])
    return {"page_load": page_load, "clicks": clicks, "http_during_clicks": http_during_clicks}


# -- 6: the app on a phone ----------------------------------------------------------------------
def bench_phone(browser: Browser, targets: Targets) -> dict[str, Any]:
    """Page load and taps at 390 px with touch, as on a phone (Chromium's mobile emulation)."""
    with running_app(APP_SCRIPT) as url, fresh_page(browser, **PHONE) as (page, traffic):
        page_load = load(page, traffic, url, lambda: wait_ready(page, APP_READY_JS))
        taps = click_app(page, traffic, targets, CLICKS, press=tap_figure)
    return {"page_load": page_load, "taps": taps}


# -- 2: the bare page ----------------------------------------------------------------------
def click_button(page: Page) -> None:
    box = page.get_by_role("button", name="Add one").bounding_box()
    if box is None:
        raise RuntimeError("the bare page's button is not visible")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(HOVER_MS)
    page.mouse.click(x, y)


def bench_bare(browser: Browser) -> dict[str, Any]:
    with running_app(BARE_SCRIPT) as url, fresh_page(browser) as (page, traffic):
        page_load = load(page, traffic, url, lambda: wait_ready(page, BARE_READY_JS, "Clicks: 0"))
        clicks = []
        for n in range(1, CLICKS + 1):
            wait = partial(wait_ready, page, BARE_READY_JS, f"Clicks: {n}")
            clicks.append(measure_click(page, traffic, partial(click_button, page), wait))
    return {"page_load": page_load, "clicks": clicks}


# -- 5: cold start -------------------------------------------------------------------------
def cold_start(browser: Browser) -> dict[str, float]:
    """Seconds from starting `streamlit run` until /_stcore/health answers, and until the diagram is drawn."""
    start = time.perf_counter()
    with running_app(APP_SCRIPT) as url:
        healthy = time.perf_counter() - start
        with fresh_page(browser) as (page, _):
            page.goto(url)
            wait_ready(page, APP_READY_JS)
            drawn = time.perf_counter() - start
    return {"health_s": healthy, "drawn_s": drawn}


# -- 3: server time per rerun, through AppTest ---------------------------------------------
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
        raise RuntimeError(f"app.py did not draw its region picker under AppTest: {shown}")
    selected: list[str] = []
    times = []
    for index in range(RERUNS):
        region = REGIONS[index % len(REGIONS)]
        selected = [r for r in selected if r != region] if region in selected else [*selected, region]
        times.append(timed(app.multiselect(key="region_select").set_value(list(selected)).run))
    return times


def bench_reruns() -> dict[str, list[float]]:
    app = started_app_test(APP_SCRIPT)
    changed = time_selection_reruns(app)
    unchanged = [timed(app.run) for _ in range(RERUNS)]
    bare = started_app_test(BARE_SCRIPT)
    bare_clicks = [timed(bare.button(key="add").click().run) for _ in range(RERUNS)]
    return {"changed_ms": changed, "unchanged_ms": unchanged, "bare_click_ms": bare_clicks}


# -- report --------------------------------------------------------------------------------
def ratio(app: dict[str, float | None], bare: dict[str, float | None], key: str) -> float | None:
    above, below = app[key], bare[key]
    return above / below if above is not None and below else None


def build_results(
    browser_version: str,
    app: dict[str, Any],
    bare: dict[str, Any],
    cold: list[dict[str, float]],
    reruns: dict[str, Any],
    phone: dict[str, Any],
) -> dict[str, Any]:
    app_latency = summary([c.latency_ms for c in app["clicks"]])
    bare_latency = summary([c.latency_ms for c in bare["clicks"]])
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
            "latency_clock": "in page: performance.now() when readiness first held minus the mousedown event's "
            "timeStamp; polled every animation frame",
        },
        "click_latency_ms": {
            "app": app_latency,
            "bare": bare_latency,
            "ratio_app_over_bare": {k: ratio(app_latency, bare_latency, k) for k in ("median", "p90")},
            "app_samples": [round(c.latency_ms, 1) for c in app["clicks"]],
            "bare_samples": [round(c.latency_ms, 1) for c in bare["clicks"]],
            "app_click_to_chart_message": _summary_of([c.chart_message_ms for c in app["clicks"]]),
            "app_chart_message_to_drawn": _summary_of(
                [None if c.chart_message_ms is None else c.latency_ms - c.chart_message_ms for c in app["clicks"]]
            ),
            "app_wall_incl_hover": summary([c.wall_ms for c in app["clicks"]]),
            "bare_wall_incl_hover": summary([c.wall_ms for c in bare["clicks"]]),
        },
        "server_rerun_ms": {key: summary(values) for key, values in reruns.items()},
        "bytes": {
            "app_page_load": app["page_load"],
            "app_ws_received_per_click": summary([float(c.ws_received) for c in app["clicks"]]),
            "app_ws_sent_per_click": summary([float(c.ws_sent) for c in app["clicks"]]),
            "app_ws_received_per_click_samples": [c.ws_received for c in app["clicks"]],
            "app_http_during_clicks": app["http_during_clicks"],
            "bare_page_load": bare["page_load"],
            "bare_ws_received_per_click": summary([float(c.ws_received) for c in bare["clicks"]]),
        },
        "phone": {
            "viewport": PHONE["viewport"],
            "page_load_ms": phone["page_load"]["load_ms"],
            "tap_latency_ms": summary([c.latency_ms for c in phone["taps"]]),
            "tap_samples": [round(c.latency_ms, 1) for c in phone["taps"]],
        },
        "cold_start_s": {
            "health": summary([c["health_s"] for c in cold]),
            "drawn": summary([c["drawn_s"] for c in cold]),
            "samples": cold,
        },
    }


def _summary_of(values: list[float | None]) -> dict[str, float | None]:
    """Summary of the values that were measured (None: that click brought no diagram message)."""
    return summary([v for v in values if v is not None])


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def table(results: dict[str, Any]) -> str:
    latency, reruns, traffic, cold = (
        results["click_latency_ms"],
        results["server_rerun_ms"],
        results["bytes"],
        results["cold_start_s"],
    )
    load = traffic["app_page_load"]
    rows: list[tuple[str, str, str, str]] = [
        ("figure", "median", "p90", "n"),
        _row("1 click -> panel + new chart, app (ms)", latency["app"]),
        _row("  click -> diagram message in page (ms)", latency["app_click_to_chart_message"]),
        _row("  diagram message -> drawn (ms)", latency["app_chart_message_to_drawn"]),
        _row("2 click -> counter, bare page (ms)", latency["bare"]),
        ("  ratio app / bare", _times(latency["ratio_app_over_bare"]["median"]),
         _times(latency["ratio_app_over_bare"]["p90"]), ""),
        _row("3 server rerun, selection changes (ms)", reruns["changed_ms"]),
        _row("  server rerun, nothing changes (ms)", reruns["unchanged_ms"]),
        _row("  server rerun, bare page click (ms)", reruns["bare_click_ms"]),
        ("4 page load, HTTP on the wire (KiB)", _kib(load["http"]["wire_bytes"]), "",
         f"{load['http']['requests']} req"),
        ("  page load, HTTP decoded bodies (KiB)", _kib(load["http"]["decoded_body_bytes"]), "", ""),
        ("  page load, websocket received (KiB)", _kib(load["ws_received_bytes"]), "",
         f"{load['ws_frames_received']} frames"),
        ("  websocket received per click (KiB)", _kib(traffic["app_ws_received_per_click"]["median"]),
         _kib(traffic["app_ws_received_per_click"]["p90"]), str(traffic["app_ws_received_per_click"]["n"])),
        ("  HTTP during the clicks, total (KiB)", _kib(traffic["app_http_during_clicks"]["wire_bytes"]), "",
         f"{traffic['app_http_during_clicks']['requests']} req"),
        ("5 cold start -> health answers (s)", f"{cold['health']['median']:.2f}", "", str(cold["health"]["n"])),
        ("  cold start -> diagram drawn (s)", f"{cold['drawn']['median']:.2f}", "", str(cold["drawn"]["n"])),
        ("6 phone 390 px: page load -> drawn (ms)", f"{results['phone']['page_load_ms']:.0f}", "", "1"),
        _row("  phone: tap -> panel + new chart (ms)", results["phone"]["tap_latency_ms"]),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}".rstrip()
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    meta = results["meta"]
    header = (
        f"Meridian Map bench  {meta['when']}  {meta['cpus']} CPUs ({meta['cpu_share_used_by_others']:.0%} used by "
        f"other processes)  streamlit {meta['streamlit']}  chromium {meta['chromium']}"
    )
    busy = meta["cpu_share_used_by_others"] > 0.1
    warning = ["NOTE: other processes were busy during the run; the timings are inflated."] if busy else []
    return "\n".join([header, *warning, *lines])


def _row(label: str, values: dict[str, Any]) -> tuple[str, str, str, str]:
    if not values["n"]:
        return (label, "-", "-", "0")
    return (label, f"{values['median']:.0f}", f"{values['p90']:.0f}", str(values["n"]))


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def _kib(value: float) -> str:
    return f"{value / 1024:.1f}"


def process_cpu_seconds() -> dict[tuple[int, int], float]:
    """CPU seconds used so far by each running process, keyed by (pid, start time); {} without /proc."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, ...
        except OSError:  # the process ended meanwhile
            continue
        used[(int(stat.parent.name), int(fields[19]))] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def others_busy(before: dict[tuple[int, int], float], seconds: float) -> float:
    """Share of all CPUs used during the run by processes still alive at its end, other than this one.

    Called after the browser and servers this run started have stopped, so what is left is someone else's.
    """
    after = process_cpu_seconds()
    ours = os.getpid()
    used = sum(cpu - before.get(key, 0.0) for key, cpu in after.items() if key[0] != ours)
    return used / (seconds * (os.cpu_count() or 1))


def step(name: str) -> None:
    print(f"... {name}", file=sys.stderr, flush=True)


def main() -> None:
    started = time.perf_counter()
    cpu_before = process_cpu_seconds()  # other tests or browsers running make every timing slower
    targets = region_targets()
    with chromium() as browser:
        cold = []
        for attempt in range(1, COLD_STARTS + 1):
            step(f"cold start {attempt}/{COLD_STARTS}")
            cold.append(cold_start(browser))
        step(f"app: page load and {CLICKS} clicks")
        app = bench_app(browser, targets)
        step(f"bare page: page load and {CLICKS} clicks")
        bare = bench_bare(browser)
        step(f"phone: page load and {CLICKS} taps at 390 px")
        phone = bench_phone(browser, targets)
        browser_version = browser.version
    step(f"server reruns through AppTest ({RERUNS} each)")
    reruns = bench_reruns()
    results = build_results(browser_version, app, bare, cold, reruns, phone)
    seconds = time.perf_counter() - started
    results["meta"]["bench_seconds"] = round(seconds, 1)
    results["meta"]["cpu_share_used_by_others"] = round(others_busy(cpu_before, seconds), 3)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"(whole run {results['meta']['bench_seconds']} s; details in {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
