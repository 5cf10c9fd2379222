"""Find points by any of their names, for the explore mode's search box.

A query may be a code in any common form ("BL23", "bl 23", "UB-23", "Du4",
"K3", "Kidney 3"), pinyin with or without spaces and tone marks ("shèn shū"),
hanzi ("肾俞") or English ("kidney shu", words in any order). The index is
normalised once per atlas (`search_index`), so a search is a plain scan of
short strings.

Pure domain code: no Streamlit, no I/O.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from .atlas import ResolvedAtlas
from .model import CHANNEL_IDS, VIEW_IDS, Point, ViewId

MatchField = Literal["code", "pinyin", "hanzi", "english"]

# Scores: higher is better. Within one score, channel order then point number decide.
EXACT_CODE = 100.0
EXACT_NAME = 90.0
NAME_PREFIX = 75.0
CODE_PREFIX = 70.0
NAME_SUBSTRING = 60.0
WORDS_ANY_ORDER = 50.0
SAME_NUMBER = 40.0
WHOLE_CHANNEL = 30.0

# How people write the four channels. Single letters are the old abbreviations
# (B = Bladder, K = Kidney, G = Gallbladder); none is ambiguous among these four
# channels, since the Governing Vessel is written GV or Du, never G.
CHANNEL_ALIASES: dict[str, str] = {
    "BL": "BL",
    "UB": "BL",
    "B": "BL",
    "BLADDER": "BL",
    "KI": "KI",
    "KID": "KI",
    "KD": "KI",
    "K": "KI",
    "KIDNEY": "KI",
    "GV": "GV",
    "DU": "GV",
    "DUMAI": "GV",
    "GOV": "GV",
    "GOVERNINGVESSEL": "GV",
    "GOVERNORVESSEL": "GV",
    "GB": "GB",
    "G": "GB",
    "GALLBLADDER": "GB",
}

_CODE_SHAPE = re.compile(r"^([A-Z]*)([0-9]+)$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['’ʼ`]")
# Shorter queries match at the start of a name only ("gb" is not Yangbai, "ao" not half the list).
_MIN_PINYIN_SUBSTRING = 3
_MIN_ENGLISH_SUBSTRING = 2


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One point found: what to show in the results list and which view to open it on."""

    code: str
    label: str  # "BL23 Shenshu 肾俞 · Kidney Shu"
    matched: MatchField
    score: float
    view: ViewId


@dataclass(frozen=True, slots=True)
class _Entry:
    """One point, normalised once for matching."""

    code: str
    channel: str
    number: int
    order: tuple[int, int]  # channel order (BL, KI, GV, GB), then point number
    pinyin: str  # "shenshu"
    hanzi: str  # "肾俞"
    english: str  # "kidney shu"
    label: str
    view: ViewId


# -- normalising ---------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower case without accents or tone marks: 'Shèn Shū' -> 'shen shu'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def pinyin_key(text: str) -> str:
    """Pinyin as bare letters, for comparison: 'Shèn Shū', 'shen4 shu1', 'SHENSHU' -> 'shenshu'."""
    return "".join(c for c in fold(text) if "a" <= c <= "z")


def hanzi_key(text: str) -> str:
    """Hanzi without spaces or width variants."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def english_key(text: str) -> str:
    """English as lower-case words separated by single spaces: "Brain's Door" -> 'brains door'."""
    return " ".join(_NOT_ALNUM.split(_APOSTROPHES.sub("", fold(text)))).strip()


def normalise_code(text: str) -> str | None:
    """The canonical code a code-shaped query names ('bl 023', 'UB-23' -> 'BL23'), else None.

    Does not check that the point exists."""
    parsed = _parse_code(text)
    if parsed is None or parsed[0] is None or parsed[1] == 0:
        return None
    return f"{parsed[0]}{parsed[1]}"


def _parse_code(text: str) -> tuple[str | None, int] | None:
    """(channel or None for a bare number, number) for a code-shaped query, else None."""
    compact = re.sub(r"[\s.\-_/]+", "", fold(text)).upper()
    match = _CODE_SHAPE.match(compact)
    if match is None:
        return None
    prefix, digits = match.groups()
    if not prefix:
        return None, int(digits)
    channel = CHANNEL_ALIASES.get(prefix)
    return None if channel is None else (channel, int(digits))


def _channel_only(text: str) -> str | None:
    """The channel a query of a channel name alone names ('BL', 'Du', 'kidney'); single letters don't count."""
    compact = re.sub(r"[\s.\-_/]+", "", fold(text)).upper()
    return CHANNEL_ALIASES.get(compact) if len(compact) > 1 else None


# -- labels and views ----------------------------------------------------------------------
def point_label(point: Point) -> str:
    """How a point reads in a results list: 'BL23 Shenshu 肾俞 · Kidney Shu'."""
    return f"{point.code} {point.pinyin} {point.hanzi} · {point.english}"


def best_view(atlas: ResolvedAtlas, code: str) -> ViewId:
    """The view to show a point on: the first of posterior, lateral, anterior that places it."""
    views = atlas.views or {atlas.view: atlas}
    for view in VIEW_IDS:
        resolved = views.get(view)
        if resolved is not None and code in resolved.positions:
            return view
    return VIEW_IDS[-1]


# -- the index -----------------------------------------------------------------------------
class SearchIndex:
    """Every point of one atlas, normalised for matching; build once, search many times."""

    def __init__(self, atlas: ResolvedAtlas) -> None:
        self.entries: tuple[_Entry, ...] = tuple(
            sorted((_entry(atlas, point) for point in atlas.atlas.points), key=lambda e: e.order)
        )
        self._by_code = {entry.code: entry for entry in self.entries}

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """The best `limit` matches for `query`, best first; [] for an empty or unmatched query."""
        if limit <= 0 or not query.strip():
            return []
        best: dict[str, tuple[float, MatchField]] = {}
        for code, score, matched in self._matches(query):
            if code not in best or score > best[code][0]:
                best[code] = (score, matched)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], self._by_code[item[0]].order))
        return [self._hit(code, score, matched) for code, (score, matched) in ranked[:limit]]

    def _matches(self, query: str) -> list[tuple[str, float, MatchField]]:
        """Every (code, score, field) the query matches, possibly several per point."""
        parsed = _parse_code(query)
        if parsed is not None:
            return self._code_matches(*parsed)
        found = self._name_matches(query)
        channel = _channel_only(query)
        if channel is not None:
            found += [(e.code, WHOLE_CHANNEL, "code") for e in self.entries if e.channel == channel]
        return found

    def _code_matches(self, channel: str | None, number: int) -> list[tuple[str, float, MatchField]]:
        """An exact code, then codes it begins ('BL2' -> BL20-BL29); a bare number matches it on every channel."""
        if channel is None:
            return [(e.code, SAME_NUMBER, "code") for e in self.entries if e.number == number]
        found: list[tuple[str, float, MatchField]] = []
        if number == 0:
            return found
        for entry in self.entries:
            if entry.channel != channel:
                continue
            if entry.number == number:
                found.append((entry.code, EXACT_CODE, "code"))
            elif str(entry.number).startswith(str(number)):
                found.append((entry.code, CODE_PREFIX, "code"))
        return found

    def _name_matches(self, query: str) -> list[tuple[str, float, MatchField]]:
        """Pinyin, hanzi and English matches, in that order of preference for equal scores."""
        pinyin, hanzi, english = pinyin_key(query), hanzi_key(query), english_key(query)
        words = tuple(english.split())
        found: list[tuple[str, float, MatchField]] = []
        for entry in self.entries:
            scores: tuple[tuple[MatchField, float], ...] = (
                ("pinyin", _text_score(entry.pinyin, pinyin, _MIN_PINYIN_SUBSTRING)),
                ("hanzi", _text_score(entry.hanzi, hanzi, 1)),
                ("english", _english_score(entry.english, english, words)),
            )
            found += [(entry.code, score, matched) for matched, score in scores if score]
        return found

    def _hit(self, code: str, score: float, matched: MatchField) -> SearchHit:
        entry = self._by_code[code]
        return SearchHit(code=code, label=entry.label, matched=matched, score=score, view=entry.view)


def _entry(atlas: ResolvedAtlas, point: Point) -> _Entry:
    """Normalise one point for the index."""
    channel_rank = CHANNEL_IDS.index(point.channel) if point.channel in CHANNEL_IDS else len(CHANNEL_IDS)
    return _Entry(
        code=point.code,
        channel=point.channel,
        number=point.number,
        order=(channel_rank, point.number),
        pinyin=pinyin_key(point.pinyin),
        hanzi=hanzi_key(point.hanzi),
        english=english_key(point.english),
        label=point_label(point),
        view=best_view(atlas, point.code),
    )


def _text_score(name: str, query: str, min_substring: int) -> float:
    """Exact, prefix or (for long enough queries) substring match of one normalised name."""
    if not query:
        return 0.0
    if name == query:
        return EXACT_NAME
    if name.startswith(query):
        return NAME_PREFIX
    if len(query) >= min_substring and query in name:
        return NAME_SUBSTRING
    return 0.0


def _english_score(name: str, query: str, words: tuple[str, ...]) -> float:
    """The English name as a phrase, else every query word somewhere in it, in any order."""
    score = _text_score(name, query, _MIN_ENGLISH_SUBSTRING)
    if score or len(words) < 2:
        return score
    return WORDS_ANY_ORDER if all(word in name for word in words) else 0.0


# -- one index per atlas -------------------------------------------------------------------
_CACHE_SIZE = 4
_cache: OrderedDict[int, tuple[ResolvedAtlas, SearchIndex]] = OrderedDict()
_cache_lock = threading.Lock()


def search_index(atlas: ResolvedAtlas) -> SearchIndex:
    """The index for an atlas, built on first use; all views of one atlas share it.

    Keyed on the identity of the atlas's shared `views` dict (a ResolvedAtlas is not
    cheaply hashable); the cache holds the atlas, so the identity cannot be reused."""
    key = id(atlas.views)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0].views is atlas.views:
            _cache.move_to_end(key)
            return cached[1]
    index = SearchIndex(atlas)
    with _cache_lock:
        _cache[key] = (atlas, index)
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index


def search_points(atlas: ResolvedAtlas, query: str, limit: int = 10) -> list[SearchHit]:
    """Points matching `query` by code, pinyin, hanzi or English name, best first."""
    return search_index(atlas).search(query, limit)
