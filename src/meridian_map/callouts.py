"""Where the students' point labels go: in a column beside the body, joined to their point by a
thin leader line, and never on top of one another.

On the back the points crowd: the two Bladder lines run 1.5 B-cun apart (about 20 px on screen) with
a point at every vertebra (about 12 px), so a label beside its point always covers another point or
label. Atlases solve this with callouts; so do we. Each point is labelled once (for a pair, on the
side with more room), and the labels of a column are spread apart by the least total movement
(isotonic regression, pool-adjacent-violators), so each stays as close as it can to its point.

With a band to keep clear (the spine ruler: its level names stand left of the spine), no leader line
runs over it. The band is the ruler's text as drawn on the smallest plot (where 10 px of text cover
the most centimetres), and it reaches out from the ruler's inner edge to the side of the drawing:
the text's far end then needs no estimate. That side's column is cut in two, above the band and
below it, and no label of that column stands level with the band (there it would cover the ruler).
So a leader line stays clear when both its ends are above the band or both below it, and every
other leader is checked against the band's corner it passes:

- a point level with the band is labelled in the other column while that column has room;
- the points above the band (the head) fill the rows above it, and those that do not fit go to the
  other column, the top ones first (its labels are pushed up by the band's, so its top rows are
  theirs);
- when the other column is full, the points level with the band that can be labelled below it
  (or above it) at the least distance go there, their labels held low enough that the straight
  leader passes under the band's corner (or high enough to pass over it).

Straight leaders throughout: a leader bent around the ruler would run down through the labels of its
column, and a label beside the neck would still stand on the ruler's text. A label may have several
lines ("<br>"); it takes that many rows of its column.
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
    """Keep the leader lines, and that side's labels, off a band of heights (y from `bottom` to `top`)
    on one side: everything beyond x = `edge` (left of it on the left side, right of it on the right)."""

    side: Side
    bottom: float
    top: float
    edge: float = 0.0

    def beyond(self, x: float) -> bool:
        return x < self.edge if self.side == "left" else x > self.edge

    def crossed(self, point: XY, label: XY) -> bool:
        """Whether the straight line from point to label passes through the band beyond the edge."""
        (px, py), (lx, ly) = point, label
        if self.beyond(px) and self.beyond(lx):
            return _meets(py, ly, self)
        if not self.beyond(px) and not self.beyond(lx):
            return False
        at_edge = py + (ly - py) * (self.edge - px) / (lx - px)  # the line's height where it meets the edge
        return _meets(py if self.beyond(px) else ly, at_edge, self)


def _meets(y0: float, y1: float, keep: Keep) -> bool:
    """Whether the heights from y0 to y1 reach into the band."""
    return min(y0, y1) <= keep.top and max(y0, y1) >= keep.bottom


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
    label inside `y_span` (bottom, top) of the drawing. With `keep`, no leader line crosses its band
    while the columns have room (see the module's notes for how)."""
    height = LINE_SPACING * font_px / px_per_cm
    bottom, top = y_span
    room = int((top - bottom) / height)  # rows per column
    columns: dict[Side, list[tuple[Labelled, XY]]] = {"left": [], "right": []}
    lowest: dict[Side, float] = {"left": float("inf"), "right": float("inf")}  # the last label's y, per column
    rows: dict[Side, int] = {"left": 0, "right": 0}
    ordered = sorted(labelled, key=lambda item: -max(y for _, y in item.positions))  # top to bottom
    plan = _Plan.make(body, ordered, keep, room, height, y_span) if keep else None
    for item in ordered:
        allowed: set[Side] = {"left", "right"}
        if plan and item.code in plan.moved:
            side, point = plan.keep.side, plan.moved[item.code][0]
        else:
            if plan:
                allowed = plan.allowed(item, room)
            side, point = _choose_side(item.positions, lowest, rows, height, allowed)
            if plan:
                plan.placed(item, side, point)
        columns[side].append((item, point))
        rows[side] += item.lines
        lowest[side] = min(lowest[side] - height * item.lines, point[1])
    callouts: list[Callout] = []
    for side, items in columns.items():
        if plan and side == plan.keep.side:
            callouts += plan.spread_kept_side(items)
        else:
            callouts += _spread_column(body, side, items, height, (bottom, top))
    return callouts


Segment = Literal["up", "low"]  # the keep side's column above the band, or below it


@dataclass
class _Plan:
    """Which column (and on the keep side, which part of it) the labels go to, so that no leader
    crosses the band: the counts are settled before the labels are placed, top to bottom."""

    body: BodyModel
    keep: Keep
    height: float
    y_span: tuple[float, float]
    room: dict[Segment, int]  # the keep side's rows above and below the band
    planned: int  # the other column's rows promised so far
    spilled: set[str]  # points above the band labelled in the other column: no room above it
    kept: set[str]  # points level with the band labelled in the other column
    moved: dict[str, tuple[XY, Segment]]  # points level with the band labelled above or below it, on the keep side
    used: dict[Segment, int]

    @classmethod
    def make(
        cls,
        body: BodyModel,
        ordered: Sequence[Labelled],
        keep: Keep,
        room: int,
        height: float,
        y_span: tuple[float, float],
    ) -> _Plan:
        bottom, top = y_span
        other = _other(keep.side)
        rooms: dict[Segment, int] = {"up": int((top - keep.top) / height), "low": int((keep.bottom - bottom) / height)}
        plan = cls(body, keep, height, y_span, rooms, 0, set(), set(), {}, {"up": 0, "low": 0})
        # What can only go to the other column: what cannot reach the keep side, and the head's labels
        # beyond the rows above the band.
        plan.planned = sum(i.lines for i in ordered if not _in_band(i, keep) and not _reaches(i, keep.side))
        head = [i for i in ordered if plan.segment(i) == "up" and _reaches(i, keep.side)]
        over = sum(i.lines for i in head) - rooms["up"]
        for item in head:
            if over > 0 and _reaches(item, other):
                plan.spilled.add(item.code)
                plan.planned += item.lines
                over -= item.lines
        band = [i for i in ordered if _in_band(i, keep)]
        spare: dict[Segment, int] = {
            "up": rooms["up"] - sum(i.lines for i in head if i.code not in plan.spilled),
            "low": rooms["low"] - sum(i.lines for i in ordered if plan.segment(i) == "low" and _reaches(i, keep.side)),
        }
        # The other column takes the band's points; when it cannot take them all, those whose label
        # moves least by it are labelled above or below the band (first those that cannot reach it).
        excess = plan.planned + sum(i.lines for i in band if _reaches(i, other)) - room
        options = [(item, point, segment, cost) for item in band for point, segment, cost in plan.options(item)]
        options.sort(key=lambda option: (_reaches(option[0], other), option[3]))
        for item, point, segment, _ in options:
            free = _reaches(item, other)
            if (excess > 0 or not free) and item.code not in plan.moved and spare[segment] >= item.lines:
                plan.moved[item.code] = (point, segment)
                spare[segment] -= item.lines
                excess -= item.lines if free else 0
        for item in band:  # top to bottom, while there is room; the rest cross the band (no room anywhere)
            if item.code not in plan.moved and _reaches(item, other) and plan.planned + item.lines <= room:
                plan.kept.add(item.code)
                plan.planned += item.lines
        return plan

    def segment(self, item: Labelled) -> Segment | None:
        """Above or below the band, for a point not level with it."""
        if _in_band(item, self.keep):
            return None
        return "up" if min(y for _, y in item.positions) > self.keep.top else "low"

    def options(self, item: Labelled) -> list[tuple[XY, Segment, float]]:
        """The places on the keep side for a point level with the band whose leader passes the band's
        corner: (marker, above or below, how far the label would stand from the point)."""
        found: list[tuple[XY, Segment, float]] = []
        for point in item.positions:
            if not _reaches_from(point, self.keep.side):
                continue
            segment: Segment
            for segment in ("up", "low"):
                bound = self.bound(point, segment, item.lines)
                if bound is not None:
                    found.append((point, segment, abs(bound - point[1])))
        return found

    def span(self, segment: Segment) -> tuple[float, float]:
        """That part of the keep side's column, (bottom, top)."""
        bottom, top = self.y_span
        return (self.keep.top, top) if segment == "up" else (bottom, self.keep.bottom)

    def limits(self, segment: Segment, lines: int) -> tuple[float, float]:
        """The heights a label's middle may take in that part of the keep side's column."""
        bottom, top = self.span(segment)
        half = self.height * lines / 2
        return bottom + half, top - half

    def bound(self, point: XY, segment: Segment, lines: int) -> float | None:
        """The label height nearest the band from which a straight leader from the point passes the
        band's corner: the highest below the band, or the lowest above it. The label's x follows the
        body's edge, so the height is found in a few rounds. None if there is no such height in that
        part of the column, or the marker itself is in the band."""
        if self.keep.beyond(point[0]):
            return None
        low, high = self.limits(segment, lines)
        y = high if segment == "low" else low
        for _ in range(8):
            x = _column_x(self.body, self.keep.side, y, self.height * lines)
            if not self.keep.crossed(point, (x, y)):
                return y if low - 1e-9 <= y <= high + 1e-9 else None
            y = self.passing(point, x, segment)
        return None

    def passing(self, point: XY, x: float, segment: Segment) -> float:
        """The height a label at x (beyond the edge) needs for the leader from the point (not beyond
        it) to pass just under (or over) the band's corner."""
        px, py = point
        share = (self.keep.edge - px) / (x - px)  # of the way from the point to the label, at the edge
        corner = self.keep.bottom - 1e-6 if segment == "low" else self.keep.top + 1e-6
        return py + (corner - py) / share

    def allowed(self, item: Labelled, room: int) -> set[Side]:
        other, side = _other(self.keep.side), self.keep.side
        if item.code in self.kept or item.code in self.spilled:
            return {other}
        if _reaches(item, side) and (_in_band(item, self.keep) or self.planned + item.lines > room):
            return {side}
        segment = self.segment(item)
        if segment and self.used[segment] + item.lines > self.room[segment] and _reaches(item, other):
            return {other}  # that part of the keep side's column is full
        return {"left", "right"}

    def placed(self, item: Labelled, side: Side, point: XY) -> None:
        segment = self.segment(item)
        if side == self.keep.side and segment:
            self.used[segment] += item.lines
        elif side != self.keep.side and item.code not in self.kept and item.code not in self.spilled:
            self.planned += item.lines

    def spread_kept_side(self, items: Sequence[tuple[Labelled, XY]]) -> list[Callout]:
        """The keep side's labels: above the band and below it, each part spread on its own; a label
        moved off the band held where its leader passes the band's corner. If a part has more rows
        than it holds (no room anywhere), the whole column is spread as one, over the band."""
        side = self.keep.side
        parts: dict[Segment, list[tuple[Labelled, XY]]] = {"up": [], "low": []}
        for item, point in items:
            segment = self.moved[item.code][1] if item.code in self.moved else self.segment(item)
            if segment is None:  # level with the band and nowhere to go: the nearer part
                segment = "up" if self.keep.top - point[1] < point[1] - self.keep.bottom else "low"
            parts[segment].append((item, point))
        if any(sum(i.lines for i, _ in parts[s]) > self.room[s] for s in parts):
            return _spread_column(self.body, side, items, self.height, self.y_span)
        callouts: list[Callout] = []
        for segment, part in parts.items():
            bounds: dict[str, float] = {}
            for item, point in part:
                bound = self.bound(point, segment, item.lines) if item.code in self.moved else None
                if bound is not None:
                    bounds[item.code] = bound
            placed: list[Callout] = []
            for _ in range(8):  # a label pushed further along stands where the body's edge differs: again
                placed = _spread_column(
                    self.body, side, part, self.height, self.span(segment), bounds, segment == "low"
                )
                late = [c for c in placed if c.code in bounds and self.keep.crossed(c.point, c.label)]
                for c in late:
                    needed = self.passing(c.point, c.label[0], segment)
                    bounds[c.code] = min(bounds[c.code], needed) if segment == "low" else max(bounds[c.code], needed)
                if not late:
                    break
            callouts += placed
        return callouts


def _other(side: Side) -> Side:
    return "right" if side == "left" else "left"


def _spread_column(
    body: BodyModel,
    side: Side,
    items: Sequence[tuple[Labelled, XY]],
    height: float,
    y_span: tuple[float, float],
    bounds: dict[str, float] | None = None,
    below: bool = True,
) -> list[Callout]:
    """A column's labels spread apart inside `y_span`, each as near its point as it can be. A label
    with a bound stands at or under it (`below`), or at or over it, and as near it as it can."""
    bottom, top = y_span
    bounds = bounds or {}
    inf = float("inf")
    # y grows upwards; spreading works top to bottom, so spread the negated heights.
    sizes = [item.lines for item, _ in items]
    wanted = [min(p[1], bounds.get(i.code, inf)) if below else max(p[1], bounds.get(i.code, -inf)) for i, p in items]
    limits = [((-bounds[i.code], inf) if below else (-inf, -bounds[i.code])) if i.code in bounds else (-inf, inf)
              for i, _ in items]  # fmt: skip
    downs = spread([-y for y in wanted], height, (-top + height / 2, -bottom - height / 2), sizes, limits)
    return [
        Callout(item.code, item.text, point, (_column_x(body, side, -down, height * size), -down), side)
        for (item, point), down, size in zip(items, downs, sizes, strict=True)
    ]


def rows_needed(labelled: Sequence[Labelled], keep: Keep | None = None) -> int:
    """The rows the fuller column needs: half of all, or with `keep` every label level with its band."""
    rows = sum(item.lines for item in labelled)
    band = sum(item.lines for item in labelled if keep and _in_band(item, keep))
    return max(-(-rows // 2), band)


def _in_band(item: Labelled, keep: Keep) -> bool:
    return any(keep.bottom <= y <= keep.top for _, y in item.positions)


def _reaches(item: Labelled, side: Side) -> bool:
    """Whether the item has a marker from which a leader can go to that column without crossing the midline."""
    return any(_reaches_from(point, side) for point in item.positions)


def _reaches_from(point: XY, side: Side) -> bool:
    return abs(point[0]) < MIDLINE_CM or (point[0] < 0) == (side == "left")


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
    desired: Sequence[float],
    gap: float,
    limits: tuple[float, float],
    sizes: Sequence[int] | None = None,
    bounds: Sequence[tuple[float, float]] | None = None,
) -> list[float]:
    """Positions as close as possible (least squares) to the sorted `desired`, each `gap` after the
    last, then pushed inside `limits` (low, high) keeping the gaps. With `sizes`, an item of size k
    is k gaps tall: it keeps (k + k') / 2 gaps from a neighbour of size k', and half its extra
    height inside the limits. With `bounds`, each item is pushed inside its own (low, high) too
    (the common limits win where both cannot hold).

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
    own = [bounds[i] if bounds else (-float("inf"), float("inf")) for i in order]
    for rank in range(len(fitted)):  # off the low end: push down the run that starts there
        floor = fitted[rank - 1] + offsets[rank] - offsets[rank - 1] if rank else low + gap * (size[0] - 1) / 2
        fitted[rank] = max(fitted[rank], floor, own[rank][0])
    for rank in reversed(range(len(fitted))):  # off the high end: push back up, unless there is no room
        ceiling = min(high - gap * (size[rank] - 1) / 2, own[rank][1])
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
