"""Run the real app and drive Debian's Chromium: shared by the browser tests, the
benchmark and the screenshot script. Needs the `test` extra (Playwright)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's Chromium: Playwright cannot download its own browser here."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("Chromium not found: install Debian's 'chromium' package (make test does)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(
    script: Path = ROOT / "app.py", env: dict[str, str] | None = None, timeout: float = 60.0, port: int | None = None
) -> Iterator[str]:
    """Start `streamlit run` on `port` (a free one by default); yield its base URL; stop it afterwards."""
    with running_server(script, env, timeout, port) as (url, _):
        yield url


@contextmanager
def running_server(
    script: Path = ROOT / "app.py", env: dict[str, str] | None = None, timeout: float = 60.0, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """As `running_app`, and the server's process too (its pid is the one server process: the load
    bench reads its CPU time and memory from /proc)."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
        "--server.runOnSave=false", "--client.toolbarMode=minimal",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, timeout)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_healthy(url: str, process: subprocess.Popen[str], timeout: float) -> float:
    """Seconds until the server answers its health check."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


MAP = ".st-key-body_map"  # the body map component's element
PLOT = f"{MAP} .mm-plot"
# The script has finished running and (with `diagram`) the diagram is drawn and has taken in every click
# it sent. Arguments: [diagram, MAP]. Shared with the async load bench (bench/load.py).
SETTLED_JS = """([diagram, map]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    if (!diagram) return true;
    const root = document.querySelector(map + ' [data-testid="stBidiComponentRegular"]');
    const plot = root && root.querySelector('.mm-plot');
    if (!plot || !plot._fullLayout || !root.dataset.drawn) return false;
    // A zoom sent and not yet taken in still has its rerun to come (and a rerun fades the page).
    if (Number(root.dataset.zoomAck || 0) < Number(root.dataset.zoomSent || 0)) return false;
    return (root.dataset.ack || '0') === (root.dataset.sent || '0') && root.dataset.predicted !== '1';
}"""
# Page pixel coordinates of a point of the figure, through the plot's own axes. Arguments: [x, y, PLOT].
FIGURE_TO_PAGE_JS = """([x, y, selector]) => {
    const plot = document.querySelector(selector);
    const layout = plot._fullLayout;
    const rect = plot.getBoundingClientRect();
    return {
        px: rect.left + layout._size.l + layout.xaxis.l2p(x),
        py: rect.top + layout._size.t + layout.yaxis.l2p(y),
    };
}"""


def wait_for_app(page: Page, timeout: float = 30_000, diagram: bool = True) -> None:
    """Until the script has finished running and (by default) the diagram is drawn and has taken in
    every click and zoom it sent (so the run that answered the last one is over, and the URL written)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(SETTLED_JS, arg=[diagram, MAP], timeout=timeout)
    page.wait_for_timeout(50)


def figure_to_page(page: Page, x: float, y: float) -> tuple[float, float]:
    """Page pixel coordinates of a point of the figure, through the plot's own axes."""
    box: dict[str, Any] = page.evaluate(FIGURE_TO_PAGE_JS, [x, y, PLOT])
    return float(box["px"]), float(box["py"])


def page_to_figure(page: Page, px: float, py: float) -> tuple[float, float]:
    """The figure coordinates under a page pixel."""
    xy: list[float] = page.evaluate(
        """([px, py, selector]) => {
            const plot = document.querySelector(selector);
            const layout = plot._fullLayout;
            const rect = plot.getBoundingClientRect();
            const x = px - rect.left - layout._size.l;
            const y = py - rect.top - layout._size.t;
            return [layout.xaxis.p2l(x), layout.yaxis.p2l(y)];
        }""",
        [px, py, PLOT],
    )
    return float(xy[0]), float(xy[1])


def map_state(page: Page) -> dict[str, str]:
    """The body map's own record: regions shaded, clicks sent and taken in, zoom, the active area."""
    state: dict[str, str] = page.evaluate(
        "(map) => ({...document.querySelector(map + ' [data-testid=\"stBidiComponentRegular\"]').dataset})", MAP
    )
    return state


def scroll_into_view(page: Page, x: float, y: float) -> tuple[float, float]:
    """Scroll so that a point of the figure is on screen, if need be; its page pixel coordinates."""
    px, py = figure_to_page(page, x, y)
    height = page.viewport_size["height"] if page.viewport_size else 800
    if not 40 <= py <= height - 40:
        page.mouse.move(px, height / 2)
        page.mouse.wheel(0, py - height / 2)  # Streamlit scrolls an inner container, not the window
        page.evaluate(SCROLL_SETTLED_JS)  # a busy browser may still be scrolling after a fixed wait
        px, py = figure_to_page(page, x, y)
    for _ in range(20):  # and the page may still be moving under the spot (a rerun laying it out again)
        page.evaluate(TWO_FRAMES_JS)  # a busy browser may not lay the page out in a fixed 40 ms
        again = figure_to_page(page, x, y)
        if abs(again[0] - px) < 0.5 and abs(again[1] - py) < 0.5:
            break
        px, py = again
    return px, py


# Resolves after two frames have been drawn (and at least 40 ms): any pending layout has been done.
TWO_FRAMES_JS = """() => new Promise((done) => {
    const started = performance.now();
    const rest = () => setTimeout(done, Math.max(0, 40 - (performance.now() - started)));
    requestAnimationFrame(() => requestAnimationFrame(rest));
})"""
# Resolves once the page's scroll position has not moved for three readings 50 ms apart (at most 5 s).
SCROLL_SETTLED_JS = """() => new Promise((done) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const position = () => (main ? main.scrollTop : window.scrollY);
    let last = position(), still = 0, waited = 0;
    const tick = () => {
        const now = position();
        still = now === last ? still + 1 : 0;
        last = now;
        waited += 50;
        if ((still >= 3 && waited >= 150) || waited >= 5000) done(true); else setTimeout(tick, 50);
    };
    setTimeout(tick, 50);
})"""


def click_figure(page: Page, x: float, y: float) -> None:
    """Scroll it into view if need be, then click a point of the figure, as a person would."""
    px, py = scroll_into_view(page, x, y)
    _not_a_double_click(page, px, py)
    page.mouse.move(px, py)
    page.mouse.click(px, py)


def click_and_wait(page: Page, x: float, y: float, timeout: float = 15_000) -> None:
    """Click the figure and wait until the app has taken the click in (when it sent one)."""
    click_figure(page, x, y)
    wait_for_app(page, timeout)


def tap_and_wait(page: Page, x: float, y: float, timeout: float = 15_000) -> None:
    """Tap a point of the figure with a finger, and wait until the app has taken it in."""
    px, py = scroll_into_view(page, x, y)
    _not_a_double_click(page, px, py)
    page.touchscreen.tap(px, py)
    wait_for_app(page, timeout)


# Two clicks or taps closer than this in time and space are a double click (zoom), as for a person.
DOUBLE_CLICK_MS = 400
DOUBLE_CLICK_PX = 40
_last_press: dict[int, tuple[float, float, float]] = {}


def _not_a_double_click(page: Page, px: float, py: float) -> None:
    """Wait, if need be, so that this press is not taken with the last one for a double click."""
    last = _last_press.get(id(page))
    if last is not None and abs(px - last[0]) + abs(py - last[1]) < DOUBLE_CLICK_PX:
        page.wait_for_timeout(max(0.0, DOUBLE_CLICK_MS - (time.perf_counter() - last[2]) * 1000))
    _last_press[id(page)] = (px, py, time.perf_counter())


def fingers(page: Page, paths: Sequence[Sequence[tuple[float, float]]]) -> None:
    """Touch the screen with one finger per path (page pixels), move them along in step, and lift
    them: real touch events through Chromium's input pipeline, so the page's touch-action rules
    decide what scrolls and what the diagram gets."""
    session = page.context.new_cdp_session(page)

    def points(step: int) -> list[dict[str, float]]:
        return [{"x": path[step][0], "y": path[step][1], "id": i} for i, path in enumerate(paths)]

    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for step in range(1, len(paths[0])):
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(step)})
        page.wait_for_timeout(16)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()
    page.wait_for_timeout(500)
