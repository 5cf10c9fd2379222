"""A magnified detail of the head beside the body, as an atlas draws it.

On the side view the Gallbladder's twenty head points lie a centimetre or less apart (GB8 and GB9:
0.65 cm), and on the front view the scalp points just inside the hairline half a centimetre (BL4
and BL5: 0.54 cm), which a whole-body drawing at about 4.5 px/cm cannot show as separate markers.
So these views also draw the head a few times larger beside the body: the same outline, anatomy
lines, channel lines and points, moved and scaled, nothing traced or placed by hand. The front
view's detail shows the half of the face beside it (the patient's left) and the midline: the other
half is its mirror image, and the whole face would take the room of the body. Its markers carry the
same point codes as the body's, so the component hovers, rings, fades and clicks them as it does
those; it holds no region, so a click there beside a marker chooses no area. A click in it is read
back onto the body (`to_body`), so a located point is scored where it was meant.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from .body import XY, BodyModel

# On the 430 x 828 px plot of a 1400 x 1000 desktop window, GB8 and GB9 (0.65 cm apart) come out
# 9.3 px apart at this scale: a marker's width. The body, left as large as it fits beside it, loses
# about a tenth of its size (4.2 px/cm instead of 4.6).
HEAD_SCALE = 3.4
# BL4 and BL5 (0.54 cm apart) come out 10 px apart on the same plot; the half face fits beside the
# shoulder, so the body keeps nearly its size.
FRONT_HEAD_SCALE = 4.0
GAP_CM = 0.8  # between the body and the detail's frame


@dataclass(frozen=True)
class Detail:
    """A part of the body (`source`: x0, x1, y0, y1 in cm) drawn `scale` times larger with its
    lower left corner at `at`."""

    source: tuple[float, float, float, float]
    scale: float
    at: XY
    caption: str = ""

    def to_detail(self, xy: XY) -> XY:
        x0, _, y0, _ = self.source
        return (round(self.at[0] + (xy[0] - x0) * self.scale, 3), round(self.at[1] + (xy[1] - y0) * self.scale, 3))

    def to_body(self, xy: XY) -> XY:
        x0, _, y0, _ = self.source
        return (x0 + (xy[0] - self.at[0]) / self.scale, y0 + (xy[1] - self.at[1]) / self.scale)

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """The detail's box in figure coordinates: x0, x1, y0, y1."""
        x0, x1, y0, y1 = self.source
        return (self.at[0], self.at[0] + (x1 - x0) * self.scale, self.at[1], self.at[1] + (y1 - y0) * self.scale)

    def shows(self, xy: XY) -> bool:
        """Whether a body position lies in the part the detail shows."""
        x0, x1, y0, y1 = self.source
        return x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1

    def holds(self, xy: XY) -> bool:
        """Whether a figure position lies in the detail's box."""
        x0, x1, y0, y1 = self.frame
        return x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1

    def clip(self, line: Sequence[XY]) -> list[list[XY]]:
        """The pieces of a polyline inside the source box, drawn in the detail."""
        pieces: list[list[XY]] = []
        current: list[XY] = []
        for a, b in itertools.pairwise(line):
            segment = _clip_segment(a, b, self.source)
            if segment is None:
                if len(current) > 1:
                    pieces.append(current)
                current = []
                continue
            start, end = (self.to_detail(p) for p in segment)
            if current and current[-1] != start:
                pieces.append(current)
                current = []
            if not current:
                current = [start]
            current.append(end)
        if len(current) > 1:
            pieces.append(current)
        return pieces


def head_detail(body: BodyModel) -> Detail | None:
    """The head's detail on the views that have one (the side and front views)."""
    if body.view == "lateral":
        return _side_head(body)
    if body.view == "anterior":
        return _front_head(body)
    return None


def _side_head(body: BodyModel) -> Detail:
    """From behind the occiput to the brow, from the ear lobe to above the vertex, set beside the
    back of the trunk with its top level with the chin."""
    marks = body.landmarks
    brow = marks["eyebrow_lateral_end"][1]
    front = max(body.edges_at(brow)) + 0.25
    source = (
        marks["external_occipital_protuberance"][0] + 0.2,
        front,
        marks["ear_lobe"][1] - 0.9,
        marks["vertex"][1] + 0.4,
    )
    width, height = (source[1] - source[0]) * HEAD_SCALE, (source[3] - source[2]) * HEAD_SCALE
    top = marks["mandible_angle"][1] + 4.0
    lowest = top - height
    back = min(x for x, y in body.outline if lowest - 1 <= y <= top + 1)
    return Detail(source, HEAD_SCALE, (back - GAP_CM - width, lowest), f"The head, {HEAD_SCALE:g} × larger")


def _front_head(body: BodyModel) -> Detail:
    """The patient's left half of the face and scalp (the viewer's right) and the midline, from
    below the upper lip to above the vertex, set beside that shoulder with its top level with the
    vertex."""
    marks = body.landmarks
    chin, vertex = marks["chin"][1], marks["vertex"][1]
    side = max(x for x, y in body.outline if y >= chin) + 0.3  # the head's widest, patient's left
    source = (-0.6, side, marks["upper_lip"][1] - 1.0, vertex + 0.4)
    top = source[3]
    lowest = top - (top - source[2]) * FRONT_HEAD_SCALE
    beside = max(x for x, y in body.outline if lowest - 1 <= y <= top + 1)
    caption = f"The left half of the face,<br>{FRONT_HEAD_SCALE:g} × larger"
    return Detail(source, FRONT_HEAD_SCALE, (beside + GAP_CM, lowest), caption)


def _clip_segment(a: XY, b: XY, box: tuple[float, float, float, float]) -> tuple[XY, XY] | None:
    """Liang-Barsky: the part of segment a-b inside the box (x0, x1, y0, y1), if any."""
    x0, x1, y0, y1 = box
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    return (a[0] + low * dx, a[1] + low * dy), (a[0] + high * dx, a[1] + high * dy)
