"""What the browser's body map needs: a stable drawing, a small highlight, and the clicks it sends back.

The body map component (in `ui/`) draws `drawing(...)` once per view, mode and label setting:
the Plotly figure, the region polygons it hit-tests clicks against, and the point cards. A click
changes only `highlight(...)`: the areas chosen, what serves them, the rings. The browser shades a
click at once by the same rule `figure.emphasis` follows (the channels and key points of the chosen
areas on this view, plus `extra`: what the point, the focused channel and the areas chosen on other
views bring), and then adopts the highlight Python sends, so the two never disagree for long.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from .atlas import ResolvedAtlas
from .body import XY
from .figure import (
    FADED,
    HEADER_GAP_PX,
    HIGHLIGHT_FILL,
    HIGHLIGHT_LINE,
    KEY_POINT_SIZE,
    NARROW_SIDE_LABELS,
    POINT_SIZE,
    QUESTION_CARD,
    Card,
    Selection,
    build_figure,
    drawn_detail,
    emphasis,
    plain_card,
    point_card,
    sharing_card,
)
from .model import CHANNEL_IDS

ClickKind = Literal["region", "point", "off"]


def drawing_selection(selection: Selection) -> Selection:
    """The part of a selection that shapes the drawing: the key for building and caching it.

    Student labels name only the key points of what is chosen, so with labels on the chosen areas,
    point and channel shape the drawing too; otherwise a click never changes it."""
    if selection.labels:
        return replace(selection, quiz_region=None, zoom=None, mark=None)
    return replace(selection, regions=(), point=None, focus=None, quiz_region=None, zoom=None, mark=None)


def drawing(atlas: ResolvedAtlas, selection: Selection) -> dict[str, Any]:
    """The drawing for one view as JSON-ready data (large; sent again only when it changes)."""
    shown = drawing_selection(selection)
    figure = build_figure(atlas, shown)
    figure.update_layout(template=None)  # every colour is set; the default template is 8 KB of nothing
    return {
        "view": atlas.view,
        "figure": json.loads(figure.to_json()),
        "regions": [
            {
                "id": shape.id,
                "label": shape.label,
                "polygons": [[list(xy) for xy in polygon] for polygon in shape.polygons],
                "anchor": list(atlas.anchors[shape.id]),
                "channels": sorted(atlas.serving_channels(shape.id)),
                "points": sorted(atlas.content_of(shape.id).all_points),
            }
            for shape in atlas.regions
        ],
        "cards": {code: _card_json(_card(atlas, code, shown)) for code in atlas.positions},
        "style": {
            "faded": FADED,
            "point_size": POINT_SIZE,
            "key_point_size": KEY_POINT_SIZE,
            "highlight_fill": HIGHLIGHT_FILL,
            "highlight_line": HIGHLIGHT_LINE,
            "colours": {c: atlas.channels[c].colour for c in CHANNEL_IDS},
            "narrow_header": list(NARROW_SIDE_LABELS[atlas.view]),
            "header_gap": HEADER_GAP_PX,
        },
    }


def highlight(atlas: ResolvedAtlas, selection: Selection) -> dict[str, Any]:
    """What a click changes (small; sent on every rerun)."""
    on_view = [r for r in selection.regions if r in atlas.region_shapes]
    elsewhere = replace(selection, regions=tuple(r for r in selection.regions if r not in atlas.region_shapes))
    extra = emphasis(atlas, elsewhere)
    served = []
    for channel_id, region_ids in (
        (selection.focus, atlas.regions_for_channel(selection.focus) if selection.focus else []),
        (selection.point[:2] if selection.point else None,
         atlas.regions_for_point(selection.point) if selection.point else []),
    ):  # fmt: skip
        if channel_id and region_ids:
            served.append({"colour": atlas.channels[channel_id].colour, "regions": region_ids})
    rings = [
        {"code": atlas.shared_markers.get(code, code), "colour": atlas.channels[code[:2]].colour}
        for code in (selection.point, selection.quiz_point)
        if code and code in atlas.positions
    ]
    return {
        "view": atlas.view,
        "regions": on_view,
        "question": selection.quiz_region if selection.quiz_region in atlas.region_shapes else None,
        # Inactive, emphasis names everything (nothing is faded); the browser needs no list then.
        "extra": {
            "active": extra.active,
            "channels": sorted(extra.channels) if extra.active else [],
            "points": sorted({atlas.shared_markers.get(p, p) for p in extra.points}) if extra.active else [],
        },
        "served": served,
        "rings": rings,
        # The treatment room shows only the key points of what is chosen, none before.
        "calm": selection.plain,
        # A point to locate: a click anywhere is an answer, read where it fell.
        "locate": selection.answer_for is not None,
        "zoom": list(selection.zoom) if selection.zoom else None,
        "mark": list(selection.mark) if selection.mark else None,
    }


@dataclass(frozen=True)
class MapClick:
    """A click or tap the component reports, checked against this view."""

    kind: ClickKind
    at: XY  # where it fell, in figure coordinates (cm)
    region: str | None = None  # the region under it
    point: str | None = None  # the point marker under it
    seq: int = 0  # the component's count of clicks sent, echoed back to it as `ack`
    regions: tuple[str, ...] = ()  # the areas of this view the click leaves chosen, as the map shows them


def read_click(payload: object, atlas: ResolvedAtlas, selection: Selection | None = None) -> MapClick | None:
    """The click the browser sent, or None for anything malformed or from another view.

    The component tells which region or point it hit, by the same polygons and markers it drew;
    ids are checked against this view, so nothing unknown gets into the state."""
    if not isinstance(payload, Mapping) or payload.get("view") != atlas.view:
        return None
    x, y, seq = payload.get("x"), payload.get("y"), payload.get("seq", 0)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y)):
        return None
    region = payload.get("region")
    point = payload.get("point")
    region = region if isinstance(region, str) and region in atlas.region_shapes else None
    point = point if isinstance(point, str) and point in atlas.positions else None
    listed = payload.get("regions")
    known = [r for r in listed if isinstance(r, str) and r in atlas.region_shapes] if isinstance(listed, list) else []
    chosen = tuple(dict.fromkeys(known))
    kind: ClickKind = "point" if point else "region" if region else "off"
    at = (float(x), float(y))  # type: ignore[arg-type]
    detail = drawn_detail(atlas, selection or Selection(view=atlas.view))
    if detail and detail.holds(at):
        at = detail.to_body(at)  # a click in the head's detail means the spot on the head it shows
    return MapClick(kind, at, region, point, _count(seq), chosen)


def _card(atlas: ResolvedAtlas, code: str, selection: Selection) -> Card:
    point = atlas.points[code]
    guests = [atlas.points[guest] for guest, host in atlas.shared_markers.items() if host == code]
    if selection.quiz_point in (code, *(guest.code for guest in guests)):
        return QUESTION_CARD  # a point to name: its card would give the answer
    card = plain_card(point, atlas.channels[point.channel]) if selection.plain else point_card(point)
    return sharing_card(card, guests, selection.plain) if guests else card


def _card_json(card: Card) -> dict[str, Any]:
    return {"title": card.title, "lines": list(card.lines)}


Zoom = tuple[float, float, float, float]
ZOOM_LIMIT_CM = 500.0  # far past any body: a zoom outside it is no zoom of this drawing


def read_zoom(value: object) -> Zoom | None:
    """The part of the drawing shown, from the component ([x0, x1, y0, y1]) or the link ("x0,x1,y0,y1"),
    or None for the whole drawing and for anything malformed."""
    parts: list[object]
    if isinstance(value, str):
        parts = list(value.split(","))
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        return None
    if len(parts) != 4:
        return None
    numbers: list[float] = []
    for part in parts:
        try:
            number = float(part)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return None
        if isinstance(part, bool) or not math.isfinite(number) or abs(number) > ZOOM_LIMIT_CM:
            return None
        numbers.append(round(number, 1))
    x0, x1, y0, y1 = numbers
    return (x0, x1, y0, y1) if x0 < x1 and y0 < y1 else None


def read_zoom_report(payload: object, view: str) -> tuple[Zoom | None, int] | None:
    """The zoom the component reported ({"view", "ranges", "seq"}): the part shown (None: whole) and
    its count, or None when malformed or from a view no longer shown."""
    if not isinstance(payload, Mapping) or payload.get("view") != view:
        return None
    return read_zoom(payload.get("ranges")), _count(payload.get("seq"))


def _count(value: object) -> int:
    """A count the component sent, or 0 (a bool is no count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def zoom_text(zoom: Zoom) -> str:
    return ",".join(f"{v:g}" for v in zoom)
