"""The resolved atlas as plain JSON-ready data: figure coordinates for every point and region, per view."""

from __future__ import annotations

from typing import Any

from .atlas import ResolvedAtlas
from .figure import axis_ranges

UNITS = {
    "posterior": "cm; x from the posterior midline (patient's left negative), y up from the floor",
    "lateral": "cm; the right side seen from the right: x forward from the coronal plane, y up from the floor",
    "anterior": "cm; seen from the front: x from the anterior midline (patient's right negative), y up from the floor",
    "medial": "cm; the inner side of the right leg seen from the patient's left: x backward from the coronal plane "
    "(front negative), y up from the floor",
}


def export_atlas(atlas: ResolvedAtlas) -> dict[str, Any]:
    views = list(atlas.views.values()) or [atlas]
    return {
        "views": {resolved.view: _view(resolved) for resolved in views},
        "landmarks": {resolved.view: _landmarks(resolved) for resolved in views},
        "channels": [
            {
                "id": channel.id,
                "name": channel.name,
                "colour": channel.colour,
                "points": [_point(views, p.code) for p in atlas.atlas.points if p.channel == channel.id],
            }
            for channel in atlas.atlas.channels
        ],
        "regions": [_region(resolved, shape.id) for resolved in views for shape in resolved.regions],
    }


def _view(resolved: ResolvedAtlas) -> dict[str, Any]:
    x_range, y_range = axis_ranges(resolved)
    return {
        "x_range": [round(v, 3) for v in x_range],
        "y_range": [round(v, 3) for v in y_range],
        "outline": [[x, y] for x, y in resolved.body.outline],
        "units": UNITS[resolved.view],
    }


def _landmarks(resolved: ResolvedAtlas) -> dict[str, list[float]]:
    body = resolved.body
    landmarks: dict[str, list[float]] = {name: [0.0, round(y, 3)] for name, y in body.levels.items()}
    return landmarks | {name: [round(x, 3), round(y, 3)] for name, (x, y) in body.landmarks.items()}


def _point(views: list[ResolvedAtlas], code: str) -> dict[str, Any]:
    point = views[0].points[code]
    return {
        "code": point.code,
        "pinyin": point.pinyin,
        "hanzi": point.hanzi,
        "english": point.english,
        "location": point.location,
        "region": point.region,
        "side": point.side,
        "who_standard": point.who_standard,
        "positions": {
            resolved.view: [list(xy) for xy in resolved.positions[code]]
            for resolved in views
            if code in resolved.positions
        },
    }


def _region(resolved: ResolvedAtlas, region_id: str) -> dict[str, Any]:
    shape = resolved.region_shapes[region_id]
    content = resolved.content_of(region_id)
    return {
        "id": shape.id,
        "label": shape.label,
        "side": shape.side,
        "view": resolved.view,
        "channels": resolved.serving_channels(region_id),
        "points": list(content.key_points),
        "points_elsewhere": list(content.points_elsewhere),
        "polygons": [[list(xy) for xy in polygon] for polygon in shape.polygons],
        "anchor": list(resolved.anchors[shape.id]),
        "deepest": list(resolved.deepest[shape.id]),
    }
