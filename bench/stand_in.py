"""A fast local Zenodo stand-in, for benchmarks only (never for tests).

tests/fakes/zenodo.py is the faithful fake: it keeps every upload in memory and hashes it,
which makes it slower than the client it serves, so a benchmark against it measures the
fake. This stand-in does as little as a server can: the bucket PUT drains the body into a
reusable 1 MiB buffer at wire speed and hashes nothing. The MD5 it answers comes from a
registry the benchmark fills before timing (key -> md5); an unknown key gets an MD5 of
zeros, so a client that checks sees a mismatch.

It serves the legacy deposit endpoints a "next version" publish sends (zenodo-api.md §2),
in the JSON shapes of the faithful fake, for one seeded concept at a time:

    GET    /api/deposit/depositions?q=conceptrecid:ID&all_versions=true   the list
    GET    /api/records/{id}/versions/latest      302 to /api/records/{latest}
    GET    /api/records/{id}                      the record (older clients follow the 302)
    GET    /api/deposit/depositions/{id}          404 for a concept id, as Zenodo does
    POST   /api/deposit/depositions/{id}/actions/newversion
    PUT    /api/deposit/depositions/{id}          metadata
    DELETE /api/deposit/depositions/{id}/files/{file id}
    PUT    /api/files/{bucket}/{key}              drained, answered from the registry
    POST   /api/deposit/depositions/{id}/actions/publish

plus a bucket named `scratch` that accepts any key (for curl and the ideal client), and the
records-API endpoints the same publish sends with `--api records`
(docs/reference/invenio-records-api.md), in the records schema, over the same state:

    GET    /api/user/records?q=parent.id:"ID"     the concept's records
    GET    /api/records/{id}/versions/latest      301 to /api/records/{latest}
    GET    /api/records/{id}                      a published version (records schema asked)
    GET    /api/records/{id}/draft                the draft
    GET    /api/vocabularies/{type}/{id}, /api/funders/{id}, /api/awards/{id}   200
    POST   /api/records/{id}/versions             the new-version draft, without files
    POST   /api/records/{id}/draft/actions/files-import
    PUT    /api/records/{id}/draft                metadata
    POST   /api/records/{id}/draft/pids/doi
    DELETE /api/records/{id}/draft/files/{key}
    POST   /api/records/{id}/draft/files          initialise
    PUT    /api/records/{id}/draft/files/{key}/content   drained
    POST   /api/records/{id}/draft/files/{key}/commit    answered from the registry
    POST   /api/records/{id}/draft/actions/publish

Options: a latency slept before every answer (seconds), a log of the requests served (by
endpoint, with start and end times) that the benchmark reads and resets, and the token
check (Authorization: Bearer).

Prove its speed (curl -T of a 1 GiB file into it; it must drain more than 1 GB/s):

    .venv/bin/python bench/stand_in.py [--size 1024] [--runs 3] [--tmp DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

MIB = 1024 * 1024
SCRATCH = "scratch"  # a bucket that takes any key and keeps nothing
ZERO_MD5 = "0" * 32
OCTET_STREAM = "application/octet-stream"  # the only Content-Type a bucket takes (§2.6)
DOI_PREFIX = "10.5281"
REASONS = {
    200: "OK",
    201: "CREATED",
    202: "ACCEPTED",
    204: "NO CONTENT",
    301: "MOVED PERMANENTLY",
    302: "FOUND",
    400: "BAD REQUEST",
    403: "FORBIDDEN",
    404: "NOT FOUND",
    405: "METHOD NOT ALLOWED",
    411: "LENGTH REQUIRED",
    415: "UNSUPPORTED MEDIA TYPE",
}
JSON_BODY_LIMIT = 16 * MIB  # metadata bodies are a few KiB; anything bigger is drained


# --- state -----------------------------------------------------------------------------


@dataclass
class StoredFile:
    id: str
    name: str
    size: int
    md5: str
    committed: bool = True  # the records API's files are committed after their content


@dataclass
class Record:
    """One version of the concept: published, or the pending new-version draft."""

    id: int
    concept_id: int
    bucket: str
    metadata: dict[str, Any]
    files: dict[str, StoredFile] = field(default_factory=dict)
    published: bool = False
    created: str = ""
    modified: str = ""
    doi_reserved: bool = False

    @property
    def doi(self) -> str | None:
        return f"{DOI_PREFIX}/zenodo.{self.id}" if self.published or self.doi_reserved else None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def seeded_metadata(version: str) -> dict[str, Any]:
    """Metadata Zenodo would accept; the publish replaces it anyway."""
    return {
        "upload_type": "software",
        "title": "Seeded by the stand-in",
        "creators": [{"name": "Doe, Jane", "affiliation": "Example University"}],
        "description": "<p>Seeded.</p>",
        "license": "mit-license",
        "access_right": "open",
        "publication_date": "2024-01-15",
        "version": version,
    }


def rdm_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """A seeded version's deposit-API metadata as the records schema has it (the fields a
    records client reads back); a draft's saved records metadata as it is."""
    if "resource_type" in metadata:
        return metadata
    return {
        "resource_type": {"id": metadata.get("upload_type", "software")},
        "title": metadata.get("title", ""),
        "publication_date": metadata.get("publication_date"),
        "publisher": "Stand-in",
        "version": metadata.get("version"),
    }


class _Route:
    """A request's path matched against the endpoints this stand-in knows."""

    LIST = re.compile(r"/api/deposit/depositions")
    DEPOSITION = re.compile(r"/api/deposit/depositions/(\d+)")
    ACTION = re.compile(r"/api/deposit/depositions/(\d+)/actions/(newversion|publish)")
    FILE = re.compile(r"/api/deposit/depositions/(\d+)/files/([^/]+)")
    OBJECT = re.compile(r"/api/files/([^/]+)/([^/]+)")
    LATEST = re.compile(r"/api/records/(\d+)/versions/latest")
    RECORD = re.compile(r"/api/records/(\d+)")
    USER_RECORDS = re.compile(r"/api/user/records")
    VOCABULARY = re.compile(r"/api/(?:vocabularies/[^/]+|funders|awards)/[^/]+")
    DRAFT = re.compile(r"/api/records/(\d+)/draft")
    VERSIONS = re.compile(r"/api/records/(\d+)/versions")
    DRAFT_ACTION = re.compile(
        r"/api/records/(\d+)/draft/(actions/publish|actions/files-import|pids/doi)"
    )
    DRAFT_FILES = re.compile(r"/api/records/(\d+)/draft/files")
    DRAFT_FILE = re.compile(r"/api/records/(\d+)/draft/files/([^/]+)")
    CONTENT = re.compile(r"/api/records/(\d+)/draft/files/([^/]+)/(content|commit)")

    @classmethod
    def label(cls, method: str, path: str) -> str:
        """The endpoint, for the request counter."""
        if found := cls.ACTION.fullmatch(path):
            return f"{method} /deposit/depositions/{{id}}/actions/{found[2]}"
        for pattern, name in (
            (cls.USER_RECORDS, "/user/records?q=parent.id:{id}"),
            (cls.VOCABULARY, "/vocabularies/{type}/{id}"),
            (cls.DRAFT, "/records/{id}/draft"),
            (cls.VERSIONS, "/records/{id}/versions"),
            (cls.DRAFT_ACTION, "/records/{id}/draft/{action}"),
            (cls.DRAFT_FILES, "/records/{id}/draft/files"),
            (cls.DRAFT_FILE, "/records/{id}/draft/files/{key}"),
            (cls.CONTENT, "/records/{id}/draft/files/{key}/{content|commit}"),
            (cls.LIST, "/deposit/depositions?q=conceptrecid:{id}"),
            (cls.DEPOSITION, "/deposit/depositions/{id}"),
            (cls.FILE, "/deposit/depositions/{id}/files/{file}"),
            (cls.OBJECT, "/files/{bucket}/{key}"),
            (cls.LATEST, "/records/{id}/versions/latest"),
            (cls.RECORD, "/records/{id}"),
        ):
            if pattern.fullmatch(path):
                return f"{method} {name}"
        return f"{method} (unknown endpoint)"


@dataclass(frozen=True)
class Served:
    """One request, as the stand-in saw it: when its handling began (the request line and
    headers read) and ended (the answer written), on this process's perf_counter clock."""

    label: str
    start: float
    end: float


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- the stand-in ----------------------------------------------------------------------


class StandIn:
    """The server and its state. Start it, seed a concept, point a client at `url`."""

    def __init__(self, token: str | None = None, latency: float = 0.0) -> None:
        self.token = token or secrets.token_urlsafe(16)
        self.latency = latency  # seconds slept before every answer
        self.md5s: dict[str, str] = {}  # key -> md5 answered by a bucket PUT
        self._lock = threading.Lock()
        self._served: list[Served] = []
        self._records: dict[int, Record] = {}
        self._buckets: dict[str, int] = {}
        self._concept_id = 0
        self._next_id = 1000
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stand_in = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle --

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def concept_id(self) -> int:
        return self._concept_id

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def scratch_url(self, key: str) -> str:
        return f"{self.url}/api/files/{SCRATCH}/{key}"

    # -- what the benchmark sets and reads --

    def seed(self, files: Mapping[str, tuple[int, str]], version: str = "0.1") -> int:
        """Forget everything; one concept with one published version holding `files`
        (name -> (size, md5)). Forgets the requests served. Returns the concept id."""
        with self._lock:
            self._records.clear()
            self._buckets.clear()
            self._served.clear()
            self._concept_id = self._allocate()
            record = self._new_record(seeded_metadata(version))
            record.files = {
                name: StoredFile(f"file-{record.id}-{index}", name, size, md5)
                for index, (name, (size, md5)) in enumerate(files.items())
            }
            record.published = True
            return self._concept_id

    def counts(self) -> dict[str, int]:
        """Requests served since the last seed or reset, by method and endpoint."""
        with self._lock:
            return dict(Counter(served.label for served in self._served))

    def served(self) -> list[Served]:
        with self._lock:
            return sorted(self._served, key=lambda served: served.start)

    def reset_counts(self) -> None:
        with self._lock:
            self._served.clear()

    def latest_published(self) -> tuple[str | None, dict[str, str]]:
        """The newest published version: its version string and files (name -> md5)."""
        with self._lock:
            published = [r for r in self._records.values() if r.published]
            latest = max(published, key=lambda r: r.id)
            files = {f.name: f.md5 for f in latest.files.values()}
            return latest.metadata.get("version"), files

    # -- state changes, called by the handler --

    def _allocate(self) -> int:
        self._next_id += 1
        return self._next_id

    def _new_record(self, metadata: dict[str, Any]) -> Record:
        stamp = _now()
        record_id = self._allocate()
        record = Record(record_id, self._concept_id, f"bucket-{record_id}", metadata)
        record.created = record.modified = stamp
        self._records[record.id] = record
        self._buckets[record.bucket] = record.id
        return record

    def note(self, served: Served) -> None:
        with self._lock:
            self._served.append(served)

    def record(self, raw_id: str) -> Record:
        record = self._records.get(int(raw_id))
        if record is None:
            raise ApiError(404, "PID does not exist.")
        return record

    def concept_records(self, concept_id: int) -> list[Record]:
        with self._lock:
            found = [r for r in self._records.values() if r.concept_id == concept_id]
        return sorted(found, key=lambda r: r.id, reverse=True)  # mostrecent first

    def latest_id(self, concept_or_record: int) -> int:
        with self._lock:
            record = self._records.get(concept_or_record)
            concept = record.concept_id if record else concept_or_record
            published = [
                r.id for r in self._records.values() if r.concept_id == concept and r.published
            ]
        if not published:
            raise ApiError(404, "PID is not registered.")
        return max(published)

    def new_version(self, raw_id: str) -> Record:
        with self._lock:
            latest = self.record(raw_id)
            if not latest.published:
                raise ApiError(404, "PID is not registered.")
            if any(not r.published for r in self._records.values()):
                raise ApiError(400, "Validation error.")  # one pending draft per concept
            metadata = {k: v for k, v in latest.metadata.items() if k not in ("version", "doi")}
            metadata["publication_date"] = dt.date.today().isoformat()
            draft = self._new_record(metadata)
            draft.files = dict(latest.files)  # imported: same file ids, as Zenodo keeps them
            return draft

    def update(self, raw_id: str, metadata: dict[str, Any]) -> Record:
        with self._lock:
            draft = self._draft(raw_id)
            draft.metadata = metadata  # PUT replaces everything (§2.4)
            draft.modified = _now()
            return draft

    def delete_file(self, raw_id: str, file_id: str) -> None:
        with self._lock:
            draft = self._draft(raw_id)
            name = next((f.name for f in draft.files.values() if f.id == file_id), None)
            if name is None:
                raise ApiError(404, "PID does not exist.")
            del draft.files[name]

    def store(self, bucket: str, key: str, size: int) -> str:
        """A drained upload: keep its name and size, answer the registered md5."""
        md5 = self.md5s.get(key, ZERO_MD5)
        if bucket == SCRATCH:
            return md5
        with self._lock:
            record_id = self._buckets.get(bucket)
            if record_id is None:
                raise ApiError(404, "The requested URL was not found on the server.")
            draft = self._draft(str(record_id), locked=403)
            draft.files[key] = StoredFile(f"file-{draft.id}-{key}", key, size, md5)
            draft.modified = _now()
        return md5

    def publish(self, raw_id: str) -> Record:
        with self._lock:
            draft = self._draft(raw_id)
            draft.published = True
            draft.modified = _now()
            return draft

    # -- the records API's state changes (the draft's files: initialised, drained,
    # committed; docs/reference/invenio-records-api.md §5) --

    def rdm_new_version(self, raw_id: str) -> Record:
        """The new-version draft, without files; a second request answers with it (§4.1)."""
        with self._lock:
            pending = [r for r in self._records.values() if not r.published]
            if pending:
                return pending[0]
            latest = self.record(raw_id)
            metadata = {k: v for k, v in latest.metadata.items() if k != "version"}
            return self._new_record(metadata)

    def rdm_import(self, raw_id: str) -> Record:
        with self._lock:
            draft = self._draft(raw_id)
            latest = max((r for r in self._records.values() if r.published), key=lambda r: r.id)
            draft.files = dict(latest.files)
            return draft

    def rdm_init(self, raw_id: str, keys: list[str]) -> Record:
        with self._lock:
            draft = self._draft(raw_id)
            for key in keys:
                if key in draft.files:
                    raise ApiError(400, f"File with key {key} already exists.")
                draft.files[key] = StoredFile(f"file-{draft.id}-{key}", key, 0, "", False)
            return draft

    def rdm_content(self, raw_id: str, key: str, size: int) -> StoredFile:
        with self._lock:
            stored = self._draft(raw_id).files.get(key)
            if stored is None or stored.committed:
                raise ApiError(404, f"File with key {key} not found.")
            stored.size = size
            return stored

    def rdm_commit(self, raw_id: str, key: str) -> StoredFile:
        with self._lock:
            stored = self._draft(raw_id).files.get(key)
            if stored is None:
                raise ApiError(404, f"File with key {key} not found.")
            stored.md5, stored.committed = self.md5s.get(key, ZERO_MD5), True
            return stored

    def rdm_delete_file(self, raw_id: str, key: str) -> None:
        with self._lock:
            if self._draft(raw_id).files.pop(key, None) is None:
                raise ApiError(404, f"File with key {key} not found.")

    def rdm_reserve(self, raw_id: str) -> Record:
        with self._lock:
            draft = self._draft(raw_id)
            draft.doi_reserved = True
            return draft

    def _draft(self, raw_id: str, locked: int = 404) -> Record:
        record = self.record(raw_id)
        if record.published:
            raise ApiError(locked, "PID does not exist." if locked == 404 else "Permission denied.")
        return record

    # -- JSON views (the shapes of tests/fakes/zenodo.py) --

    def _files_of(self, record: Record) -> list[StoredFile]:
        """A copy: parallel uploads may add files while an answer is being built."""
        with self._lock:
            return list(record.files.values())

    def deposition_json(self, record: Record) -> dict[str, Any]:
        api = f"{self.url}/api"
        deposit = f"{api}/deposit/depositions/{record.id}"
        concept_doi = f"{DOI_PREFIX}/zenodo.{record.concept_id}"
        links = {
            "self": deposit if not record.published else f"{api}/records/{record.id}",
            "html": f"{self.url}/deposit/{record.id}",
            "files": f"{deposit}/files",
            "bucket": f"{api}/files/{record.bucket}",
            "latest_draft": deposit,
            "publish": f"{deposit}/actions/publish",
            "newversion": f"{deposit}/actions/newversion",
        }
        body: dict[str, Any] = {
            "created": record.created,
            "modified": record.modified,
            "id": record.id,
            "record_id": record.id,
            "conceptrecid": str(record.concept_id),  # a string (§2.2)
            "conceptdoi": concept_doi,  # the seeded version is published: always there
            "metadata": {**record.metadata, "prereserve_doi": {"recid": record.id}},
            "title": record.metadata.get("title", ""),
            "links": links,
            "owner": 1,
            "files": [
                {"id": f.id, "filename": f.name, "filesize": f.size, "checksum": f.md5}
                for f in self._files_of(record)
            ],
            "state": "done" if record.published else "unsubmitted",
            "submitted": record.published,
        }
        if record.doi:
            body["doi"] = body["metadata"]["doi"] = record.doi
            links["latest"] = f"{api}/records/{record.id}/versions/latest"
        return body

    def record_json(self, record: Record) -> dict[str, Any]:
        return {
            "id": record.id,
            "recid": str(record.id),
            "conceptrecid": str(record.concept_id),
            "doi": record.doi,
            "metadata": record.metadata,
            "files": [
                {"key": f.name, "size": f.size, "checksum": f"md5:{f.md5}"}
                for f in self._files_of(record)
            ],
        }

    def rdm_json(self, record: Record) -> dict[str, Any]:
        """A version or draft in the records schema (docs/reference/invenio-records-api.md
        §3.7), with what the records client reads."""
        concept_doi = f"{DOI_PREFIX}/zenodo.{record.concept_id}"
        entries = {
            f.name: {"key": f.name, "size": f.size, "checksum": f"md5:{f.md5}"}
            if f.committed
            else {"key": f.name}
            for f in self._files_of(record)
        }
        path = f"records/{record.id}" if record.published else f"uploads/{record.id}"
        return {
            "id": str(record.id),
            "parent": {"id": str(record.concept_id), "pids": {"doi": {"identifier": concept_doi}}},
            "is_published": record.published,
            "pids": {"doi": {"identifier": record.doi, "provider": "datacite"}}
            if record.doi
            else {},
            "metadata": rdm_metadata(record.metadata),
            "files": {"enabled": True, "entries": entries},
            "links": {"self_html": f"{self.url}/{path}"},
            "created": record.created,
            "updated": record.modified,
        }

    def object_json(self, bucket: str, key: str, size: int, md5: str) -> dict[str, Any]:
        url = f"{self.url}/api/files/{bucket}/{key}"
        return {
            "created": _now(),
            "updated": _now(),
            "version_id": f"{bucket}-{key}",
            "key": key,
            "size": size,
            "mimetype": "application/octet-stream",
            "checksum": f"md5:{md5}",
            "is_head": True,
            "delete_marker": False,
            "links": {"self": url, "version": url, "uploads": url},
        }


# --- HTTP ------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a client that keeps a connection open never blocks shutdown
    request_queue_size = 64
    stand_in: StandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client killed mid-request: not the stand-in's problem
        super().handle_error(request, client_address)


class _Answer(Exception):
    """Raised by a handler to answer right away (a redirect or an empty 204)."""

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connections
    disable_nagle_algorithm = True  # small answers leave at once, not after a delayed ACK
    server: _Server
    _sink: memoryview | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a line per request would cost more than the request

    def do_GET(self) -> None:
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    # -- one request --

    def _serve(self, method: str) -> None:
        start = time.perf_counter()
        parts = urlsplit(self.path)
        try:
            self._answer(method, parts.path, parts.query)
        finally:
            label = _Route.label(method, parts.path)
            self.server.stand_in.note(Served(label, start, time.perf_counter()))

    def _answer(self, method: str, path: str, query: str) -> None:
        stand_in = self.server.stand_in
        length = self._content_length(method)
        if length is None:
            return
        upload = method == "PUT" and bool(
            _Route.OBJECT.fullmatch(path) or path.endswith("/content")
        )
        received = self._drain(length) if upload else 0
        body = self.rfile.read(length) if not upload and length <= JSON_BODY_LIMIT else b""
        if not upload and length > JSON_BODY_LIMIT:
            self._drain(length)
        if stand_in.latency:
            time.sleep(stand_in.latency)  # the server's time per request, after the body
        try:
            self._check_token()
            status, answer = self._dispatch(method, path, query, body, received)
        except ApiError as error:
            self._send(error.status, {"status": error.status, "message": error.message})
        except _Answer as answer_now:
            self._send(answer_now.status, None, answer_now.headers)
        else:
            self._send(status, answer)

    def _content_length(self, method: str) -> int | None:
        """The body's length; None (after a 411, closing) when a body comes without one."""
        raw = self.headers.get("Content-Length")
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if raw is None and not chunked and method in ("GET", "DELETE"):
            return 0
        if raw is None or chunked or not raw.strip().isdigit():
            self.close_connection = True
            self._send(411, {"status": 411, "message": "Content-Length required."})
            return None
        return int(raw)

    def _drain(self, length: int) -> int:
        """Read `length` bytes into a reused 1 MiB buffer and drop them: no copy kept, no
        hash. Returns what arrived (less only when the client went away)."""
        if self._sink is None:
            self._sink = memoryview(bytearray(MIB))
        sink, left = self._sink, length
        while left:
            count = self.rfile.readinto(sink[: min(left, MIB)])
            if not count:
                self.close_connection = True
                break
            left -= count
        return length - left

    def _check_token(self) -> None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self.server.stand_in.token:
            raise ApiError(403, "Permission denied.")

    def _dispatch(
        self, method: str, path: str, query: str, body: bytes, received: int
    ) -> tuple[int, Any]:
        stand_in = self.server.stand_in
        if method == "PUT" and (found := _Route.OBJECT.fullmatch(path)):
            if self.headers.get("Content-Type", "application/octet-stream") != OCTET_STREAM:
                raise ApiError(415, f"Invalid 'Content-Type' header. Expected: {OCTET_STREAM}")
            bucket, key = found[1], unquote(found[2])
            md5 = stand_in.store(bucket, key, received)
            return 201, stand_in.object_json(bucket, key, received, md5)
        if method == "GET" and _Route.LIST.fullmatch(path):
            return 200, self._list(query)
        if found := _Route.LATEST.fullmatch(path):
            latest = stand_in.latest_id(int(found[1]))
            raise _Answer(302, (("Location", f"{stand_in.url}/api/records/{latest}"),))
        if path.startswith(("/api/user/", "/api/vocabularies/", "/api/funders/", "/api/awards/")):
            return self._records_api(method, path, query, body, received)
        if path.startswith("/api/records/") and not _Route.RECORD.fullmatch(path):
            return self._records_api(method, path, query, body, received)
        if method == "GET" and (found := _Route.RECORD.fullmatch(path)):
            if "inveniordm" in self.headers.get("Accept", ""):  # the records schema (§12.2)
                return 200, stand_in.rdm_json(stand_in.record(found[1]))
            if int(found[1]) == stand_in.concept_id:  # a concept id redirects, as on Zenodo
                latest = stand_in.latest_id(int(found[1]))
                raise _Answer(302, (("Location", f"{stand_in.url}/api/records/{latest}"),))
            return 200, stand_in.record_json(stand_in.record(found[1]))
        if found := _Route.DEPOSITION.fullmatch(path):
            return self._deposition(method, found[1], body)
        if method == "POST" and (found := _Route.ACTION.fullmatch(path)):
            if found[2] == "newversion":
                return 201, stand_in.deposition_json(stand_in.new_version(found[1]))
            return 202, stand_in.deposition_json(stand_in.publish(found[1]))
        if method == "DELETE" and (found := _Route.FILE.fullmatch(path)):
            stand_in.delete_file(found[1], unquote(found[2]))
            raise _Answer(204)
        raise ApiError(404, "The requested URL was not found on the server.")

    def _records_api(
        self, method: str, path: str, query: str, body: bytes, received: int
    ) -> tuple[int, Any]:
        """The records API's endpoints a publish with `--api records` sends."""
        stand_in = self.server.stand_in
        if _Route.USER_RECORDS.fullmatch(path) or _Route.VOCABULARY.fullmatch(path):
            if _Route.VOCABULARY.fullmatch(path):
                return 200, {"id": path.rsplit("/", 1)[1]}
            found = re.search(r'parent\.id:"?(\d+)', parse_qs(query).get("q", [""])[0])
            concept = int(found[1]) if found else stand_in.concept_id
            hits = [stand_in.rdm_json(r) for r in stand_in.concept_records(concept)]
            return 200, {"hits": {"hits": hits, "total": len(hits)}}
        if found := _Route.LATEST.fullmatch(path):
            latest = f"{stand_in.url}/api/records/{stand_in.latest_id(int(found[1]))}"
            raise _Answer(301, (("Location", latest),))
        if found := _Route.CONTENT.fullmatch(path):
            record_id, key = found[1], unquote(found[2])
            if found[3] == "content":
                stored = stand_in.rdm_content(record_id, key, received)
                return 200, {"key": stored.name, "status": "pending"}
            stored = stand_in.rdm_commit(record_id, key)
            return 200, {"key": key, "size": stored.size, "checksum": f"md5:{stored.md5}"}
        if method == "POST" and (found := _Route.DRAFT_FILES.fullmatch(path)):
            keys = [item["key"] for item in json.loads(body)]
            stand_in.rdm_init(found[1], keys)
            return 201, {"entries": [{"key": key, "status": "pending"} for key in keys]}
        if method == "DELETE" and (found := _Route.DRAFT_FILE.fullmatch(path)):
            stand_in.rdm_delete_file(found[1], unquote(found[2]))
            raise _Answer(204)
        if method == "POST" and (found := _Route.VERSIONS.fullmatch(path)):
            return 201, stand_in.rdm_json(stand_in.rdm_new_version(found[1]))
        if method == "POST" and (found := _Route.DRAFT_ACTION.fullmatch(path)):
            return self._draft_action(found[1], found[2])
        if found := _Route.DRAFT.fullmatch(path):
            if method == "PUT":
                metadata = dict(json.loads(body)["metadata"])
                return 200, stand_in.rdm_json(stand_in.update(found[1], metadata))
            return 200, stand_in.rdm_json(stand_in._draft(found[1]))
        raise ApiError(404, "The requested URL was not found on the server.")

    def _draft_action(self, record_id: str, action: str) -> tuple[int, Any]:
        stand_in = self.server.stand_in
        if action == "actions/publish":
            return 202, stand_in.rdm_json(stand_in.publish(record_id))
        if action == "pids/doi":
            return 201, stand_in.rdm_json(stand_in.rdm_reserve(record_id))
        draft = stand_in.rdm_import(record_id)
        entries = [
            {"key": f.name, "size": f.size, "checksum": f"md5:{f.md5}"}
            for f in draft.files.values()
        ]
        return 201, {"entries": entries}

    def _list(self, query: str) -> list[dict[str, Any]]:
        stand_in = self.server.stand_in
        q = parse_qs(query).get("q", [""])[0]
        found = re.fullmatch(r"conceptrecid:(\d+)", q)
        concept = int(found[1]) if found else stand_in.concept_id
        return [stand_in.deposition_json(r) for r in stand_in.concept_records(concept)]

    def _deposition(self, method: str, raw_id: str, body: bytes) -> tuple[int, Any]:
        stand_in = self.server.stand_in
        if method == "GET":
            return 200, stand_in.deposition_json(stand_in.record(raw_id))
        if method == "PUT":
            try:
                metadata = dict(json.loads(body)["metadata"])
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "The browser (or proxy) sent a request ...") from None
            return 200, stand_in.deposition_json(stand_in.update(raw_id, metadata))
        raise ApiError(405, "The method is not allowed for the requested URL.")

    def _send(self, status: int, answer: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        """Status line, headers and body in one write: one segment for a small answer."""
        body = b"" if answer is None else json.dumps(answer).encode()
        lines = [
            f"HTTP/1.1 {status} {REASONS.get(status, 'UNKNOWN')}",
            f"Date: {email.utils.formatdate(usegmt=True)}",
            f"Content-Length: {len(body)}",
        ]
        if body:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in headers]
        if self.close_connection:
            lines.append("Connection: close")
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


# --- proof of speed --------------------------------------------------------------------


def write_random_file(path: Path, size: int) -> None:
    """Incompressible bytes, written in 1 MiB blocks."""
    with open(path, "wb") as handle:
        for _ in range(size // MIB):
            handle.write(os.urandom(MIB))
        if size % MIB:
            handle.write(os.urandom(size % MIB))


def curl_put(stand_in: StandIn, path: Path, key: str = "x") -> list[str]:
    """`curl -T` of one file into the scratch bucket, as the benchmarks run it."""
    return [
        "curl",
        "--silent",
        "--show-error",
        "--fail",
        "--output",
        "/dev/null",
        "--header",
        f"Authorization: Bearer {stand_in.token}",
        "--header",
        "Expect:",  # no 100-continue round trip: the Python clients send none either
        "--upload-file",
        str(path),
        stand_in.scratch_url(key),
    ]


def curl_gbps(stand_in: StandIn, path: Path, runs: int = 3) -> list[float]:
    """GB/s (10^9 bytes) of `curl -T path` into the stand-in, the process's wall time."""
    size = path.stat().st_size
    speeds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(curl_put(stand_in, path), check=True)
        speeds.append(size / (time.perf_counter() - start) / 1e9)
    return speeds


def main() -> None:
    parser = argparse.ArgumentParser(description="Prove the stand-in drains at wire speed.")
    parser.add_argument("--size", type=int, default=1024, metavar="MIB")
    parser.add_argument("--runs", type=int, default=3)
    # On disk: /tmp may be a tmpfs, where a big file would take memory.
    parser.add_argument("--tmp", type=Path, default=Path("/var/tmp"))  # noqa: S108
    args = parser.parse_args()
    if shutil.which("curl") is None:
        sys.exit("curl is needed (apt-get install curl)")
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="stand-in-") as tmp:
        path = Path(tmp) / "proof.bin"
        write_random_file(path, args.size * MIB)
        with StandIn() as stand_in:
            speeds = curl_gbps(stand_in, path, args.runs)
    print(
        f"curl -T of {args.size} MiB into the stand-in: {statistics.median(speeds):.2f} GB/s "
        f"median of {args.runs} ({min(speeds):.2f}-{max(speeds):.2f})"
    )


if __name__ == "__main__":
    main()
