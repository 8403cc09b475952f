"""Deciding what a publish does: pure functions of what Zenodo holds and what the run wants.

`decide` turns a `Snapshot` (read by `deposit.observe`) and a `PublishRequest` into a
`Plan`; `judge_draft` says whether a pending draft may be continued. Neither sends a
request, so every branch is tested without a server (tests/test_zenodo_plan.py).

Zenodo keeps at most one pending draft per concept, so a run must know whether a draft
it finds is its own (left by an interrupted earlier run), a stale leftover, or the work
of a run that is active right now. The version string stamped on the draft by the first
metadata PUT ("the claim") tells, together with how long the draft has been idle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from zenodo_action.errors import ActionError
from zenodo_action.files import LocalFile
from zenodo_action.metadata import describe_changes
from zenodo_action.naming import setting
from zenodo_action.versions import same_version
from zenodo_action.zenodo.api import ConceptRef, Deposition, RecordId, RemoteFile

TAKEOVER_AFTER = 600.0  # seconds a foreign draft must be idle before it counts as abandoned
# A live run claims its draft (metadata PUT) right after creating it, so a draft nobody
# claimed that has been idle this long was left by a run that died in between.
UNCLAIMED_TAKEOVER_AFTER = 60.0


@dataclass(frozen=True)
class PublishRequest:
    """What one run wants published."""

    metadata: Mapping[str, Any]
    files: tuple[LocalFile, ...]
    concept: ConceptRef | None = None
    draft_only: bool = False
    # The metadata as the API's records hold it, for the plan's changes (`api.Prepared`);
    # None: as `metadata` (Zenodo's deposit API).
    comparable: Mapping[str, Any] | None = None

    @property
    def version(self) -> str | None:
        return self.metadata.get("version") or None

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or "")

    def file_set(self) -> dict[str, str | None]:
        """Names and MD5s; an MD5 is None until it was needed (see deposit.hash_where_needed)."""
        return {f.name: f.md5 for f in self.files}

    def with_files(self, files: Mapping[str, LocalFile]) -> PublishRequest:
        """The same request, its files replaced by name (hashed ones, say)."""
        return replace(self, files=tuple(files.get(f.name, f) for f in self.files))


@dataclass(frozen=True)
class Snapshot:
    """What Zenodo holds that a publish depends on, read before deciding."""

    concept_id: RecordId | None  # None: no concept was given, this is a first version
    # The concept's versions and pending drafts (for a first version: every deposition
    # of the account), as the search index lists them.
    depositions: tuple[Deposition, ...]
    latest: Deposition | None = None  # the latest published version, from the database


@dataclass(frozen=True)
class FileChanges:
    keep: tuple[RemoteFile, ...] = ()  # already there with the same content
    delete: tuple[RemoteFile, ...] = ()  # not wanted any more
    upload: tuple[LocalFile, ...] = ()  # new, or replacing `replace`
    replace: tuple[RemoteFile, ...] = ()  # a PUT to an existing key replaces it (§2.6)


PlanAction = Literal["unchanged", "new-concept", "new-version"]


@dataclass(frozen=True)
class Plan:
    """The answer to "what would a publish do now?"."""

    action: PlanAction
    concept_id: RecordId | None
    latest: Deposition | None  # the latest published version
    match: Deposition | None  # for "unchanged": the version that already holds this
    draft: Deposition | None  # a pending draft to continue with
    changes: FileChanges = FileChanges()
    metadata_changes: tuple[str, ...] = ()
    reason: str = ""


def diff_files(remote: Sequence[RemoteFile], local: Sequence[LocalFile]) -> FileChanges:
    """What makes `remote` exactly `local`: identical name and md5 are kept, not re-sent;
    a different file of the same name is overwritten by its upload, not deleted first
    (a bucket PUT to an existing key replaces it, zenodo-api.md §2.6: one request, not two)."""
    wanted = {f.name: f.md5 for f in local}
    keep = tuple(r for r in remote if r.md5 and wanted.get(r.name) == r.md5)
    kept = {r.name for r in keep}
    return FileChanges(
        keep=keep,
        delete=tuple(r for r in remote if r.name not in wanted),
        upload=tuple(f for f in local if f.name not in kept),
        replace=tuple(r for r in remote if r.name in wanted and r.name not in kept),
    )


def decide(snapshot: Snapshot, request: PublishRequest) -> Plan:
    if snapshot.concept_id is None:
        return _first_version(snapshot, request)
    published = [d for d in snapshot.depositions if d.submitted]
    latest = snapshot.latest
    candidates = published + ([latest] if latest else [])
    match = next((d for d in candidates if same_version(d.version, request.version)), None)
    if match:
        reason = f"version {match.version} is already published as {match.doi}"
        return Plan("unchanged", snapshot.concept_id, latest, match, None, reason=reason)
    if latest and latest.file_set() == request.file_set():
        reason = f"the files are identical to the latest version ({latest.doi})"
        return Plan("unchanged", snapshot.concept_id, latest, latest, None, reason=reason)
    draft = newest([d for d in snapshot.depositions if d.is_new_draft])
    base = draft.files if draft else latest.files if latest else ()
    return Plan(
        "new-version" if latest else "new-concept",
        snapshot.concept_id,
        latest,
        None,
        draft,
        diff_files(base, request.files),
        tuple(describe_changes(latest.metadata if latest else {}, _comparable(request))),
    )


def _comparable(request: PublishRequest) -> Mapping[str, Any]:
    return request.metadata if request.comparable is None else request.comparable


def _first_version(snapshot: Snapshot, request: PublishRequest) -> Plan:
    """A first version; a re-run finds what an earlier run made: the version it published
    under this title, or the draft it left (`_first_draft_left`)."""
    title = request.title.strip()
    published = [d for d in snapshot.depositions if d.submitted and d.title.strip() == title]
    if published:
        return _published_before(published, request)
    draft = _first_draft_left(snapshot.depositions, title)
    changes = diff_files(draft.files if draft else (), request.files)
    return Plan("new-concept", draft.concept_id if draft else None, None, None, draft, changes)


def _published_before(published: Sequence[Deposition], request: PublishRequest) -> Plan:
    """Records with the title of a first version: unchanged when one holds this version
    (without a version: these files); else this run, given no concept, would start a
    second, separate record beside them, so it stops."""
    same = [d for d in published if _same_release(d, request)]
    if same:
        match = max(same, key=age)
        reason = f"{match.doi} already has this title and version (concept {match.concept_doi})"
        return Plan("unchanged", match.concept_id, match, match, None, reason=reason)
    existing = max(published, key=age)
    raise ActionError(
        f"a record titled {request.title!r} already exists (concept DOI "
        f"{existing.concept_doi}); this run was not given a concept, so it would start "
        "a second, separate record",
        hint=f"to add a version to it, use {setting('concept', existing.concept_doi)}",
    )


def _same_release(published: Deposition, request: PublishRequest) -> bool:
    if request.version is None:
        return published.file_set() == request.file_set()
    return same_version(published.version, request.version)


def _first_draft_left(depositions: Sequence[Deposition], title: str) -> Deposition | None:
    """The draft of a first version a stopped run left: the newest with this title, else
    the newest blank one (a run that stopped between creating it and saving metadata)."""
    first_drafts = [d for d in depositions if d.is_new_draft and not d.concept_doi]
    titled = newest([d for d in first_drafts if d.title.strip() == title])
    return titled or newest([d for d in first_drafts if d.is_blank])


def newest(depositions: Sequence[Deposition]) -> Deposition | None:
    return max(depositions, key=age) if depositions else None


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def age(deposition: Deposition) -> tuple[Any, ...]:
    """What orders depositions from oldest to newest: Zenodo numbers them as they are
    made; InvenioRDM's ids are random (docs/reference/invenio-records-api.md §2), so
    there the creation time does. One run only ever compares ids of one kind."""
    if isinstance(deposition.id, int):
        return (deposition.id,)
    return (deposition.created or _EPOCH, deposition.id)


# --- pending drafts ------------------------------------------------------------------

Verdict = Literal["ours", "asked-for", "take-over", "refuse"]


@dataclass(frozen=True)
class DraftVerdict:
    """Whether a pending draft may be continued, and why."""

    verdict: Verdict
    idle: float | None  # seconds since the draft last changed; None when unknown
    window: float  # how long it must be idle before another run may take it over


def judge_draft(
    draft: Deposition, request: PublishRequest, now: dt.datetime, *, asked_for: bool = False
) -> DraftVerdict:
    """May this run continue with `draft` (as read from the database at `now`)?

    Its own version's draft, yes; an unclaimed draft this run just asked for, yes; another
    run's draft only once it has been idle longer than the takeover window.
    """
    window = takeover_window(draft.version)
    idle = None if draft.modified is None else max(0.0, (now - draft.modified).total_seconds())
    if same_version(draft.version, request.version):
        return DraftVerdict("ours", idle, window)
    if not draft.version and asked_for:
        return DraftVerdict("asked-for", idle, window)
    if idle is not None and idle < window:
        return DraftVerdict("refuse", idle, window)
    return DraftVerdict("take-over", idle, window)


def takeover_window(claimed_for: str | None) -> float:
    """How long a draft must be idle before another run may take it over: a draft without
    a version string was never claimed (or by a run without one), so it waits less."""
    return TAKEOVER_AFTER if claimed_for else UNCLAIMED_TAKEOVER_AFTER
