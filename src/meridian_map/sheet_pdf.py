"""Draw a `Sheet` with ReportLab: a vector PDF with a real text layer and clickable links.

ReportLab, not fpdf2: it is the long-kept standard for PDFs from Python (BSD, since
2000), its canvas maps one to one onto the sheet's shapes, text and links, and it
ships the TrueType fonts (Bitstream Vera, with a real bold) that the layout
measures with and that Pillow draws the PNG with, so both pages break lines
alike without any system font. Text is drawn with `drawString` only, never
through its Paragraph markup, so data text cannot become markup.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from .sheet import DPI, Circle, Colour, Link, Rect, Shape, Sheet, Text, font_face

SCALE = 72 / DPI  # page pixels -> points


def _fonts() -> dict[bool, str]:
    names = {}
    for bold in (False, True):
        face = font_face(bold)
        if face.fontName not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(face)
        names[bold] = face.fontName
    return names


def _colour(canvas: Canvas, colour: Colour, *, fill: bool) -> None:
    red, green, blue = (v / 255 for v in colour[:3])
    alpha = colour[3] / 255 if len(colour) == 4 else 1.0
    if fill:
        canvas.setFillColorRGB(red, green, blue, alpha)
    else:
        canvas.setStrokeColorRGB(red, green, blue, alpha)


def render(sheet: Sheet, *, author: str = "", subject: str = "") -> bytes:
    """The sheet as a one-page A4 PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, lang="en")
    canvas.setTitle(sheet.title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator("Meridian Map")
    height = A4[1]

    def pt(x: float, y: float) -> tuple[float, float]:
        return x * SCALE, height - y * SCALE

    canvas.setLineJoin(1)
    canvas.setLineCap(1)
    for item in sheet.items:
        if isinstance(item, Shape) and len(item.points) > 1:
            path = canvas.beginPath()
            path.moveTo(*pt(*item.points[0]))
            for x, y in item.points[1:]:
                path.lineTo(*pt(x, y))
            if item.closed:
                path.close()
            if item.fill is not None and item.closed:
                _colour(canvas, item.fill, fill=True)
            if item.stroke is not None:
                _colour(canvas, item.stroke, fill=False)
                canvas.setLineWidth(item.width * SCALE)
            canvas.drawPath(path, stroke=item.stroke is not None, fill=item.fill is not None and item.closed)
        elif isinstance(item, Circle):
            if item.fill is not None:
                _colour(canvas, item.fill, fill=True)
            if item.stroke is not None:
                _colour(canvas, item.stroke, fill=False)
                canvas.setLineWidth(item.width * SCALE)
            canvas.circle(*pt(*item.centre), item.radius * SCALE, stroke=item.stroke is not None,
                          fill=item.fill is not None)  # fmt: skip
        elif isinstance(item, Rect) and not item.crisp:
            _rect(canvas, item, height)
    for item in sheet.items:
        if isinstance(item, Rect) and item.crisp:
            _rect(canvas, item, height)
    fonts = _fonts()
    for item in sheet.items:
        if isinstance(item, Text) and item.text:
            _colour(canvas, item.colour, fill=True)
            canvas.setFont(fonts[item.bold], item.size * SCALE)
            x, y = pt(item.x, item.y)
            draw = {"left": canvas.drawString, "centre": canvas.drawCentredString, "right": canvas.drawRightString}
            draw[item.align](x, y, item.text)
        elif isinstance(item, Link):
            (x0, y0), (x1, y1) = pt(item.left, item.bottom), pt(item.right, item.top)
            canvas.linkURL(item.url, (x0, y0, x1, y1), relative=0, thickness=0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _rect(canvas: Canvas, item: Rect, height: float) -> None:
    if item.fill is not None:
        _colour(canvas, item.fill, fill=True)
    if item.stroke is not None:
        _colour(canvas, item.stroke, fill=False)
        canvas.setLineWidth(item.width * SCALE)
    x, y = item.left * SCALE, height - item.bottom * SCALE
    w, h = (item.right - item.left) * SCALE, (item.bottom - item.top) * SCALE
    stroke, fill = item.stroke is not None, item.fill is not None
    if item.radius:
        canvas.roundRect(x, y, w, h, item.radius * SCALE, stroke=stroke, fill=fill)
    else:
        canvas.rect(x, y, w, h, stroke=stroke, fill=fill)
