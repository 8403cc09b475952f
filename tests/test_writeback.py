"""The command line's side of the write-back: `publish --write-back` edits the working tree, and
`publish --release-tag` back-fills a GitHub release. Zenodo and GitHub are fakes on
loopback; the Action's pull request is tested in tests/test_action.py."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from zenodo_action import edits
from zenodo_action.cli import main
from zenodo_action.errors import UsageError
from zenodo_action.markdown_code import in_code
from zenodo_action.settings.values import write_back_targets
from zenodo_action.writeback import branch_for

CITATION = """\
# How to cite the Frobnicator
cff-version: 1.2.0
message: Please cite it as below.
title: Frobnicator
authors:
  - family-names: Doe   # the maintainer
    given-names: Jane
version: 1.1.0
date-released: 2024-01-02
license: MIT
type: software
"""
README = "# Frobnicator\n\n<!-- zenodo-badge --><!-- /zenodo-badge -->\n\nWidgets.\n"


class Project:
    def __init__(self, root: Path, capsys, zenodo, clients) -> None:
        self.root, self.capsys, self.zenodo = root, capsys, zenodo
        self.clients = clients  # conftest.QuickClients
        (root / "CITATION.cff").write_text(CITATION)
        (root / "README.md").write_text(README)
        (root / "dist").mkdir()
        (root / "dist" / "frob.whl").write_bytes(b"wheel")

    def publish(self, *args: str) -> tuple[int, dict | None, str]:
        self.capsys.readouterr()
        argv = ["publish", "--zenodo-url", self.zenodo.url, "--json", *args]
        code = main(argv, client_factory=self.clients)
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err and self.zenodo.token not in out + err
        return code, json.loads(out) if code == 0 else None, err


@pytest.fixture
def project(tmp_path, monkeypatch, capsys, fake_zenodo, fast_retries):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    for name in ("GITHUB_REPOSITORY", "GITHUB_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    return Project(tmp_path, capsys, fake_zenodo, fast_retries)


def seed(zenodo):
    return zenodo.seed_concept(versions=[{"version": "1.1.0", "files": {"old.whl": b"old"}}])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", set()),
        ("all", {"citation", "codemeta", "readme"}),
        ("citation, README", {"citation", "readme"}),
        ("codemeta\ncitation\n", {"codemeta", "citation"}),
    ],
)
def test_write_back_lists_are_commas_or_lines(given, expected):
    assert write_back_targets(given, "input 'write-back'") == expected


def test_an_unknown_write_back_target_is_named():
    with pytest.raises(UsageError, match=r"input 'write-back': unknown 'citaton'"):
        write_back_targets("citaton, readme", "input 'write-back'")


def test_publish_writes_the_dois_into_the_working_tree(project):
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]
    args += ["--publication-date", "2024-05-15", "--write-back", "citation,readme"]

    code, result, err = project.publish(*args)

    assert code == 0, err
    doi, concept_doi = result["doi"], result["concept_doi"]
    cff = (project.root / "CITATION.cff").read_text()
    assert cff.startswith("# How to cite the Frobnicator\n")  # comments kept
    assert "  - family-names: Doe   # the maintainer\n" in cff
    assert "version: 1.2.0\ndate-released: 2024-05-15\n" in cff
    assert f"doi: {concept_doi}\n" in cff and f"value: {doi}\n" in cff
    readme = (project.root / "README.md").read_text()
    badge = f"[![DOI]({project.zenodo.url}/badge/DOI/{concept_doi}.svg)]"
    assert f"<!-- zenodo-badge -->{badge}(https://doi.org/{concept_doi})" in readme
    assert "wrote the DOI into CITATION.cff, README.md" in err

    again, rerun, err = project.publish(*args)
    assert again == 0 and rerun["status"] == "unchanged"
    assert "nothing to change" in err
    assert (project.root / "CITATION.cff").read_text() == cff


def test_a_draft_writes_its_reserved_doi_and_a_dry_run_nothing(project):
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]

    code, planned, err = project.publish(*args, "--dry-run", "--write-back", "all")
    assert code == 0 and planned["status"] == "planned"
    assert "nothing written back: the run ended planned" in err
    assert (project.root / "CITATION.cff").read_text() == CITATION

    code, draft, err = project.publish(*args, "--draft", "--write-back", "citation")
    assert code == 0 and draft["status"] == "draft" and draft["doi_reserved"] is True
    assert f"value: {draft['doi']}\n" in (project.root / "CITATION.cff").read_text()
    code, published, _ = project.publish(*args, "--write-back", "citation")
    assert published["doi"] == draft["doi"]  # the files already cite it: the two-step release


def test_publish_needs_files_or_a_release_tag(project):
    code, _, err = project.publish("--concept", "123")
    assert code == 2 and "publish needs --files, or --release-tag" in err


def test_the_command_line_back_fills_a_release_by_tag(project, fake_github, monkeypatch):
    repo = fake_github.add_repo("octo-org/frobnicator")
    release = fake_github.add_release(
        repo, "v1.2.0", body="notes", published_at="2024-06-01T08:00:00Z"
    )
    fake_github.add_asset(release, "frob-1.2.0.whl", b"wheel 1.2")
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--release-tag", "v1.2.0"]
    args += ["--repository", repo.full_name, "--github-api-url", fake_github.api_url]

    code, result, err = project.publish(*args)

    assert code == 0, err
    assert result["status"] == "published" and result["version"] == "v1.2.0"
    assert {f["name"] for f in result["files"]} == {"frob-1.2.0.whl", "frobnicator-v1.2.0.zip"}
    [_, new] = project.zenodo.published_versions(concept.concept_id)
    assert new["publication_date"] == "2024-06-01"
    code, again, _ = project.publish(*args)
    assert code == 0 and again["status"] == "unchanged" and again["doi"] == result["doi"]


def test_a_back_fill_without_a_repository_is_a_usage_error(project):
    code, _, err = project.publish("--concept", "123", "--release-tag", "v1.2.0")
    assert code == 2 and "--repository owner/name" in err


@pytest.mark.parametrize(
    ("setup", "flags", "said"),
    [
        (
            lambda root: (root / "README.md").write_text("# F\n\n<!-- zenodo-badge -->\nx\n"),
            ["--write-back", "readme"],
            "README.md line 3",
        ),
        (lambda root: None, ["--write-back", "all", "--readme-file", "../README.md"], "../README"),
        (lambda root: None, ["--write-back", "citation", "--citation-file", "/tmp/C.cff"], "C.cff"),
    ],
)
def test_what_write_back_could_not_do_stops_the_run_before_zenodo(project, setup, flags, said):
    setup(project.root)
    concept = seed(project.zenodo)
    project.zenodo.requests.clear()

    code, _, err = project.publish("--concept", concept.concept_doi, "--files", "dist/*", *flags)

    assert code == 2 and "write-back" in err and said in err
    assert project.zenodo.requests == []


@pytest.mark.parametrize(
    ("version", "branch"),
    [
        ("v1.2.0", "zenodo-doi/v1.2.0"),
        ("2024-05-02", "zenodo-doi/2024-05-02"),
    ],
)
def test_a_plain_version_names_its_branch(version, branch):
    assert branch_for(version) == branch


@pytest.mark.parametrize("version", ["1...2", "1.0.lock", "release 1.0", "v1.0+a", "..", "é"])
def test_any_version_gives_a_branch_name_git_accepts(version, tmp_path):
    branch = branch_for(version)
    check = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True)
    assert check.returncode == 0, branch
    assert branch != branch_for(version + "x")


def test_versions_that_clean_to_the_same_text_get_different_branches():
    assert branch_for("1.0+a") != branch_for("1.0-a")


def test_all_and_an_unknown_target_is_still_refused():
    with pytest.raises(UsageError, match="unknown 'bogus'"):
        write_back_targets("all, bogus", "--write-back")


def test_back_fill_flags_without_a_release_tag_are_refused(project):
    code, _, err = project.publish("--files", "dist/*", "--source-archive", "none")
    assert code == 2 and "--source-archive only apply with --release-tag" in err


def test_a_two_step_release_never_makes_the_record_a_version_of_itself(project):
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]
    code, draft, _ = project.publish(*args, "--draft", "--write-back", "citation")
    assert code == 0 and draft["doi"] in (project.root / "CITATION.cff").read_text()

    code, published, err = project.publish(*args)

    assert code == 0, err
    [_, new] = project.zenodo.published_versions(concept.concept_id)
    related = {r["identifier"] for r in new["metadata"].get("related_identifiers", [])}
    assert published["doi"] not in related and concept.concept_doi in related


def test_a_readme_without_markers_is_noticed_before_publishing(project):
    (project.root / "README.md").write_text("# Frobnicator\n")
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]

    code, _, err = project.publish(*args, "--write-back", "readme")

    assert code == 0 and "README.md has no <!-- zenodo-badge --><!-- /zenodo-badge -->" in err


def test_a_back_fill_keeps_a_publication_date_given_on_the_command_line(project, fake_github):
    repo = fake_github.add_repo("octo-org/frobnicator")
    fake_github.add_release(repo, "rel/1.2", published_at="2024-06-01T08:00:00Z")
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--release-tag", "rel/1.2"]
    args += ["--repository", repo.full_name, "--github-api-url", fake_github.api_url]

    code, result, err = project.publish(*args, "--publication-date", "2024-01-31")

    assert code == 0, err
    assert result["version"] == "rel/1.2"
    [lookup] = fake_github.requests_to("api", "/releases/tags/")
    # either form is accepted (github-rest.md §1.1)
    assert lookup.path.endswith("/releases/tags/rel/1.2")
    [_, new] = project.zenodo.published_versions(concept.concept_id)
    assert new["publication_date"] == "2024-01-31"


# --- the working tree: links, odd files, never backwards --------------------------------


def test_a_linked_citation_file_is_written_at_its_target_and_stays_a_link(project):
    (project.root / "docs").mkdir()
    (project.root / "CITATION.cff").rename(project.root / "docs" / "CITATION.cff")
    (project.root / "CITATION.cff").symlink_to("docs/CITATION.cff")
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]

    code, result, err = project.publish(*args, "--write-back", "citation")

    assert code == 0, err
    link = project.root / "CITATION.cff"
    assert link.is_symlink() and str(link.readlink()) == "docs/CITATION.cff"
    assert f"value: {result['doi']}\n" in (project.root / "docs" / "CITATION.cff").read_text()


@pytest.mark.parametrize("refused", ["replace", "create"])
def test_a_target_that_cannot_be_written_after_the_publish_is_a_warning(
    project, monkeypatch, refused
):
    """A read-only folder (a mount, another user's) behind a linked CITATION.cff: stood in
    for by refusing the write there, as the tests may run as root."""
    meta = project.root / "meta"
    meta.mkdir()
    (project.root / "CITATION.cff").rename(meta / "CITATION.cff")
    (project.root / "CITATION.cff").symlink_to("meta/CITATION.cff")
    real_replace, real_temporary = os.replace, tempfile.NamedTemporaryFile

    def replace(source, target, **kwargs):
        if Path(target).parent == meta:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(source))
        return real_replace(source, target, **kwargs)

    def temporary(*args, **kwargs):
        if Path(kwargs.get("dir", "")) == meta:
            raise PermissionError(errno.EACCES, "Permission denied", str(meta / "tmpx.tmp"))
        return real_temporary(*args, **kwargs)

    if refused == "replace":
        monkeypatch.setattr(os, "replace", replace)
    else:
        monkeypatch.setattr(tempfile, "NamedTemporaryFile", temporary)
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]

    code, result, err = project.publish(*args, "--write-back", "citation,readme")

    assert code == 0 and result["status"] == "published" and result["doi"]
    assert "CITATION.cff not written" in err and str(meta / "CITATION.cff") in err
    assert ("Operation not permitted" if refused == "replace" else "Permission denied") in err
    assert "internal error" not in err and "wrote the DOI into README.md" in err
    assert (meta / "CITATION.cff").read_text() == CITATION and os.listdir(meta) == ["CITATION.cff"]
    assert result["concept_doi"] in (project.root / "README.md").read_text()


def test_a_link_out_of_the_project_is_refused_before_zenodo(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "CITATION.cff"
    outside.write_text(CITATION)
    (project.root / "CITATION.cff").unlink()
    (project.root / "CITATION.cff").symlink_to(outside)
    concept = seed(project.zenodo)
    project.zenodo.requests.clear()

    code, _, err = project.publish(
        "--concept", concept.concept_doi, "--files", "dist/*", "--write-back", "all"
    )

    assert code == 2 and "CITATION.cff is a link to" in err and "outside the repository" in err
    assert project.zenodo.requests == [] and outside.read_text() == CITATION


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        (
            "CITATION.cff",
            "cff-version: 1.2.0\nkeywords: " + "[" * 5000 + "]" * 5000 + "\n",
            "nested too deeply",
        ),
        ("CITATION.cff", CITATION.replace("\nlicense:", "\u2029license:"), "PARAGRAPH SEPARATOR"),
        ("CITATION.cff", CITATION + "abstract: |+\n  text", "keeps its line breaks"),
    ],
)
def test_a_file_the_editor_cannot_write_safely_stops_the_run_before_zenodo(
    project, name, text, said
):
    (project.root / name).write_text(text, newline="")
    concept = seed(project.zenodo)
    project.zenodo.requests.clear()

    code, _, err = project.publish(
        "--concept", concept.concept_doi, "--files", "dist/*", "--write-back", "citation"
    )

    assert code == 2 and said in err and "internal error" not in err
    assert project.zenodo.requests == []


def test_a_working_tree_citing_a_newer_release_is_not_written_backwards(project):
    (project.root / "CITATION.cff").write_text(CITATION.replace("version: 1.1.0", "version: 2.0.0"))
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]

    code, _, err = project.publish(*args, "--write-back", "citation,readme")

    assert code == 0
    assert "nothing written back: CITATION.cff already cites version 2.0.0" in err
    assert "version: 2.0.0" in (project.root / "CITATION.cff").read_text()
    assert (project.root / "README.md").read_text() == README


def test_a_run_scans_each_readme_text_for_code_once(project, monkeypatch):
    """The preflight, the edit after the publish and their read-backs ask about the same
    README: each text is scanned once (README, "Performance and size")."""
    readme = "# Frobnicator\n\nSee `x`.\n\n<!-- zenodo-badge --><!-- /zenodo-badge -->\n"
    (project.root / "README.md").write_text(readme)
    scanned: list[str] = []

    def counted(text, places):
        scanned.append(text)
        return in_code(text, places)

    monkeypatch.setattr(edits, "in_code", counted)
    concept = seed(project.zenodo)
    args = ["--concept", concept.concept_doi, "--files", "dist/*", "--version", "1.2.0"]

    code, result, err = project.publish(*args, "--write-back", "readme")

    assert code == 0, err
    written = (project.root / "README.md").read_text()
    assert result["concept_doi"] in written
    assert readme in scanned and written in scanned  # the original, and the read-back
    assert len(scanned) == len(set(scanned)) == 3  # (and the preflight's trial edit)


def test_one_file_failing_in_an_unforeseen_way_is_skipped_and_the_others_planned(monkeypatch):
    """After the publish, a failure that is no EditError (a bug) skips that file only,
    said as a bug, never raised past the plan."""
    from zenodo_action import readback, writeback

    edit = readback.edit

    def failing_on_the_citation(kind, text, facts, *, path):
        if kind == "citation":
            raise KeyError("surprise")
        return edit(kind, text, facts, path=path)

    monkeypatch.setattr(readback, "edit", failing_on_the_citation)
    files = [
        writeback.Found("citation", "CITATION.cff", "CITATION.cff", CITATION),
        writeback.Found("readme", "README.md", "README.md", README),
    ]
    facts = edits.DoiFacts("10.5281/zenodo.2", "10.5281/zenodo.1", "1.2.0", "2024-05-15", "B")

    planned = writeback.plan(files, facts)

    assert planned.changed == ["README.md"] and "B" in planned.changes["README.md"]
    assert "KeyError: 'surprise'" in planned.skipped["CITATION.cff"]
    assert "a bug in zenodo-action" in planned.skipped["CITATION.cff"]
