"""What to say about a selection: channels and how they link, key points, layers, citations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

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


def area_groups(atlas: ResolvedAtlas, region_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The chosen region ids grouped by their content entry (left and right of one area together), in
    the order chosen; ids the atlas does not know are left out."""
    groups: dict[str, list[str]] = {}
    for region_id in region_ids:
        if region_id in atlas.region_labels:
            groups.setdefault(atlas.base_of(region_id), []).append(region_id)
    return list(groups.items())


def group_label(atlas: ResolvedAtlas, base: str, region_ids: Sequence[str]) -> str:
    """ "Lower back (both sides)" for both sides of an area, else the region's own label."""
    if len(region_ids) > 1:
        return f"{atlas.region_content[base].label} (both sides)"
    return atlas.region_labels[region_ids[0]]


def area_names(atlas: ResolvedAtlas, region_ids: Sequence[str]) -> list[str]:
    """The chosen areas as the panel names them, both sides of one area once."""
    return [group_label(atlas, base, ids) for base, ids in area_groups(atlas, region_ids)]


def explain_areas(atlas: ResolvedAtlas, region_ids: Sequence[str]) -> list[RegionExplanation]:
    """One explanation per chosen area, both sides of one area told once (their text is the same)."""
    return [
        replace(explain_region(atlas, ids[0]), label=group_label(atlas, base, ids))
        for base, ids in area_groups(atlas, region_ids)
    ]


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
    paragraphs: tuple[str, ...]  # at most STEP_WORDS words in all, whatever is chosen
    urgent: tuple[str, ...] = ()  # the one or two most urgent warning signs, shown with every step
    warnings: tuple[str, ...] = ()  # the last step only: every warning sign, each once, most urgent first


STEP_WORDS = 60  # one idea a patient can take in while the practitioner talks
# Words a patient should not have to decode: the tradition's technical terms and the atlas's own.
JARGON = ("Governing Vessel", "internal pathway", "traditional theory", "from a distance", "B-cun", "Shu")
# How the lines relate to the chosen places, said plainly; the order is the order they are told in.
PATIENT_LINKS = {
    "runs_through": "Through these places",
    "distal": "Used from points further along",
    "deep": "Linked to them deep inside, in the tradition",
}


def words(text: str) -> int:
    return len(text.split())


def _fit(sentences: list[str], budget: int) -> list[str]:
    """As many of the sentences, in order, as fit in the budget of words (the first always)."""
    kept: list[str] = []
    for sentence in sentences:
        if kept and words(" ".join([*kept, sentence])) > budget:
            break
        kept.append(sentence)
    return kept


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def place_names(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> list[str]:
    """The chosen places as a patient says them, left and right of one area told once:
    "both sides of your lower back", "your neck, on your left", "your sacrum and tailbone"."""
    sides: dict[str, set[str]] = {}
    for region_id in region_ids:
        shape = next(v.region_shapes[region_id] for v in atlas.views.values() if region_id in v.region_shapes)
        sides.setdefault(shape.base_id, set()).add(shape.side)
    names = []
    for base, chosen in sides.items():
        label = atlas.region_content[base].label
        name = re.sub(r"\s*\(.*?\)", "", label)
        name = "your " + name[0].lower() + name[1:]
        if chosen == {"left", "right"}:
            names.append("both sides of " + name)
        elif chosen in ({"left"}, {"right"}):
            names.append(f"{name}, on your {next(iter(chosen))}")
        else:
            names.append(name)
    return names


def _listed(names: list[str]) -> str:
    """ "a, b and c"; with semicolons when the names hold commas of their own."""
    if len(names) == 1:
        return names[0]
    comma = "; " if any("," in name for name in names) else ", "
    return comma.join(names[:-1]) + (";" if comma == "; " else "") + " and " + names[-1]


def warning_signs(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Every warning sign for the chosen areas and for back pain in general, each once, most urgent first:
    those that say to call emergency services, then each area's first sign and those that need help
    urgently or the same day, then the rest, in the order given (the areas' own before the general ones)."""
    bases = dict.fromkeys(atlas.base_of(r) for r in region_ids)
    general = atlas.atlas.red_flags_general
    own = [atlas.region_content[b].layers.red_flags for b in bases]
    firsts = {flags[0] for flags in own}
    signs = list(dict.fromkeys([*(f for flags in own for f in flags), *general]))

    def urgency(sign: str) -> int:
        text = sign.lower()
        if "emergency" in text:
            return 0
        if "urgent" in text or "same day" in text or sign in firsts:  # an area names its most pressing sign first
            return 1
        return 2

    return tuple(sorted(signs, key=urgency))  # stable: within a rank, the order above


def patient_story(atlas: ResolvedAtlas, region_ids: tuple[str, ...]) -> tuple[StoryStep, ...]:
    """Short steps for a patient, each one idea in at most STEP_WORDS plain words: where, which lines,
    why, what the research says, keeping safe, when to see a doctor. Several areas are told together;
    the most urgent warning signs go with every step and the whole list with the last."""
    if not region_ids:
        return ()
    explained = explain_areas(atlas, region_ids)  # left and right told once
    if not explained:
        return ()
    first = explained[0]

    def plain(text: str) -> str:
        return without_codes(atlas, text)

    names = place_names(atlas, region_ids)
    if words(_listed(names)) <= 30:
        where = f"You showed me {_listed(names)}."
    else:  # too many to name in one breath; the practitioner points at them on the drawing
        where = f"You showed me {len(names)} places, shaded on the drawing."
    about = _fit(_sentences(plain(first.layers.plain)), STEP_WORDS - words(where))
    where_step = (where, " ".join(about)) if words(" ".join([where, *about])) <= STEP_WORDS else (where,)

    # Each line once, by its closest link to any chosen area, named as the patient would see it.
    strongest: dict[str, str] = {}
    for note in (note for item in explained for note in item.linked_channels):
        known = strongest.get(note.id)
        if known is None or LINK_ORDER.index(note.link) < LINK_ORDER.index(known):
            strongest[note.id] = note.link
    lines = []
    for link, heading in PATIENT_LINKS.items():
        channels = [atlas.channels[c] for c, kind in strongest.items() if kind == link]
        if channels:
            lines.append(f"{heading}: {_listed([c.patient_name or f'the {c.name} line' for c in channels])}.")

    def patient_words(item: RegionExplanation, kind: str) -> str:
        said = item.layers.patient
        if said is not None:
            return said.why if kind == "why" else said.evidence
        text = item.layers.traditional if kind == "why" else item.layers.evidence.summary
        return " ".join(_fit(_sentences(plain(text)), 40))

    others = len(explained) - 1
    why = [patient_words(first, "why")]
    research = [patient_words(first, "evidence")]
    if others:
        more = "other place is" if others == 1 else "other places are"
        why.append(f"Your {more} read the same way, along the lines they lie on.")
        research.append(f"The take-home sheet gives the research for your {more.split()[0]} {more.split()[1]}.")

    signs = warning_signs(atlas, region_ids)
    urgent = signs[:2]
    steps = [
        StoryStep("Where your pain is", where_step),
        StoryStep("The lines that run there", tuple(lines)),
        StoryStep("Why a practitioner works on them", tuple(why)),
        StoryStep("What the research says", tuple(research)),
    ]
    safety = atlas.atlas.safety
    if safety is not None:  # the general words, then each caution the chosen areas' points carry, once
        cautions = [plain(c.patient) for c in area_cautions(atlas, region_ids) if c.patient]
        steps.append(StoryStep("Keeping treatment safe", (plain(safety.patient), *cautions)))
    doctor = (
        "Acupuncture is not the right first step if any of the signs below applies to you: see a doctor, "
        "and get help at once for the first ones.",
    )
    steps.append(StoryStep("When to see a doctor instead", doctor, warnings=signs))
    return tuple(StoryStep(s.title, s.paragraphs, urgent, s.warnings) for s in steps)


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
