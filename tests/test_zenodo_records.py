"""The records client's own pieces: reading the records schema, and its answers to the
odd ones (docs/reference/invenio-records-api.md), against the fake InvenioRDM."""

from __future__ import annotations

import hashlib

import pytest

from tests.fakes.invenio import ENDPOINTS
from zenodo_action.files import LocalFile
from zenodo_action.http import RetryPolicy
from zenodo_action.zenodo.api import ConceptRef, DraftExists, UnexpectedAnswer
from zenodo_action.zenodo.choose import client_for
from zenodo_action.zenodo.records import RecordsClient, parse_record

POLICY = RetryPolicy(max_attempts=3, base_delay=0.01, total_wait=5, read_timeout=5)


def client(fake) -> RecordsClient:
    return RecordsClient(fake.url, fake.token, policy=POLICY, sleep=lambda _: None)


def test_a_record_in_the_records_schema_becomes_a_deposition(fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0", "files": {"a.txt": b"a"}}])
    record = client(fake_invenio).record(seeded.latest_id)
    assert record.id == seeded.latest_id and record.concept_id == seeded.concept_id
    assert record.submitted and not record.is_new_draft and record.version == "1.0"
    assert record.concept_doi == seeded.concept_doi
    assert [(f.name, f.committed) for f in record.files] == [("a.txt", True)]
    assert record.metadata["resource_type"] == {"id": "software"}  # the read's title dropped


def test_a_pending_file_is_held_as_uncommitted(fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0"}])
    draft_id = fake_invenio.seed_pending_draft(seeded.concept_id, pending=("b.bin",))
    draft = client(fake_invenio).deposition(draft_id)
    assert draft.is_new_draft and [(f.name, f.committed, f.md5) for f in draft.files] == [
        ("b.bin", False, "")
    ]


@pytest.mark.parametrize(
    "answer",
    [
        {"id": 12, "conceptrecid": "11", "metadata": {}, "state": "done"},  # Zenodo's legacy
        [],
        None,
    ],
)
def test_an_answer_in_another_schema_is_named(answer):
    with pytest.raises(UnexpectedAnswer, match=r"read a draft.*records schema"):
        parse_record(answer, step="read a draft")


def test_a_record_without_a_usable_id_is_named():
    with pytest.raises(UnexpectedAnswer, match="without a usable"):
        parse_record({"id": "a/b", "parent": {"id": "x"}}, step="read a record")


def test_a_second_new_version_request_answers_the_existing_draft(fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0"}])
    api = client(fake_invenio)
    latest = api.record(seeded.latest_id)
    first = api.new_version(latest, import_files=False)
    again = api.new_version(latest, import_files=False)  # fresh, unclaimed: the same draft
    assert again.id == first.id
    metadata = {
        "title": "Frobnicator",
        "upload_type": "software",
        "creators": [{"name": "Doe, Jane"}],
        "publication_date": "2026-01-01",
        "imprint_publisher": "P",
        "version": "2.0",
    }
    api.put_metadata(first, metadata)
    with pytest.raises(DraftExists) as existing:  # claimed now: judged by the caller
        api.new_version(latest)
    assert existing.value.draft.id == first.id


def test_linking_the_files_twice_is_harmless(fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0", "files": {"a.txt": b"a"}}])
    api = client(fake_invenio)
    fault = fake_invenio.inject(*ENDPOINTS["import"], "500", when="after")
    draft = api.new_version(api.record(seeded.latest_id))
    assert fault.fired == 1 and [f.name for f in draft.files] == ["a.txt"]


def test_the_doi_is_reserved_once(fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0"}])
    api = client(fake_invenio)
    draft = api.new_version(api.record(seeded.latest_id), import_files=False)
    reserved = api.reserve_doi(draft)
    assert reserved.reserved_doi == f"{fake_invenio.doi_prefix}/{draft.id}"
    assert api.reserve_doi(reserved) is reserved  # it has one: no request
    assert fake_invenio.count(*ENDPOINTS["reserve"]) == 1


def test_an_upload_sends_three_requests_and_reports_both_md5s(fake_invenio, tmp_path):
    seeded = fake_invenio.seed_concept([{"version": "1.0"}])
    api = client(fake_invenio)
    draft = api.new_version(api.record(seeded.latest_id), import_files=False)
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n")
    stored, sent = api.upload(draft, LocalFile.of(path, "data.csv"))
    assert stored == sent == hashlib.md5(b"a,b\n1,2\n", usedforsecurity=False).hexdigest()
    names = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake_invenio.requests[-3:]]
    assert names == [("POST", "files"), ("PUT", "content"), ("POST", "commit")]


def test_auto_hands_its_questions_to_the_chosen_client(fake_invenio):
    seeded = fake_invenio.seed_concept([{"version": "1.0"}])
    ref = ConceptRef(seeded.concept_id, seeded.concept_id)
    api = client_for(fake_invenio.url, fake_invenio.token, "auto", concept=ref, policy=POLICY)
    assert isinstance(api, RecordsClient)
    listed = api.concept_depositions(seeded.concept_id)
    assert [d.id for d in listed] == seeded.record_ids
    assert api.latest_version_id(seeded.concept_id) == seeded.latest_id
    # the deposit API's 404, the records search and, beside them, the latest version:
    # the two the run needs served from the questions' answers
    assert sorted((r.method, r.path) for r in fake_invenio.requests) == [
        ("GET", "/api/deposit/depositions"),
        ("GET", f"/api/records/{seeded.concept_id}/versions/latest"),
        ("GET", "/api/user/records"),
    ]
