"""What the user sees of a run, rendered from a `PublishResult` and what else the run
said: text lines, a citation and the job summary. Pure functions: reporters write them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zenodo_action.files import human_size
from zenodo_action.markdown import cell, code_cell, fenced, paragraph
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


def result_head(result: PublishResult) -> str:
    """What a person opening the run looks for first: the DOI, the record, the badge."""
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
    return "\n".join(lines) + "\n"


def result_details(
    result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str] | None = None
) -> str:
    """The files, the citation and the sources of the fields, after the result."""
    lines = []
    if result.files:
        lines += ["", "| File | Size | MD5 |", "|---|---:|---|"]
        lines += [f"| {cell(f.name)} | {human_size(f.size)} | `{f.md5}` |" for f in result.files]
    if result.status != "planned":
        lines += ["", "**Cite as**", "", f"> {cell(citation(metadata, result))}"]
    if origins:
        lines += ["", "| Metadata field | From |", "|---|---|"]
        lines += [f"| {code_cell(key)} | {cell(source)} |" for key, source in origins.items()]
    return "\n".join(lines) + "\n" if lines else ""


@dataclass(frozen=True)
class Failure:
    """The error that ended a run, as the job summary tells it."""

    message: str
    hint: str | None = None
    file: str | None = None  # relative to the workspace
    line: int | None = None


@dataclass(frozen=True)
class Note:
    level: str  # error, warning or notice
    title: str
    message: str


@dataclass
class JobSummary:
    """What one run's job summary says, gathered as the run goes (github/reporter.py).

    Rendered whole (`render_job_summary`) in reading order, whenever each part became
    known: what went wrong, or the result, first; then what else happened (the notes),
    the plan of a dry run, the files, citation and sources; the metadata problems last."""

    failure: Failure | None = None
    result: PublishResult | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    plan: str | None = None
    notes: list[Note] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a section per file (metadata.report)


def render_job_summary(summary: JobSummary) -> str:
    parts = []
    if summary.failure is not None:
        parts.append(_failure(summary.failure))
    if summary.result is not None:
        parts.append(result_head(summary.result))
    if summary.notes:
        parts.append("\n".join(_note(note) for note in summary.notes) + "\n")
    if summary.plan:
        parts.append("**What the run would do**\n\n" + fenced(summary.plan) + "\n")
    if summary.result is not None:
        parts.append(result_details(summary.result, summary.metadata, summary.origins))
    if summary.problems and (summary.result is not None or summary.failure is not None):
        parts.append("## Metadata\n")
    parts += summary.problems
    return "\n".join(part for part in parts if part)


def _failure(failure: Failure) -> str:
    lines = ["## :x: zenodo-action failed", "", fenced(failure.message), ""]
    if failure.file:
        where = f"line {failure.line} of " if failure.line else ""
        lines += [f"**Where:** {where}{code_cell(failure.file)}", ""]
    if failure.hint:
        lines += [f"**What to do:** {paragraph(failure.hint)}", ""]
    return "\n".join(lines)


def _note(note: Note) -> str:
    return f"- **{note.level}** ({paragraph(note.title)}): {paragraph(note.message)}"
