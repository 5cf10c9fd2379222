"""A class at once: N concurrent sessions open one shared link and each choose 10 areas on the diagram.

A report, not a test: nothing here asserts a threshold. See bench/README.md ("Load: a class at once").
Printed as a table and saved to bench/results/load.json (with every sample).

Two kinds of client, each against its own fresh server process:
- browser: one Chromium, one context (empty cache) per session, all driven from one asyncio loop; a click is
  a real mouse press on the diagram, timed in the page from the press to the panel naming the new area;
- socket: no browser; each session speaks Streamlit's websocket protocol itself, as the page does (the same
  rerun request a click on the diagram sends, the same message cache), and times the request -> the end of
  the rerun whose output shows the area chosen. On 2 shared cores 30 browsers take most of the CPU, so this
  is the server's own latency under the same load, without the browsers competing for the cores.
The server's CPU time and memory are read from /proc/<pid> of the one server process, apart from the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import websockets
from playwright.async_api import Browser, Page, async_playwright
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from meridian_map.explain import area_groups, group_label
from meridian_map.figure import HEIGHT
from meridian_map.testing import (
    CHROMIUM_FLAGS,
    FIGURE_TO_PAGE_JS,
    MAP,
    PLOT,
    ROOT,
    SETTLED_JS,
    chromium_path,
    running_server,
)
from run import (
    CLICK_CLOCK_JS,
    DRAWN_JS,
    HIT_SLOP_PX,
    HOVER_MS,
    MAP_ROOT,
    RESET_CLOCK_JS,
    SPOT_MARGIN_PX,
    TICKS,
    VIEWPORT,
    Geometry,
    OthersCpu,
    Spot,
    _processes,
    bench_atlas,
    best_spot,
    machine_load,
    view_geometry,
)

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "load.json"
APP_SCRIPT = ROOT / "app.py"
LINK = "?regions=sacrum"  # the shared link: the back view with the sacrum open (as a teacher would send it)
LINKED = ("sacrum",)
CLICKS = 10  # areas each session chooses, one after another (each stays chosen)
THINK_S = 2.0  # mean pause before each click (uniform 0.5x..1.5x): people read the panel between clicks
LOAD_TIMEOUT_S = 600.0  # 30 browsers opening the page at once on 2 cores take minutes
CLICK_TIMEOUT_S = 120.0
MB = 1024 * 1024
# Resolves with performance.now() once the explanation panel names every area chosen, Streamlit is not running
# and the map has Python's answer to its last click (data-ack = data-sent); null after `timeout` ms. Checked on
# every change to the page (a MutationObserver) rather than polled, so 30 idle pages cost nothing.
PANEL_WAIT_JS = """
([selector, present, timeout]) => new Promise((resolve) => {
    const ready = () => {
        // Cheap attributes first: the panel's text (a layout of the whole page) only once the run is over.
        const app = document.querySelector('[data-testid="stApp"]');
        if (!app || app.dataset.testScriptState !== 'notRunning') return false;
        const status = document.querySelector('[data-testid="stStatusWidget"]');
        if (status && /Running|Stop/.test(status.innerText)) return false;
        const root = document.querySelector(selector);
        if (!root || (root.dataset.ack || '0') !== (root.dataset.sent || '0')) return false;
        const panel = document.querySelector('.st-key-explanation');
        return Boolean(panel) && present.every((t) => panel.innerText.includes(t));
    };
    let done = false;
    const finish = (value) => { if (!done) { done = true; observer.disconnect(); resolve(value); } };
    const observer = new MutationObserver(() => { if (ready()) finish(performance.now()); });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    setTimeout(() => finish(null), timeout);
    if (ready()) finish(performance.now());
})
"""


# -- the areas clicked ---------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    region: str
    spot: Spot


def choose_targets(geometry: Geometry, scale: float) -> list[Target]:
    """CLICKS areas of the back view (not the linked one), each with a spot SPOT_MARGIN_PX clear of its edge
    and of every marker's click target, counting every clicked area's key points drawn larger."""
    candidates = [r for r in geometry.regions if r not in LINKED]
    key = {str(code) for r in [*candidates, *LINKED] for code in geometry.regions[r]["points"]}
    chosen = []
    for rid in candidates:
        margin, spot = best_spot(geometry, rid, scale, HIT_SLOP_PX["mouse"], key)
        if margin >= SPOT_MARGIN_PX:
            chosen.append(Target(rid, spot))
    if len(chosen) < CLICKS:
        raise RuntimeError(f"only {len(chosen)} areas of the back view can be clicked clear of the markers")
    return chosen[:CLICKS]


def panel_names(chosen: Iterable[str], targets: Iterable[Target]) -> list[str]:
    """The card names the panel shows for the clicked areas among those chosen: both sides of an area
    are one card ("Neck (both sides)")."""
    atlas, clicked = bench_atlas(), {t.region for t in targets}
    return [group_label(atlas, base, ids) for base, ids in area_groups(atlas, list(chosen)) if clicked & set(ids)]


def session_order(targets: list[Target], index: int) -> list[Target]:
    """Each session goes through the same areas from its own starting one (no two click alike in step)."""
    shift = index % len(targets)
    return targets[shift:] + targets[:shift]


# -- the server process --------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def clients_cpu(server_pid: int) -> float:
    """CPU seconds used so far by this process and its descendants other than the server (the browser)."""
    processes = _processes()
    parents = {pid: parent for (pid, _), (parent, _) in processes.items()}
    me = os.getpid()
    total = 0.0
    for (pid, _), (_, cpu) in processes.items():
        walk = pid
        while walk > 1 and walk != server_pid:
            if walk == me:
                total += cpu
                break
            walk = parents.get(walk, 0)
    return total


@dataclass
class Meter:
    """CPU of the server and of the clients, and the server's memory, at one moment."""

    server_cpu: float
    clients_cpu: float
    server_rss: int
    at: float

    @classmethod
    def read(cls, pid: int) -> Meter:
        return cls(cpu_seconds(pid), clients_cpu(pid), rss_bytes(pid), time.perf_counter())


@dataclass
class Phases:
    """Every session and the measurement meet twice: all pages loaded (the clicks start), all clicks made
    (the CPU and memory are read while every session is still open: a closed page's renderer takes its CPU
    time with it)."""

    loaded: asyncio.Barrier
    clicked: asyncio.Barrier

    @classmethod
    def of(cls, sessions: int) -> Phases:
        return cls(asyncio.Barrier(sessions + 1), asyncio.Barrier(sessions + 1))


# -- results of one session ----------------------------------------------------------------
@dataclass
class SessionResult:
    load_s: float | None = None  # navigation (or connect) -> diagram drawn (or the first run finished)
    clicks_ms: list[float] = field(default_factory=list)  # press (or request sent) -> panel shows the area
    errors: list[str] = field(default_factory=list)


# -- browser sessions ------------------------------------------------------------------------
async def to_page(page: Page, spot: Spot) -> tuple[float, float]:
    box = await page.evaluate(FIGURE_TO_PAGE_JS, [spot.x, spot.y, PLOT])
    px, py = float(box["px"]), float(box["py"])
    height = VIEWPORT["height"]
    if not 40 <= py <= height - 40:  # Streamlit scrolls an inner container, not the window
        await page.mouse.move(px, height / 2)
        await page.mouse.wheel(0, py - height / 2)
        await page.wait_for_timeout(300)
        box = await page.evaluate(FIGURE_TO_PAGE_JS, [spot.x, spot.y, PLOT])
        px, py = float(box["px"]), float(box["py"])
    return px, py


async def browser_session(
    browser: Browser, url: str, index: int, targets: list[Target], think: float,
    phases: Phases, result: SessionResult,
) -> None:  # fmt: skip
    """Open the link, wait until every session has it drawn, then choose the areas one by one."""
    rng = random.Random(index)
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(CLICK_CLOCK_JS)
    page = await context.new_page()
    page.on("pageerror", lambda error: result.errors.append(f"page error: {error}"))
    try:
        try:
            await page.goto(url + "/" + LINK, timeout=LOAD_TIMEOUT_S * 1000)
            handle = await page.wait_for_function(DRAWN_JS, arg=[MAP_ROOT, PLOT], polling=100,
                                                  timeout=LOAD_TIMEOUT_S * 1000)  # fmt: skip
            result.load_s = float(await handle.json_value()) / 1000
            await page.wait_for_function(SETTLED_JS, arg=[True, MAP], polling=100, timeout=LOAD_TIMEOUT_S * 1000)
        except Exception as error:  # a failed load is one error of the report
            result.errors.append(f"load: {type(error).__name__}: {str(error)[:200]}")
            await phases.loaded.wait()
            return
        await phases.loaded.wait()
        chosen = [*(t for t in LINKED)]
        for target in session_order(targets, index):
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            chosen.append(target.region)
            present = panel_names(chosen, targets)
            try:
                px, py = await to_page(page, target.spot)
                await page.evaluate(RESET_CLOCK_JS)
                await page.mouse.move(px, py)
                await page.wait_for_timeout(HOVER_MS)
                waiting = asyncio.ensure_future(
                    page.evaluate(PANEL_WAIT_JS, [MAP_ROOT, present, CLICK_TIMEOUT_S * 1000])
                )
                await page.mouse.click(px, py)
                ready_at = await waiting
                pressed_at = await page.evaluate("() => window.__benchClickAt")
                if ready_at is None:
                    raise TimeoutError(f"no panel naming {present[-1]!r} within {CLICK_TIMEOUT_S:.0f} s")
                if pressed_at is None:
                    raise RuntimeError("the page saw no press")
                state = await page.evaluate(f"() => ({{...document.querySelector('{MAP_ROOT}').dataset}})")
                shown = set(filter(None, str(state.get("regions", "")).split(",")))
                if shown != set(chosen):
                    raise RuntimeError(f"the map shows {sorted(shown)}, not {sorted(chosen)}")
                result.clicks_ms.append(float(ready_at) - float(pressed_at))
            except Exception as error:  # a failed click is one error of the report
                result.errors.append(f"click {target.region}: {type(error).__name__}: {str(error)[:200]}")
                break
    finally:
        await phases.clicked.wait()  # every browser page still open when the clicks' CPU is read
        await context.close()


async def scale_of(browser: Browser, url: str) -> float:
    """Page pixels per cm of the figure, at the bench's viewport (one page, before the sessions)."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await page.goto(url + "/" + LINK)
        await page.wait_for_function(SETTLED_JS, arg=[True, MAP], timeout=120_000)
        left = await page.evaluate(FIGURE_TO_PAGE_JS, [0, 0, PLOT])
        right = await page.evaluate(FIGURE_TO_PAGE_JS, [1, 0, PLOT])
        return abs(float(right["px"]) - float(left["px"]))
    finally:
        await context.close()


# -- socket sessions ---------------------------------------------------------------------------
class StreamlitSocket:
    """One session over Streamlit's websocket, as the page speaks it: rerun requests with the widget states
    and the hashes of the messages it keeps (so the server sends references to them, not the messages), the
    address the app last wrote, and the forward messages read until the run is finished."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.ws_url = f"ws://{parts.netloc}/_stcore/stream"
        self.query = LINK.removeprefix("?")
        self.cache: dict[str, ForwardMsg] = {}  # hash -> message, for the references of later runs
        self.socket: Any = None
        self.map_id: str | None = None

    async def __aenter__(self) -> StreamlitSocket:
        self.socket = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                               compression=None, open_timeout=LOAD_TIMEOUT_S)  # fmt: skip
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.socket.close()

    async def rerun(self, widgets: Iterable[tuple[str, str]] = ()) -> list[ForwardMsg]:
        """Ask for a rerun with these (trigger id, JSON) values; the run's messages, references resolved."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_script_hash = ""
        state.cached_message_hashes.extend(self.cache)
        for widget_id, value in widgets:
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            widget.json_trigger_value = value
        await self.socket.send(message.SerializeToString())
        found: list[ForwardMsg] = []
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), CLICK_TIMEOUT_S)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "ref_hash":
                forward = self.cache[forward.ref_hash]
            elif forward.metadata.cacheable and forward.hash:
                self.cache[forward.hash] = forward
            if kind == "page_info_changed":
                self.query = forward.page_info_changed.query_string
            if kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                return found
            found.append(forward)


def _components(messages: list[ForwardMsg]) -> dict[str, tuple[str, str]]:
    """Bidi component name -> (element id, its JSON data), from one run's messages."""
    found = {}
    for message in messages:
        if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            if element.WhichOneof("type") == "bidi_component":
                found[element.bidi_component.component_name] = (element.bidi_component.id, element.bidi_component.json)
    return found


def _texts(messages: list[ForwardMsg]) -> str:
    """The headings and markdown of one run, joined."""
    texts = []
    for message in messages:
        if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            kind = element.WhichOneof("type")
            if kind in ("heading", "markdown"):
                texts.append(getattr(element, kind).body)
    return "\n".join(texts)


def _by_suffix(components: dict[str, tuple[str, str]], suffix: str) -> tuple[str, str] | None:
    return next((v for k, v in components.items() if k.endswith(suffix)), None)


async def socket_session(
    url: str, index: int, targets: list[Target], think: float, phases: Phases, result: SessionResult,
) -> None:  # fmt: skip
    rng = random.Random(index)
    try:
        start = time.perf_counter()
        client = await StreamlitSocket(url).__aenter__()
    except Exception as error:
        result.errors.append(f"connect: {type(error).__name__}: {error}")
        await phases.loaded.wait()
        await phases.clicked.wait()
        return
    try:
        try:
            messages = await asyncio.wait_for(client.rerun(), LOAD_TIMEOUT_S)
            drawing = _by_suffix(_components(messages), ".body_map")
            if drawing is None:
                raise RuntimeError("the first run drew no body map")
            result.load_s = time.perf_counter() - start
            map_id = drawing[0]
        except Exception as error:
            result.errors.append(f"load: {type(error).__name__}: {str(error)[:200]}")
            await phases.loaded.wait()
            return
        await phases.loaded.wait()
        trigger = _make_trigger_id(map_id, "events")
        chosen = list(LINKED)
        for seq, target in enumerate(session_order(targets, index), start=1):
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            chosen.append(target.region)
            click = {"view": "posterior", "x": target.spot.x, "y": target.spot.y, "region": target.region,
                     "point": None, "seq": seq, "regions": list(chosen)}  # fmt: skip
            try:
                sent = time.perf_counter()
                messages = await client.rerun([(trigger, json.dumps([{"event": "click", "value": click}]))])
                took = (time.perf_counter() - sent) * 1000
                highlight = _by_suffix(_components(messages), ".body_map_highlight")
                if highlight is None:
                    raise RuntimeError("the rerun sent no highlight")
                answer = json.loads(highlight[1])["highlight"]
                if answer["ack"] != seq or set(answer["regions"]) != set(chosen):
                    raise RuntimeError(f"the answer acks {answer['ack']} with {answer['regions']}, not {seq}")
                (named,) = panel_names(chosen, [target])
                if named not in _texts(messages):
                    raise RuntimeError(f"the panel does not name {named!r}")
                result.clicks_ms.append(took)
            except Exception as error:
                result.errors.append(f"click {target.region}: {type(error).__name__}: {str(error)[:200]}")
                break
    finally:
        await phases.clicked.wait()
        await client.__aexit__()


# -- one measurement: N sessions against a fresh server -----------------------------------------
def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def warm_up(url: str) -> None:
    """One session's page load, so the caches are full before "before" is read."""
    async with StreamlitSocket(url) as client:
        await client.rerun()


async def measure(client: str, sessions: int, think: float, targets: list[Target]) -> dict[str, Any]:
    at_start = machine_load()
    with OthersCpu() as others, running_server(APP_SCRIPT, timeout=120) as (url, server):
        pid = server.pid
        await warm_up(url)
        await asyncio.sleep(2)  # the warm-up session's last messages
        before = Meter.read(pid)
        results = [SessionResult() for _ in range(sessions)]
        phases = Phases.of(sessions)
        async with async_playwright() as playwright:
            browser = None
            if client == "browser":
                browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
                tasks = [browser_session(browser, url, i, targets, think, phases, results[i]) for i in range(sessions)]
            else:
                tasks = [socket_session(url, i, targets, think, phases, results[i]) for i in range(sessions)]
            running = [asyncio.ensure_future(t) for t in tasks]
            await phases.loaded.wait()
            loaded_at = Meter.read(pid)
            await phases.clicked.wait()
            after = Meter.read(pid)
            await asyncio.gather(*running)
            if browser is not None:
                await browser.close()
    loads = [r.load_s for r in results if r.load_s is not None]
    clicks = [c for r in results for c in r.clicks_ms]
    errors = [e for r in results for e in r.errors]
    n_clicks = max(len(clicks), 1)
    own_cpu = "this process" if client == "socket" else "this process and Chromium"
    return {
        "client": client,
        "sessions": sessions,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "page_load_s": {"p50": percentile(loads, 0.5), "p95": percentile(loads, 0.95), "n": len(loads)},
        "click_ms": {
            "p50": percentile(clicks, 0.5),
            "p95": percentile(clicks, 0.95),
            "max": max(clicks, default=None),
            "n": len(clicks),
        },
        "errors": len(errors),  # a session stops at its first error: a load or a click
        "clicks_missing": sessions * CLICKS - len(clicks),
        "error_messages": errors[:20],
        "server_rss_before_mb": before.server_rss / MB,
        "server_rss_after_mb": after.server_rss / MB,
        "rss_per_session_mb": (after.server_rss - before.server_rss) / MB / sessions,
        "server_cpu_ms_per_load": (loaded_at.server_cpu - before.server_cpu) * 1000 / sessions,
        "server_cpu_ms_per_click": (after.server_cpu - loaded_at.server_cpu) * 1000 / n_clicks,
        "clients_cpu_ms_per_click": (after.clients_cpu - loaded_at.clients_cpu) * 1000 / n_clicks,
        "clients_cpu_is": own_cpu,
        "server_cpu_share_during_clicks": (after.server_cpu - loaded_at.server_cpu)
        / max(after.at - loaded_at.at, 1e-9)
        / (os.cpu_count() or 1),
        "clicks_seconds": after.at - loaded_at.at,
        "loads_seconds": loaded_at.at - before.at,
        "others_cpu_share": others.share(),
        "load_at_start": at_start,
        "load_at_end": machine_load(),
        "samples": {"page_load_s": loads, "click_ms": clicks},
    }


# -- the table ---------------------------------------------------------------------------------
COLUMNS = ("client", "sessions", "load p50 s", "load p95 s", "click p50 ms", "click p95 ms", "errors",
           "RSS before MB", "RSS after MB", "MB/session", "server CPU ms/click", "client CPU ms/click",
           "loadavg before", "loadavg after")  # fmt: skip


def _f(value: float | None, digits: int = 0) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def row(result: dict[str, Any]) -> tuple[str, ...]:
    return (
        result["client"], str(result["sessions"]),
        _f(result["page_load_s"]["p50"], 1), _f(result["page_load_s"]["p95"], 1),
        _f(result["click_ms"]["p50"]), _f(result["click_ms"]["p95"]), str(result["errors"]),
        _f(result["server_rss_before_mb"]), _f(result["server_rss_after_mb"]), _f(result["rss_per_session_mb"], 1),
        _f(result["server_cpu_ms_per_click"]), _f(result["clients_cpu_ms_per_click"]),
        _f(result["load_at_start"]["loadavg_1min"], 2), _f(result["load_at_end"]["loadavg_1min"], 2),
    )  # fmt: skip


def table(results: list[dict[str, Any]]) -> str:
    rows = [COLUMNS, *(row(r) for r in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(f"{cell:>{widths[i]}}" for i, cell in enumerate(r)) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def notes(results: list[dict[str, Any]]) -> list[str]:
    found = []
    for result in results:
        tag = f"{result['client']} x{result['sessions']}"
        if result["others_cpu_share"] > 0.1:
            found.append(f"NOTE ({tag}): other processes used {result['others_cpu_share']:.0%} of the CPUs.")
        for message in result["error_messages"][:3]:
            found.append(f"ERROR ({tag}): {message}")
        found.append(
            f"({tag}: server CPU {result['server_cpu_ms_per_load']:.0f} ms per page load, "
            f"{result['server_cpu_share_during_clicks']:.0%} of the CPUs while clicking, "
            f"{result['clicks_seconds']:.0f} s of clicks)"
        )
    return found


async def main_async(args: argparse.Namespace) -> None:
    geometry = view_geometry()
    clients = ["socket", "browser"] if args.client == "both" else [args.client]
    # The spots are chosen at the browser's scale: the figure's HEIGHT px for its full y range, as drawn here.
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        with running_server(APP_SCRIPT, timeout=120) as (url, _):
            scale = await scale_of(browser, url)
        await browser.close()
    targets = choose_targets(geometry, scale)
    # The sessions' own checks read the content: load it now, not inside the event loop that times
    # the clicks (it held the loop for 2 s at the first click and put that on every session's first click).
    bench_atlas()
    print(f"areas clicked (each session from its own start): {', '.join(t.region for t in targets)}", flush=True)
    results = []
    for run in range(1, args.runs + 1):
        for client in clients:
            for sessions in args.sessions:
                print(f"... run {run}/{args.runs}: {client}, {sessions} sessions", file=sys.stderr, flush=True)
                results.append(await measure(client, sessions, args.think, targets))
                results[-1]["run"] = run
                print(table(results[-1:]), flush=True)
    header = (f"Meridian Map load bench  {datetime.now(UTC).isoformat(timespec='seconds')}  {os.cpu_count()} CPUs  "
              f"link {LINK}  {CLICKS} clicks per session, {args.think:.1f} s mean think time")  # fmt: skip
    print()
    print("\n".join([header, table(results), *notes(results)]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {"meta": {"link": LINK, "clicks": CLICKS, "think_s": args.think, "viewport": VIEWPORT,
                       "scale_px_per_cm": scale, "figure_height_px": HEIGHT,
                       "targets": [asdict(t) for t in targets]},
              "results": results}  # fmt: skip
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 30], help="concurrent sessions (10 30)")
    parser.add_argument("--client", choices=("browser", "socket", "both"), default="both")
    parser.add_argument("--think", type=float, default=THINK_S, help=f"mean pause before a click, s ({THINK_S})")
    parser.add_argument("--runs", type=int, default=1, help="repeat everything N times (default 1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    asyncio.run(main_async(args))
    print(f"(whole run {time.perf_counter() - started:.0f} s; details in {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
