"""Zenodo's legacy deposit API (zenodo-api.md §2): the `DepositAPI` a publish runs on.

Everything this API does its own way stays here: the search query syntax, that the
search index lags behind the database (so a just-made draft is looked for patiently),
the two shapes a newversion answer takes, and the legacy JSON of a deposition, turned
into a `Deposition` right at this boundary. Retries, timeouts and the token are
`HttpClient`'s business; this module only says which calls are idempotent and which
statuses mean success.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from zenodo_action.errors import ActionError
from zenodo_action.files import HashingReader, LocalFile
from zenodo_action.http import HttpError, RetryPolicy
from zenodo_action.metadata import echoed
from zenodo_action.naming import setting
from zenodo_action.zenodo.api import (
    ConceptRef,
    Deposition,
    Prepared,
    RecordId,
    RemoteFile,
    UnexpectedAnswer,
    instance_prefix,
    record_id,
    reserved_doi,
)
from zenodo_action.zenodo.session import ApiSession, timestamp

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most Zenodo returns to an authenticated client (§2.3)
MAX_PAGES = 20
_RECORD_PATH = re.compile(r"/records/(\d+)/?(?:\?|$)")
LIST = "deposit/depositions"  # the account's depositions (§2.3)
_ZENODO_DOI = re.compile(r"^10\.\d{4,9}/zenodo\.(\d+)$", re.I)


def parse_deposition(
    data: Any, doi_prefix: str | None = None, *, step: str = "read a deposition"
) -> Deposition:
    """A deposition in its legacy JSON form (§2.2), or UnexpectedAnswer naming `step`.
    `doi_prefix`: what the instance mints, when known (it makes the reserved DOI right on
    the sandbox, see `api.reserved_doi`)."""
    if not isinstance(data, Mapping):
        raise UnexpectedAnswer(step, f"{_shape(data)} instead of a deposition")
    try:
        return _deposition(data, doi_prefix)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise UnexpectedAnswer(step, f"a deposition without a usable {_field(error)}") from None


def _shape(data: Any) -> str:
    if data is None:
        return "an empty answer"
    return {list: "a list", str: "text", bool: "a boolean"}.get(type(data), type(data).__name__)


def _field(error: Exception) -> str:
    return f"'{error.args[0]}'" if isinstance(error, KeyError) else "field (wrong type)"


def _deposition(data: Mapping[str, Any], doi_prefix: str | None) -> Deposition:
    concept = data.get("conceptrecid")
    # In the forms Zenodo answers with (metadata/echo.py), as the request is compared (`prepare`)
    metadata = echoed(data.get("metadata") or {})
    submitted = bool(data.get("submitted"))
    if isinstance(data.get("id"), bool) or not str(data["id"]).isdigit():
        raise KeyError("id")
    return Deposition(
        id=record_id(data["id"]),
        concept_id=record_id(concept) if concept not in (None, "") else None,
        submitted=submitted,
        # unsubmitted: never published; inprogress: an edit of a published one; done
        is_new_draft=not submitted and data.get("state") == "unsubmitted",
        doi=data.get("doi") or None,
        concept_doi=data.get("conceptdoi") or None,
        title=str(metadata.get("title") or data.get("title") or ""),
        metadata=metadata,
        files=tuple(_remote_file(f) for f in data.get("files") or ()),
        links=dict(data.get("links") or {}),
        created=timestamp(data.get("created")),
        modified=timestamp(data.get("modified")),
        reserved_doi=_reserved(data, doi_prefix),
    )


def _reserved(data: Mapping[str, Any], doi_prefix: str | None) -> str | None:
    """A never-published draft's DOI-to-be; a published version (or its edit) has its own."""
    if data.get("submitted") or data.get("doi"):
        return None
    prereserve = (data.get("metadata") or {}).get("prereserve_doi")
    return reserved_doi(prereserve, int(data["id"]), data.get("conceptdoi") or None, doi_prefix)


def _remote_file(data: Mapping[str, Any]) -> RemoteFile:
    checksum = str(data.get("checksum", ""))
    return RemoteFile(
        id=str(data.get("id", "")),
        name=str(data.get("filename") or data.get("key") or ""),
        size=int(float(data.get("filesize") or data.get("size") or 0)),
        md5=checksum.removeprefix("md5:"),
    )


class ZenodoClient(ApiSession):
    """The legacy deposit API of one Zenodo instance (only Zenodo has it), with one token."""

    name = "Zenodo's deposit API"
    server = "Zenodo"

    def __init__(
        self,
        zenodo_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        connections: int = 4,
    ) -> None:
        super().__init__(zenodo_url, token, policy=policy, sleep=sleep, connections=connections)
        self.doi_prefix = instance_prefix(urlsplit(zenodo_url).hostname)

    def _deposition(self, method: str, path: str, *, step: str, **kwargs: Any) -> Deposition:
        data = self._json(method, path, step=step, **kwargs)
        return parse_deposition(data, self.doi_prefix, step=step)

    # -- reads ------------------------------------------------------------------------

    def deposition(self, deposition_id: RecordId) -> Deposition:
        return self.get(f"deposit/depositions/{deposition_id}")

    def record(self, record_id: RecordId) -> Deposition:
        """The deposition shows the published version while it has no open edit, and this
        tool never opens one."""
        return self.deposition(record_id)

    def record_id_for_doi(self, doi: str) -> RecordId | None:
        """Zenodo's DOIs end in the record's number (zenodo-api.md §2.2)."""
        found = _ZENODO_DOI.match(doi.strip())
        return int(found.group(1)) if found else None

    def get(self, url: str) -> Deposition:
        return self._deposition("GET", url, step="read a deposition", idempotent=True)

    def concept_depositions(self, concept_id: RecordId) -> list[Deposition]:
        return self._search(f"conceptrecid:{concept_id}")

    def all_depositions(self) -> list[Deposition]:
        return self._search(None)

    def _search(self, query: str | None) -> list[Deposition]:
        """The account's depositions matching a query, every version, every page (the
        index may lag, §2.3)."""
        found: list[Deposition] = []
        for page in range(1, MAX_PAGES + 1):
            step = "list the depositions"
            try:
                batch = self._searched(LIST, _list_params(query, page), step=step)
            except HttpError as error:
                if error.status == 404:  # the list exists on every Zenodo, for every account
                    raise self._no_deposit_api() from None
                raise
            if not isinstance(batch, list):
                raise UnexpectedAnswer(step, f"{_shape(batch)} instead of a list")
            found += [parse_deposition(item, self.doi_prefix, step=step) for item in batch]
            if len(batch) < PAGE_SIZE:
                break
        return found

    def first_search(self, concept: ConceptRef | None) -> tuple[str, dict[str, Any]]:
        """A concept's depositions, or every deposition for a first version."""
        query = f"conceptrecid:{concept.id}" if concept and concept.id is not None else None
        return LIST, _list_params(query, 1)

    def _no_deposit_api(self) -> ActionError:
        """A 404 for the deposition list: not Zenodo. Plain InvenioRDM has no legacy
        deposit API, only Zenodo does (docs/reference/invenio-records-api.md §12.5)."""
        base = self.http.base_url.removesuffix("/api")
        return ActionError(
            f"{base} has no Zenodo deposit API (GET /api/deposit/depositions answered 404)",
            hint="an InvenioRDM instance other than Zenodo publishes through its records API: "
            f"set {setting('api', 'records')} (or {setting('api', 'auto')}, which asks the "
            "instance)",
        )

    def latest_version_id(self, concept_id: RecordId) -> RecordId | None:
        """Read from the records API, which follows the database, not the index. It
        redirects to the latest record: the redirect names its id, so it is not followed
        (the deposition is read next anyway)."""
        try:
            response = self.latest_response(concept_id)
        except HttpError as error:
            if error.status in (404, 410):
                return None
            raise
        if response.status_code != 200:
            found = _RECORD_PATH.search(response.headers.get("Location", ""))
            if found:
                return int(found.group(1))
        step = "read the latest version"
        try:
            found_id = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            raise UnexpectedAnswer(step, "no record id in the answer") from None
        if isinstance(found_id, bool) or not str(found_id).isdigit():
            raise UnexpectedAnswer(step, f"a record id {str(found_id)[:40]!r}")
        return int(found_id)

    # -- writes -----------------------------------------------------------------------

    def prepare(self, metadata: Mapping[str, Any], latest: Deposition | None) -> Prepared:
        """The deposit API takes the metadata in its own terms, as it is; it answers with
        its own forms of some values (metadata/echo.py), which the plan compares with."""
        return Prepared(metadata, echoed(metadata))

    def create(self) -> Deposition:
        return self._deposition(
            "POST",
            "deposit/depositions",
            step="create a deposition",
            idempotent=False,
            expected=(201,),
            json={},
        )

    def new_version(self, latest: Deposition, *, import_files: bool = True) -> Deposition:
        """Today the answer is the new draft; old Zenodo answered with the old record,
        whose `latest_draft` link leads to the new one (§3.1 point 1). Zenodo copies the
        latest version's files into it whatever `import_files` says."""
        url = (
            latest.links.get("newversion") or f"deposit/depositions/{latest.id}/actions/newversion"
        )
        step = "create a new version"
        answer = self._deposition("POST", url, step=step, idempotent=False, expected=(201,))
        if answer.id != latest.id and answer.is_new_draft:
            return answer
        link = answer.links.get("latest_draft")
        if link:
            draft = self.get(link)
            if draft.id != latest.id and draft.is_new_draft:
                return draft
        raise ActionError(
            f"Zenodo did not create a new-version draft of record {latest.id}",
            hint="records with a DOI not minted by Zenodo cannot get new versions there",
        )

    def put_metadata(self, draft: Deposition, metadata: Mapping[str, Any]) -> Deposition:
        """Replace the draft's metadata (PUT replaces everything, §2.4)."""
        return self._deposition(
            "PUT",
            f"deposit/depositions/{draft.id}",
            step=f"save the metadata of draft {draft.id}",
            idempotent=True,
            json={"metadata": metadata},
        )

    def reserve_doi(self, draft: Deposition) -> Deposition:
        """Zenodo reserves every draft's DOI when it makes the draft (§2.2)."""
        return draft

    def delete_file(self, draft: Deposition, remote: RemoteFile) -> None:
        # A repeated delete answers 404 (or 403 before Zenodo's fix b04cc2c): gone either way.
        self.http.send(
            "DELETE",
            f"deposit/depositions/{draft.id}/files/{remote.id}",
            idempotent=True,
            expected=(204, 404),
        )

    def upload(
        self,
        draft: Deposition,
        local: LocalFile,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[str, str]:
        """Stream one file into the draft's bucket; return (server md5, md5 of the bytes sent).

        Overwrite semantics make the PUT safe to repeat; each attempt re-opens
        the file. No Content-Type is sent (anything but octet-stream gets 415, §2.6).
        """
        readers: list[HashingReader] = []

        def fresh_reader() -> HashingReader:
            readers.append(HashingReader(local.path, local.size, progress))
            return readers[-1]

        response = self.http.send(
            "PUT",
            f"{draft.links['bucket']}/{quote(local.name, safe='')}",
            idempotent=True,
            expected=(200, 201),  # 201 today, 200 on old Zenodo (§2.1 row 16)
            body=fresh_reader,
            upload_size=local.size,
            transient=_transfer_failed,
        )
        try:
            checksum = response.json()["checksum"]
        except (ValueError, KeyError, TypeError):
            checksum = None
        if not isinstance(checksum, str) or not checksum:
            raise UnexpectedAnswer(f"upload {local.name}", "no checksum for the file it stored")
        return checksum.removeprefix("md5:"), readers[-1].hexdigest()

    def community_exists(self, slug: str) -> bool | None:
        try:
            self.http.send("GET", f"communities/{quote(slug, safe='')}", idempotent=True)
        except HttpError as error:
            return False if error.status == 404 else None
        return True

    def publish(self, draft: Deposition) -> Deposition:
        """202 says published; an instance answering 200 (or 201) has published as well,
        and the record read back afterwards is what counts (`deposit._verify_published`)."""
        url = draft.links.get("publish") or f"deposit/depositions/{draft.id}/actions/publish"
        step = f"publish draft {draft.id}"
        return self._deposition("POST", url, step=step, idempotent=False, expected=(200, 201, 202))


def _list_params(query: str | None, page: int) -> dict[str, Any]:
    params: dict[str, Any] = {"size": PAGE_SIZE, "page": page, "sort": "mostrecent"}
    if query:
        params["q"] = query
    params["all_versions"] = "true"
    return params


def _transfer_failed(response: requests.Response) -> bool:
    """The bucket's 400 "The file upload transfer failed, please try again.": the upload's
    connection broke (zenodo-api.md §11.2), so the same PUT may well succeed."""
    return response.status_code == 400 and "transfer failed" in response.text[:500].lower()
