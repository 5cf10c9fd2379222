"""Content is text, never markup: see `meridian_map.markup` for the one escaping function."""

from __future__ import annotations

import re

from meridian_map.markup import WORD_JOINER, safe, shown

__all__ = ["WORD_JOINER", "link_target", "safe", "shown"]


def link_target(url: str) -> str:
    """A URL the app built itself, fit to sit in a Markdown link's `<...>` destination (no `<`, `>`,
    spaces or line breaks; percent-encoded instead)."""
    return re.sub(r"[<>\s\\]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)
