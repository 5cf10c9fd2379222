"""The link that opens a view again, built from the app's own address, never from the request.

`MERIDIAN_MAP_PUBLIC_URL` (say `https://meridian-map.example.org/clinic/`) is the
address people reach the app at; a link built on it opens the same view on any
phone or computer. Without it the app knows only its local address, so the
link works on the computer that runs it and the sheet says so. The address a
browser asked for is never used: a long or crafted path would end up in every
link and on every printed sheet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

PUBLIC_URL_ENV = "MERIDIAN_MAP_PUBLIC_URL"
MAX_BASE_LENGTH = 300  # a public address is short; anything longer is a mistake, not an address


@dataclass(frozen=True)
class ShareLink:
    url: str
    public: bool  # True when it opens from anywhere (the public address is set)


def public_base(environ: Mapping[str, str] | None = None) -> str | None:
    """The public address from the environment, ending in '/', or None when unset or not a plain
    http(s) address (no credentials, query or fragment)."""
    raw = (os.environ if environ is None else environ).get(PUBLIC_URL_ENV, "").strip()
    if not raw or len(raw) > MAX_BASE_LENGTH or any(c.isspace() or ord(c) < 32 for c in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    if parts.query or parts.fragment:
        return None
    path = quote(parts.path, safe="/-._~%") or "/"
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}/"


def local_base(port: int | str = 8501, base_path: str = "") -> str:
    """The app's address on this computer, from its configured port and base path."""
    path = "/".join(quote(part, safe="-._~") for part in str(base_path).split("/") if part)
    return f"http://localhost:{int(port)}/" + (f"{path}/" if path else "")


def share_link(
    query: Mapping[str, str],
    *,
    port: int | str = 8501,
    base_path: str = "",
    environ: Mapping[str, str] | None = None,
) -> ShareLink:
    """The link for a view's query parameters, on the public address if there is one."""
    base = public_base(environ)
    public = base is not None
    if base is None:
        base = local_base(port, base_path)
    encoded = urlencode(query, safe=",")
    return ShareLink(f"{base}?{encoded}" if encoded else base, public)
