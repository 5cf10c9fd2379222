"""Pain regions: they cover the body once, and clicks map to the right one."""

from __future__ import annotations

import math

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.body import point_in_polygon
from meridian_map.regions import (
    body_grid,
    clip_convex,
    coverage_problems,
    depth_inside,
    is_convex,
    region_at,
)


def test_every_body_point_lies_in_exactly_one_region(atlas: ResolvedAtlas) -> None:
    grid = body_grid(atlas.body, spacing=0.7)
    assert len(grid) > 5000
    for xy in grid:
        owners = [shape.id for shape in atlas.regions if shape.contains(xy)]
        assert len(owners) == 1, (xy, owners)
    assert coverage_problems(atlas.body, atlas.regions) == []


def test_paired_regions_split_left_and_right(atlas: ResolvedAtlas) -> None:
    ids = set(atlas.region_shapes)
    assert {"lower_back_left", "lower_back_right", "sacrum", "back_of_head"} <= ids
    assert len(ids) == 32
    left = atlas.region_shapes["lower_back_left"]
    assert all(x <= 1e-6 for polygon in left.polygons for x, _ in polygon)
    assert atlas.region_shapes["lower_back_left"].label == "Lower back (left)"


@pytest.mark.parametrize(
    ("code", "side", "region"),
    [
        ("BL23", 0, "lower_back_left"),
        ("BL23", 1, "lower_back_right"),
        ("GB21", 1, "top_of_shoulder_right"),
        ("BL40", 0, "back_of_knee_left"),
        ("BL57", 1, "calf_right"),
        ("GB30", 0, "buttock_left"),
        ("BL17", 1, "upper_back_right"),
        ("BL20", 0, "mid_back_left"),
        ("BL60", 1, "heel_and_ankle_right"),
        ("BL37", 0, "back_of_thigh_left"),
        ("KI7", 0, "calf_left"),
        ("BL32", 0, "sacrum"),
    ],
)
def test_points_fall_in_their_anatomical_region(atlas: ResolvedAtlas, code: str, side: int, region: str) -> None:
    shape = region_at(atlas.regions, atlas.body, atlas.positions[code][side])
    assert shape is not None and shape.id == region


def test_off_the_body_is_no_region(atlas: ResolvedAtlas) -> None:
    x0, _x1, _y0, y1 = atlas.body.bounds
    for xy in [(x0 - 2, 100.0), (0.0, y1 + 2), (0.0, 40.0), (20.0, 150.0), (-18.0, 40.0)]:
        assert region_at(atlas.regions, atlas.body, xy) is None, xy


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior"])
def test_the_exported_polygons_hit_test_every_spot_as_region_at_does(atlas: ResolvedAtlas, view: str) -> None:
    """The browser hit-tests a click against the clipped polygons the drawing carries (even-odd);
    on a 0.7 cm grid over the body that picks exactly the region `region_at` names."""
    shown = atlas.on(view)  # type: ignore[arg-type]
    for xy in body_grid(shown.body, spacing=0.7):
        by_polygon = [s.id for s in shown.regions if any(point_in_polygon(xy, p) for p in s.polygons)]
        under = region_at(shown.regions, shown.body, xy)
        assert by_polygon == ([under.id] if under else []), (view, xy, by_polygon)


def test_every_region_has_an_anchor_deep_inside_it(atlas: ResolvedAtlas) -> None:
    for shown in atlas.views.values():
        for shape in shown.regions:
            anchor = shown.anchors[shape.id]
            assert region_at(shown.regions, shown.body, anchor) == shape
            assert max(depth_inside(anchor, polygon) for polygon in shape.polygons) > 0.3, shape.id


def test_region_anchor_lies_inside_and_clear_of_points(atlas: ResolvedAtlas) -> None:
    spots = [xy for placed in atlas.positions.values() for xy in placed]
    for shape in atlas.regions:
        anchor = atlas.anchors[shape.id]
        assert region_at(atlas.regions, atlas.body, anchor) is shape, shape.id
        assert min(math.dist(anchor, spot) for spot in spots) > 1.0, shape.id


def test_clip_convex_keeps_only_the_inside() -> None:
    square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
    clip = [(2.0, -1.0), (6.0, -1.0), (6.0, 5.0), (2.0, 5.0)]
    clipped = clip_convex(square, clip)
    assert sorted(clipped) == sorted([(2.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 4.0)])
    assert is_convex(square) and not is_convex([(0, 0), (4, 0), (1, 1), (0, 4)])


def test_side_view_regions_cover_it_once_and_show_the_right_side(atlas: ResolvedAtlas) -> None:
    side = atlas.on("lateral")
    assert coverage_problems(side.body, side.regions, spacing=0.8) == []
    assert all(shape.side == "right" for shape in side.regions)
    assert {"side_of_head_right", "knee_right", "foot_right", "side_of_thigh_right"} <= set(side.region_shapes)
    assert region_at(side.regions, side.body, side.positions["GB33"][0]).id == "knee_right"  # type: ignore[union-attr]
    assert region_at(side.regions, side.body, side.positions["GB43"][0]).id == "foot_right"  # type: ignore[union-attr]


def test_front_view_regions_cover_it_once_with_the_right_side_on_our_left(atlas: ResolvedAtlas) -> None:
    front = atlas.on("anterior")
    assert coverage_problems(front.body, front.regions, spacing=0.8) == []
    right = front.region_shapes["chest_right"]
    assert all(x <= 1e-6 for polygon in right.polygons for x, _ in polygon)
    assert region_at(front.regions, front.body, front.positions["KI1"][1]).id == "sole_right"  # type: ignore[union-attr]
    assert region_at(front.regions, front.body, front.positions["KI24"][0]).id == "chest_left"  # type: ignore[union-attr]
