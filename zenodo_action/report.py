"""What the user sees of a publish, rendered from a `PublishResult`: text lines, the
dry-run plan, a citation and the job summary. Pure functions: reporters write them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from zenodo_action.files import human_size
from zenodo_action.markdown import cell, code_cell
from zenodo_action.naming import setting
from zenodo_action.result import PublishResult, doi_url

# What a draft's DOI is: cited before publishing, it resolves only once the draft is published.
RESERVED = "reserved: publishing this draft mints it; it resolves only after that"


def render_result(result: PublishResult) -> str:
    """A few lines of text for a person reading the log."""
    if result.status == "planned":
        return "dry run: nothing was created or changed"
    head = {
        "published": f"published {result.doi}",
        "unchanged": f"unchanged: {result.reason or 'already published'}",
        "draft": f"draft {result.record_id} is ready for review (not published)",
    }[result.status]
    lines = [head if not result.version else f"{head} (version {result.version})"]
    lines += [f"  record:  {result.record_url}"]
    if result.doi_reserved:
        lines += [f"  DOI:     {result.doi} ({RESERVED})"]
    if result.concept_doi:
        lines += [f"  concept: {result.concept_doi} (always resolves to the latest version)"]
    lines += [f"  files:   {len(result.files)} ({human_size(result.total_size)})"]
    if result.badge:
        lines += [f"  badge:   {result.badge}"]
    if result.new_concept and result.concept_doi:
        lines += [
            "",
            f"NEW CONCEPT DOI: {result.concept_doi}",
            f"Pin it so later runs add versions to it: {setting('concept', result.concept_doi)}.",
        ]
    return "\n".join(lines)


def citation(metadata: Mapping[str, Any], result: PublishResult) -> str:
    """A ready citation in the style Zenodo shows on record pages."""
    creators = [str(c.get("name", "")).strip() for c in metadata.get("creators") or []]
    authors = _join_authors([_initials(name) for name in creators if name])
    year = str(metadata.get("publication_date") or dt.date.today().isoformat())[:4]
    title = str(metadata.get("title") or "").strip()
    version = f" ({result.version})" if result.version else ""
    kind = str(metadata.get("upload_type") or "").capitalize()
    kind = f" [{'Data set' if kind == 'Dataset' else kind}]" if kind else ""
    link = result.doi_url or result.record_url or ""
    return f"{authors} ({year}). {title}{version}{kind}. Zenodo. {link}".strip()


def _reserved(result: PublishResult) -> str:
    return f" ({RESERVED})" if result.doi_reserved else ""


def _initials(name: str) -> str:
    if "," not in name:
        return name
    family, given = (part.strip() for part in name.split(",", 1))
    initials = " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part)
    return f"{family}, {initials}" if initials else family


def _join_authors(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def summary_markdown(
    result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str] | None = None
) -> str:
    """The job summary: DOI, concept DOI, badge, the file table, a citation, and where
    each metadata field came from."""
    title = {
        "published": "Published to Zenodo",
        "unchanged": "Zenodo: nothing to publish",
        "draft": "Zenodo draft ready for review",
        "planned": "Zenodo: dry run",
    }[result.status]
    lines = [f"## {title}", ""]
    concept = result.concept_doi
    rows = [
        ("DOI", result.doi and f"[{result.doi}]({result.doi_url})" + _reserved(result)),
        ("Concept DOI", concept and f"[{concept}]({doi_url(concept)})"),
        ("Version", result.version and code_cell(result.version)),
        ("Record", result.record_url),
        ("Status", result.status + (f": {cell(result.reason)}" if result.reason else "")),
    ]
    lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows if v]
    if result.badge:
        lines += ["", result.badge, "", "```markdown", result.badge, "```"]
    if result.files:
        lines += ["", "| File | Size | MD5 |", "|---|---:|---|"]
        lines += [f"| {cell(f.name)} | {human_size(f.size)} | `{f.md5}` |" for f in result.files]
    if result.status != "planned":
        lines += ["", "**Cite as**", "", f"> {cell(citation(metadata, result))}"]
    if origins:
        lines += ["", "| Metadata field | From |", "|---|---|"]
        lines += [f"| {code_cell(key)} | {cell(source)} |" for key, source in origins.items()]
    return "\n".join(lines) + "\n"
