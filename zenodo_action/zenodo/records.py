"""InvenioRDM's records API (docs/reference/invenio-records-api.md): the `DepositAPI` a
publish runs on for any InvenioRDM instance, Zenodo included.

What this API does its own way stays here: a record's JSON in the records schema, turned
into a `Deposition` right at this boundary; drafts read apart from published versions;
a new version that starts without files and is asked to link the previous ones; files
initialised, sent and committed (three requests each), where a changed file under a kept
name is deleted and sent anew; a save that keeps a draft with errors and lists them; the
DOI reserved on the draft; the instance's vocabularies asked at run time. Retries,
timeouts and the token are `HttpClient`'s business.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

from zenodo_action.errors import ActionError
from zenodo_action.files import HashingReader, LocalFile
from zenodo_action.http import HttpError, RetryPolicy
from zenodo_action.metadata import VocabularyUse, records_comparable, records_draft
from zenodo_action.zenodo.api import (
    ConceptRef,
    Deposition,
    DraftExists,
    Prepared,
    RecordId,
    RemoteFile,
    UnexpectedAnswer,
    record_id,
)
from zenodo_action.zenodo.errors import FieldErrors, field_errors, refused_field
from zenodo_action.zenodo.session import ApiSession, timestamp

log = logging.getLogger(__name__)

# The records schema from every record endpoint, Zenodo's included
# (invenio-records-api.md §12.2, §12.3).
ACCEPT = "application/vnd.inveniordm.v1+json, application/json;q=0.9"
SEARCH = "user/records"  # the user's records and drafts (invenio-records-api.md §8.1)
PAGE_SIZE = 100
MAX_PAGES = 20
# A new-version draft made this long before the answer to our request was not made by it.
FRESH_DRAFT = 60.0
_LOCATION_ID = re.compile(r"/records/([^/?#]+)/?(?:[?#]|$)")
# invenio-records-api.md §10.1
_SPECIFIC = frozenset({"funders", "awards", "affiliations", "subjects"})
_WHAT = {
    "resourcetypes": "resource type",
    "licenses": "licence",
    "languages": "language",
    "relationtypes": "relation",
    "datetypes": "date type",
    "descriptiontypes": "description type",
    "contributorsroles": "contributor role",
    "creatorsroles": "creator role",
    "funders": "funder",
    "awards": "award",
}


def parse_record(data: Any, *, step: str) -> Deposition:
    """A record or draft in the records schema (invenio-records-api.md §3.7), or UnexpectedAnswer
    naming `step`."""
    if not isinstance(data, Mapping) or "parent" not in data:
        what = "an answer in another schema" if isinstance(data, Mapping) else "no record"
        raise UnexpectedAnswer(step, f"{what} (not InvenioRDM's records schema)")
    try:
        return _deposition_of(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        field = f"'{error.args[0]}'" if isinstance(error, KeyError) else "field (wrong type)"
        raise UnexpectedAnswer(step, f"a record without a usable {field}") from None


def _deposition_of(data: Mapping[str, Any]) -> Deposition:
    published = bool(data.get("is_published"))
    metadata = records_comparable(data.get("metadata") or {})
    doi = (data.get("pids") or {}).get("doi", {}).get("identifier") or None
    links = dict(data.get("links") or {})
    links["html"] = links.get("self_html", "")
    entries = (data.get("files") or {}).get("entries") or {}
    return Deposition(
        id=record_id(data["id"]),
        concept_id=record_id(data["parent"]["id"]),
        submitted=published,
        is_new_draft=not published,
        doi=doi if published else None,
        concept_doi=(data["parent"].get("pids") or {}).get("doi", {}).get("identifier") or None,
        title=str(metadata.get("title") or ""),
        metadata=metadata,
        files=tuple(_remote_file(entry) for entry in _listed(entries)),
        links=links,
        created=timestamp(data.get("created")),
        modified=timestamp(data.get("updated")),
        reserved_doi=None if published else doi,
    )


def _listed(entries: Any) -> list[Mapping[str, Any]]:
    """File entries: keyed by name in a record (invenio-records-api.md §3.7), a list from the files
    endpoints (invenio-records-api.md §5.6)."""
    items = entries.values() if isinstance(entries, Mapping) else entries
    return [e for e in items if isinstance(e, Mapping)]


def _remote_file(entry: Mapping[str, Any]) -> RemoteFile:
    """A file; without a checksum it is not committed (invenio-records-api.md §3.7): neither kept
    nor published."""
    checksum = str(entry.get("checksum") or "")
    return RemoteFile(
        id=str(entry.get("file_id") or entry.get("id") or entry["key"]),
        name=str(entry["key"]),
        size=int(entry.get("size") or 0),
        md5=checksum.removeprefix("md5:"),
        committed=bool(checksum) and entry.get("status", "completed") == "completed",
    )


def _tags_of(answer: Any) -> list[str] | None:
    try:
        tags = answer.json().get("tags")
    except (ValueError, AttributeError):
        return None
    return [str(t) for t in tags] if isinstance(tags, list) else None


def _search_params(query: str | None, page: int) -> dict[str, Any]:
    params: dict[str, Any] = {"size": PAGE_SIZE, "page": page, "sort": "newest"}
    params["allversions"] = "true"
    if query:
        params["q"] = query
    return params


def _concept_query(concept_id: RecordId) -> str:
    return f"parent.id:{_quoted(str(concept_id))}"


def _doi_query(doi: str) -> str:
    """A version's DOI or its concept's (invenio-records-api.md §8.1)."""
    quoted = _quoted(doi.strip())
    return f"pids.doi.identifier:{quoted} OR parent.pids.doi.identifier:{quoted}"


def _quoted(value: str) -> str:
    """A value for the query-string syntax: quoted, or a DOI matches words
    (invenio-records-api.md §8.3)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RecordsClient(ApiSession):
    """The records API of one InvenioRDM instance, with one token."""

    name = "the records API"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        connections: int = 4,
        zenodo: bool = False,
    ) -> None:
        super().__init__(  # InvenioRDM's limiter answers 429 too (invenio-records-api.md §9.4)
            base_url,
            token,
            policy=policy,
            sleep=sleep,
            connections=connections,
            headers={"Accept": ACCEPT},
        )
        self.host = urlsplit(base_url).netloc or base_url
        self.zenodo = zenodo  # Zenodo: its publisher is "Zenodo" when a file names none
        self.server = "Zenodo" if zenodo else self.host
        self._vocabulary: dict[tuple[str, str], bool | None] = {}
        self._tags: dict[tuple[str, str], list[str] | None] = {}  # of the entries read
        self.workers = max(1, connections - 1)  # requests at a time the pool keeps open

    def _record(self, method: str, path: str, *, step: str, **kwargs: Any) -> Deposition:
        return parse_record(self._json(method, path, step=step, **kwargs), step=step)

    # -- reads ------------------------------------------------------------------------

    def deposition(self, deposition_id: RecordId) -> Deposition:
        """The draft while there is one, else the published version
        (invenio-records-api.md §4.5)."""
        try:
            return self._record(
                "GET", f"records/{deposition_id}/draft", step="read a draft", idempotent=True
            )
        except HttpError as error:
            if error.status != 404:
                raise
        return self.record(deposition_id)

    def record(self, record_id: RecordId) -> Deposition:
        return self._record("GET", f"records/{record_id}", step="read a record", idempotent=True)

    def record_id_for_doi(self, doi: str) -> RecordId | None:
        """The record with this DOI, or the concept with it as its parent DOI
        (invenio-records-api.md §8.1)."""
        for found in self._search(_doi_query(doi)):
            if (found.doi or "").lower() == doi.strip().lower():
                return found.id
            if (found.concept_doi or "").lower() == doi.strip().lower():
                return found.concept_id
        return None

    def concept_depositions(self, concept_id: RecordId) -> list[Deposition]:
        return self._search(_concept_query(concept_id))

    def all_depositions(self) -> list[Deposition]:
        return self._search(None)

    def _search(self, query: str | None) -> list[Deposition]:
        """The user's records and drafts matching a query, every version, every page (the
        index may lag, invenio-records-api.md §8.2)."""
        found: list[Deposition] = []
        step = "list the records"
        for page in range(1, MAX_PAGES + 1):
            answer = self._searched(SEARCH, _search_params(query, page), step=step)
            hits = (answer or {}).get("hits") if isinstance(answer, Mapping) else None
            batch = hits.get("hits") if isinstance(hits, Mapping) else None
            if not isinstance(batch, list):
                raise UnexpectedAnswer(step, "no list of hits in the answer")
            found += [parse_record(item, step=step) for item in batch]
            if len(batch) < PAGE_SIZE:
                break
        return found

    def first_search(self, concept: ConceptRef | None) -> tuple[str, dict[str, Any]]:
        """The concept's records, the record with the concept's DOI, or every record."""
        if concept is None:
            query = None
        elif concept.id is not None:
            query = _concept_query(concept.id)
        else:
            query = _doi_query(concept.doi or "")
        return SEARCH, _search_params(query, 1)

    def latest_version_id(self, concept_id: RecordId) -> RecordId | None:
        """Read from the database: a redirect to the latest version, not followed (its
        address names the id, invenio-records-api.md §4.4)."""
        try:
            response = self.latest_response(concept_id)
        except HttpError as error:
            if error.status in (404, 410):
                return None
            raise
        found = _LOCATION_ID.search(response.headers.get("Location", ""))
        try:
            return record_id(found.group(1)) if found else None
        except ValueError:
            pass
        raise UnexpectedAnswer("read the latest version", "no record id in its address")

    def community_exists(self, slug: str) -> bool | None:
        try:
            self.http.send("GET", f"communities/{quote(slug, safe='')}", idempotent=True)
        except HttpError as error:
            return False if error.status == 404 else None
        return True

    # -- the metadata ------------------------------------------------------------------

    def prepare(self, metadata: Mapping[str, Any], latest: Deposition | None) -> Prepared:
        """The metadata in the records schema: a publisher filled in where none is given,
        and every vocabulary id asked of the instance (invenio-records-api.md §10) before anything
        is written."""
        metadata = self._with_publisher(metadata, latest)
        self._ask(records_draft(metadata).vocabulary)
        draft = records_draft(metadata, notes_type=self._notes_type(metadata))
        self._ask(draft.vocabulary)  # `other`, when the instance has no `notes`
        misses = [
            (
                use.field,
                f"{self.host} has no {_WHAT.get(use.vocabulary, use.vocabulary)} "
                f"{use.id!r} (its {use.vocabulary} vocabulary)",
            )
            for use in draft.vocabulary
            if self._knows(use.vocabulary, use.id) is False
        ]
        misses += [
            (
                use.field,
                f"{self.host}'s resource type {use.id!r} is for related works only (it is "
                "not tagged depositable): choose another upload_type",
            )
            for use in draft.vocabulary
            if use.field == "metadata.upload_type" and not self._depositable(use.id)
        ]
        if misses:
            raise FieldErrors(misses)
        return Prepared(
            {k: v for k, v in metadata.items() if k not in draft.not_sent},  # in the warnings
            records_comparable(draft.body["metadata"]),
            tuple(draft.warnings),
            draft.fields,
        )

    def _with_publisher(
        self, metadata: Mapping[str, Any], latest: Deposition | None
    ) -> Mapping[str, Any]:
        """DataCite needs a publisher for the DOI (invenio-records-api.md §6.3): the file's, else
        the latest version's, else Zenodo's own name on Zenodo."""
        if metadata.get("imprint_publisher"):
            return metadata
        publisher = (latest.metadata.get("publisher") if latest else None) or (
            "Zenodo" if self.zenodo else None
        )
        if publisher:
            return {**metadata, "imprint_publisher": publisher}
        raise FieldErrors(
            [
                (
                    "metadata.imprint_publisher",
                    f"{self.host} needs a publisher to register the DOI: set imprint_publisher "
                    "in .zenodo.yml (the repository or institution that publishes the work)",
                )
            ]
        )

    def _notes_type(self, metadata: Mapping[str, Any]) -> str:
        """`notes` where the instance has that description type (Zenodo), else `other`."""
        if not metadata.get("notes"):
            return "notes"
        return "notes" if self._knows("descriptiontypes", "notes") else "other"

    def _ask(self, uses: list[VocabularyUse]) -> None:
        """Ask the instance about every id not asked yet, a few at a time (each is one
        request: the run's latency, not its count, is what this saves)."""
        pairs = list(dict.fromkeys((u.vocabulary, u.id) for u in uses))
        new = [pair for pair in pairs if pair not in self._vocabulary]
        if len(new) < 2:
            for vocabulary, value in new:
                self._knows(vocabulary, value)
            return
        with ThreadPoolExecutor(
            max_workers=min(len(new), self.workers), thread_name_prefix="vocabulary"
        ) as pool:
            list(pool.map(lambda pair: self._knows(*pair), new))

    def _knows(self, vocabulary: str, value: str) -> bool | None:
        """Whether the instance has this vocabulary id, asked once per run; None when it
        did not say (the save then refuses an unknown id, invenio-records-api.md §3.4)."""
        key = (vocabulary, value)
        if key not in self._vocabulary:
            path = vocabulary if vocabulary in _SPECIFIC else f"vocabularies/{vocabulary}"
            try:
                answer = self.http.send("GET", f"{path}/{quote(value, safe='')}", idempotent=True)
                self._vocabulary[key] = True
                self._tags[key] = _tags_of(answer)
            except HttpError as error:
                self._vocabulary[key] = False if error.status == 404 else None
                if error.status != 404:
                    log.warning(
                        "could not check %s %r on %s: %s",
                        vocabulary,
                        value,
                        self.host,
                        error.message,
                    )
        return self._vocabulary[key]

    def _depositable(self, resource_type: str) -> bool:
        """A record's resource type must carry the `depositable` tag (invenio-records-api.md §14.2);
        an entry that lists no tags, or was not read, is not judged here."""
        tags = self._tags.get(("resourcetypes", resource_type))
        return tags is None or "depositable" in tags

    # -- writes -----------------------------------------------------------------------

    def create(self) -> Deposition:
        """A blank draft (invenio-records-api.md §3.1): public, with files; the first save fills
        it."""
        body = {"access": {"record": "public", "files": "public"}, "files": {"enabled": True}}
        return self._record(
            "POST",
            "records",
            step="create a draft",
            idempotent=False,
            expected=(201,),
            json={**body, "metadata": {}},
        )

    def new_version(self, latest: Deposition, *, import_files: bool = True) -> Deposition:
        """The concept's new-version draft (invenio-records-api.md §4.1). Asking again answers with
        the same draft, so the request is repeated safely; a draft that was there before (claimed,
        with files, or old) is `DraftExists`. A fresh one has no files: the latest version's are
        linked when asked (invenio-records-api.md §4.3)."""
        draft = self._record(
            "POST",
            f"records/{latest.id}/versions",
            step="create a new version",
            idempotent=True,
            expected=(201,),
        )
        if draft.submitted or draft.id == latest.id:
            raise ActionError(
                f"{self.host} answered the new-version request of record {latest.id} with "
                f"record {draft.id}, which is no new draft",
                hint="records whose DOI is not the instance's own may not get new versions",
            )
        if draft.version or draft.files or self._older_than_this_run(draft):
            raise DraftExists(draft)
        return self._with_imported_files(draft) if import_files else draft

    def _older_than_this_run(self, draft: Deposition) -> bool:
        if draft.created is None:
            return False
        return (self.now() - draft.created).total_seconds() > FRESH_DRAFT

    def _with_imported_files(self, draft: Deposition) -> Deposition:
        try:
            answer = self._json(
                "POST",
                f"records/{draft.id}/draft/actions/files-import",
                step=f"link the previous version's files into draft {draft.id}",
                idempotent=True,  # a repeat answers 400 "Please remove all files first."
                expected=(201,),
            )
        except HttpError as error:
            if refused_field(error, "files.enabled"):
                return self.deposition(draft.id)  # linked by a first try, or nothing to link
            raise
        entries = answer.get("entries") if isinstance(answer, Mapping) else None
        return replace(draft, files=tuple(_remote_file(e) for e in _listed(entries or [])))

    def put_metadata(self, draft: Deposition, metadata: Mapping[str, Any]) -> Deposition:
        """Save the draft (invenio-records-api.md §3.2). Its `pids` are left out, so a reserved DOI
        stays (invenio-records-api.md §3.5). What the answer lists as refused is raised (the draft
        is saved without it), but the missing files before any is sent
        (invenio-records-api.md §3.3): the publish checks those."""
        body = records_draft(metadata, notes_type=self._notes_type(metadata)).body
        step = f"save the metadata of draft {draft.id}"
        answer = self._json(
            "PUT", f"records/{draft.id}/draft", step=step, idempotent=True, json=body
        )
        saved = parse_record(answer, step=step)
        refused = [(f, m) for f, m in field_errors(answer) if not f.startswith("files")]
        if refused:
            raise FieldErrors(refused)
        return saved

    def reserve_doi(self, draft: Deposition) -> Deposition:
        """Reserve the DOI publishing registers (invenio-records-api.md §6.1); a draft keeps the one
        it has."""
        if draft.reserved_doi:
            return draft
        try:
            return self._record(
                "POST",
                f"records/{draft.id}/draft/pids/doi",
                step=f"reserve a DOI for draft {draft.id}",
                idempotent=True,  # a repeat answers 400 "A PID already exists"
                expected=(201,),
            )
        except HttpError as error:
            if refused_field(error, "pids.doi"):
                return self.deposition(draft.id)
            raise

    def delete_file(self, draft: Deposition, remote: RemoteFile) -> None:
        self.http.send(
            "DELETE", self._file_path(draft, remote.name), idempotent=True, expected=(204, 404)
        )

    def _file_path(self, draft: Deposition, key: str, action: str = "") -> str:
        return f"records/{draft.id}/draft/files/{quote(key, safe='')}{action}"

    def upload(
        self,
        draft: Deposition,
        local: LocalFile,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[str, str]:
        """Initialise, send and commit one file (invenio-records-api.md §5: three requests); a
        committed file of the same name is deleted first (invenio-records-api.md §5.3). Return (the
        md5 the commit reports, the md5 of the bytes sent)."""
        there = {f.name: f for f in draft.files}.get(local.name)
        if there is not None and there.committed:
            self.delete_file(draft, there)
        readers: list[HashingReader] = []
        for _ in (1, 2):
            if there is None or there.committed:
                self._initialise(draft, local.name)
            if self._send(draft, local, readers, progress):
                break
            # the entry is gone with the broken transfer (invenio-records-api.md §5.3): again
            there = None
        else:
            raise UnexpectedAnswer(f"upload {local.name}", "the transfer failed twice")
        answer = self._json(
            "POST",
            self._file_path(draft, local.name, "/commit"),
            step=f"commit {local.name}",
            idempotent=True,
        )
        checksum = answer.get("checksum") if isinstance(answer, Mapping) else None
        if not isinstance(checksum, str) or not checksum:
            raise UnexpectedAnswer(f"commit {local.name}", "no checksum for the file it stored")
        return checksum.removeprefix("md5:"), readers[-1].hexdigest()

    def _initialise(self, draft: Deposition, key: str) -> None:
        try:
            self.http.send(
                "POST",
                f"records/{draft.id}/draft/files",
                idempotent=True,  # a repeat answers 400 "already exists": it is there
                expected=(201,),
                json=[{"key": key}],
            )
        except HttpError as error:
            if error.status != 400 or "already exists" not in str(error.body):
                raise

    def _send(
        self,
        draft: Deposition,
        local: LocalFile,
        readers: list[HashingReader],
        progress: Callable[[int], None] | None,
    ) -> bool:
        """Stream the bytes; False when the instance dropped the file's entry (a transfer
        that broke, invenio-records-api.md §5.3), so it must be initialised again."""

        def fresh_reader() -> HashingReader:
            readers.append(HashingReader(local.path, local.size, progress))
            return readers[-1]

        try:
            response = self.http.send(
                "PUT",
                self._file_path(draft, local.name, "/content"),
                idempotent=True,
                body=fresh_reader,
                upload_size=local.size,
                headers={"Content-Type": "application/octet-stream"},
            )
        except HttpError as error:
            if error.status == 404:  # an earlier attempt broke, and took the entry along
                return False
            raise
        try:
            failed = bool(response.json().get("errors"))
        except (ValueError, AttributeError):
            failed = False
        return not failed

    def publish(self, draft: Deposition) -> Deposition:
        """202 with the published version (invenio-records-api.md §7.1); a draft published already
        answers 404."""
        return self._record(
            "POST",
            f"records/{draft.id}/draft/actions/publish",
            step=f"publish draft {draft.id}",
            idempotent=False,
            expected=(202, 200, 201),
        )
