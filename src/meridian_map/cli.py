"""`python -m meridian_map validate|export|schema [FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .atlas import data_path, open_atlas
from .content import ContentError
from .export import export_atlas
from .model import Atlas


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="meridian_map", description="Check and export Meridian Map content.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("validate", "check a content file; one line per problem as FILE:LINE: path: message"),
        ("export", "print the resolved content (figure coordinates) as JSON"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument(
            "file", nargs="?", help="content file (default: $MERIDIAN_MAP_DATA or data/meridians.yaml)"
        )
    commands.add_parser("schema", help="print the JSON Schema of the content file")
    args = parser.parse_args(argv)

    if args.command == "schema":
        print(json.dumps(content_schema(), indent=2, ensure_ascii=False))
        return 0
    path = data_path(args.file)
    try:
        atlas = open_atlas(path)
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    if args.command == "export":
        json.dump(export_atlas(atlas), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    views = atlas.views.values()
    points = ", ".join(f"{len(v.positions)} on the {v.view} view" for v in views)
    regions = ", ".join(f"{len(v.regions)} on the {v.view} view" for v in views)
    print(
        f"{path}: OK: {len(atlas.atlas.channels)} channels, {len(atlas.atlas.points)} points ({points}), "
        f"{len(atlas.atlas.regions)} regions ({regions}), {len(atlas.atlas.references)} references"
    )
    return 0


def content_schema() -> dict[str, object]:
    schema = Atlas.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Meridian Map content (data/meridians.yaml)"
    return schema
