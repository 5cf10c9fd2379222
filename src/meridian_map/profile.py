"""The pain profile: how a traditional practitioner reasons from a description of pain.

Optional questions (what the pain feels like, when it is worst, what eases it,
what worsens it) and the four textbook low-back-pain patterns of traditional
Chinese medicine, each with the answers that point to it and a weight. `reason`
ranks the patterns a set of answers points to. This teaches how traditional
diagnosis thinks; nothing here is, or may be shown as, a diagnosis of the user.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, Field, field_validator, model_validator

from .model import CHANNEL_RANGES, CODE_PATTERN, ChannelId, Frozen

Ident = Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
Text = Annotated[str, Field(min_length=1)]


def _point_code(code: str) -> str:
    match = CODE_PATTERN.match(code)
    if not match:
        raise ValueError(f"point code {code!r} is not a channel id followed by a number (e.g. BL23)")
    channel, number = match.group(1), int(match.group(2))
    if number > CHANNEL_RANGES[channel]:
        raise ValueError(f"point code {code!r} is outside {channel}1-{channel}{CHANNEL_RANGES[channel]}")
    return code


PointCode = Annotated[str, AfterValidator(_point_code)]


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


def load_profile(path: str | Path) -> PainProfile:
    """Read the `pain_profile:` section of a YAML file (safe loader); raises pydantic's ValidationError."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(document, dict) or "pain_profile" not in document:
        raise ValueError(f"{path}: no top-level 'pain_profile:' section")
    return PainProfile.model_validate(document["pain_profile"])


def unknown_points(profile: PainProfile, known_codes: Collection[str]) -> list[str]:
    """Point codes the profile names that the atlas does not have (empty when all resolve)."""
    return [code for code in profile.point_codes if code not in known_codes]


@dataclass(frozen=True)
class MatchedSign:
    question: ProfileQuestion
    option: ProfileOption
    weight: int

    @property
    def question_label(self) -> str:
        return self.question.label

    @property
    def option_label(self) -> str:
        return self.option.label


@dataclass(frozen=True)
class PatternMatch:
    pattern: Pattern
    score: int
    # In question order, then option order, as the questions are asked.
    signs: tuple[MatchedSign, ...]


Answers = Mapping[str, Collection[str] | str]


def _chosen(profile: PainProfile, answers: Answers) -> Iterator[tuple[str, str]]:
    """Each (question, option) answered, checked against the profile; a bare string counts as one option."""
    for question_id, value in answers.items():
        question = profile.question(question_id)
        for option_id in (value,) if isinstance(value, str) else value:
            question.option(option_id)
            yield question_id, option_id


def reason(profile: PainProfile, answers: Answers) -> list[PatternMatch]:
    """The patterns the answers point to in traditional reasoning, best first.

    A pattern's score is the sum of the weights of its signs that were answered;
    patterns scoring 0 are left out and ties keep the file's order. Unknown
    question or option ids raise KeyError (they mean a bug or a stale link).
    """
    chosen = set(_chosen(profile, answers))
    order = {(q.id, o.id): n for n, (q, o) in enumerate((q, o) for q in profile.questions for o in q.options)}
    matches: list[PatternMatch] = []
    for pattern in profile.patterns:
        hits = sorted(
            (s for s in pattern.signs if (s.question, s.option) in chosen),
            key=lambda s: order[(s.question, s.option)],
        )
        score = sum(s.weight for s in hits)
        if score:
            signs = tuple(
                MatchedSign(profile.question(s.question), profile.question(s.question).option(s.option), s.weight)
                for s in hits
            )
            matches.append(PatternMatch(pattern, score, signs))
    return sorted(matches, key=lambda m: -m.score)  # stable: ties stay in file order


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def matching_summary(match: PatternMatch) -> str:
    """One sentence: which answers point, in traditional reasoning, to the pattern.

    E.g. "Heavy pain that is eased by warmth and is worse in cold and damp
    weather points, in traditional reasoning, to Cold-Damp."
    """
    grouped: dict[str, tuple[ProfileQuestion, list[str]]] = {}
    for sign in match.signs:
        grouped.setdefault(sign.question.id, (sign.question, []))[1].append(sign.option.text)
    subject = "pain"
    clauses: list[str] = []
    for question, texts in grouped.values():
        text = question.phrase.format(_and(texts))
        if question.subject:
            subject = text
        else:
            clauses.append(text)
    sentence = subject + (f" that {_and(clauses)}" if clauses else "")
    return f"{sentence[:1].upper()}{sentence[1:]} points, in traditional reasoning, to {match.pattern.name}."
