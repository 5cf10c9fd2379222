"""Selection state: one place that reads and writes it, and keeps it in the URL.

Streamlit reruns the whole script on every interaction. The state changes only
in widget callbacks (once per user action) and when the URL changes from the
outside (opening a link, the browser's Back button). Each run writes the URL
back only when it differs, so Back steps through real changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

import streamlit as st

from meridian_map.atlas import ResolvedAtlas
from meridian_map.figure import Selection, parse_click
from meridian_map.model import CHANNEL_IDS, VIEW_IDS, ViewId
from meridian_map.regions import region_at

REGIONS = "regions"
CHANNELS = "channels"
POINT = "point"
FOCUS = "channel"  # one channel whose regions are shown
FOCUS_WIDGET = "focus_select"
VIEW = "view"
VIEW_WIDGET = "view_select"
URL_WRITTEN = "_url_written"
NOTICES = "_notices"
NONCE = "_chart_nonce"
REGION_WIDGET = "region_select"


def channel_widget(channel_id: str) -> str:
    return f"show_{channel_id}"


@dataclass(frozen=True)
class UrlState:
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = CHANNEL_IDS
    point: str | None = None
    focus: str | None = None
    view: ViewId = "posterior"
    ignored: tuple[str, ...] = field(default=())


def parse_url(params: Mapping[str, str], atlas: ResolvedAtlas) -> UrlState:
    """Read ?regions=..&channels=..&point=..; unknown values are dropped and named."""
    ignored: list[str] = []

    def pick(name: str, known: set[str] | tuple[str, ...]) -> list[str]:
        chosen = []
        for value in filter(None, (v.strip() for v in params.get(name, "").split(","))):
            if value in known and value not in chosen:
                chosen.append(value)
            else:
                ignored.append(f"{name.removesuffix('s')} '{value}'")
        return chosen

    regions = pick(REGIONS, set(atlas.region_labels))
    channels = pick(CHANNELS, CHANNEL_IDS) if CHANNELS in params else list(CHANNEL_IDS)
    point = _single(params, POINT, set(atlas.points), ignored)
    focus = _single(params, FOCUS, set(CHANNEL_IDS), ignored)
    view = cast(ViewId, _single(params, VIEW, set(VIEW_IDS), ignored) or "posterior")
    ordered_channels = tuple(c for c in CHANNEL_IDS if c in channels)
    return UrlState(tuple(regions), ordered_channels, point, focus, view, tuple(ignored))


def _single(params: Mapping[str, str], name: str, known: set[str], ignored: list[str]) -> str | None:
    value = params.get(name, "").strip() or None
    if value is not None and value not in known:
        ignored.append(f"{name} '{value}'")
        return None
    return value


def to_url(selection: Selection) -> dict[str, str]:
    params: dict[str, str] = {}
    if selection.regions:
        params[REGIONS] = ",".join(selection.regions)
    if tuple(selection.channels) != CHANNEL_IDS:
        params[CHANNELS] = ",".join(selection.channels)
    if selection.point:
        params[POINT] = selection.point
    if selection.focus:
        params[FOCUS] = selection.focus
    if selection.view != "posterior":
        params[VIEW] = selection.view
    return params


def current() -> Selection:
    return Selection(
        regions=tuple(st.session_state.get(REGIONS, ())),
        channels=tuple(st.session_state.get(CHANNELS, CHANNEL_IDS)),
        point=st.session_state.get(POINT),
        focus=st.session_state.get(FOCUS),
        view=st.session_state.get(VIEW, "posterior"),
    )


def _apply(selection: Selection) -> None:
    st.session_state[REGIONS] = list(selection.regions)
    st.session_state[CHANNELS] = list(selection.channels)
    st.session_state[POINT] = selection.point
    st.session_state[FOCUS] = selection.focus
    st.session_state[VIEW] = selection.view


def sync_from_url(atlas: ResolvedAtlas) -> None:
    """Adopt the URL when it changed from the outside (first load, a link, Back)."""
    params = {k: st.query_params[k] for k in st.query_params}
    if st.session_state.get(URL_WRITTEN) == params:
        return
    parsed = parse_url(params, atlas)
    _apply(Selection(parsed.regions, parsed.channels, parsed.point, parsed.focus, parsed.view))
    st.session_state[URL_WRITTEN] = params
    st.session_state[NOTICES] = list(parsed.ignored)
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def sync_widgets() -> None:
    """Widgets show the state (set before they are drawn in this run)."""
    selection = current()
    st.session_state[REGION_WIDGET] = list(selection.regions)
    st.session_state[FOCUS_WIDGET] = selection.focus
    st.session_state[VIEW_WIDGET] = selection.view
    for channel_id in CHANNEL_IDS:
        st.session_state[channel_widget(channel_id)] = channel_id in selection.channels


def write_url() -> None:
    params = to_url(current())
    if params != st.session_state.get(URL_WRITTEN):
        st.query_params.from_dict(params)
        st.session_state[URL_WRITTEN] = params


# -- callbacks: each runs once per user action ---------------------------------------------
def on_regions_chosen() -> None:
    st.session_state[REGIONS] = list(st.session_state[REGION_WIDGET])


def on_view_chosen() -> None:
    # A segmented control can be emptied by clicking the active option: keep the current view then.
    st.session_state[VIEW] = st.session_state[VIEW_WIDGET] or st.session_state.get(VIEW, "posterior")
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def on_focus_chosen() -> None:
    st.session_state[FOCUS] = st.session_state[FOCUS_WIDGET]


def on_channel_toggled() -> None:
    st.session_state[CHANNELS] = [c for c in CHANNEL_IDS if st.session_state[channel_widget(c)]]


def clear() -> None:
    st.session_state[REGIONS] = []
    st.session_state[POINT] = None
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def choose_point(code: str | None) -> None:
    st.session_state[POINT] = code


def jump_to(code: str, view: ViewId) -> None:
    """Open a point on the view that shows it (a search result)."""
    st.session_state[POINT] = code
    st.session_state[VIEW] = view
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def chart_key() -> str:
    return f"body_chart_{st.session_state.get(NONCE, 0)}"


def on_chart_click(key: str, atlas: ResolvedAtlas) -> None:
    """A click on the diagram: toggle the region under it, or open the point (and its region)."""
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", [])
    hit = parse_click(points[0]) if points else None
    if hit is None:
        return
    kind, value = hit
    regions = list(st.session_state.get(REGIONS, []))
    if kind == "region":
        if value in regions:
            regions.remove(value)
        else:
            regions.append(value)
    else:
        st.session_state[POINT] = value
        # Someone who clicks a point usually means "it hurts here": light up that area too.
        under = region_at(atlas.regions, atlas.body, (points[0]["x"], points[0]["y"]))
        if under is not None and under.id not in regions:
            regions.append(under.id)
    st.session_state[REGIONS] = regions
    # A fresh chart widget: Plotly would otherwise treat a second click on the
    # same marker as "deselect" and send an empty selection.
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
