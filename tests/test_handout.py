"""The take-home handout: one A4 page, drawn from the body model, in plain words."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from PIL import Image

from meridian_map import ResolvedAtlas, Selection
from meridian_map.explain import POINT_CODE
from meridian_map.handout import (
    NO_AREA,
    PAGE_SIZE,
    dashed_polyline,
    fit_blocks,
    handout_blocks,
    handout_layout,
    handout_pdf,
    handout_png,
    handout_text,
    handout_transform,
    render_handout,
)

LINK = "https://meridian-map.example.org/?view=posterior&regions=lower_back_left"
TODAY = datetime.date(2025, 3, 12)
LOWER_BACK = Selection(regions=("lower_back_left",))


def is_yellowish(rgb: tuple[int, ...]) -> bool:
    red, green, blue = rgb[:3]
    return red > 200 and green > 190 and blue < 185 and red - blue > 50


def yellow_share(page: Image.Image, at: tuple[float, float], half: int = 7) -> float:
    """The share of yellowish pixels around a spot (a channel line may cross the spot itself)."""
    x, y = round(at[0]), round(at[1])
    patch = page.convert("RGB").crop((x - half, y - half, x + half + 1, y + half + 1))
    pixels = [patch.getpixel((i, j)) for i in range(patch.width) for j in range(patch.height)]
    return sum(is_yellowish(p) for p in pixels) / len(pixels)  # type: ignore[arg-type]


def test_png_is_one_a4_page_at_150_dpi(atlas: ResolvedAtlas) -> None:
    image = Image.open(io.BytesIO(handout_png(atlas, LOWER_BACK, LINK, TODAY)))
    assert image.format == "PNG" and image.size == PAGE_SIZE == (1240, 1754)
    assert image.convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_pdf_is_one_a4_page(atlas: ResolvedAtlas) -> None:
    data = handout_pdf(atlas, LOWER_BACK, LINK, TODAY)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert len(boxes) == 1
    assert [round(float(v)) for v in boxes[0]] == [0, 0, 595, 842]


@pytest.mark.parametrize(
    ("view", "chosen", "other"),
    [
        ("posterior", "lower_back_left", "lower_back_right"),
        ("posterior", "calf_right", "calf_left"),
        ("anterior", "chest_left", "abdomen_left"),
        ("lateral", "hip_right", "calf_right"),
    ],
)
def test_the_chosen_area_is_yellow_and_the_others_are_not(
    atlas: ResolvedAtlas, view: str, chosen: str, other: str
) -> None:
    selection = Selection(regions=(chosen,), view=view)  # type: ignore[arg-type]
    on_view = atlas.on(selection.view)
    page = render_handout(atlas, selection, LINK, TODAY)
    to_page = handout_transform(on_view)
    assert yellow_share(page, to_page(on_view.anchors[chosen])) > 0.6
    assert yellow_share(page, to_page(on_view.anchors[other])) == 0


def test_the_patients_left_is_on_the_correct_side_of_the_page(atlas: ResolvedAtlas) -> None:
    for view, left_on_page in (("posterior", True), ("anterior", False)):
        on_view = atlas.on(view)  # type: ignore[arg-type]
        to_page = handout_transform(on_view)
        left_x = to_page(on_view.anchors["flank_left"])[0]
        right_x = to_page(on_view.anchors["flank_right"])[0]
        assert (left_x < right_x) is left_on_page, view
        layout = handout_layout(atlas, Selection(view=view))  # type: ignore[arg-type]
        by_text = {label.text: label for label in layout.side_labels}
        assert (by_text["Patient's LEFT"].x < by_text["Patient's RIGHT"].x) is left_on_page, view
        assert by_text["Patient's LEFT"].align == ("left" if left_on_page else "right")

    side = handout_layout(atlas, Selection(view="lateral"))
    assert [label.text for label in side.side_labels] == ["Back", "Front"]
    lateral = atlas.on("lateral")
    to_page = handout_transform(lateral)
    # On the side view the front of the body (the abdomen) is further right than the back.
    assert to_page(lateral.anchors["abdomen_right"])[0] > to_page(lateral.anchors["lower_back_right"])[0]


def test_the_transform_flips_y_and_keeps_the_aspect_ratio(atlas: ResolvedAtlas) -> None:
    to_page = handout_transform(atlas)
    (x0, y0), (x1, y1) = to_page((0.0, 0.0)), to_page((10.0, 10.0))
    assert y1 < y0 and x1 > x0
    assert x1 - x0 == pytest.approx(y0 - y1)
    layout = handout_layout(atlas, Selection())
    x_min, x_max, y_min, y_max = atlas.body.bounds
    for corner in ((x_min, y_min), (x_max, y_max)):
        px, py = to_page(corner)
        assert layout.diagram.left <= px <= layout.diagram.right
        assert layout.diagram.top <= py <= layout.diagram.bottom


def test_the_text_explains_the_area_and_the_warning_signs(atlas: ResolvedAtlas) -> None:
    text = handout_text(atlas, LOWER_BACK)
    content = atlas.content_of("lower_back_left")
    assert "Lower back (left)" in text
    assert content.layers.plain in text
    assert content.layers.red_flags[0] in text
    assert "When to see a doctor" in text
    assert atlas.atlas.red_flags_general[-1] in text
    assert text[-1] == atlas.atlas.disclaimer
    assert any("Shenshu" in line for line in text)  # pinyin in the small print
    assert not any(POINT_CODE.search(line) for line in text)


def test_point_codes_only_when_asked(atlas: ResolvedAtlas) -> None:
    sole = Selection(regions=("sole_left",), view="anterior")
    assert "KI1" in atlas.content_of("sole_left").layers.plain  # the content names a code ...
    plain = handout_text(atlas, sole)
    assert not any(POINT_CODE.search(line) for line in plain)  # ... the handout says the name
    assert any("Yongquan, where the Kidney line begins" in line for line in plain)
    coded = handout_text(atlas, sole, show_codes=True)
    assert any("KI1" in line for line in coded)


def test_no_area_chosen_shows_the_whole_map(atlas: ResolvedAtlas) -> None:
    text = handout_text(atlas, Selection())
    assert text[0] == NO_AREA and "When to see a doctor" in text
    page = render_handout(atlas, Selection(), LINK, TODAY)
    to_page = handout_transform(atlas)
    assert yellow_share(page, to_page(atlas.anchors["lower_back_left"])) == 0


def test_many_areas_still_fit_one_page_and_keep_the_warning_signs(atlas: ResolvedAtlas) -> None:
    selection = Selection(regions=tuple(shape.id for shape in atlas.regions))
    layout = handout_layout(atlas, selection)
    placed = fit_blocks(handout_blocks(atlas, selection), layout.text)
    last = placed[-1]
    assert last.top + len(last.lines) * last.line_height <= layout.text.height
    texts = [p.block.text for p in placed]
    assert set(atlas.atlas.red_flags_general) <= set(texts) and texts[-1] == atlas.atlas.disclaimer
    assert "Lower back (both sides)" in texts  # every area is still named
    assert render_handout(atlas, selection, LINK, TODAY).size == PAGE_SIZE


def test_dashed_polyline_keeps_the_pattern_across_corners() -> None:
    pieces = dashed_polyline([(0.0, 0.0), (10.0, 0.0)], (2.0, 1.0))
    assert [[p[0] for p in piece] for piece in pieces] == [[0, 2], [3, 5], [6, 8], [9, 10]]
    bent = dashed_polyline([(0.0, 0.0), (1.0, 0.0), (1.0, 3.0)], (2.0, 2.0))
    assert bent == [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]]
    with pytest.raises(ValueError, match="on/off"):
        dashed_polyline([(0.0, 0.0), (1.0, 0.0)], (2.0,))
