"""Where the students' point labels go: in a column beside the body, joined to their point by a
thin leader line, and never on top of one another.

On the back the points crowd: the two Bladder lines run 1.5 B-cun apart (about 20 px on screen) with
a point at every vertebra (about 12 px), so a label beside its point always covers another point or
label. Atlases solve this with callouts; so do we. Each point is labelled once (for a pair, on the
side with more room), and the labels of a column are spread apart by the least total movement
(isotonic regression, pool-adjacent-violators), so each stays as close as it can to its point.

With a band to keep clear (the spine ruler: its level names stand left of the spine), every point
level with the band is labelled in the other column while it has room, so no leader line runs over
the ruler. A label may have several lines ("<br>"); it takes that many rows of its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .body import XY, BodyModel

Side = Literal["left", "right"]
LINE_SPACING = 1.15  # a label's height, in font sizes (the browser's "normal" line height)
CHAR_WIDTH = 0.58  # an average Latin character's width, in font sizes (a hanzi is a full 1.0)
GAP_CM = 1.0  # between the body's outline and a label
MIDLINE_CM = 0.5  # a point this close to x = 0 may go to either column


BREAK = "<br>"  # between the lines of a label


@dataclass(frozen=True)
class Labelled:
    """A point to label: its code, its label and where its markers are (one, or a left-right pair)."""

    code: str
    text: str
    positions: Sequence[XY]

    @property
    def lines(self) -> int:
        return self.text.count(BREAK) + 1


@dataclass(frozen=True)
class Keep:
    """Keep the leader lines off one side of the body over a band of heights (y from `bottom` to `top`)."""

    side: Side
    bottom: float
    top: float


@dataclass(frozen=True)
class Callout:
    code: str
    text: str
    point: XY  # the marker the label names
    label: XY  # where the text is anchored; it runs away from the body
    side: Side


def text_width_cm(text: str, font_px: float, px_per_cm: float) -> float:
    """An estimate of the rendered width (of the longest line): wide (CJK) characters count a full font size."""
    return text_width_px(text, font_px) / px_per_cm


def text_width_px(text: str, font_px: float) -> float:
    ems = max(sum(1.0 if ord(char) > 0x2E80 else CHAR_WIDTH for char in line) for line in text.split(BREAK))
    return ems * font_px


def lay_out(
    body: BodyModel,
    labelled: Sequence[Labelled],
    px_per_cm: float,
    font_px: float,
    y_span: tuple[float, float],
    keep: Keep | None = None,
) -> list[Callout]:
    """One callout per point, in two columns beside the body, no two labels overlapping, and every
    label inside `y_span` (bottom, top) of the drawing. With `keep`, the points level with its band
    are labelled on the other side while that column has room (and points with no marker there
    only if they must)."""
    height = LINE_SPACING * font_px / px_per_cm
    bottom, top = y_span
    room = int((top - bottom) / height)  # rows per column
    columns: dict[Side, list[tuple[Labelled, XY]]] = {"left": [], "right": []}
    lowest: dict[Side, float] = {"left": float("inf"), "right": float("inf")}  # the last label's y, per column
    rows: dict[Side, int] = {"left": 0, "right": 0}
    ordered = sorted(labelled, key=lambda item: -max(y for _, y in item.positions))  # top to bottom
    other: Side = "right" if keep and keep.side == "left" else "left"
    # The band's labels go to the other column, top to bottom, while it has room once the labels
    # that can go nowhere else are in; the free labels then go there only while room is left.
    planned = sum(item.lines for item in ordered if keep and not _in_band(item, keep) and not _reaches(item, keep.side))
    kept: set[str] = set()
    for item in ordered:
        if keep and _in_band(item, keep) and _reaches(item, other) and planned + item.lines <= room:
            kept.add(item.code)
            planned += item.lines
    for item in ordered:
        allowed: set[Side] = {"left", "right"}
        if item.code in kept:
            allowed = {other}
        elif keep and _reaches(item, keep.side) and (_in_band(item, keep) or planned + item.lines > room):
            allowed = {keep.side}
        side, point = _choose_side(item.positions, lowest, rows, height, allowed)
        if keep and side == other and item.code not in kept:
            planned += item.lines
        columns[side].append((item, point))
        rows[side] += item.lines
        lowest[side] = min(lowest[side] - height * item.lines, point[1])
    callouts: list[Callout] = []
    for side, items in columns.items():
        # y grows upwards; spreading works top to bottom, so spread the negated heights.
        sizes = [item.lines for item, _ in items]
        downs = spread([-point[1] for _, point in items], height, (-top + height / 2, -bottom - height / 2), sizes)
        for (item, point), down, size in zip(items, downs, sizes, strict=True):
            y = -down
            callouts.append(Callout(item.code, item.text, point, (_column_x(body, side, y, height * size), y), side))
    return callouts


def rows_needed(labelled: Sequence[Labelled], keep: Keep | None = None) -> int:
    """The rows the fuller column needs: half of all, or with `keep` every label level with its band."""
    rows = sum(item.lines for item in labelled)
    band = sum(item.lines for item in labelled if keep and _in_band(item, keep))
    return max(-(-rows // 2), band)


def _in_band(item: Labelled, keep: Keep) -> bool:
    return any(keep.bottom <= y <= keep.top for _, y in item.positions)


def _reaches(item: Labelled, side: Side) -> bool:
    """Whether the item has a marker from which a leader can go to that column without crossing the midline."""
    return any(abs(x) < MIDLINE_CM or (x < 0) == (side == "left") for x, _ in item.positions)


def _choose_side(
    positions: Sequence[XY], lowest: dict[Side, float], load: dict[Side, int], height: float, allowed: set[Side]
) -> tuple[Side, XY]:
    """The marker (and column) whose label would be pushed least by the labels above it; on a tie,
    the emptier column. Only the allowed columns, unless the point has no marker on their side."""
    options: list[tuple[Side, XY]] = []
    for x, y in positions:
        if abs(x) < MIDLINE_CM:
            options += [("left", (x, y)), ("right", (x, y))]
        else:
            options.append(("left" if x < 0 else "right", (x, y)))
    options = [option for option in options if option[0] in allowed] or options
    return min(options, key=lambda option: (max(0.0, option[1][1] - (lowest[option[0]] - height)), load[option[0]]))


def spread(
    desired: Sequence[float], gap: float, limits: tuple[float, float], sizes: Sequence[int] | None = None
) -> list[float]:
    """Positions as close as possible (least squares) to the sorted `desired`, each `gap` after the
    last, then pushed inside `limits` (low, high) keeping the gaps. With `sizes`, an item of size k
    is k gaps tall: it keeps (k + k') / 2 gaps from a neighbour of size k', and half its extra
    height inside the limits.

    With q_i = p_i - offset_i the constraint becomes q non-decreasing: isotonic regression, which
    pool-adjacent-violators solves exactly in linear time."""
    order = sorted(range(len(desired)), key=lambda i: desired[i])
    size = [float(sizes[i]) if sizes else 1.0 for i in order]
    offsets = [0.0] * len(order)
    for rank in range(1, len(order)):
        offsets[rank] = offsets[rank - 1] + gap * (size[rank - 1] + size[rank]) / 2
    blocks: list[list[float]] = []  # [mean, count]
    for rank, index in enumerate(order):
        blocks.append([desired[index] - offsets[rank], 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count)
            blocks[-1][1] += count
    fitted = [mean + offsets[rank] for rank, mean in enumerate(m for m, count in blocks for _ in range(int(count)))]
    low, high = limits
    for rank in range(len(fitted)):  # off the low end: push down the run that starts there
        floor = fitted[rank - 1] + offsets[rank] - offsets[rank - 1] if rank else low + gap * (size[0] - 1) / 2
        fitted[rank] = max(fitted[rank], floor)
    for rank in reversed(range(len(fitted))):  # off the high end: push back up, unless there is no room
        ceiling = high - gap * (size[rank] - 1) / 2
        if rank + 1 < len(fitted):
            ceiling = min(ceiling, fitted[rank + 1] - (offsets[rank + 1] - offsets[rank]))
        fitted[rank] = min(fitted[rank], ceiling)
    positions = [0.0] * len(desired)
    for rank, index in enumerate(order):
        positions[index] = fitted[rank]
    return positions


def _column_x(body: BodyModel, side: Side, y: float, height: float) -> float:
    """Just outside the body, over the whole height of the label."""
    samples = [y - height / 2, y, y + height / 2]
    edges = [x for sample in samples for x in body.edges_at(sample)] or [0.0]
    return min(edges) - GAP_CM if side == "left" else max(edges) + GAP_CM
