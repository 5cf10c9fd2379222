"""Content is text, never markup."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~$])")


def safe(text: str) -> str:
    """Escape what Markdown would interpret, so content shows as written."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
