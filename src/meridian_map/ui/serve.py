"""The HTTP side: the page script, and plotly.js served compressed and cacheable.

Streamlit's component routes send files without a lifetime and gzip them again on every request;
plotly.js is 4.8 MB, so the app serves the copy in the installed `plotly` package itself, once
compressed, under a versioned address that browsers may keep for a year.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import plotly
from plotly.offline import get_plotlyjs_version
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE_SCRIPT = Path(__file__).with_name("streamlit_app.py")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_ROUTE = f"/meridian-map/plotly-{get_plotlyjs_version()}.min.js"
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
