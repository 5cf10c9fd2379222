"""The atlas resolved onto the body: every point placed, every region drawn.

`open_atlas` is the one way in for the CLI, the app and the tests: it loads
the content, places it on the body model, and reports every problem (schema,
cross-references, geometry) as `FILE:LINE: path: message`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .body import XY, BodyModel, PlacementError, Proportions
from .content import ContentError, LoadedContent, Problem, SourceMap, load_content
from .curves import smooth_path
from .model import VIEW_IDS, Atlas, BetweenPlacement, Channel, OtherPoint, Point, Reference, Region, ViewId
from .regions import (
    RegionShape,
    ShapeError,
    coverage_problems,
    depth_inside,
    interior_samples,
    resolve_regions,
)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "data" / "meridians.yaml"
DATA_ENV = "MERIDIAN_MAP_DATA"
OFF_BODY_TOLERANCE_CM = 0.6  # a point on the outline itself still counts as on the body


def data_path(explicit: str | Path | None = None) -> Path:
    """The content file: an explicit path, else $MERIDIAN_MAP_DATA, else the bundled one."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else DEFAULT_DATA


@dataclass(frozen=True)
class ResolvedAtlas:
    """The content placed on one view's body; `on(view)` gives the same content on another view."""

    atlas: Atlas
    body: BodyModel
    positions: dict[str, tuple[XY, ...]]  # code -> positions on this view (back view: patient's left first)
    regions: tuple[RegionShape, ...]
    file: str = ""
    views: dict[ViewId, ResolvedAtlas] = field(default_factory=dict, repr=False, compare=False)
    digest: str = ""  # of the file's bytes: caches of what is drawn from it are keyed by it, not by `file`

    @property
    def view(self) -> ViewId:
        return self.body.view

    def on(self, view: ViewId) -> ResolvedAtlas:
        return self.views[view]

    @cached_property
    def region_labels(self) -> dict[str, str]:
        """Every region id on any view, with its label (back view first)."""
        labels: dict[str, str] = {}
        for resolved in self.views.values() or [self]:
            labels |= {shape.id: shape.label for shape in resolved.regions if shape.id not in labels}
        return labels

    def base_of(self, region_id: str) -> str:
        """The content entry behind a region id: 'lower_back_left' -> 'lower_back'."""
        for resolved in self.views.values() or [self]:
            if region_id in resolved.region_shapes:
                return resolved.region_shapes[region_id].base_id
        raise KeyError(region_id)

    @cached_property
    def points(self) -> dict[str, Point]:
        return {p.code: p for p in self.atlas.points}

    @cached_property
    def other_points(self) -> dict[str, OtherPoint]:
        """Points outside the four channels that the text names; described, not drawn."""
        return {p.code: p for p in self.atlas.other_points}

    @cached_property
    def channels(self) -> dict[str, Channel]:
        return {c.id: c for c in self.atlas.channels}

    @cached_property
    def references(self) -> dict[str, Reference]:
        return {r.id: r for r in self.atlas.references}

    @cached_property
    def region_shapes(self) -> dict[str, RegionShape]:
        return {r.id: r for r in self.regions}

    @cached_property
    def region_content(self) -> dict[str, Region]:
        return {r.id: r for r in self.atlas.regions}

    @cached_property
    def anchors(self) -> dict[str, XY]:
        """Per region, a spot deep inside it and clear of point markers: where to click or label it."""
        spots = [xy for placed in self.positions.values() for xy in placed]

        def best_spot(shape: RegionShape) -> XY:
            def clearance(xy: XY) -> float:
                depth = max(depth_inside(xy, polygon) for polygon in shape.polygons)
                return min(depth, min((math.dist(xy, spot) for spot in spots), default=depth))

            return max(samples[shape.id], key=clearance)

        samples = interior_samples(self.body, self.regions)
        return {shape.id: best_spot(shape) for shape in self.regions}

    @cached_property
    def deepest(self) -> dict[str, XY]:
        """Per region, the sampled spot farthest inside it (0.5 cm grid): the surest place to click it."""
        samples = interior_samples(self.body, self.regions, spacing=0.5)
        return {
            shape.id: max(samples[shape.id], key=lambda xy: max(depth_inside(xy, p) for p in shape.polygons))
            for shape in self.regions
        }

    def content_of(self, region_id: str) -> Region:
        return self.region_content[self.base_of(region_id)]

    def serving_channels(self, region_id: str) -> list[str]:
        """The channels that run through or treat a region (every link but "none"), in content order."""
        return [link.id for link in self.content_of(region_id).channels if link.link != "none"]

    @cached_property
    def shared_markers(self) -> dict[str, str]:
        """Points this view draws at another point's marker: code -> the code whose marker it is.

        The front view shows GV28, inside the mouth behind the upper lip, where GV27 is on the lip:
        two markers on one spot would leave the lower one impossible to tap, so one marker serves
        both, and its card names both."""
        hosts: dict[tuple[str, tuple[XY, ...]], str] = {}
        shared: dict[str, str] = {}
        for point in self.atlas.points:
            spots = self.positions.get(point.code)
            if spots:
                host = hosts.setdefault((point.channel, spots), point.code)
                if host != point.code:
                    shared[point.code] = host
        return shared

    def visible_points(self, channel_id: str) -> list[Point]:
        return [p for p in self.atlas.points if p.channel == channel_id and p.code in self.positions]

    def surface_lines(self, channel_id: str) -> list[list[XY]]:
        """The channel's surface pathway on this view, one polyline per unbroken stretch and side."""
        channel = self.channels[channel_id]
        sides = 2 if channel_id != "GV" and self.body.table.mirrored else 1
        lines: list[list[XY]] = []
        for branch in channel.pathway:
            for side in range(sides):
                current: list[XY] = []
                for code in branch:
                    placed = self.positions.get(code)
                    if placed is None:
                        if len(current) > 1:
                            lines.append(current)
                        current = []
                        continue
                    current.append(placed[min(side, len(placed) - 1)])
                if len(current) > 1:
                    lines.append(current)
        return lines

    def deep_lines(self, channel_id: str) -> list[tuple[str, list[XY]]]:
        """Internal pathways (label, polyline), both sides for a paired channel."""
        out = []
        for deep in self.channels[channel_id].deep_pathways:
            if deep.view != self.view:
                continue
            right = [self._through(name) for name in deep.through]
            out.append((deep.label, right))
            if channel_id != "GV" and self.body.table.mirrored:
                out.append((deep.label, [(-x, y) for x, y in right]))
        return out

    def surface_curves(self, channel_id: str) -> list[list[XY]]:
        """The surface pathway as drawn, on screen and on the sheet: a smooth curve through its points."""
        return [smooth_path(line) for line in self.surface_lines(channel_id)]

    def deep_curves(self, channel_id: str) -> list[tuple[str, list[XY]]]:
        """The internal pathways as drawn: smooth curves through their landmarks and points."""
        return [(label, smooth_path(line)) for label, line in self.deep_lines(channel_id)]

    def _through(self, name: str) -> XY:
        if name in self.positions:
            return self.positions[name][-1]
        return self.body.anchor(name)

    def regions_for_channel(self, channel_id: str) -> list[str]:
        """Regions this channel runs through or treats: the other direction of the link."""
        bases = {
            r.id for r in self.atlas.regions
            if any(link.id == channel_id and link.link != "none" for link in r.channels)
        }  # fmt: skip
        return [shape.id for shape in self.regions if shape.base_id in bases]

    def regions_for_point(self, code: str) -> list[str]:
        bases = {r.id for r in self.atlas.regions if code in r.all_points}
        return [shape.id for shape in self.regions if shape.base_id in bases]


def open_atlas(path: str | Path | None = None, proportions: Proportions | None = None) -> ResolvedAtlas:
    """Load, validate and place the content on every view; raise `ContentError` listing every problem.

    Returns the back view; `.on("lateral")` gives the side view."""
    file = data_path(path)
    loaded = load_content(file)
    return resolve(loaded, proportions or Proportions(), str(file))


def resolve(loaded: LoadedContent, proportions: Proportions, file: str = "") -> ResolvedAtlas:
    problems: list[Problem] = []
    placed_views = [_resolve_view(loaded, BodyModel(proportions, view), problems) for view in VIEW_IDS]
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line))
    views: dict[ViewId, ResolvedAtlas] = {}
    for body, positions, shapes in placed_views:
        views[body.view] = ResolvedAtlas(loaded.atlas, body, positions, tuple(shapes), file, views, loaded.digest)
    return views["posterior"]


def _resolve_view(
    loaded: LoadedContent, body: BodyModel, problems: list[Problem]
) -> tuple[BodyModel, dict[str, tuple[XY, ...]], list[RegionShape]]:
    atlas, source, view = loaded.atlas, loaded.source, body.view
    positions: dict[str, tuple[XY, ...]] = {}
    measured_from = PlacedPoints(body, atlas.points)
    for i, point in enumerate(atlas.points):
        try:
            if view in point.views:
                measured_from[point.code]  # places it, naming any circle of placements from this point
            placed = body.positions(point, measured_from)
        except PlacementError as error:
            field_name = "between" if isinstance(point.views.get(view), BetweenPlacement) else "landmark"
            problems.append(source.problem(["points", i, "views", view, field_name], str(error)))
            continue
        problems += _position_problems(body, source, i, point, placed)
        if placed:
            positions[point.code] = tuple(placed)

    shapes: list[RegionShape] = []
    shape_problems: list[Problem] = []
    for r, region in enumerate(atlas.regions):
        try:
            shapes += resolve_regions(body, [region])
        except ShapeError as error:
            path: list[str | int] = ["regions", r, "shapes", view, error.cell]
            if error.vertex is not None:
                path.append(error.vertex)
            shape_problems.append(source.problem(path, str(error)))
    if shapes or shape_problems:  # a view no region is drawn on has nothing to cover
        problems += shape_problems or list(_coverage(body, source, atlas, shapes))
    problems += _deep_pathway_problems(body, source, atlas, positions)
    return body, positions, shapes


class PlacedPoints(Mapping[str, XY]):
    """The points of one view, placed on demand, so that a placement may be measured from any
    other point on that view ("1 B-cun below KI3"), wherever it comes in the file."""

    def __init__(self, body: BodyModel, points: Iterable[Point]) -> None:
        self._body = body
        self._points = {p.code: p for p in points}
        self._placed: dict[str, XY] = {}
        self._measuring: list[str] = []

    def __getitem__(self, code: str) -> XY:
        if code in self._placed:
            return self._placed[code]
        point = self._points.get(code)
        placement = point.views.get(self._body.view) if point else None
        if placement is None:
            raise PlacementError(
                f"{code} is not placed on the {self._body.view} view, so nothing can be measured from it"
            )
        if code in self._measuring:
            raise PlacementError(
                f"points measured from each other in a circle: {' -> '.join([*self._measuring, code])}"
            )
        self._measuring.append(code)
        try:
            self._placed[code] = self._body.place(placement, self)
        finally:
            self._measuring.pop()
        return self._placed[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._placed)

    def __len__(self) -> int:
        return len(self._placed)


def _position_problems(body: BodyModel, source: SourceMap, i: int, point: Point, placed: list[XY]) -> Iterator[Problem]:
    path: list[str | int] = ["points", i, "views", body.view]
    for x, y in placed:
        if not body.contains((x, y)) and body.distance_to_outline((x, y)) > OFF_BODY_TOLERANCE_CM:
            yield source.problem(path, f"{point.code} lands off the body (at x={x:.1f}, y={y:.1f} cm)")
            return
    if point.side == "midline" and placed and abs(placed[0][0]) > 1e-6:
        yield source.problem(
            path, f"{point.code} is a midline point but is placed {placed[0][0]:.1f} cm from the midline"
        )


def _coverage(body: BodyModel, source: SourceMap, atlas: Atlas, shapes: list[RegionShape]) -> Iterator[Problem]:
    index = {r.id: i for i, r in enumerate(atlas.regions)}
    by_id = {s.id: s for s in shapes}
    for problem in coverage_problems(body, shapes):
        x, y = problem.at
        if problem.kind == "overlap":
            first, second = (by_id[i] for i in problem.region_ids[:2])
            yield source.problem(
                ["regions", index[second.base_id], "shapes", body.view],
                f"'{second.id}' overlaps '{first.id}' (e.g. at x={x:.1f}, y={y:.1f} cm)",
            )
        else:
            yield source.problem(
                ["regions"], f"no region covers the {body.view} view at x={x:.1f}, y={y:.1f} cm (a gap)"
            )


def _deep_pathway_problems(
    body: BodyModel, source: SourceMap, atlas: Atlas, positions: dict[str, tuple[XY, ...]]
) -> Iterator[Problem]:
    for c, channel in enumerate(atlas.channels):
        for d, deep in enumerate(channel.deep_pathways):
            if deep.view != body.view:
                continue
            for k, name in enumerate(deep.through):
                if name in positions:
                    continue
                try:
                    body.anchor(name)
                except PlacementError:
                    yield source.problem(
                        ["channels", c, "deep_pathways", d, "through", k],
                        f"'{name}' is neither a point shown on the {deep.view} view nor a landmark",
                    )
