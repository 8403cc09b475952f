"""Plan and apply a publish: the next version of a concept, correct on every re-run.

`plan` only reads. `apply` executes a plan against the draft as it really is,
and after every non-idempotent step (newversion, publish) that failed midway it
reads the state back instead of repeating blindly (zenodo-api.md §3, §4).

Zenodo keeps at most one pending draft per concept, so a run must know whether
a draft it finds is its own (left by an interrupted earlier run), a stale
leftover, or the work of a run that is active right now. The version string
stamped on the draft by the first metadata PUT ("the claim") tells, and a check
of the draft just before publishing makes sure that no other run changed it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from zenodo_action.errors import ActionError
from zenodo_action.files import LocalFile, human_size
from zenodo_action.http import HttpError, OutcomeUnknown
from zenodo_action.metadata.build import describe_changes
from zenodo_action.settings import ConceptRef
from zenodo_action.zenodo.client import Deposition, RemoteFile, ZenodoClient
from zenodo_action.zenodo.errors import Locate, explain, field_errors

log = logging.getLogger("zenodo_action.deposit")

TAKEOVER_AFTER = 600.0  # seconds a foreign draft must be idle before it counts as abandoned
# A live run claims its draft (metadata PUT) right after creating it, so a draft nobody
# claimed that has been idle this long was left by a run that died in between.
UNCLAIMED_TAKEOVER_AFTER = 60.0
INDEX_PATIENCE = (2.0, 4.0, 8.0, 16.0, 30.0)  # waits for the search index to show a draft


class ConcurrentRun(ActionError):
    """Another run is preparing a version of the same concept."""


@dataclass(frozen=True)
class PublishRequest:
    """What one run wants published."""

    metadata: dict[str, Any]
    files: tuple[LocalFile, ...]
    concept: ConceptRef | None = None
    draft_only: bool = False
    takeover_after: float = TAKEOVER_AFTER

    @property
    def version(self) -> str | None:
        return self.metadata.get("version") or None

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or "")

    def file_set(self) -> dict[str, str]:
        return {f.name: f.md5 for f in self.files}


@dataclass(frozen=True)
class FileChanges:
    keep: tuple[RemoteFile, ...] = ()
    delete: tuple[RemoteFile, ...] = ()
    upload: tuple[LocalFile, ...] = ()


def diff_files(remote: Sequence[RemoteFile], local: Sequence[LocalFile]) -> FileChanges:
    """What makes `remote` exactly `local`: identical name and md5 are kept, not re-sent."""
    wanted = {f.name: f.md5 for f in local}
    keep = tuple(r for r in remote if wanted.get(r.name) == r.md5)
    kept = {r.name for r in keep}
    return FileChanges(
        keep=keep,
        delete=tuple(r for r in remote if r.name not in kept),
        upload=tuple(f for f in local if f.name not in kept),
    )


@dataclass(frozen=True)
class Plan:
    """The read-only answer to "what would a publish do now?"."""

    action: str  # "unchanged" | "new-concept" | "new-version"
    concept_id: int | None
    latest: Deposition | None  # the latest published version
    match: Deposition | None  # for "unchanged": the version that already holds this
    draft: Deposition | None  # a pending draft that apply will continue with
    changes: FileChanges = FileChanges()
    metadata_changes: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class Outcome:
    status: str  # published | draft | unchanged
    deposition: Deposition
    plan: Plan
    notes: list[str] = field(default_factory=list)


# --- plan ----------------------------------------------------------------------------


def plan(client: ZenodoClient, request: PublishRequest) -> Plan:
    if request.concept is None:
        return _plan_new_concept(client, request)
    concept_id, versions = _resolve(client, request.concept)
    published = [d for d in versions if d.submitted]
    latest = _latest_published(client, concept_id, published)
    candidates = published + ([latest] if latest else [])
    match = next((d for d in candidates if request.version and d.version == request.version), None)
    if match:
        reason = f"version {request.version} is already published as {match.doi}"
        return Plan("unchanged", concept_id, latest, match, None, reason=reason)
    if latest and latest.file_set() == request.file_set():
        reason = f"the files are identical to the latest version ({latest.doi})"
        return Plan("unchanged", concept_id, latest, latest, None, reason=reason)
    draft = _newest([d for d in versions if d.is_new_draft])
    base = draft.files if draft else latest.files if latest else ()
    return Plan(
        "new-version" if latest else "new-concept",
        concept_id,
        latest,
        None,
        draft,
        diff_files(base, request.files),
        tuple(describe_changes(latest.metadata if latest else {}, request.metadata)),
    )


def _resolve(client: ZenodoClient, ref: ConceptRef) -> tuple[int, list[Deposition]]:
    """The concept id behind a concept or version id, and all its depositions of this account."""
    try:
        concept_id = client.deposition(ref.id).concept_id or ref.id
    except HttpError as error:
        if error.status in (401, 403):
            raise _not_yours(ref) from None
        if error.status != 404:
            raise explain(error, doing=f"read record {ref.id}") from None
        concept_id = ref.id  # not a record: a concept id
    versions = _search(client, f"conceptrecid:{concept_id}")
    if not versions:
        if client.latest_record(concept_id) is not None:
            raise _not_yours(ref)
        raise ActionError(
            f"concept {ref.given!r}: no record with this id on Zenodo in the token's account",
            hint="check the concept DOI, and that --sandbox / zenodo-url point where it lives",
        )
    return concept_id, versions


def _not_yours(ref: ConceptRef) -> ActionError:
    return ActionError(
        f"concept {ref.given!r} belongs to another Zenodo account than the token's",
        hint="use a token of the account that owns the record",
    )


def _search(client: ZenodoClient, query: str | None) -> list[Deposition]:
    try:
        return client.search(query)
    except HttpError as error:
        raise explain(error, doing="list your depositions") from None


def _latest_published(
    client: ZenodoClient, concept_id: int, published: list[Deposition]
) -> Deposition | None:
    """The latest version, from the database when possible: the search index may lag."""
    record = client.latest_record(concept_id)
    ids = [d.id for d in published] + ([int(record["id"])] if record else [])
    return client.deposition(max(ids)) if ids else None


def _is_blank(draft: Deposition) -> bool:
    """What `create` makes: no title, no files (before the run's metadata PUT)."""
    return not draft.title and not draft.files


def _newest(drafts: Sequence[Deposition]) -> Deposition | None:
    return max(drafts, key=lambda d: d.id) if drafts else None


def _plan_new_concept(client: ZenodoClient, request: PublishRequest) -> Plan:
    """A first version; a re-run finds what an earlier run made: by title, or the blank
    draft of a run that stopped between creating it and saving its metadata."""
    everything = _search(client, None)
    same_title = [d for d in everything if d.title.strip() == request.title.strip()]
    published = [d for d in same_title if d.submitted]
    same = [
        d
        for d in published
        if d.version == request.version
        or (request.version is None and d.file_set() == request.file_set())
    ]
    if same:
        match = max(same, key=lambda d: d.id)
        reason = f"{match.doi} already has this title and version (concept {match.concept_doi})"
        return Plan("unchanged", match.concept_id, match, match, None, reason=reason)
    if published:
        existing = max(published, key=lambda d: d.id)
        raise ActionError(
            f"a record titled {request.title!r} already exists (concept DOI "
            f"{existing.concept_doi}); this run was not given a concept, so it would start "
            "a second, separate record",
            hint=f"to add a version to it, pass --concept {existing.concept_doi} "
            "(action input `concept`)",
        )
    first_drafts = [d for d in everything if d.is_new_draft and not d.concept_doi]
    draft = _newest([d for d in first_drafts if d.title.strip() == request.title.strip()])
    draft = draft or _newest([d for d in first_drafts if _is_blank(d)])
    changes = diff_files(draft.files if draft else (), request.files)
    return Plan("new-concept", draft.concept_id if draft else None, None, None, draft, changes)


# --- apply ---------------------------------------------------------------------------


class _Run:
    """One apply: the client, the request, and what this run has done so far."""

    def __init__(self, client: ZenodoClient, request: PublishRequest, locate: Locate | None):
        self.client = client
        self.request = request
        self.locate = locate
        self.asked_for_draft = False  # set once this run asked Zenodo to create a draft
        self.last_claim = 0.0


def apply(
    client: ZenodoClient,
    the_plan: Plan,
    request: PublishRequest,
    *,
    locate: Locate | None = None,
) -> Outcome:
    if the_plan.action == "unchanged":
        assert the_plan.match is not None
        return Outcome("unchanged", the_plan.match, the_plan, [the_plan.reason])
    run = _Run(client, request, locate)
    draft = _obtain_draft(run, the_plan)
    draft = _claim(run, draft)
    draft = _sync_files(run, draft)
    _check_draft_is_ours(run, draft)
    if request.draft_only:
        return Outcome("draft", draft, the_plan)
    published = _publish(run, draft)
    return Outcome("published", _verify_published(run, published, the_plan), the_plan)


def _obtain_draft(run: _Run, the_plan: Plan) -> Deposition:
    if the_plan.draft:
        return _adopt(run, the_plan.draft)
    if the_plan.action == "new-concept":
        return _create_first_draft(run)
    assert the_plan.latest is not None and the_plan.concept_id is not None
    return _new_version_draft(run, the_plan.latest, the_plan.concept_id)


def _adopt(run: _Run, draft: Deposition) -> Deposition:
    """Continue with a pending draft if it is ours or abandoned; refuse an active foreign one."""
    draft = run.client.deposition(draft.id)  # the database, not the possibly stale index
    version = run.request.version
    if version and draft.version == version:
        log.info(
            "continuing with draft %s, left by an earlier run for version %s", draft.id, version
        )
        return draft
    if not draft.version and run.asked_for_draft:
        return draft  # the draft this run asked for, found after a failed request
    idle = _idle_seconds(run.client, draft)
    window = _takeover_window(run.request, draft.version)
    if idle is not None and idle < window:
        raise ConcurrentRun(
            f"another run is preparing {_describe_draft(draft)} of this concept (draft "
            f"{draft.id}, changed {idle:.0f} s ago). Zenodo allows one draft per concept, "
            "so this run stops rather than mix its files with the other run's.",
            hint="run this job again once the other run has finished. If no other run is "
            f"active, the draft is a leftover: it is taken over once idle for "
            f"{_duration(window)}, or discard it at "
            f"{draft.links.get('html', 'Zenodo')}",
        )
    log.warning(
        "taking over abandoned draft %s (%s, idle for %s): its files and metadata are replaced",
        draft.id,
        _describe_draft(draft),
        "an unknown time" if idle is None else f"{idle / 60:.0f} min",
    )
    return draft


def _takeover_window(request: PublishRequest, claimed_for: str | None) -> float:
    """How long a draft must be idle before another run may take it over: a draft without
    a version string was never claimed (or by a run without one), so it waits less."""
    if claimed_for:
        return request.takeover_after
    return min(request.takeover_after, UNCLAIMED_TAKEOVER_AFTER)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}" if minutes else f"{seconds:.0f} s"


def _describe_draft(draft: Deposition) -> str:
    return f"version {draft.version}" if draft.version else "a version without a version string"


def _idle_seconds(client: ZenodoClient, draft: Deposition) -> float | None:
    if draft.modified is None:
        return None
    now = client.server_time or dt.datetime.now(dt.timezone.utc)
    return max(0.0, (now - draft.modified).total_seconds())


def _create_first_draft(run: _Run) -> Deposition:
    run.asked_for_draft = True
    try:
        draft = run.client.create()
    except OutcomeUnknown:
        # Did the create happen? Look for the empty draft it would have made.
        found = _find_first_draft(run)
        if found is None:
            raise ActionError(
                "creating the first draft failed midway and no draft is visible yet",
                hint="run again in a minute: the re-run finds the draft if it was created",
            ) from None
        draft = found
    except HttpError as error:
        raise explain(error, doing="create a new record") from None
    log.info("created draft %s for the first version of a new concept", draft.id)
    return draft


def _find_first_draft(run: _Run) -> Deposition | None:
    for wait in (0.0, *INDEX_PATIENCE[:3]):
        if wait:
            run.client.http.sleep(wait)
        drafts = [d for d in _search(run.client, None) if d.is_new_draft and not d.concept_doi]
        fresh = [d for d in drafts if _is_blank(d)]
        if fresh:
            return _newest(fresh)
    return None


def _new_version_draft(run: _Run, latest: Deposition, concept_id: int) -> Deposition:
    """Ask for the new-version draft, coping with both of Zenodo's answers (§3.1)."""
    for _ in range(3):
        try:
            response = run.client.new_version(latest)
            run.asked_for_draft = True
            return _draft_from_new_version(run, response, latest)
        except OutcomeUnknown:
            run.asked_for_draft = True
            log.warning("the new-version request failed midway; checking what Zenodo did")
            found = _find_pending_draft(run, concept_id, INDEX_PATIENCE[:2])
            if found:
                return _adopt(run, found)
            # Nothing visible: asking again cannot make a second draft (one per concept);
            # Zenodo answers 400 if the first request did create one.
        except HttpError as error:
            if not _is_pending_draft_error(error):
                raise explain(
                    error, doing=f"create a new version of concept {concept_id}"
                ) from None
            log.info("Zenodo reports a pending draft for this concept; looking it up")
            found = _find_pending_draft(run, concept_id, INDEX_PATIENCE)
            if found is None:
                raise ActionError(
                    "Zenodo says this concept has a pending draft, but its search index "
                    "does not show it yet",
                    hint="run again in a minute or two",
                ) from None
            return _adopt(run, found)
    raise ActionError(
        f"could not create a new version of concept {concept_id}",
        hint="Zenodo kept failing; run again later",
    )


def _is_pending_draft_error(error: HttpError) -> bool:
    return error.status == 400 and any(f == "files.enabled" for f, _ in field_errors(error.body))


def _draft_from_new_version(run: _Run, response: dict[str, Any], latest: Deposition) -> Deposition:
    """Today the answer is the new draft; old Zenodo returned the old record (§3.1 point 1)."""
    answer = Deposition.from_json(response)
    if answer.id != latest.id and answer.is_new_draft:
        return answer
    link = answer.links.get("latest_draft")
    if link:
        draft = run.client.get(link)
        if draft.id != latest.id and draft.is_new_draft:
            return draft
    raise ActionError(
        f"Zenodo did not create a new-version draft of record {latest.id}",
        hint="records with a DOI not minted by Zenodo cannot get new versions there",
    )


def _find_pending_draft(run: _Run, concept_id: int, waits: Sequence[float]) -> Deposition | None:
    """Poll the search index, which may lag behind a just-created draft (§2.3)."""
    for wait in (0.0, *waits):
        if wait:
            log.info("waiting %.0f s for Zenodo's search index", wait)
            run.client.http.sleep(wait)
        drafts = [d for d in _search(run.client, f"conceptrecid:{concept_id}") if d.is_new_draft]
        if drafts:
            return _newest(drafts)
    return None


def _claim(run: _Run, draft: Deposition) -> Deposition:
    """PUT the metadata: it replaces everything and stamps the draft with our version."""
    try:
        claimed = run.client.put_metadata(draft, run.request.metadata)
    except HttpError as error:
        raise _lost_draft(run, draft, error) or explain(
            error, doing=f"save the metadata of draft {draft.id}", locate=run.locate
        ) from None
    run.last_claim = time.monotonic()
    return claimed


def _heartbeat(run: _Run, draft: Deposition) -> None:
    """Re-claim during long uploads, so other runs see the draft is in use."""
    window = _takeover_window(run.request, run.request.version)
    if time.monotonic() - run.last_claim > window / 4:
        _claim(run, draft)


def _sync_files(run: _Run, draft: Deposition) -> Deposition:
    """Make the draft's files exactly the requested set, verifying every checksum."""
    current = run.client.deposition(draft.id)
    changes = diff_files(current.files, run.request.files)
    for remote in changes.delete:
        _delete(run, current, remote)
    for local in changes.upload:
        _heartbeat(run, current)
        _upload(run, current, local)
    return run.client.deposition(draft.id)


def _delete(run: _Run, draft: Deposition, remote: RemoteFile) -> None:
    log.info("removing %s from the draft", remote.name)
    try:
        run.client.delete_file(draft, remote)
    except HttpError as error:
        lost = _lost_draft(run, draft, error)
        if lost:
            raise lost from None
        # Zenodo has answered 500 to deletes that did happen (§2.1 row 18): look first.
        if any(f.id == remote.id for f in run.client.deposition(draft.id).files):
            raise explain(error, doing=f"remove {remote.name} from draft {draft.id}") from None
        log.info("the delete of %s reported an error, but the file is gone", remote.name)


def _upload(run: _Run, draft: Deposition, local: LocalFile) -> None:
    log.info("uploading %s (%s)", local.name, human_size(local.size))
    for _ in (1, 2):
        try:
            server_md5, sent_md5 = run.client.upload(draft, local)
        except HttpError as error:
            raise _lost_draft(run, draft, error) or explain(
                error, doing=f"upload {local.name}"
            ) from None
        if sent_md5 != local.md5:
            raise ActionError(
                f"{local.path} changed while it was being uploaded (md5 {sent_md5}, "
                f"expected {local.md5})",
                hint="make sure nothing writes to the files while they are published",
            )
        if server_md5 == local.md5:
            return
        log.warning(
            "Zenodo stored %s with md5 %s, not %s; uploading it again",
            local.name,
            server_md5,
            local.md5,
        )
    raise ActionError(
        f"Zenodo stored {local.name} with a different checksum ({server_md5}) than the file "
        f"sent ({local.md5}) twice in a row; nothing was published",
        hint="run again; if it persists, the file is corrupted on the way to Zenodo",
    )


def _lost_draft(run: _Run, draft: Deposition, error: HttpError) -> ConcurrentRun | None:
    """After a 403/404 on a write to the draft: did another run publish, discard or claim
    it? (A stalled run's draft is taken over once idle, see `_adopt`.)"""
    if error.status not in (403, 404):
        return None
    try:
        state = run.client.deposition(draft.id)
    except HttpError as read_error:
        if read_error.status not in (404, 410):
            return None
        what = "discarded"
    else:
        if state.submitted:
            what = f"published as {state.doi} ({_describe_draft(state)})"
        elif run.request.version and state.version != run.request.version:
            what = f"claimed for {_describe_draft(state)}"
        else:
            return None
    return ConcurrentRun(
        f"draft {draft.id} was {what} by another run while this run prepared it. "
        "Nothing was published by this run.",
        hint="run this job again: it starts over from what is on Zenodo now",
    )


def _check_draft_is_ours(run: _Run, draft: Deposition) -> None:
    """Just before publishing: the draft holds exactly our version and files."""
    problems = []
    if run.request.version and draft.version != run.request.version:
        problems.append(f"its version is {draft.version!r}, not {run.request.version!r}")
    problems += _file_set_differences(draft.file_set(), run.request.file_set())
    if problems:
        raise ConcurrentRun(
            f"draft {draft.id} changed while this run prepared it ("
            + "; ".join(problems)
            + "): another run for this concept is probably active. Nothing was published.",
            hint="run this job again once the other run has finished",
        )


def _file_set_differences(actual: dict[str, str], wanted: dict[str, str]) -> list[str]:
    problems = [f"{name} is missing" for name in wanted if name not in actual]
    problems += [f"unexpected file {name}" for name in actual if name not in wanted]
    problems += [
        f"{name} has md5 {actual[name]}, expected {md5}"
        for name, md5 in wanted.items()
        if name in actual and actual[name] != md5
    ]
    return problems


def _publish(run: _Run, draft: Deposition) -> Deposition:
    """Publish once; after a failure midway, read back whether it happened (§4.4: 504s)."""
    for _ in range(3):
        try:
            return run.client.publish(draft)
        except OutcomeUnknown:
            log.warning("the publish request failed midway; checking whether Zenodo published")
        except HttpError as error:
            if error.status != 404:  # 404: already published, or gone
                raise explain(error, doing=f"publish draft {draft.id}", locate=run.locate) from None
        state = run.client.deposition(draft.id)
        if state.submitted:
            log.info("Zenodo did publish draft %s", draft.id)
            return state
        # Still a draft: a draft is published at most once, so asking again is safe.
    raise ActionError(
        f"could not publish draft {draft.id}",
        hint="Zenodo kept failing; run again later: the re-run continues from the draft",
    )


def _verify_published(run: _Run, published: Deposition, the_plan: Plan) -> Deposition:
    """Read the record back: its DOI, concept DOI and files are what was published."""
    try:
        record = run.client.deposition(published.id)
    except HttpError as error:
        doi = f" as {published.doi}" if published.doi else ""
        raise ActionError(
            f"Zenodo published record {published.id}{doi}, but reading it back to verify "
            f"it failed: {error.message}",
            hint="run again: the re-run finds the published version (status unchanged) "
            "and reports its DOI; it never publishes a second one",
        ) from None
    problems = []
    if not record.submitted or not record.doi:
        problems.append("it is not published")
    if published.doi and record.doi != published.doi:
        problems.append(f"its DOI is {record.doi}, but publishing reported {published.doi}")
    if the_plan.concept_id and record.concept_id != the_plan.concept_id:
        problems.append(f"it belongs to concept {record.concept_id}, not {the_plan.concept_id}")
    if not record.concept_doi:
        problems.append("it has no concept DOI")
    problems += _file_set_differences(record.file_set(), run.request.file_set())
    if problems:
        raise ActionError(
            f"record {record.id} was published, but reading it back shows: " + "; ".join(problems),
            hint=f"check the record at {record.links.get('html', '')} and tell Zenodo support",
        )
    return record
