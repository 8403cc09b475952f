"""The Action's entrypoint driven exactly as the runner drives it.

`INPUT_*` names keep their hyphens and unset inputs are empty strings; the event
payload is a file at GITHUB_EVENT_PATH; outputs and the job summary are files read
back with the runner's own grammar. GitHub and Zenodo are fakes on loopback; GitHub's
asset downloads redirect to a second host that refuses an Authorization header.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from tests import container_harness as harness
from tests.test_checkout import POINTER as LFS_POINTER_OF_REAL
from tests.test_checkout import REAL as LFS_REAL
from tests.test_checkout import git
from tests.test_lfs import POINTER as LFS_POINTER
from zenodo_action import action, github_release

GITHUB_TOKEN = "ghs_Zq8rT4testGitHubTokenValue0001"
READ_ONLY_TOKEN = "ghs_Zq8rT4testReadOnlyTokenValue02"
WRITE_BACK_TOKEN = "ghs_Zq8rT4testNoPullsTokenValue03"
DECLARED_INPUTS = yaml.safe_load((harness.REPO_ROOT / "action.yml").read_text())["inputs"]
CONFIG = """\
title: Frobnicator
upload_type: software
creators:
  - name: Doe, Jane
    affiliation: ACME
license: MIT
keywords: [widgets]
"""
NOTES = "## What's new\n\n* faster frobnication\n"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class Runner:
    """One job step on a fake runner: workspace, event file, file commands, captured log."""

    def __init__(self, tmp_path: Path, monkeypatch, capfd, github, zenodo, clients) -> None:
        self.tmp_path = tmp_path
        self.clients = clients  # conftest.QuickClients
        self.monkeypatch = monkeypatch
        self.capfd = capfd
        self.github = github
        self.zenodo = zenodo
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir()
        (self.workspace / ".zenodo.yml").write_text(CONFIG)
        self.repo = github.add_repo("octo-org/frobnicator")
        github.add_token(GITHUB_TOKEN, "write")
        github.add_token(READ_ONLY_TOKEN, "read")
        self.runs = 0

    def release(self, tag: str = "v1.2.0", assets: dict[str, bytes] | None = None, **options):
        release = self.github.add_release(self.repo, tag, body=NOTES, **options)
        for name, data in (assets if assets is not None else {"frob.whl": b"wheel"}).items():
            self.github.add_asset(release, name, data)
        return release

    def run(
        self,
        inputs: dict[str, str],
        *,
        event_name: str = "release",
        event: dict | None = None,
        github_token: str = GITHUB_TOKEN,
    ) -> harness.RunResult:
        """Run main() once with a fresh environment; return what the runner would see."""
        self.runs += 1
        folder = self.tmp_path / f"run{self.runs}"
        folder.mkdir()
        event_path = folder / "event.json"
        event_path.write_text(json.dumps(event or {}))
        outputs, summary = folder / "output", folder / "summary"
        outputs.touch()
        summary.touch()
        env = {
            **self.github.runner_env(self.repo, event_path, event_name),
            **harness.input_environment(inputs, DECLARED_INPUTS, github_token=github_token),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ACTIONS": "true",
        }
        for name in [n for n in os.environ if n.startswith("INPUT_")]:
            self.monkeypatch.delenv(name)
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        self.monkeypatch.chdir(self.workspace)
        self.capfd.readouterr()
        code = action.main(client_factory=self.clients)
        out, err = self.capfd.readouterr()
        result = harness.RunResult(
            code,
            out,
            err,
            harness.parse_env_file(outputs.read_text()),
            {},
            summary.read_text(),
        )
        self.assert_no_secret(result)
        return result

    def publish_release(self, release, **inputs: str) -> harness.RunResult:
        event = self.github.release_event(self.repo, release)
        defaults = {"token": self.zenodo.token, "zenodo-url": self.zenodo.url}
        return self.run({**defaults, **inputs}, event=event)

    def assert_no_secret(self, result: harness.RunResult) -> None:
        """Each secret appears once, in its own add-mask line, and nowhere else."""
        everything = result.stdout + result.stderr + result.summary
        everything += "".join(result.outputs.values())
        for secret in (self.zenodo.token, GITHUB_TOKEN, READ_ONLY_TOKEN, WRITE_BACK_TOKEN):
            mask = f"::add-mask::{secret}\n"
            assert secret not in everything.replace(mask, ""), "a token leaked"
        assert "Traceback" not in everything


@pytest.fixture
def runner(tmp_path, monkeypatch, capfd, fake_github, fake_zenodo, fast_retries):
    monkeypatch.setattr(github_release, "ASSET_POLL_SECONDS", 0.05)
    return Runner(tmp_path, monkeypatch, capfd, fake_github, fake_zenodo, fast_retries)


def seed(zenodo, version: str = "v1.1.0"):
    return zenodo.seed_concept(versions=[{"version": version, "files": {"old.whl": b"old"}}])


def zip_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


# --- release -> Zenodo ----------------------------------------------------------------


def test_a_published_release_becomes_the_next_version_with_its_assets_and_source(runner):
    concept = seed(runner.zenodo)
    release = runner.release(assets={"frob-1.2.0.whl": b"wheel bytes", "frob.tar.gz": b"sdist"})

    result = runner.publish_release(release, concept=concept.concept_doi)

    assert result.exit_code == 0, result.stdout
    [_, new] = runner.zenodo.published_versions(concept.concept_id)
    assert new["version"] == "v1.2.0"
    assert new["publication_date"] == "2024-05-15"  # the release's published_at
    archive = "frobnicator-v1.2.0.zip"
    assert set(new["files"]) == {"frob-1.2.0.whl", "frob.tar.gz", archive}
    assert new["files"]["frob-1.2.0.whl"][1] == md5(b"wheel bytes")
    assert "README.md" in "".join(zip_names(runner.zenodo.file_bytes(new["record_id"], archive)))
    assert runner.zenodo.pending_drafts(concept.concept_id) == []
    metadata = new["metadata"]
    assert "faster frobnication" in metadata["description"]  # the notes, as HTML
    assert metadata["description"].startswith("<p>")  # rendered by GitHub's /markdown
    [render] = runner.github.requests_to("api", "/markdown")
    assert render.json()["text"] == NOTES and render.json()["mode"] == "gfm"
    # the tagged tree, as Zenodo's webhook links it (its "Release: v1.2.0" box)
    tree = "https://github.com/octo-org/frobnicator/tree/v1.2.0"
    link = {"relation": "isSupplementTo", "resource_type": "software", "scheme": "url"}
    assert (
        link.items()
        <= next(r for r in metadata["related_identifiers"] if r["identifier"] == tree).items()
    )
    assert result.outputs["status"] == "published"
    assert result.outputs["doi"] == new["doi"]
    assert result.outputs["doi-url"] == f"https://doi.org/{new['doi']}"
    assert result.outputs["concept-doi"] == concept.concept_doi
    assert result.outputs["record-id"] == str(new["record_id"])
    assert result.outputs["record-url"].endswith(f"/records/{new['record_id']}")
    assert result.outputs["version"] == "v1.2.0"
    assert new["doi"] in result.outputs["badge"]


def test_the_action_makes_the_client_with_the_factory_it_is_given(runner):
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    assert result.exit_code == 0, result.stdout
    [settings] = runner.clients.made_for
    assert settings.zenodo_url == runner.zenodo.url and settings.version == "v1.2.0"


def test_storage_downloads_never_carry_the_github_token(runner):
    concept = seed(runner.zenodo)
    runner.publish_release(runner.release(), concept=concept.concept_doi)
    storage = runner.github.requests_to("storage")
    assert storage, "assets must be fetched through the redirect to the storage host"
    assert all("Authorization" not in r.headers for r in storage)
    api = runner.github.requests_to("api", "/releases/assets/")
    assert api and all(r.headers.get("Accept") == "application/octet-stream" for r in api)


def test_the_job_summary_has_the_doi_badge_files_and_citation(runner):
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    doi = result.outputs["doi"]
    assert f"[{doi}](https://doi.org/{doi})" in result.summary
    assert concept.concept_doi in result.summary
    assert result.outputs["badge"] in result.summary
    assert f"| frob.whl | 5 B | `{md5(b'wheel')}` |" in result.summary
    assert "Doe, J. (2024). Frobnicator (v1.2.0) [Software]. Zenodo." in result.summary


def test_the_badge_is_appended_to_the_release_notes_once(runner):
    concept = seed(runner.zenodo)
    release = runner.release()

    first = runner.publish_release(release, concept=concept.concept_doi)
    again = runner.publish_release(release, concept=concept.concept_doi)

    assert again.exit_code == 0
    assert again.outputs["status"] == "unchanged"
    assert again.outputs["doi"] == first.outputs["doi"]
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 2
    assert release.body.startswith(NOTES.rstrip())
    assert release.body.count(first.outputs["badge"]) == 1
    added = f"added the DOI badge for {first.outputs['doi']} to the notes of release"
    assert added in first.stdout and added not in again.stdout
    assert "already carry the DOI badge" in again.stdout


def test_a_read_only_github_token_warns_about_the_badge_but_succeeds(runner):
    concept = seed(runner.zenodo)
    release = runner.release()
    event = runner.github.release_event(runner.repo, release)
    inputs = {"token": runner.zenodo.token, "zenodo-url": runner.zenodo.url}
    inputs["concept"] = concept.concept_doi

    result = runner.run(inputs, event=event, github_token=READ_ONLY_TOKEN)

    assert result.exit_code == 0, result.stdout
    assert result.outputs["status"] == "published"
    [warning] = [a for a in result.annotations("warning") if "DOI badge" in a]
    assert "contents: write" in warning
    assert release.body == NOTES


def test_the_version_input_overrides_the_tag(runner):
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi, version="1.2")
    assert result.outputs["version"] == "1.2"
    assert runner.zenodo.published_versions(concept.concept_id)[-1]["version"] == "1.2"


def test_a_description_in_the_file_wins_over_the_release_notes(runner):
    (runner.workspace / ".zenodo.yml").write_text(CONFIG + "description: <p>Own words.</p>\n")
    concept = seed(runner.zenodo)
    runner.publish_release(runner.release(), concept=concept.concept_doi)
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert latest["metadata"]["description"] == "<p>Own words.</p>"


def test_without_upload_type_a_release_is_software(runner):
    config = CONFIG.replace("upload_type: software\n", "")
    (runner.workspace / ".zenodo.yml").write_text(config)
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    assert result.exit_code == 0, result.stdout
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert latest["metadata"]["upload_type"] == "software"


def test_the_release_link_is_not_accumulated_across_versions(runner):
    concept = seed(runner.zenodo)
    runner.publish_release(runner.release("v1.2.0"), concept=concept.concept_doi)
    runner.publish_release(runner.release("v1.3.0"), concept=concept.concept_doi)
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    links = [r["identifier"] for r in latest["metadata"]["related_identifiers"]]
    assert links == ["https://github.com/octo-org/frobnicator/tree/v1.3.0"]


def test_a_first_version_links_the_tree_which_replaces_the_citations_repository_link(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    repository = "repository-code: https://github.com/octo-org/frobnicator\n"
    (runner.workspace / "CITATION.cff").write_text(CITATION + repository)
    result = runner.publish_release(runner.release("v1.2.0"))  # no concept: a new record
    assert result.exit_code == 0, result.stdout
    [concept] = runner.zenodo.concept_ids()
    [first] = runner.zenodo.published_versions(concept)
    links = first["metadata"]["related_identifiers"]
    # one github.com box on the record page, the release's, not a second bare "Github"
    assert [r["identifier"] for r in links] == [
        "https://github.com/octo-org/frobnicator/tree/v1.2.0"
    ]


def test_a_detected_licence_zenodo_added_lately_is_recorded_not_replaced_by_the_default(runner):
    # lgpl-2.1+ entered Zenodo's licence map in 2023-11 (zenodo-deposit-rules.md §2)
    (runner.workspace / ".zenodo.yml").write_text(CONFIG.replace("license: MIT\n", ""))
    runner.github.set_license(runner.repo, "LGPL-2.1+")
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    assert result.exit_code == 0, result.stdout
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert latest["metadata"]["license"] == "lgpl-2.1-or-later"  # Zenodo's echo of it


def test_assets_still_uploading_are_waited_for_but_unlisted_ones_are_not(runner):
    concept = seed(runner.zenodo)
    release = runner.release(assets={})
    runner.github.add_asset(release, "late.whl", b"late", hidden_for_polls=9)
    runner.github.add_asset(release, "uploading.whl", b"slow", open_for_polls=3)

    result = runner.publish_release(release, concept=concept.concept_doi)

    assert result.exit_code == 0, result.stdout
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert "uploading.whl" in latest["files"]  # listed as `open`: waited for
    assert "late.whl" not in latest["files"]  # not listed at all yet: not waited for
    assert "waiting 0s for release assets: still uploading: uploading.whl" in result.stdout


def test_a_release_without_assets_publishes_without_waiting(runner):
    concept = seed(runner.zenodo)
    release = runner.release(assets={})
    result = runner.publish_release(release, concept=concept.concept_doi)
    assert result.exit_code == 0, result.stdout
    assert len(runner.github.requests_to("api", f"/releases/{release.id}/assets")) == 1
    assert "waiting" not in result.stdout


def test_an_asset_still_uploading_after_asset_wait_fails_the_run_before_zenodo(runner):
    concept = seed(runner.zenodo)
    release = runner.release(assets={"ready.whl": b"r"})
    runner.github.add_asset(release, "uploading.whl", b"slow", open_for_polls=3)
    result = runner.publish_release(release, concept=concept.concept_doi, **{"asset-wait": "0"})
    assert result.exit_code == 1, result.stdout
    [error] = result.annotations("error")
    assert "release asset still uploading after 0s: uploading.whl" in error
    assert "raise the `asset-wait` input" in error
    assert "uploading.whl" in result.summary and "zenodo-action failed" in result.summary
    assert result.outputs["status"] == "failed"
    assert runner.zenodo.count("*", "/deposit/depositions") == 0  # not even a read
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 1


def test_a_failed_run_with_invalid_metadata_keeps_status_invalid(runner):
    (runner.workspace / ".zenodo.yml").write_text("title: A\nupload_type: softwar\n")
    result = runner.publish_release(runner.release())
    assert result.exit_code == 1
    assert result.outputs["status"] == "invalid"


def test_a_bad_asset_wait_is_named(runner):
    result = runner.publish_release(runner.release(), **{"asset-wait": "two minutes"})
    assert result.exit_code == 2
    assert "input 'asset-wait' must be a number of seconds" in result.annotations("error")[0]


def test_source_archive_tar_gz_without_assets(runner):
    concept = seed(runner.zenodo)
    release = runner.release()
    inputs = {"concept": concept.concept_doi, "source-archive": "tar.gz", "release-assets": "false"}
    result = runner.publish_release(release, **inputs)
    assert result.exit_code == 0, result.stdout
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert set(latest["files"]) == {"frobnicator-v1.2.0.tar.gz"}


def test_files_globs_are_added_to_the_release_files(runner):
    (runner.workspace / "docs").mkdir()
    (runner.workspace / "docs" / "manual.pdf").write_bytes(b"%PDF manual")
    concept = seed(runner.zenodo)
    inputs = {"concept": concept.concept_doi, "source-archive": "none", "files": "docs/*.pdf\n"}
    result = runner.publish_release(runner.release(), **inputs)
    assert result.exit_code == 0, result.stdout
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert set(latest["files"]) == {"frob.whl", "manual.pdf"}


def test_a_new_concept_is_reported_so_the_user_can_pin_it(runner):
    result = runner.publish_release(runner.release())
    assert result.exit_code == 0, result.stdout
    [concept_id] = runner.zenodo.concept_ids()
    concept_doi = result.outputs["concept-doi"]
    assert concept_doi.endswith(f"zenodo.{concept_id}")
    assert any(f"concept: {concept_doi}" in n for n in result.annotations("notice"))


def test_publish_false_reserves_the_doi_that_publishing_then_mints(runner):
    concept = seed(runner.zenodo)
    release = runner.release()
    result = runner.publish_release(release, concept=concept.concept_doi, publish="false")
    assert result.exit_code == 0, result.stdout
    assert result.outputs["status"] == "draft"
    [draft] = runner.zenodo.pending_drafts(concept.concept_id)
    assert draft["metadata"]["version"] == "v1.2.0"
    reserved = f"10.5281/zenodo.{draft['record_id']}"
    assert result.outputs["doi"] == reserved and result.outputs["doi-reserved"] == "true"
    assert reserved in result.outputs["badge"] and reserved in result.summary
    assert release.body == NOTES  # a reserved DOI is not announced in the release notes

    published = runner.publish_release(release, concept=concept.concept_doi)
    assert published.outputs["status"] == "published", published.stdout
    assert published.outputs["doi"] == reserved and published.outputs["doi-reserved"] == "false"
    assert published.outputs["record-id"] == str(draft["record_id"])


def test_dry_run_plans_and_changes_nothing(runner):
    concept = seed(runner.zenodo)
    release = runner.release()
    result = runner.publish_release(release, concept=concept.concept_doi, **{"dry-run": "true"})
    assert result.exit_code == 0, result.stdout
    assert result.outputs["status"] == "planned"
    assert "upload frob.whl" in " ".join(result.stdout.split())
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 1
    assert runner.zenodo.pending_drafts(concept.concept_id) == []
    assert release.body == NOTES


@pytest.mark.parametrize("event_action", ["created", "released", "edited", "deleted"])
def test_other_release_actions_do_nothing(runner, event_action):
    concept = seed(runner.zenodo)
    release = runner.release()
    event = runner.github.release_event(runner.repo, release)
    event["action"] = event_action
    result = runner.run({"token": runner.zenodo.token, "concept": concept.concept_doi}, event=event)
    assert result.exit_code == 0
    assert "types: [published]" in result.annotations("notice")[0]
    assert runner.zenodo.requests == []
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 1


# --- failures ------------------------------------------------------------------------------


def test_invalid_metadata_on_a_release_annotates_and_sends_nothing(runner):
    (runner.workspace / ".zenodo.yml").write_text(CONFIG.replace("MIT", "not-a-licence"))
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    assert result.exit_code == 1
    assert result.outputs["status"] == "invalid"
    errors = result.annotations("error")
    assert any(a.startswith("::error file=.zenodo.yml,line=6,") for a in errors)
    assert "not a license id Zenodo knows" in " ".join(errors)
    # `auto` on a loopback address asks which API it serves (reads only) before Zenodo's
    # licence list may judge; nothing is written, and no release file is fetched
    assert {r.method for r in runner.zenodo.requests} <= {"GET"}
    assert runner.github.requests == []  # not even the notes rendered: the file failed first


def test_publishing_without_a_token_explains_what_to_add(runner):
    release = runner.release()
    result = runner.run({}, event=runner.github.release_event(runner.repo, release))
    assert result.exit_code == 2
    [error] = result.annotations("error")
    assert "secrets.ZENODO_TOKEN" in error


def test_a_rejection_by_zenodo_points_at_the_line_of_the_field(runner):
    # A rule Zenodo enforces at publish time that the local check lets through.
    (runner.workspace / ".zenodo.yml").write_text(CONFIG.replace("Doe, Jane", "', Jane'"))
    concept = seed(runner.zenodo)

    result = runner.publish_release(runner.release(), concept=concept.concept_doi)

    assert result.exit_code == 1
    located = [a for a in result.annotations("error") if "file=.zenodo.yml,line=4," in a]
    assert located and "Family name cannot be blank" in located[0]
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 1


def test_a_bad_zenodo_token_fails_clearly_without_echoing_it(runner):
    concept = seed(runner.zenodo)
    release = runner.release()
    event = runner.github.release_event(runner.repo, release)
    inputs = {"token": "wrong-token-value-123", "zenodo-url": runner.zenodo.url}
    result = runner.run({**inputs, "concept": concept.concept_doi}, event=event)
    assert result.exit_code == 1
    assert "wrong-token-value-123" not in result.stdout.replace(
        "::add-mask::wrong-token-value-123\n", ""
    )
    assert "token" in result.annotations("error")[0].lower()


def test_a_release_with_nothing_to_publish_is_a_usage_error(runner):
    release = runner.release(assets={})
    inputs = {"source-archive": "none"}
    result = runner.publish_release(release, **inputs)
    assert result.exit_code == 2
    assert "nothing to publish" in result.annotations("error")[0]
    assert runner.zenodo.requests == []


def test_a_bad_boolean_input_is_named(runner):
    result = runner.publish_release(runner.release(), publish="yes")
    assert result.exit_code == 2
    assert "input 'publish' must be true or false" in result.annotations("error")[0]


# --- every run ends with a job summary and a status -----------------------------------------


def failure_of(result: harness.RunResult) -> str:
    """The job summary's opening: what went wrong, and what to do."""
    assert result.summary.startswith("## :x: zenodo-action failed\n"), result.summary
    return result.summary


def test_a_bad_input_leaves_a_summary_and_status_failed(runner):
    result = runner.publish_release(runner.release(), **{"dry-run": "maybe"})
    assert result.exit_code == 2
    assert result.outputs == {"status": "failed"}
    summary = failure_of(result)
    assert "input 'dry-run' must be true or false, not 'maybe'" in summary
    assert "**What to do:** accepted: true, True, TRUE, false, False, FALSE" in summary
    assert runner.zenodo.requests == []


def test_a_workspace_without_metadata_says_what_to_set_in_the_summary(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    result = runner.publish_release(runner.release())
    assert result.exit_code == 2 and result.outputs == {"status": "failed"}
    summary = failure_of(result)
    assert "no .zenodo.yml or .zenodo.json, no CITATION.cff and no codemeta.json" in summary
    assert "or name the file with `config: PATH`" in summary and "actions/checkout" in summary
    assert "--config" not in summary


def test_a_run_stopped_before_its_first_request_says_why_in_the_summary(runner):
    inputs = {"token": runner.zenodo.token, "zenodo-url": runner.zenodo.url, "files": "data/*"}
    result = runner.run(inputs, event_name="workflow_dispatch", event={"inputs": {}})
    assert result.exit_code == 2 and result.outputs == {"status": "failed"}
    assert "the pattern 'data/*' matches no file" in failure_of(result)
    assert runner.zenodo.requests == []


def test_a_publish_refused_after_the_draft_exists_names_the_draft_to_continue(runner):
    concept = seed(runner.zenodo)
    runner.zenodo.spam_blocked = True
    result = runner.publish_release(runner.release("v1.2.0"), concept=concept.concept_doi)
    assert result.exit_code == 1
    (draft,) = runner.zenodo.pending_drafts(concept.concept_id)
    page = f"{runner.zenodo.url}/deposit/{draft['record_id']}"
    assert result.outputs == {
        "record-id": str(draft["record_id"]),
        "record-url": page,
        "status": "failed",
    }
    summary = failure_of(result)
    said = f"**Draft left:** draft {draft['record_id']} ({page}) is left unpublished on"
    assert said in summary and "the re-run continues that draft" in summary
    assert f"draft {draft['record_id']} ({page})" in result.stdout  # the log says it too


def test_invalid_metadata_keeps_status_invalid_and_leads_the_summary_with_the_count(runner):
    (runner.workspace / ".zenodo.yml").write_text(CONFIG.replace("MIT", "not-a-licence"))
    result = runner.publish_release(runner.release(), concept=seed(runner.zenodo).concept_doi)
    assert result.outputs == {"status": "invalid"}
    summary = failure_of(result)
    said = "the metadata has 1 error in .zenodo.yml (it is listed with its line)"
    assert said in summary and str(runner.workspace) not in summary
    assert summary.index(said) < summary.index("## Metadata") < summary.index("not-a-licence")


def test_the_release_summary_leads_with_the_doi_then_files_citation_sources_problems(runner):
    (runner.workspace / ".zenodo.yml").write_text(CONFIG + "version: v1.2.0\n")  # a warning
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    assert result.exit_code == 0, result.stdout
    summary, doi = result.summary, result.outputs["doi"]
    assert summary.startswith("## Published to Zenodo\n")
    order = [
        f"| DOI | [{doi}]",
        result.outputs["badge"],
        "| File | Size | MD5 |",
        "**Cite as**",
        "| Metadata field | From |",
        "## Metadata",
        "| `version` | is hard-coded",
    ]
    places = [summary.find(text) for text in order]
    assert -1 not in places and places == sorted(places), summary


def test_a_stale_citation_cff_the_write_back_updates_is_a_notice_not_a_chore(runner):
    with_files_to_cite(runner)
    (runner.workspace / ".zenodo.yml").unlink()
    (runner.workspace / "CITATION.cff").write_text(CFF_ON_MAIN)
    concept = seed(runner.zenodo)
    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "citation"}
    )
    assert result.exit_code == 0, result.stdout
    stale = [a for a in result.annotations("notice") if "file=CITATION.cff,line=8," in a]
    assert stale and "the write-back pull request updates it" in stale[0]
    assert not any("update it" in a for a in result.annotations("warning"))
    assert "| 8:10 | notice | `version` | says '1.1.0'" in result.summary
    assert result.outputs["write-back-pull-request"]


# --- pull requests: validation only --------------------------------------------------------


def pull_request(runner) -> dict:
    repository = runner.github.repository_json(runner.repo)
    return {"action": "opened", "number": 7, "repository": repository}


def test_a_pull_request_validates_without_any_token_or_network(runner):
    (runner.workspace / ".zenodo.yml").write_text(CONFIG.replace("software", "softwar"))
    result = runner.run({}, event_name="pull_request", event=pull_request(runner), github_token="")
    assert result.exit_code == 1
    assert result.outputs == {"status": "invalid"}
    [error] = result.annotations("error")
    assert error.startswith("::error file=.zenodo.yml,line=2,col=")
    assert "| 2:14 | error | `upload_type` |" in result.summary
    assert runner.zenodo.requests == [] and runner.github.requests == []


def test_a_valid_pull_request_passes_with_warnings_shown(runner):
    (runner.workspace / ".zenodo.yml").write_text(CONFIG + "version: '1.0'\n")
    result = runner.run({}, event_name="pull_request_target", event=pull_request(runner))
    assert result.exit_code == 0, result.stdout
    assert result.outputs == {"status": "valid"}
    assert result.annotations("error") == []
    [warning] = result.annotations("warning")
    assert "hard-coded and will go stale" in warning
    [notice] = result.annotations("notice")  # no description: a release uses its notes
    assert "a release uses its notes" in notice


def test_validate_mode_finds_a_zenodo_json(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    (runner.workspace / ".zenodo.json").write_text(json.dumps(yaml.safe_load(CONFIG)))
    result = runner.run({"mode": "validate"}, event_name="push")
    assert result.exit_code == 0, result.stdout
    assert result.outputs == {"status": "valid"}


def test_validate_mode_without_a_config_fails_as_a_bad_input(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    result = runner.run({"mode": "validate"}, event_name="push")
    assert result.exit_code == 2
    assert result.outputs == {"status": "failed"}  # a bad input, as action.yml says
    assert "no .zenodo.yml or .zenodo.json" in result.annotations("error")[0]
    assert "no .zenodo.yml or .zenodo.json" in failure_of(result)


def test_validate_mode_with_a_missing_citation_file_fails_as_a_bad_input(runner):
    inputs = {"mode": "validate", "citation-file": "docs/CITATION.cff"}
    result = runner.run(
        inputs, event_name="pull_request", event=pull_request(runner), github_token=""
    )
    assert result.exit_code == 2 and result.outputs == {"status": "failed"}
    assert "docs/CITATION.cff: no such file" in failure_of(result)


# --- datasets: scheduled and manual runs ---------------------------------------------------


def dataset_run(runner, concept, version: str) -> harness.RunResult:
    inputs = {
        "token": runner.zenodo.token,
        "zenodo-url": runner.zenodo.url,
        "concept": concept.concept_doi,
        "files": "data/*.csv\n# the readme too\ndata/README.txt",
        "version": version,
    }
    event = {"inputs": {}, "ref": "refs/heads/main"}
    return runner.run(inputs, event_name="workflow_dispatch", event=event)


def test_a_dataset_run_publishes_the_named_files_and_nothing_when_unchanged(runner):
    data = runner.workspace / "data"
    data.mkdir()
    (data / "counts.csv").write_text("a,b\n1,2\n")
    (data / "README.txt").write_text("counts per day\n")
    concept = seed(runner.zenodo, "2024-05-01")

    first = dataset_run(runner, concept, "2024-05-02")
    second = dataset_run(runner, concept, "2024-05-03")

    assert first.outputs["status"] == "published", first.stdout
    versions = runner.zenodo.published_versions(concept.concept_id)
    assert [v["version"] for v in versions] == ["2024-05-01", "2024-05-02"]
    assert set(versions[-1]["files"]) == {"counts.csv", "README.txt"}
    assert second.exit_code == 0
    assert second.outputs["status"] == "unchanged"
    assert second.outputs["doi"] == first.outputs["doi"]
    assert runner.github.requests_to("api", "/releases") == []


def test_a_dataset_glob_that_matches_nothing_stops_before_zenodo(runner):
    concept = seed(runner.zenodo)
    result = dataset_run(runner, concept, "2")
    assert result.exit_code == 2
    assert "matches no file" in result.annotations("error")[0]
    assert runner.zenodo.requests == []


def test_the_tokens_are_masked_before_anything_else_is_printed(runner):
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    first_lines = result.stdout.splitlines()[:2]
    assert first_lines == [
        f"::add-mask::{runner.zenodo.token}",
        f"::add-mask::{GITHUB_TOKEN}",
    ]


def test_hostile_asset_names_and_notes_inject_no_workflow_command(runner):
    concept = seed(runner.zenodo)
    release = runner.github.add_release(runner.repo, "v9", body="::error::pwned by the notes")
    runner.github.add_asset(release, "::warning::pwned.whl", b"payload")

    result = runner.publish_release(release, concept=concept.concept_doi)

    assert result.exit_code == 0, result.stdout
    assert "::warning::pwned.whl" in result.stdout  # shown, but as plain text
    commands = harness.workflow_commands(result.stdout)
    assert not any("pwned" in line for line in commands)
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert "::warning::pwned.whl" in latest["files"]


def test_an_asset_name_that_climbs_out_of_the_download_folder_is_refused(runner):
    concept = seed(runner.zenodo)
    release = runner.release(assets={"../../escape.whl": b"x"})

    result = runner.publish_release(release, concept=concept.concept_doi)

    assert result.exit_code == 1
    assert "escape.whl" in result.annotations("error")[0]
    assert not (runner.tmp_path / "escape.whl").exists()
    assert runner.zenodo.requests == []


def test_a_files_glob_that_matches_nothing_fails_before_any_download(runner):
    concept = seed(runner.zenodo)
    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, files="docs/*.pdf"
    )
    assert result.exit_code == 2
    assert "matches no file" in result.annotations("error")[0]
    assert runner.github.requests_to("storage") == []
    assert runner.zenodo.requests == []


# --- metadata where users keep it ----------------------------------------------------------

CITATION = """\
cff-version: 1.2.0
message: If you use this software, please cite it using these metadata.
title: "Frobnicator: frobnicates widgets"
abstract: Frobnicates widgets, fast.
authors:
  - family-names: Doe
    given-names: Jane
    orcid: https://orcid.org/0000-0002-1825-0097
  - name: The Frob Team
license: Apache-2.0
keywords: [widgets]
version: 1.2.0
date-released: "2024-05-15"
"""


def test_a_release_of_a_repository_with_only_a_citation_cff_publishes_a_complete_record(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    (runner.workspace / "CITATION.cff").write_text(CITATION)
    concept = seed(runner.zenodo)

    result = runner.publish_release(runner.release(), concept=concept.concept_doi)

    assert result.exit_code == 0, result.stdout
    new = runner.zenodo.published_versions(concept.concept_id)[-1]
    metadata = new["metadata"]
    assert metadata["title"] == "Frobnicator: frobnicates widgets"
    assert [c["name"] for c in metadata["creators"]] == ["Doe, Jane", "The Frob Team"]
    assert metadata["creators"][0]["orcid"] == "0000-0002-1825-0097"
    assert metadata["description"] == "<p>Frobnicates widgets, fast.</p>"  # not the notes
    assert metadata["upload_type"] == "software"
    assert metadata["version"] == "v1.2.0"
    assert "| `title` | CITATION.cff |" in result.summary
    assert "| `version` | the run |" in result.summary
    assert runner.github.requests_to("api", "/contributors") == []  # nothing was missing
    assert result.annotations("warning") == []  # v1.2.0 and 1.2.0 are the same version


def test_fields_no_file_sets_come_from_the_release_and_the_repository(runner):
    (runner.workspace / ".zenodo.yml").write_text("keywords: [widgets]\n")
    runner.github.add_contributor(runner.repo, "janedoe", 40, name="Jane Doe", company="ACME")
    runner.github.add_contributor(runner.repo, "dependabot[bot]", 90, type="Bot")
    runner.github.add_contributor(runner.repo, "rick", 3, name="Rick van der Roe")
    runner.github.set_license(runner.repo, "MIT")
    concept = seed(runner.zenodo)

    result = runner.publish_release(
        runner.release(name="Spring release"), concept=concept.concept_doi
    )

    assert result.exit_code == 0, result.stdout
    metadata = runner.zenodo.published_versions(concept.concept_id)[-1]["metadata"]
    assert metadata["title"] == "octo-org/frobnicator: Spring release"
    # bots left out; "Jane Doe" split as Family, Given; three words kept as written
    assert metadata["creators"] == [
        {"name": "Doe, Jane", "affiliation": "ACME"},
        {"name": "Rick van der Roe", "affiliation": None},  # Zenodo echoes a null affiliation
    ]
    assert metadata["license"].lower() in ("mit", "mit-license")
    assert metadata["upload_type"] == "software"
    for field in ("title", "creators", "license", "upload_type", "description"):
        assert f"| `{field}` | the release |" in result.summary


def test_a_stale_citation_cff_is_warned_about_on_its_line(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    (runner.workspace / "CITATION.cff").write_text(
        CITATION.replace("\nversion: 1.2.0", "\nversion: 1.1.0")
    )
    concept = seed(runner.zenodo)

    result = runner.publish_release(runner.release(), concept=concept.concept_doi)

    assert result.exit_code == 0, result.stdout
    [warning] = result.annotations("warning")
    assert warning.startswith("::warning file=CITATION.cff,line=12,")
    assert "release being published says 'v1.2.0'" in warning
    assert runner.zenodo.published_versions(concept.concept_id)[-1]["version"] == "v1.2.0"


def test_a_pull_request_annotates_a_broken_citation_cff_on_its_line(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    broken = CITATION.replace("  - name: The Frob Team\n", "  - alias: nobody\n")
    (runner.workspace / "CITATION.cff").write_text(broken)
    result = runner.run({}, event_name="pull_request", event=pull_request(runner), github_token="")
    assert result.exit_code == 1
    assert result.outputs == {"status": "invalid"}
    [error] = result.annotations("error")
    assert error.startswith("::error file=CITATION.cff,line=9,")
    assert "Family name cannot be blank" in error
    assert runner.zenodo.requests == [] and runner.github.requests == []


def test_a_citation_key_zenodo_never_reads_warns_and_strict_makes_it_fail(runner):
    # Zenodo's webhook publishes this file: an unknown top-level key and a bare ORCID
    (runner.workspace / ".zenodo.yml").unlink()
    text = CITATION + "journal: Journal of Frobs\n"
    (runner.workspace / "CITATION.cff").write_text(text)
    result = runner.run({}, event_name="pull_request", event=pull_request(runner))
    assert result.exit_code == 0, result.stdout
    assert result.outputs == {"status": "valid"}
    [warning] = [w for w in result.annotations("warning") if "journal" in w]
    assert warning.startswith(f"::warning file=CITATION.cff,line={text.count(chr(10))},")
    strict = runner.run({"strict": "true"}, event_name="pull_request", event=pull_request(runner))
    assert strict.exit_code == 1 and strict.outputs == {"status": "invalid"}
    # and before publishing: nothing is sent
    published = runner.publish_release(runner.release(), strict="true")
    assert published.exit_code == 1 and published.outputs["status"] == "invalid"
    assert runner.zenodo.requests == []


def test_a_pull_request_of_a_partial_zenodo_json_gets_notices_not_errors(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    (runner.workspace / ".zenodo.json").write_text('{"description": "<p>x</p>", "license": "MIT"}')
    result = runner.run({}, event_name="pull_request", event=pull_request(runner))
    assert result.exit_code == 0, result.stdout
    assert result.outputs == {"status": "valid"}
    notices = result.annotations("notice")
    assert len(notices) == 3 and any("octo-org/frobnicator: <release name" in n for n in notices)
    strict = runner.run(
        {"require-complete": "true"}, event_name="pull_request", event=pull_request(runner)
    )
    assert strict.exit_code == 1 and len(strict.annotations("error")) == 3


def test_the_log_shows_each_upload_and_upload_workers_is_honoured(runner):
    concept = seed(runner.zenodo)
    assets = {f"part-{i}.whl": bytes([i]) * 5000 for i in range(3)}
    release = runner.release(assets=assets)
    result = runner.publish_release(release, concept=concept.concept_doi, **{"upload-workers": "1"})
    assert result.exit_code == 0, result.stdout
    for name in assets:
        assert f"uploading {name} (5.0 kB)" in result.stdout
        assert re.search(rf"uploaded {re.escape(name)} \(5\.0 kB\) in [\d.]+ s", result.stdout)
    assert runner.zenodo.peak_uploads == 1


# --- back-fill: a release the webhook missed, published by tag ---------------------------


def backfill(runner, concept, tag: str, **inputs: str) -> harness.RunResult:
    given = {
        "token": runner.zenodo.token,
        "zenodo-url": runner.zenodo.url,
        "concept": concept.concept_doi,
        "release-tag": tag,
        **inputs,
    }
    event = {"inputs": {"tag": tag}, "ref": "refs/heads/main"}
    return runner.run(given, event_name="workflow_dispatch", event=event)


def test_a_missed_release_is_back_filled_by_tag_as_its_event_would_have(runner):
    concept = seed(runner.zenodo)
    runner.release("v1.2.0", assets={"frob.whl": b"wheel"}, published_at="2024-06-01T08:00:00Z")

    result = backfill(runner, concept, "v1.2.0")

    assert result.exit_code == 0, result.stdout + result.stderr
    [_, new] = runner.zenodo.published_versions(concept.concept_id)
    assert new["version"] == "v1.2.0"
    assert new["publication_date"] == "2024-06-01"  # the release's day, not today's
    assert set(new["files"]) == {"frob.whl", "frobnicator-v1.2.0.zip"}
    assert "faster frobnication" in new["metadata"]["description"]  # the notes
    tree = "https://github.com/octo-org/frobnicator/tree/v1.2.0"
    assert tree in {r["identifier"] for r in new["metadata"]["related_identifiers"]}
    [lookup] = runner.github.requests_to("api", "/releases/tags/")
    assert lookup.path.endswith("/releases/tags/v1.2.0")
    assert result.outputs["status"] == "published" and result.outputs["doi"] == new["doi"]

    again = backfill(runner, concept, "v1.2.0")
    assert again.outputs["status"] == "unchanged" and again.outputs["doi"] == new["doi"]
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 2


def test_back_filling_a_version_the_webhook_made_reports_it_unchanged(runner):
    # Zenodo's webhook names the version by .zenodo.json's `version` when it sets one.
    concept = seed(runner.zenodo, "1.2.0")
    runner.release("v1.2.0")

    result = backfill(runner, concept, "v1.2.0")

    assert result.exit_code == 0, result.stdout
    [made] = runner.zenodo.published_versions(concept.concept_id)
    assert result.outputs["status"] == "unchanged" and result.outputs["doi"] == made["doi"]
    assert runner.zenodo.pending_drafts(concept.concept_id) == []


def test_back_filling_an_unknown_tag_names_it_and_sends_nothing_to_zenodo(runner):
    concept = seed(runner.zenodo)
    runner.release("v1.2.0", draft=True)  # a draft release is not found by tag either

    result = backfill(runner, concept, "v1.2.0")

    assert result.exit_code == 1
    [error] = result.annotations("error")
    assert "no published release with tag v1.2.0" in error and "octo-org/frobnicator" in error
    assert len(runner.zenodo.published_versions(concept.concept_id)) == 1
    assert runner.zenodo.pending_drafts(concept.concept_id) == []


def test_release_tag_on_a_release_event_is_refused(runner):
    release = runner.release()
    result = runner.publish_release(release, **{"release-tag": "v0.9.0"})
    assert result.exit_code == 2
    assert "release-tag" in result.annotations("error")[0]


# --- write-back: the DOI into the repository's files by one pull request ------------------

CFF_ON_MAIN = """\
# Cite the Frobnicator as below; the release workflow keeps this file current.
cff-version: 1.2.0
message: If you use this software, please cite it.
title: Frobnicator
authors:
  - family-names: Doe  # the maintainer
    given-names: Jane
version: 1.1.0  # without a v, unlike the tags
date-released: 2024-01-02
type: software
"""
CODEMETA_ON_MAIN = """\
{
    "@context": "https://w3id.org/codemeta/3.0",
    "name": "Frobnicator",
    "version": "1.1.0",
    "dateModified": "2024-01-02"
}
"""
README_ON_MAIN = """\
# Frobnicator

<!-- zenodo-badge -->
(no DOI yet)
<!-- /zenodo-badge -->

Frobnicates widgets.
"""


def with_files_to_cite(runner) -> None:
    files = {
        "CITATION.cff": CFF_ON_MAIN.encode(),
        "codemeta.json": CODEMETA_ON_MAIN.encode(),
        "README.md": README_ON_MAIN.encode(),
    }
    runner.repo = runner.github.add_repo("octo-org/frobnicator", files=files)


def test_a_release_ends_with_one_pull_request_citing_the_dois(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    release = runner.release()

    result = runner.publish_release(release, concept=concept.concept_doi, **{"write-back": "all"})

    assert result.exit_code == 0, result.stdout
    doi, concept_doi = result.outputs["doi"], concept.concept_doi
    [pull] = runner.github.pulls_of(runner.repo)
    assert (pull.head, pull.base, pull.state) == ("zenodo-doi/v1.2.0", "main", "open")
    assert result.outputs["write-back-pull-request"].endswith(f"/pull/{pull.number}")
    for said in (doi, concept_doi, result.outputs["record-url"], release.tag_name):
        assert said in pull.body
    files = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")
    assert files["CITATION.cff"].decode() == CFF_ON_MAIN.replace(
        "version: 1.1.0  # without", "version: 1.2.0  # without"
    ).replace("date-released: 2024-01-02", "date-released: 2024-05-15") + (
        f"doi: {concept_doi}\n"
        "identifiers:\n"
        "  - type: doi\n"
        f"    value: {doi}\n"
        "    description: The versioned DOI for version 1.2.0 on Zenodo\n"
    )
    assert files["codemeta.json"].decode() == CODEMETA_ON_MAIN.replace(
        '"1.1.0"', '"1.2.0"'
    ).replace(
        '"2024-01-02"\n', f'"2024-05-15",\n    "identifier": "https://doi.org/{concept_doi}"\n'
    )
    badge = (
        f"[![DOI]({runner.zenodo.url}/badge/DOI/{concept_doi}.svg)](https://doi.org/{concept_doi})"
    )
    assert files["README.md"].decode() == README_ON_MAIN.replace("(no DOI yet)", badge)
    assert runner.github.files_at(runner.repo, "main")["CITATION.cff"] == CFF_ON_MAIN.encode()
    [commit] = runner.github.commits_between(runner.repo, "main", "zenodo-doi/v1.2.0")
    assert list(runner.github.commit(runner.repo, commit).parents) == [
        runner.github.ref_sha(runner.repo, "heads/main")
    ]


def test_a_rerun_updates_the_same_pull_request_without_a_new_commit(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    release = runner.release()
    inputs = {"concept": concept.concept_doi, "write-back": "citation, readme"}
    first = runner.publish_release(release, **inputs)
    head = runner.github.ref_sha(runner.repo, "heads/zenodo-doi/v1.2.0")

    again = runner.publish_release(release, **inputs)

    assert first.outputs["status"] == "published" and again.outputs["status"] == "unchanged"
    assert len(runner.github.pulls_of(runner.repo)) == 1
    assert again.outputs["write-back-pull-request"] == first.outputs["write-back-pull-request"]
    assert runner.github.ref_sha(runner.repo, "heads/zenodo-doi/v1.2.0") == head
    assert set(runner.github.files_at(runner.repo, head)) >= {"CITATION.cff", "README.md"}
    writes = [r for r in runner.github.requests_to("api", "/pulls") if r.method == "POST"]
    assert len(writes) == 1  # opened once, then updated (PATCH)


def test_once_merged_a_rerun_has_nothing_to_change_and_says_so(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    release = runner.release()
    inputs = {"concept": concept.concept_doi, "write-back": "all"}
    runner.publish_release(release, **inputs)
    [pull] = runner.github.pulls_of(runner.repo)
    runner.github.merge_pull(runner.repo, pull.number)

    again = runner.publish_release(release, **inputs)

    assert again.exit_code == 0
    assert len(runner.github.pulls_of(runner.repo)) == 1
    assert (
        "no pull request" in again.stdout and again.outputs.get("write-back-pull-request", "") == ""
    )


@pytest.mark.parametrize(
    ("grant", "named"),
    [
        ({"permission": "read", "pull_requests": "write"}, "permissions: contents: write"),
        ({"permission": "write", "pull_requests": "read"}, "permissions: pull-requests: write"),
    ],
)
def test_without_a_permission_the_publish_succeeds_with_a_warning_naming_it(runner, grant, named):
    with_files_to_cite(runner)
    runner.github.add_token(WRITE_BACK_TOKEN, **grant)
    concept = seed(runner.zenodo)
    release = runner.release()

    inputs = {"token": runner.zenodo.token, "zenodo-url": runner.zenodo.url}
    inputs |= {"concept": concept.concept_doi, "write-back": "all", "release-notes-badge": "false"}
    event = runner.github.release_event(runner.repo, release)

    result = runner.run(inputs, event=event, github_token=WRITE_BACK_TOKEN)

    assert result.exit_code == 0 and result.outputs["status"] == "published"
    [warning] = [w for w in result.annotations("warning") if "written back" in w]
    assert named in warning
    assert runner.github.pulls_of(runner.repo) == []


def test_when_actions_may_not_open_pull_requests_the_warning_names_the_setting(runner):
    with_files_to_cite(runner)
    runner.repo.actions_may_create_pulls = False
    concept = seed(runner.zenodo)
    release = runner.release()

    result = runner.publish_release(release, concept=concept.concept_doi, **{"write-back": "all"})

    assert result.exit_code == 0 and result.outputs["status"] == "published"
    [warning] = [w for w in result.annotations("warning") if "written back" in w]
    assert "Allow GitHub Actions to create and approve pull requests" in warning
    assert runner.github.ref_sha(runner.repo, "heads/zenodo-doi/v1.2.0") is not None
    compare = "https://github.com/octo-org/frobnicator/compare/main...zenodo-doi/v1.2.0"
    assert "branch zenodo-doi/v1.2.0" in warning and compare in warning


def test_a_draft_run_proposes_its_reserved_doi_and_publishing_keeps_that_pull_request(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    release = runner.release()
    inputs = {"concept": concept.concept_doi, "write-back": "citation"}

    draft = runner.publish_release(release, publish="false", **inputs)
    published = runner.publish_release(release, **inputs)

    assert draft.outputs["doi-reserved"] == "true"
    assert published.outputs["doi"] == draft.outputs["doi"]
    [pull] = runner.github.pulls_of(runner.repo)
    assert "reserved" not in pull.title and draft.outputs["doi"] in pull.title
    cff = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")["CITATION.cff"].decode()
    assert f"value: {draft.outputs['doi']}\n" in cff


def test_a_readme_the_write_back_could_not_edit_stops_the_release_before_zenodo(runner):
    with_files_to_cite(runner)
    (runner.workspace / "README.md").write_text("# F\n\n<!-- zenodo-badge -->\n(unclosed)\n")
    concept = seed(runner.zenodo)
    runner.zenodo.requests.clear()

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "readme"}
    )

    assert result.exit_code == 2
    assert "file=README.md,line=3" in result.stdout
    assert runner.zenodo.requests == [] and runner.github.pulls_of(runner.repo) == []


def test_files_equal_to_an_older_version_write_back_nothing(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)  # v1.1.0 holds old.whl
    release = runner.release(assets={"old.whl": b"old"})

    result = runner.publish_release(
        release, concept=concept.concept_doi, **{"write-back": "all", "source-archive": "none"}
    )

    assert result.outputs["status"] == "unchanged" and result.outputs["version"] == "v1.1.0"
    assert "files equal version v1.1.0" in result.stdout
    assert runner.github.pulls_of(runner.repo) == []


def test_a_pull_request_closed_without_merging_is_not_proposed_again(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    release = runner.release()
    inputs = {"concept": concept.concept_doi, "write-back": "all"}
    runner.publish_release(release, **inputs)
    [pull] = runner.github.pulls_of(runner.repo)
    pull.state = "closed"  # a maintainer said no

    again = runner.publish_release(release, **inputs)

    assert again.exit_code == 0 and "closed without merging" in again.stdout
    assert len(runner.github.pulls_of(runner.repo)) == 1


def test_the_next_version_closes_the_older_open_pull_request(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    inputs = {"concept": concept.concept_doi, "write-back": "citation"}
    runner.publish_release(runner.release("v1.2.0"), **inputs)

    newer = runner.publish_release(runner.release("v1.3.0", assets={"f.whl": b"1.3"}), **inputs)

    older, latest = runner.github.pulls_of(runner.repo)
    assert (older.head, older.state) == ("zenodo-doi/v1.2.0", "closed")
    assert (latest.head, latest.state) == ("zenodo-doi/v1.3.0", "open")
    assert f"Superseded by {newer.outputs['write-back-pull-request']}" in (older.body or "")
    cff = runner.github.files_at(runner.repo, "zenodo-doi/v1.3.0")["CITATION.cff"].decode()
    assert "version: 1.3.0  #" in cff and cff.count("type: doi") == 1


def test_write_back_without_a_github_token_stops_before_zenodo(runner):
    concept = seed(runner.zenodo)
    release = runner.release()
    runner.zenodo.requests.clear()
    event = runner.github.release_event(runner.repo, release)
    inputs = {"token": runner.zenodo.token, "zenodo-url": runner.zenodo.url}
    inputs |= {"concept": concept.concept_doi, "write-back": "all"}

    result = runner.run(inputs, event=event, github_token="")

    assert result.exit_code == 2 and "github-token" in result.annotations("error")[0]
    assert runner.zenodo.requests == []


def test_a_community_left_pending_is_a_warning_in_the_log_and_the_summary(runner):
    runner.zenodo.communities = {"curated": "review"}
    (runner.workspace / ".zenodo.yml").write_text(
        CONFIG + "communities:\n  - identifier: curated\n"
    )
    concept = seed(runner.zenodo)

    result = runner.publish_release(runner.release(), concept=concept.concept_doi)

    assert result.exit_code == 0 and result.outputs["status"] == "published"
    [warning] = [w for w in result.annotations("warning") if "curated" in w]
    assert "inclusion request waits for the community's curators" in warning
    assert "**warning** (Zenodo): community 'curated' was not joined" in result.summary


# --- data you can trust: Git LFS pointers, folders, the checkout's source archive -----------


def dataset_files_run(runner, concept, files: str, version: str, **inputs: str):
    given = {"token": runner.zenodo.token, "zenodo-url": runner.zenodo.url}
    given |= {"concept": concept.concept_doi, "files": files, "version": version, **inputs}
    return runner.run(given, event_name="workflow_dispatch", event={"inputs": {}})


def test_lfs_pointers_among_the_files_stop_the_run_before_zenodo(runner):
    data = runner.workspace / "data"
    data.mkdir()
    (data / "table.csv").write_bytes(LFS_POINTER)  # checked out without lfs: true
    (data / "README.txt").write_text("version https://git-lfs.github.com/spec/v1 is used\n")
    concept = seed(runner.zenodo, "2024-05-01")
    result = dataset_files_run(runner, concept, "data/*", "2024-05-02")
    assert result.exit_code == 2
    [error] = result.annotations("error")
    assert "data/table.csv" in error and "README.txt" not in error
    assert "lfs: true" in error
    assert result.outputs["status"] == "failed"
    assert runner.zenodo.count("*", "/deposit/depositions") == 0
    opted = dataset_files_run(
        runner, concept, "data/*", "2024-05-02", **{"allow-lfs-pointers": "true"}
    )
    assert opted.exit_code == 0 and opted.outputs["status"] == "published"
    [warned] = [w for w in opted.annotations("warning") if "Git LFS" in w]
    assert "data/table.csv" in warned


def test_lfs_pointers_in_the_tag_archive_stop_the_release_before_zenodo(runner):
    runner.repo.files["data/table.csv"] = LFS_POINTER
    concept = seed(runner.zenodo)
    result = runner.publish_release(runner.release(), concept=concept.concept_doi)
    assert result.exit_code == 2
    [error] = result.annotations("error")
    assert "member of the tag's source archive is a Git LFS pointer" in error
    assert "/data/table.csv" in error and "Include Git LFS objects in archives" in error
    assert runner.zenodo.count("*", "/deposit/depositions") == 0


def test_pointers_inside_an_archive_among_the_files_stop_the_run_before_zenodo(runner):
    """A build step zipped (or tarred) a folder checked out without lfs: true."""
    with zipfile.ZipFile(runner.workspace / "data.zip", "w") as archive:
        archive.writestr("data/table.csv", LFS_POINTER)
        archive.writestr("data/README.txt", "about the table\n")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("more/other.csv")
        info.size = len(LFS_POINTER)
        archive.addfile(info, io.BytesIO(LFS_POINTER))
    (runner.workspace / "more.tgz").write_bytes(raw.getvalue())
    (runner.workspace / "odd.zip").write_bytes(b"a self-extracting thing, not a zip\n")
    concept = seed(runner.zenodo, "2024-05-01")
    result = dataset_files_run(runner, concept, "*.zip\nmore.tgz", "2024-05-02")
    assert result.exit_code == 2 and result.outputs["status"] == "failed"
    [error] = result.annotations("error")
    assert "2 members of archives among the files are Git LFS pointers" in error
    assert "data.zip: data/table.csv" in error and "more.tgz: more/other.csv" in error
    assert "README" not in error and "lfs: true" in error
    assert runner.zenodo.count("*", "/deposit/depositions") == 0
    (runner.workspace / "data.zip").unlink()
    (runner.workspace / "more.tgz").unlink()
    unread = dataset_files_run(runner, concept, "*.zip", "2024-05-02")
    assert unread.exit_code == 0 and unread.outputs["status"] == "published"
    [warned] = [w for w in unread.annotations("warning") if "odd.zip" in w]
    assert "not checked for Git LFS pointers" in warned


def test_pointers_inside_a_release_asset_archive_stop_the_release_before_zenodo(runner):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("dataset/table.csv", LFS_POINTER)
    concept = seed(runner.zenodo)
    release = runner.release(assets={"dataset.zip": raw.getvalue()})
    result = runner.publish_release(release, concept=concept.concept_doi)
    assert result.exit_code == 2 and result.outputs["status"] == "failed"
    [error] = result.annotations("error")
    assert "member of an archive among the release assets is a Git LFS pointer" in error
    assert "dataset.zip: dataset/table.csv" in error and "replace the release asset" in error
    assert runner.zenodo.count("*", "/deposit/depositions") == 0
    opted = runner.publish_release(
        release, concept=concept.concept_doi, **{"allow-lfs-pointers": "true"}
    )
    assert opted.exit_code == 0 and opted.outputs["status"] == "published"
    assert any("dataset.zip: dataset/table.csv" in w for w in opted.annotations("warning"))


def test_a_folder_line_publishes_one_zip_and_stays_unchanged_when_only_times_move(runner):
    results = runner.workspace / "results"
    results.mkdir()
    for n in range(120):  # more than Zenodo's 100 files per version
        (results / f"part-{n:03d}.csv").write_text(f"{n},{n * n}\n")
    concept = seed(runner.zenodo, "2024-05-01")
    first = dataset_files_run(runner, concept, "results/", "2024-05-02")
    assert first.exit_code == 0, first.stdout
    latest = runner.zenodo.published_versions(concept.concept_id)[-1]
    assert set(latest["files"]) == {"results.zip"}
    assert "results/ packed as results.zip: 120 files" in first.stdout
    assert "results/ packed as results.zip: 120 files" in first.summary
    for path in results.iterdir():
        os.utime(path, (2e9, 2e9))
    again = dataset_files_run(runner, concept, "results/", "2024-05-03")
    assert again.outputs["status"] == "unchanged", again.stdout
    planned = dataset_files_run(runner, concept, "results/", "2024-05-03", **{"dry-run": "true"})
    assert "results.zip" in planned.stdout and "120 files" in planned.stdout


def test_source_archive_checkout_warns_that_export_subst_is_not_applied(runner):
    work = runner.workspace
    (work / ".gitattributes").write_text(
        ".git_archival.txt export-subst\nbig-tests export-ignore\n"
    )
    (work / ".git_archival.txt").write_text("node: $Format:%H$\n")
    (work / "big-tests").mkdir()
    (work / "big-tests" / "huge.dat").write_text("left out\n")
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-qm", "release")
    git(work, "tag", "v1.2.0")
    concept = seed(runner.zenodo)
    inputs = {"source-archive": "checkout", "release-assets": "false"}
    result = runner.publish_release(runner.release(), concept=concept.concept_doi, **inputs)
    assert result.exit_code == 0, result.stdout
    [warned] = [w for w in result.annotations("warning") if "export-subst" in w]
    assert ".git_archival.txt" in warned
    assert "left out, as git archive does (export-ignore): big-tests/huge.dat" in result.stdout
    data = runner.zenodo.file_bytes(
        runner.zenodo.published_versions(concept.concept_id)[-1]["record_id"],
        "frobnicator-v1.2.0.zip",
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [name for name in archive.namelist() if "big-tests" in name]


def test_source_archive_checkout_publishes_the_working_tree_with_its_lfs_content(runner):
    work = runner.workspace
    (work / ".gitattributes").write_text("*.csv filter=lfs -text\n")
    (work / "table.csv").write_bytes(LFS_POINTER_OF_REAL)
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-qm", "release")
    git(work, "tag", "v1.2.0")
    (work / "table.csv").write_bytes(LFS_REAL)
    (work / "untracked.log").write_text("not archived")
    concept = seed(runner.zenodo)
    inputs = {"source-archive": "checkout", "release-assets": "false"}
    result = runner.publish_release(runner.release(), concept=concept.concept_doi, **inputs)
    assert result.exit_code == 0, result.stdout
    name = "frobnicator-v1.2.0.zip"
    data = runner.zenodo.file_bytes(
        runner.zenodo.published_versions(concept.concept_id)[-1]["record_id"], name
    )
    top = f"octo-org-frobnicator-{git(work, 'rev-parse', '--short=7', 'HEAD')}/"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read(top + "table.csv") == LFS_REAL
        assert top + "untracked.log" not in archive.namelist()
    rerun = runner.publish_release(runner.release("v1.2.0"), concept=concept.concept_doi, **inputs)
    assert rerun.outputs["status"] == "unchanged"
    (work / "table.csv").write_bytes(LFS_POINTER_OF_REAL)
    refused = runner.publish_release(
        runner.release("v1.2.0"), concept=concept.concept_doi, version="again", **inputs
    )
    assert refused.exit_code == 2 and "table.csv" in refused.annotations("error")[0]


# --- write-back that never harms --------------------------------------------------------


def publish_both(runner, first: tuple[str, str], then: tuple[str, str], **inputs: str):
    """Publish release `first` (tag, date), then `then`, each with its own files."""
    results = []
    for tag, date in (first, then):
        release = runner.release(tag, assets={f"{tag}.whl": tag.encode()}, published_at=date)
        results.append(runner.publish_release(release, **inputs))
    return results


def test_an_older_release_after_a_newer_one_was_merged_proposes_nothing(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    inputs = {"concept": concept.concept_doi, "write-back": "all"}
    runner.publish_release(
        runner.release("v1.3.0", assets={"n.whl": b"1.3"}, published_at="2024-06-01T00:00:00Z"),
        **inputs,
    )
    [newer] = runner.github.pulls_of(runner.repo)
    runner.github.merge_pull(runner.repo, newer.number)
    main = runner.github.ref_sha(runner.repo, "heads/main")

    # a missed release back-filled later, and a maintenance release from another branch
    for tag, date in (("v1.2.0", "2024-05-15T00:00:00Z"), ("v1.2.1", "2024-07-01T00:00:00Z")):
        release = runner.release(tag, assets={f"{tag}.whl": tag.encode()}, published_at=date)
        older = runner.publish_release(release, **inputs)

        assert older.exit_code == 0 and older.outputs["status"] == "published"
        [notice] = [n for n in older.annotations("notice") if "nothing proposed" in n]
        assert "CITATION.cff already cites version 1.3.0" in notice
        assert f"newer than version {tag}" in notice
    assert len(runner.github.pulls_of(runner.repo)) == 1
    assert runner.github.ref_sha(runner.repo, "heads/main") == main


def test_an_older_release_never_closes_the_newer_releases_pull_request(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    inputs = {"concept": concept.concept_doi, "write-back": "citation"}

    newer, older = publish_both(
        runner, ("v1.3.0", "2024-06-01T00:00:00Z"), ("v1.2.0", "2024-05-15T00:00:00Z"), **inputs
    )

    [pull] = runner.github.pulls_of(runner.repo)
    assert (pull.head, pull.state) == ("zenodo-doi/v1.3.0", "open")
    assert older.exit_code == 0
    url = newer.outputs["write-back-pull-request"]
    assert any(f"{url} proposes version v1.3.0" in n for n in older.annotations("notice"))
    assert "nothing proposed" in older.summary


def test_a_rerun_after_a_maintainer_pushed_onto_the_branch_leaves_it_and_warns(runner):
    with_files_to_cite(runner)
    concept = seed(runner.zenodo)
    release = runner.release()
    inputs = {"concept": concept.concept_doi, "write-back": "all"}
    first = runner.publish_release(release, **inputs)
    fix = runner.github.push(runner.repo, "zenodo-doi/v1.2.0", {"NOTES.md": b"my fix\n"})
    runner.github.push(runner.repo, "main", {"other.md": b"meanwhile\n"})

    again = runner.publish_release(release, **inputs)

    assert again.exit_code == 0 and again.outputs["doi"] == first.outputs["doi"]
    assert runner.github.ref_sha(runner.repo, "heads/zenodo-doi/v1.2.0") == fix
    [warning] = [w for w in again.annotations("warning") if "left as they are" in w]
    assert f"{fix[:7]} by octo-org" in warning and "branch zenodo-doi/v1.2.0" in warning
    assert "delete the branch" in warning and "left as they are" in again.summary


def test_a_linked_citation_file_is_edited_at_its_target_and_stays_a_link(runner):
    with_files_to_cite(runner)
    cff = runner.repo.files.pop("CITATION.cff")
    runner.github.push(
        runner.repo, "main", {"docs/CITATION.cff": cff}, links={"CITATION.cff": "docs/CITATION.cff"}
    )
    (runner.workspace / "docs").mkdir()
    (runner.workspace / "docs" / "CITATION.cff").write_bytes(cff)
    (runner.workspace / "CITATION.cff").symlink_to("docs/CITATION.cff")
    concept = seed(runner.zenodo)

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "citation"}
    )

    assert result.exit_code == 0, result.stdout
    files = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")
    assert files["CITATION.cff"] == b"docs/CITATION.cff"
    assert f"value: {result.outputs['doi']}\n".encode() in files["docs/CITATION.cff"]
    assert runner.github.modes_at(runner.repo, "zenodo-doi/v1.2.0")["CITATION.cff"] == "120000"


def test_a_link_leaving_the_repository_stops_the_release_before_zenodo(runner, tmp_path):
    (tmp_path / "elsewhere.cff").write_text(CFF_ON_MAIN)
    (runner.workspace / "CITATION.cff").symlink_to(tmp_path / "elsewhere.cff")
    concept = seed(runner.zenodo)
    runner.zenodo.requests.clear()

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "citation"}
    )

    assert result.exit_code == 2 and runner.zenodo.requests == []
    [error] = result.annotations("error")
    assert "CITATION.cff is a link to" in error and "outside the repository" in error


def test_a_large_readme_and_an_odd_default_branch_file_sink_nothing_else(runner):
    with_files_to_cite(runner)
    readme = README_ON_MAIN + "x" * 2_000_000 + "\n"
    deep = "cff-version: 1.2.0\nkeywords: " + "[" * 5000 + "]" * 5000 + "\n"
    runner.github.push(
        runner.repo, "main", {"README.md": readme.encode(), "CITATION.cff": deep.encode()}
    )
    concept = seed(runner.zenodo)

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "all"}
    )

    assert result.exit_code == 0 and result.outputs["status"] == "published"
    [warning] = [w for w in result.annotations("warning") if "CITATION.cff not written back" in w]
    assert "nested too deeply" in warning
    files = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")
    assert result.outputs["concept-doi"] in files["README.md"].decode()[:200]
    assert b'"version": "1.2.0"' in files["codemeta.json"]
    assert files["CITATION.cff"] == deep.encode()


def test_a_default_branch_cff_with_lone_cr_line_ends_is_proposed_valid(runner):
    with_files_to_cite(runner)
    runner.github.push(
        runner.repo, "main", {"CITATION.cff": CFF_ON_MAIN.replace("\n", "\r").encode()}
    )
    concept = seed(runner.zenodo)

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "citation"}
    )

    cff = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")["CITATION.cff"].decode()
    loaded = yaml.safe_load(cff)
    assert loaded["authors"] == [{"family-names": "Doe", "given-names": "Jane"}]
    assert loaded["identifiers"][0]["value"] == result.outputs["doi"]
    assert "\n" not in cff


def test_a_default_branch_codemeta_with_a_number_of_thousands_of_digits_is_proposed(runner):
    with_files_to_cite(runner)
    big = "9" * 5000
    codemeta = CODEMETA_ON_MAIN.replace('"name"', f'"size": {big},\n    "name"')
    runner.github.push(runner.repo, "main", {"codemeta.json": codemeta.encode()})
    concept = seed(runner.zenodo)

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "codemeta"}
    )

    assert result.exit_code == 0 and not result.annotations("warning")
    proposed = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")["codemeta.json"].decode()
    assert f'"size": {big},' in proposed and '"version": "1.2.0"' in proposed


def test_a_default_branch_cff_yaml_cannot_build_is_a_warning_after_the_publish(runner):
    with_files_to_cite(runner)
    odd = CFF_ON_MAIN + "x-u: !custom 1\n"
    runner.github.push(runner.repo, "main", {"CITATION.cff": odd.encode()})
    concept = seed(runner.zenodo)

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "all"}
    )

    assert result.exit_code == 0 and result.outputs["status"] == "published"
    assert result.outputs["doi"] and not result.annotations("error")
    [warning] = [w for w in result.annotations("warning") if "CITATION.cff not written" in w]
    assert "line " in warning and "tag '!custom'" in warning
    files = runner.github.files_at(runner.repo, "zenodo-doi/v1.2.0")
    assert files["CITATION.cff"] == odd.encode()
    assert b'"version": "1.2.0"' in files["codemeta.json"]


def test_a_checkout_cff_yaml_cannot_build_stops_the_release_before_zenodo(runner):
    (runner.workspace / ".zenodo.yml").unlink()
    cff = CFF_ON_MAIN + "references:\n  - !ref {title: x}\n"
    (runner.workspace / "CITATION.cff").write_text(cff)
    concept = seed(runner.zenodo)
    runner.zenodo.requests.clear()

    result = runner.publish_release(
        runner.release(), concept=concept.concept_doi, **{"write-back": "citation"}
    )

    assert result.exit_code == 2 and runner.zenodo.requests == []
    [error] = result.annotations("error")
    assert "tag '!ref'" in error and "internal error" not in error
    assert f"file=CITATION.cff,line={cff.count(chr(10))}" in result.stdout
