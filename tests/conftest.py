from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from meridian_map import ResolvedAtlas, open_atlas
from meridian_map.quiz import Question, make_round
from meridian_map.ui.modes import ROUND_SIZE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "meridians.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "minimal.yaml"


@pytest.fixture(scope="session")
def atlas() -> ResolvedAtlas:
    return open_atlas(DATA)


def round_where(
    atlas: ResolvedAtlas, wanted: Callable[[tuple[Question, ...]], bool]
) -> tuple[int, tuple[Question, ...]]:
    """The first seed whose round (as the app makes it) is what a test needs, and that round."""
    for seed in range(1, 500):
        questions = make_round(atlas, seed, size=ROUND_SIZE)
        if wanted(questions):
            return seed, questions
    raise LookupError("no seed below 500 gives such a round")
