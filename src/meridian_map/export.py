"""The resolved atlas as plain JSON-ready data: figure coordinates for every point and region."""

from __future__ import annotations

from typing import Any

from .atlas import VIEW, ResolvedAtlas
from .figure import axis_ranges


def export_atlas(atlas: ResolvedAtlas) -> dict[str, Any]:
    x_range, y_range = axis_ranges(atlas)
    body = atlas.body
    landmarks: dict[str, list[float]] = {name: [0.0, round(y, 3)] for name, y in body.levels.items()}
    landmarks |= {name: [round(x, 3), round(y, 3)] for name, (x, y) in body.landmarks.items()}
    return {
        "views": {
            VIEW: {
                "x_range": [round(v, 3) for v in x_range],
                "y_range": [round(v, 3) for v in y_range],
                "outline": [[x, y] for x, y in body.outline],
                "units": "cm; x from the posterior midline (patient's left negative), y up from the floor",
            }
        },
        "landmarks": {VIEW: landmarks},
        "channels": [
            {
                "id": channel.id,
                "name": channel.name,
                "colour": channel.colour,
                "points": [
                    {
                        "code": p.code,
                        "pinyin": p.pinyin,
                        "hanzi": p.hanzi,
                        "english": p.english,
                        "location": p.location,
                        "region": p.region,
                        "side": p.side,
                        "who_standard": p.who_standard,
                        "positions": {VIEW: [list(xy) for xy in atlas.positions[p.code]]}
                        if p.code in atlas.positions
                        else {},
                    }
                    for p in atlas.atlas.points
                    if p.channel == channel.id
                ],
            }
            for channel in atlas.atlas.channels
        ],
        "regions": [
            {
                "id": shape.id,
                "label": shape.label,
                "side": shape.side,
                "view": VIEW,
                "channels": [link.id for link in atlas.content_of(shape.id).channels if link.link != "none"],
                "points": list(atlas.content_of(shape.id).key_points),
                "polygons": [[list(xy) for xy in polygon] for polygon in shape.polygons],
                "anchor": list(atlas.anchors[shape.id]),
            }
            for shape in atlas.regions
        ],
    }
