"""Zenodo's legacy deposit API (zenodo-api.md §2): the `DepositAPI` a publish runs on.

Everything this API does its own way stays here: the search query syntax, that the
search index lags behind the database (so a just-made draft is looked for patiently),
the two shapes a newversion answer takes, and the legacy JSON of a deposition, turned
into a `Deposition` right at this boundary. Retries, timeouts and the token are
`HttpClient`'s business; this module only says which calls are idempotent and which
statuses mean success.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from zenodo_action.errors import ActionError
from zenodo_action.files import HashingReader, LocalFile
from zenodo_action.http import HttpClient, HttpError, RetryPolicy
from zenodo_action.polling import poll
from zenodo_action.zenodo.api import Deposition, RemoteFile, instance_prefix, reserved_doi
from zenodo_action.zenodo.plan import newest

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most Zenodo returns to an authenticated client (§2.3)
MAX_PAGES = 20
INDEX_PATIENCE = (2.0, 4.0, 8.0, 16.0, 30.0)  # waits for the search index to show a draft
_RECORD_PATH = re.compile(r"/records/(\d+)/?(?:\?|$)")


def parse_deposition(data: Mapping[str, Any], doi_prefix: str | None = None) -> Deposition:
    """A deposition in its legacy JSON form (§2.2); `doi_prefix`: what the instance mints,
    when known (it makes the reserved DOI right on the sandbox, see `api.reserved_doi`)."""
    concept = data.get("conceptrecid")
    metadata = dict(data.get("metadata") or {})
    submitted = bool(data.get("submitted"))
    return Deposition(
        id=int(data["id"]),
        concept_id=int(concept) if concept not in (None, "") else None,
        submitted=submitted,
        # unsubmitted: never published; inprogress: an edit of a published one; done
        is_new_draft=not submitted and data.get("state") == "unsubmitted",
        doi=data.get("doi") or None,
        concept_doi=data.get("conceptdoi") or None,
        title=str(metadata.get("title") or data.get("title") or ""),
        metadata=metadata,
        files=tuple(_remote_file(f) for f in data.get("files") or ()),
        links=dict(data.get("links") or {}),
        created=_timestamp(data.get("created")),
        modified=_timestamp(data.get("modified")),
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


def _timestamp(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


class ZenodoClient:
    """The legacy deposit API of one Zenodo (or InvenioRDM) instance, with one token."""

    def __init__(
        self,
        zenodo_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        connections: int = 4,
    ) -> None:
        self.http = HttpClient(
            f"{zenodo_url}/api",
            token,
            policy=policy,
            sleep=sleep,
            rate_limited_403=False,
            connections=connections,
        )
        self.server_time: dt.datetime | None = None  # from the last response's Date header
        self.doi_prefix = instance_prefix(urlsplit(zenodo_url).hostname)

    def _parse(self, data: Mapping[str, Any]) -> Deposition:
        return parse_deposition(data, self.doi_prefix)

    def _json(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response = self.http.send(method, path, idempotent=idempotent, **kwargs)
        self._note_server_time(response.headers.get("Date"))
        return response.json() if response.content else None

    def _note_server_time(self, header: str | None) -> None:
        if header:
            with contextlib.suppress(TypeError, ValueError):
                self.server_time = email.utils.parsedate_to_datetime(header)

    def now(self) -> dt.datetime:
        return self.server_time or dt.datetime.now(dt.timezone.utc)

    # -- reads ------------------------------------------------------------------------

    def deposition(self, deposition_id: int) -> Deposition:
        return self.get(f"deposit/depositions/{deposition_id}")

    def get(self, url: str) -> Deposition:
        return self._parse(self._json("GET", url, idempotent=True))

    def concept_depositions(self, concept_id: int) -> list[Deposition]:
        return self._search(f"conceptrecid:{concept_id}")

    def all_depositions(self) -> list[Deposition]:
        return self._search(None)

    def _search(self, query: str | None) -> list[Deposition]:
        """The account's depositions matching a query, every version, every page (the
        index may lag, §2.3)."""
        found: list[Deposition] = []
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"size": PAGE_SIZE, "page": page, "sort": "mostrecent"}
            if query:
                params["q"] = query
            params["all_versions"] = "true"
            batch = self._json("GET", "deposit/depositions", idempotent=True, params=params)
            found += [self._parse(item) for item in batch or ()]
            if len(batch or ()) < PAGE_SIZE:
                break
        return found

    def latest_version_id(self, concept_id: int) -> int | None:
        """Read from the records API, which follows the database, not the index. It
        redirects to the latest record: the redirect names its id, so it is not followed
        (the deposition is read next anyway)."""
        try:
            response = self.http.send(
                "GET",
                f"records/{concept_id}/versions/latest",
                idempotent=True,
                expected=(200, 301, 302, 303, 307, 308),
                allow_redirects=False,
            )
        except HttpError as error:
            if error.status in (404, 410):
                return None
            raise
        self._note_server_time(response.headers.get("Date"))
        if response.status_code != 200:
            found = _RECORD_PATH.search(response.headers.get("Location", ""))
            if found:
                return int(found.group(1))
        return int(response.json()["id"])

    def find_pending_draft(self, concept_id: int, *, expected: bool) -> Deposition | None:
        """Poll the search index, which may lag behind a just-created draft (§2.3)."""

        def announce(wait: float, _: Deposition | None) -> None:
            log.info("waiting %.0f s for Zenodo's search index", wait)

        def look() -> Deposition | None:
            return newest([d for d in self.concept_depositions(concept_id) if d.is_new_draft])

        waits = INDEX_PATIENCE if expected else INDEX_PATIENCE[:2]
        return poll(look, _found, waits, self.http.sleep, announce=announce)

    def find_blank_first_draft(self) -> Deposition | None:
        def look() -> Deposition | None:
            drafts = [d for d in self.all_depositions() if d.is_new_draft and not d.concept_doi]
            return newest([d for d in drafts if d.is_blank])

        return poll(look, _found, INDEX_PATIENCE[:3], self.http.sleep)

    # -- writes -----------------------------------------------------------------------

    def create(self) -> Deposition:
        data = self._json("POST", "deposit/depositions", idempotent=False, expected=(201,), json={})
        return self._parse(data)

    def new_version(self, latest: Deposition) -> Deposition:
        """Today the answer is the new draft; old Zenodo answered with the old record,
        whose `latest_draft` link leads to the new one (§3.1 point 1)."""
        url = (
            latest.links.get("newversion") or f"deposit/depositions/{latest.id}/actions/newversion"
        )
        answer = self._parse(self._json("POST", url, idempotent=False, expected=(201,)))
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
        data = self._json(
            "PUT",
            f"deposit/depositions/{draft.id}",
            idempotent=True,
            json={"metadata": metadata},
        )
        return self._parse(data)

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
        )
        checksum = str(response.json().get("checksum", ""))
        return checksum.removeprefix("md5:"), readers[-1].hexdigest()

    def publish(self, draft: Deposition) -> Deposition:
        url = draft.links.get("publish") or f"deposit/depositions/{draft.id}/actions/publish"
        return self._parse(self._json("POST", url, idempotent=False, expected=(202,)))


def _found(draft: Deposition | None) -> bool:
    return draft is not None
