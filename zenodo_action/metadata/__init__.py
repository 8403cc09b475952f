"""The metadata side's face: the one place the rest of the tool imports it from.

    record = metadata.read(paths, root, metadata.Context("gate"))
    reporter.problems(record.problems)     # per file; rendered by render_text, ...
    body = record.zenodo_metadata()        # what a publish sends; record.locate(field)

`read` (checked.py) finds, loads, merges and checks the metadata files; the rest are the
few pieces other rooms need: problems and their renderings, the record's forms in each
API (the deposit API's echo, the records schema), and small facts about values.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from zenodo_action.metadata.checked import CheckedRecord, read
from zenodo_action.metadata.identifiers import doi_of
from zenodo_action.metadata.names import creator_from_display_name
from zenodo_action.metadata.problems import ERROR, NOTICE, SEVERITIES, WARNING, Problem
from zenodo_action.metadata.record import IGNORE, Context, MetadataPaths
from zenodo_action.metadata.report import (
    problem_lines,
    render_json,
    render_text,
    summary_line,
    summary_markdown,
)
from zenodo_action.metadata.vocabularies import is_known_license, schema_copy

if TYPE_CHECKING:
    from zenodo_action.metadata.build import describe_changes
    from zenodo_action.metadata.echo import echoed
    from zenodo_action.metadata.rdm import VocabularyUse, records_comparable, records_draft

# What only a publish takes (the Zenodo side's comparisons and the records schema), loaded
# when first asked for: `validate`, the pre-commit hook, never pays for it (bench/).
_FOR_A_PUBLISH = {
    "describe_changes": "build",
    "echoed": "echo",
    "VocabularyUse": "rdm",
    "records_comparable": "rdm",
    "records_draft": "rdm",
}


def __getattr__(name: str) -> Any:
    if name not in _FOR_A_PUBLISH:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_FOR_A_PUBLISH[name]}")
    value = getattr(module, name)
    globals()[name] = value
    return value


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
    "Context",
    "MetadataPaths",
    "Problem",
    "VocabularyUse",
    "creator_from_display_name",
    "describe_changes",
    "doi_of",
    "echoed",
    "is_known_license",
    "problem_lines",
    "read",
    "records_comparable",
    "records_draft",
    "render_json",
    "render_text",
    "schema",
    "summary_line",
    "summary_markdown",
]
