"""What to say about a selection: channels and how they link, key points, layers, citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .atlas import ResolvedAtlas
from .content import TEXT_CODE
from .model import CODE_PATTERN, BetweenPlacement, Caution, Chain, Layers, OtherPoint, Point, SpinalPlacement

LINK_LABELS = {
    "runs_through": "runs through this area",
    "distal": "treats this area from a distance",
    "deep": "reaches this area only by its internal pathway (traditional theory)",
    "none": "does not reach this area",
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
    key_points: tuple[Point, ...]  # inside the area
    points_elsewhere: tuple[Point, ...]  # used for it from outside
    layers: Layers
    citations: tuple[Citation, ...]
    other_points: tuple[OtherPoint, ...] = ()  # named in the traditional layer: other channels, extra points

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


def point_cautions(atlas: ResolvedAtlas, code: str) -> tuple[Caution, ...]:
    """The safety cautions a point names, in the order the point names them."""
    safety = atlas.atlas.safety
    if safety is None:
        return ()
    return tuple(safety.caution(caution_id) for caution_id in atlas.points[code].cautions)


def area_cautions(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> tuple[Caution, ...]:
    """Cautions with words for the patient that the points used for the chosen areas carry (their own, those
    used from elsewhere and the other channels' points their traditional layer names), each once, in file order."""
    safety = atlas.atlas.safety
    if safety is None:
        return ()
    carried: set[str] = set()
    for region_id in region_ids:
        content = atlas.content_of(region_id)
        for code in content.all_points:
            carried.update(atlas.points[code].cautions)
        for code in TEXT_CODE.findall(content.layers.traditional):
            if code in atlas.other_points:
                carried.update(atlas.other_points[code].cautions)
    return tuple(c for c in safety.cautions if c.id in carried and c.patient is not None)


def safety_citations(atlas: ResolvedAtlas) -> tuple[Citation, ...]:
    """The general safety items' sources, numbered in the order they are first cited."""
    safety = atlas.atlas.safety
    if safety is None:
        return ()
    return _citations(atlas, list(dict.fromkeys(ref for item in safety.items for ref in item.refs)))


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
    named = dict.fromkeys(TEXT_CODE.findall(content.layers.traditional))
    return RegionExplanation(
        region_id=region_id,
        label=atlas.region_labels[region_id],
        channels=tuple(notes),
        key_points=tuple(atlas.points[code] for code in content.key_points),
        points_elsewhere=tuple(atlas.points[code] for code in content.points_elsewhere),
        layers=content.layers,
        citations=citations,
        other_points=tuple(atlas.other_points[code] for code in named if code in atlas.other_points),
    )


# -- the treatment room: one idea at a time, in plain words ---------------------------------
POINT_CODE = re.compile(r"\b(?:BL|KI|GV|GB)\d{1,2}\b")


def without_codes(atlas: ResolvedAtlas, text: str) -> str:
    """Point codes replaced by their names, for people who do not know the codes. Where the text
    already named the point after its code ("GB34 (Yanglingquan)", "GV4 (Mingmen, below L2)",
    "GV4 Mingmen"), the name is not said twice."""
    named: set[str] = set()

    def name(match: re.Match[str]) -> str:
        point = atlas.points.get(match.group(0))
        if point is None:
            return match.group(0)
        named.add(point.pinyin)
        return point.pinyin

    text = POINT_CODE.sub(name, text)
    for pinyin in named:
        said = re.escape(pinyin)
        text = re.sub(rf"\b{said} \({said}\)", pinyin, text)
        text = re.sub(rf"\b{said} \({said}, ", f"{pinyin} (", text)
        text = re.sub(rf"\b{said} {said}\b", pinyin, text)
    return text


@dataclass(frozen=True)
class StoryStep:
    title: str
    paragraphs: tuple[str, ...]


def patient_story(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> tuple[StoryStep, ...]:
    """Five short steps for a patient: where, which lines, why, what the evidence says, when to see a doctor."""
    if not region_ids:
        return ()
    explained = [explain_region(atlas, r) for r in region_ids]

    def plain(text: str) -> str:
        return without_codes(atlas, text)

    # Each channel once, by its closest link to any chosen area, told in the channel's own plain words.
    strongest: dict[str, ChannelNote] = {}
    for note in (note for item in explained for note in item.linked_channels):
        known = strongest.get(note.id)
        if known is None or LINK_ORDER.index(note.link) < LINK_ORDER.index(known.link):
            strongest[note.id] = note
    areas = "these areas" if len(explained) > 1 else "this area"

    def line(note: ChannelNote) -> str:
        channel = atlas.channels[note.id]
        link = note.link_label.replace("this area", areas)
        called = f"{channel.called}, {channel.gloss}," if channel.gloss else channel.called
        return f"The {called} {link}. {plain(channel.summary_plain)}"

    lines = tuple(line(note) for note in sorted(strongest.values(), key=lambda n: LINK_ORDER.index(n.link)))
    why = tuple(
        f"{i.label}: {i.layers.patient.why}" if i.layers.patient else plain(i.layers.traditional) for i in explained
    )
    research = tuple(
        f"{i.label}: {i.layers.patient.evidence}" if i.layers.patient else plain(i.layers.evidence.summary)
        for i in explained
    )
    flags = [flag for item in explained for flag in item.layers.red_flags] + list(atlas.atlas.red_flags_general)
    safety = atlas.atlas.safety
    safe_steps: tuple[StoryStep, ...] = ()
    if safety is not None:  # the general words, then each caution the chosen areas' points carry, once
        cautions = tuple(plain(c.patient) for c in area_cautions(atlas, region_ids) if c.patient)
        safe_steps = (StoryStep("Keeping treatment safe", (plain(safety.patient), *cautions)),)
    return (
        StoryStep("Where your pain is", tuple(f"{i.label}: {plain(i.layers.plain)}" for i in explained)),
        StoryStep("The lines that run there", lines),
        StoryStep("Why a practitioner works on them", why),
        StoryStep("What the research says", research),
        *safe_steps,
        StoryStep("When to see a doctor instead", tuple(dict.fromkeys(flags))),
    )


# Landmarks whose identifier does not read as anatomy.
LANDMARK_NAMES = {
    "asis": "anterior superior iliac spine (ASIS)",
    "popliteal_crease_medial": "medial end of the popliteal crease",
    "popliteal_crease_lateral": "lateral end of the popliteal crease",
    "tibia_medial_condyle": "medial condyle of the tibia",
    "fibula_head": "head of the fibula",
    "calcaneal_tendon": "calcaneal (Achilles) tendon",
    "fifth_metatarsal_base": "base of the 5th metatarsal",
    "fifth_metatarsal_head": "head of the 5th metatarsal",
    "eyebrow_lateral_end": "lateral end of the eyebrow",
    "eyebrow_medial_end": "medial end of the eyebrow",
    "nose_tip": "tip of the nose",
    "fourth_toe_tip": "tip of the 4th toe",
    "little_toe_tip": "tip of the little toe",
    "coccyx_tip": "tip of the coccyx",
    "tip_of_11th_rib": "free end of the 11th rib",
    "tip_of_12th_rib": "free end of the 12th rib",
    "sole": "sole of the foot",
    "ics4_mid_axillary": "4th intercostal space on the mid-axillary line",
    "ics7_mamillary": "7th intercostal space on the nipple line",
    "heel_sole": "back of the heel, on the sole",
    "toe_web_sole": "web between the 2nd and 3rd toes, on the sole",
    "occipital_base": "lower edge of the occiput",
    "neck_base": "gap between the C7 and T1 spinous processes",
    "costal_margin_low": "lower rib margin",
    "foot_line": "top of the arch of the foot",
}
_ORDINALS = {"1": "1st", "2": "2nd", "3": "3rd"}


def landmark_name(landmark: str) -> str:
    """A landmark's identifier in words: 'ics5' is the 5th intercostal space; a point code stays a code."""
    if CODE_PATTERN.match(landmark):
        return landmark
    if landmark in LANDMARK_NAMES:
        return LANDMARK_NAMES[landmark]
    if match := re.fullmatch(r"ics(\d+)", landmark):
        number = match.group(1)
        return f"{_ORDINALS.get(number, number + 'th')} intercostal space"
    return landmark.replace("_", " ")


def _the(landmark: str) -> str:
    """'the medial malleolus', but a point by its code alone: 'KI3'."""
    return landmark if CODE_PATTERN.match(landmark) else f"the {landmark_name(landmark)}"


def describe_placement(atlas: ResolvedAtlas, code: str) -> str | None:
    """How a point is found on the current view: the landmark and the distance in B-cun."""
    placement = atlas.points[code].views.get(atlas.view)
    if placement is None:
        return None
    if isinstance(placement, SpinalPlacement):
        border = "upper" if placement.border == "superior" else "lower"
        side = "on the midline" if not placement.from_midline else f"{placement.from_midline:g} B-cun from the midline"
        return f"Level with the {border} border of the {placement.level} spinous process, {side}."
    if isinstance(placement, BetweenPlacement):
        start, end = (landmark_name(name) for name in placement.between)
        return f"{placement.fraction:.0%} of the way from the {start} to the {end}."
    parts = [f"From {_the(placement.landmark)}"]
    for word, value in (
        ("above", placement.above),
        ("below", placement.below),
        ("lateral", placement.lateral),
        ("medial", placement.medial),
        ("in front", placement.anterior),
        ("behind", placement.posterior),
    ):
        if value:
            parts.append(f"{value:g} B-cun {word}")
    if placement.edge:
        parts.append(f"at the {placement.edge} edge")
    if placement.in_line_with:
        parts.append(f"directly in line with {_the(placement.in_line_with)}")
    if len(parts) == 1:  # on the landmark itself
        parts = [f"At {_the(placement.landmark)}"]
    scales = [s for s in dict.fromkeys((placement.scale, placement.across)) if s is not None]
    # Name the bone measurements the B-cun come from, not the scales' ids.
    spans = [atlas.body.span(s) for s in scales]
    measured = "; ".join(f"{landmark_name(start)} to {landmark_name(end)} = {span:g}" for start, end, span in spans)
    return ", ".join(parts) + (f" (B-cun here: {measured})" if measured else "") + "."
