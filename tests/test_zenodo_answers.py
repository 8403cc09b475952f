"""Answers of the right status but the wrong body (issue 12, items 7, 9, 12): every step of
a publish turns them into one clear error naming the step, and a re-run converges on
exactly one new version. The fake Zenodo serves them as faults (tests/fakes/zenodo.py)."""

from __future__ import annotations

import pytest

from tests.fakes.zenodo import ENDPOINTS, MALFORMED_KINDS
from tests.test_publish import CONFIG, Project, seed


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, fake_zenodo, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    return Project(tmp_path, capsys, fake_zenodo, fast_retries)


STEPS = {
    "list": "list the depositions",
    "read": "read a deposition",
    "update": "save the metadata of draft",
}


def publish(project, concept):
    """Through the deposit API, as chosen: the steps are its own (no probe for `auto`)."""
    project.file("tool-2.0.zip", b"two")
    return project.publish(
        "--api",
        "deposit",
        "--concept",
        concept.concept_doi,
        "--files",
        "dist/*",
        "--version",
        "2.0",
    )


@pytest.mark.parametrize("kind", sorted(MALFORMED_KINDS))
@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_malformed_answer_names_its_step_and_a_rerun_converges(project, step, kind):
    fake = project.fake
    concept = seed(fake, "1.0")
    fake.inject(*ENDPOINTS[step], kind, when="after")

    code, _, err = publish(project, concept)

    if (step, kind) == ("list", "a_list"):
        return  # an empty list is a valid answer (no depositions): nothing to test here
    assert code == 1, err
    assert f"Zenodo answered something unexpected when asked to {STEPS[step]}" in err
    assert "internal error" not in err and "hint: " in err
    fake.clear_faults()
    code, _, err = publish(project, concept)
    assert code == 0, err
    assert [v["version"] for v in fake.published_versions(concept.concept_id)] == ["1.0", "2.0"]
    assert fake.pending_drafts(concept.concept_id) == []


@pytest.mark.parametrize("kind", sorted(MALFORMED_KINDS))
def test_a_new_version_answered_oddly_is_looked_up_and_continued(project, kind):
    fake = project.fake
    concept = seed(fake, "1.0")
    fake.inject(*ENDPOINTS["newversion"], kind, when="after")

    code, result, err = publish(project, concept)

    assert code == 0, err
    assert result["status"] == "published" and fake.count(*ENDPOINTS["newversion"]) == 1
    assert len(fake.published_versions(concept.concept_id)) == 2


@pytest.mark.parametrize("kind", sorted(MALFORMED_KINDS | {"as_200"}))
def test_a_publish_answered_oddly_is_judged_by_the_record_read_back(project, kind):
    fake = project.fake
    concept = seed(fake, "1.0")
    fake.inject(*ENDPOINTS["publish"], kind, when="after")

    code, result, err = publish(project, concept)

    assert code == 0, err
    assert result["status"] == "published"
    [_, new] = fake.published_versions(concept.concept_id)
    assert result["doi"] == new["doi"]


def test_a_publish_that_did_not_happen_says_so_and_the_rerun_publishes(project):
    fake = project.fake
    concept = seed(fake, "1.0")
    fake.inject(*ENDPOINTS["publish"], "no_id", when="before", times=3)

    code, _, err = publish(project, concept)

    assert code == 1 and "could not publish draft" in err
    assert len(fake.published_versions(concept.concept_id)) == 1
    fake.clear_faults()
    code, result, err = publish(project, concept)
    assert code == 0 and result["status"] == "published", err


def test_an_upload_whose_transfer_failed_is_sent_again(project):
    fake = project.fake
    concept = seed(fake, "1.0")
    fake.inject(*ENDPOINTS["upload"], "transfer_failed")

    code, result, err = publish(project, concept)

    assert code == 0, err
    assert fake.count(*ENDPOINTS["upload"]) == 2
    assert [f["name"] for f in result["files"]] == ["tool-2.0.zip"]


@pytest.mark.parametrize("concept", [None, "123"])
def test_the_deposit_api_on_a_plain_invenio_rdm_is_refused_clearly(
    tmp_path, monkeypatch, capsys, httpserver, fast_retries, concept
):
    # InvenioRDM has records but no /api/deposit/depositions: only Zenodo has that API.
    not_found = {"status": 404, "message": "The requested URL was not found on the server."}
    httpserver.expect_request("/api/deposit/depositions").respond_with_json(not_found, 404)
    httpserver.expect_request("/api/records/123/versions/latest").respond_with_json(
        {"id": 124, "metadata": {}}
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", "a-token-for-a-test")
    project = Project(tmp_path, capsys, None, fast_retries)
    project.file("a.zip", b"a")
    url = httpserver.url_for("/").rstrip("/")
    args = ["publish", "--zenodo-url", url, "--files", "dist/*", "--version", "1"]
    args += ["--api", "deposit", *(["--concept", concept] if concept else [])]

    code = project.main(args)

    err = capsys.readouterr().err
    assert code == 1 and "has no Zenodo deposit API" in err and "set --api records" in err
    assert "Traceback" not in err


def test_a_spam_blocked_account_is_told_what_happened(project):
    fake = project.fake
    concept = seed(fake, "1.0")
    fake.spam_blocked = True

    code, _, err = publish(project, concept)

    assert code == 1 and "Your account has been blocked" in err
    assert "spam check blocked the account; contact Zenodo support" in err
    assert len(fake.published_versions(concept.concept_id)) == 1
    fake.spam_blocked = False
    code, result, err = publish(project, concept)  # once unblocked, the same draft goes out
    assert code == 0 and result["status"] == "published", err


def test_communities_not_joined_are_reported_pending_or_ignored(project):
    fake = project.fake
    fake.communities = {"open-lab": "include", "curated": "review"}
    asked = "communities:\n  - identifier: open-lab\n  - identifier: curated\n"
    project.config(CONFIG + asked + "  - identifier: no-such-thing\n")
    concept = seed(fake, "1.0")

    code, result, err = publish(project, concept)

    assert code == 0 and result["status"] == "published", err
    [_, new] = fake.published_versions(concept.concept_id)
    assert new["metadata"]["communities"] == [{"identifier": "open-lab"}]
    assert "community 'curated' was not joined: its inclusion request waits" in err
    assert "community 'no-such-thing' was not joined: no community has this id" in err
    assert "'open-lab'" not in err
    assert fake.community_requests == [("curated", new["record_id"])]


def test_a_record_shared_with_another_account_gets_its_versions(project, monkeypatch):
    fake = project.fake
    concept = seed(fake, "1.0")
    colleague = fake.add_user()
    monkeypatch.setenv("ZENODO_TOKEN", colleague)

    code, _, err = publish(project, concept)
    assert code == 1 and "not shared with it" in err and "Share" in err
    assert colleague not in err

    fake.share(concept.concept_id, colleague)
    code, result, err = publish(project, concept)
    assert code == 0 and result["status"] == "published", err
    assert [v["version"] for v in fake.published_versions(concept.concept_id)] == ["1.0", "2.0"]
