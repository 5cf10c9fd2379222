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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `-n 2 --dist loadgroup`, the browser tests that aim the pointer at a spot run one after
    another on one worker (its own server and Chromium), never beside each other; the ones that
    only read the page or press named buttons (`no_pointer`) run on the other worker, beside the
    unit tests, with a server and Chromium of their own."""
    for item in items:
        if item.get_closest_marker("e2e"):
            beside = item.get_closest_marker("no_pointer") is not None
            item.add_marker(pytest.mark.xdist_group("browser-reading" if beside else "browser-pointing"))


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
