"""Student labels: callouts beside the body, one per point, never on top of one another."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from meridian_map import ResolvedAtlas, Selection, build_figure
from meridian_map.body import XY
from meridian_map.callouts import LINE_SPACING, Keep, Labelled, lay_out, spread, text_width_cm, text_width_px
from meridian_map.figure import (
    HEIGHT,
    LABEL_FONT_PX,
    LANDMARK_PREFIX,
    LANDMARKS,
    LEGEND_PX,
    LOWEST_PLOT_PX,
    NARROWEST_PLOT_PX,
    _point_labels,
    _px_per_cm,
    axis_ranges,
    emphasis,
    ruler_keep,
)
from meridian_map.model import VIEW_IDS

WIDE = (-1000.0, 1000.0)


def test_labels_with_room_stay_level_with_their_points() -> None:
    assert spread([0.0, 10.0, 20.0], 2.0, WIDE) == [0.0, 10.0, 20.0]
    assert spread([20.0, 0.0, 10.0], 2.0, WIDE) == [20.0, 0.0, 10.0]  # order of the input is kept


def test_crowded_labels_spread_evenly_about_where_they_want_to_be() -> None:
    assert spread([5.0, 5.0, 5.0], 2.0, WIDE) == pytest.approx([3.0, 5.0, 7.0])
    # Only the crowded pair moves; the far label stays put.
    assert spread([0.0, 0.5, 30.0], 2.0, WIDE) == pytest.approx([-0.75, 1.25, 30.0])


def test_labels_pushed_past_an_edge_come_back_inside_with_their_gaps() -> None:
    assert spread([0.0, 0.0, 0.0], 2.0, (0.0, 100.0)) == pytest.approx([0.0, 2.0, 4.0])
    assert spread([100.0, 100.0], 2.0, (0.0, 100.0)) == pytest.approx([98.0, 100.0])


def test_a_label_of_two_lines_takes_two_rows() -> None:
    assert spread([0.0, 0.0], 2.0, WIDE, sizes=[2, 1]) == pytest.approx([-1.5, 1.5])
    assert spread([0.0, 10.0], 2.0, (0.0, 100.0), sizes=[2, 1]) == pytest.approx([1.0, 10.0])  # 2 rows inside
    assert text_width_cm("Iliac<br>crest L4", 10, 5) == text_width_cm("crest L4", 10, 5)


def test_wide_characters_count_a_full_font_size() -> None:
    assert text_width_cm("肾俞", 10, 5) == pytest.approx(4.0)
    assert text_width_cm("BL23", 10, 5) < text_width_cm("肾俞肾俞", 10, 5)


@pytest.mark.parametrize("view", VIEW_IDS)
@pytest.mark.parametrize("kind", ["code", "pinyin", "hanzi"])
def test_every_point_on_a_view_gets_one_callout_clear_of_the_body_and_of_the_others(
    atlas: ResolvedAtlas, view: str, kind: str
) -> None:
    shown = atlas.on(view)  # type: ignore[arg-type]
    labelled = [
        Labelled(point.code, getattr(point, kind), shown.positions[point.code])
        for channel in shown.channels
        for point in shown.visible_points(channel)
    ]
    px_per_cm = 4.6
    _, (bottom, top) = axis_ranges(shown)
    callouts = lay_out(shown.body, labelled, px_per_cm, LABEL_FONT_PX, (bottom, top))

    assert sorted(c.code for c in callouts) == sorted(item.code for item in labelled)
    positions = {item.code: item.positions for item in labelled}
    height = LINE_SPACING * LABEL_FONT_PX / px_per_cm
    for side in ("left", "right"):
        column = sorted((c for c in callouts if c.side == side), key=lambda c: c.label[1])
        for lower, upper in pairwise(column):
            assert upper.label[1] - lower.label[1] >= height - 1e-9, f"{lower.code} and {upper.code} overlap"
    for callout in callouts:
        assert callout.point in positions[callout.code]
        assert bottom + height / 2 - 1e-9 <= callout.label[1] <= top - height / 2 + 1e-9
        x, y = callout.label
        edges = [e for dy in (-height / 2, 0, height / 2) for e in shown.body.edges_at(y + dy)]
        if edges:  # the text runs outwards from a spot outside the whole body at its height
            assert x < min(edges) if callout.side == "left" else x > max(edges)


def test_the_figure_labels_only_the_key_points_of_a_chosen_area(atlas: ResolvedAtlas) -> None:
    selection = Selection(regions=("lower_back_left",), labels="code")
    figure = build_figure(atlas, selection)
    labelled = {text for t in figure.data if (t.name or "").endswith(" labels") for text in t.text}
    key_points = {code for code in emphasis(atlas, selection).points if code in atlas.positions}
    assert labelled == key_points
    assert {"BL23", "GV4"} <= labelled
    assert all(t.mode == "markers" for t in figure.data if (t.name or "").endswith(" points"))
    leaders = next(t for t in figure.data if t.name == "label lines")
    assert sum(x is None for x in leaders.x) == len(labelled)  # one leader line per label


def test_landmarks_are_named_by_callouts_too(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(landmarks=True))
    names = next(t for t in figure.data if t.name == "landmark labels")
    assert set(names.text) == {"Scapular<br>spine T3", "Inferior<br>angle T7", "Iliac<br>crest L4", "PSIS S2"}
    assert not [t for t in figure.data if (t.name or "").endswith(" labels") and t.name != "landmark labels"]


def leaders(figure: Any) -> list[tuple[XY, XY]]:
    line = next(t for t in figure.data if t.name == "label lines")
    return [((line.x[i], line.y[i]), (line.x[i + 1], line.y[i + 1])) for i in range(0, len(line.x), 3)]


def crosses(segment: tuple[XY, XY], box: tuple[float, float, float, float]) -> bool:
    """Whether a segment passes through a box (x0, x1, y0, y1), sampled finely."""
    (ax, ay), (bx, by) = segment
    x0, x1, y0, y1 = box
    return any(x0 < ax + (bx - ax) * k / 200 < x1 and y0 < ay + (by - ay) * k / 200 < y1 for k in range(201))


def ruler_boxes(figure: Any, scale: float) -> list[tuple[float, float, float, float]]:
    """The spine ruler's level names as drawn at `scale` px per cm: 10 px text `middle left` of its
    anchor, a line's height tall, and 1.2 times the estimated width (Chromium draws "T10" 19.8 px
    wide, against 17.4 px estimated)."""
    ruler = next(t for t in figure.data if t.name == "spine ruler")
    half = LINE_SPACING * 10 / scale / 2
    named = zip(ruler.x, ruler.y, ruler.text, strict=True)
    return [(x - 1.2 * text_width_cm(text, 10, scale), x, y - half, y + half) for x, y, text in named]


def drawn_scales(figure: Any) -> dict[str, float]:
    """The figure's scale (px per cm) on a desktop, on the narrowest plot (a phone: the x range sets
    it) and on the lowest (a desktop window at 200 % zoom: the y range does)."""
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range
    return {
        "drawing": (HEIGHT - LEGEND_PX) / (y1 - y0),
        "phone": (NARROWEST_PLOT_PX - 8) / (x1 - x0),
        "lowest": LOWEST_PLOT_PX / (y1 - y0),
    }


@pytest.mark.parametrize("kind", ["code", "pinyin", "hanzi"])
@pytest.mark.parametrize("regions", [(), ("lower_back_left",), ("lower_back_left", "sacrum")])
@pytest.mark.parametrize("size", ["drawing", "phone", "lowest"])
def test_no_leader_line_crosses_the_spine_ruler(
    atlas: ResolvedAtlas, kind: str, regions: tuple[str, ...], size: str
) -> None:
    """With every point labelled (no area chosen) the head has more labels than rows above the
    ruler; on a phone, and most on the lowest plot, the ruler's text covers more of the drawing."""
    figure = build_figure(atlas, Selection(regions=regions, labels=kind, landmarks=True))  # type: ignore[arg-type]
    scale = drawn_scales(figure)[size]
    boxes = ruler_boxes(figure, scale)
    spine = (-0.7, 0.7, min(b[2] for b in boxes), max(b[3] for b in boxes))
    drawn = leaders(figure)
    assert drawn
    for segment in drawn:
        assert not any(crosses(segment, box) for box in boxes), segment
        (ax, _), (bx, _) = segment
        assert not (min(ax, bx) < spine[0] and max(ax, bx) > spine[1] and crosses(segment, spine)), segment


def test_a_leader_crosses_the_band_only_beyond_its_edge() -> None:
    keep = Keep("left", 10.0, 20.0, edge=-5.0)
    assert keep.crossed((0.0, 15.0), (-10.0, 15.0))  # straight through
    assert keep.crossed((0.0, 25.0), (-10.0, 15.0))  # ends in it
    assert keep.crossed((0.0, 15.0), (-20.0, 0.0))  # leaves the band's height only past the edge
    assert not keep.crossed((0.0, 12.0), (-20.0, 0.0))  # passes under the corner
    assert not keep.crossed((0.0, 25.0), (-10.0, 21.0))  # above it
    assert not keep.crossed((0.0, 15.0), (-4.0, 15.0))  # stops short of the edge
    assert keep.crossed((-6.0, 15.0), (-4.0, 30.0))  # starts in it
    assert not Keep("right", 10.0, 20.0, edge=5.0).crossed((0.0, 15.0), (-10.0, 15.0))  # the other side


def test_an_item_with_a_bound_is_pushed_inside_it_and_pushes_the_next() -> None:
    inf = float("inf")
    bounds = [(-inf, inf), (5.0, inf), (-inf, inf)]
    assert spread([0.0, 0.0, 0.0], 2.0, WIDE, bounds=bounds) == pytest.approx([-2.0, 5.0, 7.0])
    assert spread([0.0, 10.0], 2.0, WIDE, bounds=[(-inf, inf), (-inf, 1.0)]) == pytest.approx([-1.0, 1.0])


def test_with_every_back_point_labelled_the_ruler_side_keeps_off_the_band(atlas: ResolvedAtlas) -> None:
    """The crowded case, at the scale the figure lays it out: the head has more labels than rows
    above the band, and the other column cannot take all the band's. Every point is still labelled
    once, no two labels of a column overlap, all stay inside the drawing, no label of the ruler's
    side stands level with the band, no leader crosses it, and the head's labels stay beside the head."""
    shown = atlas.on("posterior")
    selection = Selection(labels="pinyin", landmarks=True)
    labelled = _point_labels(shown, selection, emphasis(shown, selection)) + [
        Labelled(LANDMARK_PREFIX + key, name, [shown.body.landmarks[key]]) for name, key in LANDMARKS.items()
    ]  # as the figure lays them out: the landmarks' names too
    keep = ruler_keep(shown)
    _, (bottom, top) = axis_ranges(shown)
    scale = _px_per_cm(shown)
    height = LINE_SPACING * LABEL_FONT_PX / scale
    head = [item for item in labelled if min(y for _, y in item.positions) > keep.top]
    assert len(head) > (top - keep.top) / height  # the head's labels do not fit above the band
    callouts = lay_out(shown.body, labelled, scale, LABEL_FONT_PX, (bottom, top), keep)

    assert sorted(c.code for c in callouts) == sorted(item.code for item in labelled)
    for side in ("left", "right"):
        column = sorted((c for c in callouts if c.side == side), key=lambda c: c.label[1])
        for lower, upper in pairwise(column):
            assert upper.label[1] - lower.label[1] >= height - 1e-9, f"{lower.code} and {upper.code} overlap"
    for callout in callouts:
        assert bottom + height / 2 - 1e-9 <= callout.label[1] <= top - height / 2 + 1e-9, callout
        assert not keep.crossed(callout.point, callout.label), callout
        if callout.side == "left":
            assert callout.point[0] < 0.5, callout  # never across the spine
            assert not keep.bottom - height / 2 < callout.label[1] < keep.top + height / 2, callout
    assert all(c.label[1] > keep.top for c in callouts if c.code in {item.code for item in head})
    below = [c for c in callouts if c.side == "left" and keep.bottom <= c.point[1] <= keep.top]
    assert below and all(c.label[1] < keep.bottom for c in below)  # the band's points labelled under it


@pytest.mark.parametrize("view", VIEW_IDS)
@pytest.mark.parametrize("kind", ["code", "pinyin", "hanzi"])
def test_the_drawing_keeps_room_for_every_label_on_a_narrow_plot(atlas: ResolvedAtlas, view: str, kind: str) -> None:
    """On a plot NARROWEST_PLOT_PX wide (the x range sets the scale), or as low as the body map draws
    it (the y range does), every label's text ends inside it."""
    shown = atlas.on(view)  # type: ignore[arg-type]
    figure = build_figure(shown, Selection(view=view, labels=kind, landmarks=True))  # type: ignore[arg-type]
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range
    width = NARROWEST_PLOT_PX - 8
    scale = min(width / (x1 - x0), LOWEST_PLOT_PX / (y1 - y0))
    low = LOWEST_PLOT_PX / (y1 - y0)
    for t in figure.data:
        if (t.name or "").endswith(" labels"):
            for x, y, text in zip(t.x, t.y, t.text, strict=True):
                extent = text_width_px(text, LABEL_FONT_PX) + 3
                px = x * scale + (extent if x > 0 else -extent)
                assert -width / 2 <= px <= width / 2, (text, px)
                half = (text.count("<br>") + 1) * LINE_SPACING * LABEL_FONT_PX / 2 / low
                assert y0 <= y - half and y + half <= y1, text
