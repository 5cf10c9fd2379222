"""Draw a `Sheet` with Pillow: the PNG of the handout, for messaging apps and e-mail.

Shapes are drawn at twice the size and scaled down (LANCZOS) so lines are smooth;
crisp rectangles (the QR code's modules) and text are drawn at page size, so
they stay sharp.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from .sheet import DPI, FONT_FILES, Circle, Rect, Shape, Sheet, Text

SUPERSAMPLE = 2
ANCHORS = {"left": "ls", "centre": "ms", "right": "rs"}


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # The basic layout measures as the layout does (the font's own advances), whatever libraqm is installed.
    return ImageFont.truetype(str(FONT_FILES[bold]), size, layout_engine=ImageFont.Layout.BASIC)


def render(sheet: Sheet) -> Image.Image:
    """The sheet as an RGB image, one pixel per page pixel."""
    s = SUPERSAMPLE
    width, height = sheet.size
    big = Image.new("RGB", (width * s, height * s), "white")
    draw = ImageDraw.Draw(big, "RGBA")
    for item in sheet.items:
        if isinstance(item, Shape) and len(item.points) > 1:
            points = [(x * s, y * s) for x, y in item.points]
            if item.fill is not None and item.closed:
                draw.polygon(points, fill=item.fill)
            if item.stroke is not None:
                line = [*points, points[0]] if item.closed else points
                draw.line(line, fill=item.stroke, width=max(1, round(item.width * s)), joint="curve")
        elif isinstance(item, Circle):
            (x, y), r = item.centre, item.radius * s
            x, y = x * s, y * s
            ring = max(1, round(item.width * s)) if item.stroke is not None else 0
            draw.ellipse((x - r, y - r, x + r, y + r), fill=item.fill, outline=item.stroke, width=ring)
        elif isinstance(item, Rect) and not item.crisp:
            box = (item.left * s, item.top * s, item.right * s, item.bottom * s)
            ring = max(1, round(item.width * s)) if item.stroke is not None else 0
            draw.rounded_rectangle(box, radius=item.radius * s, fill=item.fill, outline=item.stroke, width=ring)
    page = big.resize((width, height), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(page, "RGBA")
    for item in sheet.items:
        if isinstance(item, Rect) and item.crisp:
            box = (round(item.left), round(item.top), round(item.right) - 1, round(item.bottom) - 1)
            draw.rectangle(box, fill=item.fill)
    for item in sheet.items:
        if isinstance(item, Text) and item.text:
            draw.text(
                (item.x, item.y),
                item.text,
                font=font(item.size, item.bold),
                fill=item.colour,
                anchor=ANCHORS[item.align],
            )
    return page


def png_bytes(sheet: Sheet) -> bytes:
    buffer = io.BytesIO()
    render(sheet).save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()
