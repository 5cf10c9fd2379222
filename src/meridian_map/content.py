"""Load `meridians.yaml` into an `Atlas`, with errors a clinician can act on.

Every problem is reported as `FILE:LINE: path.to.field: message`. The CLI, the
app and the tests all show these same lines. YAML is read here only, and only
with the safe loader (libyaml's C one when PyYAML has it, else the pure-Python one).

A hostile or mistaken file is refused before it is parsed in full: one that is too
large, nested too deep, or that holds (or expands through aliases to) too many values.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .model import OTHER_CODE_PATTERN, PLACEMENT_TAGS, Atlas, Region

PathPart = str | int

# libyaml's parser when PyYAML was built with it (about 5 times faster), else the pure-Python one.
# Both give the same line numbers; their syntax error wording differs.
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits that no real content file comes near (the bundled one: 0.26 MB, 7 levels, about 10,000
# values, no aliases), so that a wrong or hostile file is refused in well under a second.
MAX_BYTES = 4_000_000
MAX_DEPTH = 32  # mappings and lists inside each other
MAX_VALUES = 100_000  # keys, items and scalars, counting what aliases expand to
MAX_ALIASES = 100  # `*name` references to an `&name` anchor
TOO_DEEP = f"lists and mappings nested more than {MAX_DEPTH} levels deep"
MAX_PROBLEMS = 50  # reported at once: the rest come once these are fixed
MAX_SUGGEST_FROM = 2_000  # "did you mean" looks among this many names at most
# A point code in running text: one of the four channels' (BL23) or another point's (SI3, EX-B2).
TEXT_CODE = re.compile(rf"\b(?:(?:BL|KI|GV|GB)[1-9][0-9]?|{OTHER_CODE_PATTERN})\b")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class ContentError(Exception):
    """One or more problems in a content file."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(parts: Sequence[PathPart]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(file)"


class SourceMap:
    """Finds the line of any field of the document, for error messages.

    The node tree is parsed only when a line is first asked for: a valid file never needs it."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text

    @cached_property
    def root(self) -> yaml.Node | None:
        return yaml.compose(self.text, Loader=LOADER)

    def node(self, parts: Sequence[PathPart]) -> yaml.Node | None:
        node = self.root
        for part in parts:
            child = _child(node, part)
            if child is None:
                return node  # the deepest part that exists, e.g. the parent of a missing field
            node = child
        return node

    def line(self, parts: Sequence[PathPart]) -> int:
        node = self.node(parts)
        return node.start_mark.line + 1 if node is not None else 1

    def key_line(self, parts: Sequence[PathPart]) -> int:
        """The line of a mapping key itself (for keys that should not be there)."""
        *parent_parts, key = parts
        parent = self.node(parent_parts)
        if isinstance(parent, yaml.MappingNode):
            for key_node, _ in parent.value:
                if key_node.value == key:
                    return int(key_node.start_mark.line) + 1
        return self.line(parent_parts)

    def problem(self, parts: Sequence[PathPart], message: str, *, key: bool = False) -> Problem:
        line = self.key_line(parts) if key else self.line(parts)
        return Problem(self.file, line, format_path(parts), message)


def _child(node: yaml.Node | None, part: PathPart) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == part:
                return value_node  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


@dataclass(frozen=True)
class LoadedContent:
    atlas: Atlas
    source: SourceMap
    digest: str = ""  # of the file's bytes: what caches of anything drawn from it are keyed by


def load_content(path: str | Path, loader: type[yaml.SafeLoader] = LOADER) -> LoadedContent:
    """Read, parse and validate a content file; raise `ContentError` on any problem."""
    file = str(path)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        raise ContentError([Problem(file, 1, "(file)", f"cannot read the file: {error.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        message = (
            f"the file is {max(size, len(raw)) / 1e6:.1f} MB; a content file may be at most {MAX_BYTES / 1e6:g} MB"
        )
        raise ContentError([Problem(file, 1, "(file)", message)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(
            [
                Problem(
                    file,
                    line,
                    "(file)",
                    f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from None
    if not text.strip():
        raise ContentError([Problem(file, 1, "(file)", "the file is empty")])
    try:
        check_shape(file, text, loader)
        data = _construct(text, loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        if reason == "exceeded maximum nesting depth":  # libyaml's own limit (1,000), met before ours
            raise ContentError([Problem(file, line, "(file)", TOO_DEEP)]) from None
        raise ContentError([Problem(file, line, "(syntax)", f"YAML syntax error: {reason}")]) from None
    source = SourceMap(file, text)
    if not isinstance(data, dict):
        raise ContentError(
            [source.problem([], "the top level must be a mapping of keys (version, channels, points, ...)")]
        )
    try:
        atlas = Atlas.model_validate(data)
    except ValidationError as error:
        raise ContentError(_first_problems(_schema_problems(error, source), file)) from None
    problems = _first_problems(cross_reference_problems(atlas, source), file)
    if problems:
        raise ContentError(problems)
    return LoadedContent(atlas, source, hashlib.sha256(raw).hexdigest())


def _construct(text: str, loader: type[yaml.SafeLoader]) -> Any:
    """The document's data, built by a safe loader (SafeLoader or CSafeLoader) only."""
    parser = loader(text)
    try:
        return parser.get_single_data()
    finally:
        parser.dispose()


@dataclass
class _Open:
    """A mapping or list still open while the parser's events stream past."""

    part: PathPart | None  # its key or index in the one around it
    mapping: bool
    anchor: str | None
    values: int = 1  # itself and everything inside, aliases expanded
    children: int = 0
    key: PathPart = "?"


def check_shape(file: str, text: str, loader: type[yaml.SafeLoader] = LOADER) -> None:
    """Refuse a document nested too deep or with too many values (aliases expanded), from the
    parser's events alone: in time linear in the file, with no recursion, before anything is built."""
    stack: list[_Open] = []
    expanded: dict[str, int] = {}  # anchor -> the values an alias to it stands for
    values = aliases = 0

    def refuse(event: yaml.Event, message: str) -> ContentError:
        parts = [frame.part for frame in stack[1:] if frame.part is not None]
        here = _part_here(stack)
        if here is not None:
            parts.append(here)
        path = format_path(parts[:6]) + ("…" if len(parts) > 6 else "")
        return ContentError([Problem(file, _line(event), path, message)])

    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.ScalarEvent):  # most events: one check and on
            values += 1
            if values > MAX_VALUES:
                raise refuse(event, f"the file holds more than {MAX_VALUES:,} values (keys, items and texts)")
            if event.anchor:
                expanded[event.anchor] = 1
            if stack:
                frame = stack[-1]
                frame.values += 1
                if frame.mapping and not frame.children % 2:
                    frame.key = event.value
                frame.children += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            done = stack.pop()
            if done.anchor:
                expanded[done.anchor] = done.values
            if stack:
                stack[-1].values += done.values
                _took_child(stack[-1])
        elif isinstance(event, yaml.CollectionStartEvent):
            values += 1
            if values > MAX_VALUES:
                raise refuse(event, f"the file holds more than {MAX_VALUES:,} values (keys, items and texts)")
            if len(stack) >= MAX_DEPTH:
                raise ContentError([Problem(file, _line(event), "(file)", TOO_DEEP)])
            stack.append(_Open(_part_here(stack), isinstance(event, yaml.MappingStartEvent), event.anchor))
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise refuse(event, f"more than {MAX_ALIASES} aliases (*name); write the values out instead")
            weight = expanded.get(event.anchor or "", 1)
            values += weight
            if values > MAX_VALUES:
                raise refuse(
                    event, f"aliases (*name) expand to more than {MAX_VALUES:,} values (keys, items and texts)"
                )
            if stack:
                stack[-1].values += weight
                _took_child(stack[-1])


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _part_here(stack: list[_Open]) -> PathPart | None:
    """The key or index of the next node in the innermost open collection (None for a key)."""
    if not stack:
        return None
    frame = stack[-1]
    if not frame.mapping:
        return frame.children
    return frame.key if frame.children % 2 else None


def _took_child(frame: _Open) -> None:
    """A child that is not a plain scalar: as a mapping's key it gets no name."""
    if frame.mapping and not frame.children % 2:
        frame.key = "?"
    frame.children += 1


def _first_problems(problems: Iterator[Problem], file: str) -> list[Problem]:
    """At most MAX_PROBLEMS, by line; a file with thousands of mistakes says so in one more line."""
    shown = sorted(itertools.islice(problems, MAX_PROBLEMS), key=lambda p: p.line)
    if next(problems, None) is not None:
        shown.append(
            Problem(file, shown[-1].line, "(file)", f"more problems after these {MAX_PROBLEMS}: fix these first")
        )
    return shown


def _schema_problems(error: ValidationError, source: SourceMap) -> Iterator[Problem]:
    seen: set[tuple[int, str]] = set()
    for detail in error.errors():
        # Drop pydantic's own markers (union branches, "[key]" for a bad mapping key) from the path.
        parts = [p for p in detail["loc"] if p not in PLACEMENT_TAGS and p != "[key]" and not _is_union_branch(p)]
        kind = detail["type"]
        if kind == "missing":
            *parent, name = parts
            problem = source.problem(parent, f"missing required field '{name}'")
        elif kind == "extra_forbidden":
            problem = source.problem(parts, f"unknown key '{parts[-1]}'", key=True)
        else:
            problem = source.problem(parts, _tidy(detail["msg"], detail.get("input")))
        if (problem.line, problem.path) not in seen:
            seen.add((problem.line, problem.path))
            yield problem


def _is_union_branch(part: PathPart) -> bool:
    # pydantic names the branch of `float | str` it tried, e.g. "float" or "str".
    return part in {"float", "str", "int"}


def _tidy(message: str, value: object) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    message = message[0].lower() + message[1:] if message else message
    if isinstance(value, str | int | float) and repr(value) not in message:
        message += f" (got {value!r})"
    return message


def cross_reference_problems(atlas: Atlas, source: SourceMap) -> Iterator[Problem]:
    """Names that must point at something: codes, channels, references."""
    codes: dict[str, int] = {}
    defined_channels = {c.id for c in atlas.channels}
    for i, point in enumerate(atlas.points):
        if point.code in codes:
            first = source.line(["points", codes[point.code], "code"])
            yield source.problem(
                ["points", i, "code"], f"duplicate point code '{point.code}' (first defined on line {first})"
            )
        else:
            codes[point.code] = i
        if point.channel not in defined_channels:
            yield source.problem(
                ["points", i, "code"],
                f"point '{point.code}' belongs to channel '{point.channel}', which the file does not define",
            )
        if point.side == "midline" and point.channel != "GV":
            yield source.problem(
                ["points", i, "side"], f"only Governing Vessel points lie on the midline, not '{point.code}'"
            )

    channel_ids: dict[str, int] = {}
    for c, channel in enumerate(atlas.channels):
        if channel.id in channel_ids:
            yield source.problem(["channels", c, "id"], f"duplicate channel '{channel.id}'")
        channel_ids[channel.id] = c
        for b, branch in enumerate(channel.pathway):
            for k, code in enumerate(branch):
                if code not in codes:
                    yield source.problem(["channels", c, "pathway", b, k], _unknown_point(code, codes))
                elif not code.startswith(channel.id):
                    yield source.problem(
                        ["channels", c, "pathway", b, k], f"point '{code}' is not on the {channel.id} channel"
                    )

    ref_ids = {ref.id for ref in atlas.references}
    region_ids: dict[str, int] = {}
    for r, region in enumerate(atlas.regions):
        if region.id in region_ids:
            yield source.problem(["regions", r, "id"], f"duplicate region id '{region.id}'")
        region_ids[region.id] = r
        for field in ("key_points", "points_elsewhere"):
            for k, code in enumerate(getattr(region, field)):
                if code not in codes:
                    yield source.problem(["regions", r, field, k], _unknown_point(code, codes))
        for k in _duplicates_at(region.key_points, region.points_elsewhere):
            yield source.problem(
                ["regions", r, "points_elsewhere", k],
                f"'{region.points_elsewhere[k]}' is already a key point of '{region.id}'",
            )
        for k, ref in enumerate(region.layers.evidence.refs):
            if ref not in ref_ids:
                yield source.problem(
                    ["regions", r, "layers", "evidence", "refs", k],
                    f"unknown reference '{ref}'{_suggest(ref, ref_ids)}",
                )

    other_codes: dict[str, int] = {}
    for o, other in enumerate(atlas.other_points):
        if other.code in other_codes:
            first = source.line(["other_points", other_codes[other.code], "code"])
            yield source.problem(
                ["other_points", o, "code"], f"duplicate point code '{other.code}' (first defined on line {first})"
            )
        other_codes.setdefault(other.code, o)
        for k, ref in enumerate(other.refs):
            if ref not in ref_ids:
                yield source.problem(
                    ["other_points", o, "refs", k], f"unknown reference '{ref}'{_suggest(ref, ref_ids)}"
                )
    for r, region in enumerate(atlas.regions):
        for path, text in region_texts(region):
            for code in dict.fromkeys(TEXT_CODE.findall(text)):
                if code not in codes and code not in other_codes:
                    yield source.problem(["regions", r, *path], _unknown_named_point(code, codes, other_codes))

    if atlas.measuring is not None:
        for k, ref in enumerate(atlas.measuring.refs):
            if ref not in ref_ids:
                yield source.problem(["measuring", "refs", k], f"unknown reference '{ref}'{_suggest(ref, ref_ids)}")
    yield from _safety_problems(atlas, source, ref_ids)

    for c, chain in enumerate(atlas.chains):
        for k, region_id in enumerate(chain.regions):
            if region_id not in region_ids:
                yield source.problem(
                    ["chains", c, "regions", k], f"unknown region '{region_id}'{_suggest(region_id, region_ids)}"
                )
        for k, ref in enumerate(chain.refs):
            if ref not in ref_ids:
                yield source.problem(["chains", c, "refs", k], f"unknown reference '{ref}'{_suggest(ref, ref_ids)}")

    if atlas.pain_profile is not None:
        for p, pattern in enumerate(atlas.pain_profile.patterns):
            for k, code in enumerate(pattern.points):
                if code not in codes:
                    yield source.problem(["pain_profile", "patterns", p, "points", k], _unknown_point(code, codes))


def region_texts(region: Region) -> Iterator[tuple[list[PathPart], str]]:
    """The region's own prose that may name points (the patient's words name none), with its path."""
    for c, link in enumerate(region.channels):
        yield ["channels", c, "note"], link.note
    layers = region.layers
    for name in ("plain", "traditional", "anatomy"):
        yield ["layers", name], getattr(layers, name)
    for k, ask in enumerate(layers.asks):
        yield ["layers", "asks", k], ask
    yield ["layers", "evidence", "summary"], layers.evidence.summary


def _unknown_named_point(code: str, codes: dict[str, int], other_codes: dict[str, int]) -> str:
    if code[:2] in {"BL", "KI", "GV", "GB"}:
        return f"the text names '{code}', which is not a point of the file{_suggest(code, codes)}"
    return (
        f"the text names '{code}', which is neither a point of the four channels nor in other_points"
        f"{_suggest(code, other_codes)}"
    )


def _safety_problems(atlas: Atlas, source: SourceMap, ref_ids: set[str]) -> Iterator[Problem]:
    """Safety claims cite known references; points name known cautions."""
    safety = atlas.safety
    caution_ids = [c.id for c in safety.cautions] if safety is not None else []
    if safety is not None:
        cited = [("items", e, item.refs) for e, item in enumerate(safety.items)]
        cited += [("cautions", e, caution.refs) for e, caution in enumerate(safety.cautions)]
        for kind, e, refs in cited:
            for k, ref in enumerate(refs):
                if ref not in ref_ids:
                    yield source.problem(
                        ["safety", kind, e, "refs", k], f"unknown reference '{ref}'{_suggest(ref, ref_ids)}"
                    )
    carriers = [("points", i, p.cautions) for i, p in enumerate(atlas.points)]
    carriers += [("other_points", i, p.cautions) for i, p in enumerate(atlas.other_points)]
    for section, i, cautions in carriers:
        for k, caution in enumerate(cautions):
            if caution not in caution_ids:
                close = difflib.get_close_matches(caution, caution_ids[:MAX_SUGGEST_FROM], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                known = f"(known: {', '.join(caution_ids)}{hint})" if caution_ids else "(no safety.cautions defined)"
                yield source.problem([section, i, "cautions", k], f"unknown caution '{caution}' {known}")


def _unknown_point(code: str, codes: dict[str, int]) -> str:
    return f"unknown point '{code}'{_suggest(code, codes)}"


def _suggest(name: str, known: Any) -> str:
    if len(known) > MAX_SUGGEST_FROM:
        return ""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _duplicates_at(first: list[str], second: list[str]) -> list[int]:
    """Indexes in `second` of entries that `first` already has."""
    firsts = set(first)
    return [k for k, item in enumerate(second) if item in firsts]
