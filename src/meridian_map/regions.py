"""Pain regions on the body: their polygons, and what lies where.

A region's shape in the content file is a list of convex cells whose corners
name landmarks and vertebral levels. Each cell is clipped to the silhouette,
so a region follows the body's outline however the proportions change. The
cells of all regions together must cover the body once: no gaps, no overlaps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .body import VIEW_TABLES, XY, BodyModel, PlacementError, point_in_polygon, polygon_area, segment_distance
from .model import Region, Vertex, ViewId

FAR_CM = 60.0  # "out", "top" and "bottom": well past the body
GRID_SPACING_CM = 1.3  # samples of each region's inside, where its anchor is sought
# The grid is offset by an irrational-looking fraction so no grid point sits on a border.
_GRID_OFFSET = (0.377, 0.291)


class ShapeError(ValueError):
    """A region cell that cannot be built (unknown name, not convex)."""

    def __init__(self, cell: int, vertex: int | None, message: str) -> None:
        super().__init__(message)
        self.cell = cell
        self.vertex = vertex


@dataclass(frozen=True)
class RegionShape:
    """A region as drawn: id with side, its convex cells and its clipped polygons."""

    id: str  # e.g. "lower_back_left"
    base_id: str  # e.g. "lower_back"
    label: str
    side: str  # "left", "right" or "center"
    cells: tuple[tuple[XY, ...], ...]
    polygons: tuple[tuple[XY, ...], ...]

    def contains(self, xy: XY) -> bool:
        return any(point_in_polygon(xy, cell) for cell in self.cells)


def region_ids(region: Region, view: ViewId = "posterior") -> list[tuple[str, str]]:
    """The (id, side) pairs one content entry expands to on a view (the side and medial views show the right)."""
    if not region.paired:
        return [(region.id, "center")]
    if not VIEW_TABLES[view].mirrored:
        return [(f"{region.id}_right", "right")]
    return [(f"{region.id}_left", "left"), (f"{region.id}_right", "right")]


def side_label(label: str, side: str) -> str:
    return label if side == "center" else f"{label} ({side})"


def resolve_vertex(body: BodyModel, vertex: Vertex) -> XY:
    """A region corner in figure coordinates, on the patient's right for paired regions."""
    x_ref, y_ref = vertex
    if y_ref == "top":
        y = body.bounds[3] + FAR_CM
    elif y_ref == "bottom":
        y = body.bounds[2] - FAR_CM
    else:
        y = body.anchor(y_ref)[1]
    if isinstance(x_ref, int | float):
        x = float(x_ref) * body.region_unit
    elif x_ref == "out":
        x = FAR_CM
    elif x_ref == "-out":
        x = -FAR_CM
    elif x_ref == "arm_line":
        x = body.arm_line_x(y)
    else:
        x = body.anchor(x_ref)[0]
    return (x, y)


def build_cells(body: BodyModel, region: Region) -> list[tuple[XY, ...]]:
    """The region's convex cells on the right side (as written), counter-clockwise."""
    cells = []
    for c, cell in enumerate(region.shapes[body.view]):
        corners = []
        for v, vertex in enumerate(cell):
            try:
                corners.append(resolve_vertex(body, vertex))
            except PlacementError as error:
                raise ShapeError(c, v, str(error)) from None
        if polygon_area(corners) < 0:
            corners.reverse()
        if not is_convex(corners):
            raise ShapeError(c, None, "cell is not convex: split it into convex cells")
        cells.append(tuple(corners))
    return cells


def resolve_regions(body: BodyModel, regions: Iterable[Region]) -> list[RegionShape]:
    shapes = []
    for region in regions:
        if body.view not in region.shapes:
            continue
        written = build_cells(body, region)
        mirrored = [tuple((-x, y) for x, y in reversed(cell)) for cell in written]
        for region_id, side in region_ids(region, body.view):
            # Paired cells are written for the patient's right; on the front view that side is on our left.
            flip = (side == "left") == (body.table.right_side_sign > 0)
            cells = mirrored if side != "center" and flip else written
            polygons = [clip_convex(body.outline, cell) for cell in cells]
            shapes.append(
                RegionShape(
                    id=region_id,
                    base_id=region.id,
                    label=side_label(region.label, side),
                    side=side,
                    cells=tuple(cells),
                    polygons=tuple(tuple(p) for p in polygons if len(p) >= 3),
                )
            )
    return shapes


def region_at(shapes: Sequence[RegionShape], body: BodyModel, xy: XY) -> RegionShape | None:
    """The region under a point of the figure, or None off the body."""
    if not body.contains(xy):
        return None
    return next((shape for shape in shapes if shape.contains(xy)), None)


def body_grid(body: BodyModel, spacing: float = GRID_SPACING_CM) -> list[XY]:
    """Grid points inside the silhouette."""
    return list(_grid_within(body.outline, spacing))


@dataclass(frozen=True)
class CoverageProblem:
    kind: str  # "gap" or "overlap"
    at: XY
    region_ids: tuple[str, ...]


def coverage_problems(body: BodyModel, shapes: Sequence[RegionShape], spacing: float = 1.0) -> list[CoverageProblem]:
    """Body points that no region covers, or that two regions both claim (one per pair)."""
    problems: list[CoverageProblem] = []
    seen: set[tuple[str, ...]] = set()
    for xy in body_grid(body, spacing):
        owners = tuple(shape.id for shape in shapes if shape.contains(xy))
        if len(owners) == 1 or owners in seen:
            continue
        seen.add(owners)
        problems.append(CoverageProblem("gap" if not owners else "overlap", xy, owners))
    return problems


def interior_samples(
    body: BodyModel, shapes: Sequence[RegionShape], spacing: float = GRID_SPACING_CM
) -> dict[str, list[XY]]:
    """Grid points by region: the candidates for a spot deep inside each (its anchor)."""
    targets: dict[str, list[XY]] = {shape.id: [] for shape in shapes}
    for xy in body_grid(body, spacing):
        owner = next((shape for shape in shapes if shape.contains(xy)), None)
        if owner is not None:
            targets[owner.id].append(xy)
    return targets


# -- plane geometry ------------------------------------------------------------------------
def is_convex(polygon: Sequence[XY]) -> bool:
    signs = set()
    n = len(polygon)
    for i in range(n):
        (x0, y0), (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n], polygon[(i + 2) % n]
        cross = (x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1)
        if abs(cross) > 1e-9:
            signs.add(cross > 0)
    return len(signs) <= 1


def clip_convex(subject: Sequence[XY], clip: Sequence[XY]) -> list[XY]:
    """Sutherland-Hodgman: the part of `subject` inside the convex, counter-clockwise `clip`."""
    output = list(subject)
    for (ax, ay), (bx, by) in zip(clip, [*clip[1:], clip[0]], strict=True):
        if not output:
            break
        points, output = output, []

        def inside(p: XY, ax: float = ax, ay: float = ay, bx: float = bx, by: float = by) -> bool:
            return (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) >= 0

        def crossing(p: XY, q: XY, ax: float = ax, ay: float = ay, bx: float = bx, by: float = by) -> XY:
            (px, py), (qx, qy) = p, q
            denominator = (bx - ax) * (qy - py) - (by - ay) * (qx - px)
            t = ((bx - ax) * (ay - py) - (by - ay) * (ax - px)) / denominator
            return (round(px + t * (qx - px), 3), round(py + t * (qy - py), 3))

        for p, q in zip([points[-1], *points[:-1]], points, strict=True):
            if inside(q):
                if not inside(p):
                    output.append(crossing(p, q))
                output.append(q)
            elif inside(p):
                output.append(crossing(p, q))
    return output


def _grid_within(polygon: Sequence[XY], spacing: float) -> Iterable[XY]:
    """Grid points inside a polygon, row by row: each row's crossings are found once (even-odd)."""
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    x0 = math.floor(min(xs) / spacing) * spacing + _GRID_OFFSET[0] * spacing
    y0 = math.floor(min(ys) / spacing) * spacing + _GRID_OFFSET[1] * spacing
    edges = list(zip(polygon, [*polygon[1:], polygon[0]], strict=True))
    for i in range(int((max(ys) - y0) / spacing) + 1):
        y = y0 + i * spacing
        crossings = sorted(
            xa + (y - ya) * (xb - xa) / (yb - ya) for (xa, ya), (xb, yb) in edges if (ya > y) != (yb > y)
        )
        for start, end in zip(crossings[0::2], crossings[1::2], strict=False):
            first = math.ceil((start - x0) / spacing)
            for j in range(first, int((end - x0) / spacing) + 1):
                x = x0 + j * spacing
                if start < x < end:
                    yield (round(x, 2), round(y, 2))


def depth_inside(xy: XY, polygon: Sequence[XY]) -> float:
    """Distance to the polygon's edge: positive inside, negative outside."""
    inside = point_in_polygon(xy, polygon)
    distance = min(segment_distance(xy, a, b) for a, b in zip(polygon, [*polygon[1:], polygon[0]], strict=True))
    return distance if inside else -distance
