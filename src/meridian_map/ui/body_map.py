"""The body map component: the Streamlit binding of `assets/body_map.js`.

Two mounts. `body_map` draws the diagram and sends clicks; its data (the drawing, ~100 KB) stays
the same across clicks, so Streamlit sends it by reference and the browser never redraws it.
`body_map_highlight` carries what a click changes (well under 1 KB) to the drawn map.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import streamlit as st

from meridian_map import diagram
from meridian_map.atlas import ResolvedAtlas
from meridian_map.figure import Selection

from .serve import PLOTLY_ROUTE

if TYPE_CHECKING:
    from streamlit.components.v2.types import ComponentRenderer

MAP_KEY = "body_map"


@cache
def _components() -> tuple[ComponentRenderer, ComponentRenderer]:
    """Registered on first use: the files are found through the package's manifest, which Streamlit
    reads when its runtime starts, not when this module is imported."""
    drawing = st.components.v2.component(
        "meridian-map.body_map", js="body_map.js", css="body_map.css", isolate_styles=False
    )
    highlight = st.components.v2.component("meridian-map.body_map_highlight", js="body_map_highlight.js")
    return drawing, highlight


def preload() -> None:
    """Start downloading plotly.js while the server loads the atlas (first thing on the page)."""
    _components()[1](key="body_map_preload", data={"preload": PLOTLY_ROUTE}, height=0)


@st.cache_resource(show_spinner=False, max_entries=64)
def _drawing(_atlas: ResolvedAtlas, atlas_key: str, view: str, shown: Selection) -> str:
    """The component's data for one drawing (view, mode, labels, channels shown), built once and never per
    click, and handed over as JSON text: given a dict, Streamlit would serialise all ~100 KB of it twice on
    every rerun of every session (once for the message, once sorted for the element's identity), 15% of
    a click's server time; a string costs it one pass over the text. The browser parses it back."""
    return json.dumps({"id": MAP_KEY, "drawing": diagram.drawing(_atlas, shown), "plotly_url": PLOTLY_ROUTE})


def warm_drawing(atlas: ResolvedAtlas, selection: Selection) -> None:
    shown = atlas.on(selection.view)
    _drawing(shown, shown.digest, shown.view, diagram.drawing_selection(selection))


def body_map(
    atlas: ResolvedAtlas,
    selection: Selection,
    acks: tuple[int, int],
    on_click: Callable[[], None],
    on_zoom: Callable[[], None],
) -> None:
    """Mount (or update) the diagram for this view and selection; `acks` are the last click and
    zoom the state took in, echoed so that the map can tell its own news from stale answers."""
    drawing = _drawing(atlas, atlas.digest, atlas.view, diagram.drawing_selection(selection))
    highlight = diagram.highlight(atlas, selection) | {"ack": acks[0], "zoom_ack": acks[1]}
    draw, carry = _components()
    carry(key="body_map_highlight", data={"target": MAP_KEY, "highlight": highlight}, height=0)
    draw(key=MAP_KEY, data=drawing, on_click_change=on_click, on_zoom_change=on_zoom)


def last_click() -> object:
    """The click the component sent, as its callback sees it."""
    return (st.session_state.get(MAP_KEY) or {}).get("click")


def last_zoom() -> object:
    """The zoom the component reported: {"ranges": [x0, x1, y0, y1] or None, "seq": n}."""
    return (st.session_state.get(MAP_KEY) or {}).get("zoom")
