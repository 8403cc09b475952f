"""A stateful fake of Zenodo's legacy deposit API, as Zenodo behaves today.

It follows `docs/reference/zenodo-api.md` (zenodo-api.md §9 point by point; section numbers in
comments refer to that file). It is a real HTTP server on loopback
(pytest-httpserver, threaded), so clients talk to it exactly as to zenodo.org.

Fixtures: `fake_zenodo` (DOI prefix 10.5281) and `fake_zenodo_sandbox` (10.5072, while
`prereserve_doi` still says 10.5281, zenodo-api.md §2.2). Both yield a running `FakeZenodo`.

Addresses:
    fake.url        the "Zenodo URL" a user passes as --zenodo-url (http://127.0.0.1:PORT)
    fake.api_url    fake.url + "/api"

Accounts:
    fake.token                  a valid token of the default owner
    fake.add_user() -> token    a second account (its records are "owned by another account")

Switches (plain attributes, change them at any time):
    old_zenodo_newversion   newversion answers with the OLD deposition whose
                            links.latest_draft points at the new draft; a repeat is a no-op
    index_lag = k           a change to a concept is invisible to the next k list requests
                            (they show the concept as it was before the change, zenodo-api.md §2.3)
    rate_limited            every request answers 429 {"status":429,"message":"100 per 1 minute"}
    rate_limit = N          enforce N requests per `rate_window` seconds (None: only advertise)
    slow_seconds            how long a "timeout" fault stalls (longer than the client's timeout)
    latency                 seconds every request waits before it is handled (Zenodo's time
                            per request: what parallel uploads hide)
    late_wait_seconds       how long a request waits for a "late" action landing before it
    deleted_file_id_403     DELETE of an unknown file id answers 403, as before fix b04cc2c
                            (zenodo-api.md §2.5)
    max_files, quota_bytes, max_file_size, multipart_max_bytes   limits of zenodo-api.md §5 (make
                                                                 them small)
    doi_prefix              prefix of minted DOIs
    spam_blocked            publish answers 400 "Your account has been blocked…"
                            (zenodo-api.md §2.7)
    communities             slug -> "include" | "review": publishing joins the first at once,
                            leaves a pending inclusion request for the second, and silently
                            ignores any other slug; the record lists only those it joined
    missing_licenses        licence ids (lower case) this instance refuses on PUT, although
                            the validator knows them (an older vocabulary)
    mint_unreserved_doi     publish mints `{doi_prefix}/zenodo.{id}0`, not the DOI the draft's
                            id reserved (no real Zenodo does: it tests that a run checks the
                            published DOI against the reserved one, zenodo-api.md §11.4)

Faults (the fault-injection matrix of tests/test_faults.py):
    fault = fake.inject(method, path_regex, kind, times=1, when="before"|"after", skip=0)
      kind: "429" (Retry-After: 1), "500" (real body with error_id), "502", "503", "504"
            (HTML from the gateway), "reset" (TCP RST), "reset_mid_upload" (read half the
            body, then RST; before only), "timeout" (stall `slow_seconds`), "echo_400" /
            "echo_500" (an error whose body repeats the request's URL and Authorization
            header, as debug pages and some proxies do: a token must never reach output),
            "late" (before only: the whole request is received, then the answer never
            comes; Zenodo behind the gateway keeps working and acts only once the client
            has given up: see late_by).
      when="before": the request never reaches Zenodo's logic; "after": it acts (publishes,
      deletes, creates) and then the client gets the fault instead of the answer.
      late_by=n ("late" only): the action lands when the n-th request that arrives after
      the client gave up on the stalled one (closed its connection) arrives, just before
      that request is handled (which waits for it). So it lands at a deterministic point of
      the client's recovery, even for a client that sends other requests side by side
      meanwhile (parallel uploads): those went out before it gave up, and do not count.
      fault.landed_before is that request; the stalled request's
      RecordedRequest gets the status the action answered (which nobody reads). A late
      action whose moment never comes is dropped when the fake stops.
      skip=n: the first n matching requests pass untouched (to hit a later occurrence of a
      step, e.g. the read-back after publishing rather than the first read).
      path_regex is searched (re.search) in the path; method "*" matches any method.
      fault.fired counts how often it struck.  fake.clear_faults() removes them all (a
      "late" action already under way still lands).
      "transfer_failed": the bucket's 400 "The file upload transfer failed, please try
      again." for an upload whose connection broke (zenodo-api.md §11.2), forced here. "as_200"
      (after only): the handler's answer with status 200 instead of its own (a publish that did
      publish but did not say 202). "not_json", "empty", "a_list", "no_id", "bad_id": the
      success status with a body that is not JSON, empty, a list, an object without `id`,
      or `id: "abc"` (after: the action happened; before: it did not).

Recording:
    fake.requests                 every request: RecordedRequest(method, path, query,
                                  headers, body_size, status, fault)
    fake.peak_uploads             the most bucket PUTs that were being handled at once
    fake.hold_uploads = N         uploads wait (5 s at most) until N have been in flight at
                                  once: a test of parallel uploads then does not depend on
                                  how busy the machine is
    fake.count(method, path_regex)

Seeding and inspecting state (no HTTP, no index lag):
    fake.seed_concept(versions=[{"version": "1.0.0", "files": {"a.txt": b"..."},
                      "metadata": {...}}], owner_token=None) -> SeededConcept
    fake.seed_pending_draft(concept_id, files=None, metadata=None) -> draft id
        (files=None: the files newversion would copy; {}: a draft without files)
    fake.seed_new_draft(files=None, metadata=None, owner_token=None) -> draft id
        (the unpublished first version of a new concept)
    fake.published_versions(concept_id) -> [{"record_id", "version", "doi", "conceptdoi",
                      "publication_date", "title", "files": {name: (size, md5)}, "metadata"}]
    fake.pending_drafts(concept_id) -> [{"record_id", "state", "files", "metadata"}]
    fake.backdate(record_id, seconds)   make a draft look idle for that long
    fake.file_bytes(record_id, name) -> bytes
    fake.deposition_json(record_id) -> the JSON a GET of the deposition returns
    fake.concept_ids() -> every concept, oldest first;  fake.concept_of(record_id) -> int
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import mimetypes
import os
import re
import secrets
import select
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.exceptions import ClientDisconnected
from werkzeug.formparser import parse_form_data
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Request, Response

from tests.fakes.legacy_metadata import (  # the messages are re-exported for the tests
    MSG_MISSING,
    MSG_MISSING_FILES,  # noqa: F401
    ApiError,
    deserialize_body,
    normalize_metadata,
    publish_errors,
    validation_error,
    visible,
)

# --- Messages, verbatim from the reference -----------------------------------------------

MSG_NOT_FOUND_ROUTE = (
    "The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again."
)
MSG_METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL."
MSG_PID_DOES_NOT_EXIST = "The persistent identifier does not exist."
MSG_PID_NOT_REGISTERED = "The persistent identifier is not registered."
MSG_PERMISSION_DENIED = "Permission denied."
MSG_INTERNAL = (
    "The server encountered an internal error and was unable to complete your request. "
    "Either the server is overloaded or there is an error in the application."
)
MSG_BAD_REQUEST = "The browser (or proxy) sent a request that this server could not understand."
MSG_REMOVE_FILES = "Please remove all files first."
MSG_TRANSFER_FAILED = "The file upload transfer failed, please try again."
# zenodo-api.md §2.7 gives its start only ("a long 'Your account has been blocked…'
# message", invenio.cfg `records_block_message`); the rest here is a stand-in.
MSG_SPAM_BLOCKED = (
    "Your account has been blocked. If you think this is a mistake, please contact us."
)
MSG_EMPTY_FILE = "Empty files are not accepted."
MSG_TOO_MANY_FILES = "Uploading selected files will result in exceeding the max amount per record."
MSG_QUOTA = "Bucket quota exceeded."
MSG_FILE_SIZE = "Maximum file size exceeded."
MSG_KEY_TOO_LONG = "Filename is too long."
MSG_JSON_CONTENT_TYPE = "Invalid 'Content-Type' header. Expected one of: application/json"
MSG_OCTET_CONTENT_TYPE = "Invalid 'Content-Type' header. Expected one of: application/octet-stream"

GATEWAY_PAGES = {
    502: "<html><body><h1>502 Bad Gateway</h1>\n"
    "The server returned an invalid or incomplete response.\n</body></html>\n",
    503: "<html><body><h1>503 Service Unavailable</h1>\n"
    "No server is available to handle this request.\n</body></html>\n",
    504: "<html><body><h1>504 Gateway Time-out</h1>\n"
    "The server didn't respond in time.\n</body></html>\n",
}
MSG_TOO_LARGE = "The data value transmitted exceeds the capacity limit."


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SORT_OPTIONS = _words(
    "bestmatch mostrecent -mostrecent publication_date version -version newest oldest updated-desc"
)
# Answers of the right status but the wrong body: Zenodo has not been
# seen sending them, but a proxy, a half-deployed instance or a truncated body can.
MALFORMED_KINDS = frozenset({"not_json", "empty", "a_list", "no_id", "bad_id"})
FAULT_KINDS = frozenset(
    {"429", "500", "502", "503", "504", "reset", "reset_mid_upload", "timeout", "late"}
    | {"echo_400", "echo_500", "transfer_failed", "as_200"}
    | MALFORMED_KINDS
)
PRERESERVE_PREFIX = "10.5281"  # hard-coded by Zenodo even on the sandbox (zenodo-api.md §2.2)

# Path patterns of the steps a publish takes, for fault matrices: fake.inject(*ENDPOINTS[x], kind)
ENDPOINTS = {
    "list": ("GET", r"^/api/deposit/depositions$"),
    "create": ("POST", r"^/api/deposit/depositions$"),
    "read": ("GET", r"^/api/deposit/depositions/\d+$"),
    "update": ("PUT", r"^/api/deposit/depositions/\d+$"),
    "newversion": ("POST", r"^/api/deposit/depositions/\d+/actions/newversion$"),
    "publish": ("POST", r"^/api/deposit/depositions/\d+/actions/publish$"),
    "discard": ("POST", r"^/api/deposit/depositions/\d+/actions/discard$"),
    "delete_file": ("DELETE", r"^/api/deposit/depositions/\d+/files/[^/]+$"),
    "upload": ("PUT", r"^/api/files/[^/]+/[^/]+$"),
    "bucket_delete": ("DELETE", r"^/api/files/[^/]+/[^/]+$"),
    "record": ("GET", r"^/api/records/\d+$"),
    "latest": ("GET", r"^/api/records/\d+/versions/latest$"),
}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def _today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


# --- State -------------------------------------------------------------------------------


@dataclass
class StoredFile:
    file_id: str  # the FileInstance id: a new version's imported copy keeps it (zenodo-api.md §2.5)
    key: str
    data: bytes
    md5: str
    version_id: str
    created: str
    updated: str

    @property
    def size(self) -> int:
        return len(self.data)

    @classmethod
    def new(cls, key: str, data: bytes) -> StoredFile:
        stamp = _now()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return cls(str(uuid.uuid4()), key, data, md5, str(uuid.uuid4()), stamp, stamp)

    def imported(self) -> StoredFile:
        stamp = _now()
        return StoredFile(
            self.file_id, self.key, self.data, self.md5, str(uuid.uuid4()), stamp, stamp
        )


@dataclass(eq=False)  # identity: two versions are never "equal"
class Deposition:
    id: int
    concept_id: int
    owner: int
    bucket_id: str
    metadata: dict[str, Any]
    files: dict[str, StoredFile] = field(default_factory=dict)
    published: bool = False
    doi: str | None = None
    external_doi: bool = False
    edit_metadata: dict[str, Any] | None = None  # an open edit of a published record
    created: str = field(default_factory=_now)
    modified: str = field(default_factory=_now)
    revision: int = 1

    @property
    def is_draft(self) -> bool:
        """Unpublished, or published with an open edit: Zenodo shows the draft then."""
        return not self.published or self.edit_metadata is not None

    @property
    def current_metadata(self) -> dict[str, Any]:
        return self.edit_metadata if self.edit_metadata is not None else self.metadata

    def file_summary(self) -> dict[str, tuple[int, str]]:
        return {f.key: (f.size, f.md5) for f in self.files.values()}


@dataclass
class Concept:
    id: int
    owner: int
    deposition_ids: list[int] = field(default_factory=list)


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    kind: str
    times: int
    when: str
    skip: int = 0
    late_by: int = 1  # "late": lands before the n-th request after the client gave up
    fired: int = 0
    passed: int = 0  # matching requests let through because of `skip`
    landed_before: RecordedRequest | None = None  # "late": the request it acted before

    def matches(self, method: str, path: str) -> bool:
        return (
            self.fired < self.times
            and self.method in ("*", method)
            and self.path.search(path) is not None
        )


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str  # the raw query string
    headers: dict[str, str]
    body_size: int = 0
    status: int | None = None  # None when the connection was reset
    fault: str | None = None

    @property
    def query_params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)


@dataclass(frozen=True)
class SeededConcept:
    concept_id: int
    record_ids: list[int]
    doi_prefix: str

    @property
    def concept_doi(self) -> str:
        return f"{self.doi_prefix}/zenodo.{self.concept_id}"

    @property
    def latest_id(self) -> int:
        return self.record_ids[-1]

    def doi(self, record_id: int) -> str:
        return f"{self.doi_prefix}/zenodo.{record_id}"


@dataclass(eq=False)
class _LateAction:
    """A stalled request's action, waiting for the request before which it lands."""

    fault: Fault
    client: socket.socket  # the stalled request's connection: closed once the client gives up
    trigger: int | None = None  # index in fake.requests of that request, once it is known
    go: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    abandoned: bool = False  # the fake stopped first


@dataclass
class _Call:
    """One request as a handler sees it."""

    request: Request
    params: dict[str, str]
    body: bytes
    user: int | None


class _ResetConnection(Exception):
    """Raised inside the server to answer with a TCP reset instead of a response."""


# --- JSON builders: every shape a client sees, in one place (zenodo-api.md §2.2, §2.5, §2.6) ------


class Views:
    """Builds the JSON bodies; knows URLs and reads the fake's state, never changes it."""

    def __init__(self, fake: FakeZenodo) -> None:
        self.fake = fake

    @property
    def api(self) -> str:
        return self.fake.api_url

    @property
    def ui(self) -> str:
        return self.fake.url

    def deposition(self, dep: Deposition) -> dict[str, Any]:
        metadata = dep.current_metadata
        concept_doi = self.fake.concept_doi(dep.concept_id)
        body: dict[str, Any] = {
            "created": dep.created,
            "modified": dep.modified,
            "id": dep.id,
            "conceptrecid": str(dep.concept_id),  # a string (zenodo-api.md §2.2)
        }
        if dep.doi:
            body["doi"] = dep.doi
        if concept_doi:
            body["conceptdoi"] = concept_doi
        if dep.doi:
            body["doi_url"] = f"https://doi.org/{dep.doi}"
        body["metadata"] = self.metadata(dep, metadata)
        body["title"] = metadata.get("title") or ""
        body["links"] = self.deposition_links(dep)
        body["record_id"] = dep.id
        body["owner"] = dep.owner
        body["files"] = [self.deposition_file(dep, f) for f in dep.files.values()]
        body["state"] = (
            "unsubmitted" if not dep.published else "inprogress" if dep.is_draft else "done"
        )
        body["submitted"] = dep.published
        return body

    def list_entry(self, dep: Deposition) -> dict[str, Any]:
        """A deposition as the list shows it, from the search index (zenodo-api.md §11.3): no
        `links.bucket` (the bucket id is not indexed), no files for a draft, none for a
        published record whose files are restricted."""
        out = self.deposition(dep)
        out["links"].pop("bucket", None)
        access = out["metadata"].get("access_right")
        if dep.is_draft or access in ("restricted", "closed"):
            out["files"] = []
        return out

    def metadata(self, dep: Deposition, stored: dict[str, Any]) -> dict[str, Any]:
        out = visible(stored)
        for key in ("creators", "contributors"):
            for person in out.get(key) or ():
                person.setdefault("affiliation", None)  # a missing affiliation reads back null
        if dep.doi:
            out["doi"] = dep.doi
        out["prereserve_doi"] = {"doi": f"{PRERESERVE_PREFIX}/zenodo.{dep.id}", "recid": dep.id}
        return out

    def badge(self, doi: str | None) -> str:
        return f"{self.ui}/badge/doi/{quote(doi or '', safe='')}.svg"

    def deposition_links(self, dep: Deposition) -> dict[str, str]:
        api, ui, rid = self.api, self.ui, dep.id
        deposit = f"{api}/deposit/depositions/{rid}"
        # A published record without a draft links to the records API (zenodo-api.md §2.2 links
        # table).
        links = {
            "self": deposit if dep.is_draft else f"{api}/records/{rid}",
            "html": f"{ui}/deposit/{rid}" if dep.is_draft else f"{ui}/records/{rid}",
        }
        if dep.doi:
            links["doi"] = f"https://doi.org/{dep.doi}"
        links["badge"] = self.badge(dep.doi)
        concept_doi = self.fake.concept_doi(dep.concept_id)
        if not dep.is_draft and concept_doi:
            links["parent_doi"] = f"https://doi.org/{concept_doi}"
            links["conceptbadge"] = self.badge(concept_doi)
        links["files"] = f"{deposit}/files" if dep.is_draft else f"{api}/records/{rid}/files"
        links["bucket"] = f"{api}/files/{dep.bucket_id}"
        latest_draft = self.fake.latest_draft_id_for(dep)
        links["latest_draft"] = f"{api}/deposit/depositions/{latest_draft}"
        links["latest_draft_html"] = f"{ui}/deposit/{latest_draft}"
        for action in ("publish", "edit", "discard", "newversion"):
            links[action] = f"{deposit}/actions/{action}"
        if dep.published:
            links["record"] = f"{api}/records/{rid}"
            links["record_html"] = f"{ui}/record/{rid}"
            links["latest"] = f"{api}/records/{rid}/versions/latest"
            links["latest_html"] = f"{ui}/records/{rid}/latest"
        return links

    def deposition_file(self, dep: Deposition, stored: StoredFile, *, as_float: bool = False):
        files_link = self.deposition_links(dep)["files"]
        return {
            "id": stored.file_id,
            "filename": stored.key,
            # the files endpoints serialise a marshmallow Number, i.e. a float (zenodo-api.md §2.5)
            "filesize": float(stored.size) if as_float else stored.size,
            "checksum": stored.md5,  # no "md5:" prefix here (zenodo-api.md §2.2)
            "links": {
                "self": f"{files_link}/{stored.file_id}",
                "download": f"{self.api}/records/{dep.id}/draft/files/{quote(stored.key)}/content",
            },
        }

    def bucket_object(self, bucket_id: str, stored: StoredFile) -> dict[str, Any]:
        url = f"{self.api}/files/{bucket_id}/{quote(stored.key)}"
        return {
            "created": stored.created,
            "updated": stored.updated,
            "version_id": stored.version_id,
            "key": stored.key,
            "size": stored.size,
            "mimetype": mimetypes.guess_type(stored.key)[0] or "application/octet-stream",
            "checksum": f"md5:{stored.md5}",
            "is_head": True,
            "delete_marker": False,
            "links": {
                "self": url,
                "version": f"{url}?version_id={stored.version_id}",
                "uploads": f"{url}?uploads=1",
            },
        }

    def record(self, dep: Deposition) -> dict[str, Any]:
        """`GET /api/records/{id}`: the published state, ZenodoJSON-like (zenodo-api.md §7)."""
        concept_doi = self.fake.concept_doi(dep.concept_id) or ""
        metadata = self.metadata(dep, dep.metadata)
        del metadata["prereserve_doi"]
        metadata["relations"] = {"version": [self.fake.version_relation(dep)]}
        return {
            "created": dep.created,
            "modified": dep.modified,
            "updated": dep.modified,
            "id": dep.id,
            "recid": str(dep.id),
            "conceptrecid": str(dep.concept_id),
            "doi": dep.doi,
            "conceptdoi": concept_doi,
            "doi_url": f"https://doi.org/{dep.doi}",
            "metadata": metadata,
            "title": dep.metadata.get("title") or "",
            "links": self.record_links(dep, concept_doi),
            "files": [self.record_file(dep, f) for f in dep.files.values()],
            "owners": [{"id": dep.owner}],
            "revision": dep.revision,
            "status": "published",
            "state": "done",
            "submitted": True,
        }

    def record_links(self, dep: Deposition, concept_doi: str) -> dict[str, str]:
        api, ui, rid, cid = self.api, self.ui, dep.id, dep.concept_id
        return {
            "self": f"{api}/records/{rid}",
            "self_html": f"{ui}/records/{rid}",
            "html": f"{ui}/records/{rid}",
            "doi": f"https://doi.org/{dep.doi}",
            "self_doi": f"https://doi.org/{dep.doi}",
            "parent": f"{api}/records/{cid}",
            "parent_html": f"{ui}/records/{cid}",
            "parent_doi": f"https://doi.org/{concept_doi}",
            "badge": self.badge(dep.doi),
            "conceptbadge": self.badge(concept_doi),
            "files": f"{api}/records/{rid}/files",
            "latest": f"{api}/records/{rid}/versions/latest",
            "latest_html": f"{ui}/records/{rid}/latest",
            "versions": f"{api}/records/{rid}/versions",
        }

    def record_file(self, dep: Deposition, stored: StoredFile) -> dict[str, Any]:
        return {
            "id": stored.file_id,
            "key": stored.key,
            "size": stored.size,
            "checksum": f"md5:{stored.md5}",
            "links": {"self": f"{self.api}/records/{dep.id}/files/{quote(stored.key)}/content"},
        }

    def record_files(self, dep: Deposition) -> dict[str, Any]:
        entries = [
            {
                "key": f.key,
                "size": f.size,
                "checksum": f"md5:{f.md5}",
                "mimetype": mimetypes.guess_type(f.key)[0] or "application/octet-stream",
                "status": "completed",
                "links": {"content": f"{self.api}/records/{dep.id}/files/{quote(f.key)}/content"},
            }
            for f in dep.files.values()
        ]
        return {
            "enabled": True,
            "entries": entries,
            "links": {"self": f"{self.api}/records/{dep.id}/files"},
        }


# --- Search index with deterministic lag (zenodo-api.md §2.3 "eventual consistency") --------------


@dataclass(frozen=True)
class IndexEntry:
    id: int
    concept_id: int
    owner: int
    doi: str | None
    concept_doi: str | None
    is_latest_draft: bool
    created: str
    modified: str
    publication_date: str
    version: str
    json: dict[str, Any]


class SearchIndex:
    """Per concept, the snapshots the index has taken and from which list call on each is
    visible. A list call sees, for each concept, the newest snapshot already visible."""

    def __init__(self) -> None:
        self.list_calls = 0
        self._snapshots: dict[int, list[tuple[int, list[IndexEntry]]]] = {}

    def store(self, concept_id: int, entries: list[IndexEntry], visible_from: int) -> None:
        self._snapshots.setdefault(concept_id, []).append((visible_from, entries))

    def next_call(self) -> int:
        self.list_calls += 1
        return self.list_calls

    def visible(self, call: int) -> list[IndexEntry]:
        seen: list[IndexEntry] = []
        for concept_id, snapshots in self._snapshots.items():
            ready = [i for i, (visible_from, _) in enumerate(snapshots) if visible_from <= call]
            if ready:
                # older snapshots can never be seen again once a newer one is visible
                self._snapshots[concept_id] = snapshots[ready[-1] :]
                seen += snapshots[ready[-1]][1]
        return seen


_SORT_KEYS: dict[str, tuple[Callable[[IndexEntry], Any], bool]] = {
    "bestmatch": (lambda e: (e.created, e.id), True),
    "newest": (lambda e: (e.created, e.id), True),
    "oldest": (lambda e: (e.created, e.id), False),
    "mostrecent": (lambda e: (e.modified, e.id), True),
    "-mostrecent": (lambda e: (e.modified, e.id), False),
    "updated-desc": (lambda e: (e.modified, e.id), True),
    "publication_date": (lambda e: (e.publication_date, e.id), True),
    "version": (lambda e: (e.version, e.id), True),
    "-version": (lambda e: (e.version, e.id), False),
}

_QUERY_FORMS = [
    (re.compile(r'conceptrecid:"?(\d+)"?'), lambda e, v: e.concept_id == int(v)),
    (re.compile(r'recid:"?(\d+)"?'), lambda e, v: e.id == int(v)),
    (re.compile(r'conceptdoi:"([^"]+)"'), lambda e, v: e.concept_doi == v),
    (re.compile(r'doi:"([^"]+)"'), lambda e, v: e.doi == v),
]


def _bind(test: Callable[[IndexEntry, str], bool], value: str) -> Callable[[IndexEntry], bool]:
    return lambda entry: test(entry, value)


def query_filter(q: str) -> Callable[[IndexEntry], bool]:
    """The legacy query forms clients use (zenodo-api.md §2.3 `q`); anything else is refused
    loudly."""
    q = q.strip()
    if not q:
        return lambda entry: True
    for pattern, test in _QUERY_FORMS:
        match = pattern.fullmatch(q)
        if match:
            return _bind(test, match.group(1))
    if re.fullmatch(r"(conceptdoi|doi):[^\"].*/.*", q):
        # an unquoted "/" breaks the query syntax (zenodo-api.md §2.3: a DOI must be quoted)
        raise ApiError(400, f"Syntax error in query: {q}")
    raise ApiError(400, f"The fake Zenodo does not understand the query {q!r}.")


# --- The server --------------------------------------------------------------------------


class _StreamingHTTPServer(HTTPServer):
    """pytest-httpserver without its up-front body read and its request log: the fake
    reads bodies itself (so it can break off an upload half-way) and keeps its own record."""

    def application(self, request: Request) -> Response:
        return self.dispatch(request)

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.02)  # stop() then takes ms, not 0.5 s


_ID = r"(?P<dep_id>[^/]+)"
_ROUTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"/api/deposit/depositions"), {"GET": "list", "POST": "create"}),
    (
        re.compile(rf"/api/deposit/depositions/{_ID}"),
        {"GET": "read", "PUT": "update", "DELETE": "delete"},
    ),
    (re.compile(rf"/api/deposit/depositions/{_ID}/actions/publish"), {"POST": "publish"}),
    (re.compile(rf"/api/deposit/depositions/{_ID}/actions/edit"), {"POST": "edit"}),
    (re.compile(rf"/api/deposit/depositions/{_ID}/actions/discard"), {"POST": "discard"}),
    (re.compile(rf"/api/deposit/depositions/{_ID}/actions/newversion"), {"POST": "newversion"}),
    # PUT on files (sort) and on a file (rename) are not implemented today: 405 (zenodo-api.md §2.1
    # 12, 14)
    (
        re.compile(rf"/api/deposit/depositions/{_ID}/files"),
        {"GET": "list_files", "POST": "add_file"},
    ),
    (
        re.compile(rf"/api/deposit/depositions/{_ID}/files/(?P<file_id>[^/]+)"),
        {"GET": "read_file", "DELETE": "delete_file"},
    ),
    (re.compile(r"/api/files/(?P<bucket>[^/]+)"), {"GET": "list_bucket"}),
    (
        re.compile(r"/api/files/(?P<bucket>[^/]+)/(?P<key>[^/]+)"),
        {"GET": "download_object", "PUT": "upload_object", "DELETE": "delete_object"},
    ),
    (re.compile(r"/api/communities/(?P<slug>[^/]+)"), {"GET": "community"}),
    (re.compile(r"/api/records/(?P<rec_id>[^/]+)"), {"GET": "record"}),
    (re.compile(r"/api/records/(?P<rec_id>[^/]+)/versions/latest"), {"GET": "latest_record"}),
    (re.compile(r"/api/records/(?P<rec_id>[^/]+)/files"), {"GET": "record_files"}),
    (
        re.compile(r"/api/records/(?P<rec_id>[^/]+)/files/(?P<key>[^/]+)/content"),
        {"GET": "record_file_content"},
    ),
    (
        re.compile(r"/api/records/(?P<rec_id>[^/]+)/draft/files/(?P<key>[^/]+)/content"),
        {"GET": "draft_file_content"},
    ),
]


def _json_response(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers, content_type="application/json")


def _empty_response(status: int = 204) -> Response:
    response = Response(b"", status)
    del response.headers["Content-Type"]
    return response


def _read_body(request: Request) -> bytes:
    chunks = []
    while chunk := request.stream.read(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _chunked(request: Request) -> bool:
    """A body sent with Transfer-Encoding: chunked (no Content-Length)."""
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _read_part_of_body(request: Request) -> int:
    """Read about half the body (what a server gets before a connection breaks)."""
    target = max(1, (request.content_length or 128 * 1024) // 2)
    received = 0
    while received < target and (chunk := request.stream.read(min(1 << 16, target - received))):
        received += len(chunk)
    return received


def _client_gone(sock: socket.socket) -> bool:
    """Whether the client closed this connection (a timed-out client does, at once: its
    next request, on a new connection, arrives after the close)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _reset_connection(request: Request) -> None:
    """Close the client's TCP connection with a reset (ECONNRESET on the client)."""
    sock: socket.socket = request.environ["werkzeug.socket"]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # dup2 over the fd closes the TCP socket (RST, thanks to SO_LINGER 0) while keeping the
    # fd number valid: werkzeug still holds it, and a fresh close() could hit another
    # thread's new socket. Writes to the dead socketpair fail with EPIPE, which werkzeug
    # treats as a dropped connection.
    dead, peer = socket.socketpair()
    peer.close()
    os.dup2(dead.fileno(), sock.fileno())
    dead.close()


class FakeZenodo:
    """The fake Zenodo: state, switches, faults, recording and HTTP handlers."""

    def __init__(self, *, doi_prefix: str = "10.5281", first_id: int = 10_000) -> None:
        self.doi_prefix = doi_prefix
        self.mint_unreserved_doi = False
        # spam moderation blocks this account's publishing (zenodo-api.md §2.7)
        self.spam_blocked = False
        self.missing_licenses: set[str] = set()  # ids this instance's vocabulary lacks
        # slug -> "include" (the user may include records directly) or "review" (an
        # inclusion request waits for the curators); other slugs do not exist (zenodo-api.md §11.3)
        self.communities: dict[str, str] = {}
        self._shared: dict[int, set[int]] = {}  # concept id -> users it is shared with
        self.community_requests: list[tuple[str, int]] = []  # (slug, record id), pending
        self.old_zenodo_newversion = False
        self.index_lag = 0
        self.rate_limited = False
        self.rate_limit: int | None = None
        self.rate_window = 60
        self.advertised_rate_limit = 100
        self.slow_seconds = 2.0
        self.latency = 0.0
        self.late_wait_seconds = 10.0
        self.deleted_file_id_403 = False
        self.max_files = 100
        self.quota_bytes = 50 * 10**9
        self.max_file_size = 50 * 10**9
        self.multipart_max_bytes = 100 * 1024 * 1024
        self.requests: list[RecordedRequest] = []
        self.peak_uploads = 0
        self.hold_uploads = 0
        self._uploads_in_flight = 0
        self._lock = threading.RLock()
        self._uploads_changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._next_id = first_id
        self._users: dict[str, int] = {}
        self._concepts: dict[int, Concept] = {}
        self._depositions: dict[int, Deposition] = {}
        self._buckets: dict[str, int] = {}
        self._faults: list[Fault] = []
        self._late: list[_LateAction] = []
        self._dirty: set[int] = set()
        self._index = SearchIndex()
        self._window_start = time.time()
        self._window_used = 0
        self._views = Views(self)
        self.token = self.add_user()
        self._server = _StreamingHTTPServer(host="127.0.0.1", port=0, threaded=True)
        self._server.expect_request(re.compile(".*")).respond_with_handler(self._serve)

    # -- lifecycle and addresses --

    def start(self) -> FakeZenodo:
        self._server.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes any stalled "timeout" handler
        with self._lock:
            late, self._late = self._late, []
        for action in late:  # a "late" action whose moment never came: dropped
            action.abandoned = True
            action.go.set()
        if self._server.is_running():
            self._server.stop()

    def check_server_errors(self) -> None:
        """Re-raise a crash inside the fake (a bug in the fake, not in the client)."""
        self._server.check_handler_errors()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    # -- accounts, faults, recording --

    def add_user(self, token: str | None = None) -> str:
        """A new account and its token (random unless given, as a README's `...` is)."""
        token = token or secrets.token_urlsafe(24)
        with self._lock:
            self._users[token] = 548_000 + len(self._users)
        return token

    def inject(
        self,
        method: str,
        path_regex: str,
        kind: str,
        *,
        times: int = 1,
        when: str = "before",
        skip: int = 0,
        late_by: int = 1,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {sorted(FAULT_KINDS)}")
        before_only = ("reset_mid_upload", "late", "transfer_failed")
        if kind == "as_200" and when != "after":
            raise ValueError("fault 'as_200' changes the handler's answer: after only")
        if when not in ("before", "after") or (kind in before_only and when != "before"):
            raise ValueError(f"fault {kind!r} cannot happen {when!r} the handler")
        if late_by < 1:
            raise ValueError("late_by counts the requests after the client gave up: at least 1")
        fault = Fault(method.upper(), re.compile(path_regex), kind, times, when, skip, late_by)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def count(self, method: str, path_regex: str) -> int:
        pattern = re.compile(path_regex)
        with self._lock:
            return sum(
                1
                for r in self.requests
                if method.upper() in ("*", r.method) and pattern.search(r.path)
            )

    # -- state queries used by the views --

    def concept_doi(self, concept_id: int) -> str | None:
        """A concept has a DOI once any of its versions was published (zenodo-api.md §2.2)."""
        if self._published(concept_id):
            return f"{self.doi_prefix}/zenodo.{concept_id}"
        return None

    def latest_draft_id_for(self, dep: Deposition) -> int:
        """Today links.latest_draft points at itself; old Zenodo pointed a published version
        at the concept's new-version draft (zenodo-api.md §2.2, "Old Zenodo differences")."""
        pending = self._pending(dep.concept_id)
        if self.old_zenodo_newversion and dep.published and pending is not None:
            return pending.id
        return dep.id

    def version_relation(self, dep: Deposition) -> dict[str, Any]:
        published = self._published(dep.concept_id)
        return {
            "index": published.index(dep),
            "is_last": published[-1] is dep,
            "count": len(published),
            "parent": {"pid_type": "recid", "pid_value": str(dep.concept_id)},
            "last_child": {"pid_type": "recid", "pid_value": str(published[-1].id)},
        }

    def _published(self, concept_id: int) -> list[Deposition]:
        concept = self._concepts.get(concept_id)
        if concept is None:
            return []
        deps = (self._depositions[i] for i in concept.deposition_ids)
        return sorted((d for d in deps if d.published), key=lambda d: d.id)

    def _pending(self, concept_id: int) -> Deposition | None:
        """The unpublished draft of a concept; Zenodo keeps at most one (zenodo-api.md §3.1)."""
        concept = self._concepts.get(concept_id)
        for dep_id in concept.deposition_ids if concept else ():
            if not self._depositions[dep_id].published:
                return self._depositions[dep_id]
        return None

    # -- dispatch: faults, rate limits, routing, body, handler, index --

    def _serve(self, request: Request) -> Response:
        record, index = self._record(request)
        self._land_late_actions(index, record)
        upload = request.method == "PUT" and request.path.startswith("/api/files/")
        self._upload_starts(upload)
        try:
            return self._serve_counted(request, record)
        finally:
            with self._lock:
                self._uploads_in_flight -= upload

    def _upload_starts(self, upload: bool) -> None:
        """Count an upload in flight; with `hold_uploads`, wait until that many were."""
        with self._lock:
            self._uploads_in_flight += upload
            self.peak_uploads = max(self.peak_uploads, self._uploads_in_flight)
            if upload and self.hold_uploads:
                self._uploads_changed.notify_all()
                self._uploads_changed.wait_for(
                    lambda: self.peak_uploads >= self.hold_uploads or self._stopping.is_set(),
                    timeout=5,
                )

    def _serve_counted(self, request: Request, record: RecordedRequest) -> Response:
        if self.latency:
            self._stopping.wait(self.latency)
        try:
            response = self._serve_recorded(request, record)
        except _ResetConnection:
            record.status = None
            return _empty_response(200)  # never reaches the client: its socket is gone
        except ClientDisconnected:
            # The client broke off its body (an upload stopped midway): nothing is stored,
            # and Zenodo answers 400 "transfer failed" to nobody (zenodo-api.md §11.2).
            record.status = 400
            return _json_response({"status": 400, "message": MSG_TRANSFER_FAILED}, 400)
        record.status = response.status_code
        return response

    def _record(self, request: Request) -> tuple[RecordedRequest, int]:
        record = RecordedRequest(
            request.method,
            request.path,
            request.query_string.decode("latin-1"),
            dict(request.headers.items()),
        )
        with self._lock:
            self.requests.append(record)
            return record, len(self.requests) - 1

    def _land_late_actions(self, index: int, record: RecordedRequest) -> None:
        """Let the "late" actions due before this request act, and wait until they did.
        An action's count starts with the first request after its client gave up."""
        with self._lock:
            for action in self._late:
                if action.trigger is None and _client_gone(action.client):
                    action.trigger = index + action.fault.late_by - 1
            due = [a for a in self._late if a.trigger is not None and a.trigger <= index]
            self._late = [a for a in self._late if a not in due]
            for action in due:
                action.fault.landed_before = record
        for action in due:
            action.go.set()
            action.done.wait(self.late_wait_seconds)

    def _act_late(self, fault: Fault, request: Request, record: RecordedRequest) -> Response:
        """The gateway keeps the request; the client times out and moves on; Zenodo acts
        just before the `late_by`-th request the client sends after that is handled."""
        body = _read_body(request)  # the request arrived whole: only the answer is missing
        record.body_size = len(body)
        action = _LateAction(fault, request.environ["werkzeug.socket"])
        with self._lock:
            if self._stopping.is_set():
                action.abandoned = True
            else:
                self._late.append(action)
        if not action.abandoned:
            action.go.wait()  # stop() sets it too
        try:
            if action.abandoned:
                return self._gateway_response(504)
            response = self._handle(request, record, body)
            record.status = response.status_code  # before `done`: the test may read it next
            return response  # to a client that left long ago
        finally:
            action.done.set()

    def _serve_recorded(self, request: Request, record: RecordedRequest) -> Response:
        fault = self._take_fault(request.method, request.path)
        if fault is not None:
            record.fault = fault.kind
            if fault.kind == "late":
                return self._act_late(fault, request, record)
            if fault.when == "before":
                return self._fault_before(fault, request, record)
        limited = self._rate_limit_response()
        if limited is not None:
            record.body_size = len(_read_body(request))
            return limited
        response = self._handle(request, record)
        if fault is not None:
            response = self._fault_after(fault, request, response)
        return response

    def _handle(
        self, request: Request, record: RecordedRequest, body: bytes | None = None
    ) -> Response:
        """`body`: already read (a "late" request), else read here."""
        if body is None:
            body = _read_body(request)  # outside the lock: slow uploads don't block others
        if _chunked(request):
            body = b""  # read, then lost: what Zenodo does to a chunked body (zenodo-api.md §11.2)
        record.body_size = len(body)
        try:
            name, params = self._route(request.method, request.path)
        except ApiError as error:
            return self._finish(_json_response(error.body(), error.status))
        with self._lock:
            call = _Call(request, params, body, self._user_of(request))
            try:
                response = getattr(self, f"_on_{name}")(call)
            except ApiError as error:
                response = _json_response(error.body(), error.status)
            self._flush_index()
        return self._finish(response)

    def _route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(path)
            if match:
                if method not in methods:
                    raise ApiError(405, MSG_METHOD_NOT_ALLOWED)
                return methods[method], match.groupdict()
        raise ApiError(404, MSG_NOT_FOUND_ROUTE)

    def _user_of(self, request: Request) -> int | None:
        """Bearer header or ?access_token=; an unknown token is simply anonymous
        (zenodo-api.md §1)."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            token = request.args.get("access_token", "")
        return self._users.get(token.strip())

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                if fault.passed < fault.skip:
                    fault.passed += 1
                    continue
                fault.fired += 1
                return fault
        return None

    def _fault_before(self, fault: Fault, request: Request, record: RecordedRequest) -> Response:
        if fault.kind == "reset":
            _reset_connection(request)
            raise _ResetConnection
        if fault.kind == "reset_mid_upload":
            record.body_size = _read_part_of_body(request)
            _reset_connection(request)
            raise _ResetConnection
        if fault.kind == "timeout":
            self._stopping.wait(self.slow_seconds)
            record.body_size = len(_read_body(request))
            return self._gateway_response(504)  # the gateway gave up; Zenodo never acted
        record.body_size = len(_read_body(request))
        if fault.kind in MALFORMED_KINDS:
            return self._malformed(fault.kind, 201 if request.method == "POST" else 200)
        return self._status_fault(fault.kind, request)

    def _malformed(self, kind: str, status: int) -> Response:
        if kind == "not_json":
            return self._finish(Response("<html>OK</html>", status, content_type="text/html"))
        if kind == "empty":
            return self._finish(Response(b"", status, content_type="application/json"))
        body: Any = {"a_list": [], "no_id": {"state": "done"}, "bad_id": {"id": "abc"}}[kind]
        return self._finish(_json_response(body, status))

    def _fault_after(self, fault: Fault, request: Request, response: Response) -> Response:
        if fault.kind in MALFORMED_KINDS:
            return self._malformed(fault.kind, response.status_code)
        if fault.kind == "as_200":
            response.status_code = 200
            return response
        if fault.kind == "reset":
            _reset_connection(request)
            raise _ResetConnection
        if fault.kind == "timeout":
            self._stopping.wait(self.slow_seconds)
            return response
        return self._status_fault(fault.kind, request)

    def _status_fault(self, kind: str, request: Request) -> Response:
        if kind == "transfer_failed":  # zenodo-api.md §11.2, as Zenodo words it
            body = {"status": 400, "message": MSG_TRANSFER_FAILED}
            return self._finish(_json_response(body, 400))
        if kind.startswith("echo_"):
            return self._echo_response(int(kind.removeprefix("echo_")), request)
        if kind == "429":
            reset = int(time.time()) + 1
            return self._too_many_requests(retry_after=1, reset=reset)
        if kind == "500":
            body = {"message": MSG_INTERNAL, "status": 500, "error_id": uuid.uuid4().hex}
            return self._finish(_json_response(body, 500))
        return self._gateway_response(int(kind))

    def _echo_response(self, status: int, request: Request) -> Response:
        """An error that repeats the request back, credentials and all."""
        auth = request.headers.get("Authorization")
        echoed = f"{request.method} {request.url} Authorization: {auth}"
        if status >= 500:  # a debug page
            page = f"<html><body><h1>Internal Server Error</h1><pre>{echoed}</pre></body></html>"
            return Response(page, status, content_type="text/html")
        body = {
            "status": status,
            "message": f"Bad request: {echoed}",
            "errors": [{"field": "metadata.title", "messages": [f"rejected: {echoed}"]}],
        }
        return self._finish(_json_response(body, status))

    def _gateway_response(self, status: int) -> Response:
        """Errors made by the load balancer: HTML, and no rate-limit headers."""
        return Response(GATEWAY_PAGES[status], status, content_type="text/html")

    # -- rate limits (zenodo-api.md §4.5) --

    def _count_request(self) -> tuple[int, int]:
        """(requests used in this window, epoch second the window resets)."""
        now = time.time()
        with self._lock:
            if now >= self._window_start + self.rate_window:
                self._window_start, self._window_used = now, 0
            self._window_used += 1
            return self._window_used, int(self._window_start + self.rate_window)

    def _limit(self) -> int:
        return self.rate_limit if self.rate_limit is not None else self.advertised_rate_limit

    def _rate_limit_response(self) -> Response | None:
        used, reset = self._count_request()
        over = self.rate_limit is not None and used > self.rate_limit
        if self.rate_limited or over:
            return self._too_many_requests(max(0, reset - int(time.time())), reset)
        return None

    def _too_many_requests(self, retry_after: int, reset: int) -> Response:
        window = "1 minute" if self.rate_window == 60 else f"{self.rate_window} second"
        body = {"status": 429, "message": f"{self._limit()} per {window}"}
        response = _json_response(body, 429)
        response.headers.update(
            {
                "X-RateLimit-Limit": str(self._limit()),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset),
                "Retry-After": str(retry_after),
            }
        )
        return response

    def _finish(self, response: Response) -> Response:
        """Every answer of the application carries the rate-limit headers (zenodo-api.md §4.5),
        errors too: there Retry-After is only the time until the window resets, not a request."""
        with self._lock:
            used = self._window_used
            reset = int(self._window_start + self.rate_window)
        response.headers.setdefault("X-RateLimit-Limit", str(self._limit()))
        response.headers.setdefault("X-RateLimit-Remaining", str(max(0, self._limit() - used)))
        response.headers.setdefault("X-RateLimit-Reset", str(reset))
        response.headers.setdefault("Retry-After", str(max(0, reset - int(time.time()))))
        return response

    # -- state changes shared by handlers and seeding --

    def _allocate_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _touch(self, dep: Deposition) -> None:
        dep.modified = _now()
        dep.revision += 1
        self._dirty.add(dep.concept_id)

    def _new_concept(self, owner: int) -> Concept:
        concept = Concept(self._allocate_id(), owner)
        self._concepts[concept.id] = concept
        return concept

    def _new_deposition(self, concept: Concept, metadata: dict[str, Any]) -> Deposition:
        dep = Deposition(
            self._allocate_id(), concept.id, concept.owner, str(uuid.uuid4()), metadata
        )
        self._depositions[dep.id] = dep
        self._buckets[dep.bucket_id] = dep.id
        concept.deposition_ids.append(dep.id)
        self._dirty.add(concept.id)
        return dep

    def _start_new_version(self, concept: Concept) -> Deposition:
        """A new-version draft from the latest version: metadata minus version and DOI,
        publication_date today, every file imported (zenodo-api.md §3.1 points 3 and 5)."""
        latest = self._published(concept.id)[-1]
        metadata = {k: v for k, v in latest.metadata.items() if k not in ("version", "doi")}
        metadata["publication_date"] = _today()
        draft = self._new_deposition(concept, copy.deepcopy(metadata))
        self._import_files(draft, latest)
        return draft

    def _import_files(self, draft: Deposition, source: Deposition) -> None:
        draft.files = {key: f.imported() for key, f in source.files.items()}
        self._touch(draft)

    def _remove(self, dep: Deposition) -> None:
        del self._depositions[dep.id]
        del self._buckets[dep.bucket_id]
        concept = self._concepts[dep.concept_id]
        concept.deposition_ids.remove(dep.id)
        self._dirty.add(concept.id)
        if not concept.deposition_ids:
            del self._concepts[concept.id]

    def _doi_errors(self, dep: Deposition) -> list[tuple[str, str]]:
        """Sending another record's DOI (e.g. the previous version's) fails at publish
        (zenodo-api.md §3.1 point 6)."""
        wanted = dep.current_metadata.get("doi")
        if wanted and wanted not in self._own_dois(dep) and self._doi_taken(wanted):
            return [("pids.doi", f"doi:{wanted} already exists.")]
        return []

    def _own_dois(self, dep: Deposition) -> set[str]:
        return {f"{self.doi_prefix}/zenodo.{dep.id}", f"{PRERESERVE_PREFIX}/zenodo.{dep.id}"}

    def _mint(self, dep: Deposition) -> None:
        """Publish an unpublished draft: the DOI is the record's own unless metadata.doi
        names an external one (then the record can't be versioned, zenodo-api.md §3.1 point 2)."""
        wanted = dep.metadata.pop("doi", None)
        if wanted and wanted not in self._own_dois(dep):
            dep.doi, dep.external_doi = wanted, True
        else:
            # the id prereserve_doi.recid names, with the instance's prefix
            # (zenodo-api.md §2.2, §11.4)
            dep.doi = f"{self.doi_prefix}/zenodo.{dep.id}" + (
                "0" if self.mint_unreserved_doi else ""
            )
        dep.published = True
        self._touch(dep)

    def _doi_taken(self, doi: str) -> bool:
        concept_dois = {self.concept_doi(c) for c in self._concepts}
        return doi in concept_dois or any(d.doi == doi for d in self._depositions.values())

    # -- the search index --

    def _flush_index(self, *, immediately: bool = False) -> None:
        lag = 0 if immediately else self.index_lag
        visible_from = 0 if immediately else self._index.list_calls + lag + 1
        for concept_id in sorted(self._dirty):
            self._index.store(concept_id, self._index_entries(concept_id), visible_from)
        self._dirty.clear()

    def _index_entries(self, concept_id: int) -> list[IndexEntry]:
        concept = self._concepts.get(concept_id)
        if concept is None:
            return []
        pending = self._pending(concept_id)
        published = self._published(concept_id)
        latest = pending or (published[-1] if published else None)
        return [self._index_entry(self._depositions[i], latest) for i in concept.deposition_ids]

    def _index_entry(self, dep: Deposition, latest: Deposition | None) -> IndexEntry:
        md = dep.current_metadata
        return IndexEntry(
            id=dep.id,
            concept_id=dep.concept_id,
            owner=dep.owner,
            doi=dep.doi,
            concept_doi=self.concept_doi(dep.concept_id),
            is_latest_draft=dep is latest,
            created=dep.created,
            modified=dep.modified,
            publication_date=str(md.get("publication_date", "")),
            version=str(md.get("version", "")),
            json=self._views.list_entry(dep),
        )

    # -- lookups with Zenodo's error answers --

    def _require_user(self, call: _Call) -> int:
        if call.user is None:
            raise ApiError(403, MSG_PERMISSION_DENIED)
        return call.user

    def _deposition(self, call: _Call, dep_id: str | None = None) -> Deposition:
        """The caller's deposition: 404 when unknown, 403 when not theirs
        (zenodo-api.md §1, §4.4)."""
        raw = dep_id if dep_id is not None else call.params["dep_id"]
        dep = self._depositions.get(int(raw)) if raw.isdigit() else None
        if dep is None:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        if not self._may_edit(call.user, dep):
            raise ApiError(403, MSG_PERMISSION_DENIED)
        return dep

    def _may_edit(self, user: int | None, dep: Deposition) -> bool:
        """The owner, or a user the owner shared the record with (edit or manage access):
        they may make new versions, edit and publish (zenodo-api.md §11.3)."""
        return user is not None and (
            user == dep.owner or user in self._shared.get(dep.concept_id, set())
        )

    def _draft(self, call: _Call) -> Deposition:
        """The caller's deposition that has a draft; a published record without one is
        404 for PUT, publish, DELETE and discard (zenodo-api.md §2.7, §4.4)."""
        dep = self._deposition(call)
        if not dep.is_draft:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        return dep

    def _published_record(self, raw_id: str) -> Deposition:
        dep = self._depositions.get(int(raw_id)) if raw_id.isdigit() else None
        if dep is None:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        if not dep.published:
            raise ApiError(404, MSG_PID_NOT_REGISTERED)
        return dep

    def _deposition_response(self, dep: Deposition, status: int) -> Response:
        return _json_response(
            self._views.deposition(dep), status, headers={"ETag": f'"{dep.revision}"'}
        )

    # -- handlers: depositions --

    def _on_list(self, call: _Call) -> Response:
        user = self._require_user(call)
        args = call.request.args
        size = _int_arg(args, "size", 25)
        page = _int_arg(args, "page", 1)
        if size > 100:
            raise ApiError(400, "Page size cannot be greater than 100.")
        q = args.get("q", "")
        sort = args.get("sort") or ("bestmatch" if q else "newest")
        if sort not in SORT_OPTIONS:
            raise ApiError(400, f"Invalid sort option '{sort}'.")
        matches = query_filter(q)
        all_versions = "all_versions" in args and args["all_versions"].lower() in ("", "true", "1")
        entries = [
            e
            for e in self._index.visible(self._index.next_call())
            # shared records are listed too (shared_with_me defaults to true, zenodo-api.md §11.3)
            if (e.owner == user or user in self._shared.get(e.concept_id, set()))
            and matches(e)
            and (all_versions or e.is_latest_draft)
        ]
        key, reverse = _SORT_KEYS[sort]
        entries.sort(key=key, reverse=reverse)
        # a bare array: no total, no links (zenodo-api.md §2.3)
        return _json_response([e.json for e in entries[(page - 1) * size : page * size]], 200)

    def _parse_json(self, call: _Call) -> Any:
        if (call.request.content_type or "") not in ("", "application/json"):
            # the raw header is compared (zenodo-api.md §2.4)
            raise ApiError(415, MSG_JSON_CONTENT_TYPE)
        if not call.body:
            return None
        try:
            return json.loads(call.body)
        except ValueError:
            raise ApiError(400, MSG_BAD_REQUEST) from None

    def _on_create(self, call: _Call) -> Response:
        owner = self._require_user(call)
        metadata = deserialize_body(self._parse_json(call))
        dep = self._new_deposition(self._new_concept(owner), metadata)
        return self._deposition_response(dep, 201)

    def _refuse_missing_license(self, metadata: dict[str, Any]) -> None:
        """An instance whose licence vocabulary lacks ids the validator knows (an older
        one): what a server-side rejection of a field looks like (zenodo-api.md §4.2)."""
        given = str(metadata.get("license", "")).lower()
        if given and given in self.missing_licenses:
            raise validation_error([("metadata.license", f"Invalid license provided: {given}")])

    def _on_read(self, call: _Call) -> Response:
        return self._deposition_response(self._deposition(call), 200)

    def _on_update(self, call: _Call) -> Response:
        dep = self._draft(call)
        self._check_revision(call, dep)
        # replaces everything (zenodo-api.md §2.4)
        metadata = deserialize_body(self._parse_json(call))
        self._refuse_missing_license(metadata)
        if dep.published:
            dep.edit_metadata = metadata
        else:
            dep.metadata = metadata
        self._touch(dep)
        return self._deposition_response(dep, 200)

    def _check_revision(self, call: _Call, dep: Deposition) -> None:
        wanted = call.request.headers.get("If-Match")
        if wanted is None:
            return
        wanted = wanted.strip().removeprefix("W/").strip('"')
        if wanted != str(dep.revision):
            message = (
                f"Revision id provided({wanted}) doesn't match record's current "
                f"revision id ({dep.revision})."
            )
            raise ApiError(412, message)

    def _on_delete(self, call: _Call) -> Response:
        dep = self._draft(call)
        self._discard_draft(dep)
        return _empty_response()

    def _on_discard(self, call: _Call) -> Response:
        # routed to delete_draft today: 204 and no body (zenodo-api.md §2.1 row 8)
        self._discard_draft(self._draft(call))
        return _empty_response()

    def _discard_draft(self, dep: Deposition) -> None:
        if dep.published:
            dep.edit_metadata = None
            self._touch(dep)
        else:
            self._remove(dep)

    def _on_edit(self, call: _Call) -> Response:
        dep = self._deposition(call)
        if dep.published and dep.edit_metadata is None:
            dep.edit_metadata = copy.deepcopy(dep.metadata)
            self._touch(dep)
        return self._deposition_response(dep, 201)  # an existing draft is returned as is

    def _on_publish(self, call: _Call) -> Response:
        dep = self._draft(call)
        if self.spam_blocked:
            raise ApiError(400, MSG_SPAM_BLOCKED)
        metadata = dep.current_metadata
        errors = publish_errors(metadata, bool(dep.files)) + self._doi_errors(dep)
        if errors:
            raise validation_error(errors)
        joined = self._join_communities(dep)
        if dep.published:
            dep.metadata, dep.edit_metadata = metadata, None
            self._touch(dep)
        else:
            self._mint(dep)
        dep.metadata = {k: v for k, v in dep.metadata.items() if k != "communities"}
        if joined:
            dep.metadata["communities"] = joined
        return self._deposition_response(dep, 202)

    def _join_communities(self, dep: Deposition) -> list[dict[str, str]]:
        """What publishing does with `communities` today (zenodo-api.md §11.3): one
        inclusion request each; accepted at once only where the user may include records
        directly, else left pending for the curators; unknown ids silently ignored. The
        record then lists only the communities it joined."""
        joined = []
        for item in dep.current_metadata.get("communities") or ():
            slug = str(item.get("identifier", "")) if isinstance(item, dict) else ""
            policy = self.communities.get(slug)
            if policy == "include":
                joined.append({"identifier": slug})
            elif policy == "review":
                self.community_requests.append((slug, dep.id))
        return joined

    def _on_community(self, call: _Call) -> Response:
        slug = call.params["slug"]
        if slug not in self.communities:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        body = {"id": uuid.uuid5(uuid.NAMESPACE_URL, slug).hex, "slug": slug}
        return _json_response({**body, "metadata": {"title": slug.title()}}, 200)

    def _on_newversion(self, call: _Call) -> Response:
        dep = self._deposition(call)
        if not dep.published:
            raise ApiError(404, MSG_PID_NOT_REGISTERED)
        if dep.external_doi:
            raise ApiError(403, MSG_PERMISSION_DENIED)  # external DOIs can't be versioned
        concept = self._concepts[dep.concept_id]
        pending = self._pending(concept.id)
        if self.old_zenodo_newversion:
            if pending is None:
                self._start_new_version(concept)
            # old Zenodo: the called deposition, its latest_draft -> the draft (zenodo-api.md §3.1
            # point 4)
            return self._deposition_response(dep, 201)
        if pending is None:
            return self._deposition_response(self._start_new_version(concept), 201)
        if pending.files:
            # not idempotent today: import_files refuses a draft with files (zenodo-api.md §3.1
            # point 4)
            raise validation_error([("files.enabled", MSG_REMOVE_FILES)])
        self._import_files(pending, self._published(concept.id)[-1])
        return self._deposition_response(pending, 201)

    # -- handlers: files of a deposition (old-style API, zenodo-api.md §2.5) --

    def _on_list_files(self, call: _Call) -> Response:
        dep = self._deposition(call)
        return _json_response(
            [self._views.deposition_file(dep, f, as_float=True) for f in dep.files.values()], 200
        )

    def _on_add_file(self, call: _Call) -> Response:
        dep = self._writable_deposition(call)
        if len(call.body) > self.multipart_max_bytes:
            body = {"status": 413, "message": MSG_TOO_LARGE}  # JSON, not HTML (zenodo-api.md §11.2)
            return self._finish(_json_response(body, 413))
        environ = dict(call.request.environ)
        environ.update({"wsgi.input": io.BytesIO(call.body), "CONTENT_LENGTH": str(len(call.body))})
        environ.pop("wsgi.input_terminated", None)
        _, form, files = parse_form_data(environ)
        upload = files.get("file")
        if upload is None:
            raise validation_error([("file", MSG_MISSING)])
        key = secure_filename(form.get("name") or upload.filename or "")
        if key in dep.files:
            raise ApiError(400, f"File with key {key} already exists.")
        stored = self._store_file(dep, key, upload.read())
        return _json_response(self._views.deposition_file(dep, stored, as_float=True), 201)

    def _writable_deposition(self, call: _Call, dep_id: str | None = None) -> Deposition:
        """Files can change only in an unpublished draft: a published record answers 404,
        an edit draft's files are locked, 403 (zenodo-api.md §2.5, §2.6, §2.7)."""
        dep = self._deposition(call, dep_id)
        if not dep.published:
            return dep
        if dep.edit_metadata is not None:
            raise ApiError(403, MSG_PERMISSION_DENIED)
        raise ApiError(404, MSG_PID_DOES_NOT_EXIST)

    def _store_file(self, dep: Deposition, key: str, data: bytes) -> StoredFile:
        """Checks of zenodo-api.md §4.4/§5, then create or overwrite the key."""
        if not data:
            raise ApiError(400, MSG_EMPTY_FILE)
        if key not in dep.files and len(dep.files) >= self.max_files:
            raise ApiError(400, MSG_TOO_MANY_FILES)
        if len(data) > self.max_file_size:
            raise ApiError(400, MSG_FILE_SIZE)
        others = sum(f.size for k, f in dep.files.items() if k != key)
        if others + len(data) > self.quota_bytes:
            raise ApiError(400, MSG_QUOTA)
        replaced = dep.files.pop(key, None)  # overwrite: the old object is deleted, replaced
        stored = dep.files[key] = StoredFile.new(key, data)
        if replaced is not None:
            # Only the delete commits the record: a new file leaves `modified` (and the
            # ETag) as they were, so a draft being uploaded to looks idle (zenodo-api.md §11.2).
            self._touch(dep)
        return stored

    def _file_by_id(self, dep: Deposition, file_id: str) -> StoredFile | None:
        return next((f for f in dep.files.values() if f.file_id == file_id), None)

    def _on_read_file(self, call: _Call) -> Response:
        dep = self._deposition(call)
        stored = self._file_by_id(dep, call.params["file_id"])
        if stored is None:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        return _json_response(self._views.deposition_file(dep, stored, as_float=True), 200)

    def _on_delete_file(self, call: _Call) -> Response:
        dep = self._deposition(call)
        if dep.published:
            # files of a published record (zenodo-api.md §2.5)
            raise ApiError(403, MSG_PERMISSION_DENIED)
        stored = self._file_by_id(dep, call.params["file_id"])
        if stored is None:
            # 403 for an already-deleted id until fix b04cc2c (zenodo-api.md §2.5), 404 after it
            status = 403 if self.deleted_file_id_403 else 404
            raise ApiError(
                status, MSG_PERMISSION_DENIED if status == 403 else MSG_PID_DOES_NOT_EXIST
            )
        del dep.files[stored.key]
        self._touch(dep)
        return _empty_response()

    # -- handlers: the bucket (Files-REST emulation, zenodo-api.md §2.6) --

    def _bucket_deposition(self, call: _Call, *, write: bool) -> Deposition:
        dep_id = self._buckets.get(call.params["bucket"])
        if dep_id is None:
            raise ApiError(404, MSG_NOT_FOUND_ROUTE)
        dep = self._depositions[dep_id]
        if not write and dep.published:
            return dep  # published files are public
        if not self._may_edit(call.user, dep):
            raise ApiError(403, MSG_PERMISSION_DENIED)
        if write and dep.published:
            raise ApiError(403, MSG_PERMISSION_DENIED)  # a published record's bucket is locked
        return dep

    def _on_list_bucket(self, call: _Call) -> Response:
        # KeyError 'hits' in deployed code until fix 78c6a4c (zenodo-api.md §2.1 row 19): don't list
        # buckets
        body = {"message": MSG_INTERNAL, "status": 500, "error_id": uuid.uuid4().hex}
        return _json_response(body, 500)

    def _on_upload_object(self, call: _Call) -> Response:
        content_type = call.request.headers.get("Content-Type")
        if content_type not in (None, "application/octet-stream"):
            raise ApiError(415, MSG_OCTET_CONTENT_TYPE)
        dep = self._bucket_deposition(call, write=True)
        key = call.params["key"]
        if len(key) > 255:
            raise ApiError(400, MSG_KEY_TOO_LONG)
        stored = self._store_file(dep, key, call.body)
        return _json_response(self._views.bucket_object(dep.bucket_id, stored), 201)

    def _on_download_object(self, call: _Call) -> Response:
        dep = self._bucket_deposition(call, write=False)
        return self._content(dep, call.params["key"])

    def _on_delete_object(self, call: _Call) -> Response:
        dep = self._bucket_deposition(call, write=True)
        if dep.files.pop(call.params["key"], None) is None:
            raise ApiError(404, MSG_NOT_FOUND_ROUTE)
        self._touch(dep)
        return _empty_response()

    def _content(self, dep: Deposition, key: str) -> Response:
        stored = dep.files.get(key)
        if stored is None:
            raise ApiError(404, MSG_NOT_FOUND_ROUTE)
        mimetype = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return Response(stored.data, 200, content_type=mimetype)

    # -- handlers: records API (reading back, resolving a concept) --

    def _on_record(self, call: _Call) -> Response:
        raw = call.params["rec_id"]
        if raw.isdigit() and int(raw) in self._concepts:
            # [inferred, not in the reference] a concept id redirects to its latest version,
            # as zenodo.org/records/<concept id> does
            return self._redirect_to_latest(int(raw))
        return _json_response(self._views.record(self._published_record(raw)), 200)

    def _on_latest_record(self, call: _Call) -> Response:
        """302 to the latest published version; a concept id is accepted too (zenodo-api.md §3.1
        point 2)."""
        raw = call.params["rec_id"]
        if raw.isdigit() and int(raw) in self._concepts:
            return self._redirect_to_latest(int(raw))
        return self._redirect_to_latest(self._published_record(raw).concept_id)

    def _redirect_to_latest(self, concept_id: int) -> Response:
        published = self._published(concept_id)
        if not published:
            raise ApiError(404, MSG_PID_NOT_REGISTERED)
        response = Response(b"", 302, content_type="text/html")
        response.headers["Location"] = f"{self.api_url}/records/{published[-1].id}"
        return response

    def _on_record_files(self, call: _Call) -> Response:
        return _json_response(
            self._views.record_files(self._published_record(call.params["rec_id"])), 200
        )

    def _on_record_file_content(self, call: _Call) -> Response:
        return self._content(self._published_record(call.params["rec_id"]), call.params["key"])

    def _on_draft_file_content(self, call: _Call) -> Response:
        return self._content(self._deposition(call, call.params["rec_id"]), call.params["key"])

    # -- seeding (no HTTP, visible to the index at once) --

    def share(self, concept_id: int, token: str) -> None:
        """The owner shares every version of the concept with the account of `token`
        (an access grant with edit or manage permission, zenodo-api.md §11.3)."""
        with self._lock:
            self._shared.setdefault(concept_id, set()).add(self._owner(token))

    def _owner(self, token: str | None) -> int:
        owner = self._users.get(token or self.token)
        if owner is None:
            raise ValueError("owner_token is not a token of this fake")
        return owner

    def seed_concept(
        self, versions: list[dict[str, Any]], owner_token: str | None = None
    ) -> SeededConcept:
        """A concept with these published versions, oldest first. Each version: "version",
        optional "files" {name: bytes} and "metadata" (merged over a valid default)."""
        with self._lock:
            concept = self._new_concept(self._owner(owner_token))
            for spec in versions:
                metadata = {**default_metadata(), **spec.get("metadata", {})}
                metadata["version"] = spec["version"]
                dep = self._new_deposition(concept, normalize_metadata(metadata))
                default_files = {f"release-{spec['version']}.txt": spec["version"].encode()}
                for key, data in spec.get("files", default_files).items():
                    self._store_file(dep, key, data)
                self._mint(dep)
            self._flush_index(immediately=True)
            return SeededConcept(concept.id, list(concept.deposition_ids), self.doi_prefix)

    def seed_pending_draft(
        self,
        concept_id: int,
        files: dict[str, bytes] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> int:
        """The new-version draft a failed earlier run leaves behind."""
        with self._lock:
            concept = self._concepts[concept_id]
            if self._pending(concept_id) is not None:
                raise ValueError("Zenodo keeps at most one pending draft per concept")
            draft = self._start_new_version(concept)
            self._replace_draft_content(draft, files, metadata)
            self._flush_index(immediately=True)
            return draft.id

    def seed_new_draft(
        self,
        files: dict[str, bytes] | None = None,
        metadata: dict[str, Any] | None = None,
        owner_token: str | None = None,
    ) -> int:
        """The unpublished first version of a new concept."""
        with self._lock:
            concept = self._new_concept(self._owner(owner_token))
            draft = self._new_deposition(concept, {"access_right": "open"})
            self._replace_draft_content(draft, files or {}, metadata)
            self._flush_index(immediately=True)
            return draft.id

    def _replace_draft_content(
        self, draft: Deposition, files: dict[str, bytes] | None, metadata: dict[str, Any] | None
    ) -> None:
        if metadata is not None:
            draft.metadata = normalize_metadata(metadata)
        if files is not None:
            draft.files.clear()
            for key, data in files.items():
                self._store_file(draft, key, data)
        self._touch(draft)

    # -- inspection for assertions --

    def published_versions(self, concept_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "record_id": d.id,
                    "version": d.metadata.get("version"),
                    "doi": d.doi,
                    "conceptdoi": self.concept_doi(concept_id),
                    "publication_date": d.metadata.get("publication_date"),
                    "title": d.metadata.get("title"),
                    "files": d.file_summary(),
                    "metadata": self._views.metadata(d, d.metadata),
                }
                for d in self._published(concept_id)
            ]

    def pending_drafts(self, concept_id: int) -> list[dict[str, Any]]:
        """Unpublished drafts and open edits of the concept: a clean run leaves none."""
        with self._lock:
            concept = self._concepts.get(concept_id)
            deps = [self._depositions[i] for i in concept.deposition_ids] if concept else []
            return [
                {
                    "record_id": d.id,
                    "state": "inprogress" if d.published else "unsubmitted",
                    "files": d.file_summary(),
                    "metadata": self._views.metadata(d, d.current_metadata),
                }
                for d in deps
                if d.is_draft
            ]

    def backdate(self, record_id: int, seconds: float) -> None:
        """Make a deposition look untouched for `seconds` (an abandoned draft)."""
        with self._lock:
            then = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds)
            self._depositions[record_id].modified = then.isoformat()

    def file_bytes(self, record_id: int, name: str) -> bytes:
        with self._lock:
            return self._depositions[record_id].files[name].data

    def deposition_json(self, record_id: int) -> dict[str, Any]:
        with self._lock:
            return self._views.deposition(self._depositions[record_id])

    def concept_ids(self) -> list[int]:
        with self._lock:
            return sorted(self._concepts)

    def concept_of(self, record_id: int) -> int:
        with self._lock:
            return self._depositions[record_id].concept_id


def default_metadata() -> dict[str, Any]:
    """Metadata that passes publish-time validation; seeds merge their own over it."""
    return {
        "upload_type": "software",
        "title": "Seeded software",
        "creators": [{"name": "Doe, Jane", "affiliation": "Example University"}],
        "description": "<p>Seeded by the fake Zenodo.</p>",
        "license": "MIT",
        "publication_date": "2024-01-15",
    }


def _int_arg(args: Any, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise validation_error([(name, "Not a valid integer.")])
    return int(raw)


def _running(fake: FakeZenodo) -> Iterator[FakeZenodo]:
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    fake.check_server_errors()


@pytest.fixture
def fake_zenodo() -> Iterator[FakeZenodo]:
    """A running fake zenodo.org (DOI prefix 10.5281), fresh for each test."""
    yield from _running(FakeZenodo())


@pytest.fixture
def fake_zenodo_sandbox() -> Iterator[FakeZenodo]:
    """A running fake sandbox.zenodo.org: DOIs 10.5072/..., prereserve_doi still 10.5281."""
    yield from _running(FakeZenodo(doi_prefix="10.5072"))
