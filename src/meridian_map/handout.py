"""The take-home handout: one calm A4 page a practitioner can print or send after a session.

The page is drawn with Pillow from the same body model as the app (never a
screenshot): on the left the diagram of the chosen view with the chosen areas
in yellow and the channels that serve them; on the right, in plain words, what
the area is about, when to see a doctor, and the disclaimer; at the bottom the
link that opens the same view again. It holds no personal data.

Shapes are drawn at twice the size and scaled down (LANCZOS) so lines are
smooth; text is drawn at page size so it stays crisp. Point codes are left out
unless the caller asks for them: a patient needs the area and the warning signs,
not the notation.
"""

from __future__ import annotations

import datetime
import io
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from .atlas import ResolvedAtlas
from .body import XY
from .explain import without_codes
from .figure import BODY_LINE, HIGHLIGHT_LINE, HINT_LINE, Selection, emphasis
from .model import ViewId

PAGE_SIZE = (1240, 1754)  # A4 portrait at 150 dpi
DPI = 150
SUPERSAMPLE = 2  # shapes are drawn this many times larger, then scaled down
MARGIN = 80
TITLE = "Meridian Map: your notes"
NO_AREA = "No area chosen"

Colour = tuple[int, int, int] | tuple[int, int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
PX = tuple[float, float]

INK: Colour = (47, 42, 38)
BODY_TEXT: Colour = (58, 52, 48)
MUTED: Colour = (110, 101, 93)
RULE: Colour = (222, 214, 206)
WARNING: Colour = (155, 44, 44)
LINK: Colour = (31, 95, 168)
SKIN: Colour = (246, 234, 222)
SPINE: Colour = (196, 182, 168)
HIGHLIGHT: Colour = (240, 228, 66, 115)  # rgba(240, 228, 66, 0.45), as in the app

# On/off lengths in page pixels for each channel's dash style (as in the app's legend).
DASHES: dict[str, tuple[float, ...]] = {
    "dash": (9.0, 6.0),
    "dot": (2.5, 5.0),
    "dashdot": (9.0, 5.0, 2.5, 5.0),
    "longdash": (16.0, 6.0),
    "longdashdot": (16.0, 5.0, 2.5, 5.0),
}

VIEW_CAPTIONS: dict[ViewId, str] = {
    "posterior": "Seen from behind",
    "lateral": "Seen from the right side",
    "anterior": "Seen from the front",
    "medial": "The inner side of the right leg",
}

# (small line, big line) for the viewer's left and right edges of the diagram. Left and
# right are the patient's own: seen from behind, their left is on our left; from the
# front it is the other way round; the side view shows back and front instead.
SIDE_LABELS: dict[ViewId, tuple[tuple[str, str], tuple[str, str]]] = {
    "posterior": (("Patient's", "LEFT"), ("Patient's", "RIGHT")),
    "anterior": (("Patient's", "RIGHT"), ("Patient's", "LEFT")),
    "lateral": (("", "Back"), ("", "Front")),
    "medial": (("", "Front"), ("", "Back")),
}

# -- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in pixels."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True)
class Transform:
    """Figure coordinates (cm, y up) to pixels (y down), one scale for both axes.

    `x_cm`, `y_cm` is the figure point that lands on pixel `left`, `top`."""

    scale: float  # pixels per cm
    x_cm: float
    y_cm: float
    left: float = 0.0
    top: float = 0.0

    def __call__(self, xy: XY) -> PX:
        return self.left + (xy[0] - self.x_cm) * self.scale, self.top + (self.y_cm - xy[1]) * self.scale

    def many(self, points: Sequence[XY]) -> list[PX]:
        return [self(xy) for xy in points]

    def onto(self, box: Box, factor: float) -> Transform:
        """The same mapping for a canvas that starts at `box` and is `factor` times larger."""
        return Transform(
            self.scale * factor, self.x_cm, self.y_cm, (self.left - box.left) * factor, (self.top - box.top) * factor
        )


def fit_transform(x_range: tuple[float, float], y_range: tuple[float, float], box: Box) -> Transform:
    """The largest transform that shows the figure ranges inside `box`, centred, aspect kept."""
    width_cm, height_cm = x_range[1] - x_range[0], y_range[1] - y_range[0]
    scale = min(box.width / width_cm, box.height / height_cm)
    left = box.left + (box.width - width_cm * scale) / 2
    top = box.top + (box.height - height_cm * scale) / 2
    return Transform(scale, x_range[0], y_range[1], left, top)


def dashed_polyline(points: Sequence[PX], pattern: Sequence[float]) -> list[list[PX]]:
    """The 'on' stretches of a polyline under a dash pattern (on, off, on, off... lengths).

    The pattern runs on across the polyline's corners, so a dashed curve looks even."""
    if not pattern or len(pattern) % 2 or min(pattern) <= 0:
        raise ValueError(f"a dash pattern needs positive on/off pairs, not {tuple(pattern)}")
    pieces: list[list[PX]] = []
    current: list[PX] = []
    index, remaining, on = 0, pattern[0], True
    for a, b in itertools.pairwise(points):
        length = math.dist(a, b)
        if length == 0:
            continue
        if on and not current:
            current = [a]
        done = 0.0
        while length - done > remaining:
            done += remaining
            t = done / length
            cut = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            if on:
                pieces.append([*current, cut])
                current = []
            else:
                current = [cut]
            on = not on
            index = (index + 1) % len(pattern)
            remaining = pattern[index]
        remaining -= length - done
        if on:
            current.append(b)
    if on and len(current) > 1:
        pieces.append(current)
    return pieces


# -- layout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SideLabel:
    """One of the two orientation labels above the diagram; `x` is its outer edge on the page."""

    small: str
    big: str
    x: int
    y: int
    align: Literal["left", "right"]

    @property
    def text(self) -> str:
        return f"{self.small} {self.big}".strip()


@dataclass(frozen=True)
class HandoutLayout:
    """Where everything sits on the page; the renderer and the tests both read it."""

    view: ViewId
    diagram: Box  # the body is fitted into this box
    transform: Transform  # figure cm -> page pixels
    side_labels: tuple[SideLabel, SideLabel]  # viewer's left, viewer's right
    legend: Box
    text: Box
    footer_top: int


LEFT_COLUMN = Box(MARGIN, 200, 460, 1400)
TEXT_COLUMN = Box(600, 200, PAGE_SIZE[0] - MARGIN - 600, 1390)
FOOTER_TOP = 1620
FIGURE_MARGIN_CM = 1.5


def view_of(atlas: ResolvedAtlas, selection: Selection) -> ResolvedAtlas:
    """The atlas on the selection's view (the atlas itself if it knows no other views)."""
    return atlas.on(selection.view) if selection.view in atlas.views else atlas


def handout_layout(atlas: ResolvedAtlas, selection: Selection) -> HandoutLayout:
    """The page layout for a selection: diagram box and transform, side labels, columns."""
    view = view_of(atlas, selection)
    column = LEFT_COLUMN
    labels_height, legend_height, caption_height = 56, 120, 36
    diagram = Box(
        column.left,
        column.top + labels_height,
        column.width,
        column.height - labels_height - legend_height - caption_height,
    )
    x0, x1, y0, y1 = view.body.bounds
    m = FIGURE_MARGIN_CM
    transform = fit_transform((x0 - m, x1 + m), (y0 - m, y1 + m), diagram)
    (left_small, left_big), (right_small, right_big) = SIDE_LABELS[view.view]
    labels = (
        SideLabel(left_small, left_big, column.left, column.top, "left"),
        SideLabel(right_small, right_big, column.right, column.top, "right"),
    )
    legend = Box(column.left, diagram.bottom + caption_height, column.width, legend_height)
    return HandoutLayout(view.view, diagram, transform, labels, legend, TEXT_COLUMN, FOOTER_TOP)


def handout_transform(atlas: ResolvedAtlas, selection: Selection | None = None) -> Transform:
    """Figure cm -> page pixels for the diagram of `atlas`'s view (or the selection's view)."""
    return handout_layout(atlas, selection or Selection(view=atlas.view)).transform


# -- text -------------------------------------------------------------------------------------

BlockKind = Literal["area", "para", "small", "heading", "subheading", "bullet", "disclaimer"]


@dataclass(frozen=True)
class Block:
    """One paragraph of the text column and how it is set."""

    kind: BlockKind
    text: str
    part: Literal["area", "area_flags", "general", "end"] = "area"  # which part of the page it is in


def plain_words(atlas: ResolvedAtlas, text: str, show_codes: bool = False) -> str:
    """The text with point codes replaced by the point's pinyin name, unless codes are wanted."""
    return text if show_codes else without_codes(atlas, text)


def _chosen_groups(atlas: ResolvedAtlas, selection: Selection) -> list[tuple[str, list[str]]]:
    """Selected region ids grouped by their content entry, in selection order."""
    groups: dict[str, list[str]] = {}
    for region_id in selection.regions:
        if region_id in atlas.region_labels:
            groups.setdefault(atlas.base_of(region_id), []).append(region_id)
    return list(groups.items())


def handout_blocks(atlas: ResolvedAtlas, selection: Selection, show_codes: bool = False) -> list[Block]:
    """The text column, paragraph by paragraph: areas, when to see a doctor, the disclaimer."""

    def words(text: str) -> str:
        return plain_words(atlas, text, show_codes)

    blocks: list[Block] = []
    general = atlas.atlas.red_flags_general  # always shown in full, so an area repeats none of them
    region_flags: list[str] = []
    groups = _chosen_groups(atlas, selection)
    for base, region_ids in groups:
        content = atlas.region_content[base]
        both = len(region_ids) > 1
        label = f"{content.label} (both sides)" if both else atlas.region_labels[region_ids[0]]
        blocks += [Block("area", label), Block("para", words(content.layers.plain))]
        points = [atlas.points[code] for code in content.all_points if code in atlas.points]
        if points:
            names = [f"{p.code} {p.pinyin}" if show_codes else p.pinyin for p in points]
            blocks.append(Block("small", "Points your practitioner may use: " + ", ".join(names) + "."))
        region_flags += [flag for flag in content.layers.red_flags if flag not in (*region_flags, *general)]
    if not groups:
        blocks += [
            Block("area", NO_AREA),
            Block(
                "para",
                "This page shows the whole map: the body and all the channels. "
                "Choose an area in the app to add notes about it.",
            ),
        ]

    if region_flags:
        these = "these areas" if len(groups) > 1 else "this area"
        blocks += [
            Block("heading", "When to see a doctor", "area_flags"),
            Block("subheading", f"Signs to watch for in {these}", "area_flags"),
        ]
        blocks += [Block("bullet", words(flag), "area_flags") for flag in region_flags]
        blocks.append(Block("subheading", "With any pain", "general"))
    else:
        blocks += [
            Block("heading", "When to see a doctor", "general"),
            Block("subheading", "Get medical advice promptly if you have", "general"),
        ]
    blocks += [Block("bullet", words(flag), "general") for flag in general]
    blocks.append(Block("disclaimer", words(atlas.atlas.disclaimer), "end"))
    return blocks


def handout_text(atlas: ResolvedAtlas, selection: Selection, show_codes: bool = False) -> list[str]:
    """The text column's paragraphs as plain strings, in reading order (what the page says)."""
    return [block.text for block in handout_blocks(view_of(atlas, selection), selection, show_codes)]


# -- fonts and wrapping -----------------------------------------------------------------------


@cache
def font(size: int) -> Font:
    """Pillow's built-in scalable font (Aileron) at a size in pixels: no system font needed."""
    return ImageFont.load_default(size=size)


def wrap(text: str, face: Font, width: float) -> list[str]:
    """Word-wrap to a pixel width; a word longer than the width (a link) is cut where it must be."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if face.getlength(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while face.getlength(word) > width:
            cut = max(1, max(i for i in range(1, len(word) + 1) if face.getlength(word[:i]) <= width or i == 1))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class Style:
    """How one kind of block is set: size, colour, weight, indent and spacing, in pixels."""

    size: int
    colour: Colour
    bold: bool = False
    indent: int = 0
    before: int = 0
    leading: float = 1.36


def styles(base: int) -> dict[BlockKind, Style]:
    """Block styles scaled from a base body size (the text shrinks as a whole to fit the column)."""
    return {
        "area": Style(round(base * 1.3), INK, bold=True, indent=round(base * 1.45), before=round(base * 1.0)),
        "para": Style(base, BODY_TEXT, before=round(base * 0.35)),
        "small": Style(round(base * 0.84), MUTED, before=round(base * 0.45)),
        "heading": Style(round(base * 1.3), WARNING, bold=True, before=round(base * 1.5)),
        "subheading": Style(round(base * 0.92), INK, bold=True, before=round(base * 0.6)),
        "bullet": Style(base, BODY_TEXT, indent=round(base * 1.1), before=round(base * 0.3)),
        "disclaimer": Style(round(base * 0.8), MUTED, before=round(base * 1.4), leading=1.4),
    }


@dataclass(frozen=True)
class SetBlock:
    """A block broken into lines at one style: what the renderer draws."""

    block: Block
    style: Style
    lines: tuple[str, ...]
    top: float  # relative to the top of the column

    @property
    def line_height(self) -> float:
        return self.style.size * self.style.leading


def set_blocks(blocks: Sequence[Block], width: int, base: int) -> tuple[list[SetBlock], float]:
    """Lines and positions of every block at a base size; also the total height."""
    table = styles(base)
    out: list[SetBlock] = []
    y = 0.0
    for i, block in enumerate(blocks):
        style = table[block.kind]
        if i:
            y += style.before
        lines = tuple(wrap(block.text, font(style.size), width - style.indent))
        out.append(SetBlock(block, style, lines, y))
        y += len(lines) * style.size * style.leading
    return out, y


MORE_ABOUT_AREAS = Block("small", "There is more about each area in the app.")
MORE_SIGNS = Block("small", "More warning signs for these areas are in the app.", "area_flags")


def _shortened(blocks: Sequence[Block]) -> Iterator[list[Block]]:
    """Ever shorter versions of the text, least needed first: the small print about points,
    then the area explanations from the last, then this area's own warning signs from the end.
    The general warning signs and the disclaimer always stay."""
    trial = [b for b in blocks if b.kind != "small"]
    yield trial
    for kind, part, note in (("para", "area", MORE_ABOUT_AREAS), ("bullet", "area_flags", MORE_SIGNS)):
        while any(b.kind == kind and b.part == part for b in trial):
            cut = max(i for i, b in enumerate(trial) if b.kind == kind and b.part == part)
            trial = [b for i, b in enumerate(trial) if i != cut and b != note]
            end = max(i for i, b in enumerate(trial) if b.part == part) + 1
            trial = [*trial[:end], note, *trial[end:]]
            yield trial


def fit_blocks(blocks: Sequence[Block], box: Box) -> list[SetBlock]:
    """The blocks at the largest base size that fits the box; if none does, a shortened text
    at the smallest size (see `_shortened`), so the handout is always one page."""
    for base in range(21, 14, -1):
        placed, height = set_blocks(blocks, box.width, base)
        if height <= box.height:
            return placed
    for trial in _shortened(blocks):
        placed, height = set_blocks(trial, box.width, 15)
        if height <= box.height:
            return placed
    return placed


# -- drawing ----------------------------------------------------------------------------------


def _text(
    draw: ImageDraw.ImageDraw, xy: PX, text: str, size: int, colour: Colour, *, bold: bool = False, anchor: str = "la"
) -> None:
    """Text in the built-in font at page size; `bold` gives a semibold (the font has no bold face)."""
    if not bold:
        draw.text(xy, text, font=font(size), fill=colour, anchor=anchor)
        return
    # A stroke at twice the size, scaled down, thickens the letters by about half a pixel: a
    # clean semibold where a full-pixel stroke at page size smudges small text.
    big, stroke = font(size * 2), 2 if size >= 36 else 1
    bbox = draw.textbbox((0, 0), text, font=big, anchor=anchor, stroke_width=stroke)
    left, top = math.floor(bbox[0] / 2) * 2 - 2, math.floor(bbox[1] / 2) * 2 - 2  # even, so halving is exact
    width, height = math.ceil(bbox[2]) - left + 4, math.ceil(bbox[3]) - top + 4
    width, height = width + width % 2, height + height % 2
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).text(
        (-left, -top), text, font=big, fill=255, anchor=anchor, stroke_width=stroke, stroke_fill=255
    )
    mask = mask.resize((width // 2, height // 2), Image.Resampling.LANCZOS)
    draw.bitmap((round(xy[0] + left / 2), round(xy[1] + top / 2)), mask, fill=colour)


def _hex(colour: str, alpha: int = 255) -> Colour:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), alpha)


HINT_LINE_RGB = _hex(HINT_LINE)
BODY_LINE_RGB = _hex(BODY_LINE)
HIGHLIGHT_LINE_RGB = _hex(HIGHLIGHT_LINE)


def _line(draw: ImageDraw.ImageDraw, points: Sequence[PX], colour: Colour, width: int) -> None:
    if len(points) > 1:
        draw.line(list(points), fill=colour, width=width, joint="curve")


def _dot(
    draw: ImageDraw.ImageDraw, at: PX, radius: float, colour: Colour, ring: Colour | None = None, ring_width: int = 0
) -> None:
    x, y = at
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour, outline=ring, width=ring_width)


def _dashed(
    draw: ImageDraw.ImageDraw, points: Sequence[PX], pattern: Sequence[float], colour: Colour, width: int
) -> None:
    for piece in dashed_polyline(points, pattern):
        if math.dist(piece[0], piece[-1]) <= width * 1.2 and len(piece) <= 2:
            mid = ((piece[0][0] + piece[-1][0]) / 2, (piece[0][1] + piece[-1][1]) / 2)
            _dot(draw, mid, width * 0.6, colour)
        else:
            _line(draw, piece, colour, width)


@dataclass(frozen=True)
class Drawn:
    """What the diagram shows: which regions, channels and points (the legend follows it)."""

    regions: tuple[str, ...]
    channels: tuple[str, ...]
    points: tuple[str, ...]
    deep: bool


def diagram_content(atlas: ResolvedAtlas, selection: Selection) -> Drawn:
    """Selected regions on this view, the channels that serve them, and their key points."""
    view = view_of(atlas, selection)
    focus = emphasis(view, selection)
    regions = tuple(r for r in selection.regions if r in view.region_shapes)
    channels = tuple(c for c in selection.channels if c in view.channels and (not focus.active or c in focus.channels))
    points = tuple(
        p.code for c in channels for p in view.visible_points(c) if not focus.active or p.code in focus.points
    )
    deep = any(view.deep_lines(c) for c in channels)
    return Drawn(regions, channels, points, deep)


def _draw_diagram(
    canvas: ImageDraw.ImageDraw, view: ResolvedAtlas, drawn: Drawn, to_px: Transform, active: bool
) -> None:
    s = SUPERSAMPLE
    outline = to_px.many(view.body.outline)
    canvas.polygon(outline, fill=SKIN)
    for hint in view.body.hints:
        _line(canvas, to_px.many(hint), HINT_LINE_RGB, round(1.1 * s))
    for _, y in view.body.spinous_processes():
        _line(canvas, to_px.many([(-0.6, y + 0.35), (0.6, y + 0.35)]), SPINE, 2 * s)
    for region_id in drawn.regions:
        for polygon in view.region_shapes[region_id].polygons:
            canvas.polygon(to_px.many(polygon), fill=HIGHLIGHT)
    _line(canvas, [*outline, outline[0]], BODY_LINE_RGB, round(1.6 * s))
    for region_id in drawn.regions:
        for polygon in view.region_shapes[region_id].polygons:
            points = to_px.many(polygon)
            _line(canvas, [*points, points[0]], HIGHLIGHT_LINE_RGB, round(1.4 * s))
    for channel_id in drawn.channels:
        channel = view.channels[channel_id]
        pattern = [v * s for v in DASHES[channel.dash]]
        for _, line in view.deep_lines(channel_id):
            _dashed(canvas, to_px.many(line), pattern, _hex(channel.colour, 215), round(2.2 * s))
    for channel_id in drawn.channels:
        colour = _hex(view.channels[channel_id].colour)
        for line in view.surface_lines(channel_id):
            _line(canvas, to_px.many(line), colour, round((3.0 if active else 2.4) * s))
    radius = (4.6 if active else 3.0) * s
    for code in drawn.points:
        colour = _hex(view.channels[view.points[code].channel].colour)
        for xy in view.positions[code]:
            _dot(canvas, to_px(xy), radius, colour, (255, 255, 255), max(1, round(0.9 * s)))


def _legend_entries(view: ResolvedAtlas, drawn: Drawn) -> list[tuple[str, str, Colour]]:
    """(swatch kind, text, colour) for the legend under the diagram."""
    entries: list[tuple[str, str, Colour]] = []
    if drawn.regions:
        entries.append(("area", "Your area", HIGHLIGHT))
    for channel_id in drawn.channels:
        channel = view.channels[channel_id]
        entries.append(("line", channel.english.split(" (")[0], _hex(channel.colour)))
    if drawn.points:
        entries.append(("dot", "Points that may be used" if drawn.regions else "Points", MUTED))
    if drawn.deep:
        entries.append(("dash", "Dashed: inner pathway", MUTED))
    return entries


def _draw_left_column(
    page: Image.Image, view: ResolvedAtlas, selection: Selection, layout: HandoutLayout, show_codes: bool
) -> None:
    """The diagram and legend swatches drawn large and scaled down, then labels and legend text."""
    column = Box(LEFT_COLUMN.left, layout.diagram.top, LEFT_COLUMN.width, layout.legend.bottom - layout.diagram.top)
    s = SUPERSAMPLE
    canvas_image = Image.new("RGB", (column.width * s, column.height * s), "white")
    canvas = ImageDraw.Draw(canvas_image, "RGBA")
    drawn = diagram_content(view, selection)
    active = emphasis(view, selection).active
    _draw_diagram(canvas, view, drawn, layout.transform.onto(column, s), active)

    entries = _legend_entries(view, drawn)
    rows = math.ceil(len(entries) / 2)
    row_height = min(30, layout.legend.height // max(rows, 1))
    spots: list[tuple[PX, str]] = []
    for i, (kind, text, colour) in enumerate(entries):
        x = layout.legend.left + (i // rows) * (layout.legend.width // 2)
        y = layout.legend.top + (i % rows) * row_height + row_height / 2
        cx, cy = (x - column.left) * s, (y - column.top) * s
        if kind == "area":
            canvas.rounded_rectangle(
                (cx, cy - 9 * s, cx + 28 * s, cy + 9 * s),
                radius=4 * s,
                fill=colour,
                outline=HIGHLIGHT_LINE_RGB,
                width=s,
            )
        elif kind == "line":
            _line(canvas, [(cx, cy), (cx + 28 * s, cy)], colour, 3 * s)
        elif kind == "dot":
            _dot(canvas, (cx + 14 * s, cy), 4.6 * s, colour, (255, 255, 255), s)
        else:
            _dashed(canvas, [(cx, cy), (cx + 28 * s, cy)], [v * s for v in DASHES["dash"]], colour, 2 * s)
        spots.append(((x + 38, y), text))

    small = canvas_image.resize((column.width, column.height), Image.Resampling.LANCZOS)
    page.paste(small, (column.left, column.top))
    draw = ImageDraw.Draw(page)
    for at, text in spots:
        _text(draw, at, text, 17, BODY_TEXT, anchor="lm")
    if show_codes and active:
        for code in drawn.points:
            for xy in view.positions[code]:
                px, py = layout.transform(xy)
                _text(draw, (px + 7, py - 7), code, 12, MUTED, anchor="lb")
    caption_y = layout.diagram.bottom + 10
    _text(
        draw,
        (layout.diagram.left + layout.diagram.width / 2, caption_y),
        VIEW_CAPTIONS[view.view],
        17,
        MUTED,
        anchor="mt",
    )
    for label in layout.side_labels:
        anchor_x = "l" if label.align == "left" else "r"
        if label.small:
            _text(draw, (label.x, label.y), label.small, 15, MUTED, anchor=anchor_x + "a")
        _text(
            draw, (label.x, label.y + (18 if label.small else 6)), label.big, 22, INK, bold=True, anchor=anchor_x + "a"
        )


def _draw_text_column(draw: ImageDraw.ImageDraw, blocks: Sequence[Block], box: Box) -> None:
    for placed in fit_blocks(blocks, box):
        style, kind = placed.style, placed.block.kind
        top = box.top + placed.top
        if kind == "heading":
            draw.line((box.left, top - style.size * 0.55, box.right, top - style.size * 0.55), fill=RULE, width=1)
        if kind == "disclaimer":
            draw.line((box.left, top - style.size * 0.7, box.left + 120, top - style.size * 0.7), fill=RULE, width=1)
        for n, line in enumerate(placed.lines):
            y = top + n * placed.line_height
            _text(draw, (box.left + style.indent, y), line, style.size, style.colour, bold=style.bold)
        if kind == "bullet":
            r = style.size * 0.16
            cx, cy = box.left + style.size * 0.35, top + style.size * 0.68
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WARNING)
        if kind == "area" and placed.block.text != NO_AREA:
            cy, half = top + style.size * 0.64, style.size * 0.36
            draw.rounded_rectangle(
                (box.left, cy - half, box.left + 2.2 * half, cy + half),
                radius=4,
                fill=(247, 240, 160),
                outline=HIGHLIGHT_LINE_RGB,
                width=1,
            )


def _draw_header_and_footer(draw: ImageDraw.ImageDraw, link: str, today: datetime.date) -> None:
    right = PAGE_SIZE[0] - MARGIN
    _text(draw, (MARGIN, 70), TITLE, 44, INK, bold=True)
    _text(draw, (right, 86), f"{today.day} {today:%B %Y}", 22, MUTED, anchor="ra")
    _text(draw, (MARGIN, 130), "What we looked at today, in plain words. Keep it with you.", 21, MUTED)
    draw.line((MARGIN, 172, right, 172), fill=RULE, width=2)
    draw.line((MARGIN, FOOTER_TOP, right, FOOTER_TOP), fill=RULE, width=2)
    _text(draw, (MARGIN, FOOTER_TOP + 20), "Open this view again:", 20, INK, bold=True)
    for n, line in enumerate(wrap(link, font(19), right - MARGIN)[:2]):
        _text(draw, (MARGIN, FOOTER_TOP + 52 + n * 26), line, 19, LINK)


def render_handout(
    atlas: ResolvedAtlas, selection: Selection, link: str, today: datetime.date, *, show_codes: bool = False
) -> Image.Image:
    """The handout page: one white A4 portrait page at 150 dpi (1240x1754 px, RGB)."""
    view = view_of(atlas, selection)
    layout = handout_layout(atlas, selection)
    page = Image.new("RGB", PAGE_SIZE, "white")
    _draw_left_column(page, view, selection, layout, show_codes)
    draw = ImageDraw.Draw(page)
    _draw_text_column(draw, handout_blocks(view, selection, show_codes), layout.text)
    _draw_header_and_footer(draw, link, today)
    return page


def handout_png(
    atlas: ResolvedAtlas, selection: Selection, link: str, today: datetime.date, *, show_codes: bool = False
) -> bytes:
    """The handout as PNG bytes (150 dpi recorded), for download or e-mail."""
    buffer = io.BytesIO()
    render_handout(atlas, selection, link, today, show_codes=show_codes).save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def handout_pdf(
    atlas: ResolvedAtlas, selection: Selection, link: str, today: datetime.date, *, show_codes: bool = False
) -> bytes:
    """The handout as a one-page PDF (A4 at 150 dpi: a 595x842 pt page), for printing."""
    buffer = io.BytesIO()
    page = render_handout(atlas, selection, link, today, show_codes=show_codes)
    page.save(buffer, "PDF", resolution=float(DPI), title=TITLE, author="Meridian Map")
    return buffer.getvalue()
