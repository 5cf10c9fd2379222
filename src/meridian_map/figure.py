"""The diagram as a Plotly figure: a pure function of atlas and what shapes the drawing.

The figure is the calm, stable part of the body map: outline, anatomy hints, channels, points,
labels and legend, all at full strength. What changes with every click (the chosen areas shaded,
channels and points emphasised or faded, rings) is not baked in: `diagram.highlight` describes
it, and the browser component applies it over the drawn figure without redrawing it. Traces the
component restyles carry a `meta` tag saying what they are.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import plotly.graph_objects as go

from .atlas import ResolvedAtlas
from .body import XY, BodyModel, segment_distance
from .callouts import BREAK, LINE_SPACING, Callout, Keep, Labelled, lay_out, rows_needed, text_width_px
from .detail import Detail, head_detail
from .markup import safe
from .model import CHANNEL_IDS, Channel, Point, Scale, ViewId
from .regions import clip_convex

BODY_FILL = "#F4EEE8"
BODY_LINE = "#A39486"
HINT_LINE = "#D3C6B9"
OUTLINE_WIDTH = 1.6
FILL_TOLERANCE_CM = 0.03  # the fill's edge keeps this close to the outline (its line is 0.3 cm wide)
HINT_WIDTH = 1.0
DETAIL_FRAME = "#E6DCD2"  # the head detail's frame: a quiet edge, not a line to read
HIGHLIGHT_FILL = "rgba(240, 228, 66, 0.45)"  # Okabe-Ito yellow, clear of the channel colours
HIGHLIGHT_LINE = "#B59F00"
# The second cue beside colour, one per channel (the content file's `line`), so that no channel is
# told from another by colour alone: not under colour blindness, not on a sheet printed in grey.
# The points have their shapes, but the treatment room hides all but the key ones, and the internal
# pathways have their dash patterns; so the surface lines get a style of their own too. Every style
# is unbroken, so "solid runs on the surface, dashed is internal" still holds: a plain line, a thin
# one, a thick one, and a double one (a wide line with a white core, like a road on a map), which
# reads as two rails and so differs from all three widths at a glance. Widths in px; the legend
# shows each style as drawn.
LINE_STYLES: dict[str, tuple[float, float]] = {  # style: (width, width of the white core; 0 for none)
    "single": (3.2, 0.0),
    "thin": (2.0, 0.0),
    "thick": (5.0, 0.0),
    "double": (6.4, 2.2),
}
CORE = "white"
FADED = 0.16
POINT_SIZE = 9
KEY_POINT_SIZE = POINT_SIZE + 3  # the key points of what is chosen stand out
MARGIN_CM = 3.0
HEIGHT = 900  # px
TREATMENT_ROOM_HEIGHT = 1100  # px: at half a laptop screen's width the body still fits the width
LABEL_FONT_PX = 11
RULER_FONT_PX = 10  # the spine ruler's level names
LEADER_LINE = "rgba(90, 80, 72, 0.45)"
MUTED_TEXT = "#5B5048"
LANDMARK_PREFIX = "landmark:"
# Two short lines each: a phone's narrow plot keeps room for them beside the body.
LANDMARKS = {"Scapular<br>spine T3": "scapular_spine_root", "Inferior<br>angle T7": "scapula_inferior_angle",
             "Iliac<br>crest L4": "iliac_crest", "PSIS S2": "psis"}  # fmt: skip
# Labels are laid out for the smallest plot they must fit: a 390 px phone's (about 340 x 640 px), so
# that they are neither cut off at its sides nor on top of one another there, and so on any larger
# plot. (A desktop at 200 % zoom stacks the diagram above the panel, whole width, and with labels
# on the component keeps the figure's own height there.) Above and below, the drawing keeps room for
# a label's half height on a plot as low as the body map draws it (320 px, less the legend).
NARROWEST_PLOT_PX = 340
PHONE_PLOT_PX = 640
LABEL_EDGE_CM = 6.0
LOWEST_PLOT_PX = 196  # the plot area of the lowest figure the body map draws (320 px less legend and margins)
LEGEND_PX = 60  # the legend under the plot: what the plot area loses of the figure's height


@dataclass(frozen=True)
class Selection:
    """What the person has chosen; the figure and the panel follow from it."""

    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = CHANNEL_IDS
    point: str | None = None
    focus: str | None = None  # a channel whose regions to show ("where does it work?")
    view: ViewId = "posterior"
    labels: Literal["code", "pinyin", "hanzi"] | None = None  # point labels, for students
    landmarks: bool = False  # the spine ruler and the B-cun lines, for students
    answer_for: str | None = None  # a point to locate: not drawn, and a click is scored where it fell
    quiz_point: str | None = None  # a point to name: ringed, without its card
    quiz_region: str | None = None  # a region to ask about: highlighted
    plain: bool = False  # the treatment room: no codes, and only the points that matter to the chosen areas
    zoom: tuple[float, float, float, float] | None = None  # the part shown (x0, x1, y0, y1 cm), when zoomed in
    mark: XY | None = None  # where the student clicked for the locate answer on screen


@dataclass(frozen=True)
class Emphasis:
    channels: frozenset[str]
    points: frozenset[str]
    active: bool  # False when nothing is selected: everything at full strength


def emphasis(atlas: ResolvedAtlas, selection: Selection) -> Emphasis:
    """Channels and points that serve the selected regions (or the selected point)."""
    if not selection.regions and not selection.point and not selection.focus:
        return Emphasis(frozenset(CHANNEL_IDS), frozenset(atlas.positions), active=False)
    channels: set[str] = set()
    points: set[str] = set()
    for region_id in selection.regions:
        channels |= set(atlas.serving_channels(region_id))
        points |= set(atlas.content_of(region_id).all_points)
    if selection.point:
        channels.add(selection.point[:2])
        points.add(selection.point)
    if selection.focus:
        channels.add(selection.focus)
        points |= {p.code for p in atlas.visible_points(selection.focus)}
    return Emphasis(frozenset(channels), frozenset(points), active=True)


def axis_ranges(
    atlas: ResolvedAtlas, callouts: Sequence[Callout] = (), height: int = HEIGHT
) -> tuple[list[float], list[float]]:
    """The plotted area: the body with a margin, widened to hold the callouts' labels if any.

    A label's text keeps its size in pixels however small the plot is drawn, so the room beside the
    body is reserved for the narrowest plot: a label anchored `a` cm from the middle, `t` px long,
    fits a plot `w` px wide shown `2 h` cm across when a * w / (2 h) + t <= w / 2, that is when
    h >= a * w / (w - 2 t). A plot drawn wider, or lower (its height then sets the scale and the
    x range is widened to match), has more room still."""
    x0, x1, y0, y1 = atlas.body.bounds
    half = max(abs(x0), abs(x1)) + MARGIN_CM
    scale = _px_per_cm(atlas, height)
    narrowest = NARROWEST_PLOT_PX - 8  # 4 px of margin each side
    for callout in callouts:
        text = text_width_px(callout.text, LABEL_FONT_PX) + 6  # the text stands 3 px off its anchor
        room = narrowest / max(narrowest - 2 * text, 1.0)
        half = max(half, abs(callout.label[0]) * room, abs(callout.label[0]) + text / scale + 0.5)
    edge = LABEL_EDGE_CM if callouts else 0.0
    return [-half, half], [y0 - MARGIN_CM - edge, y1 + MARGIN_CM + 4.0 + edge]


def _px_per_cm(atlas: ResolvedAtlas, height: int = HEIGHT) -> float:
    """The drawing's scale: the height sets it, since the figure is tall and the axes keep 1:1."""
    _, _, y0, y1 = atlas.body.bounds
    return (height - LEGEND_PX) / (y1 - y0 + 2 * MARGIN_CM + 4.0 + 2 * LABEL_EDGE_CM)


def build_figure(atlas: ResolvedAtlas, selection: Selection, height: int | None = None) -> go.Figure:
    """The drawing for a selection; in the treatment room it is drawn larger, for a patient across the desk.

    Only what shapes the drawing is read from the selection: the view, the channels shown, labels,
    landmarks and the quiz's hidden or nameless point. The chosen areas matter only to the labels
    (with an area chosen, only its key points are labelled)."""
    height = height or (TREATMENT_ROOM_HEIGHT if selection.plain else HEIGHT)
    focus = emphasis(atlas, selection)
    traces: list[go.BaseTraceType] = [
        _body_trace(atlas),
        _lines_trace(atlas.body.hints, HINT_LINE, HINT_WIDTH, "anatomy"),
        _spine_trace(atlas),
        _outline_trace(atlas),
    ]  # no area borders: the component outlines the area under the pointer and shades the chosen ones
    for channel_id in selection.channels:
        traces += _channel_traces(atlas, channel_id, selection.plain)
    if _shows_ruler(atlas, selection):
        traces += _landmark_traces(atlas)
    callouts = _callouts(atlas, selection, focus, height)
    if callouts:
        traces.append(_leader_trace(callouts))
    for channel_id in selection.channels:
        traces.append(_points_trace(atlas, channel_id, selection))
    traces += _label_traces(atlas, callouts)

    x_range, y_range = axis_ranges(atlas, callouts, height)
    detail = drawn_detail(atlas, selection)
    if detail:
        traces += detail_traces(atlas, detail, traces)
        x_range = [min(x_range[0], detail.frame[0] - 1.0), max(x_range[1], detail.frame[1] + 1.0)]
    figure = go.Figure(data=traces)
    figure.update_layout(
        height=height,
        margin={"l": 4, "r": 4, "t": 8, "b": 4},
        xaxis={"range": x_range, "visible": False, "fixedrange": True},
        yaxis={"range": y_range, "visible": False, "fixedrange": True, "scaleanchor": "x"},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hovermode=False,
        dragmode=False,
        showlegend=True,
        legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.0, "yanchor": "top",
                "itemclick": False, "itemdoubleclick": False, "font": {"size": 13}},
        annotations=_side_labels(atlas.view, x_range, y_range),
        meta={"labelled": bool(callouts)},  # the component then keeps the figure's height
    )  # fmt: skip
    return figure


SIDE_LABELS = {
    # Left and right are the patient's own: on a back view, their left is on our left.
    "posterior": ("Patient's <b>LEFT</b>", "Patient's <b>RIGHT</b>"),
    "lateral": ("<b>Back</b> · patient's right side", "<b>Front</b>"),
    "anterior": ("Patient's <b>RIGHT</b>", "Patient's <b>LEFT</b>"),
    "medial": ("<b>Front</b> · inner side of the right leg", "<b>Back</b>"),
}


# What the header says on a plot too narrow for both of the above on one line (a desktop window with
# the sidebar open draws the plot under 250 px wide): the component measures the long words and
# switches to these when the two would come closer than HEADER_GAP_PX. The view's name is on the
# view switch just above, so the side views keep only which edge is which; the back and front views
# keep "Patient's" (left and right are the patient's own), on a line of its own.
NARROW_SIDE_LABELS = {
    "posterior": ("Patient's<br><b>LEFT</b>", "Patient's<br><b>RIGHT</b>"),
    "lateral": ("<b>Back</b>", "<b>Front</b>"),
    "anterior": ("Patient's<br><b>RIGHT</b>", "Patient's<br><b>LEFT</b>"),
    "medial": ("<b>Front</b>", "<b>Back</b>"),
}
HEADER_GAP_PX = 24


def _side_labels(view: ViewId, x_range: list[float], y_range: list[float]) -> list[dict[str, Any]]:
    # At the plot's own edges (paper coordinates), so they stay apart however narrow it is drawn.
    common = {"y": y_range[1] - 1.0, "yanchor": "top", "showarrow": False, "xref": "paper",
              "font": {"size": 14, "color": MUTED_TEXT}}  # fmt: skip
    left, right = SIDE_LABELS[view]
    return [
        {**common, "x": 0.0, "xanchor": "left", "align": "left", "text": left},
        {**common, "x": 1.0, "xanchor": "right", "align": "right", "text": right},
    ]


def _xy(points: Iterable[XY]) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    return xs, ys


def _joined(lines: Iterable[Sequence[XY]], close: bool = False) -> tuple[list[float | None], list[float | None]]:
    """Many polylines in one trace, separated by gaps."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for line in lines:
        lx, ly = _xy([*line, line[0]] if close else line)
        xs += [*lx, None]
        ys += [*ly, None]
    return xs, ys


def _body_trace(atlas: ResolvedAtlas) -> go.Scatter:
    """The body's fill; its edge is drawn later (`_outline_trace`), over what lies along it. The fill leaves
    out the outline's points that lie within a few hundredths of a centimetre of the line past them: the
    edge's line covers the difference, and the drawing stays small."""
    ring = _thinned(atlas.body.outline, FILL_TOLERANCE_CM)
    xs, ys = _xy([*ring, ring[0]])
    return go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=BODY_FILL,
                      line={"color": BODY_FILL, "width": 0}, hoverinfo="skip",
                      showlegend=False, name="body", meta={"role": "body"})  # fmt: skip


def _thinned(ring: Sequence[XY], tolerance: float) -> list[XY]:
    """The ring with only the points needed to keep every one of its points within `tolerance` of it."""
    kept: list[XY] = [ring[0]]
    skipped: list[XY] = []
    for i in range(1, len(ring)):
        following = ring[(i + 1) % len(ring)]
        if all(segment_distance(p, kept[-1], following) <= tolerance for p in [*skipped, ring[i]]):
            skipped.append(ring[i])
        else:
            kept.append(ring[i])
            skipped = []
    return kept


def _outline_trace(atlas: ResolvedAtlas) -> go.Scatter:
    """The body's edge: one solid closed line, over the fill, the shading and the region borders."""
    xs, ys = _xy([*atlas.body.outline, atlas.body.outline[0]])
    return go.Scatter(x=xs, y=ys, mode="lines", line={"color": BODY_LINE, "width": OUTLINE_WIDTH},
                      hoverinfo="skip", showlegend=False, name="outline")  # fmt: skip


def _lines_trace(
    lines: Iterable[Sequence[XY]], colour: str, width: float, name: str, dash: str = "solid"
) -> go.Scatter:
    xs, ys = _joined(lines)
    return go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": width, "dash": dash},
                      hoverinfo="skip", showlegend=False, name=name)  # fmt: skip


def spine_ticks(body: BodyModel) -> list[list[XY]]:
    """The line of spinous processes, C7 to L5, one short tick each (the back view only)."""
    return [[(-0.7, y + 0.35), (0.7, y + 0.35)] for _, y in body.spinous_processes()]


def _spine_trace(atlas: ResolvedAtlas) -> go.Scatter:
    return _lines_trace(spine_ticks(atlas.body), "#C4B6A8", 2.2, "spine")


def _channel_traces(atlas: ResolvedAtlas, channel_id: str, plain: bool) -> list[go.Scatter]:
    """The internal pathways dashed, then the surface line in its style (LINE_STYLES), both smooth
    curves through their points. A double line is drawn as a wide line with a white core over it;
    its legend entry is a stand-in that shows both (a line with a white dash on it)."""
    channel = atlas.channels[channel_id]
    name = safe(channel.name if plain else f"{channel.id} {channel.name}")
    traces = []
    deep = atlas.deep_curves(channel_id)
    if deep:
        xs, ys = _joined(line for _, line in deep)
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", opacity=0.85, hoverinfo="skip",
            line={"color": channel.colour, "width": 2.2, "dash": channel.dash},
            name=safe(f"{channel.name if plain else channel.id} internal (deep)"), legendgroup=channel_id,
            meta={"role": "deep", "channel": channel_id},
        ))  # fmt: skip
    width, core = LINE_STYLES[channel.line]
    curves = atlas.surface_curves(channel_id)
    xs, ys = _joined(curves)
    traces.append(go.Scatter(
        x=xs, y=ys, mode="lines", hoverinfo="skip", line={"color": channel.colour, "width": width},
        legendgroup=channel_id, name=name, showlegend=not core, meta={"role": "line", "channel": channel_id},
    ))  # fmt: skip
    if core and curves:  # (a channel with no line on this view has no legend entry either)
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", hoverinfo="skip", line={"color": CORE, "width": core},
            legendgroup=channel_id, name=f"{name} core", showlegend=False,
            meta={"role": "core", "channel": channel_id},
        ))  # fmt: skip
        traces.append(go.Scatter(  # nothing drawn: the legend's picture of the double line
            x=[None], y=[None], mode="lines+markers", hoverinfo="skip", legendgroup=channel_id, name=name,
            line={"color": channel.colour, "width": width},
            marker={"symbol": "line-ew", "size": 22, "color": CORE, "line": {"color": CORE, "width": core}},
            meta={"role": "legend", "channel": channel_id},
        ))  # fmt: skip
    return traces


@dataclass(frozen=True)
class Card:
    """A hover card as plain text: a bold title, then lines. The browser sets it as text, never markup."""

    title: str
    lines: tuple[str, ...] = ()


def point_card(point: Point) -> Card:
    """The hover card: code, names, location."""
    return Card(f"{point.code}  {point.pinyin}  {point.hanzi}", (point.english, *textwrap.wrap(point.location, 44)))


def sharing_card(card: Card, guests: Sequence[Point], plain: bool) -> Card:
    """A card for a marker that also stands for points behind it (GV28 inside the lip at GV27)."""
    named = [f"and {p.english}" if plain else f"Also {p.code} {p.pinyin}: {p.location}" for p in guests]
    return Card(card.title, (*card.lines, *(line for text in named for line in textwrap.wrap(text, 44))))


def plain_card(point: Point, channel: Channel) -> Card:
    """The treatment room's hover card: the point's English name and its channel, no code."""
    return Card(point.english, (f"a point on the {channel.called}",))


QUESTION_CARD = Card("Which point is this?")


def drawn_points(atlas: ResolvedAtlas, channel_id: str, selection: Selection) -> list[Point]:
    """The channel's points as drawn: all it shows on this view, but a point the student is asked
    to locate (finding it is the question)."""
    return [p for p in atlas.visible_points(channel_id) if p.code != selection.answer_for]


def _points_trace(atlas: ResolvedAtlas, channel_id: str, selection: Selection) -> go.Scatter:
    """The channel's points, one marker per position, tagged with their codes for the component."""
    channel = atlas.channels[channel_id]
    xs: list[float] = []
    ys: list[float] = []
    codes: list[str] = []
    for point in drawn_points(atlas, channel_id, selection):
        if point.code in atlas.shared_markers:
            continue  # drawn by the marker it shares
        for x, y in atlas.positions[point.code]:
            xs.append(x)
            ys.append(y)
            codes.append(point.code)
    return go.Scatter(
        x=xs, y=ys, mode="markers", name=f"{channel.id} points", hoverinfo="skip",
        legendgroup=channel_id, showlegend=False, customdata=codes,
        meta={"role": "points", "channel": channel_id},
        marker={"size": POINT_SIZE, "color": channel.colour, "symbol": channel.symbol,
                "line": {"color": "white", "width": 1}},
    )  # fmt: skip


def _shows_ruler(atlas: ResolvedAtlas, selection: Selection) -> bool:
    """The spine ruler and landmarks: asked for, and on the back view, where they are measured."""
    return selection.landmarks and atlas.view == "posterior"


def _point_labels(atlas: ResolvedAtlas, selection: Selection, focus: Emphasis) -> list[Labelled]:
    """The points to label: the shown channels' (all, or the key ones when something is chosen)."""
    # While a point is to be named, no point is labelled: the options' labels would give it away.
    if not selection.labels or selection.quiz_point:
        return []
    return [
        Labelled(point.code, getattr(point, selection.labels), atlas.positions[point.code])
        for channel_id in selection.channels
        for point in atlas.visible_points(channel_id)
        if (point.code in focus.points or not focus.active)
        and point.code != selection.answer_for  # the answer to a locate question
    ]


def drawn_detail(atlas: ResolvedAtlas, selection: Selection) -> Detail | None:
    """The head detail, where the figure draws one: on a view that has one, unless labels take the
    room beside the body, or in the treatment room (a patient taps no head point, and sees the body
    larger without it). A click is read back onto the head only where it is drawn."""
    labelled = _point_labels(atlas, selection, emphasis(atlas, selection)) or _shows_ruler(atlas, selection)
    return None if labelled or selection.plain else head_detail(atlas.body)


def _callouts(atlas: ResolvedAtlas, selection: Selection, focus: Emphasis, height: int) -> list[Callout]:
    """Labels for the shown channels' points (all of them, or only the key ones when something is
    chosen) and for the bony landmarks, laid out together so that none covers another."""
    labelled = _point_labels(atlas, selection, focus)
    ruler = _shows_ruler(atlas, selection)
    if ruler:
        labelled += [
            Labelled(LANDMARK_PREFIX + key, name, [atlas.body.landmarks[key]]) for name, key in LANDMARKS.items()
        ]
    if not labelled:
        return []
    _, (bottom, top) = axis_ranges(atlas)
    keep = ruler_keep(atlas) if ruler else None
    # At the phone's scale, or the drawing's if smaller; the labels' room at the sides shrinks that
    # scale (the x range grows), so lay out again until it settles. But never so small that the
    # columns (with the ruler: the column away from it, for the labels level with it) run out of
    # rows: then the phone shows some labels close together rather than over the ruler or cut off.
    drawing = _px_per_cm(atlas, height)
    fits = (rows_needed(labelled, keep) + 1) * LINE_SPACING * LABEL_FONT_PX / (top - bottom)
    scale = min(drawing, max(fits, PHONE_PLOT_PX / (top - bottom + 2 * LABEL_EDGE_CM)))
    for _ in range(4):
        callouts = lay_out(atlas.body, labelled, scale, LABEL_FONT_PX, (bottom, top), keep)
        (x0, x1), _ = axis_ranges(atlas, callouts, height)
        narrowest = min(drawing, max(fits, (NARROWEST_PLOT_PX - 8) / (x1 - x0)))
        if narrowest >= scale * 0.99:
            break
        scale = narrowest
    return callouts


def ruler_keep(atlas: ResolvedAtlas) -> Keep:
    """What the labels keep off: the spine ruler's level names, which stand left of the spine, as
    tall as they are drawn on the lowest plot (where their 10 px are the most centimetres), and from
    1 px inside their inner end out to the drawing's left edge."""
    _, (bottom, top) = axis_ranges(atlas)
    levels = [atlas.body.levels[name] for name in _ruler_levels(atlas)]
    lowest = LOWEST_PLOT_PX / (top - bottom + 2 * LABEL_EDGE_CM)  # px per cm
    half = LINE_SPACING * RULER_FONT_PX / 2 / lowest
    return Keep("left", min(levels) - half, max(levels) + half, _ruler_x(atlas) + 1 / lowest)


def _ruler_x(atlas: ResolvedAtlas) -> float:
    """Where the spine ruler's level names end (they stand left of it): 3 cm outside the 3 B-cun line."""
    return -3 * atlas.body.cun(Scale.back) - 3.0


def _ruler_levels(atlas: ResolvedAtlas) -> list[str]:
    """The spine ruler's levels, C7 (or T1) to S4."""
    return [name for name, _ in atlas.body.spinous_processes()] + ["S1", "S2", "S3", "S4"]


def _leader_trace(callouts: Sequence[Callout]) -> go.Scatter:
    xs, ys = _joined([(c.point, c.label) for c in callouts])
    return go.Scatter(x=xs, y=ys, mode="lines", line={"color": LEADER_LINE, "width": 0.8}, hoverinfo="skip",
                      showlegend=False, name="label lines")  # fmt: skip


def _text(label: str) -> str:
    """A label as Plotly text: its lines (the content file's names) as text, broken where the layout broke them."""
    return BREAK.join(safe(line) for line in label.split(BREAK))


def _label_traces(atlas: ResolvedAtlas, callouts: Sequence[Callout]) -> list[go.Scatter]:
    """One text trace per colour (a channel's, or the landmarks' grey) and column; the text runs away
    from the body."""
    colours = {channel_id: atlas.channels[channel_id].colour for channel_id in CHANNEL_IDS} | {
        LANDMARK_PREFIX: MUTED_TEXT
    }
    traces = []
    for prefix, colour in colours.items():
        for side in ("left", "right"):
            mine = [c for c in callouts if c.code.startswith(prefix) and c.side == side]
            if mine:
                traces.append(go.Scatter(
                    x=[c.label[0] for c in mine], y=[c.label[1] for c in mine], text=[_text(c.text) for c in mine],
                    mode="text", textposition=f"middle {side}", textfont={"size": LABEL_FONT_PX, "color": colour},
                    hoverinfo="skip", showlegend=False, name=f"{prefix.rstrip(':')} labels",
                ))  # fmt: skip
    return traces


def _landmark_traces(atlas: ResolvedAtlas) -> list[go.Scatter]:
    """The spine ruler (C7 to S4), the 0, 1.5 and 3 B-cun lines, and the bony landmarks, labelled."""
    body = atlas.body
    unit = body.cun(Scale.back)
    top, bottom = body.levels["T1"], body.levels["S4"]
    lines = [[(sign * cun * unit, top + 2), (sign * cun * unit, bottom)] for cun in (0, 1.5, 3) for sign in (1, -1)]
    x0 = _ruler_x(atlas)
    levels = _ruler_levels(atlas)
    return [
        _lines_trace(lines, "#7A6A5C", 1.0, "B-cun lines", "dot"),
        go.Scatter(
            x=[x0] * len(levels), y=[body.levels[n] for n in levels], mode="text", text=levels,
            hoverinfo="skip", showlegend=False, textfont={"size": RULER_FONT_PX, "color": MUTED_TEXT},
            textposition="middle left", name="spine ruler",
        ),
        go.Scatter(  # under the foot of each line, clear of the points on the midline and of each other
            x=[sign * cun * unit for sign in (-1, 1) for cun in (3, 1.5)] + [x0 - 5.0],
            y=[bottom - 1.0] * 5, mode="text", text=["3", "1.5", "3", "1.5", "B-cun"],
            hoverinfo="skip", showlegend=False, textfont={"size": 10, "color": MUTED_TEXT},
            textposition=["bottom center"] * 4 + ["bottom left"], name="B-cun scale",
        ),
        go.Scatter(  # their names are callouts, laid out with the points' labels
            x=[body.landmarks[m][0] for m in LANDMARKS.values()], y=[body.landmarks[m][1] for m in LANDMARKS.values()],
            mode="markers", hoverinfo="skip", showlegend=False, name="landmarks",
            marker={"size": 6, "color": MUTED_TEXT, "symbol": "x-thin",
                    "line": {"width": 1.5, "color": MUTED_TEXT}},
        ),
    ]  # fmt: skip


def _pieces(trace: go.Scatter) -> list[list[XY]]:
    """A lines trace's polylines (its gaps are None)."""
    lines: list[list[XY]] = []
    current: list[XY] = []
    for x, y in zip(trace.x, trace.y, strict=True):
        if x is None or y is None:
            lines.append(current)
            current = []
        else:
            current.append((x, y))
    return [line for line in [*lines, current] if len(line) > 1]


def detail_traces(atlas: ResolvedAtlas, detail: Detail, drawn: Sequence[go.BaseTraceType]) -> list[go.Scatter]:
    """The magnified detail: its frame, the body's part in it, and the channels and points drawn there,
    each a copy of the body's own trace (same style and `meta`, so the component treats it alike)."""
    x0, x1, y0, y1 = detail.frame
    box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]  # counter-clockwise
    skin = [detail.to_detail(xy) for xy in clip_convex(atlas.body.outline, list(_source_box(detail)))]
    body = atlas.body
    traces = [
        go.Scatter(x=[x for x, _ in [*box, box[0]]], y=[y for _, y in [*box, box[0]]], mode="lines", fill="toself",
                   fillcolor="white", line={"color": DETAIL_FRAME, "width": 1.0}, hoverinfo="skip",
                   showlegend=False, name="detail frame"),
        go.Scatter(x=[x for x, _ in [*skin, skin[0]]], y=[y for _, y in [*skin, skin[0]]], mode="lines",
                   fill="toself", fillcolor=BODY_FILL, line={"color": BODY_FILL, "width": 0}, hoverinfo="skip",
                   showlegend=False, name="detail body"),
        _lines_trace([p for hint in body.hints for p in detail.clip(hint)], HINT_LINE, HINT_WIDTH, "detail anatomy"),
        _lines_trace(detail.clip([*body.outline, body.outline[0]]), BODY_LINE, OUTLINE_WIDTH, "detail outline"),
    ]  # fmt: skip
    for trace in drawn:
        role = (trace.meta or {}).get("role")
        if role in ("line", "core", "deep"):
            xs, ys = _joined([p for line in _pieces(trace) for p in detail.clip(line)])
            if xs:
                traces.append(go.Scatter(
                    x=xs, y=ys, mode="lines", line=trace.line, opacity=trace.opacity, hoverinfo="skip",
                    showlegend=False, legendgroup=trace.legendgroup, name=f"{trace.name} (detail)", meta=trace.meta,
                ))  # fmt: skip
        elif role == "points":
            shown = [i for i, xy in enumerate(zip(trace.x, trace.y, strict=True)) if detail.shows(xy)]
            if shown:
                moved = [detail.to_detail((trace.x[i], trace.y[i])) for i in shown]
                traces.append(go.Scatter(
                    x=[x for x, _ in moved], y=[y for _, y in moved], customdata=[trace.customdata[i] for i in shown],
                    mode="markers", marker=trace.marker, hoverinfo="skip", showlegend=False,
                    legendgroup=trace.legendgroup, name=f"{trace.name} (detail)", meta=trace.meta,
                ))  # fmt: skip
    # Below the frame: above it, the front view's caption would meet the header's "Patient's LEFT".
    traces.append(go.Scatter(x=[x0 + 0.4], y=[y0 - 0.6], text=[detail.caption], mode="text",
                             textposition="bottom right", textfont={"size": LABEL_FONT_PX, "color": MUTED_TEXT},
                             hoverinfo="skip", showlegend=False, name="detail caption"))  # fmt: skip
    return traces


def _source_box(detail: Detail) -> tuple[XY, XY, XY, XY]:
    x0, x1, y0, y1 = detail.source
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
