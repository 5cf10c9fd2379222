"""Student labels: callouts beside the body, one per point, never on top of one another."""

from __future__ import annotations

from itertools import pairwise

import pytest

from meridian_map import ResolvedAtlas, Selection, build_figure
from meridian_map.callouts import LINE_SPACING, Labelled, lay_out, spread, text_width_cm
from meridian_map.figure import LABEL_FONT_PX, axis_ranges, emphasis

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


def test_wide_characters_count_a_full_font_size() -> None:
    assert text_width_cm("肾俞", 10, 5) == pytest.approx(4.0)
    assert text_width_cm("BL23", 10, 5) < text_width_cm("肾俞肾俞", 10, 5)


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior"])
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
    assert set(names.text) == {"Scapular spine T3", "Inferior angle T7", "Iliac crest L4", "PSIS S2"}
    assert not [t for t in figure.data if (t.name or "").endswith(" labels") and t.name != "landmark labels"]


def test_with_the_spine_ruler_on_leader_lines_keep_to_its_far_side_when_there_is_room(atlas: ResolvedAtlas) -> None:
    few = build_figure(atlas, Selection(regions=("lower_back_left",), labels="code", landmarks=True))
    sides = {text: "left" if x < 0 else "right" for t in few.data if (t.name or "").endswith(" labels")
             for text, x in zip(t.text, t.x, strict=True)}  # fmt: skip
    assert {"BL23", "GV4"} <= set(sides) and set(sides.values()) == {"right"}
    many = build_figure(atlas, Selection(labels="pinyin", landmarks=True))  # 93 labels: both columns needed
    xs = [x for t in many.data if (t.name or "").endswith(" labels") for x in t.x]
    assert min(xs) < 0 < max(xs)
