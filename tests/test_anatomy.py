"""The drawing against the standard: points only where a view truly shows them, in
their WHO 2008 relations, and areas whose shapes hold what their words say."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.body import BodyModel
from meridian_map.model import VIEW_IDS, Scale

CODE = re.compile(r"\b(?:BL|KI|GV|GB)[1-9][0-9]?\b")


def _at(atlas: ResolvedAtlas, view: str, code: str) -> tuple[float, float]:
    """A point on one view, on the side the view's table describes (the last position)."""
    return atlas.on(view).positions[code][-1]  # type: ignore[arg-type]


def _regions_holding(atlas: ResolvedAtlas, code: str) -> dict[str, set[str]]:
    """Per view, the base ids of the areas a point is drawn in."""
    held: dict[str, set[str]] = {}
    for view in VIEW_IDS:
        shown = atlas.on(view)
        for xy in shown.positions.get(code, ()):
            held.setdefault(view, set()).update(s.base_id for s in shown.regions if s.contains(xy))
    return held


# -- what each view shows ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "hidden", "shown"),
    [
        # From behind: the inner ankle and the back of the calf, not the front of the inner leg or
        # the outer thigh and shin, which a back view sees edge-on.
        ("posterior", {"KI8", "GB31", "GB32", "GB34", "GB35"}, {"KI3", "KI4", "KI5", "KI7", "KI9", "KI10", "BL58"}),
        # From the front: nothing that lies behind the medial malleolus or on the back of the leg.
        ("anterior", {"KI3", "KI4", "KI5", "KI7", "KI9", "KI10"}, {"KI1", "KI2", "KI6", "KI8", "GB24"}),
        (
            "medial",
            {f"BL{n}" for n in range(1, 68)} | {f"GB{n}" for n in range(1, 45)},
            {f"KI{n}" for n in range(1, 12)},
        ),
    ],
)
def test_points_are_drawn_only_on_views_that_show_them(
    atlas: ResolvedAtlas, view: str, hidden: set[str], shown: set[str]
) -> None:
    positions = atlas.on(view).positions  # type: ignore[arg-type]
    assert not hidden & set(positions)
    assert shown <= set(positions)


def test_the_inner_leg_view_shows_the_kidney_points_around_the_medial_malleolus_in_order(
    atlas: ResolvedAtlas,
) -> None:
    inner = atlas.on("medial")
    forward = inner.body.table.forward_sign  # the front is on the viewer's left here
    malleolus = inner.body.anchor("medial_malleolus")
    ahead = {code: forward * _at(atlas, "medial", code)[0] for code in ("KI3", "KI4", "KI5", "KI6", "KI7", "KI8")}
    height = {code: _at(atlas, "medial", code)[1] for code in ahead}
    front_of_malleolus = forward * malleolus[0]
    assert all(ahead[code] < front_of_malleolus for code in ("KI3", "KI4", "KI5"))  # behind it
    assert height["KI4"] < height["KI3"] and ahead["KI4"] < ahead["KI3"]  # behind and below KI3
    cun = inner.body.cun(Scale.leg_medial)
    assert height["KI3"] - height["KI5"] == pytest.approx(cun, abs=0.005) and ahead["KI5"] == pytest.approx(
        ahead["KI3"]
    )
    assert abs(ahead["KI6"] - front_of_malleolus) < 0.01 and height["KI6"] < malleolus[1]  # straight below it
    assert ahead["KI7"] < ahead["KI8"] and ahead["KI8"] - ahead["KI7"] == pytest.approx(
        0.5 * cun, abs=0.005
    )  # KI7 behind KI8
    assert height["KI7"] == height["KI8"] == pytest.approx(malleolus[1] + 2 * cun, abs=0.005)
    # And up the leg in the channel's order, to KI11 at the pubic bone.
    heights = [_at(atlas, "medial", f"KI{n}")[1] for n in range(6, 12)]
    assert heights[1:] == sorted(heights[1:])


# -- WHO relations the drawing must keep ------------------------------------------------------------
def test_the_kidney_abdominal_line_is_half_a_b_cun_from_the_midline(atlas: ResolvedAtlas) -> None:
    front = atlas.on("anterior")
    across = front.body.cun(Scale.chest)  # between the nipples: 8 B-cun
    for n in range(11, 22):
        assert abs(_at(atlas, "anterior", f"KI{n}")[0]) == pytest.approx(0.5 * across, abs=0.005), f"KI{n}"
    for n in range(22, 28):  # the chest line: 2 B-cun
        assert abs(_at(atlas, "anterior", f"KI{n}")[0]) == pytest.approx(2 * across, abs=0.005), f"KI{n}"


def _arc_from_hairline_to(side: BodyModel, height: float) -> float:
    """Along the side view's head profile, from the anterior hairline up and back to a height."""
    hairline = side.landmarks["anterior_hairline"]
    front = [xy for xy in side.outline if xy[0] > side.landmarks["vertex"][0] and hairline[1] < xy[1]]
    path = [hairline, *sorted(front, key=lambda xy: xy[1])]  # the forehead's profile climbs steadily to the top
    arc = 0.0
    for a, b in itertools.pairwise(path):
        if b[1] >= height:
            return arc + math.dist(a, b) * (height - a[1]) / (b[1] - a[1])
        arc += math.dist(a, b)
    return arc + math.dist(path[-1], side.landmarks["vertex"])


def test_the_front_scalp_points_lie_their_b_cun_back_along_the_skull(atlas: ResolvedAtlas) -> None:
    # WHO 2008: B-cun behind the anterior hairline, measured over the skull (hairline to GV20: 5 B-cun).
    # Seen from in front, the scalp curves away: a point rises by its distance along the head's
    # profile (the side view's), fast over the forehead and slowly near the vertex.
    on_midline = {"GV24": 0.5, "GV23": 1, "GV22": 2, "GV21": 3.5}
    beside = {"BL4": 0.5, "GB15": 0.5, "GB13": 0.5, "BL5": 1, "BL6": 2.5, "BL7": 4}
    front, side = atlas.on("anterior").body, atlas.on("lateral").body
    hairline = front.anchor("anterior_hairline")[1]
    per_cun = _arc_from_hairline_to(side, side.landmarks["vertex"][1]) / 5
    assert front.cun(Scale.scalp) == pytest.approx(per_cun, rel=0.02)
    for code, cun in on_midline.items():
        assert _arc_from_hairline_to(side, _at(atlas, "anterior", code)[1]) == pytest.approx(cun * per_cun, abs=0.1)
    rises = [_at(atlas, "anterior", code)[1] - hairline for code in on_midline]
    climbed = itertools.pairwise(zip(rises, on_midline.values(), strict=True))
    per_cun_climbed = [(b - a) / (cb - ca) for (a, ca), (b, cb) in climbed]
    assert per_cun_climbed == sorted(per_cun_climbed, reverse=True) and per_cun_climbed[-1] < 0.6 * per_cun_climbed[0]
    # Off the midline the dome falls away sideways: never higher than the midline at that B-cun, and on the head.
    for code, cun in beside.items():
        x, y = _at(atlas, "anterior", code)
        assert hairline < y and _arc_from_hairline_to(side, y) <= cun * per_cun + 0.01, code
        assert front.contains((x, y)), code
    bladder = [_at(atlas, "anterior", f"BL{n}")[1] for n in (4, 5, 6, 7)]
    assert bladder == sorted(bladder)  # each further back, so higher


def test_gb15_is_directly_above_gb14_on_the_pupil_line(atlas: ResolvedAtlas) -> None:
    pupil = atlas.on("anterior").body.anchor("pupil")[0]
    (x14, y14), (x15, y15) = _at(atlas, "anterior", "GB14"), _at(atlas, "anterior", "GB15")
    assert abs(x14) == abs(x15) == pytest.approx(abs(pupil), abs=0.005) and y15 > y14


def test_bl3_is_above_the_eyebrows_inner_end_between_gv24_and_bl4(atlas: ResolvedAtlas) -> None:
    # WHO 2008: BL3 directly superior to BL2 (the medial end of the eyebrow), BL4 1.5 B-cun lateral to the
    # midline, both 0.5 B-cun within the hairline: BL3 lies between GV24 and BL4, clear of both.
    front = atlas.on("anterior").body
    across = front.cun(Scale.head)
    (x2, _), (x3, y3), (x4, y4) = (_at(atlas, "anterior", c) for c in ("BL2", "BL3", "BL4"))
    assert abs(x3) == pytest.approx(abs(x2), abs=0.005) and y3 == pytest.approx(y4, abs=0.05)  # the dome's fall
    assert abs(x4) == pytest.approx(1.5 * across, abs=0.005)
    assert 0.3 * across < abs(x3) < abs(x4) - 0.3 * across
    # A B-cun across the forehead (frontal angles 9 apart) is about one up it (glabella to hairline 3).
    assert 0.8 < across / front.cun(Scale.forehead) < 1.25


def test_bl58_is_seven_b_cun_above_bl60_and_one_lateral_to_and_below_bl57(atlas: ResolvedAtlas) -> None:
    cun = atlas.body.cun(Scale.leg)
    (x58, y58), (x57, y57), (_, y60) = (_at(atlas, "posterior", c) for c in ("BL58", "BL57", "BL60"))
    assert y58 - y60 == pytest.approx(7 * cun, abs=0.005)
    assert y58 < y57 and (x58 - x57) / cun == pytest.approx(1.0, abs=0.05)
    assert "1 B-cun lateral" in (atlas.points["BL58"].note or "")


def test_the_same_rib_space_is_at_the_same_height_on_the_front_and_side_views(atlas: ResolvedAtlas) -> None:
    front, side = atlas.on("anterior").body, atlas.on("lateral").body
    assert front.anchor("nipple")[1] == side.anchor("nipple")[1] == front.anchor("ics4")[1]
    assert _at(atlas, "lateral", "GB22")[1] == _at(atlas, "anterior", "KI23")[1]  # 4th intercostal space
    assert _at(atlas, "lateral", "GB23")[1] == _at(atlas, "lateral", "GB22")[1]
    assert _at(atlas, "lateral", "GB24")[1] == _at(atlas, "anterior", "GB24")[1]  # 7th intercostal space


def test_the_superior_angle_of_the_scapula_is_level_with_t2(atlas: ResolvedAtlas) -> None:
    assert atlas.body.anchor("scapular_superior_angle")[1] == atlas.body.levels["T2"]


# -- areas that hold what their words say ---------------------------------------------------------
def test_every_key_point_lies_in_its_area_on_a_view_that_draws_it(atlas: ResolvedAtlas) -> None:
    for region in atlas.atlas.regions:
        for code in region.key_points:
            held = _regions_holding(atlas, code)
            assert any(region.id in bases for bases in held.values()), (region.id, code, held)
        for code in region.points_elsewhere:  # "elsewhere" means it: a point inside would be a key point
            held = _regions_holding(atlas, code)
            assert not any(region.id in bases for bases in held.values()), (region.id, code, held)


def test_every_point_the_area_text_names_is_one_of_its_points_or_explained(atlas: ResolvedAtlas) -> None:
    # The layers say which points a practitioner uses; they must be listed, so the map can show them.
    for region in atlas.atlas.regions:
        named = set(CODE.findall(" ".join((region.layers.plain, region.layers.traditional))))
        listed = set(region.all_points)
        notes = " ".join(link.note for link in region.channels)
        unlisted = {code for code in named - listed if code in atlas.points and code not in notes}
        assert not unlisted, (region.id, sorted(unlisted))


def test_a_point_drawn_inside_an_area_its_channel_does_not_serve_is_explained(atlas: ResolvedAtlas) -> None:
    for view in VIEW_IDS:
        shown = atlas.on(view)
        for shape in shown.regions:
            links = {link.id: link for link in shown.content_of(shape.id).channels}
            for code, placed in shown.positions.items():
                link = links[code[:2]]
                if link.link == "none" and any(shape.contains(xy) for xy in placed):
                    assert code in link.note, (view, shape.id, code, link.note)


@pytest.mark.parametrize(
    ("region", "inside", "outside"),
    [
        ("neck", {"BL10", "GV15", "GV16", "GB20", "GV14"}, {"BL11", "GV13"}),
        ("upper_back", {"BL11", "GV13"}, {"GV14"}),
        ("top_of_shoulder", {"GB21"}, set()),
        ("flank", {"GB25"}, set()),
        ("inner_leg", {"KI3", "KI5", "KI6", "KI7", "KI8", "KI9"}, set()),
        ("side_of_lower_leg", {"GB39", "GB34"}, set()),
        ("chest", {"GB24", "KI23"}, set()),
        ("abdomen", {"GB27", "GB28", "KI11", "KI21"}, set()),
    ],
)
def test_named_points_fall_in_the_right_area(
    atlas: ResolvedAtlas, region: str, inside: set[str], outside: set[str]
) -> None:
    for code in inside:
        assert any(region in bases for bases in _regions_holding(atlas, code).values()), code
    for code in outside:
        assert not any(region in bases for bases in _regions_holding(atlas, code).values()), code


def test_the_flank_spans_the_lowest_ribs_to_the_iliac_crest(atlas: ResolvedAtlas) -> None:
    (flank,) = [s for s in atlas.regions if s.id == "flank_right"]
    ys = [y for cell in flank.cells for _, y in cell]
    assert min(ys) == atlas.body.anchor("iliac_crest")[1] and max(ys) <= atlas.body.levels["T11"]


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior", "medial"])
def test_the_ankle_reaches_no_more_than_two_b_cun_above_the_malleoli(atlas: ResolvedAtlas, view: str) -> None:
    shown = atlas.on(view)  # type: ignore[arg-type]
    top = max(y for s in shown.regions if s.base_id == "heel_and_ankle" for cell in s.cells for _, y in cell)
    malleolus = min(y for name, (_, y) in shown.body.landmarks.items() if name.endswith("malleolus"))
    assert (top - malleolus) / shown.body.cun(Scale.leg) <= 2.0


def test_gb27_and_gb28_are_in_the_belly_not_the_thigh_on_the_side_view(atlas: ResolvedAtlas) -> None:
    for code in ("GB27", "GB28"):
        assert _regions_holding(atlas, code)["lateral"] == {"abdomen"}
    flank = atlas.region_content["flank"]
    assert "GB26" in flank.key_points and any("GB26" in link.note for link in flank.channels)


def test_link_kinds_agree_with_the_drawing(atlas: ResolvedAtlas) -> None:
    links = {(r.id, link.id): link for r in atlas.atlas.regions for link in r.channels}
    assert links["back_of_thigh", "KI"].link == "deep"
    for region, channel, code in (("side_of_lower_leg", "BL", "BL58"), ("back_of_knee", "GB", "GB33"),
                                  ("buttock", "GV", "GV1")):  # fmt: skip
        link = links[region, channel]
        assert link.link == "runs_through" and code in link.note, (region, channel)
