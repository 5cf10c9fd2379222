"""Search over points by code, pinyin, hanzi or English, against the real content."""

from __future__ import annotations

import dataclasses
import itertools
import time

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.search import (
    SearchHit,
    SearchIndex,
    best_view,
    normalise_code,
    point_label,
    search_index,
    search_points,
)


def codes(atlas: ResolvedAtlas, query: str, limit: int = 10) -> list[str]:
    return [hit.code for hit in search_points(atlas, query, limit)]


def top(atlas: ResolvedAtlas, query: str) -> SearchHit:
    hits = search_points(atlas, query)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


# -- codes ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("BL23", "BL23"),
        ("bl 23", "BL23"),
        ("BL-23", "BL23"),
        ("bl23", "BL23"),
        ("UB23", "BL23"),
        ("B23", "BL23"),
        ("BL023", "BL23"),
        ("  bl.23 ", "BL23"),
        ("K3", "KI3"),
        ("KID3", "KI3"),
        ("ki 3", "KI3"),
        ("Kidney 3", "KI3"),
        ("Du4", "GV4"),
        ("DU 4", "GV4"),
        ("GV4", "GV4"),
        ("G34", "GB34"),
        ("GB 34", "GB34"),
        ("gb034", "GB34"),
    ],
)
def test_code_in_any_common_form_ranks_first(atlas: ResolvedAtlas, query: str, code: str) -> None:
    hit = top(atlas, query)
    assert (hit.code, hit.matched) == (code, "code")
    assert hit.score == max(h.score for h in search_points(atlas, query))


def test_code_prefix_lists_the_exact_code_first_then_longer_codes(atlas: ResolvedAtlas) -> None:
    assert codes(atlas, "BL2", limit=4) == ["BL2", "BL20", "BL21", "BL22"]


def test_code_outside_the_content_finds_nothing(atlas: ResolvedAtlas) -> None:
    assert search_points(atlas, "BL99") == []
    assert search_points(atlas, "KI0") == []
    assert search_points(atlas, "XX23") == []


def test_a_bare_number_finds_that_number_on_every_channel_in_channel_order(atlas: ResolvedAtlas) -> None:
    assert codes(atlas, "23") == ["BL23", "KI23", "GV23", "GB23"]


def test_a_channel_name_alone_lists_its_points(atlas: ResolvedAtlas) -> None:
    assert codes(atlas, "GB", limit=3) == ["GB1", "GB2", "GB3"]


@pytest.mark.parametrize(
    ("text", "code"), [("ub-023", "BL23"), ("Du 4", "GV4"), ("g34", "GB34"), ("shenshu", None), ("BL0", None)]
)
def test_normalise_code(text: str, code: str | None) -> None:
    assert normalise_code(text) == code


# -- pinyin --------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["shenshu", "Shen Shu", "shèn shū", "SHENSHU", "shen4 shu1", "Shenshu"])
def test_pinyin_ignores_spaces_case_and_tones(atlas: ResolvedAtlas, query: str) -> None:
    hit = top(atlas, query)
    assert (hit.code, hit.matched) == ("BL23", "pinyin")


def test_partial_pinyin_finds_the_point(atlas: ResolvedAtlas) -> None:
    hit = top(atlas, "weizh")
    assert (hit.code, hit.matched) == ("BL40", "pinyin")
    assert "GB34" in codes(atlas, "lingquan")  # inside the name, not only at its start


def test_exact_pinyin_beats_a_prefix(atlas: ResolvedAtlas) -> None:
    hits = search_points(atlas, "jingmen")
    assert hits[0].code == "GB25"  # Jingmen, not Jingming
    assert "BL1" not in [h.code for h in hits]


# -- hanzi ---------------------------------------------------------------------------------
def test_hanzi(atlas: ResolvedAtlas) -> None:
    hit = top(atlas, "肾俞")
    assert (hit.code, hit.matched) == ("BL23", "hanzi")
    assert top(atlas, "委中").code == "BL40"


def test_partial_hanzi(atlas: ResolvedAtlas) -> None:
    assert codes(atlas, "委") == ["BL39", "BL40"]
    assert top(atlas, "阳陵").code == "GB34"


# -- English -------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "code"), [("kidney shu", "BL23"), ("Kidney Shu", "BL23"), ("wind pool", "GB20")])
def test_english(atlas: ResolvedAtlas, query: str, code: str) -> None:
    hit = top(atlas, query)
    assert (hit.code, hit.matched) == (code, "english")


def test_english_words_in_any_order_and_substrings(atlas: ResolvedAtlas) -> None:
    assert top(atlas, "shu kidney").code == "BL23"
    assert top(atlas, "pool").code == "GB20"
    assert top(atlas, "brains door").code == "GV17"  # "Brain's Door"
    assert top(atlas, "sea of qi").code == "BL24"  # "Sea-of-Qi Shu"


def test_english_words_must_all_be_present(atlas: ResolvedAtlas) -> None:
    assert search_points(atlas, "kidney pool") == []


# -- empty, nonsense, ordering, limit ------------------------------------------------------
@pytest.mark.parametrize("query", ["", "   ", "\t\n", "xyzzy", "qqq", "12345", "!!!"])
def test_empty_and_nonsense_find_nothing(atlas: ResolvedAtlas, query: str) -> None:
    assert search_points(atlas, query) == []


def test_ties_follow_channel_order_then_point_number(atlas: ResolvedAtlas) -> None:
    hits = search_points(atlas, "shu", limit=200)
    channel_order = ["BL", "KI", "GV", "GB"]
    for a, b in itertools.pairwise(hits):
        if a.score == b.score:
            key_a = (channel_order.index(a.code[:2]), int(a.code[2:]))
            key_b = (channel_order.index(b.code[:2]), int(b.code[2:]))
            assert key_a < key_b, (a, b)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_ties_across_channels(atlas: ResolvedAtlas) -> None:
    # Yang Mound Spring (GB34) and Water Spring (KI5), Gushing Spring (KI1): all "spring" substrings.
    assert codes(atlas, "spring") == ["KI1", "KI5", "GB34"]


def test_limit(atlas: ResolvedAtlas) -> None:
    assert len(search_points(atlas, "shu")) == 10
    assert len(search_points(atlas, "shu", limit=3)) == 3
    assert search_points(atlas, "shu", limit=0) == []


def test_each_point_appears_once_with_its_best_match(atlas: ResolvedAtlas) -> None:
    hits = search_points(atlas, "kidney", limit=200)
    assert len({h.code for h in hits}) == len(hits)
    assert hits[0].code == "BL23" and hits[0].matched == "english"  # the name beats the channel listing


# -- hits: label and view ------------------------------------------------------------------
def test_hit_fields(atlas: ResolvedAtlas) -> None:
    hit = top(atlas, "BL23")
    assert hit == SearchHit(
        code="BL23", label="BL23 Shenshu 肾俞 · Kidney Shu", matched="code", score=hit.score, view="posterior"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.code = "BL24"  # type: ignore[misc]
    assert point_label(atlas.points["GB20"]) == "GB20 Fengchi 风池 · Wind Pool"


@pytest.mark.parametrize(
    ("query", "view"),
    [
        ("BL23", "posterior"),  # back only
        ("BL58", "posterior"),  # back and side: back preferred
        ("GB2", "lateral"),  # side only
        ("GB1", "lateral"),  # side and front: side preferred
        ("KI3", "posterior"),  # back and front: back preferred
        ("KI1", "anterior"),  # front only
    ],
)
def test_view_prefers_posterior_then_lateral_then_anterior(atlas: ResolvedAtlas, query: str, view: str) -> None:
    assert top(atlas, query).view == view


def test_every_hit_view_shows_the_point(atlas: ResolvedAtlas) -> None:
    for point in atlas.atlas.points:
        view = best_view(atlas, point.code)
        assert point.code in atlas.on(view).positions


# -- index and speed -----------------------------------------------------------------------
def test_index_is_built_once_per_atlas_and_shared_by_its_views(atlas: ResolvedAtlas) -> None:
    index = search_index(atlas)
    assert isinstance(index, SearchIndex)
    assert search_index(atlas) is index
    assert search_index(atlas.on("lateral")) is index
    assert len(index.entries) == len(atlas.atlas.points)


def test_searching_from_another_view_gives_the_same_hits(atlas: ResolvedAtlas) -> None:
    assert search_points(atlas.on("anterior"), "shu") == search_points(atlas, "shu")


def test_search_is_fast(atlas: ResolvedAtlas) -> None:
    queries = ["BL23", "shu", "shèn shū", "肾俞", "kidney shu", "w", "shu kidney", "xyzzy", "委", "du"]
    search_index(atlas)  # built once, outside the timing
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            search_points(atlas, query)
    per_search = (time.perf_counter() - start) / (rounds * len(queries))
    assert per_search < 0.005 / 2, f"{per_search * 1000:.2f} ms per search"
