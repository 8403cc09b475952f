"""Building the metadata to send, and rendering results: pure functions, no server."""

import datetime as dt
from pathlib import Path

from zenodo_action import report
from zenodo_action.files import LocalFile
from zenodo_action.metadata.build import build_metadata, describe_changes
from zenodo_action.zenodo.client import Deposition, RemoteFile
from zenodo_action.zenodo.deposit import FileChanges, Outcome, Plan, PublishRequest, diff_files

FILE = {
    "title": "Tool",
    "upload_type": "software",
    "creators": [{"name": "Doe, Jane Mary"}, {"name": "Roe, Rick"}, {"name": "ACME Lab"}],
    "doi": "10.5281/zenodo.1",
    "prereserve_doi": {"doi": "10.5281/zenodo.1", "recid": 1},
    "related_identifiers": [
        {"identifier": "https://github.com/o/r/releases/tag/v1", "relation": "isSupplementTo"}
    ],
}


def test_server_owned_fields_are_removed_and_the_input_is_not_changed():
    built = build_metadata(FILE, version="1.1", today=dt.date(2026, 1, 2))
    assert "doi" not in built and "prereserve_doi" not in built
    assert built["version"] == "1.1"
    assert built["publication_date"] == "2026-01-02"
    assert "doi" in FILE


def test_explicit_values_win_over_the_file_and_the_file_over_defaults():
    data = {**FILE, "version": "0.9", "publication_date": "2020-01-01", "description": "mine"}
    built = build_metadata(
        data,
        version="2.0",
        publication_date="2026-03-04",
        default_description="<p>notes</p>",
        default_upload_type="dataset",
    )
    assert built["version"] == "2.0"
    assert built["publication_date"] == "2026-03-04"
    assert built["description"] == "mine"
    assert built["upload_type"] == "software"
    kept = build_metadata(data)
    assert kept["version"] == "0.9" and kept["publication_date"] == "2020-01-01"


def test_defaults_fill_what_the_file_leaves_out():
    built = build_metadata(
        {"title": "T"}, default_description="<p>n</p>", default_upload_type="software"
    )
    assert built["description"] == "<p>n</p>"
    assert built["upload_type"] == "software"


def test_related_identifiers_are_added_once():
    release = {"identifier": "https://github.com/o/r/releases/tag/v1", "relation": "issupplementto"}
    other = {"identifier": "https://github.com/o/r/releases/tag/v2", "relation": "isSupplementTo"}
    built = build_metadata(FILE, related=[release, other])
    assert [r["identifier"] for r in built["related_identifiers"]] == [
        "https://github.com/o/r/releases/tag/v1",
        "https://github.com/o/r/releases/tag/v2",
    ]


def test_describe_changes_ignores_what_zenodo_echoes_differently():
    old = {"title": "A", "license": "cc-by-4.0", "doi": "x", "notes": "", "version": "1"}
    new = {"title": "A", "license": "CC-BY-4.0", "version": "2", "keywords": ["k"]}
    assert describe_changes(old, new) == ["keywords: added ['k']", "version: '1' -> '2'"]


def local(name, md5, size=3):
    return LocalFile(name, Path(name), size, md5)


def remote(name, md5, size=3):
    return RemoteFile(f"id-{name}", name, size, md5)


def test_diff_files_keeps_identical_deletes_the_rest_uploads_the_new():
    changes = diff_files(
        [remote("same", "1"), remote("changed", "2"), remote("gone", "3")],
        [local("same", "1"), local("changed", "9"), local("new", "4")],
    )
    assert [r.name for r in changes.keep] == ["same"]
    assert [r.name for r in changes.delete] == ["changed", "gone"]
    assert [f.name for f in changes.upload] == ["changed", "new"]


def deposition(**fields):
    data = {
        "id": 12,
        "conceptrecid": "10",
        "state": "done",
        "submitted": True,
        "doi": "10.5281/zenodo.12",
        "conceptdoi": "10.5281/zenodo.10",
        "metadata": {"version": "1.1", "title": "Tool"},
        "files": [{"id": "f", "filename": "a.zip", "filesize": 2000, "checksum": "abc"}],
        "links": {"html": "https://zenodo.org/deposit/12"},
    }
    data.update(fields)
    return Deposition.from_json(data)


def request(version="1.1"):
    return PublishRequest(metadata={"version": version}, files=(local("a.zip", "abc", 2000),))


def test_result_of_a_published_version():
    plan = Plan("new-version", 10, None, None, None)
    outcome = Outcome("published", deposition(), plan)
    result = report.result_of("https://zenodo.org", request(), plan, outcome)
    assert result["status"] == "published"
    assert result["doi"] == "10.5281/zenodo.12"
    assert result["doi_url"] == "https://doi.org/10.5281/zenodo.12"
    assert result["concept_doi"] == "10.5281/zenodo.10"
    assert result["record_url"] == "https://zenodo.org/records/12"
    assert result["badge"] == (
        "[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.12.svg)]"
        "(https://doi.org/10.5281/zenodo.12)"
    )
    assert result["files"] == [{"name": "a.zip", "size": 2000, "md5": "abc"}]
    text = report.render_result(result)
    assert text.splitlines()[0] == "published 10.5281/zenodo.12 (version 1.1)"
    assert "NEW CONCEPT DOI" not in text


def test_a_new_concept_is_announced_prominently():
    plan = Plan("new-concept", None, None, None, None)
    outcome = Outcome("published", deposition(), plan)
    text = report.render_result(report.result_of("https://zenodo.org", request(), plan, outcome))
    assert "NEW CONCEPT DOI: 10.5281/zenodo.10" in text
    assert "--concept 10.5281/zenodo.10" in text


def test_a_draft_has_no_doi_and_links_to_the_upload():
    draft = deposition(state="unsubmitted", submitted=False, doi=None)
    plan = Plan("new-version", 10, None, None, None)
    result = report.result_of("https://zenodo.org", request(), plan, Outcome("draft", draft, plan))
    assert result["doi"] is None and result["badge"] is None
    assert result["record_url"] == "https://zenodo.org/deposit/12"


def test_a_dry_run_plan_lists_every_file_and_change():
    latest = deposition(metadata={"version": "1.0", "title": "Tool"})
    plan = Plan(
        "new-version",
        10,
        latest,
        None,
        None,
        FileChanges(
            keep=(remote("same", "1", 1500),),
            delete=(remote("old", "2", 10),),
            upload=(local("new", "4", 2_000_000),),
        ),
        ("version: '1.0' -> '1.1'",),
    )
    req = PublishRequest(
        metadata={"version": "1.1"}, files=(local("same", "1", 1500), local("new", "4", 2_000_000))
    )
    text = report.render_plan(plan, req)
    assert text.splitlines() == [
        "would publish 1.1 as the next version of concept 10.5281/zenodo.10 "
        "(latest: 1.0, 10.5281/zenodo.12)",
        "files:",
        "  keep   same  1.5 kB",
        "  delete old   10 B",
        "  upload new   2.0 MB",
        "metadata changes against the latest version:",
        "  version: '1.0' -> '1.1'",
    ]
    result = report.result_of("https://zenodo.org", req, plan, None)
    assert result["status"] == "planned" and result["doi"] is None


def test_citation_and_summary():
    plan = Plan("new-version", 10, None, None, None)
    result = report.result_of(
        "https://zenodo.org", request(), plan, Outcome("published", deposition(), plan)
    )
    metadata = {**FILE, "publication_date": "2026-02-03"}
    assert report.citation(metadata, result) == (
        "Doe, J. M., Roe, R., & ACME Lab (2026). Tool (1.1) [Software]. Zenodo. "
        "https://doi.org/10.5281/zenodo.12"
    )
    summary = report.summary_markdown(result, metadata)
    assert "| DOI | [10.5281/zenodo.12](https://doi.org/10.5281/zenodo.12) |" in summary
    assert "| a.zip | 2.0 kB | `abc` |" in summary
    assert summary.count(result["badge"]) == 2
