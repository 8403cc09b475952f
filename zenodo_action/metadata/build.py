"""The deposition metadata to send: the file's metadata plus what the run knows.

A pure function of its inputs. PUT replaces all of a draft's metadata
(zenodo-api.md §2.4), so everything a version should carry is built here from
the user's file, never carried over from the previous version: related
identifiers added for one release do not pile up across versions.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zenodo_action.errors import ActionError
from zenodo_action.metadata import values

# A field's path -> the file, line and column that hold it (publish.py asks the record).
Place = Callable[[str], tuple[str | None, int | None, int | None]]

# Zenodo sets these itself; sending them back breaks a new version (§3.1 point 6).
SERVER_OWNED = ("doi", "prereserve_doi")


def build_metadata(
    data: Mapping[str, Any],
    *,
    version: str | None = None,
    publication_date: str | None = None,
    today: dt.date | None = None,
    related: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """Metadata for a PUT: explicit values win over the merged files; the date defaults
    to today (UTC); `related` links are added once (what a release fills is already
    merged into the record, see metadata/record.py)."""
    metadata = copy.deepcopy(dict(data))
    for key in SERVER_OWNED:
        metadata.pop(key, None)
    if version:
        metadata["version"] = version
    metadata["publication_date"] = (
        publication_date
        or metadata.get("publication_date")
        or (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    )
    if related:
        metadata["related_identifiers"] = _merge_related(
            metadata.get("related_identifiers") or [], related
        )
    return metadata


def _merge_related(
    existing: Sequence[Mapping[str, Any]], extra: Sequence[Mapping[str, str]]
) -> list[dict[str, Any]]:
    """`existing` and then `extra`, each link once. A link to a repository's page (from
    CITATION.cff's repository-code) gives way to a link to a tree of that repository:
    Zenodo shows every github.com link as a box of its own."""
    trees = [item["identifier"] for item in extra]
    merged = [dict(item) for item in existing if not _superseded(item, trees)]
    seen = {(str(i.get("identifier")), str(i.get("relation")).lower()) for i in merged}
    for item in extra:
        key = (item["identifier"], item["relation"].lower())
        if key not in seen:
            merged.append(dict(item))
            seen.add(key)
    return merged


# What Zenodo stores for a field the metadata leaves out (docs/reference/
# zenodo-metadata-defaults.md §1): the latest version holding it is no change to report.
ZENODO_DEFAULTS = {"access_right": "open", "imprint_publisher": "Zenodo"}


def _superseded(item: Mapping[str, Any], trees: Sequence[str]) -> bool:
    page = str(item.get("identifier", "")).rstrip("/")
    return str(item.get("relation", "")).lower() == "issupplementto" and any(
        tree.startswith(f"{page}/tree/") for tree in trees
    )


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """One line per top-level field that differs, for the dry-run plan."""
    before, after = _comparable(old), _comparable(new)
    lines = []
    for key in sorted(set(before) | set(after)):
        default = ZENODO_DEFAULTS.get(key)
        if before.get(key, default) == after.get(key, default):
            continue
        if key not in before:
            lines.append(f"{key}: added {_short(after[key])}")
        elif key not in after:
            lines.append(f"{key}: removed")
        else:
            lines.append(f"{key}: {_short(before[key])} -> {_short(after[key])}")
    return lines


def _comparable(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Drop what Zenodo adds or echoes differently (empty values, licence id case)."""
    result = {k: _prune(v) for k, v in metadata.items() if k not in SERVER_OWNED}
    if isinstance(result.get("license"), str):
        result["license"] = result["license"].lower()
    return {k: v for k, v in result.items() if v not in (None, "", [], {})}


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"({type(value).__name__} changed)"


def request_body(metadata: Mapping[str, Any], place: Place | None = None) -> bytes:
    """The metadata as the JSON body Zenodo receives, encoded once before any request.

    `validate` refuses NaN, infinity and lone surrogates in the files; this is the last
    gate for anything else that got in (a release's fields, a bug): it fails here, with
    the field, and never after a draft exists (issue 12, item 3).
    """
    try:
        text = json.dumps({"metadata": metadata}, allow_nan=False, ensure_ascii=False)
        return text.encode("utf-8")
    except (ValueError, TypeError, RecursionError) as error:  # UnicodeEncodeError included
        path, reason = next(
            ((path, message) for path, message, _ in values.unsendable(dict(metadata))),
            ("", str(error)),
        )
        file, line, column = place(path) if place and path else (None, None, None)
        raise ActionError(
            f"{path or 'the metadata'}: {reason}; nothing was sent to Zenodo",
            hint="fix the value in the file that sets it (`zenodo-action validate` finds it)",
            file=file,
            line=line,
            column=column,
        ) from None
