"""A printed page as plain shapes and text, laid out once and drawn by any renderer.

`handout` computes a `Sheet`: every box, line, marker, line of text and link on
the page, in page pixels at 150 dpi (y down). `sheet_png` draws it with Pillow,
`sheet_pdf` with ReportLab; neither decides where anything goes. Text is
measured here, with the same font files both renderers draw with (the Bitstream
Vera faces that ReportLab ships), so a line that fits here fits on both pages.

Data text is only ever text: control and format characters become spaces, and
no renderer interprets markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import reportlab
from reportlab.pdfbase.ttfonts import TTFont

DPI = 150
PAGE_SIZE = (1240, 1754)  # A4 portrait at 150 dpi (210 x 297 mm)
FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT_FILES = {False: FONT_DIR / "Vera.ttf", True: FONT_DIR / "VeraBd.ttf"}  # regular, bold

Colour = tuple[int, int, int] | tuple[int, int, int, int]
PX = tuple[float, float]
Align = Literal["left", "centre", "right"]


@dataclass(frozen=True)
class Shape:
    """A polyline, or with `closed` a polygon; `stroke` and `fill` are optional."""

    points: tuple[PX, ...]
    stroke: Colour | None = None
    width: float = 1.0
    fill: Colour | None = None
    closed: bool = False


@dataclass(frozen=True)
class Circle:
    centre: PX
    radius: float
    fill: Colour | None = None
    stroke: Colour | None = None
    width: float = 1.0


@dataclass(frozen=True)
class Rect:
    """A rectangle, rounded by `radius`; `crisp` ones sit on whole pixels and are drawn unsmoothed (QR modules)."""

    left: float
    top: float
    right: float
    bottom: float
    fill: Colour | None = None
    stroke: Colour | None = None
    width: float = 1.0
    radius: float = 0.0
    crisp: bool = False


@dataclass(frozen=True)
class Text:
    """One line of text; `y` is its baseline, `x` its left, centre or right end."""

    x: float
    y: float
    text: str
    size: int
    colour: Colour
    bold: bool = False
    align: Align = "left"
    role: str = ""  # what the line is, for tests: "area", "warning", "point", "marker", "link"...


@dataclass(frozen=True)
class Link:
    """A clickable area that opens `url` (the PDF makes it an annotation; a PNG cannot click)."""

    left: float
    top: float
    right: float
    bottom: float
    url: str


Item = Shape | Circle | Rect | Text | Link


@dataclass(frozen=True)
class Sheet:
    """A whole page. Renderers draw shapes first, then crisp rectangles, then text, each in order."""

    size: tuple[int, int]
    items: tuple[Item, ...]
    title: str = ""

    def texts(self, role: str | None = None) -> list[Text]:
        return [i for i in self.items if isinstance(i, Text) and (role is None or i.role == role)]

    @property
    def links(self) -> list[Link]:
        return [i for i in self.items if isinstance(i, Link)]


# -- text -------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """The text as one line of plain characters: control, format and line-break characters become spaces."""
    return "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)


@cache
def font_face(bold: bool) -> TTFont:
    return TTFont("MeridianSansBold" if bold else "MeridianSans", str(FONT_FILES[bold]))


@cache
def _advance(bold: bool, char: str) -> float:
    """A character's advance width in 1/1000 of the font size (the font's own metrics, no kerning)."""
    face = font_face(bold).face
    return float(face.charWidths.get(ord(char), face.defaultWidth))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of a line in pixels at `size` pixels: linear in the length of the text."""
    return sum(_advance(bold, c) for c in text) * size / 1000


def ascent(size: float) -> float:
    """How far capitals and ascenders reach above the baseline, in pixels."""
    return 0.76 * size


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Word-wrap to a pixel width in one pass (time linear in the text's length). A word longer than
    the width (a link) is cut where it must be, character by character."""
    lines: list[str] = []
    space = text_width(" ", size, bold)
    current: list[str] = []
    used = 0.0
    for word in clean(text).split():
        length = text_width(word, size, bold)
        if current and used + space + length <= width:
            current.append(word)
            used += space + length
            continue
        if current:
            lines.append(" ".join(current))
            current, used = [], 0.0
        if length > width:
            start, run = 0, 0.0
            for i, char in enumerate(word):
                step = _advance(bold, char) * size / 1000
                if run + step > width and i > start:
                    lines.append(word[start:i])
                    start, run = i, 0.0
                run += step
            word, length = word[start:], run
        current, used = [word], length
    if current:
        lines.append(" ".join(current))
    return lines


def shorten(text: str, size: float, width: float, bold: bool = False) -> str:
    """The text cut with an ellipsis to fit one line (for labels that must stay on one line)."""
    text = clean(text)
    if text_width(text, size, bold) <= width:
        return text
    room = width - text_width("…", size, bold)
    used, end = 0.0, 0
    for end, char in enumerate(text):  # noqa: B007 - `end` is the cut after the loop
        used += _advance(bold, char) * size / 1000
        if used > room:
            break
    return text[:end].rstrip() + "…"


def polyline_box(points: Sequence[PX]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)
