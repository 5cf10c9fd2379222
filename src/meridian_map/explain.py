"""What to say about a selection: channels and how they link, key points, layers, citations."""

from __future__ import annotations

from dataclasses import dataclass

from .atlas import ResolvedAtlas
from .model import Layers, Point

LINK_LABELS = {
    "runs_through": "runs through this area",
    "distal": "treats this area from a distance",
    "deep": "linked only by its internal pathway (traditional theory)",
    "none": "not linked to this area",
}
LINK_ORDER = ("runs_through", "distal", "deep", "none")


@dataclass(frozen=True)
class ChannelNote:
    id: str
    name: str
    colour: str
    link: str
    link_label: str
    note: str


@dataclass(frozen=True)
class Citation:
    number: int
    id: str
    text: str
    url: str | None


@dataclass(frozen=True)
class RegionExplanation:
    region_id: str
    label: str
    channels: tuple[ChannelNote, ...]
    key_points: tuple[Point, ...]
    layers: Layers
    citations: tuple[Citation, ...]

    @property
    def linked_channels(self) -> tuple[ChannelNote, ...]:
        return tuple(c for c in self.channels if c.link != "none")


def explain_region(atlas: ResolvedAtlas, region_id: str) -> RegionExplanation:
    shape = atlas.region_shapes[region_id]
    content = atlas.content_of(region_id)
    notes = sorted(
        (
            ChannelNote(
                id=link.id,
                name=atlas.channels[link.id].name if link.id in atlas.channels else link.id,
                colour=atlas.channels[link.id].colour if link.id in atlas.channels else "#777777",
                link=link.link,
                link_label=LINK_LABELS[link.link],
                note=link.note,
            )
            for link in content.channels
        ),
        key=lambda n: LINK_ORDER.index(n.link),
    )
    citations = tuple(
        Citation(n, ref, atlas.references[ref].citation, atlas.references[ref].url)
        for n, ref in enumerate(content.layers.evidence.refs, start=1)
    )
    return RegionExplanation(
        region_id=region_id,
        label=shape.label,
        channels=tuple(notes),
        key_points=tuple(atlas.points[code] for code in content.key_points),
        layers=content.layers,
        citations=citations,
    )
