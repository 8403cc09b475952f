"""Observe and apply a publish: the reads before deciding, and the writes after.

`publish` is the whole of it, one call: read, hash, plan, and unless a dry run, apply.
`observe` reads what `plan.decide` needs. `apply` executes a plan against the draft as
it really is, and after every non-idempotent step (newversion, publish) that failed
midway it reads the state back instead of repeating blindly (zenodo-api.md §3, §4).
Before continuing a pending draft it reads the draft again and lets `plan.judge_draft`
say whether it is this run's, abandoned, or another live run's; a check of the draft
just before publishing makes sure that no other run changed it meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal

from zenodo_action.errors import ActionError, PendingDraft
from zenodo_action.files import LocalFile
from zenodo_action.http import HttpError, OutcomeUnknown
from zenodo_action.metadata import doi_of
from zenodo_action.naming import setting
from zenodo_action.parallel import run_each
from zenodo_action.progress import Progress
from zenodo_action.zenodo.api import (
    KNOWN_PREFIXES,
    ConceptRef,
    DepositAPI,
    Deposition,
    DraftExists,
    Prepared,
    RecordId,
    RemoteFile,
    UnexpectedAnswer,
)
from zenodo_action.zenodo.errors import (
    FieldErrors,
    Locate,
    explain,
    refused_field,
    rejected,
)
from zenodo_action.zenodo.plan import (
    Plan,
    PublishRequest,
    Snapshot,
    age,
    decide,
    diff_files,
    judge_draft,
    takeover_window,
)

log = logging.getLogger("zenodo_action.deposit")


class ConcurrentRun(ActionError):
    """Another run is preparing a version of the same concept."""


@dataclass(frozen=True)
class Outcome:
    status: Literal["published", "draft", "unchanged"]
    deposition: Deposition
    warnings: tuple[str, ...] = ()  # what the version did not get that was asked for


# --- observe -------------------------------------------------------------------------


def observe(api: DepositAPI, request: PublishRequest) -> Snapshot:
    """Read what deciding needs: the concept's depositions and its latest version (or, for
    a first version, every deposition of the account)."""
    if request.concept is None:
        title = request.title.strip()

        def earlier_run(listed: list[Deposition]) -> bool:
            """A record or draft of this title, or a blank first draft (plan.py)."""
            return any(d.title.strip() == title or (d.is_new_draft and d.is_blank) for d in listed)

        listed = _listed(api, lambda: api.settled_depositions(earlier_run))
        return Snapshot(None, _drafts_read(api, listed))
    concept_id, versions, latest = _resolve_with_latest(api, _with_id(api, request.concept))
    published = [d for d in versions if d.submitted]
    latest = _latest_published(api, latest, published)
    return Snapshot(concept_id, _drafts_read(api, versions), latest)


def _drafts_read(api: DepositAPI, listed: list[Deposition]) -> tuple[Deposition, ...]:
    """The list with each pending draft replaced by a read of it: list entries come from
    the search index and show a draft with no files and no bucket (zenodo-api.md §11.3),
    so a plan (a dry run's diff above all) needs the draft itself. Drafts are few: one
    per concept at most."""
    return tuple(api.deposition(d.id) if d.is_new_draft else d for d in listed)


def _with_id(api: DepositAPI, ref: ConceptRef) -> ConceptRef:
    """The reference with its record's id: a DOI that does not name it is looked up."""
    if ref.id is not None:
        return ref
    assert ref.doi is not None, "a concept reference holds an id or a DOI"
    try:
        found = api.record_id_for_doi(ref.doi)
    except HttpError as error:
        raise explain(
            error, doing=f"look up the record with DOI {ref.doi}", server=api.server
        ) from None
    if found is None:
        raise ActionError(
            f"concept {ref.given!r}: no record with DOI {ref.doi} in the token's account",
            hint="check the DOI, that zenodo-url points at the instance that minted it, and "
            "that the token belongs to the account that owns the record (or shares it)",
        )
    return ConceptRef(found, ref.given, ref.doi)


def _resolve_with_latest(
    api: DepositAPI, ref: ConceptRef
) -> tuple[RecordId, list[Deposition], Deposition | None]:
    """`_resolve`, and the concept's latest version, read beside the list (for speed): the
    list comes from the search index, Zenodo's slowest read, and nothing waits for it any
    more. That version is the concept's when the id given is the concept's, as users give
    it; for a version id it is read again, of its concept."""
    assert ref.id is not None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="observe") as pool:
        latest = pool.submit(_latest_version, api, ref.id)
        concept_id, versions = _resolve(api, ref)
        if concept_id == ref.id:
            return concept_id, versions, latest.result()
    return concept_id, versions, _latest_version(api, concept_id)


def _latest_version(api: DepositAPI, concept_id: RecordId) -> Deposition | None:
    """The latest published version as the database knows it (the search index may lag)."""
    latest_id = api.latest_version_id(concept_id)
    return api.record(latest_id) if latest_id is not None else None


def _resolve(api: DepositAPI, ref: ConceptRef) -> tuple[RecordId, list[Deposition]]:
    """The concept id behind a concept or version id, and all its depositions of this
    account. A concept id (what users give) is listed straight away; only an id that lists
    nothing is read, to see whether it is a version and of which concept."""
    assert ref.id is not None
    ref_id = ref.id
    versions = _listed(api, lambda: api.concept_depositions(ref_id))
    if versions:
        return ref_id, versions
    try:
        concept_id = api.record(ref_id).concept_id or ref_id
    except HttpError as error:
        if error.status in (401, 403):
            raise _not_yours(ref, api.server) from None
        if error.status != 404:
            raise explain(error, doing=f"read record {ref.id}", server=api.server) from None
        concept_id = ref.id  # not a record: a concept id
    if concept_id != ref.id:
        versions = _listed(api, lambda: api.concept_depositions(concept_id))
    if not versions:
        if api.latest_version_id(concept_id) is not None:
            raise _not_yours(ref, api.server)
        raise ActionError(
            f"concept {ref.given!r}: no record with this id on {api.server} in the token's "
            f"account{_zenodos_doi(ref, api.server)}",
            hint=f"check {setting('concept', ref.given)}, and that the run publishes where it "
            f"lives: {setting('sandbox', 'true')} for sandbox.zenodo.org, "
            f"{setting('zenodo-url')} for another instance",
        )
    return concept_id, versions


def _zenodos_doi(ref: ConceptRef, server: str) -> str:
    """Said when a Zenodo DOI is given for another instance, which has its own DOIs."""
    doi = (ref.doi or "").lower()
    for host, prefix in KNOWN_PREFIXES.items():
        if server != "Zenodo" and doi.startswith(f"{prefix}/zenodo."):
            return f" ({ref.doi} is a DOI of {host}, and this run publishes to {server})"
    return ""


def _not_yours(ref: ConceptRef, server: str) -> ActionError:
    return ActionError(
        f"concept {ref.given!r} belongs to another {server} account than the token's, and is "
        "not shared with it",
        hint="use a token of the account that owns the record, or have its owner share it "
        f"with this account (the record's Share button on {server}: a user with edit or "
        "manage access can add versions and publish them)",
    )


def _listed(api: DepositAPI, listing: Callable[[], list[Deposition]]) -> list[Deposition]:
    try:
        return listing()
    except HttpError as error:
        raise explain(error, doing="list your depositions", server=api.server) from None


def _latest_published(
    api: DepositAPI, latest: Deposition | None, published: list[Deposition]
) -> Deposition | None:
    """The database's latest version, unless the list knows a newer one (never expected:
    the list comes from the index, which lags behind the database)."""
    newest = max(published, key=age, default=None)
    if newest is None or (latest is not None and age(latest) >= age(newest)):
        return latest
    return api.record(newest.id)


def hash_where_needed(
    remote: Sequence[RemoteFile],
    local: Sequence[LocalFile],
    *,
    every: bool = False,
    workers: int = 1,
) -> dict[str, LocalFile]:
    """The local files that must be hashed before anything is sent, hashed: those with a
    file of the same name and size on Zenodo, which may be identical (kept, not sent), or
    `every` one (a dry run shows them all). Others are hashed by their upload. `workers`
    files at a time (hashlib lets go of the GIL): a regenerated dataset whose files keep
    their names and sizes is hashed on every core."""
    sizes = {(f.name, f.size) for f in remote}
    needed = [f for f in local if every or (f.name, f.size) in sizes]
    if len(needed) < 2 or workers < 2:
        return {f.name: f.hashed() for f in needed}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="md5") as pool:
        return {f.name: f for f in pool.map(LocalFile.hashed, needed)}


# --- the whole publish ---------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """What a publish planned, its request as the API took it, and how applying ended."""

    plan: Plan
    request: PublishRequest  # in the API's terms; its files hashed where that was needed
    outcome: Outcome | None  # None: a dry run
    warnings: tuple[str, ...] = ()  # what the version did not get (a community, say)


def publish(
    api: DepositAPI,
    request: PublishRequest,
    *,
    locate: Locate,
    dry_run: bool = False,
    workers: int = 1,
) -> Publication:
    """Read, hash, plan and (unless `dry_run`) apply: all a run does on the repository.
    What the API refuses is reported where `locate` places it in the user's files."""
    try:
        snapshot = observe(api, request)
        prepared = _prepared(api, request, snapshot.latest, locate)
        request = replace(request, metadata=prepared.metadata, comparable=prepared.comparable)
        remote = [f for d in (*snapshot.depositions, snapshot.latest) if d for f in d.files]
        hashed = hash_where_needed(remote, request.files, every=dry_run, workers=workers)
        request = request.with_files(hashed)
        the_plan = decide(snapshot, request)
        outcome = None
        if not dry_run:
            through = _through(prepared, locate)
            outcome = apply(api, the_plan, request, locate=through, workers=workers)
    except HttpError as error:  # a read that failed for good: the writes explain themselves
        raise explain(error, doing="read the record's current state", server=api.server) from None
    warnings = prepared.warnings + (outcome.warnings if outcome else ())
    return Publication(the_plan, request, outcome, warnings)


def _prepared(
    api: DepositAPI, request: PublishRequest, latest: Deposition | None, locate: Locate
) -> Prepared:
    """The metadata in the API's terms; what it cannot take fails here, located in the
    user's files, before the first write."""
    try:
        return api.prepare(request.metadata, latest)
    except FieldErrors as refused:
        text = f"the metadata cannot be published through {api.name}; nothing was sent"
        raise rejected(text, refused.pairs, locate, server=api.server) from None


def _through(prepared: Prepared, locate: Locate) -> Locate:
    """Locate the API's error fields through the metadata's fields they came from."""
    return lambda field: locate(prepared.field_of(field))


# --- apply ---------------------------------------------------------------------------


class _Run:
    """One apply: the API, the request, and what this run has done so far."""

    def __init__(
        self, api: DepositAPI, request: PublishRequest, locate: Locate | None, workers: int
    ) -> None:
        self.api = api
        self.workers = workers  # uploads at a time
        self.request = request
        self.locate = locate
        self.asked_for_draft = False  # set once this run asked Zenodo to create a draft
        self.adopted_draft = False  # the draft was left by an earlier run (a --draft run, say)
        self.last_claim = 0.0
        # The requested files, each with its MD5 once known: hashed where a file of the
        # same name and size is on Zenodo, else as sent by its upload.
        self.files = {f.name: f for f in request.files}

    def file_set(self) -> dict[str, str | None]:
        return {name: f.md5 for name, f in self.files.items()}


def apply(
    api: DepositAPI,
    the_plan: Plan,
    request: PublishRequest,
    *,
    locate: Locate | None = None,
    workers: int = 1,
) -> Outcome:
    if the_plan.action == "unchanged":
        assert the_plan.match is not None
        return Outcome("unchanged", the_plan.match)
    run = _Run(api, request, locate, workers)
    draft = _obtain_draft(run, the_plan)
    try:
        draft = _claim(run, draft)
        draft = _reserve_doi(run, draft)
        draft = _sync_files(run, draft)
        _check_draft_is_ours(run, draft)
        if request.draft_only:
            return Outcome("draft", draft)
        published = _publish(run, draft)
    except ConcurrentRun:
        raise  # the draft is another run's, or gone: not this run's to point at
    except ActionError as error:
        error.pending_draft = PendingDraft(draft.id, draft.links.get("html", ""), api.server)
        raise
    record = _verify_published(run, published, the_plan)
    _check_reserved_doi(run, draft, record)
    return Outcome("published", record, community_warnings(run.api, request, record))


def community_warnings(
    api: DepositAPI, request: PublishRequest, record: Deposition
) -> tuple[str, ...]:
    """Communities asked for that the record did not join (zenodo-api.md §11.3): publishing
    only files an inclusion request, which the curators may still have to accept, and
    silently ignores an id that does not exist. Which of the two: one read each."""
    joined = {_slug(c) for c in record.metadata.get("communities") or ()}
    warnings = []
    for slug in [_slug(c) for c in request.metadata.get("communities") or ()]:
        if not slug or slug in joined:
            continue
        exists = api.community_exists(slug)
        if exists is None:
            why = f"{api.server} did not say whether it exists"
        elif exists:
            why = "its inclusion request waits for the community's curators"
        else:
            why = f"no community has this id on {api.server}, and {api.server} ignored it"
        warnings.append(f"community {slug!r} was not joined: {why}")
    return tuple(warnings)


def _slug(community: Any) -> str:
    return str(community.get("identifier", "")) if isinstance(community, dict) else ""


def _obtain_draft(run: _Run, the_plan: Plan) -> Deposition:
    if the_plan.draft:
        return _adopt(run, the_plan.draft)
    if the_plan.action == "new-concept":
        return _create_first_draft(run)
    assert the_plan.latest is not None and the_plan.concept_id is not None
    # The records API copies no files into a new version unless asked (invenio-records-api.md §4):
    # only worth a request when some of the latest version's files stay.
    keep = bool(the_plan.changes.keep)
    return _new_version_draft(run, the_plan.latest, the_plan.concept_id, keep)


def _adopt(run: _Run, draft: Deposition) -> Deposition:
    """Continue with a pending draft if it is ours or abandoned; refuse an active foreign one."""
    draft = run.api.deposition(draft.id)  # the database, not the possibly stale index
    run.adopted_draft = True
    judged = judge_draft(draft, run.request, run.api.now(), asked_for=run.asked_for_draft)
    if judged.verdict == "ours":
        log.info(
            "continuing with draft %s, left by an earlier run for version %s",
            draft.id,
            run.request.version,
        )
    elif judged.verdict == "refuse":
        assert judged.idle is not None
        raise ConcurrentRun(
            f"another run is preparing {_describe_draft(draft)} of this concept (draft "
            f"{draft.id}, changed {judged.idle:.0f} s ago). {run.api.server} allows one draft per "
            "concept, so this run stops rather than mix its files with the other run's.",
            hint="run this job again once the other run has finished. If no other run is "
            f"active, the draft is a leftover: it is taken over once idle for "
            f"{_duration(judged.window)}, or discard it at "
            f"{draft.links.get('html') or run.api.server}",
        )
    elif judged.verdict == "take-over":
        log.warning(
            "taking over abandoned draft %s (%s, idle for %s): its files and metadata are replaced",
            draft.id,
            _describe_draft(draft),
            "an unknown time" if judged.idle is None else f"{judged.idle / 60:.0f} min",
        )
    return draft


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}" if minutes else f"{seconds:.0f} s"


def _describe_draft(draft: Deposition) -> str:
    return f"version {draft.version}" if draft.version else "a version without a version string"


def _create_first_draft(run: _Run) -> Deposition:
    run.asked_for_draft = True
    try:
        draft = run.api.create()
    except (OutcomeUnknown, UnexpectedAnswer):
        # Did the create happen? Look for the empty draft it would have made.
        found = run.api.find_blank_first_draft()
        if found is None:
            raise ActionError(
                "creating the first draft failed midway and no draft is visible yet",
                hint="run again in a minute: the re-run finds the draft if it was created",
            ) from None
        draft = found
    except HttpError as error:
        raise explain(error, doing="create a new record", server=run.api.server) from None
    log.info("created draft %s for the first version of a new concept", draft.id)
    return draft


def _new_version_draft(
    run: _Run, latest: Deposition, concept_id: RecordId, keep: bool
) -> Deposition:
    """Ask for the new-version draft; after a failure, find the one Zenodo may have made."""
    for _ in range(3):
        try:
            draft = run.api.new_version(latest, import_files=keep)
            run.asked_for_draft = True
            return draft
        except DraftExists as existing:  # the records API answers with the concept's draft
            run.asked_for_draft = True
            return _adopt(run, existing.draft)
        except (OutcomeUnknown, UnexpectedAnswer):  # it may have made the draft
            run.asked_for_draft = True
            log.warning(
                "the new-version request failed midway; checking what %s did", run.api.server
            )
            found = run.api.find_pending_draft(concept_id, expected=False)
            if found:
                return _adopt(run, found)
            # Nothing visible: asking again cannot make a second draft (one per concept);
            # Zenodo answers 400 if the first request did create one.
        except HttpError as error:
            if not _is_pending_draft_error(error):
                raise explain(
                    error,
                    doing=f"create a new version of concept {concept_id}",
                    server=run.api.server,
                ) from None
            log.info("%s reports a pending draft for this concept; looking it up", run.api.server)
            found = run.api.find_pending_draft(concept_id, expected=True)
            if found is None:
                raise ActionError(
                    f"{run.api.server} says this concept has a pending draft, but its search "
                    "index does not show it yet",
                    hint="run again in a minute or two",
                ) from None
            return _adopt(run, found)
    raise ActionError(
        f"could not create a new version of concept {concept_id}",
        hint=f"{run.api.server} kept failing; run again later",
    )


def _is_pending_draft_error(error: HttpError) -> bool:
    return refused_field(error, "files.enabled")


def _claim(run: _Run, draft: Deposition) -> Deposition:
    """PUT the metadata: it replaces everything and stamps the draft with our version."""
    try:
        claimed = run.api.put_metadata(draft, without_own_doi(run.request.metadata, draft))
    except FieldErrors as refused:  # saved, but without what it lists: stop before publishing
        text = (
            f"the metadata of draft {draft.id} was saved, but without fields the server "
            "refused; nothing was published"
        )
        raise rejected(text, refused.pairs, run.locate, server=run.api.server) from None
    except HttpError as error:
        raise _failed_write(run, draft, error, f"save the metadata of draft {draft.id}") from None
    run.last_claim = time.monotonic()
    return claimed


def _reserve_doi(run: _Run, draft: Deposition) -> Deposition:
    """Reserve the DOI publishing will mint, where the API does not do it by itself (the
    records API, invenio-records-api.md §6): a draft run gives it out, and a publish checks it was
    the one."""
    try:
        return run.api.reserve_doi(draft)
    except HttpError as error:
        raise _failed_write(run, draft, error, f"reserve a DOI for draft {draft.id}") from None


def _failed_write(run: _Run, draft: Deposition, error: HttpError, doing: str) -> ActionError:
    """A write to the draft that failed for good: another run's doing, or explained."""
    return _lost_draft(run, draft, error) or explain(
        error, doing=doing, locate=run.locate, server=run.api.server
    )


def without_own_doi(metadata: Mapping[str, Any], draft: Deposition) -> Mapping[str, Any]:
    """The metadata without related identifiers naming the draft's own DOI. A two-step
    release writes the reserved DOI into CITATION.cff's identifiers before publishing,
    and read back it would make the record a version of itself."""
    own = {doi.lower() for doi in (draft.reserved_doi, draft.doi) if doi}
    related = metadata.get("related_identifiers")
    if not own or not isinstance(related, list):
        return metadata
    kept = [r for r in related if not _names(r, own)]
    if len(kept) == len(related):
        return metadata
    return (
        {**metadata, "related_identifiers": kept}
        if kept
        else {k: v for k, v in metadata.items() if k != "related_identifiers"}
    )


def _names(related: Any, dois: set[str]) -> bool:
    identifier = related.get("identifier") if isinstance(related, dict) else None
    doi = doi_of(identifier) if isinstance(identifier, str) else None
    return doi is not None and doi.lower() in dois


def _heartbeat(run: _Run, draft: Deposition) -> None:
    """Re-claim during long uploads, so other runs see the draft is in use."""
    if time.monotonic() - run.last_claim > takeover_window(run.request.version) / 4:
        _claim(run, draft)


def _sync_files(run: _Run, current: Deposition) -> Deposition:
    """Make the draft's files exactly the requested set, verifying every checksum.
    `current` is the draft as the claim's answer shows it (files included): no read.
    Uploads run side by side; the heartbeat goes on meanwhile in this thread."""
    run.files.update(
        hash_where_needed(current.files, list(run.files.values()), workers=run.workers)
    )
    changes = diff_files(current.files, list(run.files.values()))
    for remote in changes.delete:
        _delete(run, current, remote)
    run_each(
        changes.upload,
        lambda local, check: _upload(run, current, local, check),
        workers=run.workers,
        tick=lambda: _heartbeat(run, current),
    )
    return run.api.deposition(current.id)


def _delete(run: _Run, draft: Deposition, remote: RemoteFile) -> None:
    log.info("removing %s from the draft", remote.name)
    try:
        run.api.delete_file(draft, remote)
    except HttpError as error:
        lost = _lost_draft(run, draft, error)
        if lost:
            raise lost from None
        # Zenodo has answered 500 to deletes that did happen (zenodo-api.md §2.1 row 18): look
        # first.
        if any(f.id == remote.id for f in run.api.deposition(draft.id).files):
            raise explain(
                error, doing=f"remove {remote.name} from draft {draft.id}", server=run.api.server
            ) from None
        log.info("the delete of %s reported an error, but the file is gone", remote.name)


def _upload(
    run: _Run, draft: Deposition, local: LocalFile, check: Callable[[], None] = lambda: None
) -> None:
    """Send one file and make sure Zenodo stored the bytes planned. `check` raises when
    another upload failed: this one then stops at its next block."""
    progress = Progress(local.name, local.size, log)
    progress.start()

    def sent(count: int) -> None:
        check()
        progress(count)

    for _ in (1, 2):
        try:
            server_md5, sent_md5 = run.api.upload(draft, local, sent)
        except HttpError as error:
            raise _failed_write(run, draft, error, f"upload {local.name}") from None
        if local.changed_since() or local.md5 not in (None, sent_md5):
            raise ActionError(
                f"{local.path} changed while it was being uploaded (md5 {sent_md5}"
                + (f", expected {local.md5})" if local.md5 else ")"),
                hint="make sure nothing writes to the files while they are published",
            )
        if server_md5 == sent_md5:
            run.files[local.name] = replace(local, md5=sent_md5)
            progress.end()
            return
        log.warning(
            "%s stored %s with md5 %s, not %s; uploading it again",
            run.api.server,
            local.name,
            server_md5,
            sent_md5,
        )
    raise ActionError(
        f"{run.api.server} stored {local.name} with a different checksum ({server_md5}) than "
        "the file "
        f"sent ({sent_md5}) twice in a row; nothing was published",
        hint=f"run again; if it persists, the file is corrupted on the way to {run.api.server}",
    )


def _lost_draft(run: _Run, draft: Deposition, error: HttpError) -> ConcurrentRun | None:
    """After a 403/404 on a write to the draft: did another run publish, discard or claim
    it? (A stalled run's draft is taken over once idle, see `_adopt`.)"""
    if error.status not in (403, 404):
        return None
    try:
        state = run.api.deposition(draft.id)
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
        hint=f"run this job again: it starts over from what is on {run.api.server} now",
    )


def _check_draft_is_ours(run: _Run, draft: Deposition) -> None:
    """Just before publishing: the draft holds exactly our version and files."""
    problems = []
    if run.request.version and draft.version != run.request.version:
        problems.append(f"its version is {draft.version!r}, not {run.request.version!r}")
    problems += _file_set_differences(draft.file_set(), run.file_set())
    if problems:
        raise ConcurrentRun(
            f"draft {draft.id} changed while this run prepared it ("
            + "; ".join(problems)
            + "): another run for this concept is probably active. Nothing was published.",
            hint="run this job again once the other run has finished",
        )


def _file_set_differences(
    actual: Mapping[str, str | None], wanted: Mapping[str, str | None]
) -> list[str]:
    problems = [f"{name} is missing" for name in wanted if name not in actual]
    problems += [f"unexpected file {name}" for name in actual if name not in wanted]
    problems += [
        f"{name} has md5 {actual[name]}, expected {md5}"
        for name, md5 in wanted.items()
        if name in actual and actual[name] != md5
    ]
    return problems


def _publish(run: _Run, draft: Deposition) -> Deposition:
    """Publish once; after a failure midway, read back whether it happened (zenodo-api.md §4.4:
    504s)."""
    for _ in range(3):
        try:
            return run.api.publish(draft)
        except OutcomeUnknown:
            log.warning(
                "the publish request failed midway; checking whether %s published", run.api.server
            )
        except UnexpectedAnswer as error:  # it may well have published: the state tells
            log.warning("%s; checking whether %s published", error.message, run.api.server)
        except HttpError as error:
            if error.status != 404:  # 404: already published, or gone
                raise explain(
                    error,
                    doing=f"publish draft {draft.id}",
                    locate=run.locate,
                    server=run.api.server,
                ) from None
        state = run.api.deposition(draft.id)
        if state.submitted:
            log.info("%s did publish draft %s", run.api.server, draft.id)
            return state
        # Still a draft: a draft is published at most once, so asking again is safe.
    raise ActionError(
        f"could not publish draft {draft.id}",
        hint=f"{run.api.server} kept failing; run again later: the re-run continues from the draft",
    )


def _verify_published(run: _Run, published: Deposition, the_plan: Plan) -> Deposition:
    """Read the record back: its DOI, concept DOI and files are what was published."""
    try:
        record = run.api.record(published.id)
    except HttpError as error:
        doi = f" as {published.doi}" if published.doi else ""
        raise ActionError(
            f"{run.api.server} published record {published.id}{doi}, but reading it back to "
            "verify "
            f"it failed: {error.message}",
            hint="run again: the re-run finds the published version (status unchanged) "
            "and reports its DOI; it never publishes a second one",
        ) from None
    if not record.submitted or not record.doi:
        raise ActionError(
            f"{run.api.server} answered the publish of draft {published.id} as done, but the "
            "record "
            "read back is still an unpublished draft: nothing was published",
            hint="run again: the next run continues from this draft and publishes it",
        )
    problems = []
    if published.doi and record.doi != published.doi:
        problems.append(f"its DOI is {record.doi}, but publishing reported {published.doi}")
    if the_plan.concept_id and record.concept_id != the_plan.concept_id:
        problems.append(f"it belongs to concept {record.concept_id}, not {the_plan.concept_id}")
    if not record.concept_doi:
        problems.append("it has no concept DOI")
    problems += _file_set_differences(record.file_set(), run.file_set())
    if problems:
        raise ActionError(
            f"record {record.id} was published, but reading it back shows: " + "; ".join(problems),
            hint=f"check the record at {record.links.get('html', '')} and tell the support of "
            f"{run.api.server}",
        )
    return record


def _check_reserved_doi(run: _Run, draft: Deposition, record: Deposition) -> None:
    """The record got the DOI its draft had reserved. A draft run (`--draft`) gave that
    DOI out to be written into CITATION.cff and the README before publishing, so if Zenodo
    minted another one, those files are wrong: the run fails, and says which DOI is real
    (the record stays published; a DOI cannot be taken back). A draft this run made itself
    gave nothing out: a mismatch there only warns (an instance whose prefix is unknown,
    or Zenodo changed how it reserves DOIs)."""
    if draft.reserved_doi is None or record.doi == draft.reserved_doi:
        return
    if not run.adopted_draft:
        log.warning(
            "%s minted %s, not %s as reserved by the draft: a draft run (publish: false) "
            "would have given out a wrong DOI; please report this",
            run.api.server,
            record.doi,
            draft.reserved_doi,
        )
        return
    raise ActionError(
        f"record {record.id} WAS published, with DOI {record.doi} ({record.links.get('html', '')}"
        f", version {record.version or 'without a version string'}, concept "
        f"{record.concept_doi}), but its draft had reserved {draft.reserved_doi}",
        hint=f"change the files that cite {draft.reserved_doi} (CITATION.cff, README badges) "
        f"to {record.doi}; the version stays published, and a re-run reports it as unchanged",
    )
