"""The metadata gate: load `.zenodo.yml` with positions, validate it, report the problems.

config = load_config(path)
problems = validate(config)
print(render_text(problems, config.path))
"""

from __future__ import annotations

from typing import Any

from zenodo_action.metadata.checked import CheckedRecord, read
from zenodo_action.metadata.loader import Config, load_config
from zenodo_action.metadata.paths import path_from_zenodo_field
from zenodo_action.metadata.problems import ERROR, NOTICE, SEVERITIES, WARNING, Problem, as_errors
from zenodo_action.metadata.record import IGNORE, Context, MetadataPaths
from zenodo_action.metadata.report import render_json, render_text, summary_markdown
from zenodo_action.metadata.validate import validate
from zenodo_action.metadata.vocabularies import schema_copy


def schema() -> dict[str, Any]:
    """The packaged JSON Schema (draft 2020-12) of `.zenodo.yml`, as a fresh dict."""
    return schema_copy()


__all__ = [
    "ERROR",
    "IGNORE",
    "NOTICE",
    "SEVERITIES",
    "WARNING",
    "CheckedRecord",
    "Config",
    "Context",
    "MetadataPaths",
    "Problem",
    "as_errors",
    "load_config",
    "path_from_zenodo_field",
    "read",
    "render_json",
    "render_text",
    "schema",
    "summary_markdown",
    "validate",
]
