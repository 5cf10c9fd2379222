"""Meridian Map: where back pain sits on the acupuncture channels, and why."""

from .atlas import ResolvedAtlas, data_path, open_atlas
from .body import BodyModel, Proportions
from .content import ContentError, Problem
from .figure import Selection, build_figure

__all__ = [
    "BodyModel",
    "ContentError",
    "Problem",
    "Proportions",
    "ResolvedAtlas",
    "Selection",
    "build_figure",
    "data_path",
    "open_atlas",
]
