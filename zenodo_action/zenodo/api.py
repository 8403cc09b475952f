"""What a publish needs from a repository's API: the records it reads and the calls it makes.

The planner (`plan.py`) and the steps that act (`deposit.py`) are written against
`DepositAPI`, not against one HTTP API. Two clients implement it: `client.ZenodoClient`
with Zenodo's legacy deposit endpoints (zenodo-api.md §2), and `records.RecordsClient`
with InvenioRDM's records API (docs/reference/invenio-records-api.md), which Zenodo
serves too.

The protocol was reshaped so that both fit without pretending: ids are numbers on Zenodo
and strings on InvenioRDM (`RecordId`); a published version and a draft are read by
different calls (`record`, `deposition`), since the records API keeps them apart; a new
version may be asked to leave the previous files behind (`new_version(import_files=)`),
a draft's DOI may need reserving (`reserve_doi`), and the metadata goes through the
API's own schema first (`prepare`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from zenodo_action.errors import ActionError
from zenodo_action.files import LocalFile
from zenodo_action.naming import setting

# The DOI prefix each known instance mints: 10.5281/zenodo.N in production and
# 10.5072/zenodo.N on the sandbox (zenodo-api.md §1). Here, not in settings, because the
# reserved DOI of a draft is computed from it too (`reserved_doi`).
KNOWN_PREFIXES = {"zenodo.org": "10.5281", "sandbox.zenodo.org": "10.5072"}


# A record's id: a number on Zenodo (either API), a string such as 8x4k2-abcde on
# InvenioRDM (docs/reference/invenio-records-api.md §2). A numeric id is held as an int,
# so the ids of one Zenodo record compare equal whichever API read them.
RecordId = int | str
ApiChoice = Literal["auto", "deposit", "records"]


def record_id(value: Any) -> RecordId:
    """An id from an answer as a `RecordId`; ValueError when it is none."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a record id: {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    if not text or len(text) > 100 or any(c in text for c in "/?#% "):
        raise ValueError(f"not a record id: {text[:40]!r}")
    return text


@dataclass(frozen=True)
class ConceptRef:
    """A concept DOI, a record id of any version, or a record URL, reduced to an id. A DOI
    that does not name its record (InvenioRDM's need not) keeps `id` None: the instance
    is asked which record has it (`DepositAPI.record_id_for_doi`)."""

    id: RecordId | None
    given: str  # as the user wrote it, for messages
    doi: str | None = None


@dataclass(frozen=True)
class RemoteFile:
    id: str
    name: str
    size: int
    md5: str
    # The records API's files are initialised, sent, then committed (§5): an uncommitted
    # one is neither kept (its content is unknown) nor publishable. Zenodo's are whole.
    committed: bool = True


@dataclass(frozen=True)
class Deposition:
    """One version of a record, published or a draft, reduced to what a publish needs."""

    id: RecordId
    concept_id: RecordId | None
    submitted: bool  # published: it has its DOI; this tool never changes it again
    is_new_draft: bool  # never published: the first version's draft, or a new version's
    doi: str | None
    concept_doi: str | None
    title: str
    metadata: Mapping[str, Any]
    files: tuple[RemoteFile, ...]
    links: Mapping[str, str]
    created: dt.datetime | None = None
    modified: dt.datetime | None = None
    # A never-published draft's DOI-to-be (`reserved_doi`), None once it has its own DOI.
    reserved_doi: str | None = None

    @property
    def version(self) -> str | None:
        return self.metadata.get("version") or None

    @property
    def is_blank(self) -> bool:
        """What creating a record makes: no title, no files (before a run's metadata PUT)."""
        return not self.title and not self.files

    def file_set(self) -> dict[str, str | None]:
        return {f.name: f.md5 for f in self.files}


class DraftExists(Exception):
    """`new_version` found the concept's new-version draft already there (the records API
    answers a second request with the first draft, §4): made by another run, or left by an
    earlier one. The caller judges it (`plan.judge_draft`) before continuing it."""

    def __init__(self, draft: Deposition) -> None:
        super().__init__(f"draft {draft.id} already exists")
        self.draft = draft


@dataclass(frozen=True)
class Prepared:
    """The run's metadata as an API will save it. `metadata` is what `put_metadata` gets
    (the run's, with what the API needs filled in); `comparable` is its form in the
    API's records, for the plan's list of changes; `warnings` name what the API cannot
    take. `fields` maps the API's error fields to the metadata's, where they differ."""

    metadata: Mapping[str, Any]
    comparable: Mapping[str, Any]
    warnings: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)

    def field_of(self, api_field: str) -> str:
        """The metadata's field behind an error field of the API (longest prefix wins)."""
        for prefix in sorted(self.fields, key=len, reverse=True):
            if api_field == prefix or api_field.startswith(prefix + "."):
                return self.fields[prefix] + api_field[len(prefix) :]
        return api_field


def reserved_doi(
    prereserve: Mapping[str, Any] | None,
    draft_id: int,
    concept_doi: str | None,
    instance_prefix: str | None,
) -> str | None:
    """The DOI publishing a draft will mint: `<prefix>/zenodo.<recid>`.

    The recid comes from the draft's `metadata.prereserve_doi` (else the draft's own id,
    which is the same number, §2.2). Not its prefix: Zenodo hard-codes 10.5281 there,
    also on the sandbox, which mints 10.5072 (§2.2, §11.4). The instance's prefix is read
    from the concept DOI where there is one (every new-version draft), else from the
    table of known hosts; only an unknown instance's first version falls back to what
    prereserve_doi says."""
    prereserve = prereserve or {}
    recid = prereserve.get("recid") or draft_id
    given = str(prereserve.get("doi") or "")
    prefix = _prefix(concept_doi) or instance_prefix or _prefix(given)
    return f"{prefix}/zenodo.{recid}" if prefix else None


def _prefix(doi: str | None) -> str | None:
    head, slash, _ = (doi or "").partition("/")
    return head if slash and head.startswith("10.") else None


def instance_prefix(hostname: str | None) -> str | None:
    """The DOI prefix of a known Zenodo host (None for other instances)."""
    return KNOWN_PREFIXES.get((hostname or "").lower())


class DepositAPI(Protocol):
    """The calls a publish makes. Reads and idempotent writes are retried by the client;
    `create`, `new_version` and `publish` raise `http.OutcomeUnknown` when they failed in a
    way that may have taken effect, and the caller reads the state back. Calls come from
    several threads at once (parallel uploads; two reads of `observe`)."""

    @property
    def name(self) -> str:
        """The API, for messages: "Zenodo's deposit API" or "the records API"."""
        ...

    @property
    def server(self) -> str:
        """Who answers, for messages: "Zenodo", or another instance's host."""
        ...

    def now(self) -> dt.datetime:
        """The server's clock, as of its last answer (drafts' idle times are measured in it)."""
        ...

    def deposition(self, deposition_id: RecordId) -> Deposition:
        """A deposition as it is now, from the database (never a lagging index): its draft
        while it has one, else the published version."""
        ...

    def record(self, record_id: RecordId) -> Deposition:
        """A published version, from the database."""
        ...

    def record_id_for_doi(self, doi: str) -> RecordId | None:
        """The id of the record (or concept) a DOI names, in the token's account; None when
        none does. Zenodo's DOIs name their record; InvenioRDM is asked."""
        ...

    def concept_depositions(self, concept_id: RecordId) -> list[Deposition]:
        """The account's versions and pending drafts of a concept, as the search index
        lists them (it may lag behind the database)."""
        ...

    def all_depositions(self) -> list[Deposition]:
        """Every deposition of the account, as the search index lists them."""
        ...

    def latest_version_id(self, concept_id: RecordId) -> RecordId | None:
        """The id of a concept's latest published version, from the database; None when
        no such concept is visible."""
        ...

    def find_pending_draft(self, concept_id: RecordId, *, expected: bool) -> Deposition | None:
        """The concept's pending new-version draft; `expected`: the server said there is
        one, so it is worth waiting longer for the index to show it."""
        ...

    def find_blank_first_draft(self) -> Deposition | None:
        """The newest blank first-version draft (a create whose answer was lost)."""
        ...

    def prepare(self, metadata: Mapping[str, Any], latest: Deposition | None) -> Prepared:
        """The run's metadata as this API saves it; raises (naming the field, before any
        write) what the API or the instance's vocabularies cannot take."""
        ...

    def create(self) -> Deposition:
        """A new, blank draft for the first version of a new concept."""
        ...

    def new_version(self, latest: Deposition, *, import_files: bool = True) -> Deposition:
        """The new-version draft of `latest`'s concept, holding `latest`'s files unless
        `import_files` is false (Zenodo's deposit API always copies them). Raises
        `DraftExists` when the API answered with a draft that was there before."""
        ...

    def put_metadata(self, draft: Deposition, metadata: Mapping[str, Any]) -> Deposition:
        """Replace all of the draft's metadata (the `prepare`d metadata)."""
        ...

    def reserve_doi(self, draft: Deposition) -> Deposition:
        """The draft with the DOI publishing it will mint (`reserved_doi`) reserved."""
        ...

    def delete_file(self, draft: Deposition, remote: RemoteFile) -> None: ...

    def upload(
        self,
        draft: Deposition,
        local: LocalFile,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[str, str]:
        """Send one file; return (the md5 the server stored, the md5 of the bytes sent).
        `progress` hears the bytes sent so far, block by block (a retry starts again from
        0); it may raise to abort the upload. `draft`'s files say which names exist."""
        ...

    def publish(self, draft: Deposition) -> Deposition: ...

    def community_exists(self, slug: str) -> bool | None:
        """Whether a community with this id exists; None when that cannot be told."""
        ...


class UnexpectedAnswer(ActionError):
    """Zenodo answered a step with its success status but a body this client cannot read
    (not JSON, empty, the wrong shape): a proxy, a truncated answer, a changed API."""

    def __init__(self, step: str, what: str) -> None:
        super().__init__(
            f"Zenodo answered something unexpected when asked to {step}: {what}",
            hint=_RERUN_ADVICE["publish" if step.startswith("publish") else _kind(step)],
        )
        self.step = step


_RERUN_ADVICE = {
    "read": f"nothing was changed; run again, and if it persists, check {setting('zenodo-url')} "
    "and whether a proxy answers in Zenodo's place",
    "write": "nothing was published; run again: the next run finds the draft this run was "
    "working on and continues it",
    "publish": "run again: the next run finds out whether the version was published (it "
    "then reports it, status unchanged) or publishes the draft; never twice",
}


def _kind(step: str) -> str:
    return "read" if step.startswith(("read", "list", "look")) else "write"
