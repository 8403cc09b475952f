"""A plan and its outcome as the typed result and as dry-run text (zenodo/results.py)."""

from tests.builders import deposition, local, remote
from zenodo_action.zenodo.deposit import Outcome
from zenodo_action.zenodo.plan import FileChanges, Plan, PublishRequest
from zenodo_action.zenodo.results import render_plan, result_of


def request(version="1.1"):
    return PublishRequest(metadata={"version": version}, files=(local("a.zip", "abc", 2000),))


def test_result_of_a_published_version():
    plan = Plan("new-version", 10, None, None, None)
    outcome = Outcome("published", deposition())
    result = result_of("https://zenodo.org", request(), plan, outcome).to_json()
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
    assert result["new_concept"] is False


def test_the_json_and_the_outputs_keep_their_documented_names():
    plan = Plan("new-version", 10, None, None, None)
    result = result_of("https://zenodo.org", request(), plan, Outcome("published", deposition()))
    assert list(result.to_json()) == [
        "status",
        "doi",
        "doi_url",
        "concept_doi",
        "record_id",
        "record_url",
        "version",
        "badge",
        "files",
        "new_concept",
        "reason",
        "doi_reserved",  # added after the others: their order is documented
    ]
    outputs = result.outputs()
    assert list(outputs) == [
        "doi",
        "doi-url",
        "concept-doi",
        "record-id",
        "record-url",
        "version",
        "badge",
        "status",
        "doi-reserved",
    ]
    assert outputs["record-id"] == "12" and outputs["doi-url"] == result.doi_url
    assert outputs["doi-reserved"] == "false"


def test_a_draft_has_its_reserved_doi_and_links_to_the_upload():
    prereserve = {"doi": "10.5281/zenodo.12", "recid": 12}
    draft = deposition(
        state="unsubmitted",
        submitted=False,
        doi=None,
        conceptdoi="10.5072/zenodo.10",  # a sandbox draft: prereserve_doi's prefix is wrong
        metadata={"version": "1.1", "prereserve_doi": prereserve},
    )
    plan = Plan("new-version", 10, None, None, None)
    result = result_of("https://sandbox.zenodo.org", request(), plan, Outcome("draft", draft))
    assert result.to_json()["doi"] == "10.5072/zenodo.12"
    assert result.to_json()["doi_reserved"] is True
    assert result.badge == (
        "[![DOI](https://sandbox.zenodo.org/badge/DOI/10.5072/zenodo.12.svg)]"
        "(https://doi.org/10.5072/zenodo.12)"
    )
    assert result.record_url == "https://zenodo.org/deposit/12"  # links.html, as Zenodo says
    outputs = result.outputs()
    assert outputs["doi"] == "10.5072/zenodo.12" and outputs["status"] == "draft"
    assert outputs["doi-reserved"] == "true"


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
    text = render_plan(plan, req)
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
    result = result_of("https://zenodo.org", req, plan, None).to_json()
    assert result["status"] == "planned" and result["doi"] is None
    assert result["doi_reserved"] is False
