"""The take-home handout: one calm A4 page a practitioner can print or send after a session.

The page is laid out once, as a `Sheet` of shapes, text and links (see `sheet`), and
drawn by two renderers: `sheet_pdf` makes the PDF to print (vector, with a text
layer and a clickable link), `sheet_png` the PNG for messaging apps. Neither
decides where anything goes.

On the left, the drawing of the chosen view from the same body model as the app
(never a screenshot): the chosen areas in yellow, the channels that serve them, and
the points a practitioner may use, numbered. On the right, in plain words: the
area, the same numbered points by name, what the research says, when to see a
doctor (the most urgent signs first, each once, at most eight) and what to do
next. At the bottom, the link that opens the same view again and a QR code of it.
It holds no personal data. Point codes are left out unless the caller asks for
them: a patient needs the area and the warning signs, not the notation.
"""

from __future__ import annotations

import datetime
import difflib
import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlsplit

import segno
from PIL import Image

from . import sheet_pdf, sheet_png
from .atlas import ResolvedAtlas
from .body import XY
from .explain import area_cautions, area_groups, group_label, without_codes
from .figure import BODY_FILL, BODY_LINE, HIGHLIGHT_LINE, HINT_LINE, LINE_STYLES, Selection, emphasis, spine_ticks
from .links import ShareLink
from .model import ViewId
from .sheet import (
    DPI,
    PAGE_SIZE,
    PX,
    Circle,
    Colour,
    Item,
    Link,
    Rect,
    Shape,
    Sheet,
    Text,
    ascent,
    clean,
    shorten,
    text_width,
    wrap,
)

__all__ = [
    "DPI",
    "NO_AREA",
    "PAGE_SIZE",
    "handout_pdf",
    "handout_png",
    "handout_sheet",
    "render_handout",
]

MARGIN = 80
TITLE = "Meridian Map: your notes"
NO_AREA = "No area chosen"
MAX_WARNINGS = 8
MAX_NUMBERED = 12  # points numbered on the drawing; more would crowd it (the rest are named)
MAX_AREA_NOTES = 3  # areas explained one by one; more are named together

INK: Colour = (40, 36, 33)
BODY_TEXT: Colour = (52, 47, 43)
MUTED: Colour = (100, 92, 85)
RULE: Colour = (222, 214, 206)
WARNING: Colour = (150, 38, 38)
WARNING_TINT: Colour = (252, 244, 242)
LINK: Colour = (25, 86, 160)
SPINE: Colour = (196, 182, 168)
HIGHLIGHT: Colour = (240, 228, 66, 115)  # rgba(240, 228, 66, 0.45), as in the app
SWATCH: Colour = (247, 240, 160)
WHITE: Colour = (255, 255, 255)

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

    def many(self, points: Sequence[XY]) -> tuple[PX, ...]:
        return tuple(self(xy) for xy in points)


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


# -- where things go --------------------------------------------------------------------------


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
    """The page's boxes for a selection: the diagram and its transform, the columns, the footer."""

    view: ViewId
    diagram: Box  # the body is fitted into this box
    transform: Transform  # figure cm -> page pixels
    side_labels: tuple[SideLabel, SideLabel]  # viewer's left, viewer's right
    legend: Box
    text: Box
    footer_top: int


HEADER_RULE = 178
BODY_TOP = 206
FOOTER_TOP = 1432
LEFT_COLUMN = Box(MARGIN, BODY_TOP, 350, FOOTER_TOP - 26 - BODY_TOP)
TEXT_COLUMN = Box(470, BODY_TOP, PAGE_SIZE[0] - MARGIN - 470, FOOTER_TOP - 26 - BODY_TOP)
QR_SIZE = 184  # the largest the code may be, in pixels (about 31 mm)
DISCLAIMER_TOP = 1626
LINK_LINES = 2
FIGURE_MARGIN_CM = 1.5


def view_of(atlas: ResolvedAtlas, selection: Selection) -> ResolvedAtlas:
    """The atlas on the selection's view (the atlas itself if it knows no other views)."""
    return atlas.on(selection.view) if selection.view in atlas.views else atlas


def handout_layout(atlas: ResolvedAtlas, selection: Selection) -> HandoutLayout:
    """The page layout for a selection: diagram box and transform, side labels, columns."""
    view = view_of(atlas, selection)
    column = LEFT_COLUMN
    labels_height, caption_height = 60, 40
    legend_height = LEGEND_ROW * max(len(legend_entries(view, selection)), 3)
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


LEGEND_ROW = 27


def handout_transform(atlas: ResolvedAtlas, selection: Selection | None = None) -> Transform:
    """Figure cm -> page pixels for the diagram of `atlas`'s view (or the selection's view)."""
    return handout_layout(atlas, selection or Selection(view=atlas.view)).transform


# -- what the page says -----------------------------------------------------------------------

BlockKind = Literal["area", "para", "small", "heading", "warning_heading", "point", "bullet", "step", "disclaimer"]
Part = Literal["area", "points", "research", "warnings", "next", "end"]


@dataclass(frozen=True)
class Block:
    """One paragraph of the text column and how it is set; `number` is a point's number on the drawing."""

    kind: BlockKind
    text: str
    part: Part = "area"
    number: int | None = None


def plain_words(atlas: ResolvedAtlas, text: str, show_codes: bool = False) -> str:
    """The text with point codes replaced by the point's pinyin name, unless codes are wanted."""
    return text if show_codes else without_codes(atlas, text)


def chosen_points(atlas: ResolvedAtlas, selection: Selection) -> tuple[str, ...]:
    """The points a practitioner may use for the chosen areas, each once, in the content's order."""
    codes = (
        code
        for base, _ in area_groups(atlas, selection.regions)
        for code in atlas.region_content[base].all_points
        if code in atlas.points
    )
    return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class Drawn:
    """What the diagram shows: which regions, channels and points (the legend follows it).

    `numbered` are the chosen areas' points on the drawing, numbered from 1 in this order."""

    regions: tuple[str, ...]
    channels: tuple[str, ...]
    points: tuple[str, ...]
    deep: bool
    numbered: tuple[str, ...] = ()


def diagram_content(atlas: ResolvedAtlas, selection: Selection) -> Drawn:
    """Selected regions on this view, the channels that serve them, their points, and which are numbered."""
    view = view_of(atlas, selection)
    focus = emphasis(view, selection)
    regions = tuple(r for r in selection.regions if r in view.region_shapes)
    channels = tuple(c for c in selection.channels if c in view.channels and (not focus.active or c in focus.channels))
    points = tuple(
        p.code for c in channels for p in view.visible_points(c) if not focus.active or p.code in focus.points
    )
    deep = any(view.deep_lines(c) for c in channels)
    numbered = tuple(code for code in chosen_points(view, selection) if code in points)[:MAX_NUMBERED]
    return Drawn(regions, channels, points, deep, numbered)


# Words that mark a warning sign as more urgent than the rest, most urgent first.
URGENCY = (
    re.compile(r"emergency|ambulance|\b999\b|\b911\b", re.IGNORECASE),
    re.compile(r"\burgent", re.IGNORECASE),
    re.compile(r"same[ -]day", re.IGNORECASE),
)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", clean(text).casefold()).split())


def _repeats(text: str, kept: Sequence[str]) -> bool:
    """The same sign said again: equal words, one inside the other, or nearly the same sentence."""
    words = _norm(text)
    for other in map(_norm, kept):
        if words == other or words in other or other in words:
            return True
        if difflib.SequenceMatcher(None, words, other).ratio() >= 0.85:
            return True
    return False


def handout_warnings(atlas: ResolvedAtlas, region_ids: Sequence[str], limit: int = MAX_WARNINGS) -> tuple[str, ...]:
    """The warning signs for the chosen areas, each once, at most `limit`, the most urgent first.

    Signs that say to call emergency services come first, then those that say urgent, then the
    same day; then the general signs for any back pain (the content orders them, the most serious
    first), then each area's own signs, in the order of the areas."""
    general = list(atlas.atlas.red_flags_general)
    own = [flag for region_id in region_ids for flag in atlas.content_of(region_id).layers.red_flags]

    def tier(item: tuple[int, str]) -> int:
        index, flag = item
        for rank, words in enumerate(URGENCY):
            if words.search(flag):
                return rank
        return len(URGENCY) + (index >= len(general))

    ordered = [flag for _, flag in sorted(enumerate([*general, *own]), key=lambda item: (tier(item), item[0]))]
    kept: list[str] = []
    for flag in ordered:
        if not _repeats(flag, kept):
            kept.append(flag)
    return tuple(kept[:limit])


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", clean(text).strip()) if s]


def research_lines(atlas: ResolvedAtlas, selection: Selection) -> tuple[str, ...]:
    """What the research says, in plain words: two sentences for one area, the first sentence of
    each for several (the content's `patient` words where it has them)."""
    groups = area_groups(atlas, selection.regions)
    lines = []
    for base, region_ids in groups:
        content = atlas.region_content[base]
        words = content.layers.patient.evidence if content.layers.patient else content.layers.evidence.summary
        sentences = _sentences(without_codes(atlas, words))
        if len(groups) == 1:
            two = " ".join(sentences[:2])
            lines.append(two if len(two.split()) <= RESEARCH_WORDS else sentences[0])
        else:
            lines.append(f"{group_label(atlas, base, region_ids)}: {sentences[0] if sentences else ''}")
    return tuple(lines)


RESEARCH_WORDS = 45  # two sentences when they are short enough, else the first


ASK = "Ask your practitioner about anything on this sheet."
SEE_DOCTOR = "See your doctor if the pain gets worse or has not begun to ease after a few weeks."
MORE_ABOUT_AREAS = Block("small", "There is more about each area in the app.", "area")
MORE_RESEARCH = Block("small", "The app says what the research found for each area.", "research")
MORE_SIGNS = Block("small", "The app lists more warning signs for these areas.", "warnings")


def handout_blocks(
    atlas: ResolvedAtlas, selection: Selection, show_codes: bool = False, numbered: Sequence[str] | None = None
) -> list[Block]:
    """The text column, paragraph by paragraph: areas, points, research, warning signs, next steps,
    the disclaimer. `numbered` are the points the drawing numbers (by default, those it would draw)."""

    def words(text: str) -> str:
        return plain_words(atlas, text, show_codes)

    if numbered is None:
        numbered = diagram_content(atlas, selection).numbered
    blocks: list[Block] = []
    groups = area_groups(atlas, selection.regions)
    if len(groups) > MAX_AREA_NOTES:
        labels = ", ".join(group_label(atlas, base, region_ids) for base, region_ids in groups)
        blocks += [Block("area", "Your areas"), Block("para", labels + "."), MORE_ABOUT_AREAS]
    else:
        for base, region_ids in groups:
            content = atlas.region_content[base]
            blocks += [Block("area", group_label(atlas, base, region_ids)), Block("para", words(content.layers.plain))]
    if not groups:
        blocks += [
            Block("area", NO_AREA),
            Block(
                "para",
                "This page shows the whole map: the body and all the channels. "
                "Choose an area in the app to add notes about it.",
            ),
        ]

    def name(code: str) -> str:
        point = atlas.points[code]
        return f"{point.code} {point.pinyin}" if show_codes else point.pinyin

    points = chosen_points(atlas, selection)
    if points:
        blocks.append(Block("heading", "Points your practitioner may use", "points"))
        blocks += [Block("point", name(code), "points", number) for number, code in enumerate(numbered, start=1)]
        elsewhere = [name(code) for code in points if code not in numbered]
        if elsewhere:
            said = "Also" if numbered else "Not on this drawing"
            blocks.append(Block("small", f"{said}: " + ", ".join(elsewhere) + ".", "points"))
    research = research_lines(atlas, selection)
    if research:
        blocks.append(Block("heading", "What the research says", "research"))
        blocks += [Block("para", words(line), "research") for line in research]

    blocks.append(Block("warning_heading", "When to see a doctor", "warnings"))
    blocks += [Block("bullet", words(flag), "warnings") for flag in handout_warnings(atlas, selection.regions)]

    blocks.append(Block("heading", "What to do next", "next"))
    blocks += [Block("step", ASK, "next"), Block("step", SEE_DOCTOR, "next")]
    chosen_ids = tuple(r for _, ids in groups for r in ids)
    blocks += [Block("step", words(c.patient), "next") for c in area_cautions(atlas, chosen_ids) if c.patient]
    blocks.append(Block("disclaimer", words(atlas.atlas.disclaimer), "end"))
    return blocks


def handout_text(atlas: ResolvedAtlas, selection: Selection, show_codes: bool = False) -> list[str]:
    """The text column's paragraphs as plain strings, in reading order (what the page says)."""
    return [block.text for block in handout_blocks(view_of(atlas, selection), selection, show_codes)]


# -- setting the text -------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How one kind of block is set: size, colour, weight, indent and spacing, in pixels."""

    size: int
    colour: Colour
    bold: bool = False
    indent: int = 0
    before: int = 0
    leading: float = 1.34


def styles(base: int) -> dict[BlockKind, Style]:
    """Block styles scaled from a base body size (the text shrinks as a whole to fit the column)."""
    heading = Style(round(base * 1.15), INK, bold=True, before=round(base * 1.25))
    return {
        "area": Style(round(base * 1.3), INK, bold=True, indent=round(base * 1.6), before=round(base * 0.9)),
        "para": Style(base, BODY_TEXT, before=round(base * 0.35)),
        "small": Style(round(base * 0.86), MUTED, before=round(base * 0.4)),
        "heading": heading,
        "warning_heading": replace(heading, colour=WARNING),
        "point": Style(base, BODY_TEXT, indent=round(base * 1.55), before=round(base * 0.3)),
        "bullet": Style(base, BODY_TEXT, indent=round(base * 1.1), before=round(base * 0.3)),
        "step": Style(base, BODY_TEXT, indent=round(base * 1.1), before=round(base * 0.3)),
        "disclaimer": Style(round(base * 0.8), MUTED, before=round(base * 1.3), leading=1.4),
    }


@dataclass(frozen=True)
class SetBlock:
    """A block broken into lines at one style, and where it sits in the column."""

    block: Block
    style: Style
    lines: tuple[str, ...]
    top: float  # relative to the top of the column
    left: float = 0.0  # relative to the left of the column (points sit in columns)
    width: float = 0.0

    @property
    def line_height(self) -> float:
        return self.style.size * self.style.leading

    @property
    def bottom(self) -> float:
        return self.top + len(self.lines) * self.line_height


def set_blocks(blocks: Sequence[Block], width: int, base: int) -> tuple[list[SetBlock], float]:
    """Lines and positions of every block at a base size; also the total height. The numbered
    points sit in two or three columns, in reading order down each column."""
    table = styles(base)
    out: list[SetBlock] = []
    y = 0.0
    i = 0
    while i < len(blocks):
        block, style = blocks[i], table[blocks[i].kind]
        if out:
            y += style.before
        if block.kind == "point":
            run = list(itertools.takewhile(lambda b: b.kind == "point", blocks[i:]))
            longest = max(text_width(b.text, style.size) for b in run) + style.indent + 12
            columns = 3 if longest <= width / 3 else 2
            rows = math.ceil(len(run) / columns)
            half = width / columns
            bottom = y
            for n, point in enumerate(run):
                column, row = divmod(n, rows)
                top = y + row * (style.size * style.leading + style.before)
                text = shorten(point.text, style.size, half - style.indent - 8)
                out.append(SetBlock(point, style, (text,), top, column * half, half))
                bottom = max(bottom, out[-1].bottom)
            y = bottom
            i += len(run)
            continue
        lines = tuple(wrap(block.text, style.size, width - style.indent, style.bold))
        out.append(SetBlock(block, style, lines, y, 0.0, width))
        y += len(lines) * style.size * style.leading
        i += 1
    return out, y


def _shortened(blocks: Sequence[Block]) -> Iterator[list[Block]]:
    """Ever shorter versions of the text, least needed first: the small print about points, the
    least urgent warning signs down to six, the research from the last area but the first, the
    area explanations from the last but the first, the cautions under "what to do next", then
    warning signs down to four. The rest always stays."""
    trial = [b for b in blocks if not (b.kind == "small" and b.part == "points")]
    yield trial
    cuts = (("bullet", "warnings", MORE_SIGNS, 6), ("para", "research", MORE_RESEARCH, 1),
            ("para", "area", MORE_ABOUT_AREAS, 1), ("step", "next", None, 2),
            ("bullet", "warnings", MORE_SIGNS, 4), ("para", "research", None, 0))  # fmt: skip
    for kind, part, note, keep in cuts:
        while sum(b.kind == kind and b.part == part for b in trial) > keep:
            cut = max(i for i, b in enumerate(trial) if b.kind == kind and b.part == part)
            trial = [b for i, b in enumerate(trial) if i != cut and b != note]
            if note is not None:
                end = max(i for i, b in enumerate(trial) if b.part == part) + 1
                trial = [*trial[:end], note, *trial[end:]]
            yield trial


LARGEST, SMALLEST = 25, 20  # body text sizes in pixels: 12 pt down to 9.6 pt


def fit_blocks(blocks: Sequence[Block], box: Box) -> list[SetBlock]:
    """The blocks at the largest base size that fits the box; if none does, a shortened text
    at the smallest size (see `_shortened`), so the handout is always one page."""
    for base in range(LARGEST, SMALLEST - 1, -1):
        placed, height = set_blocks(blocks, box.width, base)
        if height <= box.height:
            return placed
    for trial in _shortened(blocks):
        placed, height = set_blocks(trial, box.width, SMALLEST)
        if height <= box.height:
            return placed
    return [p for p in placed if p.bottom <= box.height]  # never into the footer, whatever the content


# -- drawing onto the sheet -------------------------------------------------------------------


def _hex(colour: str, alpha: int = 255) -> Colour:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), alpha)


HINT_LINE_RGB = _hex(HINT_LINE)
SKIN = _hex(BODY_FILL)  # the screen's
HINT_WIDTH = 1.3  # page pixels (150 dpi): as quiet on paper as on the screen
BODY_LINE_RGB = _hex(BODY_LINE)
HIGHLIGHT_LINE_RGB = _hex(HIGHLIGHT_LINE)
MARKER_RADIUS = 11.0


def _dashed(points: Sequence[PX], pattern: Sequence[float], colour: Colour, width: float) -> list[Item]:
    items: list[Item] = []
    for piece in dashed_polyline(points, pattern):
        if math.dist(piece[0], piece[-1]) <= width * 1.2 and len(piece) <= 2:
            mid = ((piece[0][0] + piece[-1][0]) / 2, (piece[0][1] + piece[-1][1]) / 2)
            items.append(Circle(mid, width * 0.6, fill=colour))
        else:
            items.append(Shape(tuple(piece), colour, width))
    return items


SHEET_LINE = 3.0 / LINE_STYLES["single"][0]  # the sheet's plain line is 3 px wide, the screen's 3.2


def _surface_line(points: Sequence[PX], style: str, colour: Colour, scale: float = 1.0) -> list[Item]:
    """A channel's surface line in its style, as on screen (figure.LINE_STYLES): a double line is a
    wide line with a white core."""
    width, core = LINE_STYLES[style]
    items: list[Item] = [Shape(tuple(points), colour, width * SHEET_LINE * scale)]
    if core:
        items.append(Shape(tuple(points), WHITE, core * SHEET_LINE * scale))
    return items


def marker(centre: PX, number: int, radius: float = MARKER_RADIUS, role: str = "marker") -> list[Item]:
    """A numbered marker: a dark disc with a white ring and a white number."""
    size = round(radius * (1.2 if number < 10 else 1.0))
    return [
        Circle(centre, radius, fill=INK, stroke=WHITE, width=1.6),
        Text(
            centre[0],
            centre[1] + ascent(size) / 2 - 0.5,
            str(number),
            size,
            WHITE,
            bold=True,
            align="centre",
            role=role,
        ),
    ]


@dataclass(frozen=True)
class Marker:
    """Where a numbered point is drawn: the point itself, and its numbered disc (often on top of it)."""

    code: str
    number: int
    at: PX
    badge: PX


def place_markers(view: ResolvedAtlas, numbered: Sequence[str], to_px: Transform) -> list[Marker]:
    """A disc for each position of each numbered point: on the point if it is free, else the nearest
    free spot around it (a short line joins them), so no two discs overlap."""
    placed: list[Marker] = []
    gap = 2 * MARKER_RADIUS + 2
    for number, code in enumerate(numbered, start=1):
        for xy in view.positions[code]:
            at = to_px(xy)
            outward = 1.0 if xy[0] >= 0 else -1.0
            spots = [at] + [
                (at[0] + outward * math.cos(a) * r, at[1] - math.sin(a) * r)
                for r in (gap, gap * 1.6, gap * 2.2)
                for a in (0.0, 0.7, -0.7, 1.57, -1.57, 2.4, -2.4, 3.14)
            ]
            badge = next(
                (s for s in spots if all(math.dist(s, other.badge) >= gap for other in placed)),
                spots[-1],
            )
            placed.append(Marker(code, number, at, badge))
    return placed


def _diagram(view: ResolvedAtlas, selection: Selection, layout: HandoutLayout, show_codes: bool) -> list[Item]:
    to_px = layout.transform
    drawn = diagram_content(view, selection)
    active = emphasis(view, selection).active
    outline = to_px.many(view.body.outline)
    items: list[Item] = [Shape(outline, fill=SKIN, closed=True)]
    items += [Shape(to_px.many(hint), HINT_LINE_RGB, HINT_WIDTH) for hint in view.body.hints]
    items += [Shape(to_px.many(tick), SPINE, 2) for tick in spine_ticks(view.body)]
    for region_id in drawn.regions:
        items += [Shape(to_px.many(p), fill=HIGHLIGHT, closed=True) for p in view.region_shapes[region_id].polygons]
    items.append(Shape(outline, BODY_LINE_RGB, 1.6, closed=True))
    for region_id in drawn.regions:
        items += [
            Shape(to_px.many(p), HIGHLIGHT_LINE_RGB, 1.4, closed=True) for p in view.region_shapes[region_id].polygons
        ]
    for channel_id in drawn.channels:
        channel = view.channels[channel_id]
        for _, line in view.deep_curves(channel_id):
            items += _dashed(to_px.many(line), DASHES[channel.dash], _hex(channel.colour, 215), 2.2)
    for channel_id in drawn.channels:
        channel = view.channels[channel_id]
        for line in view.surface_curves(channel_id):
            items += _surface_line(to_px.many(line), channel.line, _hex(channel.colour), 1.0 if active else 0.8)
    numbered = set(drawn.numbered)
    for code in drawn.points:
        if code in numbered:
            continue
        colour = _hex(view.channels[view.points[code].channel].colour)
        items += [Circle(to_px(xy), 3.0, fill=colour, stroke=WHITE, width=0.9) for xy in view.positions[code]]
    markers = place_markers(view, drawn.numbered, to_px)
    for m in markers:
        colour = _hex(view.channels[view.points[m.code].channel].colour)
        if m.badge != m.at:
            items.append(Shape((m.at, m.badge), INK, 1.2))
            items.append(Circle(m.at, 3.2, fill=colour, stroke=WHITE, width=0.9))
    for m in markers:
        items += marker(m.badge, m.number)
        if show_codes:
            items.append(Text(m.badge[0] + MARKER_RADIUS + 3, m.badge[1] + 4, m.code, 13, MUTED, role="code"))
    return items


def legend_entries(view: ResolvedAtlas, selection: Selection) -> list[tuple[str, str, Colour]]:
    """(swatch kind, text, colour) for each line of the legend under the diagram."""
    drawn = diagram_content(view, selection)
    entries: list[tuple[str, str, Colour]] = []
    if drawn.regions:
        entries.append(("area", "Your area", HIGHLIGHT))
    for channel_id in drawn.channels:
        channel = view.channels[channel_id]
        entries.append((f"line:{channel.line}", channel.english.split(" (")[0], _hex(channel.colour)))
    if drawn.numbered:
        entries.append(("marker", "Points, as numbered in the list", INK))
    elif drawn.points:
        entries.append(("dot", "Points", MUTED))
    if drawn.deep:
        entries.append(("dash", "Dashed: inner pathway", MUTED))
    return entries


def _legend(view: ResolvedAtlas, selection: Selection, layout: HandoutLayout) -> list[Item]:
    box = layout.legend
    items: list[Item] = []
    size, x, width = 18, box.left, box.width
    for row, (kind, text, colour) in enumerate(legend_entries(view, selection)):
        cy = box.top + (row + 0.5) * LEGEND_ROW
        if kind == "area":
            items.append(Rect(x, cy - 9, x + 28, cy + 9, fill=colour, stroke=HIGHLIGHT_LINE_RGB, width=1, radius=4))
        elif kind.startswith("line:"):
            items += _surface_line(((x, cy), (x + 28, cy)), kind.removeprefix("line:"), colour)
        elif kind == "marker":
            items += marker((x + 14, cy), 1, 10, role="legend")
        elif kind == "dot":
            items.append(Circle((x + 14, cy), 4.6, fill=colour, stroke=WHITE))
        else:
            items += _dashed(((x, cy), (x + 28, cy)), DASHES["dash"], colour, 2)
        label = shorten(text, size, width - 44)
        items.append(Text(x + 38, cy + ascent(size) / 2, label, size, BODY_TEXT, role="legend"))
    return items


def _left_column(view: ResolvedAtlas, selection: Selection, layout: HandoutLayout, show_codes: bool) -> list[Item]:
    items = _diagram(view, selection, layout, show_codes)
    items += _legend(view, selection, layout)
    caption = layout.diagram.bottom + 12 + ascent(18)
    items.append(Text(layout.diagram.left + layout.diagram.width / 2, caption, VIEW_CAPTIONS[view.view], 18, MUTED,
                      align="centre", role="caption"))  # fmt: skip
    for label in layout.side_labels:
        if label.small:
            items.append(Text(label.x, label.y + ascent(16), label.small, 16, MUTED, align=label.align, role="side"))
        big_top = label.y + (20 if label.small else 8)
        items.append(Text(label.x, big_top + ascent(24), label.big, 24, INK, bold=True, align=label.align, role="side"))
    return items


ROLES: dict[BlockKind, str] = {
    "area": "area",
    "para": "text",
    "small": "small",
    "heading": "heading",
    "warning_heading": "heading",
    "point": "point",
    "bullet": "warning",
    "step": "next",
    "disclaimer": "disclaimer",
}


def _text_column(blocks: Sequence[Block], box: Box) -> list[Item]:
    items: list[Item] = []
    placed = fit_blocks([b for b in blocks if b.part != "end"], box)
    warnings = [p for p in placed if p.block.part == "warnings"]
    if warnings:  # a soft tint behind the warning signs, so they are found at a glance
        top = box.top + warnings[0].top - 14
        bottom = box.top + warnings[-1].bottom + 6
        items.append(Rect(box.left - 14, top, box.right + 10, bottom, fill=WARNING_TINT, radius=8))
        items.append(Rect(box.left - 14, top, box.left - 9, bottom, fill=WARNING))
    for p in placed:
        style, kind = p.style, p.block.kind
        left, top = box.left + p.left, box.top + p.top
        if kind == "heading":
            items.append(Shape(((box.left, top - style.size * 0.5), (box.right, top - style.size * 0.5)), RULE, 1.5))
        if kind == "disclaimer":
            items.append(
                Shape(((box.left, top - style.size * 0.6), (box.left + 120, top - style.size * 0.6)), RULE, 1.5)
            )
        for n, line in enumerate(p.lines):
            baseline = top + n * p.line_height + ascent(style.size) + (p.line_height - style.size) / 2
            items.append(
                Text(left + style.indent, baseline, line, style.size, style.colour, style.bold, role=ROLES[kind])
            )
        middle = top + p.line_height / 2  # of the first line
        if kind == "bullet":
            items.append(
                Circle((left + style.size * 0.35, middle + style.size * 0.05), style.size * 0.17, fill=WARNING)
            )
        if kind == "step":
            s = style.size * 0.22
            x, y = left + style.size * 0.2, middle + style.size * 0.05
            items.append(Shape(((x, y - s), (x + s * 1.2, y), (x, y + s)), INK, style.size * 0.11))
        if kind == "point" and p.block.number is not None:
            items += marker((left + style.size * 0.55, middle), p.block.number, style.size * 0.5, role="list_marker")
        if kind == "area" and p.block.text != NO_AREA:
            half = style.size * 0.36
            items.append(Rect(left, middle - half, left + 2.4 * half, middle + half, fill=SWATCH,
                              stroke=HIGHLIGHT_LINE_RGB, width=1, radius=4))  # fmt: skip
    return items


def _qr_modules(url: str, left: float, top: float, largest: int) -> tuple[list[Item], int]:
    """The QR code of `url` as dark runs of modules on whole pixels, with its quiet zone; and its size."""
    code = segno.make(url, error="m")
    border = 4
    count = int(code.symbol_size(border=0)[0])
    module = max(2, largest // (count + 2 * border))
    size = module * (count + 2 * border)
    x0, y0 = round(left + (largest - size) / 2), round(top)
    items: list[Item] = [Rect(x0, y0, x0 + size, y0 + size, fill=WHITE, crisp=True)]
    for row, values in enumerate(code.matrix):
        for dark, run in itertools.groupby(enumerate(values), key=lambda iv: bool(iv[1])):
            cells = list(run)
            if dark:
                x = x0 + (border + cells[0][0]) * module
                y = y0 + (border + row) * module
                items.append(Rect(x, y, x + len(cells) * module, y + module, fill=INK, crisp=True))
    return items, size


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.") or host == "0.0.0.0"


def link_note(link: ShareLink) -> str:
    if link.public:
        return "Scan the code or type the link: it opens this drawing on any phone or computer."
    return "This link works on this computer only: the app has no public address yet."


def _header_and_footer(link: ShareLink, today: datetime.date, disclaimer: str) -> list[Item]:
    right = PAGE_SIZE[0] - MARGIN
    items: list[Item] = [
        Text(MARGIN, 112, TITLE, 46, INK, bold=True, role="title"),
        Text(right, 112, f"{today.day} {today:%B %Y}", 23, MUTED, align="right", role="date"),
        Text(MARGIN, 154, "What we looked at today, in plain words. Keep it with you.", 24, MUTED, role="subtitle"),
        Shape(((MARGIN, HEADER_RULE), (right, HEADER_RULE)), RULE, 2),
        Shape(((MARGIN, FOOTER_TOP), (right, FOOTER_TOP)), RULE, 2),
        Text(MARGIN, FOOTER_TOP + 52, "Open this view again", 25, INK, bold=True, role="footer"),
    ]
    qr, qr_size = _qr_modules(link.url, right - QR_SIZE, FOOTER_TOP + 22, QR_SIZE)
    items += qr
    items.append(Text(right - QR_SIZE / 2, FOOTER_TOP + 40 + qr_size, "Scan with a phone camera", 16, MUTED,
                      align="centre", role="qr_caption"))  # fmt: skip
    width = right - QR_SIZE - 40 - MARGIN
    lines = wrap(link.url, 21, width)
    if len(lines) > LINK_LINES:  # the whole link is in the QR code and behind the click
        lines = [*lines[: LINK_LINES - 1], shorten(lines[LINK_LINES - 1] + "…", 21, width)]
    top = FOOTER_TOP + 74
    for n, line in enumerate(lines):
        items.append(Text(MARGIN, top + ascent(21) + n * 29, line, 21, LINK, role="link"))
    bottom = top + len(lines) * 29
    items.append(Shape(((MARGIN, bottom + 1), (MARGIN + max(text_width(x, 21) for x in lines), bottom + 1)), LINK, 1))
    items.append(Link(MARGIN, top - 4, MARGIN + width, bottom + 4, link.url))
    y = bottom + 20
    for line in wrap(link_note(link), 19, width):
        items.append(Text(MARGIN, y + ascent(19), line, 19, MUTED, role="link_note"))
        y += 26
    y = max(y + 14, DISCLAIMER_TOP)
    for line in wrap(disclaimer, 16, width):
        items.append(Text(MARGIN, y + ascent(16), line, 16, MUTED, role="disclaimer"))
        y += 21
    return items


def as_share_link(link: ShareLink | str) -> ShareLink:
    """A bare URL is public unless it points at this computer."""
    return link if isinstance(link, ShareLink) else ShareLink(link, public=not _is_local(link))


def handout_sheet(
    atlas: ResolvedAtlas, selection: Selection, link: ShareLink | str, today: datetime.date, *, show_codes: bool = False
) -> Sheet:
    """The whole page, laid out once: what both renderers draw."""
    view = view_of(atlas, selection)
    layout = handout_layout(atlas, selection)
    share = as_share_link(link)
    items = _left_column(view, selection, layout, show_codes)
    blocks = handout_blocks(view, selection, show_codes)
    items += _text_column(blocks, layout.text)
    items += _header_and_footer(share, today, plain_words(view, view.atlas.disclaimer, show_codes))
    return Sheet(PAGE_SIZE, tuple(items), TITLE)


def render_handout(
    atlas: ResolvedAtlas, selection: Selection, link: ShareLink | str, today: datetime.date, *, show_codes: bool = False
) -> Image.Image:
    """The handout page as an image: white A4 portrait at 150 dpi (1240x1754 px, RGB)."""
    return sheet_png.render(handout_sheet(atlas, selection, link, today, show_codes=show_codes))


def handout_png(
    atlas: ResolvedAtlas, selection: Selection, link: ShareLink | str, today: datetime.date, *, show_codes: bool = False
) -> bytes:
    """The handout as PNG bytes (150 dpi recorded), for messaging apps and e-mail."""
    return sheet_png.png_bytes(handout_sheet(atlas, selection, link, today, show_codes=show_codes))


def handout_pdf(
    atlas: ResolvedAtlas, selection: Selection, link: ShareLink | str, today: datetime.date, *, show_codes: bool = False
) -> bytes:
    """The handout as a one-page A4 vector PDF, with a text layer and a clickable link, for printing."""
    sheet = handout_sheet(atlas, selection, link, today, show_codes=show_codes)
    return sheet_pdf.render(sheet, author="Meridian Map", subject="Notes from a session: areas, points, warning signs")
