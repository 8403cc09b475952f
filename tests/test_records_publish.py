"""`zenodo-action publish` end to end through InvenioRDM's records API, against the fake
InvenioRDM (a real server on loopback): the deposit path's guarantees, on the other API."""

from __future__ import annotations

import hashlib
import re

import pytest
from pytest_httpserver import HTTPServer

from tests.fakes.invenio import ENDPOINTS, FakeInvenio
from tests.test_publish import Project, files_of
from zenodo_action.reporter import TerminalReporter

CONFIG = """\
title: Frobnicator
upload_type: software
description: <p>Frobnicates widgets.</p>
imprint_publisher: ACME Press
creators:
  - name: Doe, Jane
    affiliation: ACME
    orcid: 0000-0002-1825-0097
  - name: ACME Lab
license: MIT
keywords: [widgets]
related_identifiers:
  - identifier: https://github.com/acme/frob
    relation: isSupplementTo
    resource_type: software
"""


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, fake_invenio, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_invenio.token)
    made = Project(tmp_path, capsys, fake_invenio, fast_retries)
    made.config(CONFIG)
    return made


def next_version(project, concept, *extra: str):
    """Publish dist/* as version 2.0 of `concept` through the records API."""
    args = ["--api", "records", "--concept", str(concept), "--files", "dist/*"]
    return project.publish(*args, "--version", "2.0", *extra)


def writes(fake: FakeInvenio) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in fake.requests if r.method != "GET"]


def test_a_first_version_through_the_records_api(project):
    fake = project.fake
    project.file("tool-1.0.zip", b"one")
    code, result, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [concept] = fake.concept_ids()
    [version] = fake.published_versions(concept)
    assert result["status"] == "published" and result["new_concept"]
    assert result["record_id"] == version["record_id"] and isinstance(result["record_id"], str)
    assert result["doi"] == version["doi"] == f"{fake.doi_prefix}/{version['record_id']}"
    assert result["concept_doi"] == version["conceptdoi"] == f"{fake.doi_prefix}/{concept}"
    assert result["record_url"] == f"{fake.url}/records/{version['record_id']}"
    assert result["badge"] == (
        f"[![DOI]({fake.url}/badge/DOI/{version['doi']}.svg)](https://doi.org/{version['doi']})"
    )
    assert files_of(version) == {"tool-1.0.zip": md5(b"one")}
    metadata = version["metadata"]
    assert [c["person_or_org"] for c in metadata["creators"]] == [
        {
            "type": "personal",
            "family_name": "Doe",
            "given_name": "Jane",
            "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
        },
        {"type": "organizational", "name": "ACME Lab"},
    ]
    assert metadata["rights"] == [{"id": "mit"}] and metadata["publisher"] == "ACME Press"
    assert metadata["related_identifiers"] == [
        {
            "identifier": "https://github.com/acme/frob",
            "scheme": "url",
            "relation_type": {"id": "issupplementto"},
            "resource_type": {"id": "software"},
        }
    ]
    assert fake.pending_drafts(concept) == []


def test_a_next_version_keeps_deletes_and_sends_three_requests_per_file(project):
    fake = project.fake
    seeded = fake.seed_concept(
        [{"version": "1.0", "files": {"keep.txt": b"kept", "old.txt": b"old"}}]
    )
    project.file("keep.txt", b"kept")
    project.file("new.zip", b"new")
    code, result, err = next_version(project, seeded.concept_doi)
    assert code == 0, err
    _, new = fake.published_versions(seeded.concept_id)
    assert files_of(new) == {"keep.txt": md5(b"kept"), "new.zip": md5(b"new")}
    assert new["version"] == "2.0" and result["doi"] == new["doi"]
    draft = new["record_id"]
    files = f"/api/records/{draft}/draft/files"
    assert writes(fake) == [
        ("POST", f"/api/records/{seeded.latest_id}/versions"),
        ("POST", f"/api/records/{draft}/draft/actions/files-import"),  # keep.txt stays
        ("PUT", f"/api/records/{draft}/draft"),
        ("POST", f"/api/records/{draft}/draft/pids/doi"),
        ("DELETE", f"{files}/old.txt"),
        ("POST", files),  # new.zip: initialise, send, commit
        ("PUT", f"{files}/new.zip/content"),
        ("POST", f"{files}/new.zip/commit"),
        ("POST", f"/api/records/{draft}/draft/actions/publish"),
    ]


def test_no_files_are_linked_when_none_stays(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0", "files": {"a.txt": b"a1"}}])
    project.file("a.txt", b"a2")
    code, _, err = next_version(project, seeded.concept_doi)
    assert code == 0, err
    assert not fake.count(*ENDPOINTS["import"]) and not fake.count(*ENDPOINTS["delete_file"])


def test_a_changed_file_under_a_kept_name_is_deleted_then_sent(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0", "files": {"a.txt": b"a1", "same.txt": b"s"}}])
    project.file("a.txt", b"a2")
    project.file("same.txt", b"s")
    code, _, err = next_version(project, seeded.concept_doi)
    assert code == 0, err
    _, new = fake.published_versions(seeded.concept_id)
    assert files_of(new) == {"a.txt": md5(b"a2"), "same.txt": md5(b"s")}
    assert fake.count("DELETE", r"/draft/files/a\.txt$") == 1  # sending to it would drop it


def test_a_rerun_is_unchanged_and_writes_nothing(project):
    fake = project.fake
    project.file("tool-1.0.zip", b"one")
    code, first, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    before = len(writes(fake))
    code, again, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    assert again["status"] == "unchanged" and again["doi"] == first["doi"]
    assert len(writes(fake)) == before
    seeded_concept = fake.concept_ids()
    args = ["--api", "records", "--concept", first["concept_doi"], "--files", "dist/*"]
    code, third, err = project.publish(*args, "--version", "1.0")
    assert code == 0 and third["status"] == "unchanged" and fake.concept_ids() == seeded_concept


def test_a_draft_run_gives_out_the_reserved_doi_that_publishing_mints(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0"}])
    project.file("tool-2.0.zip", b"two")
    args = ["--api", "records", "--concept", seeded.concept_doi, "--files", "dist/*"]
    code, draft, err = project.publish(*args, "--version", "2.0", "--draft")
    assert code == 0, err
    assert draft["status"] == "draft" and draft["doi_reserved"]
    [pending] = fake.pending_drafts(seeded.concept_id)
    assert draft["doi"] == pending["pids"]["doi"]["identifier"]
    assert draft["record_url"] == f"{fake.url}/uploads/{pending['record_id']}"
    code, published, err = project.publish(*args, "--version", "2.0")
    assert code == 0, err
    assert published["status"] == "published" and published["doi"] == draft["doi"]
    assert fake.count(*ENDPOINTS["reserve"]) == 1 and fake.count(*ENDPOINTS["newversion"]) == 1


def test_a_leftover_draft_is_continued_and_its_pending_file_finished(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0"}])
    draft = fake.seed_pending_draft(
        seeded.concept_id, metadata={"version": "2.0"}, pending=("tool-2.0.zip", "stray.bin")
    )
    fake.backdate(draft, 30)
    project.file("tool-2.0.zip", b"two")
    code, result, err = next_version(project, seeded.concept_doi)
    assert code == 0, err
    assert result["record_id"] == draft and "continuing with draft" in err
    _, new = fake.published_versions(seeded.concept_id)
    assert files_of(new) == {"tool-2.0.zip": md5(b"two")}
    assert not fake.count(*ENDPOINTS["newversion"])
    assert fake.count("DELETE", r"/draft/files/stray\.bin$") == 1  # never committed: removed
    assert not fake.count("POST", r"/draft/files$")  # tool-2.0.zip was initialised already


def test_another_runs_active_draft_is_refused(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0"}])
    fake.seed_pending_draft(seeded.concept_id, metadata={"version": "2.1"})
    project.file("tool-2.0.zip", b"two")
    code, _, err = next_version(project, seeded.concept_doi)
    assert code == 1 and "another run is preparing version 2.1" in err
    assert len(fake.published_versions(seeded.concept_id)) == 1


def test_a_draft_hidden_by_the_index_is_found_by_asking_for_the_new_version(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0"}])
    draft = fake.seed_pending_draft(seeded.concept_id, metadata={"version": "2.1"}, indexed=False)
    fake.backdate(draft, 3600)
    project.file("tool-2.0.zip", b"two")
    code, result, err = next_version(project, seeded.concept_doi)
    assert code == 0, err
    assert "taking over abandoned draft" in err and result["record_id"] == draft


@pytest.mark.parametrize(
    "given",
    [
        "concept_doi",  # a DOI that does not name its record: looked up (quoted)
        "record_url",  # …/records/<id>: the whole id, never a number at its start
        "record_id",
    ],
)
def test_every_form_of_concept_finds_the_record(project, given):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0"}, {"version": "1.1"}])
    other = fake.seed_concept([{"version": "9.0"}])  # same DOI prefix: an unquoted DOI would match
    concept = {
        "concept_doi": seeded.concept_doi,
        "record_url": f"{fake.url}/records/{seeded.record_ids[0]}",
        "record_id": seeded.record_ids[0],
    }[given]
    project.file("tool-2.0.zip", b"two")
    code, result, err = project.publish(
        "--api", "records", "--concept", concept, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0, err
    assert result["concept_doi"] == seeded.concept_doi
    assert len(fake.published_versions(seeded.concept_id)) == 3
    assert len(fake.published_versions(other.concept_id)) == 1
    if given == "concept_doi":  # quoted: unquoted, the DOI's words match the other concept
        [lookup] = [r for r in fake.requests if "doi" in r.query_params.get("q", [""])[0]]
        doi = seeded.concept_doi
        assert lookup.query_params["q"] == [
            f'pids.doi.identifier:"{doi}" OR parent.pids.doi.identifier:"{doi}"'
        ]


def test_a_doi_no_record_has_is_said_so(project):
    project.file("a.zip", b"a")
    code, _, err = project.publish(
        "--api", "records", "--concept", "10.70143/zzzzz-zzzzz", "--files", "dist/*"
    )
    assert code == 1 and "no record with DOI 10.70143/zzzzz-zzzzz" in err
    assert writes(project.fake) == []


def test_a_vocabulary_id_the_instance_lacks_fails_before_any_write(project):
    fake = project.fake
    fake.missing_vocabulary.add(("licenses", "mit"))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1
    line = next(n for n, text in enumerate(CONFIG.splitlines(), 1) if text.startswith("license"))
    assert f".zenodo.yml:{line}" in err and "has no licence 'mit'" in err
    assert writes(fake) == [] and "nothing was sent" in err


def test_a_first_version_without_a_publisher_fails_before_any_write(project):
    project.config(CONFIG.replace("imprint_publisher: ACME Press\n", ""))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1 and "needs a publisher to register the DOI" in err
    assert "imprint_publisher" in err and writes(project.fake) == []


def test_a_next_version_takes_the_latest_versions_publisher(project):
    fake = project.fake
    project.config(CONFIG.replace("imprint_publisher: ACME Press\n", ""))
    seeded = fake.seed_concept([{"version": "1.0"}])
    project.file("tool-2.0.zip", b"two")
    code, _, err = next_version(project, seeded.concept_doi)
    assert code == 0, err
    assert fake.published_versions(seeded.concept_id)[-1]["metadata"]["publisher"] == (
        "Seed Repository"
    )


def test_a_save_with_errors_stops_before_the_files_at_the_users_line(project):
    fake = project.fake
    project.config(CONFIG + "journal_title: Journal of Widgets\n")
    fake.custom_fields.discard("journal:journal")  # an instance without the journal fields
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1
    line = len(CONFIG.splitlines()) + 1
    assert f".zenodo.yml:{line}" in err and "custom_fields.journal:journal" in err
    assert "saved, but without fields the server refused" in err
    assert not fake.count(*ENDPOINTS["init"]) and not fake.count(*ENDPOINTS["publish"])


def test_communities_are_not_sent_and_said_so(project):
    project.config(CONFIG + "communities:\n  - identifier: open-lab\n")
    project.file("a.zip", b"a")
    code, result, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0 and result["status"] == "published", err
    assert "communities: not sent" in err


def test_a_dry_run_reads_plans_and_writes_nothing(project):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0", "files": {"a.txt": b"a", "b.txt": b"b"}}])
    project.file("a.txt", b"a")
    project.file("c.txt", b"c")
    project.capsys.readouterr()
    code = project.main(
        [
            "publish",
            "--zenodo-url",
            fake.url,
            "--api",
            "records",
            "--dry-run",
            "--concept",
            seeded.concept_doi,
            "--files",
            "dist/*",
            "--version",
            "2.0",
        ]
    )
    out, err = project.capsys.readouterr()
    assert code == 0, err
    plan = out + err
    assert re.search(r"keep\s+a\.txt", plan) and re.search(r"delete\s+b\.txt", plan)
    assert re.search(r"upload\s+c\.txt", plan)
    # compared in the records schema, without what the instance adds to a read
    assert "publisher: 'Seed Repository' -> 'ACME Press'" in plan
    assert "version: '1.0' -> '2.0'" in plan
    changed = re.findall(r"^  (\w+):", plan, flags=re.MULTILINE)  # the fields that change
    assert "rights" not in changed and "resource_type" not in changed  # MIT, software both times
    assert writes(fake) == []


def test_uploads_run_side_by_side_within_the_workers_setting(project):
    fake = project.fake
    fake.hold_uploads = 3  # the first three meet however busy the machine is
    for i in range(8):
        project.file(f"f{i}.bin", bytes([i]) * 1000)
    code, _, err = project.publish(
        "--api", "records", "--files", "dist/*", "--version", "1.0", "--upload-workers", "3"
    )
    assert code == 0, err
    assert fake.peak_uploads == 3


def test_another_accounts_concept_is_refused_clearly(project, monkeypatch):
    fake = project.fake
    seeded = fake.seed_concept([{"version": "1.0"}], owner_token=fake.add_user())
    project.file("a.zip", b"a")
    code, _, err = project.publish(
        "--api", "records", "--concept", seeded.record_ids[0], "--files", "dist/*"
    )
    assert code == 1 and "belongs to another" in err
    assert writes(fake) == []


def test_auto_finds_the_records_api_on_an_invenio_instance(project):
    fake = project.fake
    project.file("a.zip", b"a")
    code, result, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0 and result["status"] == "published", err
    first = [(r.method, r.path, r.status) for r in fake.requests[:2]]
    assert first == [
        ("GET", "/api/deposit/depositions", 404),
        ("GET", "/api/user/records", 200),
    ]  # no concept: no latest version to ask beside them


def test_auto_with_a_wrong_token_names_the_host_before_any_write(project, monkeypatch):
    monkeypatch.setenv("ZENODO_TOKEN", "not-the-token-at-all")
    project.file("a.zip", b"a")
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0")
    host = project.fake.url.removeprefix("http://")
    assert code == 1 and f"{host} refused the token: GET /api/user/records answered 403" in err
    assert writes(project.fake) == [] and "not-the-token-at-all" not in err


def test_an_instance_that_is_neither_is_named_with_what_was_expected(
    tmp_path, monkeypatch, capsys, httpserver: HTTPServer, fast_retries
):
    httpserver.expect_request("/api/deposit/depositions").respond_with_data("<html>hi</html>")
    httpserver.expect_request("/api/user/records").respond_with_json({"status": 404}, 404)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", "a-token-for-a-test")
    project = Project(tmp_path, capsys, None, fast_retries)
    project.file("a.zip", b"a")
    url = httpserver.url_for("/").rstrip("/")
    code = project.main(["publish", "--zenodo-url", url, "--files", "dist/*", "--version", "1"])
    err = capsys.readouterr().err
    host = url.removeprefix("http://")
    assert code == 1 and f"{host} answers neither as Zenodo's deposit API" in err
    assert "GET /api/deposit/depositions: an answer of another shape" in err
    assert "GET /api/user/records: 404" in err and "hint: --zenodo-url must be" in err
    assert [r.method for r, _ in httpserver.log] == ["GET", "GET"]


@pytest.fixture
def zenodo_project(tmp_path, monkeypatch, capsys, fake_invenio_zenodo, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_invenio_zenodo.token)
    made = Project(tmp_path, capsys, fake_invenio_zenodo, fast_retries)
    made.config(CONFIG)
    return made


def test_zenodos_records_api_works_with_numeric_ids_and_its_dois(zenodo_project):
    fake = zenodo_project.fake
    seeded = fake.seed_concept([{"version": "1.0"}])
    zenodo_project.file("tool-2.0.zip", b"two")
    code, result, err = next_version(zenodo_project, seeded.concept_doi)
    assert code == 0, err
    _, new = fake.published_versions(seeded.concept_id)
    assert result["record_id"] == new["record_id"] and isinstance(result["record_id"], int)
    assert result["doi"] == f"10.5281/zenodo.{new['record_id']}"
    assert result["concept_doi"] == f"10.5281/zenodo.{seeded.concept_id}"
    # the records schema was asked for: Zenodo answers plain JSON in its legacy shape
    assert not fake.count(*ENDPOINTS["deposit_probe"])


def test_auto_on_zenodo_takes_its_deposit_api(zenodo_project):
    """The instance answers for the deposit API, so auto takes it (here only the probe
    exists, so the run stops at its next request: what matters is which API it chose)."""
    zenodo_project.file("a.zip", b"a")
    zenodo_project.publish("--files", "dist/*", "--version", "1.0")
    fake = zenodo_project.fake
    assert fake.count(*ENDPOINTS["deposit_probe"]) >= 1
    assert not fake.count("GET", r"^/api/user/records$")


# Shapes InvenioRDM stores in its own form (invenio-records-api.md §14.1, §14.3): a dry run
# of the next version with the same metadata must show no metadata change.
STORED_DIFFERENTLY = {
    "arxiv": "related_identifiers:\n  - identifier: '2101.00001'\n    relation: cites\n",
    "pmid": "related_identifiers:\n  - identifier: 'pmid:12345'\n    relation: cites\n",
    "handle": "related_identifiers:\n  - identifier: hdl:20.500.12345/1\n    relation: cites\n",
    "isbn10": "related_identifiers:\n  - identifier: 0-306-40615-2\n    relation: isPartOf\n",
    "isbn13": "related_identifiers:\n  - identifier: '9783161484100'\n    relation: isPartOf\n",
    "issn": "related_identifiers:\n  - identifier: 2049 3630\n    relation: isPublishedIn\n",
    "grant": "grants:\n  - id: 10.13039/501100000780::246686\n",
}


@pytest.mark.parametrize("shape", list(STORED_DIFFERENTLY))
def test_a_dry_run_of_the_same_metadata_shows_no_change(project, shape):
    fake = project.fake
    config = CONFIG.replace("related_identifiers:\n", "extra:\n", 1).split("extra:\n")[0]
    project.config(config + STORED_DIFFERENTLY[shape])
    project.file("a.txt", b"a")
    code, result, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    project.file("b.txt", b"b")
    code, _, err = next_version(project, result["concept_doi"], "--dry-run")
    assert code == 0, err
    changed = [line for line in err.splitlines() if re.search(r"->|: added|: removed", line)]
    assert [line for line in changed if "version" not in line] == [], err
    assert writes(fake) and not [w for w in writes(fake) if "2.0" in w[1]]


@pytest.mark.parametrize("lag", [0, 1, 2])
def test_a_first_version_rerun_finds_its_record_while_the_index_lags(project, lag):
    """No request shows a record the index has not refreshed for
    (invenio-records-api.md §14.4): the re-run waits for it rather than start a second
    record."""
    fake = project.fake
    fake.index_lag = lag
    project.file("a.zip", b"a")
    code, first, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    code, again, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    assert again["status"] == "unchanged" and again["doi"] == first["doi"]
    assert len(fake.concept_ids()) == 1


def test_another_instance_is_named_where_nothing_was_sent(project):
    host = project.fake.url.removeprefix("http://")
    project.config(CONFIG.replace("title: Frobnicator", "title: ''"))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1 and err.splitlines()[-1].endswith(f"nothing was sent to {host}")
    assert project.fake.requests == []


def test_an_empty_file_is_published_where_the_instance_takes_it(project):
    """A plain InvenioRDM takes empty files (invenio-records-api.md §5.4); only Zenodo
    refuses them."""
    fake = project.fake
    project.file("empty.txt", b"")
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [version] = fake.published_versions(fake.concept_ids()[0])
    assert files_of(version) == {"empty.txt": md5(b""), "a.zip": md5(b"a")}


def test_a_zenodo_doi_given_for_another_instance_is_named_as_zenodos(project):
    project.fake.seed_concept([{"version": "1.0"}])
    project.file("a.zip", b"a")
    code, _, err = next_version(project, "10.5281/zenodo.123")
    assert code != 0 and "10.5281/zenodo.123 is a DOI of zenodo.org" in err, err
    assert project.fake.url.removeprefix("http://") in err
    assert writes(project.fake) == []


def test_citation_cff_people_are_recorded_as_people(project):
    """The kind a CITATION.cff gives reaches the record through the whole run
    (zenodo-api.md §11.2)."""
    (project.root / ".zenodo.yml").unlink()
    (project.root / "CITATION.cff").write_text(
        "cff-version: 1.2.0\nmessage: Cite it.\ntitle: Frobnicator\ntype: software\n"
        "license: MIT\nauthors:\n  - family-names: Doe\n  - name: ACME Lab\n"
    )
    project.config("imprint_publisher: ACME Press\n")
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [version] = project.fake.published_versions(project.fake.concept_ids()[0])
    assert [c["person_or_org"] for c in version["metadata"]["creators"]] == [
        {"type": "personal", "family_name": "Doe"},
        {"type": "organizational", "name": "ACME Lab"},
    ]


def test_more_files_than_zenodo_takes_go_where_the_instance_takes_them(project):
    """Zenodo's 100 files per version is no limit of another instance
    (docs/reference/invenio-records-api.md §5.9): the instance's own setting decides."""
    fake = project.fake
    fake.max_files = 150
    for number in range(101):
        project.file(f"part-{number:03}.txt", b"%d" % number)
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [version] = fake.published_versions(fake.concept_ids()[0])
    assert len(files_of(version)) == 101


def test_the_instances_own_file_limit_is_named_with_the_instance(project):
    host = project.fake.url.removeprefix("http://")
    project.fake.max_files = 2
    for name in ("a.txt", "b.txt", "c.txt"):
        project.file(name, name.encode())
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1
    assert f"{host} rejected the request" in err and "exceeding the max amount" in err
    assert f"more files than {host} takes per version" in err and "Zenodo" not in err
    assert not project.fake.count(*ENDPOINTS["publish"])


def test_warnings_are_titled_with_the_instance(project, monkeypatch):
    """A warning about what the version did not get names the instance it went to (the
    runner's annotation title)."""
    host = project.fake.url.removeprefix("http://")
    titles: dict[str, str] = {}
    note = TerminalReporter.note

    def heard(self, level, message, *, title):
        titles[message] = title
        note(self, level, message, title=title)

    monkeypatch.setattr(TerminalReporter, "note", heard)
    project.config(CONFIG + "communities:\n  - identifier: open-lab\n")
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [title] = [title for message, title in titles.items() if "communities: not sent" in message]
    assert title == host


@pytest.mark.parametrize(
    ("limit", "refused", "hint"),
    [
        ("max_file_size", "Maximum file size exceeded.", "{host}'s largest file size"),
        ("quota_size", "Bucket quota exceeded.", "the record's quota on {host}"),
    ],
)
def test_a_file_beyond_the_instances_own_limit_is_refused_naming_it(project, limit, refused, hint):
    """The instance's size limits are its configuration, read nowhere by the client: its
    refusal stops the run with the instance named, and nothing is published
    (docs/reference/invenio-records-api.md §5.9)."""
    fake = project.fake
    host = fake.url.removeprefix("http://")
    setattr(fake, limit, 5)
    project.file("a.txt", b"abc")
    project.file("b.txt", b"defghi")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1
    assert f"{host} rejected the request to upload" in err and refused in err
    assert hint.format(host=host) in err and "Zenodo" not in err
    assert not fake.count(*ENDPOINTS["publish"])


@pytest.mark.parametrize("api", ["records", "auto"])
def test_an_id_only_the_instance_has_is_published_there(project, api):
    """Another instance's vocabularies are its own (invenio-records-api.md §10.4): a
    licence and a resource type Zenodo does not know, but the instance has, are published."""
    fake = project.fake
    fake.extra_vocabulary |= {("licenses", "acme-research-1.0"), ("resourcetypes", "model")}
    config = CONFIG.replace("license: MIT", "license: ACME-Research-1.0")
    project.config(config.replace("upload_type: software", "upload_type: model"))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", api, "--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [version] = fake.published_versions(fake.concept_ids()[0])
    assert version["metadata"]["rights"][0]["id"] == "acme-research-1.0"
    assert version["metadata"]["resource_type"]["id"] == "model"


def test_ids_the_instance_lacks_are_named_with_the_instance(project):
    host = project.fake.url.removeprefix("http://")
    config = CONFIG.replace("license: MIT", "license: foo-licence")
    config = config.replace("relation: isSupplementTo", "relation: isSupplementaryTo")
    project.config(config.replace("upload_type: software", "upload_type: sofware"))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--api", "records", "--files", "dist/*", "--version", "1.0")
    assert code == 1 and "Zenodo" not in err
    lines = {text.strip().split(":")[0]: n for n, text in enumerate(config.splitlines(), 1)}
    assert f".zenodo.yml:{lines['upload_type']}: metadata.upload_type: {host} has no" in err
    assert f".zenodo.yml:{lines['license']}: metadata.license: {host} has no licence" in err
    assert f".zenodo.yml:{lines['relation']}: metadata.related_identifiers.0.relation: " in err
    assert "'issupplementaryto'" in err
    assert writes(project.fake) == []


def test_zenodos_vocabulary_judges_once_auto_finds_zenodo(
    tmp_path, monkeypatch, capsys, fake_zenodo, fast_retries
):
    """With `auto` on an address not known as Zenodo's, the run's first question shows it
    is Zenodo: Zenodo's vocabulary then stops the run before any write."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    project = Project(tmp_path, capsys, fake_zenodo, fast_retries)
    project.config(CONFIG.replace("upload_type: software", "upload_type: sofware"))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 1
    assert "'sofware' is not accepted by Zenodo as upload_type" in err
    assert err.splitlines()[-1].endswith("nothing was sent to Zenodo")
    assert [r.method for r in fake_zenodo.requests] == ["GET"]  # auto's question
