"""Where the students' point labels go: in a column beside the body, joined to their point by a
thin leader line, and never on top of one another.

On the back the points crowd: the two Bladder lines run 1.5 B-cun apart (about 20 px on screen) with
a point at every vertebra (about 12 px), so a label beside its point always covers another point or
label. Atlases solve this with callouts; so do we. Each point is labelled once (for a pair, on the
side with more room), and the labels of a column are spread apart by the least total movement
(isotonic regression, pool-adjacent-violators), so each stays as close as it can to its point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .body import XY, BodyModel

Side = Literal["left", "right"]
LINE_SPACING = 1.3  # a label's height, in font sizes
CHAR_WIDTH = 0.58  # an average Latin character's width, in font sizes (a hanzi is a full 1.0)
GAP_CM = 1.0  # between the body's outline and a label
MIDLINE_CM = 0.5  # a point this close to x = 0 may go to either column
ROOMY_SHARE = 0.5  # one column takes every label only if they fill at most this share of its height


@dataclass(frozen=True)
class Labelled:
    """A point to label: its code, its label and where its markers are (one, or a left-right pair)."""

    code: str
    text: str
    positions: Sequence[XY]


@dataclass(frozen=True)
class Callout:
    code: str
    text: str
    point: XY  # the marker the label names
    label: XY  # where the text is anchored; it runs away from the body
    side: Side


def text_width_cm(text: str, font_px: float, px_per_cm: float) -> float:
    """An estimate of the rendered width: wide (CJK) characters count a full font size."""
    ems = sum(1.0 if ord(char) > 0x2E80 else CHAR_WIDTH for char in text)
    return ems * font_px / px_per_cm


def lay_out(
    body: BodyModel,
    labelled: Sequence[Labelled],
    px_per_cm: float,
    font_px: float,
    y_span: tuple[float, float],
    avoid: Side | None = None,
) -> list[Callout]:
    """One callout per point, in two columns beside the body, no two labels overlapping, and every
    label inside `y_span` (bottom, top) of the drawing. With `avoid`, the leader lines keep off that
    side (the spine ruler's labels are there) whenever the other column has ample room."""
    height = LINE_SPACING * font_px / px_per_cm
    bottom, top = y_span
    roomy = len(labelled) <= ROOMY_SHARE * (top - bottom) / height
    both: set[Side] = {"left", "right"}
    allowed = both - {avoid} if avoid and roomy else both
    columns: dict[Side, list[tuple[str, str, XY]]] = {"left": [], "right": []}
    lowest: dict[Side, float] = {"left": float("inf"), "right": float("inf")}  # the last label's y, per column
    for item in sorted(labelled, key=lambda item: -max(y for _, y in item.positions)):  # top to bottom
        load = {side: len(items) for side, items in columns.items()}
        side, point = _choose_side(item.positions, lowest, load, height, allowed)
        columns[side].append((item.code, item.text, point))
        lowest[side] = min(lowest[side] - height, point[1])
    callouts: list[Callout] = []
    for side, items in columns.items():
        # y grows upwards; spreading works top to bottom, so spread the negated heights.
        downs = spread([-point[1] for _, _, point in items], height, (-top + height / 2, -bottom - height / 2))
        for (code, text, point), down in zip(items, downs, strict=True):
            y = -down
            callouts.append(Callout(code, text, point, (_column_x(body, side, y, height), y), side))
    return callouts


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


def spread(desired: Sequence[float], gap: float, limits: tuple[float, float]) -> list[float]:
    """Positions as close as possible (least squares) to the sorted `desired`, each `gap` after the
    last, then pushed inside `limits` (low, high) keeping the gaps.

    With q_i = p_i - i * gap the constraint becomes q non-decreasing: isotonic regression, which
    pool-adjacent-violators solves exactly in linear time."""
    order = sorted(range(len(desired)), key=lambda i: desired[i])
    blocks: list[list[float]] = []  # [mean, count]
    for rank, index in enumerate(order):
        blocks.append([desired[index] - rank * gap, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count)
            blocks[-1][1] += count
    fitted = [mean + rank * gap for rank, mean in enumerate(m for m, count in blocks for _ in range(int(count)))]
    low, high = limits
    for rank in range(len(fitted)):  # off the low end: push down the run that starts there
        fitted[rank] = max(fitted[rank], fitted[rank - 1] + gap if rank else low)
    for rank in reversed(range(len(fitted))):  # off the high end: push back up, unless there is no room
        ceiling = min(high, fitted[rank + 1] - gap) if rank + 1 < len(fitted) else high
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
