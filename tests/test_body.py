"""The proportional body model: landmarks, B-cun scales and point placement."""

from __future__ import annotations

import itertools

import pytest

from meridian_map import BodyModel, Proportions, ResolvedAtlas
from meridian_map.body import PlacementError, segment_distance
from meridian_map.model import LandmarkPlacement, Scale, SpinalPlacement


@pytest.fixture(scope="module")
def body() -> BodyModel:
    return BodyModel()


def test_standard_bone_measurements_define_the_scales(body: BodyModel) -> None:
    # 6 B-cun between the medial borders of the scapulae; 16 from the popliteal crease to the malleolus.
    medial_border_x = body.landmarks["scapular_spine_root"][0]
    assert 2 * medial_border_x == pytest.approx(6 * body.cun(Scale.back))
    crease, malleolus = body.landmarks["popliteal_crease"][1], body.landmarks["lateral_malleolus"][1]
    assert crease - malleolus == pytest.approx(16 * body.cun(Scale.leg))
    fold = body.landmarks["gluteal_fold"][1]
    assert fold - crease == pytest.approx(14 * body.cun(Scale.thigh))


def test_landmarks_follow_the_vertebral_levels(body: BodyModel) -> None:
    assert body.landmarks["scapular_spine_root"][1] == pytest.approx(body.levels["T3"])
    assert body.landmarks["scapula_inferior_angle"][1] == pytest.approx(body.levels["T7"])
    assert body.landmarks["iliac_crest"][1] == pytest.approx(body.levels["L4"])
    assert body.landmarks["psis"][1] == pytest.approx(body.levels["S2"])
    ordered = [body.levels[level] for level in ("C7", "T1", "T7", "T12", "L1", "L5", "S1", "S4")]
    assert ordered == sorted(ordered, reverse=True)


def test_bl23_is_level_with_l2_and_one_and_a_half_cun_lateral(atlas: ResolvedAtlas) -> None:
    left, right = atlas.positions["BL23"]
    unit = atlas.body.cun(Scale.back)
    assert right[1] == pytest.approx(atlas.body.levels["L2"], abs=1e-3)
    assert right[0] == pytest.approx(1.5 * unit, abs=1e-3)
    assert left == pytest.approx((-right[0], right[1]))


def test_bl52_is_on_the_outer_line_three_cun_lateral(atlas: ResolvedAtlas) -> None:
    _, right = atlas.positions["BL52"]
    assert right[0] == pytest.approx(3 * atlas.body.cun(Scale.back), abs=1e-3)
    assert right[1] == pytest.approx(atlas.positions["BL23"][1][1], abs=1e-3)


def test_governing_vessel_points_lie_on_the_midline(atlas: ResolvedAtlas) -> None:
    gv = [p for p in atlas.visible_points("GV")]
    assert len(gv) >= 16
    for point in gv:
        assert [x for x, _ in atlas.positions[point.code]] == [0.0], point.code


def test_bilateral_points_mirror_left_first(atlas: ResolvedAtlas) -> None:
    for code, placed in atlas.positions.items():
        if atlas.points[code].side == "bilateral":
            (lx, ly), (rx, ry) = placed
            assert lx == -rx and ly == ry and lx <= 0, code


def test_spinal_placement_uses_the_inferior_border_unless_told(body: BodyModel) -> None:
    below = body.place(SpinalPlacement(level="C2", from_midline=0))
    above = body.place(SpinalPlacement(level="C2", border="superior", from_midline=0))
    assert body.levels["C1"] > above[1] > below[1] == body.levels["C2"]


def test_other_proportions_move_every_point_with_the_landmarks() -> None:
    tall_legs = BodyModel(Proportions(popliteal_crease=52.0, gluteal_fold=86.0, lateral_malleolus=8.0))
    standard = BodyModel()
    bl57 = LandmarkPlacement(landmark="popliteal_crease", below=8, scale=Scale.leg)
    for body in (standard, tall_legs):
        crease = body.landmarks["popliteal_crease"][1]
        malleolus = body.landmarks["lateral_malleolus"][1]
        # BL57 stays half way between the crease and the malleolus, whatever the leg length.
        assert body.place(bl57)[1] == pytest.approx(crease - (crease - malleolus) / 2)
    assert tall_legs.place(bl57)[1] > standard.place(bl57)[1]
    assert tall_legs.bounds[3] == pytest.approx(standard.bounds[3], abs=0.5)


def test_edge_placement_sits_just_inside_the_outline(body: BodyModel) -> None:
    gb31 = LandmarkPlacement(landmark="popliteal_crease", above=9, scale=Scale.thigh_lateral, edge="lateral", inset=0.4)
    x, y = body.place(gb31)
    assert body.contains((x, y))
    assert body.distance_to_outline((x, y)) == pytest.approx(0.4 * body.cun(Scale.thigh_lateral), rel=0.35)
    assert x > body.landmarks["popliteal_crease"][0]


def test_outline_is_symmetric_and_closed_around_the_landmarks(body: BodyModel) -> None:
    xs = sorted(round(x, 2) for x, _ in body.outline)
    assert xs == sorted(round(-x, 2) for x in xs)
    for name, xy in body.landmarks.items():
        if name == "arm_gap":  # by design in the gap between hand and hip
            assert not body.contains(xy)
        else:
            assert body.contains(xy) or body.distance_to_outline(xy) < 0.5, name


def test_side_view_shows_one_side_and_measures_forward() -> None:
    side = BodyModel(view="lateral")
    gb34 = LandmarkPlacement(landmark="fibula_head", below=1, anterior=1, scale=Scale.leg)
    x, y = side.place(gb34)
    fibula = side.landmarks["fibula_head"]
    assert x == pytest.approx(fibula[0] + side.cun(Scale.leg)) and y < fibula[1]
    with pytest.raises(PlacementError, match="anterior/posterior"):
        side.place(LandmarkPlacement(landmark="fibula_head", lateral=1, scale=Scale.leg))
    with pytest.raises(PlacementError, match="not used on the lateral view"):
        side.cun(Scale.back)
    # the same heights as the back view, so a region band means the same level on both
    back = BodyModel()
    for level in ("C7", "T7", "L4"):
        assert side.levels[level] == back.levels[level]
    assert side.landmarks["popliteal_crease"][1] == back.landmarks["popliteal_crease"][1]


# -- the drawing: silhouette and surface anatomy ---------------------------------------------------
VIEW_HINTS = {
    "posterior": {"scapulae", "iliac_crests", "sacrum", "natal_cleft", "gluteal_folds", "popliteal_creases",
                  "calcaneal_tendons", "heels", "fingers", "thumbs"},
    "lateral": {"ear", "eye", "eyebrow", "hairline", "jaw", "shoulder", "lower_rib_margin", "iliac_crest",
                "greater_trochanter", "knee", "fibula_head", "lateral_malleolus", "foot", "toes"},
    "anterior": {"hairline", "eyebrows", "eyes", "nose", "mouth", "clavicles", "nipples", "costal_margin",
                 "umbilicus", "inguinal_folds", "knees", "fingers", "thumbs", "toes"},
    "medial": {"knee", "tibia_border", "calcaneal_tendon", "medial_malleolus", "heel", "arch", "big_toe"},
}  # fmt: skip
VIEWS = tuple(VIEW_HINTS)


def _crosses(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float], d: tuple[float, float]) -> bool:
    def side(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


@pytest.mark.parametrize("view", VIEWS)
def test_the_outline_is_one_closed_line_that_never_crosses_itself(view: str) -> None:
    from meridian_map.body import polygon_area

    ring = BodyModel(view=view).outline  # type: ignore[arg-type]
    assert ring[0] != ring[-1] and len(set(ring)) == len(ring)  # closed by drawing back to the start
    assert polygon_area(ring) < 0  # clockwise, one piece: a self-crossing ring would not be simple
    edges = list(zip(ring, ring[1:] + ring[:1], strict=True))
    for i, (a, b) in enumerate(edges):
        for c, d in edges[i + 2 : len(edges) - (1 if i == 0 else 0)]:
            assert not _crosses(a, b, c, d), (view, a, b, c, d)


def test_the_figure_draws_the_outline_as_one_solid_line_under_the_channels(atlas: ResolvedAtlas) -> None:
    from meridian_map.figure import BODY_LINE, Selection, build_figure

    for view in VIEWS:
        figure = build_figure(atlas.on(view), Selection(view=view))  # type: ignore[arg-type]
        names = [trace.name for trace in figure.data]
        outline = figure.data[names.index("outline")]
        assert names.count("outline") == 1 and outline.line.dash in (None, "solid")
        assert outline.line.color == BODY_LINE and outline.fill in (None, "none")
        assert "regions" not in names  # no area borders at rest
        assert names.index("anatomy") < names.index("outline") < names.index(next(n for n in names if "Bladder" in n))
        # The fill has no edge of its own, so nothing is drawn twice (or stitched),
        # and it keeps within a sliver of the edge's line (0.3 cm wide) of it.
        body = figure.data[names.index("body")]
        assert body.line.width == 0 and body.fill == "toself"
        fill = list(zip(body.x, body.y, strict=True))
        ring = atlas.on(view).body.outline  # type: ignore[arg-type]
        assert fill[0] == fill[-1] and set(fill) <= set(ring)
        edges = list(itertools.pairwise(fill))
        assert max(min(segment_distance(p, a, b) for a, b in edges) for p in ring) <= 0.03 + 1e-9


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_shows_its_named_surface_anatomy_inside_the_outline(view: str) -> None:
    body = BodyModel(view=view)  # type: ignore[arg-type]
    assert set(body.hint_lines) == VIEW_HINTS[view]
    assert body.hints == [line for lines in body.hint_lines.values() for line in lines]
    for name, lines in body.hint_lines.items():
        assert lines and all(len(line) >= 2 for line in lines), name
        for xy in (xy for line in lines for xy in line):
            assert body.contains(xy) or body.distance_to_outline(xy) < 0.3, (name, xy)
    if body.table.mirrored:  # both sides
        for name, lines in body.hint_lines.items():
            xs = [x for line in lines for x, _ in line]
            assert min(xs) == pytest.approx(-max(xs), abs=1e-6), name


@pytest.mark.parametrize("view", ["posterior", "anterior"])
def test_the_hands_have_a_thumb_and_fingers(view: str) -> None:
    body = BodyModel(view=view)  # type: ignore[arg-type]
    right = [x for x in body.edges_at(75.5) if x > 19.5]
    assert len(right) == 4  # across the thumb's tip: the palm, a gap, the thumb
    palm, thumb = (right[0], right[1]), (right[2], right[3])
    assert palm[1] - palm[0] > 4.0 and 0.6 < thumb[1] - thumb[0] < 2.5 and thumb[0] - palm[1] > 0.2
    tips = [x for x in body.edges_at(66.6) if x > 19.5]
    assert len(tips) >= 6  # just above the middle fingertip: three fingertips, apart
    assert len(body.hint_lines["fingers"]) == 6  # the gaps between four fingers, on both hands


def test_the_feet_have_heel_toes_and_arch() -> None:
    lateral, medial = BodyModel(view="lateral"), BodyModel(view="medial")
    ankle_x = lateral.landmarks["lateral_malleolus"][0]
    x0, x1, _, _ = lateral.bounds
    assert x1 - ankle_x > 18 and ankle_x - x0 > 4  # the toes reach forward, the heel back
    assert lateral.hint_lines["toes"] and BodyModel(view="anterior").hint_lines["toes"]
    # The inner side of the foot: the sole lifts under the arch, between the heel and the ball.
    heel_x, ball_x = medial.landmarks["heel_sole"][0], medial.landmarks["toe_web_sole"][0]
    arch_x = medial.landmarks["navicular_tuberosity"][0]
    assert ball_x < arch_x < heel_x
    lowest = min(y for x, y in medial.outline if abs(x - arch_x) < 0.5 and y < 3)
    assert lowest > 0.4
    assert BodyModel().hint_lines["heels"] and medial.hint_lines["heel"]
