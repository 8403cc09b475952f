"""A publish's plan and outcome, turned into what people and programs read: the typed
`PublishResult` and the dry-run plan as text. Pure functions."""

from __future__ import annotations

from zenodo_action.files import human_size
from zenodo_action.result import FileEntry, PublishResult, Status, badge
from zenodo_action.zenodo.api import Deposition
from zenodo_action.zenodo.deposit import Outcome
from zenodo_action.zenodo.plan import Plan, PublishRequest


def result_of(
    zenodo_url: str, request: PublishRequest, plan: Plan, outcome: Outcome | None
) -> PublishResult:
    """The result of a run that applied `plan` (`outcome`), or only planned it (None)."""
    if outcome is not None:
        return _from_deposition(zenodo_url, outcome.status, outcome.deposition, plan)
    if plan.action == "unchanged" and plan.match is not None:
        return _from_deposition(zenodo_url, "unchanged", plan.match, plan)
    return PublishResult(
        status="planned",
        doi=None,
        concept_doi=plan.latest.concept_doi if plan.latest else None,
        record_id=plan.draft.id if plan.draft else None,
        record_url=None,
        version=request.version,
        badge=None,
        # a dry run hashes every file (deposit.hash_where_needed), so none is unknown
        files=tuple(FileEntry(f.name, f.size, f.md5 or "") for f in request.files),
        new_concept=plan.action == "new-concept",
        reason=plan.reason or None,
    )


def _from_deposition(zenodo_url: str, status: Status, dep: Deposition, plan: Plan) -> PublishResult:
    """A draft's DOI is the one it reserved: what publishing it will mint (checked then,
    `deposit._check_reserved_doi`), given out now so it can be cited before publishing."""
    published = status != "draft"
    record_url = (
        f"{zenodo_url}/records/{dep.id}"
        if published
        else dep.links.get("html") or f"{zenodo_url}/uploads/{dep.id}"
    )
    doi = dep.doi if published else dep.reserved_doi
    return PublishResult(
        status=status,
        doi=doi,
        concept_doi=dep.concept_doi,
        record_id=dep.id,
        record_url=record_url,
        version=dep.version,
        badge=badge(doi, zenodo_url),
        files=tuple(FileEntry(f.name, f.size, f.md5) for f in dep.files),
        new_concept=plan.action == "new-concept" and status == "published",
        reason=plan.reason or None,
        doi_reserved=not published and doi is not None,
    )


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
    packed = {f.name: f" ({f.packed.describe(f.name, f.size)})" for f in request.files if f.packed}
    replaced = {f.name for f in plan.changes.replace}
    rows = [("keep", f.name, f.size, packed.get(f.name, "")) for f in plan.changes.keep]
    rows += [("delete", f.name, f.size, "") for f in plan.changes.delete]
    rows += [
        (
            "upload",
            f.name,
            sizes[f.name],
            " (replaces the file of that name)" * (f.name in replaced) + packed.get(f.name, ""),
        )
        for f in plan.changes.upload
    ]
    width = max((len(name) for _, name, _, _ in rows), default=0)
    lines += [
        f"  {verb:<7}{name:<{width}}  {human_size(size)}{note}" for verb, name, size, note in rows
    ]
    if plan.metadata_changes:
        lines.append("metadata changes against the latest version:")
        lines += [f"  {change}" for change in plan.metadata_changes]
    return "\n".join(lines)
