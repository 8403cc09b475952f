"""`convert`: the record the metadata files make together, as it would be sent, with each
field's origin. YAML carries the origins as comments; JSON is a `.zenodo.json` as is, with
the origins on stderr. What a release would fill in is said, not invented."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import yaml

from zenodo_action import metadata
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK
from zenodo_action.github import commands
from zenodo_action.reporter import Reporter
from zenodo_action.settings import Settings


def run(settings: Settings, reporter: Reporter) -> int:
    context = metadata.Context("gate", settings.repository)
    record = metadata.read(settings.metadata_files, settings.root, context)
    if record.has_problems:
        reporter.problems(record.problems)
    origins = record.origins()
    if settings.output_format == "json":
        text = json.dumps(record.data, indent=2, ensure_ascii=False)
        sys.stdout.write((commands.inert_json(text) if settings.fenced else text) + "\n")
        sys.stderr.write(
            _fenced(settings, "".join(f"{key}: from {origins[key]}\n" for key in record.data))
        )
    else:
        shown = render_yaml(record.data, origins, record.release_fills())
        sys.stdout.write(_fenced(settings, shown))
    return EXIT_FAILURE if record.invalid else EXIT_OK


def _fenced(settings: Settings, text: str) -> str:
    """Under the Actions runner, the files' values cannot become workflow commands."""
    if not settings.fenced or not text:
        return text
    return commands.untrusted(text.rstrip("\n")) + "\n"


def render_yaml(
    data: Mapping[str, Any], origins: Mapping[str, str], unfilled: Mapping[str, str]
) -> str:
    """Each top-level field under a comment naming its origin; then what a release fills
    (`unfilled`: field -> how)."""
    lines = []
    for key, value in data.items():
        lines.append(f"# from {origins[key]}")
        lines.append(yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False).rstrip())
    if unfilled:
        lines.append("# not set by any file; on a release:")
        for key, fills in unfilled.items():
            lines.append(f"#   {key}: {fills}")
    return "\n".join(lines) + "\n"
