"""The take-home handout: one A4 page laid out once, drawn as a vector PDF and as a PNG."""

from __future__ import annotations

import datetime
import io
import math
import re
import time
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from meridian_map import ResolvedAtlas, Selection, open_atlas
from meridian_map.explain import POINT_CODE
from meridian_map.handout import (
    INK,
    MARKER_RADIUS,
    MAX_NUMBERED,
    MAX_WARNINGS,
    NO_AREA,
    PAGE_SIZE,
    chosen_points,
    dashed_polyline,
    diagram_content,
    fit_blocks,
    handout_blocks,
    handout_layout,
    handout_pdf,
    handout_png,
    handout_sheet,
    handout_text,
    handout_transform,
    handout_warnings,
    place_markers,
    render_handout,
)
from meridian_map.links import ShareLink
from meridian_map.sheet import Circle, Link, Sheet, ascent, clean, wrap

LINK = ShareLink("https://meridian-map.example.org/?view=posterior&regions=lower_back_left", public=True)
LOCAL = ShareLink("http://localhost:8501/?regions=lower_back_left", public=False)
TODAY = datetime.date(2025, 3, 12)
LOWER_BACK = Selection(regions=("lower_back_left",))
SEVERAL = Selection(regions=("lower_back_left", "lower_back_right", "sacrum", "buttock_left", "calf_right"))


def is_yellowish(rgb: tuple[int, ...]) -> bool:
    red, green, blue = rgb[:3]
    return red > 200 and green > 190 and blue < 185 and red - blue > 50


def yellow_share(page: Image.Image, at: tuple[float, float], half: int = 7) -> float:
    """The share of yellowish pixels around a spot (a channel line may cross the spot itself)."""
    x, y = round(at[0]), round(at[1])
    patch = page.convert("RGB").crop((x - half, y - half, x + half + 1, y + half + 1))
    pixels = [patch.getpixel((i, j)) for i in range(patch.width) for j in range(patch.height)]
    return sum(is_yellowish(p) for p in pixels) / len(pixels)  # type: ignore[arg-type]


def pdf_text(data: bytes) -> str:
    """The PDF's text layer, with line breaks as spaces (the page wraps at spaces)."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    return " ".join(page.extract_text().split())


def pdf_links(data: bytes) -> list[str]:
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    uris = []
    for annotation in page.get("/Annots") or []:
        annotation = annotation.get_object()
        assert annotation["/Subtype"] == "/Link"
        action = annotation["/A"]
        assert action["/S"] == "/URI"
        uris.append(str(action["/URI"]))
    return uris


def pdf_pixels(data: bytes) -> Image.Image:
    """Page 1 of the PDF rasterised at 150 dpi, as a printer would see it."""
    return pypdfium2.PdfDocument(data)[0].render(scale=150 / 72).to_pil().convert("RGB")


# -- the page ---------------------------------------------------------------------------------


def test_png_is_one_a4_page_at_150_dpi(atlas: ResolvedAtlas) -> None:
    image = Image.open(io.BytesIO(handout_png(atlas, LOWER_BACK, LINK, TODAY)))
    assert image.format == "PNG" and image.size == PAGE_SIZE == (1240, 1754)
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.1)
    assert image.convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_pdf_is_one_a4_vector_page(atlas: ResolvedAtlas) -> None:
    data = handout_pdf(atlas, LOWER_BACK, LINK, TODAY)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.28, 841.89), abs=0.01)  # A4 in points
    assert b"/Subtype /Image" not in data  # drawn, not a picture of a page
    assert reader.metadata is not None and reader.metadata.title == "Meridian Map: your notes"


def test_the_pdf_text_holds_the_areas_warnings_points_research_and_link(atlas: ResolvedAtlas) -> None:
    for selection in (LOWER_BACK, SEVERAL):
        data = handout_pdf(atlas, selection, LINK, TODAY)
        text = pdf_text(data)
        sheet = handout_sheet(atlas, selection, LINK, TODAY)
        for area in sheet.texts("area"):
            assert area.text in text
        for warning in handout_warnings(atlas, selection.regions):
            assert " ".join(warning.split()) in text or any(  # or shortened to fit, then said in the app
                "more warning signs" in line.text for line in sheet.texts("small")
            )
        assert "When to see a doctor" in text and "What the research says" in text and "What to do next" in text
        assert "Ask your practitioner" in text and "See your doctor if" in text
        assert LINK.url in text.replace(" ", "")
    text = pdf_text(handout_pdf(atlas, LOWER_BACK, LINK, TODAY))
    assert "Lower back (left)" in text and "Shenshu" in text
    assert "Guidelines disagree" in text  # the research, in the content's patient words
    for warning in handout_warnings(atlas, LOWER_BACK.regions):
        assert warning in text


def test_the_link_is_a_clickable_uri_and_the_only_one(atlas: ResolvedAtlas) -> None:
    data = handout_pdf(atlas, LOWER_BACK, LINK, TODAY)
    assert pdf_links(data) == [LINK.url]
    sheet = handout_sheet(atlas, LOWER_BACK, LINK, TODAY)
    (link,) = sheet.links
    drawn = sheet.texts("link")
    assert drawn and all(link.left <= t.x and t.y <= link.bottom and t.y - ascent(t.size) >= link.top for t in drawn)


def test_the_qr_code_decodes_to_the_link_on_the_png_and_the_pdf(atlas: ResolvedAtlas) -> None:
    png = Image.open(io.BytesIO(handout_png(atlas, SEVERAL, LINK, TODAY)))
    pdf = pdf_pixels(handout_pdf(atlas, SEVERAL, LINK, TODAY))
    for image in (png, pdf):
        found = [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]
        assert found == [LINK.url]


def test_without_a_public_address_the_sheet_says_the_link_works_here_only(atlas: ResolvedAtlas) -> None:
    local = pdf_text(handout_pdf(atlas, LOWER_BACK, LOCAL, TODAY))
    assert "works on this computer only" in local and LOCAL.url in local.replace(" ", "")
    public = pdf_text(handout_pdf(atlas, LOWER_BACK, LINK, TODAY))
    assert "works on this computer only" not in public and "any phone or computer" in public
    # A bare URL is judged by its host.
    assert "works on this computer only" in pdf_text(handout_pdf(atlas, LOWER_BACK, LOCAL.url, TODAY))


def test_both_renderers_draw_the_same_layout(atlas: ResolvedAtlas) -> None:
    """The PNG and the rasterised PDF agree pixel for pixel where it matters: the numbered markers
    and the QR code's corner squares sit in the same places (one layout, two renderers)."""
    png = render_handout(atlas, LOWER_BACK, LINK, TODAY).convert("RGB")
    pdf = pdf_pixels(handout_pdf(atlas, LOWER_BACK, LINK, TODAY))
    assert abs(pdf.width - png.width) <= 1 and abs(pdf.height - png.height) <= 1
    sheet = handout_sheet(atlas, LOWER_BACK, LINK, TODAY)
    discs = [i for i in sheet.items if isinstance(i, Circle) and i.fill == INK and i.radius == MARKER_RADIUS]
    assert len(discs) == len(sheet.texts("marker")) > 0
    for image in (png, pdf):
        for disc in discs:  # on the disc, beside its digit
            pixel = image.getpixel((round(disc.centre[0] - 7), round(disc.centre[1])))
            assert isinstance(pixel, tuple) and max(abs(a - b) for a, b in zip(pixel, INK, strict=False)) < 60
    # Overall the two pages differ little: same shapes, same text, same places.
    small = (310, 438)
    a, b = png.resize(small).convert("L"), pdf.resize(small).convert("L")
    differing = sum(abs(p - q) > 40 for p, q in zip(a.tobytes(), b.tobytes(), strict=True))
    assert differing / (small[0] * small[1]) < 0.02


# -- what it says -----------------------------------------------------------------------------


def test_the_chosen_points_are_numbered_on_the_drawing_as_in_the_list(atlas: ResolvedAtlas) -> None:
    for selection in (LOWER_BACK, SEVERAL, Selection(regions=("hip_right",), view="lateral")):
        view = atlas.on(selection.view)
        drawn = diagram_content(view, selection)
        assert drawn.numbered, selection
        sheet = handout_sheet(atlas, selection, LINK, TODAY)
        listed = [t for t in sheet.texts("point")]
        list_numbers = [int(t.text) for t in sheet.texts("list_marker")]
        marker_numbers = {int(t.text) for t in sheet.texts("marker")}
        assert list_numbers == list(range(1, len(drawn.numbered) + 1))
        assert marker_numbers == set(list_numbers)
        assert [t.text for t in listed] == [view.points[code].pinyin for code in drawn.numbered]
        # Every position of every numbered point has its disc, near the point.
        markers = place_markers(view, drawn.numbered, handout_layout(atlas, selection).transform)
        assert len(markers) == sum(len(view.positions[code]) for code in drawn.numbered)
        for m in markers:
            assert math.dist(m.at, m.badge) <= 60
        for i, one in enumerate(markers):  # no two discs overlap
            assert all(math.dist(one.badge, other.badge) >= 20 for other in markers[i + 1 :])
    every = Selection(regions=tuple(shape.id for shape in atlas.regions))
    assert len(diagram_content(atlas, every).numbered) == MAX_NUMBERED  # the rest are named, not numbered
    # A chosen point that this view does not show is named, not numbered.
    side = Selection(regions=("lower_back_left",), view="lateral")
    numbered = diagram_content(atlas.on("lateral"), side).numbered
    assert set(numbered) < set(chosen_points(atlas, side))


def test_warnings_are_at_most_eight_each_once_and_the_most_urgent_first(atlas: ResolvedAtlas) -> None:
    every = tuple(shape.id for shape in atlas.regions)
    for regions in [(r,) for r in every] + [every, SEVERAL.regions]:
        warnings = handout_warnings(atlas, regions)
        assert 0 < len(warnings) <= MAX_WARNINGS
        normalised = [re.sub(r"\W+", " ", w.casefold()).strip() for w in warnings]
        assert len(set(normalised)) == len(normalised), regions
        urgent = [bool(re.search("emergency", w, re.IGNORECASE)) for w in warnings]
        assert urgent == sorted(urgent, reverse=True), regions  # emergencies before anything else
    lower = handout_warnings(atlas, ("lower_back_left", "lower_back_right", "sacrum"))
    assert "call emergency services" in lower[0]
    assert sum("saddle" in w for w in lower) == 1  # said four times in the content, once here
    # The general signs that make up most of the list for any back pain are there.
    assert atlas.atlas.red_flags_general[0] in lower


def test_the_text_explains_the_area_and_the_warning_signs(atlas: ResolvedAtlas) -> None:
    text = handout_text(atlas, LOWER_BACK)
    content = atlas.content_of("lower_back_left")
    assert "Lower back (left)" in text
    assert content.layers.plain in text
    assert "When to see a doctor" in text and "What to do next" in text
    assert any("Guidelines disagree" in line for line in text)
    assert text[-1] == atlas.atlas.disclaimer
    assert "Shenshu" in text  # the points by name
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
    assert not handout_sheet(atlas, Selection(), LINK, TODAY).texts("marker")  # nothing to number


def test_many_areas_still_fit_one_page_and_keep_the_warning_signs(atlas: ResolvedAtlas) -> None:
    selection = Selection(regions=tuple(shape.id for shape in atlas.regions))
    layout = handout_layout(atlas, selection)
    blocks = [b for b in handout_blocks(atlas, selection) if b.part != "end"]
    placed = fit_blocks(blocks, layout.text)
    assert placed[-1].bottom <= layout.text.height
    texts = [p.block.text for p in placed]
    assert sum(p.block.kind == "bullet" for p in placed) >= 4
    assert any("Lower back (both sides), Sacrum and tailbone" in t for t in texts)  # every area is still named
    assert render_handout(atlas, selection, LINK, TODAY).size == PAGE_SIZE
    sheet = handout_sheet(atlas, selection, LINK, TODAY)
    assert all(t.y <= PAGE_SIZE[1] - 40 for t in sheet.texts())  # nothing runs off the page
    assert sheet.texts("disclaimer")


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
    assert yellow_share(page, to_page(on_view.anchors[chosen]), half=4) > 0.4
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


def test_dashed_polyline_keeps_the_pattern_across_corners() -> None:
    pieces = dashed_polyline([(0.0, 0.0), (10.0, 0.0)], (2.0, 1.0))
    assert [[p[0] for p in piece] for piece in pieces] == [[0, 2], [3, 5], [6, 8], [9, 10]]
    bent = dashed_polyline([(0.0, 0.0), (1.0, 0.0), (1.0, 3.0)], (2.0, 2.0))
    assert bent == [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]]
    with pytest.raises(ValueError, match="on/off"):
        dashed_polyline([(0.0, 0.0), (1.0, 0.0)], (2.0,))


# -- text that must not hurt ------------------------------------------------------------------


def test_a_long_word_wraps_in_linear_time() -> None:
    started = time.process_time()  # this process's CPU: other jobs on a shared machine do not count
    lines = wrap("x" * 2000, 21, 300)
    took = time.process_time() - started
    assert took < 0.5, took  # it took 36.7 s with the old wrapping
    assert "".join(lines) == "x" * 2000 and all(len(line) <= 40 for line in lines)
    started = time.process_time()
    assert "".join(wrap("y" * 200_000, 21, 300)) == "y" * 200_000
    assert time.process_time() - started < 2.0
    assert wrap("one two  three\nfour", 21, 10_000) == ["one two three four"]


HOSTILE = (
    "<script>alert(1)</script> [click](javascript:alert(1)) ![x](https://leak.test/a.png) "
    ":red[loud] /URI (https://evil.test) \u202eevil\u200b"
)


def test_hostile_content_is_drawn_as_text_only(tmp_path: Path) -> None:
    source = (Path(__file__).resolve().parents[1] / "data" / "meridians.yaml").read_text(encoding="utf-8")
    start = "plain: 'Low back pain is very common"
    assert start in source
    hostile = tmp_path / "hostile.yaml"
    research = "evidence: 'Guidelines disagree"
    assert research in source
    source = source.replace(start, f"plain: '{HOSTILE} Low back pain is very common")
    source = source.replace(research, f"evidence: '{'W' * 2000} Guidelines disagree")  # one long word
    hostile.write_text(source, encoding="utf-8")
    bad = open_atlas(hostile)
    started = time.perf_counter()
    data = handout_pdf(bad, LOWER_BACK, LINK, TODAY)
    png = handout_png(bad, LOWER_BACK, LINK, TODAY)
    assert time.perf_counter() - started < 10
    assert png.startswith(b"\x89PNG")
    assert pdf_links(data) == [LINK.url]  # no link from the data
    text = pdf_text(data)
    assert "<script>alert(1)</script>" in text and "[click](javascript:alert(1))" in text and ":red[loud]" in text
    assert "\u202e" not in text and "\u200b" not in text
    assert clean("a\u202eb\u0007c\u200bd\ne") == "a b c d e"


def test_a_sheet_is_plain_data(atlas: ResolvedAtlas) -> None:
    """What the renderers draw is decided once: the sheet compares equal when made twice."""
    one, two = (handout_sheet(atlas, SEVERAL, LINK, TODAY) for _ in range(2))
    assert isinstance(one, Sheet) and one == two
    assert sum(isinstance(item, Link) for item in one.items) == 1


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior", "medial"])
def test_the_handout_draws_the_same_body_as_the_screen(atlas: ResolvedAtlas, view: str) -> None:
    """The same outline, the same named anatomy lines and the same spine, from the same body model."""
    from meridian_map.figure import build_figure, spine_ticks
    from meridian_map.handout import BODY_LINE_RGB, HINT_LINE_RGB, SPINE
    from meridian_map.sheet import Shape

    selection = Selection(view=view)  # type: ignore[arg-type]
    shown = atlas.on(view)
    to_px = handout_transform(atlas, selection)
    sheet = handout_sheet(atlas, selection, "https://example.org/", datetime.date(2026, 1, 1))
    shapes = [item for item in sheet.items if isinstance(item, Shape)]
    figure = build_figure(shown, selection)
    screen = {trace.name: trace for trace in figure.data}

    def polylines(name: str) -> list[tuple[tuple[float, float], ...]]:
        xs, ys, lines, current = screen[name].x, screen[name].y, [], []
        for x, y in zip(xs, ys, strict=True):
            if x is None:
                lines.append(tuple(current))
                current = []
            else:
                current.append((x, y))
        return lines

    hints = [s.points for s in shapes if s.stroke == HINT_LINE_RGB]
    assert hints == [to_px.many(line) for line in polylines("anatomy")]
    assert hints == [to_px.many(line) for line in shown.body.hints]
    assert [s.points for s in shapes if s.stroke == SPINE] == [to_px.many(t) for t in spine_ticks(shown.body)]
    outline = [s for s in shapes if s.stroke == BODY_LINE_RGB]
    assert len(outline) == 1 and outline[0].closed and outline[0].points == to_px.many(shown.body.outline)
    assert list(zip(screen["outline"].x, screen["outline"].y, strict=True))[:-1] == shown.body.outline
