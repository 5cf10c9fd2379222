"""The side and front views' magnified head: every head point a separate, tappable marker."""

from __future__ import annotations

import itertools
import math

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.body import point_in_polygon
from meridian_map.detail import head_detail
from meridian_map.diagram import drawing, highlight, read_click
from meridian_map.figure import POINT_SIZE, Selection, build_figure
from meridian_map.model import ViewId
from meridian_map.quiz import make_round

# The plot area the body map draws (measured in Chromium): a 1400 x 1000 desktop window, and a
# 390 x 844 phone, which a zoom step (the + button, 1.6 times) then enlarges.
DESKTOP_PLOT = (430, 828)
PHONE_PLOT = (350, 672)
ZOOM_STEP = 1.6
HEAD_FROM_CM = 153.0  # the ear lobe, and below the upper lip: what is above it is the head
# The head points each view shows: the side view's 20 Gallbladder points; on the front view, the
# midline's and the patient's left side's (the detail shows that half), GV28 at GV27's marker.
HEAD_POINTS = {"lateral": 20, "anterior": 20}


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


@pytest.mark.parametrize("view", ["lateral", "anterior"])
def test_every_head_point_is_a_separate_marker_on_a_desktop_and_a_zoomed_phone(
    atlas: ResolvedAtlas, view: ViewId
) -> None:
    on_view = atlas.on(view)
    figure = build_figure(on_view, Selection(view=view))
    head = {code for code, xy in on_view.positions.items() if xy[0][1] > HEAD_FROM_CM}
    assert len(head) == HEAD_POINTS[view]
    shown = _markers(figure, detail=True)
    # each once, tagged with its code; a point at another's marker is drawn by that one
    assert sorted(code for code, _, _ in shown) == sorted(head - set(on_view.shared_markers))
    assert all(on_view.shared_markers[code] in head for code in head & set(on_view.shared_markers))
    desktop = _px_per_cm(figure, DESKTOP_PLOT)
    phone = _px_per_cm(figure, PHONE_PLOT) * ZOOM_STEP
    assert _closest(shown, desktop)[0] >= POINT_SIZE, _closest(shown, desktop)
    assert _closest(shown, phone)[0] >= POINT_SIZE, _closest(shown, phone)
    # On the body itself they crowd: that is what the detail is for (GB8 and GB9, 0.65 cm apart; BL4 and BL5 0.54).
    body = [m for m in _markers(figure, detail=False) if m[0] in head]
    assert _closest(body, desktop)[0] < POINT_SIZE


def test_the_front_detail_shows_the_patients_left_half_beside_their_left_shoulder(atlas: ResolvedAtlas) -> None:
    front = atlas.on("anterior")
    detail = head_detail(front.body)
    assert detail is not None
    x0, _, _, _ = detail.frame
    assert x0 > max(x for x, y in front.body.outline if y > detail.frame[2])  # on the viewer's right
    for code, spots in front.positions.items():
        if spots[0][1] > HEAD_FROM_CM:
            assert [detail.shows(xy) for xy in spots] == ([True] if len(spots) == 1 else [True, False]), code


def test_gv28_inside_the_lip_shares_gv27s_marker_on_the_front_view(atlas: ResolvedAtlas) -> None:
    front = atlas.on("anterior")
    assert front.shared_markers == {"GV28": "GV27"}
    assert front.positions["GV28"] == front.positions["GV27"]
    figure = build_figure(front, Selection(view="anterior"))
    drawn = [code for code, _, _ in _markers(figure, detail=False)]
    assert "GV28" not in drawn and drawn.count("GV27") == 1
    card = drawing(front, Selection(view="anterior"))["cards"]["GV27"]
    assert "Also GV28 Yinjiao: Inside the mouth" in " ".join(card["lines"])
    # Chosen (from the search or a link), GV28 rings the marker it is drawn with.
    assert highlight(front, Selection(view="anterior", point="GV28"))["rings"][0]["code"] == "GV27"
    # Named in a round, GV27's card would give GV28 away: neither card shows while GV28 is the question.
    asked = drawing(front, Selection(view="anterior", quiz_point="GV28"))["cards"]["GV27"]
    assert asked["title"] == "Which point is this?"
    # A round never asks about GV28 on the front view, where its marker is GV27's.
    rounds = [q for seed in range(40) for q in make_round(atlas, seed, size=8, views=("anterior",))]
    assert rounds and all(q.code != "GV28" for q in rounds)


@pytest.mark.parametrize("view", ["lateral", "anterior"])
def test_the_detail_lies_off_the_body_where_no_region_is(atlas: ResolvedAtlas, view: ViewId) -> None:
    on_view = atlas.on(view)
    detail = head_detail(on_view.body)
    assert detail is not None and head_detail(atlas.on("posterior").body) is None
    x0, x1, y0, y1 = detail.frame
    assert not any(detail.holds(xy) for xy in on_view.body.outline)  # beside the body, clear of it
    inside = [(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * j / 10) for i in range(11) for j in range(11)]
    assert not any(on_view.body.contains(xy) for xy in inside)
    # The polygons the component hit-tests clicks against: none reaches into it.
    assert not any(point_in_polygon(xy, p) for shape in on_view.regions for p in shape.polygons for xy in inside)
    figure = build_figure(on_view, Selection(view=view))
    (left, right), (low, high) = figure.layout.xaxis.range, figure.layout.yaxis.range
    assert left < x0 and x1 < right and high > y1 and low < y0 - 2  # its caption stands below it
    # The body is still drawn nearly as large as without it (the plot's height set the scale then).
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
    # With labels on, the labels take the room beside the body: no detail; nor in the treatment room.
    for plain in (Selection(view="lateral", labels="code"), Selection(view="lateral", plain=True)):
        assert not any(trace.name.endswith("(detail)") for trace in build_figure(side, plain).data)


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
