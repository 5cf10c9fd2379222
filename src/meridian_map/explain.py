"""What to say about a selection: channels and how they link, key points, layers, citations."""

from __future__ import annotations

from dataclasses import dataclass

from .atlas import ResolvedAtlas
from .model import Chain, Layers, Point

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


@dataclass(frozen=True)
class ChainMatch:
    chain: Chain
    channel_name: str
    labels: tuple[str, ...]  # the regions in order along the channel
    citations: tuple[Citation, ...]


def _citations(atlas: ResolvedAtlas, refs: list[str]) -> tuple[Citation, ...]:
    return tuple(
        Citation(n, ref, atlas.references[ref].citation, atlas.references[ref].url)
        for n, ref in enumerate(refs, start=1)
    )


def travelling_pain(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> list[ChainMatch]:
    """Chains whose regions are all selected: pain that follows one channel down the body."""
    chosen = {atlas.base_of(r) for r in region_ids}
    labels = {r.id: r.label for r in atlas.atlas.regions}
    return [
        ChainMatch(
            chain=chain,
            channel_name=atlas.channels[chain.channel].name,
            labels=tuple(labels[r] for r in chain.regions),
            citations=_citations(atlas, chain.refs),
        )
        for chain in atlas.atlas.chains
        if set(chain.regions) <= chosen
    ]


def served_regions(atlas: ResolvedAtlas, channel_id: str) -> dict[str, list[str]]:
    """Region labels a channel serves, by how it is linked (the other direction of the map)."""
    served: dict[str, list[str]] = {link: [] for link in LINK_ORDER if link != "none"}
    for region in atlas.atlas.regions:
        for link in region.channels:
            if link.id == channel_id and link.link != "none":
                served[link.link].append(region.label)
    return served


def explain_region(atlas: ResolvedAtlas, region_id: str) -> RegionExplanation:
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
    citations = _citations(atlas, content.layers.evidence.refs)
    return RegionExplanation(
        region_id=region_id,
        label=atlas.region_labels[region_id],
        channels=tuple(notes),
        key_points=tuple(atlas.points[code] for code in content.key_points),
        layers=content.layers,
        citations=citations,
    )
