"""The content model: what `data/meridians.yaml` may say, typed and frozen.

This is the ground floor: it imports nothing else from the package. Everything
a clinician can edit lives here; cross-references (a pathway naming a point, a
region naming a reference) are checked in `content`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

CHANNEL_IDS = ("BL", "KI", "GV", "GB")
# WHO 2008 code ranges; GV29 (Yintang) is the later, non-WHO addition.
CHANNEL_RANGES = {"BL": 67, "KI": 27, "GV": 29, "GB": 44}
CODE_PATTERN = re.compile(r"^(BL|KI|GV|GB)([1-9][0-9]?)$")

VERTEBRAL_LEVELS = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    *(f"S{n}" for n in range(1, 5)),
)

ViewId = Literal["posterior", "lateral", "anterior", "medial"]
VIEW_IDS: tuple[ViewId, ...] = ("posterior", "lateral", "anterior", "medial")


def _known_level(level: str) -> str:
    if level not in VERTEBRAL_LEVELS:
        raise ValueError(f"unknown vertebral level {level!r} (known: C1-C7, T1-T12, L1-L5, S1-S4)")
    return level


def _known_channel(channel_id: str) -> str:
    if channel_id not in CHANNEL_IDS:
        raise ValueError(f"unknown channel {channel_id!r} (known: {', '.join(sorted(CHANNEL_IDS))})")
    return channel_id


def _point_code(code: str) -> str:
    """A WHO-style code within its channel's range, e.g. BL23."""
    match = CODE_PATTERN.match(code)
    if not match:
        raise ValueError(f"point code {code!r} is not a channel id followed by a number (e.g. BL23)")
    channel, number = match.group(1), int(match.group(2))
    if number > CHANNEL_RANGES[channel]:
        raise ValueError(f"point code {code!r} is outside {channel}1-{channel}{CHANNEL_RANGES[channel]}")
    return code


PointCode = Annotated[str, AfterValidator(_point_code)]


Level = Annotated[str, AfterValidator(_known_level)]
ChannelId = Annotated[str, AfterValidator(_known_channel)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Scale(StrEnum):
    """Proportional B-cun scales; each is one standard bone measurement."""

    back = "back"  # medial borders of the scapulae: 6 B-cun
    head = "head"  # between the mastoid processes: 9 B-cun
    scalp = "scalp"  # posterior hairline to vertex: 7 B-cun
    neck = "neck"  # posterior hairline to C7: 3 B-cun
    thigh = "thigh"  # gluteal fold to popliteal crease: 14 B-cun
    thigh_lateral = "thigh_lateral"  # greater trochanter to popliteal crease: 19 B-cun
    leg = "leg"  # popliteal crease to lateral malleolus: 16 B-cun
    leg_medial = "leg_medial"  # medial tibial condyle to medial malleolus: 13 B-cun
    chest = "chest"  # between the nipples: 8 B-cun
    upper_abdomen = "upper_abdomen"  # xiphisternal junction to the umbilicus: 8 B-cun
    lower_abdomen = "lower_abdomen"  # umbilicus to the pubic symphysis: 5 B-cun
    forehead = "forehead"  # glabella to the anterior hairline: 3 B-cun


class SpinalPlacement(Frozen):
    """Level with a spinous process (or sacral foramen), so many B-cun from the midline."""

    level: Level
    from_midline: Annotated[float, Field(ge=0, le=12)]
    border: Literal["inferior", "superior"] = "inferior"
    scale: Scale = Scale.back


class LandmarkPlacement(Frozen):
    """From a named landmark (or a point placed on the same view), moved in B-cun.

    `scale` measures the offsets along the body (above/below) and, unless
    `across` names another, the sideways ones: on the head and trunk the
    standard measures across and along with different bones (between the
    nipples 8 B-cun, xiphoid to umbilicus 8 B-cun), so there the two differ.
    With `edge`, the horizontal position is taken from the body's outline at that
    height (for points on the side of a limb that a back view shows at its edge);
    with `in_line_with`, from another landmark or point ("directly above the pupil").
    """

    landmark: str
    above: Annotated[float, Field(gt=0)] | None = None
    below: Annotated[float, Field(gt=0)] | None = None
    lateral: Annotated[float, Field(gt=0)] | None = None
    medial: Annotated[float, Field(gt=0)] | None = None
    anterior: Annotated[float, Field(gt=0)] | None = None  # forward, on the side view
    posterior: Annotated[float, Field(gt=0)] | None = None  # backward, on the side view
    scale: Scale | None = None
    across: Scale | None = None
    edge: Literal["lateral", "medial", "anterior", "posterior"] | None = None
    inset: Annotated[float, Field(ge=0)] = 0.0
    in_line_with: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LandmarkPlacement:
        if self.above is not None and self.below is not None:
            raise ValueError("give 'above' or 'below', not both")
        if self.lateral is not None and self.medial is not None:
            raise ValueError("give 'lateral' or 'medial', not both")
        if self.anterior is not None and self.posterior is not None:
            raise ValueError("give 'anterior' or 'posterior', not both")
        offsets = (self.above, self.below, self.lateral, self.medial, self.anterior, self.posterior)
        if self.scale is None and (any(o is not None for o in offsets) or self.inset):
            raise ValueError("'scale' is required when an offset is given")
        sideways = any(o is not None for o in offsets[2:])
        if self.across is not None and not sideways:
            raise ValueError("'across' is the scale of a sideways offset; give one or drop it")
        if self.in_line_with is not None and (sideways or self.edge is not None):
            raise ValueError("'in_line_with' sets the sideways position; give no sideways offset or edge with it")
        return self

    @property
    def rise(self) -> float:
        """Signed vertical offset in B-cun (up is positive)."""
        return (self.above or 0.0) - (self.below or 0.0)

    @property
    def outward(self) -> float:
        """Signed horizontal offset in B-cun (away from the midline is positive)."""
        return (self.lateral or 0.0) - (self.medial or 0.0)

    @property
    def forward(self) -> float:
        """Signed offset towards the front in B-cun, for the side view."""
        return (self.anterior or 0.0) - (self.posterior or 0.0)


class BetweenPlacement(Frozen):
    """A fraction of the way from one landmark (or spinal level) to another."""

    between: tuple[str, str]
    fraction: Annotated[float, Field(ge=0, le=1)]


def _placement_kind(value: object) -> str:
    """Pick the placement form from its keys, so errors speak of one form only."""
    keys = value.keys() if isinstance(value, dict) else vars(value).keys()
    if "level" in keys:
        return "spinal"
    if "between" in keys:
        return "between"
    return "landmark"


PLACEMENT_TAGS = ("spinal", "between", "landmark")
Placement = Annotated[
    Annotated[SpinalPlacement, Tag("spinal")]
    | Annotated[BetweenPlacement, Tag("between")]
    | Annotated[LandmarkPlacement, Tag("landmark")],
    Discriminator(_placement_kind),
]


class Point(Frozen):
    code: PointCode
    pinyin: Annotated[str, Field(min_length=1)]
    hanzi: Annotated[str, Field(min_length=1)]
    english: Annotated[str, Field(min_length=1)]
    location: Annotated[str, Field(min_length=1)]
    region: str
    side: Literal["bilateral", "midline"]
    views: dict[ViewId, Placement] = Field(default_factory=dict)
    who_standard: bool = True
    note: str | None = None
    cautions: list[str] = Field(default_factory=list)  # ids of `safety.cautions` that apply here

    @property
    def channel(self) -> str:
        return self.code[:2]

    @property
    def number(self) -> int:
        return int(self.code[2:])


class DeepPathway(Frozen):
    """An internal course, drawn dashed: through landmarks and points, in order."""

    label: Annotated[str, Field(min_length=1)]
    view: ViewId = "posterior"
    through: Annotated[list[str], Field(min_length=2)]


class Channel(Frozen):
    id: ChannelId
    name: Annotated[str, Field(min_length=1)]
    english: Annotated[str, Field(min_length=1)]
    pinyin: Annotated[str, Field(min_length=1)]
    hanzi: Annotated[str, Field(min_length=1)]
    colour: Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
    dash: Literal["dash", "dot", "dashdot", "longdash", "longdashdot"]
    symbol: Literal["circle", "square", "diamond", "triangle-up", "hexagon"]
    # The surface line's style, a cue beside colour that survives colour blindness and greyscale
    # (figure.LINE_STYLES): a plain line, a double one, a thick or a thin one; always unbroken.
    line: Literal["single", "double", "thick", "thin"] = "single"
    pathway: Annotated[list[list[str]], Field(min_length=1)]
    deep_pathways: list[DeepPathway] = Field(default_factory=list)
    summary_plain: Annotated[str, Field(min_length=1)]
    summary_traditional: Annotated[str, Field(min_length=1)]
    # What the treatment room calls it, in plain words: "the line up the middle of your back".
    patient_name: Annotated[str, Field(min_length=1)] | None = None

    @property
    def called(self) -> str:
        """Its name in running text: "Bladder channel", but "Governing Vessel" (a vessel, not a channel)."""
        return self.name if self.name.endswith("Vessel") else f"{self.name} channel"


class ChannelLink(Frozen):
    id: ChannelId
    link: Literal["runs_through", "distal", "deep", "none"]
    note: Annotated[str, Field(min_length=1)]


class Evidence(Frozen):
    summary: Annotated[str, Field(min_length=1)]
    refs: list[str] = Field(default_factory=list)


class PatientWords(Frozen):
    """The treatment room's words for a region: a sentence or two each, plain, no codes or citations."""

    why: Annotated[str, Field(min_length=1)]
    evidence: Annotated[str, Field(min_length=1)]


class Layers(Frozen):
    plain: Annotated[str, Field(min_length=1)]
    traditional: Annotated[str, Field(min_length=1)]
    anatomy: Annotated[str, Field(min_length=1)]
    asks: Annotated[list[str], Field(min_length=1)]
    evidence: Evidence
    red_flags: Annotated[list[str], Field(min_length=1)]
    patient: PatientWords | None = None  # without it, the treatment room shows the full layers


# A region vertex: [x, y]. x is B-cun from the midline on the back scale (lateral
# is positive for a paired region, drawn on the patient's right and mirrored), a
# landmark name (its x), "arm_line" (the line between trunk and arm at that
# height) or "out" (past the body's edge). y is a landmark or vertebral level, or
# "top"/"bottom" (past the head and feet).
Vertex = tuple[float | str, str]


class Region(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    label: Annotated[str, Field(min_length=1)]
    paired: bool
    # Convex cells per view; a paired region is drawn on the patient's right
    # (and mirrored on the back view). The side view shows the right side only.
    shapes: Annotated[
        dict[ViewId, Annotated[list[Annotated[list[Vertex], Field(min_length=3)]], Field(min_length=1)]],
        Field(min_length=1),
    ]
    channels: Annotated[list[ChannelLink], Field(min_length=1)]
    key_points: list[str] = Field(default_factory=list)  # points inside the area (on some view)
    # Points outside the area that are used for it: distal points along a channel, and neighbours.
    points_elsewhere: list[str] = Field(default_factory=list)
    layers: Layers

    @property
    def all_points(self) -> list[str]:
        """The points a practitioner would use for this area: its own, then those elsewhere."""
        return [*self.key_points, *self.points_elsewhere]


class Chain(Frozen):
    """Pain that travels through several regions along one channel (radiating pain)."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    channel: ChannelId
    regions: Annotated[list[str], Field(min_length=2)]
    text: Annotated[str, Field(min_length=1)]
    refs: list[str] = Field(default_factory=list)


class MeasuringTopic(Frozen):
    heading: Annotated[str, Field(min_length=1)]
    text: Annotated[str, Field(min_length=1)]


class Measuring(Frozen):
    """For students: the measuring conventions the point locations assume (B-cun, F-cun, back landmarks)."""

    title: Annotated[str, Field(min_length=1)]
    topics: Annotated[list[MeasuringTopic], Field(min_length=1)]
    refs: Annotated[list[str], Field(min_length=1)]


# A point outside the four channels: another channel's (SI3) or an extra point (EX-B2).
OTHER_CODE_PATTERN = r"EX-(?:HN|CA|B|UE|LE)[1-9][0-9]?|(?:LU|LI|ST|SP|HT|SI|PC|TE|LR|CV)[1-9][0-9]?"


class OtherPoint(Frozen):
    """A point of another channel, or an extra point, that region text names: described, never drawn."""

    code: Annotated[str, Field(pattern=rf"^(?:{OTHER_CODE_PATTERN})$")]
    pinyin: Annotated[str, Field(min_length=1)]
    hanzi: Annotated[str, Field(min_length=1)]
    english: Annotated[str, Field(min_length=1)]
    channel: Annotated[str, Field(min_length=1)] | None = None  # "Small Intestine"; none for an extra point
    location: Annotated[str, Field(min_length=1)]  # by landmark and B-cun
    standard: Annotated[str, Field(min_length=1)]  # which standard defines the code and location
    note: str | None = None
    refs: Annotated[list[str], Field(min_length=1)]
    cautions: list[str] = Field(default_factory=list)  # ids of safety.cautions, as on a point of the four

    @property
    def kind(self) -> str:
        """How it is named in the panel: "Small Intestine channel", "Conception Vessel" or "extra point"."""
        if self.channel is None:
            return "extra point"
        return self.channel if self.channel.endswith("Vessel") else f"{self.channel} channel"


class Reference(Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    citation: Annotated[str, Field(min_length=1)]
    url: str | None = None
    note: str | None = None


Ident = Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
Text = Annotated[str, Field(min_length=1)]


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    return repeated


def _suggest(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"(known: {', '.join(known)}){hint}"


class ProfileOption(Frozen):
    id: Ident
    label: Text
    # How the answer reads inside a summary sentence; the label in lower case if not given.
    phrase: Text | None = None

    @property
    def text(self) -> str:
        return self.phrase if self.phrase is not None else self.label.lower()


class ProfileQuestion(Frozen):
    id: Ident
    label: Text
    # A summary-sentence template: "{}" stands for the chosen options' phrases.
    phrase: Text = "{}"
    # The subject of the summary sentence ("heavy pain"), not a clause ("that is worse at night").
    subject: bool = False
    options: Annotated[list[ProfileOption], Field(min_length=2)]

    @field_validator("phrase")
    @classmethod
    def _one_slot(cls, phrase: str) -> str:
        if phrase.count("{}") != 1 or phrase.replace("{}", "").count("{") or phrase.replace("{}", "").count("}"):
            raise ValueError(f"phrase {phrase!r} must contain '{{}}' exactly once, where the answers go")
        return phrase

    @model_validator(mode="after")
    def _unique_options(self) -> ProfileQuestion:
        repeated = _duplicates(o.id for o in self.options)
        if repeated:
            raise ValueError(f"question {self.id!r} repeats option id(s): {', '.join(repeated)}")
        return self

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def option(self, option_id: str) -> ProfileOption:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"question {self.id!r} has no option {option_id!r} {_suggest(option_id, self.option_ids)}")


class PatternSign(Frozen):
    """One answer that points to a pattern, and how strongly (3 defining, 2 typical, 1 supporting)."""

    question: Ident
    option: Ident
    weight: Annotated[int, Field(ge=1, le=3)]


class Pattern(Frozen):
    id: Ident
    name: Text
    plain: Text
    traditional: Text
    signs: Annotated[list[PatternSign], Field(min_length=1)]
    channels: Annotated[list[ChannelId], Field(min_length=1)]
    points: Annotated[list[PointCode], Field(min_length=3, max_length=6)]
    note: Text

    @model_validator(mode="after")
    def _consistent(self) -> Pattern:
        repeated = _duplicates(f"{s.question}.{s.option}" for s in self.signs)
        if repeated:
            raise ValueError(f"pattern {self.id!r} lists a sign more than once: {', '.join(repeated)}")
        for field, values in (("channels", self.channels), ("points", self.points)):
            repeated = _duplicates(values)
            if repeated:
                raise ValueError(f"pattern {self.id!r} repeats {field}: {', '.join(repeated)}")
        stray = [code for code in self.points if code[:2] not in self.channels]
        if stray:
            raise ValueError(
                f"pattern {self.id!r}: point(s) {', '.join(stray)} are on a channel not listed in its channels "
                f"({', '.join(self.channels)})"
            )
        return self


class PainProfile(Frozen):
    """The whole pain-profile section: the questions, the patterns and the caveat to show with them."""

    caveat: Text
    sources: list[Text] = Field(default_factory=list)
    questions: Annotated[list[ProfileQuestion], Field(min_length=1)]
    patterns: Annotated[list[Pattern], Field(min_length=1)]

    @model_validator(mode="after")
    def _cross_references(self) -> PainProfile:
        problems: list[str] = []
        for kind, ids in (("question", (q.id for q in self.questions)), ("pattern", (p.id for p in self.patterns))):
            repeated = _duplicates(ids)
            if repeated:
                problems.append(f"{kind} ids must be unique; repeated: {', '.join(repeated)}")
        subjects = [q.id for q in self.questions if q.subject]
        if len(subjects) > 1:
            problems.append(f"at most one question may be the subject; found {', '.join(subjects)}")
        questions = {q.id: q for q in self.questions}
        for i, pattern in enumerate(self.patterns):
            for j, sign in enumerate(pattern.signs):
                where = f"patterns[{i}] ({pattern.id}).signs[{j}]"
                question = questions.get(sign.question)
                if question is None:
                    problems.append(f"{where}: unknown question {sign.question!r} {_suggest(sign.question, questions)}")
                elif sign.option not in question.option_ids:
                    problems.append(
                        f"{where}: unknown option {sign.option!r} for question {sign.question!r} "
                        f"{_suggest(sign.option, question.option_ids)}"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def question(self, question_id: str) -> ProfileQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = [q.id for q in self.questions]
        raise KeyError(f"no question {question_id!r} {_suggest(question_id, known)}")

    def pattern(self, pattern_id: str) -> Pattern:
        for pattern in self.patterns:
            if pattern.id == pattern_id:
                return pattern
        known = [p.id for p in self.patterns]
        raise KeyError(f"no pattern {pattern_id!r} {_suggest(pattern_id, known)}")

    @property
    def point_codes(self) -> tuple[str, ...]:
        """Every point any pattern names, each once, in file order."""
        return tuple(dict.fromkeys(code for p in self.patterns for code in p.points))


class SafetyItem(Frozen):
    """One general safety fact, said once for every point and area, with its sources."""

    id: Ident
    title: Text
    text: Text
    refs: Annotated[list[str], Field(min_length=1)]


class Caution(Frozen):
    """A caution that points name by id (`cautions: [pregnancy]`): shown on their card.

    With `patient`, the treatment room says it, once, when a chosen area's key points carry it."""

    id: Ident
    title: Text
    text: Text
    patient: Text | None = None
    refs: Annotated[list[str], Field(min_length=1)]


class Safety(Frozen):
    """Safety, stated once: how common harm is and who should take care, and the point cautions."""

    summary: Text
    patient: Text  # the treatment room's words: plain, no codes, figures or citations
    items: Annotated[list[SafetyItem], Field(min_length=1)]
    cautions: list[Caution] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Safety:
        problems = []
        for kind, ids in (("item", (i.id for i in self.items)), ("caution", (c.id for c in self.cautions))):
            repeated = _duplicates(ids)
            if repeated:
                problems.append(f"{kind} ids must be unique; repeated: {', '.join(repeated)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def caution(self, caution_id: str) -> Caution:
        for caution in self.cautions:
            if caution.id == caution_id:
                return caution
        raise KeyError(f"no caution {caution_id!r} {_suggest(caution_id, [c.id for c in self.cautions])}")


class Atlas(Frozen):
    """The whole content file."""

    version: Literal[1]
    disclaimer: Annotated[str, Field(min_length=1)]
    red_flags_general: Annotated[list[str], Field(min_length=1)]
    safety: Safety | None = None
    channels: Annotated[list[Channel], Field(min_length=1)]
    points: Annotated[list[Point], Field(min_length=1)]
    regions: Annotated[list[Region], Field(min_length=1)]
    chains: list[Chain] = Field(default_factory=list)
    pain_profile: PainProfile | None = None
    measuring: Measuring | None = None
    other_points: list[OtherPoint] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
