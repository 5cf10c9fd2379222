"""Content is text, never markup: the one escaping function for whatever the content file says.

Pure (no Streamlit): the figure uses it for Plotly text, `ui.text` for everything Streamlit renders.

Every piece of data that reaches Streamlit's Markdown (text, headings, captions, notices, widget
labels and help) or Plotly's text (trace names, text labels, annotations) goes through `safe`.

The characters that could start markup are written as numeric character references (`&#91;` for
`[`). Both renderers turn these back into the character as plain text: CommonMark treats a
reference as literal text, never as syntax, and Plotly decodes them in its text nodes after it
has picked out its own tags. So one escape serves both, and what shows is what the file says:

- no raw HTML or autolink (`<`, `>`, `&`), no Plotly `<a href>`;
- no Markdown link or image (`[`, `]`), so nothing is fetched and no link is planted;
- no emphasis, code, tables, headings or maths (`*`, `_`, backtick, `~`, `|`, `#`, `$`, `\\`);
- no bare-address links (GFM links `https://...`, `www.x`, `a@b`): `:`, `@` and the dot after
  `www` are references too;
- no Streamlit colour or icon directive (`:red[...]`, `:material/...:`) and no emoji shortcode
  (`:smile:`): Streamlit matches shortcodes in the text after parsing, so a colon directly before
  a letter or digit is followed by an invisible WORD JOINER (U+2060), which no shortcode contains.
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD_JOINER = "\u2060"
_SPECIALS = frozenset("&<>[]*_`~|#$\\:@")
_SPECIAL = re.compile("[" + re.escape("".join(sorted(_SPECIALS))) + "]|(?<![^\\W_])(?i:www)\\.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _reference(match: re.Match[str]) -> str:
    found = match.group()
    if found[-1] == "." and len(found) > 1:  # www. : the dot is what makes it a link
        return found[:-1] + "&#46;"
    return f"&#{ord(found)};"


def safe(text: str) -> str:
    """`text` as Markdown or Plotly text that shows exactly these characters and nothing else."""
    if type(text) is str and len(text) <= SAFE_CACHED_CHARS:
        return _safe(text)
    return _escape(str(text))


# The page escapes the same content texts on every rerun of every session (some 400 per click with ten
# areas chosen): remembered, as the pure function of the text it is. Bounded in entries and in the length
# of a text kept (what a visitor types or links reaches it only in a few short notices), thread-safe.
SAFE_CACHE_SIZE = 4096
SAFE_CACHED_CHARS = 8192


def _escape(text: str) -> str:
    escaped = _SPECIAL.sub(_reference, _CONTROL.sub("", text))
    return _COLON_LETTER.sub("&#58;" + WORD_JOINER, escaped)


_COLON_LETTER = re.compile(r"&#58;(?=[\w+\-])")
_safe = lru_cache(maxsize=SAFE_CACHE_SIZE)(_escape)


def shown(markup: str) -> str:
    """What `safe(text)` shows (the inverse, for tests and measuring): references decoded, joiners gone."""
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), markup).replace(WORD_JOINER, "")
