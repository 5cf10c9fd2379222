"""The content file: the model, the loader's exact messages, the bundled data."""

from __future__ import annotations

import gc
import re
import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from meridian_map import ContentError, ResolvedAtlas, open_atlas
from meridian_map.content import (
    LOADER,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_PROBLEMS,
    MAX_VALUES,
    check_shape,
    load_content,
)
from meridian_map.model import CHANNEL_RANGES, LandmarkPlacement, Point

from .conftest import DATA, MINIMAL, ROOT

CORPUS = sorted((ROOT / "tests" / "content_errors").glob("*.yaml"))


def test_the_corpus_covers_the_kinds_of_mistake() -> None:
    assert len(CORPUS) >= 20
    for broken in CORPUS:
        assert broken.with_suffix(".expected").exists(), broken.name


@pytest.mark.parametrize("broken", CORPUS, ids=lambda p: p.stem)
def test_broken_file_gives_its_exact_message(broken: Path) -> None:
    relative = broken.relative_to(ROOT)
    expected = broken.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ContentError) as caught:
        open_atlas(relative)
    assert [str(p) for p in caught.value.problems] == expected
    for line in expected:
        assert re.match(rf"^{re.escape(str(relative))}:\d+: \S.*: .+", line)


def test_minimal_file_is_valid() -> None:
    atlas = open_atlas(MINIMAL)
    assert set(atlas.positions) == {p.code for p in atlas.atlas.points}


def test_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        open_atlas(tmp_path / "nowhere.yaml")
    assert (
        str(caught.value) == f"{tmp_path / 'nowhere.yaml'}:1: (file): cannot read the file: No such file or directory"
    )


def test_point_model_rejects_unknown_keys_and_bad_codes() -> None:
    base = {"code": "BL23", "pinyin": "Shenshu", "hanzi": "肾俞", "english": "Kidney Shu",
            "location": "Lower back.", "region": "lower_back", "side": "bilateral"}  # fmt: skip
    assert Point.model_validate(base).channel == "BL"
    with pytest.raises(ValidationError, match="extra"):
        Point.model_validate({**base, "colour": "red"})
    with pytest.raises(ValidationError, match="outside KI1-KI27"):
        Point.model_validate({**base, "code": "KI28"})
    with pytest.raises(ValidationError, match="scale"):
        LandmarkPlacement(landmark="popliteal_crease", below=2)


def test_bundled_content_has_every_point_of_the_four_channels(atlas: ResolvedAtlas) -> None:
    for channel, last in CHANNEL_RANGES.items():
        codes = [p.code for p in atlas.atlas.points if p.channel == channel]
        assert codes == [f"{channel}{n}" for n in range(1, last + 1)]
    assert len(atlas.atlas.points) == 167
    assert [p.code for p in atlas.atlas.points if not p.who_standard] == ["GV29"]


def test_bundled_content_shows_the_back_view_points_the_core_loop_needs(atlas: ResolvedAtlas) -> None:
    needed = {f"BL{n}" for n in range(10, 61)} | {f"GV{n}" for n in range(1, 17)}
    needed |= {"GB20", "GB21", "GB25", "GB29", "GB30", "KI3", "KI10"}
    assert needed <= set(atlas.positions)


def test_no_kidney_point_on_the_back_of_the_trunk(atlas: ResolvedAtlas) -> None:
    knee = atlas.body.landmarks["popliteal_upper"][1]
    for point in atlas.visible_points("KI"):
        assert all(y < knee for _, y in atlas.positions[point.code]), point.code


def test_bladder_inner_line_runs_down_the_back(atlas: ResolvedAtlas) -> None:
    heights = [atlas.positions[f"BL{n}"][1][1] for n in range(11, 31)]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == len(heights)
    for inner, outer in [("BL13", "BL42"), ("BL23", "BL52"), ("BL17", "BL46")]:
        assert atlas.positions[outer][1][0] == pytest.approx(2 * atlas.positions[inner][1][0])


def test_every_region_has_every_layer_and_resolved_citations(atlas: ResolvedAtlas) -> None:
    for region in atlas.atlas.regions:
        layers = region.layers
        assert layers.plain and layers.traditional and layers.anatomy and layers.asks and layers.red_flags
        assert {link.id for link in region.channels} == {"BL", "KI", "GV", "GB"}, region.id
        assert layers.evidence.refs, f"{region.id}: its evidence cites nothing"
        for ref in layers.evidence.refs:
            assert ref in atlas.references


def test_the_gallbladder_channel_can_be_followed_whole_on_the_side_view(atlas: ResolvedAtlas) -> None:
    side = atlas.on("lateral")
    codes = [f"GB{n}" for n in range(1, 45)]
    assert all(code in side.positions and len(side.positions[code]) == 1 for code in codes)
    down_the_leg = [side.positions[f"GB{n}"][0][1] for n in range(31, 40)]
    assert down_the_leg == sorted(down_the_leg, reverse=True)
    along_the_foot = [side.positions[f"GB{n}"][0][0] for n in range(40, 45)]
    assert along_the_foot == sorted(along_the_foot)
    (stretch,) = side.surface_lines("GB")
    assert len(stretch) == 44
    assert not any(code.startswith("KI") for code in side.positions)  # the Kidney channel is not on this view


def test_the_kidney_channel_can_be_followed_whole_on_the_inner_leg_and_front_views(atlas: ResolvedAtlas) -> None:
    inner, front = atlas.on("medial"), atlas.on("anterior")
    assert list(inner.positions) == [f"KI{n}" for n in range(1, 12)]
    (leg,) = inner.surface_lines("KI")
    assert len(leg) == 11
    up_the_trunk = [front.positions[f"KI{n}"][0][1] for n in range(11, 28)]
    assert up_the_trunk == sorted(up_the_trunk)
    # On the front view the patient's left is on the viewer's right: left first, at positive x.
    (left_x, _), (right_x, _) = front.positions["KI16"]
    assert right_x < 0 < left_x
    assert all(front.positions[f"GV{n}"][0][0] == 0 for n in range(21, 30))


def test_every_point_is_drawn_on_at_least_one_view(atlas: ResolvedAtlas) -> None:
    placed = {code for view in atlas.views.values() for code in view.positions}
    assert placed == set(atlas.points)
    assert len(placed) == 167


def test_every_pathway_names_points_of_its_own_channel_in_order(atlas: ResolvedAtlas) -> None:
    for channel in atlas.atlas.channels:
        named = [code for branch in channel.pathway for code in branch]
        assert all(code in atlas.points and code.startswith(channel.id) for code in named)
        # every point of the channel is on some branch of its pathway
        assert {p.code for p in atlas.atlas.points if p.channel == channel.id} <= set(named)


THORAX = [f"BL{n}" for n in (*range(11, 22), *range(41, 51))] + ["GB21", "GB22", "GB23", "GB24", "GB25"]
# Among the four channels: the classical distal points, and the sacral and lower-abdominal points (WHO 1999).
PREGNANCY = ["BL60", "BL67", "GB21", *(f"BL{n}" for n in range(31, 35)), *(f"KI{n}" for n in range(11, 16))]


@pytest.mark.parametrize(("caution", "codes"), [("thorax", THORAX), ("pregnancy", PREGNANCY)])
def test_points_over_the_lung_and_points_avoided_in_pregnancy_carry_their_caution(
    atlas: ResolvedAtlas, caution: str, codes: list[str]
) -> None:
    missing = [code for code in codes if caution not in atlas.points[code].cautions]
    assert not missing, f"{caution}: {missing}"


def test_every_safety_claim_and_caution_cites_a_known_reference(atlas: ResolvedAtlas) -> None:
    safety = atlas.atlas.safety
    assert safety is not None and safety.items and {c.id for c in safety.cautions} >= {"thorax", "pregnancy"}
    for entry in (*safety.items, *safety.cautions):
        assert entry.refs, entry.id
        assert all(ref in atlas.references for ref in entry.refs), entry.id
    topics = " ".join(f"{item.title} {item.text}" for item in safety.items).lower()
    for topic in ("8.6%", "2.2%", "faint", "bleeding", "anticoagulant", "infection", "single", "immune", "pacemaker"):
        assert topic in topics, topic
    assert "witt-2009" in safety.caution("thorax").refs  # the pneumothorax count


def test_the_side_of_the_chest_cites_the_pneumothorax_source_and_the_face_warns_about_li4(atlas: ResolvedAtlas) -> None:
    regions = {r.id: r for r in atlas.atlas.regions}
    assert regions["side_of_chest"].layers.evidence.refs
    assert re.search(r"LI4 \(Hegu\)[^.]*avoid[^.]*pregnancy", regions["face"].layers.traditional)
    assert any("needling" in flag and "breathless" in flag for flag in regions["mid_back"].layers.red_flags)


def test_the_lower_back_names_each_serious_cause_once(atlas: ResolvedAtlas) -> None:
    flags = next(r for r in atlas.atlas.regions if r.id == "lower_back").layers.red_flags
    for sign in ("aortic aneurysm", "steroid", "inject drugs", "before the age of 20 or after 50", "during sex"):
        assert sum(sign in flag for flag in flags) == 1, sign
    assert not set(flags[2:]) & set(atlas.atlas.red_flags_general)  # the first two are the general list's, on purpose


# -- hostile files: generated here (megabytes are not committed), each refused fast -------------
def _hostile(kind: str) -> str:
    minimal = MINIMAL.read_text(encoding="utf-8")
    if kind in {"60 MB", "5 MB"}:
        line = "- " + "x" * 70 + "\n"
        return minimal + "padding:\n" + line * (int(kind.split()[0]) * 1_000_000 // len(line))
    if kind == "20,000 deep":
        return "version: 1\nregions: " + "[" * 20_000 + "]" * 20_000 + "\n"
    if kind == "300,000 keys":
        return "version: 1\n" + "".join(f"k{i}: 0\n" for i in range(300_000))
    raise ValueError(kind)


HOSTILE = {
    "60 MB": "hostile.yaml:1: (file): the file is 60.0 MB; a content file may be at most 4 MB",
    "5 MB": "hostile.yaml:1: (file): the file is 5.0 MB; a content file may be at most 4 MB",
    "20,000 deep": f"hostile.yaml:2: (file): lists and mappings nested more than {MAX_DEPTH} levels deep",
    "300,000 keys": "hostile.yaml:50000: k49998: the file holds more than 100,000 values (keys, items and texts)",
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_file_is_refused_in_under_a_second(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(_hostile(kind), encoding="utf-8")
    start = time.process_time()  # the CPU this process spends: other jobs on the machine do not count
    with pytest.raises(ContentError) as caught:
        open_atlas(path)
    took = time.process_time() - start
    assert [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems] == [HOSTILE[kind]]
    assert took < 1.0, f"{took:.2f} s"


def _mistakes(tmp_path: Path, count: int) -> tuple[list[str], float]:
    """A file within the limits with `count` references and `count` unknown ones: its problems, and
    the CPU seconds it took to refuse it."""
    path = tmp_path / f"hostile{count}.yaml"
    minimal = MINIMAL.read_text(encoding="utf-8")
    references = "".join(f"- {{id: r{i}, citation: c}}\n" for i in range(count))
    unknown = "[" + ", ".join(f"q{i}" for i in range(count)) + "]"
    minimal = minimal.replace("refs: [vickers-2012]}", f"refs: {unknown}}}", 1)
    path.write_text(minimal.replace("references:\n", "references:\n" + references), encoding="utf-8")
    # A collection of the whole suite's heap (not of this work) must not land in one timing and not the other.
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        with pytest.raises(ContentError) as caught:
            open_atlas(path)
        took = time.process_time() - start
    finally:
        gc.enable()
    return [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems], took


def test_thousands_of_mistakes_within_the_limits_give_the_first_fifty_and_scale_linearly(tmp_path: Path) -> None:
    problems, _ = _mistakes(tmp_path, 15_000)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == "hostile15000.yaml:166: regions[0].layers.evidence.refs[0]: unknown reference 'q0'"
    assert problems[-1] == f"hostile15000.yaml:166: (file): more problems after these {MAX_PROBLEMS}: fix these first"
    # Four times the mistakes cost at most about four times the time (it was quadratic: sixteen), measured
    # in the same run so that a slow or busy machine does not decide it.
    _, small = _mistakes(tmp_path, 2_000)
    _, large = _mistakes(tmp_path, 8_000)
    assert large < 8 * small + 0.2, f"{small:.2f} s for 2,000, {large:.2f} s for 8,000"


def test_the_limits_leave_room_for_the_real_file() -> None:
    size = DATA.stat().st_size
    assert size * 10 < MAX_BYTES
    text = DATA.read_text(encoding="utf-8")
    check_shape(str(DATA), text)  # passes, and so with a tenth of every limit:
    events = list(yaml.parse(text, Loader=LOADER))
    nodes = [e for e in events if isinstance(e, yaml.NodeEvent)]
    assert len(nodes) * 5 < MAX_VALUES
    depth = deepest = 0
    for event in events:
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        deepest = max(deepest, depth)
    assert deepest * 4 <= MAX_DEPTH


def test_the_c_loader_is_used_when_pyyaml_has_it() -> None:
    assert LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert issubclass(LOADER, yaml.SafeLoader) or LOADER.__name__ == "CSafeLoader"


@pytest.mark.parametrize("name", ["too_deep", "alias_bomb", "too_many_aliases", "unknown_point_in_region"])
def test_the_pure_python_loader_gives_the_same_messages(name: str) -> None:
    broken = Path("tests/content_errors") / f"{name}.yaml"
    expected = (ROOT / broken).with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ContentError) as caught:
        load_content(ROOT / broken, loader=yaml.SafeLoader)
    assert [str(p).removeprefix(f"{ROOT}/") for p in caught.value.problems] == expected


def test_the_pure_python_loader_refuses_deep_nesting_without_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(_hostile("20,000 deep"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(path, loader=yaml.SafeLoader)
    assert str(caught.value).endswith(
        f"hostile.yaml:2: (file): lists and mappings nested more than {MAX_DEPTH} levels deep"
    )


def test_a_syntax_error_has_the_same_line_with_either_loader() -> None:
    broken = ROOT / "tests" / "content_errors" / "syntax_error.yaml"
    lines = []
    for loader in (yaml.SafeLoader, LOADER):
        with pytest.raises(ContentError) as caught:
            load_content(broken, loader=loader)
        (problem,) = caught.value.problems
        lines.append(problem.line)
    assert lines == [30, 30]


def test_the_digest_follows_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "content.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_content(path).digest
    path.write_text(text.replace("Plain summary.", "Plain summary, edited."), encoding="utf-8")
    assert load_content(path).digest != first
    assert open_atlas(path).digest == load_content(path).digest
