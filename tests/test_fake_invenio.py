"""Tests of the fake InvenioRDM itself, driven with plain `requests` as a client would.

Each test pins one point of docs/reference/invenio-records-api.md (§ numbers below), so the
tests of the records client that run against the fake prove something about InvenioRDM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.fakes.invenio import ENDPOINTS, RDM_JSON, FakeInvenio

ACCEPT = {"Accept": f"{RDM_JSON}, application/json;q=0.9"}
GOOD = {
    "access": {"record": "public", "files": "public"},
    "files": {"enabled": True},
    "metadata": {
        "resource_type": {"id": "software"},
        "title": "A tool",
        "publication_date": "2026-01-02",
        "publisher": "Example Repository",
        "creators": [{"person_or_org": {"type": "personal", "family_name": "Doe"}}],
    },
}


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


class Client:
    """A bare client: the token in the Authorization header, the records schema asked for."""

    def __init__(self, fake: FakeInvenio, token: str | None = None) -> None:
        self.fake = fake
        self.headers = {"Authorization": f"Bearer {token or fake.token}", **ACCEPT}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.fake.api_url}/{path.lstrip('/')}"
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(
            method, url, headers=headers, timeout=10, allow_redirects=False, **kwargs
        )

    def draft(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.call("POST", "records", json=body or GOOD)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def add_file(self, rec_id: str, key: str, data: bytes) -> dict[str, Any]:
        assert self.call("POST", f"records/{rec_id}/draft/files", json=[{"key": key}]).ok
        content = self.call(
            "PUT",
            f"records/{rec_id}/draft/files/{key}/content",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert content.status_code == 200 and content.json()["status"] == "pending"
        commit = self.call("POST", f"records/{rec_id}/draft/files/{key}/commit")
        assert commit.status_code == 200, commit.text
        return commit.json()


@pytest.fixture
def client(fake_invenio: FakeInvenio) -> Client:
    return Client(fake_invenio)


def test_ids_are_base32_groups_and_a_draft_is_no_record_yet(client):  # §2.1, §4.5
    draft = client.draft()
    assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}", draft["id"])
    assert draft["parent"]["id"] != draft["id"]
    assert not draft["is_published"] and draft["versions"]["index"] == 1
    answer = client.call("GET", f"records/{draft['id']}")
    assert answer.status_code == 404
    assert answer.json()["message"] == "The persistent identifier is not registered."


def test_a_save_with_errors_is_kept_and_lists_them(client):  # §3.2, §3.3
    draft = client.draft()
    body = {**GOOD, "metadata": {**GOOD["metadata"], "title": "ab", "bogus": 1}}
    answer = client.call("PUT", f"records/{draft['id']}/draft", json=body)
    assert answer.status_code == 200
    fields = {e["field"]: e["messages"] for e in answer.json()["errors"]}
    assert fields == {
        "metadata.title": ["Shorter than minimum length 3."],
        "metadata.bogus": ["Unknown field."],
        "files.enabled": [
            "Missing uploaded files. To disable files for this record please mark it as "
            "metadata-only."
        ],
    }
    saved = client.call("GET", f"records/{draft['id']}/draft").json()["metadata"]
    assert "title" not in saved and saved["publisher"] == "Example Repository"


def test_an_unknown_vocabulary_id_refuses_the_whole_save(client):  # §3.4
    draft = client.draft()
    body = {**GOOD, "metadata": {**GOOD["metadata"], "rights": [{"id": "nope-1.0"}]}}
    body["metadata"]["title"] = "A changed title"
    answer = client.call("PUT", f"records/{draft['id']}/draft", json=body)
    assert answer.status_code == 400
    assert answer.json() == {"status": 400, "message": "Invalid value nope-1.0."}
    saved = client.call("GET", f"records/{draft['id']}/draft").json()["metadata"]
    assert saved["title"] == "A tool"  # nothing was stored


def test_a_saved_pids_key_replaces_the_reserved_doi(client):  # §3.5, §6.1
    draft = client.draft()
    reserved = client.call("POST", f"records/{draft['id']}/draft/pids/doi")
    assert reserved.status_code == 201
    doi = reserved.json()["pids"]["doi"]["identifier"]
    assert doi == f"{client.fake.doi_prefix}/{draft['id']}"
    again = client.call("POST", f"records/{draft['id']}/draft/pids/doi")
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {"field": "pids.doi", "messages": ["A PID already exists for type doi"]}
    ]
    kept = client.call("PUT", f"records/{draft['id']}/draft", json=GOOD).json()
    assert kept["pids"]["doi"]["identifier"] == doi
    dropped = client.call("PUT", f"records/{draft['id']}/draft", json={**GOOD, "pids": {}})
    assert dropped.json()["pids"] == {}


def test_three_requests_make_a_file_and_the_commit_gives_its_checksum(client):  # §5.1-§5.5
    draft = client.draft()
    committed = client.add_file(draft["id"], "a.zip", b"zip bytes")
    assert committed["checksum"] == f"md5:{md5(b'zip bytes')}"
    assert committed["status"] == "completed" and committed["size"] == 9
    entries = client.call("GET", f"records/{draft['id']}/draft").json()["files"]["entries"]
    assert entries["a.zip"]["checksum"] == committed["checksum"]
    again = client.call("POST", f"records/{draft['id']}/draft/files", json=[{"key": "a.zip"}])
    assert again.status_code == 400
    assert again.json()["message"] == "File with key a.zip already exists."


def test_a_pending_file_shows_no_checksum_and_blocks_publishing(client):  # §3.7, §5.7
    draft = client.draft()
    client.call("POST", f"records/{draft['id']}/draft/files", json=[{"key": "a.zip"}])
    entry = client.call("GET", f"records/{draft['id']}/draft").json()["files"]["entries"]["a.zip"]
    assert "checksum" not in entry
    answer = client.call("POST", f"records/{draft['id']}/draft/actions/publish")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "field": "files",
            "messages": ["One or more files have not completed their transfer, please wait."],
        }
    ]
    commit = client.call("POST", f"records/{draft['id']}/draft/files/a.zip/commit")
    assert commit.status_code == 500  # bytes never arrived


def test_sending_to_a_committed_file_deletes_it(client):  # §5.3
    draft = client.draft()
    client.add_file(draft["id"], "a.zip", b"one")
    answer = client.call("PUT", f"records/{draft['id']}/draft/files/a.zip/content", data=b"two")
    assert answer.status_code == 200 and answer.json()["errors"] == "File upload transfer failed."
    files = client.call("GET", f"records/{draft['id']}/draft/files").json()["entries"]
    assert files == []
    gone = client.call("PUT", f"records/{draft['id']}/draft/files/a.zip/content", data=b"x")
    assert gone.status_code == 404


def test_a_broken_upload_loses_its_file_entry(client):  # §5.3
    draft = client.draft()
    client.call("POST", f"records/{draft['id']}/draft/files", json=[{"key": "big.bin"}])
    url = urlsplit(client.fake.url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        head = (
            f"PUT /api/records/{draft['id']}/draft/files/big.bin/content HTTP/1.1\r\n"
            f"Host: {url.netloc}\r\nAuthorization: Bearer {client.fake.token}\r\n"
            "Content-Length: 100000\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * 1000)
    for _ in range(100):
        listed = client.call("GET", f"records/{draft['id']}/draft/files").json()["entries"]
        if not listed:
            break
        time.sleep(0.05)
    assert listed == []


def test_publishing_needs_a_publisher_for_the_doi(client):  # §6.3
    body = {**GOOD, "metadata": {k: v for k, v in GOOD["metadata"].items() if k != "publisher"}}
    draft = client.draft(body)
    client.add_file(draft["id"], "a.zip", b"a")
    answer = client.call("POST", f"records/{draft['id']}/draft/actions/publish")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "field": "metadata.publisher",
            "messages": ["Missing publisher field required for DOI registration."],
        }
    ]


def test_publishing_mints_the_dois_and_removes_the_draft(client):  # §2.5, §7
    draft = client.draft()
    client.add_file(draft["id"], "a.zip", b"a")
    answer = client.call("POST", f"records/{draft['id']}/draft/actions/publish")
    assert answer.status_code == 202
    record = answer.json()
    assert record["is_published"] and record["pids"]["doi"]["identifier"].endswith(draft["id"])
    parent_doi = record["parent"]["pids"]["doi"]["identifier"]
    assert parent_doi.endswith(draft["parent"]["id"])
    assert client.call("GET", f"records/{draft['id']}/draft").status_code == 404
    assert client.call("POST", f"records/{draft['id']}/draft/actions/publish").status_code == 404
    assert client.call("GET", f"records/{draft['id']}").json()["id"] == draft["id"]


def test_a_new_version_has_no_files_no_version_and_is_made_once(client, fake_invenio):  # §4
    seeded = fake_invenio.seed_concept([{"version": "1.0", "files": {"a.txt": b"a"}}])
    first = client.call("POST", f"records/{seeded.latest_id}/versions")
    assert first.status_code == 201
    draft = first.json()
    assert draft["files"]["entries"] == {} and "version" not in draft["metadata"]
    assert draft["metadata"]["publication_date"] == dt.date.today().isoformat()
    assert draft["pids"] == {} and draft["versions"]["index"] == 2
    second = client.call("POST", f"records/{seeded.latest_id}/versions")
    assert second.status_code == 201 and second.json()["id"] == draft["id"]
    imported = client.call("POST", f"records/{draft['id']}/draft/actions/files-import")
    assert imported.status_code == 201
    assert [e["key"] for e in imported.json()["entries"]] == ["a.txt"]
    twice = client.call("POST", f"records/{draft['id']}/draft/actions/files-import")
    assert twice.status_code == 400
    assert twice.json()["errors"][0]["messages"] == ["Please remove all files first."]
    assert client.call("POST", f"records/{draft['id']}/versions").status_code == 404


def test_the_latest_version_redirects_from_a_version_or_the_parent(client, fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0"}, {"version": "1.1"}])  # §4.4
    for given in (seeded.record_ids[0], seeded.concept_id):
        answer = client.call("GET", f"records/{given}/versions/latest")
        assert answer.status_code == 301
        assert answer.headers["Location"].endswith(f"/api/records/{seeded.latest_id}")
        assert answer.json()["location"] == answer.headers["Location"]


def test_searches_lag_behind_writes(client, fake_invenio):  # §8.2
    fake_invenio.index_lag = 2
    draft = client.draft()
    query = {"q": f'parent.id:"{draft["parent"]["id"]}"', "allversions": "true"}
    counts = [
        client.call("GET", "user/records", params=query).json()["hits"]["total"] for _ in range(3)
    ]
    assert counts == [0, 0, 1]


def test_an_unquoted_doi_matches_words_not_the_doi(client, fake_invenio):  # §8.3
    one = fake_invenio.seed_concept([{"version": "1.0"}])
    two = fake_invenio.seed_concept([{"version": "2.0"}])
    doi = one.concept_doi
    quoted = client.call("GET", "user/records", params={"q": f'parent.pids.doi.identifier:"{doi}"'})
    assert [h["parent"]["id"] for h in quoted.json()["hits"]["hits"]] == [one.concept_id]
    loose = client.call("GET", "user/records", params={"q": f"parent.pids.doi.identifier:{doi}"})
    found = {h["parent"]["id"] for h in loose.json()["hits"]["hits"]}
    assert found == {one.concept_id, two.concept_id}  # the prefix is a word of both


def test_a_wrong_token_is_anonymous_and_gets_403(fake_invenio):  # §9.2
    anonymous = Client(fake_invenio, token="not-a-token")
    answer = anonymous.call("GET", "user/records")
    assert answer.status_code == 403
    assert answer.json() == {"status": 403, "message": "Permission denied."}
    assert "X-RateLimit-Limit" in answer.headers and "Retry-After" in answer.headers


def test_another_users_draft_is_forbidden(client, fake_invenio):  # §9.2
    other = fake_invenio.add_user()
    draft = Client(fake_invenio, other).draft()
    assert client.call("GET", f"records/{draft['id']}/draft").status_code == 403


@pytest.mark.parametrize(
    ("kind", "status", "message"), [("401", 401, "Unauthorized"), ("409", 409, "Conflict")]
)
def test_invenio_rest_error_shapes(client, fake_invenio, kind, status, message):  # §9.3
    fake_invenio.inject(*ENDPOINTS["list"], kind)
    answer = client.call("GET", "user/records")
    assert answer.status_code == status and answer.json() == {"status": status, "message": message}


def test_rate_limits_answer_429_with_the_wait(client, fake_invenio):  # §9.4
    fake_invenio.rate_limited = True
    answer = client.call("GET", "user/records")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 0


def test_vocabularies_answer_per_id(client, fake_invenio):  # §10.1
    assert client.call("GET", "vocabularies/licenses/mit").status_code == 200
    assert client.call("GET", "vocabularies/licenses/mit-license").status_code == 404
    assert client.call("GET", "awards/00k4n6c32::246686").status_code == 200
    fake_invenio.missing_vocabulary.add(("licenses", "mit"))
    assert client.call("GET", "vocabularies/licenses/mit").status_code == 404


def test_zenodo_answers_json_in_its_legacy_shape_and_has_the_deposit_api(fake_invenio_zenodo):
    client = Client(fake_invenio_zenodo)  # §12.2, §13.1
    seeded = fake_invenio_zenodo.seed_concept([{"version": "1.0"}])
    assert isinstance(seeded.latest_id, int)
    assert seeded.concept_doi == f"10.5281/zenodo.{seeded.concept_id}"
    rdm = client.call("GET", f"records/{seeded.latest_id}").json()
    assert rdm["pids"]["doi"]["identifier"] == f"10.5281/zenodo.{seeded.latest_id}"
    legacy = client.call(
        "GET", f"records/{seeded.latest_id}", headers={"Accept": "application/json"}
    )
    assert "pids" not in legacy.json() and legacy.json()["id"] == seeded.latest_id
    assert client.call("GET", "deposit/depositions").json() == []


def test_a_plain_invenio_has_no_deposit_api(client):  # §12.5
    answer = client.call("GET", "deposit/depositions")
    assert answer.status_code == 404
    assert answer.json()["message"].startswith("The requested URL was not found on the server.")
