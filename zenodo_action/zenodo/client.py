"""Zenodo's legacy deposit API, one method per endpoint (zenodo-api.md §2).

Responses become `Deposition` objects right at this boundary. Retries,
timeouts and the token are `HttpClient`'s business; this module only says
which calls are idempotent and which statuses mean success.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from zenodo_action.files import HashingReader, LocalFile
from zenodo_action.http import HttpClient, HttpError, RetryPolicy

PAGE_SIZE = 100  # the most Zenodo returns to an authenticated client (§2.3)
MAX_PAGES = 20


@dataclass(frozen=True)
class RemoteFile:
    id: str
    name: str
    size: int
    md5: str


@dataclass(frozen=True)
class Deposition:
    """One deposition in its legacy JSON form (§2.2), reduced to what a publish needs."""

    id: int
    concept_id: int | None
    state: str  # unsubmitted (never published) | inprogress (edit draft) | done
    submitted: bool
    doi: str | None
    concept_doi: str | None
    metadata: dict[str, Any]
    files: tuple[RemoteFile, ...]
    links: dict[str, str]
    created: dt.datetime | None
    modified: dt.datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def version(self) -> str | None:
        return self.metadata.get("version") or None

    @property
    def title(self) -> str:
        return self.metadata.get("title") or self.raw.get("title") or ""

    @property
    def is_new_draft(self) -> bool:
        """A draft that was never published: a first version or a new-version draft."""
        return not self.submitted and self.state == "unsubmitted"

    def file_set(self) -> dict[str, str]:
        return {f.name: f.md5 for f in self.files}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deposition:
        concept = data.get("conceptrecid")
        return cls(
            id=int(data["id"]),
            concept_id=int(concept) if concept not in (None, "") else None,
            state=str(data.get("state", "")),
            submitted=bool(data.get("submitted")),
            doi=data.get("doi") or None,
            concept_doi=data.get("conceptdoi") or None,
            metadata=dict(data.get("metadata") or {}),
            files=tuple(_remote_file(f) for f in data.get("files") or ()),
            links=dict(data.get("links") or {}),
            created=_timestamp(data.get("created")),
            modified=_timestamp(data.get("modified")),
            raw=data,
        )


def _remote_file(data: dict[str, Any]) -> RemoteFile:
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
    """The deposit API of one Zenodo (or InvenioRDM) instance, with one token."""

    def __init__(
        self,
        zenodo_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        kwargs = {"sleep": sleep} if sleep else {}
        self.http = HttpClient(
            f"{zenodo_url}/api", token, policy=policy, rate_limited_403=False, **kwargs
        )
        self.server_time: dt.datetime | None = None  # from the last response's Date header

    def _json(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response = self.http.send(method, path, idempotent=idempotent, **kwargs)
        self._note_server_time(response.headers.get("Date"))
        return response.json() if response.content else None

    def _note_server_time(self, header: str | None) -> None:
        if header:
            with contextlib.suppress(TypeError, ValueError):
                self.server_time = email.utils.parsedate_to_datetime(header)

    def deposition(self, deposition_id: int) -> Deposition:
        data = self._json("GET", f"deposit/depositions/{deposition_id}", idempotent=True)
        return Deposition.from_json(data)

    def search(self, query: str | None = None, *, all_versions: bool = True) -> list[Deposition]:
        """The account's depositions matching a query, every page (the index may lag, §2.3)."""
        found: list[Deposition] = []
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, Any] = {"size": PAGE_SIZE, "page": page, "sort": "mostrecent"}
            if query:
                params["q"] = query
            if all_versions:
                params["all_versions"] = "true"
            batch = self._json("GET", "deposit/depositions", idempotent=True, params=params)
            found += [Deposition.from_json(item) for item in batch or ()]
            if len(batch or ()) < PAGE_SIZE:
                break
        return found

    def latest_record(self, record_or_concept_id: int) -> dict[str, Any] | None:
        """The latest published version of a concept, read from the database, not the index."""
        try:
            return self._json(
                "GET", f"records/{record_or_concept_id}/versions/latest", idempotent=True
            )
        except HttpError as error:
            if error.status in (404, 410):
                return None
            raise

    def create(self) -> Deposition:
        data = self._json("POST", "deposit/depositions", idempotent=False, expected=(201,), json={})
        return Deposition.from_json(data)

    def new_version(self, latest: Deposition) -> dict[str, Any]:
        """Ask for a new-version draft; the caller interprets the two response shapes (§3.1)."""
        url = (
            latest.links.get("newversion") or f"deposit/depositions/{latest.id}/actions/newversion"
        )
        return self._json("POST", url, idempotent=False, expected=(201,))

    def get(self, url: str) -> Deposition:
        return Deposition.from_json(self._json("GET", url, idempotent=True))

    def put_metadata(self, draft: Deposition, metadata: dict[str, Any]) -> Deposition:
        """Replace the draft's metadata (PUT replaces everything, §2.4)."""
        data = self._json(
            "PUT",
            f"deposit/depositions/{draft.id}",
            idempotent=True,
            json={"metadata": metadata},
        )
        return Deposition.from_json(data)

    def delete_file(self, draft: Deposition, remote: RemoteFile) -> None:
        # A repeated delete answers 404 (or 403 before Zenodo's fix b04cc2c): gone either way.
        self.http.send(
            "DELETE",
            f"deposit/depositions/{draft.id}/files/{remote.id}",
            idempotent=True,
            expected=(204, 404),
        )

    def upload(self, draft: Deposition, local: LocalFile) -> tuple[str, str]:
        """Stream one file into the draft's bucket; return (server md5, md5 of the bytes sent).

        Overwrite semantics make the PUT safe to repeat; each attempt re-opens
        the file. No Content-Type is sent (anything but octet-stream gets 415, §2.6).
        """
        readers: list[HashingReader] = []

        def fresh_reader() -> HashingReader:
            readers.append(HashingReader(local.path, local.size))
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
        return checksum.removeprefix("md5:"), readers[-1].md5.hexdigest()

    def publish(self, draft: Deposition) -> Deposition:
        url = draft.links.get("publish") or f"deposit/depositions/{draft.id}/actions/publish"
        return Deposition.from_json(self._json("POST", url, idempotent=False, expected=(202,)))

    def discard(self, draft: Deposition) -> None:
        url = draft.links.get("discard") or f"deposit/depositions/{draft.id}/actions/discard"
        self.http.send("POST", url, idempotent=True, expected=(201, 204, 404))
