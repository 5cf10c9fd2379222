"""The diagram as data: the stable drawing, the highlight a click changes, and the clicks read back."""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from typing import Any

import numpy as np
import pytest

from meridian_map import ResolvedAtlas, Selection, build_figure
from meridian_map.atlas import OFF_BODY_TOLERANCE_CM
from meridian_map.body import XY
from meridian_map.curves import catmull_rom, smooth_path
from meridian_map.diagram import MapClick, drawing, drawing_selection, highlight, read_click
from meridian_map.figure import BODY_FILL, HIGHLIGHT_FILL, LANDMARKS, LINE_STYLES, emphasis, point_card


def traces(figure: Any, role: str) -> list[Any]:
    return [t for t in figure.data if (t.meta or {}).get("role") == role]


def test_each_channel_has_a_solid_surface_line_and_distinct_dashed_deep_line(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection())
    surface = {t.meta["channel"]: t for t in traces(figure, "line")}
    assert set(surface) == {"BL", "KI", "GV", "GB"}
    assert all(t.line.dash in (None, "solid") for t in surface.values())
    deep = traces(figure, "deep")
    assert {t.meta["channel"] for t in deep} >= {"KI", "BL"}
    dashes = [atlas.channels[c].dash for c in ("BL", "KI", "GV", "GB")]
    assert len(set(dashes)) == 4 and all(t.line.dash == atlas.channels[t.meta["channel"]].dash for t in deep)
    assert len({atlas.channels[c].colour for c in ("BL", "KI", "GV", "GB")}) == 4


def test_the_drawing_has_no_click_targets_and_the_browser_draws_the_highlight(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(regions=("lower_back_left",), point="BL23", focus="GB"))
    marker_counts = {t.name: len(t.x) for t in figure.data if t.mode == "markers"}
    assert set(marker_counts) == {"BL points", "KI points", "GV points", "GB points"}  # no invisible grid
    assert sum(marker_counts.values()) == sum(len(p) for p in atlas.positions.values())
    assert all(t.opacity in (None, 1, 0.85) for t in figure.data)  # nothing faded in the drawing itself
    assert figure.layout.hovermode is False and figure.layout.dragmode is False


def test_a_click_never_changes_the_drawing_without_labels(atlas: ResolvedAtlas) -> None:
    calm = Selection()
    busy = Selection(regions=("lower_back_left", "sacrum"), point="BL23", focus="GB", quiz_region="neck_left")
    assert drawing_selection(busy) == drawing_selection(calm)
    assert drawing(atlas, busy) == drawing(atlas, calm)
    labelled = Selection(regions=("lower_back_left",), labels="code")
    assert drawing_selection(labelled).regions == ("lower_back_left",)  # labels name only its key points


def test_the_drawing_is_small_and_carries_every_region_polygon(atlas: ResolvedAtlas) -> None:
    data = drawing(atlas, Selection())
    assert len(json.dumps(data)) < 110_000  # sent once per view, mode and label setting
    assert [r["id"] for r in data["regions"]] == [s.id for s in atlas.regions]
    for region in data["regions"]:
        shape = atlas.region_shapes[region["id"]]
        assert region["polygons"] == [[list(xy) for xy in p] for p in shape.polygons]
        content = atlas.content_of(region["id"])
        assert region["points"] == sorted(content.all_points)
        assert set(region["channels"]) == {c.id for c in content.channels if c.link != "none"}


def test_the_highlight_is_small_and_follows_the_emphasis_rule(atlas: ResolvedAtlas) -> None:
    """The browser's rule (this view's chosen areas, plus `extra`) gives `emphasis` exactly."""
    data = drawing(atlas, Selection())
    by_id = {r["id"]: r for r in data["regions"]}
    for selection in (
        Selection(),
        Selection(regions=("lower_back_left",)),
        Selection(regions=("arm_left", "sacrum"), point="GB30"),
        Selection(regions=("side_of_thigh_right", "knee_right"), focus="KI"),  # one not on the back view
        Selection(point="BL40"),
    ):
        shown = highlight(atlas, selection)
        assert len(json.dumps(shown)) < 2_000
        channels = set(shown["extra"]["channels"])
        points = set(shown["extra"]["points"])
        for region_id in shown["regions"]:
            channels |= set(by_id[region_id]["channels"])
            points |= set(by_id[region_id]["points"])
        expected = emphasis(atlas, selection)
        assert (bool(shown["regions"]) or shown["extra"]["active"]) == expected.active
        if expected.active:  # inactive: nothing is faded, whatever the sets hold
            assert (channels, points) == (set(expected.channels), set(expected.points))


def test_a_selected_point_is_ringed_and_tints_the_regions_it_is_used_for(atlas: ResolvedAtlas) -> None:
    shown = highlight(atlas, Selection(point="BL40"))
    assert shown["rings"] == [{"code": "BL40", "colour": atlas.channels["BL"].colour}]
    (served,) = shown["served"]
    assert served["regions"] == atlas.regions_for_point("BL40")
    assert {"lower_back_left", "back_of_knee_right"} <= set(served["regions"])


def test_a_focused_channel_tints_the_regions_it_serves(atlas: ResolvedAtlas) -> None:
    (served,) = highlight(atlas, Selection(focus="GB"))["served"]
    assert served == {"colour": atlas.channels["GB"].colour, "regions": atlas.regions_for_channel("GB")}
    assert "side_of_thigh_left" in served["regions"]
    assert "sacrum" not in served["regions"]  # the content says: no Gallbladder link there


def test_hidden_channels_are_not_drawn(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(channels=("BL", "GV")))
    assert {t.legendgroup for t in figure.data if t.legendgroup} == {"BL", "GV"}


def test_point_cards_are_plain_text(atlas: ResolvedAtlas) -> None:
    card = point_card(atlas.points["BL23"])
    assert card.title == "BL23  Shenshu  肾俞" and card.lines[0] == "Kidney Shu"
    hostile = atlas.points["BL23"].model_copy(update={"location": "<a href='x'>click</a>"})
    assert "<a href='x'>click</a>" in " ".join(point_card(hostile).lines)  # set as text by the browser, never parsed


def test_left_and_right_are_labelled_as_the_patients_own(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection())
    texts = {a.text: (a.xref, a.x, a.xanchor) for a in figure.layout.annotations}
    # At the plot's own edges, so they never run into each other on a narrow screen.
    assert texts["Patient's <b>LEFT</b>"] == ("paper", 0.0, "left")
    assert texts["Patient's <b>RIGHT</b>"] == ("paper", 1.0, "right")


def test_the_treatment_room_is_calm_and_names_points_without_codes(atlas: ResolvedAtlas) -> None:
    selection = Selection(regions=("lower_back_left",), plain=True)
    assert highlight(atlas, selection)["calm"] is True  # only the key points of what is chosen are shown
    data = drawing(atlas, selection)
    assert data["cards"]["BL23"]["title"] == "Kidney Shu"
    codes = re.compile(r"\b(BL|KI|GV|GB)\s?\d")
    assert not [card for card in data["cards"].values() if codes.search(json.dumps(card))]
    figure = build_figure(atlas, selection)
    assert not [t.name for t in figure.data if t.showlegend is not False and re.match(r"(BL|KI|GV|GB) ", t.name or "")]


def test_a_quiz_question_does_not_give_its_answer_away(atlas: ResolvedAtlas) -> None:
    def drawn(figure: Any) -> set[str]:
        return {code for t in traces(figure, "points") for code in t.customdata}

    def labels(figure: Any) -> set[str]:
        return {text for t in figure.data if (t.name or "").endswith(" labels") for text in t.text}

    locate = build_figure(atlas, Selection(labels="code", answer_for="KI10"))
    assert "KI10" not in drawn(locate) and "KI10" not in labels(locate)  # find it from the landmarks
    assert {"BL40", "BL23"} <= drawn(locate) and {"BL40", "BL23"} <= labels(locate)
    assert highlight(atlas, Selection(answer_for="KI10"))["locate"] is True

    name = Selection(labels="pinyin", quiz_point="BL23", landmarks=True)
    assert drawing(atlas, name)["cards"]["BL23"] == {"title": "Which point is this?", "lines": []}
    assert [r["code"] for r in highlight(atlas, name)["rings"]] == ["BL23"]
    # No point labels at all (the other options' labels would leave the answer by elimination);
    # the landmarks stay named.
    assert labels(build_figure(atlas, name)) == set(LANDMARKS)


def test_a_click_is_read_with_its_ids_checked_against_the_view(atlas: ResolvedAtlas) -> None:
    base = {"view": "posterior", "x": -4.0, "y": 105.0, "seq": 3}
    assert read_click(base | {"region": "lower_back_left"}, atlas) == MapClick(
        "region", (-4.0, 105.0), "lower_back_left", None, 3
    )
    assert read_click(base | {"region": "lower_back_left", "point": "BL23"}, atlas) == MapClick(
        "point", (-4.0, 105.0), "lower_back_left", "BL23", 3
    )
    unknown = base | {"region": "no_such_area", "point": "<script>"}
    assert read_click(unknown, atlas) == MapClick("off", (-4.0, 105.0), seq=3)


@pytest.mark.parametrize(
    "payload",
    [None, "click", [], {"view": "lateral", "x": 0, "y": 0}, {"view": "posterior", "x": "0", "y": 0},
     {"view": "posterior", "x": float("nan"), "y": 0}, {"view": "posterior", "x": True, "y": 0}],
)  # fmt: skip
def test_a_malformed_or_stale_click_is_dropped(atlas: ResolvedAtlas, payload: object) -> None:
    assert read_click(payload, atlas) is None


def test_the_page_loads_a_plotly_bundle_that_draws_every_trace_of_the_drawing(atlas: ResolvedAtlas) -> None:
    """The browser gets Plotly's basic bundle (bar, pie, scatter); the drawing must need nothing else,
    and the bundle must be of the plotly.js major version the installed plotly package writes for."""
    from plotly.offline import get_plotlyjs_version

    from meridian_map.ui.serve import PLOTLY_ROUTE, bundle_version

    for view in atlas.views.values():
        for selection in (Selection(), Selection(labels="hanzi", landmarks=True), Selection(plain=True)):
            kinds = {trace.get("type", "scatter") for trace in drawing(view, selection)["figure"]["data"]}
            assert kinds == {"scatter"}
    assert bundle_version().split(".")[0] == get_plotlyjs_version().split(".")[0]
    assert bundle_version() in PLOTLY_ROUTE  # a new bundle gets a new address, past any browser's cache


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-10,10,80,120", (-10.0, 10.0, 80.0, 120.0)),
        ([-10.04, 10.06, 80, 120], (-10.0, 10.1, 80.0, 120.0)),  # kept to a millimetre
        ("10,-10,80,120", None),  # backwards
        ("1,2,3", None),
        ("a,b,c,d", None),
        ("nan,1,2,3", None),
        ("-1e9,1,2,3", None),
        ([True, 2, 3, 4], None),
        (None, None),
        ({"x": 1}, None),
    ],
)
def test_a_zoom_is_read_from_the_link_or_the_component_or_dropped(value: object, expected: object) -> None:
    from meridian_map.diagram import read_zoom, zoom_text

    assert read_zoom(value) == expected
    if expected is not None:
        assert read_zoom(zoom_text(expected)) == expected  # type: ignore[arg-type]


def test_the_zoom_is_part_of_the_highlight_not_the_drawing(atlas: ResolvedAtlas) -> None:
    zoomed = Selection(zoom=(-10.0, 10.0, 80.0, 120.0))
    assert drawing_selection(zoomed) == drawing_selection(Selection())
    assert highlight(atlas, zoomed)["zoom"] == [-10.0, 10.0, 80.0, 120.0]
    assert highlight(atlas, Selection())["zoom"] is None


def test_a_click_names_the_areas_it_leaves_chosen_so_merged_clicks_lose_nothing(atlas: ResolvedAtlas) -> None:
    payload = {"view": "posterior", "x": 0.0, "y": 100.0, "region": "sacrum", "seq": 5,
               "regions": ["neck_left", "sacrum", "sacrum", "knee_right", 7, "no_such_area"]}  # fmt: skip
    click = read_click(payload, atlas)
    assert click is not None and click.regions == ("neck_left", "sacrum")  # this view's, once each


# -- channels as smooth lines, areas only when they matter, colours apart ---------------------
VIEWS = ("posterior", "lateral", "anterior", "medial")


def _stretches(view: ResolvedAtlas, channel_id: str) -> list[tuple[list[XY], list[XY]]]:
    """(points, drawn curve) for each surface and internal stretch of a channel on a view."""
    deep = [(line, curve) for (_, line), (_, curve) in zip(view.deep_lines(channel_id), view.deep_curves(channel_id),
                                                          strict=True)]  # fmt: skip
    return [*zip(view.surface_lines(channel_id), view.surface_curves(channel_id), strict=True), *deep]


def _on_curve(points: list[XY], curve: list[XY]) -> list[int]:
    """Where each point comes on the curve, in order, to 0.01 cm (fails if one is missed)."""
    found, start = [], 0
    for point in points:
        index = next(i for i in range(start, len(curve)) if math.dist(curve[i], point) <= 0.01)
        found.append(index)
        start = index + 1
    return found


def test_channels_are_smooth_curves_through_every_point_without_overshoot(atlas: ResolvedAtlas) -> None:
    """Each stretch between two neighbouring points bulges at most a fifth of its length off the
    straight path, never runs back past either point, and no surface line leaves the body by more
    than a point itself may (its tolerance for a point on the outline)."""
    bent = 0
    for view in (atlas.on(v) for v in VIEWS):
        for channel_id in ("BL", "KI", "GV", "GB"):
            for points, curve in _stretches(view, channel_id):
                where = _on_curve(points, curve)
                assert where[0] == 0 and where[-1] == len(curve) - 1
                for (a, b), (i, j) in zip(itertools.pairwise(points), itertools.pairwise(where), strict=True):
                    length = math.dist(a, b)
                    if length == 0:  # a pathway through a point and a landmark in the same place
                        assert all(q == a for q in curve[i : j + 1])
                        continue
                    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
                    for q in curve[i : j + 1]:
                        along = (q[0] - a[0]) * ux + (q[1] - a[1]) * uy
                        across = abs((q[0] - a[0]) * uy - (q[1] - a[1]) * ux)
                        assert -0.01 <= along <= length + 0.01, (view.view, channel_id, a, b, q)
                        assert across <= 0.2 * length + 0.01, (view.view, channel_id, a, b, q)
                    bent += j - i > 1
            for curve in view.surface_curves(channel_id):
                assert all(
                    view.body.contains(q) or view.body.distance_to_outline(q) <= OFF_BODY_TOLERANCE_CM for q in curve
                ), (view.view, channel_id)
    assert bent > 50  # curves indeed: many stretches are drawn through samples between their points


def test_the_spline_is_centripetal_bounded_and_leaves_the_outline_as_it_was() -> None:
    # Unevenly spaced points on a line: a uniform spline would overshoot; this one stays on it, in order.
    uneven = [(0.0, 0.0), (10.0, 0.0), (10.3, 0.0), (20.0, 0.0)]
    curve = smooth_path(uneven)
    assert all(y == 0 for _, y in curve) and [x for x, _ in curve] == sorted(x for x, _ in curve)
    assert catmull_rom(uneven, 8, closed=False)[9][0] > 10.3  # the uniform kind overshoots there
    # A hairpin: the bounded tangents keep each stretch close to its chord.
    hairpin = smooth_path([(0.0, 0.0), (5.0, 0.0), (5.0, 1.0), (0.0, 1.0)])
    assert max(x for x, _ in hairpin) <= 5.0 + 0.2 * 1.0
    # The body's outline still takes the uniform kind, as it was drawn before the channels moved here.
    square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
    assert catmull_rom(square, 2, closed=True)[1] == (2.0, -0.5)


def test_both_screen_and_sheet_draw_the_channels_through_the_same_curves(atlas: ResolvedAtlas) -> None:
    from meridian_map.handout import Shape, _diagram, handout_layout, legend_entries

    figure = build_figure(atlas, Selection())
    (bladder,) = [t for t in traces(figure, "line") if t.meta["channel"] == "BL"]
    drawn = [(x, y) for x, y in zip(bladder.x, bladder.y, strict=True) if x is not None]
    assert drawn == [xy for curve in atlas.surface_curves("BL") for xy in curve]
    selection = Selection(regions=("lower_back_left",))
    layout = handout_layout(atlas, selection)
    lines = {item.points for item in _diagram(atlas, selection, layout, True) if isinstance(item, Shape)}
    assert {layout.transform.many(curve) for curve in atlas.surface_curves("BL")} <= lines
    # The sheet's legend draws each channel's line in its style, as the screen's does.
    kinds = [kind for kind, _, _ in legend_entries(atlas, Selection(regions=("lower_back_left", "side_of_thigh_left")))]
    assert {f"line:{atlas.channels[c].line}" for c in ("BL", "GV", "GB")} <= set(kinds)


def test_no_area_border_is_drawn_at_rest(atlas: ResolvedAtlas) -> None:
    """The areas show only when they matter: the component outlines the one under the pointer and
    shades the chosen ones; the drawing itself traces no area's outline, in any view or mode."""
    for view in (atlas.on(v) for v in VIEWS):
        for selection in (Selection(view=view.view), Selection(view=view.view, plain=True),
                          Selection(view=view.view, labels="code", landmarks=True)):  # fmt: skip
            figure = build_figure(view, selection)
            drawn = {(x, y) for t in figure.data if t.mode == "lines" for x, y in zip(t.x, t.y, strict=True)}
            for shape in view.regions:
                for polygon in shape.polygons:
                    assert not set(polygon) <= drawn, (view.view, shape.id)
            assert not [t.name for t in figure.data if t.name == "regions"]


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _over(rgba: str, base: str) -> str:
    """An rgba(...) colour laid over an opaque one."""
    *rgb, alpha = (float(v) for v in rgba[rgba.index("(") + 1 : -1].split(","))
    under = [int(base[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * c + (1 - alpha) * u):02X}" for c, u in zip(rgb, under, strict=True))


def test_every_channel_line_stands_out_3_to_1_on_the_body_and_on_a_chosen_area(atlas: ResolvedAtlas) -> None:
    chosen = _over(HIGHLIGHT_FILL, BODY_FILL)
    for channel in atlas.channels.values():
        assert _contrast(channel.colour, BODY_FILL) >= 3.0, channel.id
        assert _contrast(channel.colour, chosen) >= 3.0, channel.id
        assert _contrast(channel.colour, "#FFFFFF") >= 4.5, channel.id  # its student labels, on white


# A channel pair must differ by at least this CIEDE2000 colour difference under each simulation. The
# pair reported as looking alike (GV and GB under deuteranopia, before) differed by 15.9 (17.9 in
# CIE 1976 units); thin lines need a larger difference than large patches to be told apart, and with
# every line at 3:1 on a light fill only the darker half of the colours is left, where about 21 is
# the most four colours reach under all three simulations. 20 asks for nearly that.
CVD_DELTA_E = 20.0


def test_channels_stay_apart_under_simulated_colour_blindness(atlas: ResolvedAtlas) -> None:
    """Machado, Oliveira and Fernandes (2009) at full severity, as colour-science implements it
    (applied to linear RGB), then CIEDE2000 between every pair of channel colours."""
    # colour-science warns that its optional plotting libraries are missing, and that its tritanomaly
    # matrices approximate the deficiency by a shift of the S cone (as the paper does)
    warnings.filterwarnings("ignore", module="colour")
    import colour
    from colour.blindness import matrix_cvd_Machado2009

    space = colour.RGB_COLOURSPACES["sRGB"]

    def lab(hex_colour: str, deficiency: str | None) -> Any:
        linear = colour.cctf_decoding(colour.notation.HEX_to_RGB(hex_colour), function="sRGB")
        if deficiency:
            linear = np.clip(matrix_cvd_Machado2009(deficiency, 1.0) @ linear, 0, 1)
        return colour.XYZ_to_Lab(colour.RGB_to_XYZ(linear, space, apply_cctf_decoding=False))

    colours = {c: atlas.channels[c].colour for c in ("BL", "KI", "GV", "GB")}
    for deficiency in (None, "Deuteranomaly", "Protanomaly", "Tritanomaly"):
        for (one, a), (other, b) in itertools.combinations(colours.items(), 2):
            difference = float(colour.delta_E(lab(a, deficiency), lab(b, deficiency), method="CIE 2000"))
            assert difference >= CVD_DELTA_E, (deficiency, one, other, round(difference, 1))


def test_every_channel_has_a_cue_besides_colour_in_every_mode_and_the_legend_shows_it(atlas: ResolvedAtlas) -> None:
    """A line style for the surface line (always unbroken), a dash pattern for the internal pathway
    and a marker shape, each different for every channel; the treatment room keeps the line styles."""
    channels = [atlas.channels[c] for c in ("BL", "KI", "GV", "GB")]
    for cue in ("line", "dash", "symbol"):
        assert len({getattr(c, cue) for c in channels}) == 4, cue
    assert len({LINE_STYLES[c.line] for c in channels}) == 4
    for plain in (False, True):
        figure = build_figure(atlas, Selection(plain=plain))
        for channel in channels:
            width, core = LINE_STYLES[channel.line]
            (line,) = [t for t in traces(figure, "line") if t.meta["channel"] == channel.id]
            assert line.line.width == width and line.line.dash in (None, "solid")
            cores = [t for t in traces(figure, "core") if t.meta["channel"] == channel.id]
            assert [t.line.width for t in cores] == ([core] if core else [])
            legend = [t for t in figure.data if t.legendgroup == channel.id and t.showlegend is not False
                      and (t.meta or {}).get("role") != "deep"]  # fmt: skip
            (entry,) = legend
            assert entry.line.width == width
            if core:  # a double line: its legend entry puts a white core on it
                assert entry.marker.symbol == "line-ew" and entry.marker.line.width == core
