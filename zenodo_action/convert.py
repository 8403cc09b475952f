"""`convert`: the record the sources make together, as it would be sent, with each field's
source. YAML carries the sources as comments; JSON is a `.zenodo.json` as is, with the
sources on stderr. What a release would fill in is said, not invented."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import yaml

from zenodo_action.errors import EXIT_FAILURE, EXIT_OK
from zenodo_action.github import commands
from zenodo_action.metadata import record as files
from zenodo_action.reporter import Reporter
from zenodo_action.settings import Settings


def run(settings: Settings, reporter: Reporter) -> int:
    loaded = files.load(files.find(settings.metadata_files, settings.root))
    record = files.Record.merge(loaded)
    found = files.problems_by_file(record, files.Context("gate", settings.repository))
    if any(found.values()):
        reporter.problems(found)
    origins = record.origins()
    if settings.output_format == "json":
        text = json.dumps(record.data, indent=2, ensure_ascii=False)
        sys.stdout.write((commands.inert_json(text) if settings.fenced else text) + "\n")
        sys.stderr.write(
            _fenced(settings, "".join(f"{key}: from {origins[key]}\n" for key in record.data))
        )
    else:
        sys.stdout.write(_fenced(settings, render_yaml(record.data, origins, settings.repository)))
    return EXIT_FAILURE if files.errors_in(found) else EXIT_OK


def _fenced(settings: Settings, text: str) -> str:
    """Under the Actions runner, the files' values cannot become workflow commands."""
    if not settings.fenced or not text:
        return text
    return commands.untrusted(text.rstrip("\n")) + "\n"


def render_yaml(data: Mapping[str, Any], origins: Mapping[str, str], repository: str | None) -> str:
    """Each top-level field under a comment naming its source; then what a release fills."""
    lines = []
    for key, value in data.items():
        lines.append(f"# from {origins[key]}")
        lines.append(yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False).rstrip())
    unfilled = [key for key in files.RELEASE_FILLS if key not in data]
    if unfilled:
        lines.append("# not set by any file; on a release:")
        for key in unfilled:
            fills = files.RELEASE_FILLS[key].format(repository=repository or "<owner>/<repo>")
            lines.append(f"#   {key}: {fills}")
    return "\n".join(lines) + "\n"
