"""What the user sees of a publish: the result as data, as text, and as a job summary.

`result_of` is the single source of the fields; the text, the `--json` output,
the action outputs and the job summary are all rendered from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zenodo_action.files import human_size
from zenodo_action.zenodo.client import Deposition
from zenodo_action.zenodo.deposit import Outcome, Plan, PublishRequest


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


def badge(doi: str | None, zenodo_url: str) -> str | None:
    """The Markdown DOI badge Zenodo serves for a DOI."""
    if not doi:
        return None
    return f"[![DOI]({zenodo_url}/badge/DOI/{doi}.svg)]({doi_url(doi)})"


def result_of(
    zenodo_url: str, request: PublishRequest, plan: Plan, outcome: Outcome | None
) -> dict[str, Any]:
    if outcome is not None:
        return _from_deposition(zenodo_url, outcome.status, outcome.deposition, plan)
    if plan.action == "unchanged" and plan.match is not None:
        return _from_deposition(zenodo_url, "unchanged", plan.match, plan)
    return {
        "status": "planned",
        "doi": None,
        "doi_url": None,
        "concept_doi": plan.latest.concept_doi if plan.latest else None,
        "record_id": plan.draft.id if plan.draft else None,
        "record_url": None,
        "version": request.version,
        "badge": None,
        "files": [{"name": f.name, "size": f.size, "md5": f.md5} for f in request.files],
        "new_concept": plan.action == "new-concept",
        "reason": plan.reason or None,
    }


def _from_deposition(zenodo_url: str, status: str, dep: Deposition, plan: Plan) -> dict[str, Any]:
    published = status != "draft"
    return {
        "status": status,
        "doi": dep.doi if published else None,
        "doi_url": doi_url(dep.doi) if published else None,
        "concept_doi": dep.concept_doi,
        "record_id": dep.id,
        "record_url": f"{zenodo_url}/records/{dep.id}"
        if published
        else dep.links.get("html") or f"{zenodo_url}/uploads/{dep.id}",
        "version": dep.version,
        "badge": badge(dep.doi, zenodo_url) if published else None,
        "files": [{"name": f.name, "size": f.size, "md5": f.md5} for f in dep.files],
        "new_concept": plan.action == "new-concept" and status == "published",
        "reason": plan.reason or None,
    }


def render_result(result: dict[str, Any]) -> str:
    """A few lines of text for a person reading the log."""
    status = result["status"]
    if status == "planned":
        return "dry run: nothing was created or changed"
    total = sum(f["size"] for f in result["files"])
    head = {
        "published": f"published {result['doi']}",
        "unchanged": f"unchanged: {result['reason'] or 'already published'}",
        "draft": f"draft {result['record_id']} is ready for review (not published)",
    }[status]
    lines = [head if not result["version"] else f"{head} (version {result['version']})"]
    lines += [f"  record:  {result['record_url']}"]
    if result["concept_doi"]:
        lines += [f"  concept: {result['concept_doi']} (always resolves to the latest version)"]
    lines += [f"  files:   {len(result['files'])} ({human_size(total)})"]
    if result["badge"]:
        lines += [f"  badge:   {result['badge']}"]
    if result.get("new_concept") and result["concept_doi"]:
        lines += [
            "",
            f"NEW CONCEPT DOI: {result['concept_doi']}",
            f"Pin it so later runs add versions to it: --concept {result['concept_doi']}"
            " (action input `concept`).",
        ]
    return "\n".join(lines)


def render_plan(plan: Plan, request: PublishRequest) -> str:
    """The dry-run plan: what would become which version, and every file and field change."""
    if plan.action == "unchanged":
        return f"nothing to do: {plan.reason}"
    version = request.version or "(no version string)"
    if plan.action == "new-concept":
        lines = [f"would publish {version} as the first version of a new concept"]
    else:
        latest = plan.latest
        assert latest is not None
        lines = [
            f"would publish {version} as the next version of concept {latest.concept_doi} "
            f"(latest: {latest.version or 'no version string'}, {latest.doi})"
        ]
    if plan.draft:
        lines.append(
            f"continuing pending draft {plan.draft.id} ({plan.draft.links.get('html', '')})"
        )
    lines.append("files:")
    sizes = {f.name: f.size for f in request.files}
    rows = [("keep", f.name, f.size) for f in plan.changes.keep]
    rows += [("delete", f.name, f.size) for f in plan.changes.delete]
    rows += [("upload", f.name, sizes[f.name]) for f in plan.changes.upload]
    width = max((len(name) for _, name, _ in rows), default=0)
    lines += [f"  {verb:<7}{name:<{width}}  {human_size(size)}" for verb, name, size in rows]
    if plan.metadata_changes:
        lines.append("metadata changes against the latest version:")
        lines += [f"  {change}" for change in plan.metadata_changes]
    return "\n".join(lines)


def citation(metadata: dict[str, Any], result: dict[str, Any]) -> str:
    """A ready citation in the style Zenodo shows on record pages."""
    creators = [str(c.get("name", "")).strip() for c in metadata.get("creators") or []]
    authors = _join_authors([_initials(name) for name in creators if name])
    year = str(metadata.get("publication_date") or dt.date.today().isoformat())[:4]
    title = str(metadata.get("title") or "").strip()
    version = f" ({result['version']})" if result.get("version") else ""
    kind = str(metadata.get("upload_type") or "").capitalize()
    kind = f" [{'Data set' if kind == 'Dataset' else kind}]" if kind else ""
    link = result.get("doi_url") or result.get("record_url") or ""
    return f"{authors} ({year}). {title}{version}{kind}. Zenodo. {link}".strip()


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


def summary_markdown(result: dict[str, Any], metadata: dict[str, Any]) -> str:
    """The job summary: DOI, concept DOI, badge, the file table and a citation."""
    status = result["status"]
    title = {
        "published": "Published to Zenodo",
        "unchanged": "Zenodo: nothing to publish",
        "draft": "Zenodo draft ready for review",
        "planned": "Zenodo: dry run",
    }[status]
    lines = [f"## {title}", ""]
    rows = [
        ("DOI", result["doi"] and f"[{result['doi']}]({result['doi_url']})"),
        (
            "Concept DOI",
            result["concept_doi"]
            and f"[{result['concept_doi']}]({doi_url(result['concept_doi'])})",
        ),
        ("Version", result["version"] and f"`{_cell(result['version'])}`"),
        ("Record", result["record_url"]),
        ("Status", status + (f": {_cell(result['reason'])}" if result.get("reason") else "")),
    ]
    lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows if v]
    if result["badge"]:
        lines += ["", result["badge"], "", "```markdown", result["badge"], "```"]
    if result["files"]:
        lines += ["", "| File | Size | MD5 |", "|---|---:|---|"]
        lines += [
            f"| {_cell(f['name'])} | {human_size(f['size'])} | `{f['md5']}` |"
            for f in result["files"]
        ]
    if status != "planned":
        lines += ["", "**Cite as**", "", f"> {_cell(citation(metadata, result))}"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
