"""The pain profile: how a traditional practitioner reasons from a description of pain.

Optional questions (what the pain feels like, when it is worst, what eases it,
what worsens it) and the four textbook low-back-pain patterns of traditional
Chinese medicine, each with the answers that point to it and a weight. `reason`
ranks the patterns a set of answers points to. This teaches how traditional
diagnosis thinks; nothing here is, or may be shown as, a diagnosis of the user.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from .model import PainProfile, Pattern, ProfileOption, ProfileQuestion


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
