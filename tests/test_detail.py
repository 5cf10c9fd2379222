"""The side view's magnified head: every head point a separate, tappable marker."""

from __future__ import annotations

import itertools
import math

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.body import point_in_polygon
from meridian_map.detail import head_detail
from meridian_map.diagram import read_click
from meridian_map.figure import POINT_SIZE, Selection, build_figure

# The plot area the body map draws (measured in Chromium): a 1400 x 1000 desktop window, and a
# 390 x 844 phone, which a zoom step (the + button, 1.6 times) then enlarges.
DESKTOP_PLOT = (430, 828)
PHONE_PLOT = (350, 672)
ZOOM_STEP = 1.6
HEAD_FROM_CM = 153.0  # the ear lobe: what is above it is the head


def _px_per_cm(figure: object, plot: tuple[int, int]) -> float:
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range  # type: ignore[attr-defined]
    return min(plot[0] / (x1 - x0), plot[1] / (y1 - y0))


def _markers(figure: object, detail: bool) -> list[tuple[str, float, float]]:
    return [
        (code, x, y)
        for trace in figure.data  # type: ignore[attr-defined]
        if (trace.meta or {}).get("role") == "points" and trace.name.endswith("(detail)") == detail
        for code, x, y in zip(trace.customdata, trace.x, trace.y, strict=True)
    ]


def _closest(markers: list[tuple[str, float, float]], scale: float) -> tuple[float, str, str]:
    return min((math.dist(a[1:], b[1:]) * scale, a[0], b[0]) for a, b in itertools.combinations(markers, 2))


def test_every_head_point_of_the_side_view_is_a_separate_marker_on_a_desktop_and_a_zoomed_phone(
    atlas: ResolvedAtlas,
) -> None:
    side = atlas.on("lateral")
    figure = build_figure(side, Selection(view="lateral"))
    head = {code for code, xy in side.positions.items() if xy[0][1] > HEAD_FROM_CM}
    assert len(head) == 20
    shown = _markers(figure, detail=True)
    assert sorted(code for code, _, _ in shown) == sorted(head)  # each once, tagged with its code
    desktop = _px_per_cm(figure, DESKTOP_PLOT)
    phone = _px_per_cm(figure, PHONE_PLOT) * ZOOM_STEP
    assert _closest(shown, desktop)[0] >= POINT_SIZE, _closest(shown, desktop)
    assert _closest(shown, phone)[0] >= POINT_SIZE, _closest(shown, phone)
    # On the body itself they crowd: that is what the detail is for (GB8 and GB9, 0.65 cm apart).
    body = [m for m in _markers(figure, detail=False) if m[0] in head]
    assert _closest(body, desktop)[0] < POINT_SIZE


def test_the_detail_lies_off_the_body_where_no_region_is(atlas: ResolvedAtlas) -> None:
    side = atlas.on("lateral")
    detail = head_detail(side.body)
    assert detail is not None and head_detail(atlas.on("posterior").body) is None
    x0, x1, y0, y1 = detail.frame
    assert all(x1 < x for x, y in side.body.outline if y0 <= y <= y1)  # beside the body, behind its back
    inside = [(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * j / 10) for i in range(11) for j in range(11)]
    assert not any(side.body.contains(xy) for xy in inside)
    # The polygons the component hit-tests clicks against: none reaches into it.
    assert not any(point_in_polygon(xy, p) for shape in side.regions for p in shape.polygons for xy in inside)
    figure = build_figure(side, Selection(view="lateral"))
    assert figure.layout.xaxis.range[0] < x0 and figure.layout.yaxis.range[1] > y1 + 2
    # The body is still drawn nearly as large as without it (the plot's height set the scale then).
    (low, high) = figure.layout.yaxis.range
    assert _px_per_cm(figure, DESKTOP_PLOT) > 0.88 * DESKTOP_PLOT[1] / (high - low)


def test_the_detail_draws_the_same_lines_and_points_moved_and_scaled(atlas: ResolvedAtlas) -> None:
    side = atlas.on("lateral")
    detail = head_detail(side.body)
    assert detail is not None
    figure = build_figure(side, Selection(view="lateral"))
    for code, x, y in _markers(figure, detail=True):
        assert detail.to_detail(side.positions[code][0]) == pytest.approx((x, y), abs=1e-3)
        assert detail.to_body((x, y)) == pytest.approx(side.positions[code][0], abs=2e-3)
    names = [trace.name for trace in figure.data]
    assert {"detail outline", "detail anatomy", "GB Gallbladder (detail)"} <= set(names)
    line = figure.data[names.index("GB Gallbladder (detail)")]
    assert line.meta == {"role": "line", "channel": "GB"} and line.showlegend is False
    # With labels on, the labels take the room beside the body: no detail.
    labelled = build_figure(side, Selection(view="lateral", labels="code"))
    assert not any(trace.name.endswith("(detail)") for trace in labelled.data)


def test_a_click_in_the_detail_is_read_as_the_spot_on_the_head_it_shows(atlas: ResolvedAtlas) -> None:
    side = atlas.on("lateral")
    detail = head_detail(side.body)
    assert detail is not None
    gb8 = side.positions["GB8"][0]
    x, y = detail.to_detail(gb8)
    click = read_click({"view": "lateral", "x": x, "y": y, "point": None, "region": None, "seq": 1}, side)
    assert click is not None and click.at == pytest.approx(gb8, abs=1e-3) and click.kind == "off"
    beside = read_click({"view": "lateral", "x": 0.0, "y": 100.0, "seq": 2}, side)
    assert beside is not None and beside.at == (0.0, 100.0)
    # With labels on, the detail is not drawn and its frame is the labels' column: a click there is where it fell.
    labelled = Selection(view="lateral", labels="code", answer_for="GB8")
    plain = read_click({"view": "lateral", "x": x, "y": y, "seq": 3}, side, labelled)
    assert plain is not None and plain.at == (x, y)
