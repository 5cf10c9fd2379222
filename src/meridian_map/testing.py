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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the app itself does not need Playwright
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]

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
    script: Path = ROOT / "app.py", env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """Start `streamlit run` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
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
        yield url
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


def wait_for_app(page: Page, timeout: float = 30_000, diagram: bool = True) -> None:
    """Until the script has finished running and (by default) the diagram is drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """(diagram) => {
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            if (status && /Running|Stop/.test(status.innerText)) return false;
            if (!diagram) return true;
            // Exactly one diagram: after a click the chart is remounted under a new key.
            const charts = document.querySelectorAll('[class*="st-key-body_chart_"] .js-plotly-plot');
            const plot = charts.length === 1 ? charts[0] : null;
            return Boolean(plot && plot._fullLayout && plot.data && plot.data.length);
        }""",
        arg=diagram,
        timeout=timeout,
    )
    page.wait_for_timeout(150)


def figure_to_page(page: Page, x: float, y: float) -> tuple[float, float]:
    """Page pixel coordinates of a point of the figure, through the plot's own axes."""
    box: dict[str, Any] = page.evaluate(
        """([x, y]) => {
            const plot = document.querySelector('.js-plotly-plot');
            const layout = plot._fullLayout;
            const rect = plot.getBoundingClientRect();
            return {
                px: rect.left + layout._size.l + layout.xaxis.l2p(x),
                py: rect.top + layout._size.t + layout.yaxis.l2p(y),
            };
        }""",
        [x, y],
    )
    return float(box["px"]), float(box["py"])


def chart_key(page: Page) -> str:
    """The diagram widget's key: it changes whenever a click has been taken in."""
    key: str = page.evaluate(
        """() => [...document.querySelector('[class*="st-key-body_chart_"]').classList]
                 .find(c => c.startsWith('st-key-body_chart_'))"""
    )
    return key


def scroll_into_view(page: Page, x: float, y: float) -> tuple[float, float]:
    """Scroll so that a point of the figure is on screen, if need be; its page pixel coordinates."""
    px, py = figure_to_page(page, x, y)
    height = page.viewport_size["height"] if page.viewport_size else 800
    if not 40 <= py <= height - 40:
        page.mouse.move(px, height / 2)
        page.mouse.wheel(0, py - height / 2)  # Streamlit scrolls an inner container, not the window
        page.wait_for_timeout(300)
        px, py = figure_to_page(page, x, y)
    return px, py


def click_figure(page: Page, x: float, y: float) -> None:
    """Scroll it into view if need be, hover, then click a point of the figure, as a person would."""
    px, py = scroll_into_view(page, x, y)
    page.mouse.move(px, py)
    page.wait_for_timeout(60)  # let Plotly register the hover before the click
    page.mouse.click(px, py)


def click_and_wait(page: Page, x: float, y: float, timeout: float = 15_000) -> None:
    """Click the figure and wait until the app has taken the click in and redrawn.

    A click that lands while Plotly is still settling after a redraw or a scroll is sometimes
    not registered (once in roughly 360 clicks in our runs); like a person, the test then clicks again."""
    before = chart_key(page)
    gone = "(before) => !document.querySelector('.' + before)"
    click_figure(page, x, y)
    try:
        page.wait_for_function(gone, arg=before, timeout=6_000)
    except PlaywrightTimeout:
        click_figure(page, x, y)
        page.wait_for_function(gone, arg=before, timeout=timeout)
    wait_for_app(page, timeout)
