"""The HTTP side: the page script, and plotly.js served compressed and cacheable.

The diagram draws only scatter traces, so the page loads Plotly's own "basic" partial bundle
(`assets/vendor/`, from the npm package plotly.js-basic-dist-min; `make vendor` refreshes it): 1.2 MB
to parse instead of the full 4.8 MB, which cost 1.2 s of a page load here. Streamlit's component
routes send files without a lifetime and gzip them again on every request, so the app serves it
itself: compressed once, under a versioned address that browsers may keep for a year.
"""

from __future__ import annotations

import gzip
import importlib
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE_SCRIPT = Path(__file__).with_name("streamlit_app.py")
PLOTLY_JS = Path(__file__).parent / "assets" / "vendor" / "plotly-basic.min.js"


def bundle_version(path: Path = PLOTLY_JS) -> str:
    """The version the bundle's own header names ("plotly.js (basic - minified) v4.1.1")."""
    with path.open(encoding="utf-8") as bundle:
        header = bundle.read(200)
    match = re.search(r"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)", header)
    if match is None:
        raise RuntimeError(f"{path} does not start with a plotly.js basic bundle header")
    return match.group(1)


PLOTLY_ROUTE = f"/meridian-map/plotly-basic-{bundle_version()}.min.js"
YEAR = 365 * 24 * 3600


@cache
def _plotly_bytes(compressed: bool) -> bytes:
    raw = PLOTLY_JS.read_bytes()
    return gzip.compress(raw, compresslevel=9, mtime=0) if compressed else raw


async def _plotly_js(request: Request) -> Response:
    compressed = "gzip" in request.headers.get("accept-encoding", "")
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable", "Vary": "Accept-Encoding"}
    if compressed:
        headers["Content-Encoding"] = "gzip"
    return Response(_plotly_bytes(compressed), media_type="text/javascript", headers=headers)


ROUTES = [Route(PLOTLY_ROUTE, _plotly_js)]


_warming: threading.Thread | None = None


def _warm(warm: Callable[[], None]) -> None:
    """What the first visitor would otherwise wait for: the content, its back-view drawing, the
    compressed plotly.js, and pandas (Streamlit's component call imports it on first use: 0.7 s here)."""
    _plotly_bytes(compressed=True)
    importlib.import_module("pandas")
    warm()


def wait_until_warm(timeout: float = 120.0) -> None:
    """Let a page run wait for the warm-up still under way, rather than build the same caches beside
    it: two threads importing the same modules at once can see one half-initialised (numpy did)."""
    if _warming is not None and _warming is not threading.current_thread():
        _warming.join(timeout)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Warm the caches beside the server as it starts: it answers at once, and the first page finds
    them filled (or nearly). The page's modules are imported first, here, so that only one thread
    imports them; imported here, not above: the page imports this module."""
    global _warming
    from .page import warm

    # Plotly looks numpy up in sys.modules without the import lock: a module another thread is still
    # importing reads as half-initialised there. Import it whole before any thread or session starts.
    importlib.import_module("numpy")

    _warming = threading.Thread(target=_warm, args=(warm,), name="meridian-map-warm", daemon=True)
    _warming.start()
    yield
