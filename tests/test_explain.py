"""How a point is found, in words a student can follow on the body."""

from __future__ import annotations

import re

import pytest

from meridian_map import ResolvedAtlas
from meridian_map.explain import describe_placement


@pytest.mark.parametrize(
    ("view", "code", "expected"),
    [
        ("posterior", "BL23", "Level with the lower border of the L2 spinous process, 1.5 B-cun from the midline."),
        ("posterior", "GV4", "Level with the lower border of the L2 spinous process, on the midline."),
        ("posterior", "BL57", "8 B-cun below (B-cun here: lateral malleolus to popliteal crease = 16)"),
        ("lateral", "GB30", "(B-cun here: popliteal crease to greater trochanter = 19)"),
    ],
)
def test_a_placement_reads_as_a_landmark_and_a_distance(
    atlas: ResolvedAtlas, view: str, code: str, expected: str
) -> None:
    assert expected in str(describe_placement(atlas.on(view), code))  # type: ignore[arg-type]


@pytest.mark.parametrize("view", ["posterior", "lateral", "anterior"])
def test_no_description_shows_an_identifier(atlas: ResolvedAtlas, view: str) -> None:
    shown = atlas.on(view)  # type: ignore[arg-type]
    for code in shown.positions:
        text = describe_placement(shown, code)
        assert text and not re.search(r"\w_\w", text), (code, text)
