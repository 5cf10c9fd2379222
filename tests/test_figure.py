"""The diagram as data: what is drawn, emphasised, faded and clickable."""

from __future__ import annotations

import re

from meridian_map import ResolvedAtlas, Selection, build_figure
from meridian_map.figure import FADED, emphasis, parse_click, point_card


def traces_named(figure, prefix: str) -> list:  # type: ignore[no-untyped-def]
    return [t for t in figure.data if (t.name or "").startswith(prefix)]


def test_each_channel_has_a_solid_surface_line_and_distinct_dashed_deep_line(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection())
    surface = {t.legendgroup: t for t in figure.data if t.legendgroup and t.mode == "lines" and "deep" not in t.name}
    assert set(surface) == {"BL", "KI", "GV", "GB"}
    assert all(t.line.dash in (None, "solid") for t in surface.values())
    deep = [t for t in figure.data if "internal (deep)" in (t.name or "")]
    assert {t.legendgroup for t in deep} >= {"KI", "BL"}
    dashes = [atlas.channels[c].dash for c in ("BL", "KI", "GV", "GB")]
    assert len(set(dashes)) == 4 and all(t.line.dash == atlas.channels[t.legendgroup].dash for t in deep)
    colours = {atlas.channels[c].colour for c in ("BL", "KI", "GV", "GB")}
    assert len(colours) == 4


def test_every_region_is_clickable_through_its_markers(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection())
    targets = [t for t in figure.data if (t.legendgroup or "").startswith("region:")]
    assert len(targets) == len(atlas.regions)
    for trace in targets:
        region_id = parse_click({"legendgroup": trace.legendgroup, "x": trace.x[0], "y": trace.y[0]})
        assert region_id is not None and region_id[1] in atlas.region_shapes
        assert trace.marker.color == "rgba(0,0,0,0)" and trace.unselected.marker.opacity == 0


def test_selecting_lower_back_emphasises_its_channels_and_fades_the_rest(atlas: ResolvedAtlas) -> None:
    focus = emphasis(atlas, Selection(regions=("lower_back_left",)))
    assert {"BL", "GV"} <= focus.channels and "BL23" in focus.points
    arm = emphasis(atlas, Selection(regions=("arm_left",)))
    figure = build_figure(atlas, Selection(regions=("arm_left",)))
    for trace in figure.data:
        if trace.mode == "lines" and trace.legendgroup not in (None, *arm.channels) and "deep" not in trace.name:
            assert trace.opacity == FADED
    highlight = traces_named(figure, "selected: ")
    assert [t.name for t in highlight] == ["selected: Arm (left)"]


def test_hidden_channels_are_not_drawn(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(channels=("BL", "GV")))
    groups = {t.legendgroup for t in figure.data if t.legendgroup and not t.legendgroup.startswith("region:")}
    assert groups == {"BL", "GV"}


def test_selected_point_gets_a_ring_and_its_card_escapes_markup(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(point="BL23"))
    ring = traces_named(figure, "selected point BL23")
    assert len(ring) == 1 and len(ring[0].x) == 2
    card = point_card(atlas.points["BL23"])
    assert card.startswith("<b>BL23</b>") and "Shenshu" in card and "肾俞" in card
    hostile = atlas.points["BL23"].model_copy(update={"location": "<a href='x'>click</a>"})
    assert "<a" not in point_card(hostile) and "&lt;a" in point_card(hostile)


def test_left_and_right_are_labelled_as_the_patients_own(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection())
    texts = {a.text: a.x for a in figure.layout.annotations}
    assert texts["Patient's <b>LEFT</b>"] < 0 < texts["Patient's <b>RIGHT</b>"]


def test_parse_click_reads_only_our_markers() -> None:
    assert parse_click({"legendgroup": "region:sacrum"}) == ("region", "sacrum")
    assert parse_click({"customdata": ["point:BL23"], "legendgroup": "BL"}) == ("point", "BL23")
    assert parse_click({"customdata": "something else", "legendgroup": "BL"}) is None
    assert parse_click({}) is None


def test_a_focused_channel_tints_the_regions_it_serves(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(focus="GB"))
    served = [t for t in figure.data if (t.name or "").startswith("served by GB")]
    assert len(served) == 1 and served[0].fillcolor == "rgba(0,158,115,0.16)"
    polygons = sum(1 for v in served[0].x if v is None)
    expected = sum(len(atlas.region_shapes[r].polygons) for r in atlas.regions_for_channel("GB"))
    assert polygons == expected > 0
    assert "side_of_thigh_left" in atlas.regions_for_channel("GB")
    assert "sacrum" not in atlas.regions_for_channel("GB")  # the content says: no Gallbladder link there


def test_a_selected_point_tints_the_regions_it_is_used_for(atlas: ResolvedAtlas) -> None:
    figure = build_figure(atlas, Selection(point="BL40"))
    (served,) = [t for t in figure.data if (t.name or "").startswith("served by BL")]
    regions = atlas.regions_for_point("BL40")
    assert {"lower_back_left", "back_of_knee_right"} <= set(regions)
    assert served.name == f"served by BL: {len(regions)} areas"


def test_the_treatment_room_draws_only_the_points_that_matter_and_names_them_without_codes(
    atlas: ResolvedAtlas,
) -> None:
    def points(figure):  # type: ignore[no-untyped-def]
        return [t for t in figure.data if (t.name or "").endswith(" points")]

    assert all(len(t.x) == 0 for t in points(build_figure(atlas, Selection(plain=True))))  # calm until asked

    selection = Selection(regions=("lower_back_left",), plain=True)
    figure = build_figure(atlas, selection)
    drawn = {code.removeprefix("point:") for t in points(figure) for code in t.customdata}
    assert drawn == {c for c in emphasis(atlas, selection).points if c in atlas.positions}
    cards = [card for t in points(figure) for card in t.hovertext]
    assert any("Kidney Shu" in card for card in cards)
    codes = re.compile(r"\b(BL|KI|GV|GB)\s?\d")
    assert not [card for card in cards if codes.search(card)]
    assert not [t.name for t in figure.data if t.showlegend is not False and re.match(r"(BL|KI|GV|GB) ", t.name or "")]


def test_a_quiz_question_does_not_give_its_answer_away(atlas: ResolvedAtlas) -> None:
    def drawn(figure) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return {
            code.removeprefix("point:"): card
            for t in figure.data
            if (t.name or "").endswith(" points")
            for code, card in zip(t.customdata, t.hovertext, strict=True)
        }

    def labels(figure) -> set[str]:  # type: ignore[no-untyped-def]
        return {text for t in figure.data if (t.name or "").endswith(" labels") for text in t.text}

    locate = build_figure(atlas, Selection(labels="code", answer_for="KI10"))
    assert "KI10" not in drawn(locate) and "KI10" not in labels(locate)  # find it from the landmarks
    assert {"BL40", "BL23"} <= set(drawn(locate)) and {"BL40", "BL23"} <= labels(locate)

    name = build_figure(atlas, Selection(labels="pinyin", quiz_point="BL23", landmarks=True))
    assert drawn(name)["BL23"] == "<b>Which point is this?</b>"  # ringed, but nameless
    # No point labels at all (the other options' labels would leave the answer by elimination);
    # the landmarks stay named.
    assert labels(name) == {"Scapular spine T3", "Inferior angle T7", "Iliac crest L4", "PSIS S2"}
