"""The proportional body model: landmarks, B-cun scales and point placement."""

from __future__ import annotations

import pytest

from meridian_map import BodyModel, Proportions, ResolvedAtlas
from meridian_map.body import PlacementError
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
