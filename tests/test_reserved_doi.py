"""The DOI before publishing (issue 11): a draft run gives out the DOI its draft reserved,
and the run that publishes the draft checks that Zenodo minted exactly that one.

End to end through `publish.publish` with the Action's reporter (outputs, job summary) and
through the command line, against the fake Zenodo and its sandbox (whose prereserve_doi
says 10.5281 while it mints 10.5072, zenodo-api.md §2.2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import container_harness as harness
from tests.builders import deposition
from tests.test_publish import CONFIG, Project, seed
from zenodo_action import publish
from zenodo_action.cli import build_parser
from zenodo_action.errors import ActionError
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.reporter import GitHubReporter
from zenodo_action.settings import Settings
from zenodo_action.zenodo import api
from zenodo_action.zenodo.api import reserved_doi


class Run:
    """`publish.publish` in a directory with a .zenodo.yml and a file, reported to the
    Actions runner's files (outputs and job summary) as the Action reports it."""

    def __init__(self, root: Path, fake, clients) -> None:
        self.root = root
        self.fake = fake
        self.clients = clients
        (root / ".zenodo.yml").write_text(CONFIG)
        (root / "dist").mkdir()
        (root / "dist" / "tool-2.0.zip").write_bytes(b"two")

    def __call__(self, *flags: str) -> tuple[publish.Published, dict[str, str], str]:
        """Run; return what was published, the step outputs and the job summary."""
        for name in ("output", "summary.md"):
            (self.root / name).write_text("")
        args = build_parser().parse_args(
            ["publish", "--zenodo-url", self.fake.url, "--files", "dist/*", *flags]
        )
        settings = Settings.from_args(args, {"ZENODO_TOKEN": self.fake.token})
        files = RunnerFiles(self.root, str(self.root / "output"), str(self.root / "summary.md"))
        done = publish.publish(settings, GitHubReporter(files), client_factory=self.clients)
        outputs = harness.parse_env_file((self.root / "output").read_text())
        return done, outputs, (self.root / "summary.md").read_text()


@pytest.fixture(params=["zenodo.org", "sandbox"])
def fake(request):
    """Each test on both: the sandbox mints 10.5072 although prereserve_doi says 10.5281."""
    return request.getfixturevalue(
        "fake_zenodo_sandbox" if request.param == "sandbox" else "fake_zenodo"
    )


@pytest.fixture
def run(tmp_path, monkeypatch, fake, fast_retries) -> Run:
    monkeypatch.chdir(tmp_path)
    return Run(tmp_path, fake, fast_retries)


def test_a_draft_run_reserves_the_doi_its_publishing_run_mints(run, fake, capsys):
    seeded = seed(fake, "1.0")
    version = ("--concept", seeded.concept_doi, "--version", "2.0")
    done, outputs, summary = run(*version, "--draft")
    [pending] = fake.pending_drafts(seeded.concept_id)
    reserved = f"{fake.doi_prefix}/zenodo.{pending['record_id']}"
    assert done.result.status == "draft" and done.result.doi == reserved
    assert fake.deposition_json(pending["record_id"])["metadata"]["prereserve_doi"]["doi"] == (
        f"10.5281/zenodo.{pending['record_id']}"  # what the sandbox says, and must not be used
    )
    assert outputs["doi"] == reserved and outputs["doi-reserved"] == "true"
    assert outputs["doi-url"] == f"https://doi.org/{reserved}"
    assert outputs["badge"].endswith(f"/badge/DOI/{reserved}.svg)](https://doi.org/{reserved})")
    assert outputs["status"] == "draft"
    assert f"| DOI | [{reserved}](https://doi.org/{reserved}) (reserved: " in summary
    assert f"  DOI:     {reserved} (reserved: " in capsys.readouterr().out

    done, outputs, _ = run(*version)
    assert done.result.status == "published" and done.result.record_id == pending["record_id"]
    assert outputs["doi"] == reserved and outputs["doi-reserved"] == "false"
    assert [v["doi"] for v in fake.published_versions(seeded.concept_id)][-1] == reserved


def test_a_first_versions_draft_reserves_the_doi_of_the_instance(run, fake, monkeypatch):
    """No concept DOI yet: the prefix comes from the host. The fake listens on 127.0.0.1,
    so it is entered in the table as the instance it plays."""
    monkeypatch.setitem(api.KNOWN_PREFIXES, "127.0.0.1", fake.doi_prefix)
    done, outputs, _ = run("--version", "1.0", "--draft")
    draft_id = done.result.record_id
    reserved = f"{fake.doi_prefix}/zenodo.{draft_id}"
    assert done.result.concept_doi is None
    assert outputs["doi"] == reserved and outputs["doi-reserved"] == "true"
    done, _, _ = run("--version", "1.0")
    assert (done.result.status, done.result.record_id) == ("published", draft_id)
    assert done.result.doi == reserved and done.result.new_concept


def test_a_dry_run_and_an_unchanged_run_reserve_nothing(run, fake):
    seeded = seed(fake, "1.0")
    version = ("--concept", seeded.concept_doi, "--version", "2.0")
    done, outputs, _ = run(*version, "--dry-run")
    assert done.result.status == "planned" and done.result.doi is None
    assert outputs["doi"] == "" and outputs["doi-reserved"] == "false"
    run(*version)
    done, outputs, _ = run(*version)
    assert done.result.status == "unchanged" and outputs["doi-reserved"] == "false"
    assert outputs["doi"] == fake.published_versions(seeded.concept_id)[-1]["doi"]


def test_a_doi_other_than_the_reserved_one_fails_the_publishing_run(run, fake):
    seeded = seed(fake, "1.0")
    version = ("--concept", seeded.concept_doi, "--version", "2.0")
    reserved = run(*version, "--draft")[0].result.doi
    fake.mint_unreserved_doi = True
    with pytest.raises(ActionError) as raised:
        run(*version)
    minted = fake.published_versions(seeded.concept_id)[-1]["doi"]
    assert minted != reserved
    message = str(raised.value)
    assert f"WAS published, with DOI {minted}" in message
    assert f"its draft had reserved {reserved}" in message
    assert f"change the files that cite {reserved}" in message
    assert "version 2.0" in message and seeded.concept_doi in message


def test_a_run_that_made_its_own_draft_only_warns_of_another_doi(run, fake, caplog):
    """Nobody saw that draft's reserved DOI, so nothing cites it: the publish stands."""
    seeded = seed(fake, "1.0")
    fake.mint_unreserved_doi = True
    done, outputs, _ = run("--concept", seeded.concept_doi, "--version", "2.0")
    minted = fake.published_versions(seeded.concept_id)[-1]["doi"]
    assert done.result.status == "published" and outputs["doi"] == minted
    reserved = f"{fake.doi_prefix}/zenodo.{done.result.record_id}"
    assert f"Zenodo minted {minted}, not {reserved} as reserved by the draft" in caplog.text


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, fake_zenodo, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    return Project(tmp_path, capsys, fake_zenodo, fast_retries)


def test_the_cli_draft_json_gives_the_reserved_doi_last_in_its_object(project):
    seeded = seed(project.fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    code, result, _ = project.publish(*args, "--draft")
    assert code == 0 and result is not None
    assert result["doi"] == f"10.5281/zenodo.{result['record_id']}"
    assert result["doi_url"] == f"https://doi.org/{result['doi']}"
    assert result["status"] == "draft" and result["doi_reserved"] is True
    assert list(result)[-1] == "doi_reserved"
    code, published, _ = project.publish(*args)
    assert code == 0 and published is not None
    assert published["doi"] == result["doi"] and published["doi_reserved"] is False


def test_the_cli_fails_with_both_dois_and_no_traceback_on_a_mismatch(project):
    seeded = seed(project.fake, "1.0")
    project.file("tool-2.0.zip", b"two")
    args = ("--concept", seeded.concept_doi, "--files", "dist/*", "--version", "2.0")
    draft = project.publish(*args, "--draft")[1]
    assert draft is not None
    project.fake.mint_unreserved_doi = True
    project.capsys.readouterr()
    code = project.main(["publish", "--zenodo-url", project.fake.url, *args])
    out, err = project.capsys.readouterr()
    [published] = project.fake.published_versions(seeded.concept_id)[1:]
    assert code == 1 and out == "" and "Traceback" not in err
    assert published["record_id"] == draft["record_id"]
    assert (
        f"\nerror: record {draft['record_id']} WAS published, with DOI {published['doi']} " in err
    )
    assert f"its draft had reserved {draft['doi']}\nhint: " in err


# --- computing the reserved DOI -------------------------------------------------------------


@pytest.mark.parametrize(
    ("prereserve", "concept_doi", "host_prefix", "expected"),
    [
        ({"doi": "10.5281/zenodo.7", "recid": 7}, "10.5072/zenodo.3", None, "10.5072/zenodo.7"),
        ({"doi": "10.5281/zenodo.7", "recid": 7}, None, "10.5072", "10.5072/zenodo.7"),
        ({"doi": "10.5281/zenodo.7", "recid": 7}, None, None, "10.5281/zenodo.7"),
        (None, "10.5281/zenodo.3", None, "10.5281/zenodo.9"),  # no prereserve: the draft's id
        (None, None, None, None),  # nothing says the instance's prefix
    ],
    ids=["concept-doi", "host", "prereserve", "draft-id", "unknown"],
)
def test_the_reserved_doi_takes_the_instances_prefix(
    prereserve, concept_doi, host_prefix, expected
):
    assert reserved_doi(prereserve, 9, concept_doi, host_prefix) == expected


def test_only_a_never_published_draft_has_a_reserved_doi():
    prereserve = {"prereserve_doi": {"doi": "10.5281/zenodo.12", "recid": 12}}
    draft = deposition(state="unsubmitted", submitted=False, doi=None, metadata=prereserve)
    edit = deposition(state="inprogress", submitted=False, metadata=prereserve)
    assert draft.reserved_doi == "10.5281/zenodo.12"
    assert edit.reserved_doi is None and deposition(metadata=prereserve).reserved_doi is None
