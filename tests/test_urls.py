"""Hostile input: content text that tries to be markup, and links that try to break the page.

`safe` is the one escape for data on its way into Streamlit's Markdown or Plotly's text; the URL
parser never raises, names at most a few dropped values in one notice, and keeps the rest.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from meridian_map import ResolvedAtlas, figure
from meridian_map.links import PUBLIC_URL_ENV
from meridian_map.model import CHANNEL_IDS, VIEW_IDS
from meridian_map.quiz import subject_ids
from meridian_map.sheet import wrap
from meridian_map.ui import page
from meridian_map.ui.state import MODE_IDS, NAMED_AT_MOST, parse_url
from meridian_map.ui.text import WORD_JOINER, safe, shown

from .conftest import DATA
from .test_app import APP, component_data

# What a content file might carry to make the page fetch, navigate, run or restyle something.
PAYLOADS = (
    '<img src="https://leak.test/raw.png">',
    "<script>alert(1)</script>",
    "![i](https://leak.test/image.png)",
    "[secure page](javascript:alert(2))",
    "<https://leak.test/autolink>",
    "https://leak.test/bare www.leak.test mail@leak.test",
    ":red[red] :material/home: :smile: :+1:",
    "**bold** _it_ `code` ~~gone~~ $x^2$ | a | b |",
    '<a href="https://leak.test/plotly">a</a> <b>b</b>',
    "&#91;ref&#93;(https://leak.test/entity) &lt;img&gt;",
    "\\[escaped\\](https://leak.test/backslash)",
)
PAYLOAD = " ".join(PAYLOADS)
# Raw text that must never reach an element: any of it would be live markup.
LIVE = re.compile(
    r"<[a-z/!]|!\[|\]\(|javascript:|https?:|www\.|@leak|:red\[|:material/|:smile:|:\+1:|\*\*bold|`code|\$x"
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_shows_every_payload_as_written_and_leaves_no_markup(payload: str) -> None:
    escaped = safe(payload)
    assert shown(escaped) == payload
    assert not LIVE.search(escaped), escaped
    bare = re.sub(r"&#\d+;", "", escaped)  # only references, no syntax characters
    assert not set(bare) & set("<>[]*_`~|#$\\@&:"), escaped


def test_a_colon_before_a_word_is_kept_apart_from_it_so_no_shortcode_forms() -> None:
    assert safe(":smile:") == f"&#58;{WORD_JOINER}smile&#58;"
    assert safe("Note: this") == "Note&#58; this"  # nothing added where no shortcode could start
    assert safe("www.x.org and awww.y") == "www&#46;x.org and awww.y"


def test_safe_drops_control_characters_but_keeps_line_breaks() -> None:
    assert safe("a\x00b\x1bc\nd\te") == "abc\nd\te"


def test_plotly_labels_keep_their_line_breaks_and_nothing_else() -> None:
    assert figure._text("Iliac<br>crest L4") == "Iliac<br>crest L4"  # the layout's own break
    assert figure._text("<a href='https://x'>Shen</a><br>[x](y)") == safe(
        "<a href='https://x'>Shen</a>"
    ) + "<br>" + safe("[x](y)")


# -- every text field of the content file, with payloads -------------------------------------
TEXT_KEYS = {
    "text", "label", "english", "hanzi", "name", "patient_name", "pinyin", "summary_plain", "summary_traditional",
    "disclaimer", "title", "heading", "location", "note", "standard", "caveat", "plain", "traditional", "anatomy",
    "summary", "why", "evidence", "patient", "citation", "asks", "red_flags", "red_flags_general", "sources",
}  # fmt: skip


def hostile_content(path: Path) -> dict[str, str]:
    """data/meridians.yaml with a marker and every payload after each text field; returns marker -> field."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    fields: dict[str, str] = {}

    def inject(where: str, text: str) -> str:
        marker = f"«F{len(fields)}»"
        fields[marker] = where
        return f"{text} {marker} {PAYLOAD}"

    def walk(node: Any, where: str) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    inject(f"{where}.{key}", value)
                    if key in TEXT_KEYS and isinstance(value, str)
                    else [inject(f"{where}.{key}[]", v) for v in value]
                    if key in TEXT_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value)
                    else walk(value, f"{where}.{key}")
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(item, f"{where}[]") for item in node]
        return node

    path.write_text(yaml.safe_dump(walk(data, ""), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return fields


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("hostile") / "meridians.yaml"
    return path, hostile_content(path)


def texts(app: AppTest) -> list[str]:
    """Everything on the page that Streamlit renders as Markdown: text, labels, help."""
    found: list[str] = []
    for kind in ("markdown", "header", "subheader", "caption", "info", "warning", "error", "success"):
        found += [str(e.value) for e in app.get(kind)]
    for kind in ("button", "toggle", "expander", "multiselect", "selectbox", "radio", "text_input"):
        found += [str(getattr(e, "label", "")) for e in app.get(kind)]
        found += [str(getattr(e.proto, "help", "")) for e in app.get(kind)]
    for element in app.get("button_group"):  # pills and segmented controls: their options are Markdown
        found += [str(element.proto.label)] + [str(o.content) for o in element.proto.options]
    return found


MODES = {
    "explore": {"regions": "lower_back_left,sacrum", "point": "BL23", "channel": "BL"},
    "patient": {"mode": "patient", "regions": "lower_back_left"},
    "student": {"mode": "student", "seed": "3", "labels": "pinyin", "regions": "lower_back_left", "channel": "BL"},
}


@pytest.mark.parametrize("mode", MODES)
def test_every_text_field_reaches_the_page_as_text_only(
    mode: str, hostile: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, fields = hostile
    monkeypatch.setenv("MERIDIAN_MAP_DATA", str(path))
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in MODES[mode].items():
        app.query_params[key] = value
    app.run()
    assert not app.exception and not [e for e in app.error if "content file" in e.value]
    if mode == "explore":  # every area's "More" and the safety section opened, the pain profile's questions
        for key in ["safety", *(f"more_{region_id}" for region_id in MODES[mode]["regions"].split(","))]:
            app.session_state[key] = True  # and the search results too
        app.text_input(key="search_query").set_value("shenshu").run()
    link = "[Link to this view](<http://localhost:8501/?"  # the app's own link (its address, the state's ids)
    found = [t for t in texts(app) if not t.startswith(link)]
    for text in found:
        assert not LIVE.search(text), text
    markers = {m for text in found for m in re.findall(r"«F\d+»", shown(text))}
    assert markers, "no field of the content file reached the page"
    if mode == "explore":
        wanted = {"name", "hanzi", "pinyin", "english", "label", "plain", "traditional", "anatomy", "location"}
        assert wanted <= {fields[m].rsplit(".", 1)[-1].removesuffix("[]") for m in markers}
    # Plotly's text: trace names (the legend), point labels, annotations.
    drawn = component_data(app, "body_map")["drawing"]["figure"]
    plotly_texts = [t.get("name", "") for t in drawn["data"]]
    plotly_texts += [x for t in drawn["data"] for x in (t.get("text") or []) if isinstance(x, str)]
    assert any("«F" in shown(t) for t in plotly_texts)
    for text in plotly_texts:
        assert "<" not in text.replace("<br>", ""), text
        assert not LIVE.search(text.replace("<br>", "")), text


# -- links ---------------------------------------------------------------------------------
def test_a_known_area_said_twice_is_kept_once_and_not_reported(atlas: ResolvedAtlas) -> None:
    parsed = parse_url({"regions": "sacrum,sacrum, sacrum"}, atlas)
    assert parsed.regions == ("sacrum",) and parsed.ignored == () and parsed.notice is None


def test_fifty_thousand_unknown_areas_are_one_short_notice(atlas: ResolvedAtlas) -> None:
    start = time.process_time()  # this process's CPU: other jobs on a shared machine do not count
    parsed = parse_url({"regions": "a," * 50_000 + "sacrum"}, atlas)
    assert time.process_time() - start < 0.5
    assert parsed.regions == ("sacrum",) and parsed.ignored == ("region 'a'",)
    many = parse_url({"regions": ",".join(f"x{i}" for i in range(50_000))}, atlas)
    assert len(many.ignored) == NAMED_AT_MOST and many.ignored_count == 50_000
    assert many.notice == "Ignored from the link: unknown region 'x0', region 'x1', region 'x2' and 49,997 more."


@pytest.mark.parametrize("seed", ["9" * 4301, "²", "١٢", "12.5", "-3", "1e3", "0x10", "9" * 10])
def test_a_seed_that_is_no_short_number_is_ignored(atlas: ResolvedAtlas, seed: str) -> None:
    parsed = parse_url({"mode": "student", "seed": seed, "regions": "sacrum"}, atlas)
    assert parsed.seed is None and parsed.regions == ("sacrum",) and parsed.mode == "student"
    assert parsed.notice is not None and len(parsed.notice) < 200


@pytest.mark.parametrize(("answered", "kept"), [("3", 3), ("12", 12), ("123", 0), ("²", 0), ("-1", 0), ("", 0)])
def test_how_far_a_round_got_is_a_short_number_or_ignored(atlas: ResolvedAtlas, answered: str, kept: int) -> None:
    parsed = parse_url({"mode": "student", "seed": "42", "answered": answered}, atlas)
    assert parsed.answered == kept and parsed.seed == 42
    assert (parsed.notice is None) == bool(kept or not answered)


def test_a_long_value_is_quoted_short_and_control_characters_are_not_quoted(atlas: ResolvedAtlas) -> None:
    parsed = parse_url({"point": "x" * 100_000, "view": "a\x00\x1b[31mb"}, atlas)
    assert parsed.ignored == ("point '" + "x" * 40 + "…'", "view 'a\ufffd\ufffd[31mb'")


KEYS = ("regions", "channels", "point", "channel", "view", "mode", "seed", "labels", "landmarks", "zoom", "retry")
NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["<script>alert(1)</script>", "%3Cscript%3E", "%00", "\x00\r\n", "²", "9" * 5000, ",,,", " , "]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda s: s * 500),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), NASTY, max_size=8),
    regions=st.lists(st.sampled_from(["sacrum", "lower_back_left", "neck_right"]), max_size=4),
    point=st.sampled_from([None, "BL23", "GV4"]),
)
def test_the_url_parser_never_raises_and_keeps_what_it_knows(
    atlas: ResolvedAtlas, junk: dict[str, str], regions: list[str], point: str | None
) -> None:
    parsed = parse_url(junk, atlas)  # anything at all
    assert set(parsed.regions) <= set(atlas.region_labels) and len(set(parsed.regions)) == len(parsed.regions)
    assert set(parsed.channels) <= set(CHANNEL_IDS) and parsed.view in VIEW_IDS and parsed.mode in MODE_IDS
    assert parsed.point is None or parsed.point in atlas.points
    assert set(parsed.retry) <= set(subject_ids(atlas))
    assert len(parsed.ignored) <= NAMED_AT_MOST and (parsed.notice is None or len(parsed.notice) < 400)
    # Known values beside junk in the other parameters are kept.
    mixed = {k: v for k, v in junk.items() if k not in ("regions", "point")}
    mixed["regions"] = ",".join([*regions, *(v for v in junk.values() if v)][:50])
    if point:
        mixed["point"] = point
    kept = parse_url(mixed, atlas)
    assert list(kept.regions)[: len(dict.fromkeys(regions))] == list(dict.fromkeys(regions))
    assert kept.point == point


HOSTILE_LINKS = {
    "fifty thousand areas": {"regions": "a," * 50_000},
    "a long seed": {"mode": "student", "seed": "9" * 4301},
    "a superscript seed": {"mode": "student", "seed": "²"},
    "script everywhere": {k: "<script>alert(1)</script>![i](https://leak.test/x)" for k in KEYS},
    "control characters": {"regions": "sacrum,\x00\x1b[2J", "point": "\r\nBL23", "zoom": "nan,inf,-inf,1e309"},
}


@pytest.mark.parametrize("query", HOSTILE_LINKS.values(), ids=HOSTILE_LINKS)
def test_a_hostile_link_shows_the_page_with_one_notice_at_most(query: dict[str, str]) -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    notices = [i.value for i in app.info if "Ignored from the link" in shown(i.value)]
    assert len(notices) == 1 and len(notices[0]) < 1000
    assert not LIVE.search(notices[0])
    app.run()  # said once
    assert not [i for i in app.info if "Ignored from the link" in shown(i.value)]


# -- already in place: checked here -------------------------------------------------------
def test_the_share_link_comes_from_the_public_address_not_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://maps.example.org/clinic")
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["regions"] = "sacrum"
    app.run()
    links = [m.value for m in app.markdown if "Link to this view" in m.value]
    assert links == [
        "[Link to this view](<https://maps.example.org/clinic/?regions=sacrum>) · copy or send it to open this view "
        "again."
    ]


def test_the_tab_icon_ships_with_the_app() -> None:
    assert page.ICON.startswith("data:image/svg+xml,") and "http" not in page.ICON.split("xmlns")[0]
    assert not page.ICON.startswith(":material")


def test_a_long_unbroken_word_wraps_in_linear_time() -> None:
    took = []
    for length in (2_000, 20_000):
        start = time.perf_counter()
        assert "".join(wrap("x" * length, 21, 300)) == "x" * length
        took.append(time.perf_counter() - start)
    assert took[1] < 0.5, took
