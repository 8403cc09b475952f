"""Observing and applying a publish (zenodo/deposit.py) through the legacy client, against
the fake Zenodo on loopback. The CLI end to end is tests/test_publish.py; every fault at
every step is tests/test_faults.py; the decisions alone are tests/test_zenodo_plan.py."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.builders import deposition
from zenodo_action.errors import ActionError
from zenodo_action.files import LocalFile
from zenodo_action.http import RetryPolicy
from zenodo_action.zenodo import deposit
from zenodo_action.zenodo.api import ConceptRef
from zenodo_action.zenodo.client import ZenodoClient
from zenodo_action.zenodo.plan import UNCLAIMED_TAKEOVER_AFTER, PublishRequest, decide

METADATA = {
    "title": "Frobnicator",
    "upload_type": "software",
    "description": "<p>Frobnicates widgets.</p>",
    "creators": [{"name": "Doe, Jane", "affiliation": "ACME"}],
    "license": "MIT",
}
POLICY = RetryPolicy(base_delay=0.01, max_delay=1, total_wait=5, read_timeout=5)


@pytest.fixture
def api(fake_zenodo):
    return ZenodoClient(fake_zenodo.url, fake_zenodo.token, policy=POLICY, sleep=lambda _: None)


@pytest.fixture
def concept(fake_zenodo):
    return fake_zenodo.seed_concept(versions=[{"version": "1.0", "files": {"a.txt": b"one"}}])


def request(
    tmp_path: Path, concept, version: str = "2.0", files: dict[str, bytes] | None = None
) -> PublishRequest:
    local = []
    for name, data in (files or {"a.txt": b"two"}).items():
        (tmp_path / name).write_bytes(data)
        local.append(LocalFile.of(tmp_path / name))
    ref = ConceptRef(concept.concept_id, concept.concept_doi) if concept else None
    return PublishRequest({**METADATA, "version": version}, tuple(local), ref)


def test_observe_resolves_a_version_id_to_its_concept(api, concept, tmp_path):
    by_version = request(tmp_path, concept)
    by_version = PublishRequest(
        by_version.metadata, by_version.files, ConceptRef(concept.latest_id, "v")
    )
    snapshot = deposit.observe(api, by_version)
    assert snapshot.concept_id == concept.concept_id
    assert snapshot.latest is not None and snapshot.latest.id == concept.latest_id
    assert [d.version for d in snapshot.depositions] == ["1.0"]


def test_observe_refuses_a_concept_of_another_account(api, fake_zenodo, tmp_path):
    other = fake_zenodo.seed_concept(
        versions=[{"version": "1.0"}], owner_token=fake_zenodo.add_user()
    )
    with pytest.raises(ActionError, match="belongs to another Zenodo account"):
        deposit.observe(api, request(tmp_path, other))


def test_apply_publishes_the_next_version_with_exactly_the_requested_files(
    api, concept, fake_zenodo, tmp_path
):
    wanted = request(tmp_path, concept, files={"b.txt": b"new file"})
    plan = decide(deposit.observe(api, wanted), wanted)
    outcome = deposit.apply(api, plan, wanted)
    assert outcome.status == "published" and outcome.deposition.version == "2.0"
    versions = fake_zenodo.published_versions(concept.concept_id)
    assert [v["version"] for v in versions] == ["1.0", "2.0"]
    md5 = hashlib.md5(b"new file").hexdigest()
    assert versions[-1]["files"] == {"b.txt": (8, md5)}
    assert fake_zenodo.pending_drafts(concept.concept_id) == []


def test_an_unchanged_plan_sends_nothing(api, concept, fake_zenodo, tmp_path):
    wanted = request(tmp_path, concept, version="1.0")
    plan = decide(deposit.observe(api, wanted), wanted)
    sent = len(fake_zenodo.requests)
    outcome = deposit.apply(api, plan, wanted)
    assert outcome.status == "unchanged" and outcome.deposition.version == "1.0"
    assert len(fake_zenodo.requests) == sent


def test_a_draft_only_request_stops_before_publishing(api, concept, fake_zenodo, tmp_path):
    wanted = request(tmp_path, concept)
    wanted = PublishRequest(wanted.metadata, wanted.files, wanted.concept, draft_only=True)
    outcome = deposit.apply(api, decide(deposit.observe(api, wanted), wanted), wanted)
    assert outcome.status == "draft" and not outcome.deposition.submitted
    [draft] = fake_zenodo.pending_drafts(concept.concept_id)
    assert draft["record_id"] == outcome.deposition.id


def test_publish_reads_hashes_plans_and_applies_in_one_call(api, concept, fake_zenodo, tmp_path):
    wanted = request(tmp_path, concept, files={"a.txt": b"two", "b.txt": b"bee"})
    nowhere = lambda field: (None, None, None)  # noqa: E731

    planned = deposit.publish(api, wanted, locate=nowhere, dry_run=True)
    assert planned.outcome is None and planned.plan.action == "new-version"
    assert {f.name: f.md5 for f in planned.request.files} == {  # a dry run hashes every file
        "a.txt": hashlib.md5(b"two").hexdigest(),
        "b.txt": hashlib.md5(b"bee").hexdigest(),
    }
    assert {r.method for r in fake_zenodo.requests} == {"GET"}
    assert len(fake_zenodo.published_versions(concept.concept_id)) == 1

    done = deposit.publish(api, wanted, locate=nowhere, workers=2)
    assert done.outcome is not None and done.outcome.status == "published"
    assert done.outcome.deposition.version == "2.0" and done.warnings == ()
    assert len(fake_zenodo.published_versions(concept.concept_id)) == 2


def test_a_fresh_draft_of_another_run_is_refused_with_a_way_out(
    api, concept, fake_zenodo, tmp_path
):
    fake_zenodo.seed_pending_draft(concept.concept_id, metadata={**METADATA, "version": "2.1"})
    wanted = request(tmp_path, concept)
    plan = decide(deposit.observe(api, wanted), wanted)
    with pytest.raises(deposit.ConcurrentRun, match=r"another run is preparing version 2\.1"):
        deposit.apply(api, plan, wanted)
    assert len(fake_zenodo.published_versions(concept.concept_id)) == 1


class ClaimedByAnotherRunAfterTheUploads(ZenodoClient):
    """The client of a run whose draft another run claims for 2.1 once the files are sent,
    before this run reads the draft back to check it."""

    uploaded = False

    def upload(self, draft, local, progress=None):
        answer = super().upload(draft, local, progress)
        self.uploaded = True
        return answer

    def deposition(self, deposition_id):
        if self.uploaded:
            self.uploaded = False
            self.put_metadata(super().deposition(deposition_id), {**METADATA, "version": "2.1"})
        return super().deposition(deposition_id)


def test_a_draft_changed_by_another_run_is_not_published(concept, fake_zenodo, tmp_path):
    api = ClaimedByAnotherRunAfterTheUploads(
        fake_zenodo.url, fake_zenodo.token, policy=POLICY, sleep=lambda _: None
    )
    wanted = request(tmp_path, concept)
    with pytest.raises(deposit.ConcurrentRun, match=r"its version is '2\.1', not '2\.0'"):
        deposit.apply(api, decide(deposit.observe(api, wanted), wanted), wanted)
    assert len(fake_zenodo.published_versions(concept.concept_id)) == 1


class Claims:
    """A client that only counts the claims (metadata PUTs) it is sent."""

    def __init__(self) -> None:
        self.claimed: list[Mapping] = []

    def put_metadata(self, draft, metadata):
        self.claimed.append(metadata)
        return draft


@pytest.mark.parametrize(("version", "claims"), [("2.0", 0), (None, 1)])
def test_a_run_without_a_version_string_reclaims_its_draft_sooner(version, claims):
    """Its claim does not mark the draft, so other runs wait only UNCLAIMED_TAKEOVER_AFTER
    before taking it over: it re-claims four times as often."""
    request = PublishRequest(metadata={"version": version} if version else {}, files=())
    api = Claims()
    run = deposit._Run(api=api, request=request, locate=None, workers=1)
    run.last_claim = deposit.time.monotonic() - UNCLAIMED_TAKEOVER_AFTER / 4 - 1
    deposit._heartbeat(run, deposition(submitted=False, doi=None))
    assert len(api.claimed) == claims


@pytest.mark.parametrize("workers", [1, 4])
def test_only_files_that_may_be_kept_are_hashed_before_sending(tmp_path, workers):
    from zenodo_action.zenodo.api import RemoteFile

    contents = {f"same-{i}.bin": bytes([i]) * 1000 for i in range(6)}
    contents |= {"resized.bin": b"x" * 10, "new.bin": b"new"}
    local = []
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
        local.append(LocalFile.of(tmp_path / name))
    remote = [RemoteFile(f"id-{i}", f"same-{i}.bin", 1000, "0" * 32) for i in range(6)]
    remote.append(RemoteFile("id-r", "resized.bin", 11, "0" * 32))
    hashed = deposit.hash_where_needed(remote, local, workers=workers)
    assert set(hashed) == {f"same-{i}.bin" for i in range(6)}
    assert {n: f.md5 for n, f in hashed.items()} == {
        n: hashlib.md5(contents[n]).hexdigest() for n in hashed
    }
    everything = deposit.hash_where_needed(remote, local, every=True, workers=workers)
    assert {n: f.md5 for n, f in everything.items()} == {
        n: hashlib.md5(d).hexdigest() for n, d in contents.items()
    }


def test_a_long_upload_keeps_refreshing_the_claim_that_uploads_do_not(
    api, fake_zenodo, concept, tmp_path, monkeypatch
):
    """Uploads leave the draft's `modified` as it was (zenodo-api.md §11.2), so to another
    run a draft being uploaded to would look idle and be taken over: the run re-claims it
    (a metadata PUT, which does change `modified`) while its uploads go on."""
    import functools

    monkeypatch.setattr(deposit, "takeover_window", lambda version: 0.2)
    monkeypatch.setattr(deposit, "run_each", functools.partial(deposit.run_each, tick_every=0.05))
    fake_zenodo.latency = 0.3  # every request, the upload's included
    wanted = request(tmp_path, concept)

    deposit.apply(api, decide(deposit.observe(api, wanted), wanted), wanted)

    order = [(r.method, r.path) for r in fake_zenodo.requests]
    upload = next(i for i, (m, p) in enumerate(order) if m == "PUT" and "/files/" in p)
    claims = [i for i, (m, p) in enumerate(order) if m == "PUT" and "/depositions/" in p]
    assert len(claims) >= 2 and claims[0] < upload < claims[-1]
