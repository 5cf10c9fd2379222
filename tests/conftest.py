from __future__ import annotations

from pathlib import Path

import pytest

from meridian_map import ResolvedAtlas, open_atlas

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "meridians.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"


@pytest.fixture(scope="session")
def atlas() -> ResolvedAtlas:
    return open_atlas(DATA)
