"""`zenodo-action publish` end to end against the fake Zenodo (a real server on loopback)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from pathlib import Path

import pytest

from zenodo_action.cli import main

CONFIG = """\
title: Frobnicator
upload_type: software
description: <p>Frobnicates widgets.</p>
creators:
  - name: Doe, Jane
    affiliation: ACME
license: MIT
keywords: [widgets]
"""


class Project:
    """A working directory with a .zenodo.yml and files, and a way to run the CLI in it."""

    def __init__(self, root: Path, capsys, fake, clients=None) -> None:
        self.root = root
        self.capsys = capsys
        self.fake = fake
        self.clients = clients  # the client factory its publishes get (conftest.QuickClients)
        self.config(CONFIG)

    def main(self, argv: list[str]) -> int:
        return main(argv, client_factory=self.clients)

    def config(self, text: str) -> None:
        (self.root / ".zenodo.yml").write_text(text)

    def file(self, name: str, data: bytes) -> Path:
        path = self.root / "dist" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path

    def publish(self, *args: str) -> tuple[int, dict | None, str]:
        """Run publish with --json; return (exit code, result, stderr)."""
        self.capsys.readouterr()
        code = self.main(["publish", "--zenodo-url", self.fake.url, "--json", *args])
        out, err = self.capsys.readouterr()
        assert self.fake.token not in out + err
        assert "Traceback" not in err
        return code, json.loads(out) if code == 0 else None, err


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, fake_zenodo, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    return Project(tmp_path, capsys, fake_zenodo, fast_retries)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def files_of(version: dict) -> dict[str, str]:
    return {name: md5_ for name, (_, md5_) in version["files"].items()}


def seed(fake, *versions: str, files: dict[str, bytes] | None = None):
    specs = [{"version": v, "files": files or {f"tool-{v}.zip": v.encode()}} for v in versions]
    return fake.seed_concept(versions=specs)


def test_first_version_of_a_new_concept(project):
    project.file("tool-1.0.zip", b"one")
    code, result, _ = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0
    fake = project.fake
    [concept] = fake.concept_ids()
    [version] = fake.published_versions(concept)
    assert result["status"] == "published"
    assert result["doi"] == version["doi"] == f"10.5281/zenodo.{concept + 1}"
    assert result["concept_doi"] == f"10.5281/zenodo.{concept}"
    assert result["new_concept"] is True
    assert version["version"] == "1.0"
    assert version["title"] == "Frobnicator"
    assert files_of(version) == {"tool-1.0.zip": md5(b"one")}
    assert fake.pending_drafts(concept) == []


def test_the_command_line_makes_the_client_with_the_factory_it_is_given(project, fast_retries):
    project.file("tool-1.0.zip", b"one")
    code, result, _ = project.publish("--files", "dist/*", "--version", "1.0", "--draft")
    assert code == 0 and result["status"] == "draft"
    [settings] = fast_retries.made_for
    assert settings.zenodo_url == project.fake.url and settings.draft


def test_the_text_result_announces_a_new_concept_to_pin(project):
    project.file("tool-1.0.zip", b"one")
    project.capsys.readouterr()
    code = project.main(["publish", "--zenodo-url", project.fake.url, "--files", "dist/*"])
    out = project.capsys.readouterr().out
    [concept] = project.fake.concept_ids()
    assert code == 0
    assert out.startswith(f"published 10.5281/zenodo.{concept + 1}\n")
    assert f"NEW CONCEPT DOI: 10.5281/zenodo.{concept}" in out
    assert f"--concept 10.5281/zenodo.{concept}" in out


def test_a_rerun_of_a_first_version_finds_it_by_title(project):
    project.file("tool-1.0.zip", b"one")
    assert project.publish("--files", "dist/*", "--version", "1.0")[0] == 0
    code, result, _ = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0 and result["status"] == "unchanged"
    assert len(project.fake.concept_ids()) == 1


def test_no_second_concept_with_the_same_title(project):
    seeded = seed(project.fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    title = project.fake.published_versions(seeded.concept_id)[0]["title"]
    project.config(CONFIG.replace("Frobnicator", title))
    code, _, err = project.publish("--files", "dist/*", "--version", "2.0")
    assert code == 1
    assert f"--concept {seeded.concept_doi}" in err
    assert len(project.fake.concept_ids()) == 1


@pytest.mark.parametrize(
    "concept",
    [
        lambda s: s.concept_doi,
        lambda s: f"https://doi.org/{s.concept_doi}",
        lambda s: str(s.record_ids[0]),
        lambda s: str(s.concept_id),
        lambda s: f"{{url}}/records/{s.record_ids[0]}",
    ],
    ids=["concept-doi", "doi-url", "old-record-id", "concept-id", "record-url"],
)
def test_next_version_from_any_form_of_the_concept(project, concept):
    fake = project.fake
    seeded = seed(fake, "1.0", "1.1")
    project.file("tool-2.0.zip", b"two")
    given = concept(seeded).replace("{url}", fake.url)
    code, result, _ = project.publish("--concept", given, "--files", "dist/*", "--version", "2.0")
    assert code == 0
    versions = fake.published_versions(seeded.concept_id)
    assert [v["version"] for v in versions] == ["1.0", "1.1", "2.0"]
    assert result["doi"] == versions[-1]["doi"]
    assert result["concept_doi"] == seeded.concept_doi
    assert files_of(versions[-1]) == {"tool-2.0.zip": md5(b"two")}  # inherited file removed
    assert fake.pending_drafts(seeded.concept_id) == []
    meta = versions[-1]["metadata"]
    assert meta["title"] == "Frobnicator" and meta["keywords"] == ["widgets"]


def test_a_rerun_changes_nothing(project):
    fake = project.fake
    seeded = seed(fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    first = project.publish(*args)[1]
    writes_before = sum(1 for r in fake.requests if r.method != "GET")
    code, again, _ = project.publish(*args)
    assert code == 0 and again["status"] == "unchanged"
    assert again["doi"] == first["doi"]
    assert sum(1 for r in fake.requests if r.method != "GET") == writes_before
    assert len(fake.published_versions(seeded.concept_id)) == 2


def test_identical_files_without_a_version_change_nothing(project):
    fake = project.fake
    seeded = seed(fake, "1.0", files={"data.csv": b"a,b\n"})
    project.file("data.csv", b"a,b\n")
    code, result, _ = project.publish("--concept", seeded.concept_doi, "--files", "dist/*")
    assert code == 0 and result["status"] == "unchanged"
    assert "identical" in result["reason"]
    assert len(fake.published_versions(seeded.concept_id)) == 1


def test_identical_files_are_not_uploaded_again(project):
    fake = project.fake
    seeded = seed(fake, "1.0", files={"big.bin": b"B" * 5000, "old.txt": b"old"})
    project.file("big.bin", b"B" * 5000)
    project.file("new.txt", b"new")
    code, _, _ = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0
    uploads = [r.path for r in fake.requests if r.method == "PUT" and "/files/" in r.path]
    assert [p.rsplit("/", 1)[1] for p in uploads] == ["new.txt"]
    latest = fake.published_versions(seeded.concept_id)[-1]
    assert files_of(latest) == {"big.bin": md5(b"B" * 5000), "new.txt": md5(b"new")}


def test_uploads_send_no_content_type_and_identify_themselves(project):
    seeded = seed(project.fake, "1.0")
    project.file("a.zip", b"zip")
    assert (
        project.publish("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2")[0]
        == 0
    )
    [upload] = [r for r in project.fake.requests if r.method == "PUT" and "/files/" in r.path]
    headers = {k.lower(): v for k, v in upload.headers.items()}
    assert "content-type" not in headers or headers["content-type"] == "application/octet-stream"
    assert headers["user-agent"].startswith("zenodo-action/")
    assert all("access_token" not in r.query for r in project.fake.requests)


def test_a_pending_draft_with_files_is_adopted(project):
    fake = project.fake
    seeded = seed(fake, "1.0")
    draft = fake.seed_pending_draft(
        seeded.concept_id, files={"stale.txt": b"x"}, metadata={"version": "2.0"}
    )
    project.file("tool-2.0.zip", b"two")
    code, result, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0, err
    assert result["record_id"] == draft
    latest = fake.published_versions(seeded.concept_id)[-1]
    assert latest["record_id"] == draft
    assert files_of(latest) == {"tool-2.0.zip": md5(b"two")}
    assert fake.count("POST", r"/actions/newversion") == 0


def test_a_pending_draft_without_files_is_adopted(project):
    fake = project.fake
    seeded = seed(fake, "1.0")
    draft = fake.seed_pending_draft(seeded.concept_id, files={}, metadata={"version": "2.0"})
    project.file("tool-2.0.zip", b"two")
    code, result, _ = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0 and result["record_id"] == draft
    assert [v["version"] for v in fake.published_versions(seeded.concept_id)] == ["1.0", "2.0"]


def test_an_idle_foreign_draft_is_taken_over_but_a_fresh_one_is_refused(project):
    fake = project.fake
    seeded = seed(fake, "1.0")
    draft = fake.seed_pending_draft(seeded.concept_id, metadata={"version": "1.5"})
    project.file("tool-2.0.zip", b"two")
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    code, _, err = project.publish(*args)
    assert code == 1
    assert "another run is preparing version 1.5" in err
    assert [v["version"] for v in fake.published_versions(seeded.concept_id)] == ["1.0"]
    fake.backdate(draft, 11 * 60)
    code, _, err = project.publish(*args)
    assert code == 0, err
    assert "taking over abandoned draft" in err
    assert [v["version"] for v in fake.published_versions(seeded.concept_id)] == ["1.0", "2.0"]


@pytest.mark.parametrize("old_zenodo", [False, True], ids=["today", "old-zenodo"])
def test_both_newversion_behaviours(project, old_zenodo):
    fake = project.fake
    fake.old_zenodo_newversion = old_zenodo
    seeded = seed(fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    code, result, _ = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0
    versions = fake.published_versions(seeded.concept_id)
    assert [v["version"] for v in versions] == ["1.0", "2.0"]
    assert result["doi"] == versions[-1]["doi"] != versions[0]["doi"]


def test_dry_run_creates_nothing_and_shows_the_plan(project):
    fake = project.fake
    seeded = seed(fake, "1.0", files={"keep.txt": b"k", "drop.txt": b"d"})
    project.file("keep.txt", b"k")
    project.file("add.txt", b"aa")
    code, result, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0", "--dry-run"
    )
    assert code == 0
    assert result["status"] == "planned"
    assert all(r.method == "GET" for r in fake.requests)
    assert fake.pending_drafts(seeded.concept_id) == []
    assert f"would publish 2.0 as the next version of concept {seeded.concept_doi}" in err
    assert "keep   keep.txt" in err and "delete drop.txt" in err and "upload add.txt" in err
    assert "version: '1.0' -> '2.0'" in err  # --json: the plan is a note beside the result


def test_a_dry_runs_plan_is_what_it_prints_on_stdout_and_notes_go_to_stderr(project):
    """`publish --dry-run > plan.txt` keeps the plan: files, versions, metadata changes."""
    seeded = seed(project.fake, "1.0", files={"drop.txt": b"d"})
    project.file("add.txt", b"aa")
    project.capsys.readouterr()
    argv = ["--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"]
    code = project.main(["publish", "--zenodo-url", project.fake.url, *argv, "--dry-run"])
    out, err = project.capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0].startswith("would publish 2.0 as the next version of concept")
    assert "delete drop.txt" in out and "upload add.txt" in out
    assert "version: '1.0' -> '2.0'" in out
    assert err == "dry run: nothing was created or changed\n"


def test_a_dry_run_diffs_a_pending_draft_from_its_own_read_not_the_list(project):
    # The list shows no files for drafts (zenodo-api.md §11.3): the plan reads the draft.
    fake = project.fake
    seeded = seed(fake, "1.0", files={"old.txt": b"o"})
    fake.seed_pending_draft(seeded.concept_id, files={"keep.txt": b"k", "drop.txt": b"d"})
    project.file("keep.txt", b"k")
    code, result, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0", "--dry-run"
    )
    assert code == 0 and result["status"] == "planned"
    assert "keep   keep.txt" in err and "delete drop.txt" in err
    assert all(r.method == "GET" for r in fake.requests)


def test_draft_mode_leaves_a_draft_and_a_later_run_publishes_it(project):
    fake = project.fake
    seeded = seed(fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    code, result, _ = project.publish(*args, "--draft")
    assert code == 0 and result["status"] == "draft" and result["doi_reserved"] is True
    [pending] = fake.pending_drafts(seeded.concept_id)
    assert pending["record_id"] == result["record_id"]
    assert len(fake.published_versions(seeded.concept_id)) == 1
    code, published, _ = project.publish(*args)
    assert code == 0 and published["record_id"] == result["record_id"]
    assert published["doi"] == result["doi"]  # the DOI the draft reserved
    assert fake.pending_drafts(seeded.concept_id) == []


def test_checksum_mismatch_is_detected(project, monkeypatch):
    from zenodo_action.zenodo import client as client_module

    real_upload = client_module.ZenodoClient.upload

    def corrupting_upload(self, draft, local, progress=None):
        _, sent = real_upload(self, draft, local, progress)
        return "0" * 32, sent  # as if Zenodo stored other bytes

    monkeypatch.setattr(client_module.ZenodoClient, "upload", corrupting_upload)
    seeded = seed(project.fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 1
    assert "different checksum" in err and "nothing was published" in err
    assert len(project.fake.published_versions(seeded.concept_id)) == 1


def test_a_file_removed_before_its_upload_is_named_and_nothing_published(project, monkeypatch):
    from zenodo_action.zenodo import deposit

    seeded = seed(project.fake, "1.0")
    path = project.file("tool-2.0.zip", b"two")
    real_observe = deposit.observe

    def observe_then_remove(api, request):
        snapshot = real_observe(api, request)
        path.unlink()  # collected (described, not read), then gone before the upload
        return snapshot

    monkeypatch.setattr(deposit, "observe", observe_then_remove)
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 2 and f"{path}: cannot read file (No such file or directory)" in err
    assert "internal error" not in err
    assert len(project.fake.published_versions(seeded.concept_id)) == 1


def test_a_file_changed_during_upload_is_detected(project, monkeypatch):
    from zenodo_action import files as files_module

    seeded = seed(project.fake, "1.0")
    path = project.file("tool-2.0.zip", b"two")
    real_read = files_module.HashingReader.read

    def read_then_rewrite(self, amount=-1):
        chunk = real_read(self, amount)
        path.write_bytes(b"TWO, rewritten while it was sent")
        return chunk

    monkeypatch.setattr(files_module.HashingReader, "read", read_then_rewrite)
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 1
    assert "changed while it was being uploaded" in err
    assert len(project.fake.published_versions(seeded.concept_id)) == 1


def test_a_file_changed_after_it_was_hashed_is_detected(project, monkeypatch):
    """A file of the same name and size is on Zenodo: it is hashed before planning, and the
    bytes sent must be those bytes."""
    from zenodo_action import files as files_module

    seeded = seed(project.fake, "1.0", files={"tool.zip": b"one"})
    path = project.file("tool.zip", b"two")
    real_hashed = files_module.LocalFile.hashed

    def hashed_then_changed(self):
        described = real_hashed(self)
        path.write_bytes(b"TWO")  # same size, other bytes, after hashing
        return described

    monkeypatch.setattr(files_module.LocalFile, "hashed", hashed_then_changed)
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 1
    assert "changed while it was being uploaded" in err and "expected" in err
    assert len(project.fake.published_versions(seeded.concept_id)) == 1


def test_server_side_validation_error_names_the_field_and_line(project):
    seeded = seed(project.fake, "1.0")
    # A licence our offline list knows, but this Zenodo does not: rejected on PUT.
    project.fake.missing_licenses = {"0bsd"}
    project.config(CONFIG.replace("license: MIT", "license: 0bsd"))
    project.file("tool-2.0.zip", b"two")
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 1
    assert ".zenodo.yml:7: license:" in err or ".zenodo.yml:7: metadata.license" in err
    assert "Invalid license" in err


def test_bad_token(project, monkeypatch):
    seeded = seed(project.fake, "1.0")
    monkeypatch.setenv("ZENODO_TOKEN", "not-a-valid-token-123")
    project.file("tool-2.0.zip", b"two")
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 1
    assert "not-a-valid-token-123" not in err
    assert "another Zenodo account" in err or "refused" in err


def test_a_concept_of_another_account(project):
    fake = project.fake
    other = fake.add_user()
    seeded = fake.seed_concept(versions=[{"version": "1.0"}], owner_token=other)
    project.file("tool-2.0.zip", b"two")
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 1
    assert "belongs to another Zenodo account" in err
    assert len(fake.published_versions(seeded.concept_id)) == 1


def test_unknown_concept(project):
    project.file("a.zip", b"a")
    code, _, err = project.publish("--concept", "10.5281/zenodo.999999", "--files", "dist/*")
    assert code == 1 and "no record with this id" in err


@pytest.mark.parametrize(
    ("args", "env_token", "message"),
    [
        (("--files", "dist/*"), "", "set the ZENODO_TOKEN"),
        (("--files", "nothing/*"), "tok", "matches no file"),
        (
            ("--files", "dist/*", "--api", "deposit", "--concept", "10.1234/x.4"),
            "tok",
            "not a Zenodo concept DOI",
        ),
        (("--files", "dist/*", "--concept", "8x4k2-abcde/x"), "tok", "not a DOI"),
        (("--files", "dist/*", "--publication-date", "2024-13-01"), "tok", "not a date"),
        (("--files", "dist/*", "--upload-workers", "0"), "tok", "from 1 to 16, not '0'"),
        (("--files", "dist/*", "--upload-workers", "17"), "tok", "from 1 to 16, not '17'"),
        (("--files", "dist/*", "--upload-workers", "four"), "tok", "--upload-workers must be"),
    ],
)
def test_usage_errors_exit_2_before_any_request(project, monkeypatch, args, env_token, message):
    monkeypatch.setenv("ZENODO_TOKEN", env_token)
    project.file("a.zip", b"a")
    code, _, err = project.publish(*args)
    assert code == 2 and message in err
    assert project.fake.requests == []


def test_invalid_metadata_stops_before_any_request(project):
    project.config(CONFIG.replace("upload_type: software", "upload_type: 42"))
    project.file("a.zip", b"a")
    code, _, err = project.publish("--files", "dist/*")
    assert code == 1
    host = project.fake.url.removeprefix("http://")  # with `auto`, not known to be Zenodo
    assert ".zenodo.yml:2:" in err and f"nothing was sent to {host}" in err
    assert project.fake.requests == []


def test_empty_file_stops_before_any_request(project):
    project.file("empty.txt", b"")
    code, _, err = project.publish("--api", "deposit", "--files", "dist/*")
    assert code == 1 and "the file is empty (Zenodo refuses empty files)" in err
    assert project.fake.requests == []


def test_auto_checks_zenodos_limits_once_it_finds_zenodo(project):
    """On a host it does not know, `auto` learns from its one question that the instance
    is Zenodo; Zenodo's limits then stop the run before any write
    (docs/reference/invenio-records-api.md §5.9)."""
    project.file("empty.txt", b"")
    code, _, err = project.publish("--files", "dist/*")
    assert code == 1 and "the file is empty (Zenodo refuses empty files)" in err
    assert [r.method for r in project.fake.requests] == ["GET"]  # auto's question


def test_sandbox_dois_are_read_from_the_record_not_prereserve(
    tmp_path, monkeypatch, capsys, fake_zenodo_sandbox, fast_retries
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo_sandbox.token)
    project = Project(tmp_path, capsys, fake_zenodo_sandbox, fast_retries)
    project.file("a.zip", b"a")
    code, result, _ = project.publish("--files", "dist/*", "--version", "1")
    assert code == 0
    assert result["doi"].startswith("10.5072/")
    assert result["concept_doi"].startswith("10.5072/")


# --- Transfers: requests, parallel uploads, progress ----------------------------------------


def uploads_of(fake, since: int = 0) -> list[str]:
    """The file names PUT into a bucket, in the order they arrived."""
    return [
        r.path.rsplit("/", 1)[1]
        for r in fake.requests[since:]
        if r.method == "PUT" and r.path.startswith("/api/files/")
    ]


def test_a_regenerated_dataset_costs_n_plus_8_requests(project):
    """Same names as the previous version, new bytes: each PUT replaces its key
    (zenodo-api.md §2.6), nothing is deleted first, and no deposition is read twice."""
    names = [f"part-{i}.csv" for i in range(6)]
    seeded = seed(project.fake, "1.0", files={n: b"week 1 " + n.encode() for n in names})
    for name in names:
        project.file(name, b"week 2 " + name.encode())
    code, result, err = project.publish(
        "--api", "deposit", "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0, err
    sent = project.fake.requests
    assert len(sent) == len(names) + 8, [(r.method, r.path) for r in sent]
    assert not [r for r in sent if r.method == "DELETE"]
    assert sorted(uploads_of(project.fake)) == names
    latest = project.fake.published_versions(seeded.concept_id)[-1]
    assert files_of(latest) == {n: md5(b"week 2 " + n.encode()) for n in names}
    assert {f["name"]: f["md5"] for f in result["files"]} == files_of(latest)


def test_a_dropped_file_costs_one_delete(project):
    seeded = seed(project.fake, "1.0", files={"a.csv": b"a1", "b.csv": b"b1", "c.csv": b"c1"})
    project.file("a.csv", b"a2")
    project.file("d.csv", b"d2")
    code, _, err = project.publish(
        "--api", "deposit", "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0, err
    sent = project.fake.requests
    assert len(sent) == 2 + 8 + 2  # two uploads, two deletes (b.csv, c.csv)
    assert len([r for r in sent if r.method == "DELETE"]) == 2
    latest = project.fake.published_versions(seeded.concept_id)[-1]
    assert files_of(latest) == {"a.csv": md5(b"a2"), "d.csv": md5(b"d2")}


def test_auto_asks_zenodo_which_api_it_serves_with_the_list_it_needs_anyway(project):
    """`api: auto` (the default) asks with the run's first search, the concept's list: its
    answer is that search's, so auto costs no request on Zenodo (N+8 still holds)."""
    seeded = seed(project.fake, "1.0", files={"a.csv": b"a1"})
    project.file("a.csv", b"a2")
    code, _, err = project.publish(
        "--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0"
    )
    assert code == 0, err
    sent = project.fake.requests
    assert len(sent) == 1 + 8  # N+8: a.csv replaced by its PUT, nothing deleted
    lists = [r for r in sent if r.path == "/api/deposit/depositions" and r.method == "GET"]
    assert len(lists) == 1
    assert lists[0].query_params["q"] == [f"conceptrecid:{seeded.concept_id}"]
    assert not project.fake.count("GET", r"^/api/user/records")


@pytest.mark.parametrize(("workers", "peak"), [(None, 4), ("2", 2), ("1", 1)])
def test_uploads_run_side_by_side_up_to_the_workers_setting(project, workers, peak):
    project.fake.hold_uploads = peak  # the first uploads meet however busy the machine is
    names = [f"file-{i:02}.bin" for i in range(10)]
    for name in names:
        project.file(name, name.encode() * 1000)
    flags = ["--upload-workers", workers] if workers else []
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0", *flags)
    assert code == 0, err
    assert project.fake.peak_uploads == peak
    if peak == 1:
        assert uploads_of(project.fake) == names  # one at a time, in the files' order
    [concept] = project.fake.concept_ids()
    [version] = project.fake.published_versions(concept)
    assert files_of(version) == {n: md5(n.encode() * 1000) for n in names}


def test_a_failed_upload_fails_the_run_and_a_rerun_sends_only_what_is_missing(project):
    fake = project.fake
    fake.latency = 0.02
    seeded = seed(fake, "1.0")
    wanted = {f"chunk-{i}.bin": bytes([i]) * (3 << 20) for i in range(6)}  # 3 blocks each
    for name, data in wanted.items():
        project.file(name, data)
    fake.inject("PUT", r"/chunk-2\.bin$", "500", times=1000)
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    code, _, err = project.publish(*args)
    assert code == 1 and "failed to upload chunk-2.bin" in err and "Traceback" not in err
    assert len(fake.published_versions(seeded.concept_id)) == 1  # nothing published
    # the uploads beside it finished, or stopped midway (Zenodo keeps nothing of a
    # broken-off body); which, depends on timing: the re-run sends exactly the rest
    [draft] = fake.pending_drafts(seeded.concept_id)
    stored = {n for n, (_, digest) in draft["files"].items() if digest == md5(wanted.get(n, b""))}
    assert stored < set(wanted)
    fake.clear_faults()
    before = len(fake.requests)
    code, _, err = project.publish(*args)
    assert code == 0, err
    assert sorted(uploads_of(fake, before)) == sorted(set(wanted) - stored)
    latest = fake.published_versions(seeded.concept_id)[-1]
    assert files_of(latest) == {n: md5(d) for n, d in wanted.items()}
    assert fake.pending_drafts(seeded.concept_id) == []


def test_each_upload_says_when_it_starts_and_ends(project, caplog):
    caplog.set_level(logging.INFO, logger="zenodo_action")
    project.file("a.bin", b"a" * 1500)
    project.file("b.bin", b"b" * 2500)
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    said = [r.getMessage() for r in caplog.records if r.name == "zenodo_action.deposit"]
    assert "uploading a.bin (1.5 kB)" in said and "uploading b.bin (2.5 kB)" in said
    for name, size in (("a.bin", "1.5 kB"), ("b.bin", "2.5 kB")):
        [end] = [line for line in said if line.startswith(f"uploaded {name} ")]
        assert re.fullmatch(rf"uploaded {name} \({size}\) in [\d.]+ s, .+/s|.* at once", end)


def test_a_long_upload_reports_its_progress_between(project, caplog, monkeypatch):
    from zenodo_action import progress

    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0.0)  # every block is "long enough"
    caplog.set_level(logging.INFO, logger="zenodo_action")
    project.file("big.bin", b"x" * (3 << 20))  # three 1 MiB blocks
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    said = [r.getMessage() for r in caplog.records if r.name == "zenodo_action.deposit"]
    between = [line for line in said if line.startswith("big.bin: ")]
    assert between[-1].startswith("big.bin: 3.1 MB of 3.1 MB (100%), ")
    assert any("(33%)" in line for line in between)


def test_an_upload_beside_one_that_failed_for_good_stops_midway(project, monkeypatch):
    from zenodo_action import files as files_module

    real_read = files_module.HashingReader.read
    slow_blocks: list[int] = []

    def slow_read(self, amount=-1):  # a slow link: slow.bin's 40 blocks would take 2 s
        if self._size > (1 << 20):
            slow_blocks.append(1)
            time.sleep(0.05)
        return real_read(self, amount)

    monkeypatch.setattr(files_module.HashingReader, "read", slow_read)
    project.file("slow.bin", b"s" * (40 << 20))
    project.file("bad.bin", b"bad")
    project.fake.inject("PUT", r"/bad\.bin$", "500", times=1000)
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 1 and "failed to upload bad.bin" in err
    assert len(slow_blocks) < 40  # it stopped reading, and sending, midway
    [slow] = [r for r in project.fake.requests if r.path.endswith("/slow.bin")]
    assert slow.status != 201
    [concept] = project.fake.concept_ids()
    [draft] = project.fake.pending_drafts(concept)
    assert "slow.bin" not in draft["files"]


def test_codemetas_date_published_is_not_the_new_versions_date(project):
    """codemeta's datePublished is the software's first publication: a run without a
    release dates the new version today, as Zenodo would (not 2019)."""
    (project.root / "codemeta.json").write_text(
        json.dumps(
            {
                "@context": "https://w3id.org/codemeta/3.0",
                "@type": "SoftwareSourceCode",
                "name": "Frobnicator",
                "datePublished": "2019-03-01",
            }
        )
    )
    project.file("tool.zip", b"one")
    code, _, _ = project.publish("--files", "dist/*", "--version", "2.0")
    assert code == 0
    [concept_id] = project.fake.concept_ids()
    [version] = project.fake.published_versions(concept_id)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert version["metadata"]["publication_date"] == today


RICH_CONFIG = """\
title: "Frobnicator: “fast” widgets"
upload_type: publication
publication_type: thesis
description: <p>Frobnicates <a href="https://frob.example" onclick="x()">widgets</a>.</p>
creators:
  - name: Doe,Jane
    affiliation: ACME
    orcid: 0000 0002 1825 0097
  - name: The Frob Team
contributors:
  - name: Roe, Rick
    type: projectmember
license: BSD-2-Clause
keywords: [widgets, frobs]
notes: See the <b>manual</b>.
related_identifiers:
  - identifier: https://doi.org/10.1234/FROB.2024
    relation: isdocumentedby
    resource_type: publication-article
  - identifier: https://github.com/frob/frobnicator
    relation: isSupplementTo
  - identifier: arXiv:2101.00001
    relation: cites
  - identifier: 10.5281/zenodo.1
    relation: isAlternateIdentifier
"""


def test_a_dry_run_of_an_unchanged_record_shows_no_metadata_changes(project):
    # Zenodo answers with its own forms: legacy licence ids, DOIs without their resolver,
    # relations and roles in its spelling, detected schemes, a thesis as a dissertation,
    # sanitised HTML, regrouped ORCIDs, defaults it adds (zenodo-deposit-rules.md §7)
    project.config(RICH_CONFIG)
    project.file("tool.zip", b"one")
    code, _, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    [concept] = project.fake.concept_ids()
    project.file("tool.zip", b"two")
    code, result, err = project.publish(
        "--concept", str(concept), "--files", "dist/*", "--version", "2.0", "--dry-run"
    )
    assert code == 0 and result["status"] == "planned", err
    changes = err.split("metadata changes against the latest version:\n")[1].splitlines()
    changes = [line.strip() for line in changes if line.startswith("  ")]
    assert [line.split(":")[0] for line in changes] == ["version"], changes


def test_strict_sends_nothing_while_the_metadata_has_warnings(project):
    seeded = seed(project.fake, "1.0")
    project.config(CONFIG + "access_conditions: Ask us.\n")  # Zenodo drops it: a warning
    project.file("tool-2.0.zip", b"two")
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    requests_before = len(project.fake.requests)
    code, _, err = project.publish(*args, "--strict")
    assert code == 1
    assert "error: access_conditions: is not stored by Zenodo today" in err
    assert len(project.fake.requests) == requests_before  # nothing was sent
    code, _, err = project.publish(*args)
    assert code == 0 and "warning: access_conditions" in err


@pytest.mark.parametrize("lag", [0, 1, 2])
def test_a_first_version_rerun_finds_its_record_while_the_index_lags(project, lag):
    """Zenodo's deposit list is a search of an index that lags
    (invenio-records-api.md §14.4): the re-run waits for it rather than start a second record."""
    fake = project.fake
    fake.index_lag = lag
    project.file("a.zip", b"a")
    code, first, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    code, again, err = project.publish("--files", "dist/*", "--version", "1.0")
    assert code == 0, err
    assert again["status"] == "unchanged" and again["doi"] == first["doi"]
    assert len(fake.concept_ids()) == 1
