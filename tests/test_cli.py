"""`python -m meridian_map validate|export|schema`, as a person runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meridian_map.cli import content_schema

from .conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "meridian_map", *args], cwd=ROOT, capture_output=True, text=True)


def test_validate_good_file_prints_one_summary_line() -> None:
    result = run("validate", "data/meridians.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("data/meridians.yaml: OK: 4 channels, 167 points")


def test_validate_broken_file_prints_the_problems_and_no_traceback() -> None:
    result = run("validate", "tests/content_errors/unknown_channel_in_region.yaml")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "tests/content_errors/unknown_channel_in_region.yaml:159: regions[0].channels[0].id: "
        "unknown channel 'BX' (known: BL, GB, GV, KI)\n"
    )
    assert "Traceback" not in result.stderr


def test_validate_reads_the_environment_variable() -> None:
    env_file = "tests/content_errors/syntax_error.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "meridian_map", "validate"], cwd=ROOT, capture_output=True, text=True,
        env={"MERIDIAN_MAP_DATA": env_file, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 1 and result.stderr.startswith(f"{env_file}:30: (syntax): YAML syntax error")


@pytest.fixture(scope="module")
def exported() -> dict:  # type: ignore[type-arg]
    result = run("export")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_export_has_the_documented_shape(exported: dict) -> None:  # type: ignore[type-arg]
    view = exported["views"]["posterior"]
    assert len(view["x_range"]) == 2 and len(view["y_range"]) == 2 and len(view["outline"]) > 200
    assert {"C7", "L2", "S2", "iliac_crest", "psis"} <= set(exported["landmarks"]["posterior"])
    assert [c["id"] for c in exported["channels"]] == ["BL", "KI", "GV", "GB"]
    assert sum(len(c["points"]) for c in exported["channels"]) == 167
    bl23 = next(p for p in exported["channels"][0]["points"] if p["code"] == "BL23")
    assert bl23["pinyin"] == "Shenshu" and bl23["hanzi"] == "肾俞" and bl23["side"] == "bilateral"
    (lx, ly), (rx, ry) = bl23["positions"]["posterior"]
    assert lx < 0 < rx and ly == ry == exported["landmarks"]["posterior"]["L2"][1]
    region = next(r for r in exported["regions"] if r["id"] == "lower_back_left")
    assert region["side"] == "left" and region["view"] == "posterior"
    assert {"BL", "GV", "KI"} <= set(region["channels"]) and "BL23" in region["points"]
    assert all(len(polygon) >= 3 for polygon in region["polygons"])


def test_schema_command_matches_the_committed_schema() -> None:
    committed = json.loads((ROOT / "schema" / "meridians.schema.json").read_text(encoding="utf-8"))
    assert committed == content_schema()
    assert json.loads(run("schema").stdout) == committed


def test_content_file_points_editors_at_the_schema() -> None:
    first = (ROOT / "data" / "meridians.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/meridians.schema.json"
    assert (ROOT / "schema" / "meridians.schema.json").exists()


def test_no_yaml_is_loaded_unsafely() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(ROOT / "src").rglob("*.py"))
    unsafe_loader, raw_html = "yaml." + "load(", "unsafe_allow_html" + "=True"  # spelled apart: greps look for them
    assert unsafe_loader not in sources and raw_html not in sources


def test_export_carries_every_point_with_its_views(exported: dict) -> None:  # type: ignore[type-arg]
    assert set(exported["views"]) == {"posterior", "lateral", "anterior", "medial"}
    points = [p for c in exported["channels"] for p in c["points"]]
    assert len(points) == 167 and all(p["positions"] for p in points)
    ki1 = next(p for p in points if p["code"] == "KI1")
    assert set(ki1["positions"]) == {"anterior", "medial"}
    gb34 = next(p for p in points if p["code"] == "GB34")  # in front of the fibula: not seen from behind
    assert set(gb34["positions"]) == {"lateral"} and len(gb34["positions"]["lateral"]) == 1
    views = {r["view"] for r in exported["regions"]}
    assert views == {"posterior", "lateral", "anterior", "medial"}
