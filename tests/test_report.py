"""Rendering a publish result (report.py): the text report, the citation, the job summary."""

from tests.builders import deposition, local
from zenodo_action import report
from zenodo_action.naming import COMMAND_LINE, RUNNER
from zenodo_action.zenodo.deposit import Outcome
from zenodo_action.zenodo.plan import Plan, PublishRequest
from zenodo_action.zenodo.results import result_of

METADATA = {
    "title": "Tool",
    "upload_type": "software",
    "creators": [{"name": "Doe, Jane Mary"}, {"name": "Roe, Rick"}, {"name": "ACME Lab"}],
    "publication_date": "2026-02-03",
}


def published(action="new-version"):
    request = PublishRequest(metadata={"version": "1.1"}, files=(local("a.zip", "abc", 2000),))
    plan = Plan(action, 10, None, None, None)
    return result_of("https://zenodo.org", request, plan, Outcome("published", deposition()))


def test_the_text_report_of_a_published_version():
    text = report.render_result(published())
    assert text.splitlines()[0] == "published 10.5281/zenodo.12 (version 1.1)"
    assert "NEW CONCEPT DOI" not in text


def test_a_new_concept_is_announced_prominently():
    text = report.render_result(published("new-concept"))
    assert "NEW CONCEPT DOI: 10.5281/zenodo.10" in text
    assert "--concept 10.5281/zenodo.10" in COMMAND_LINE.spell(text)
    assert "`concept: 10.5281/zenodo.10`" in RUNNER.spell(text)


def test_citation_and_summary():
    result = published()
    assert report.citation(METADATA, result) == (
        "Doe, J. M., Roe, R., & ACME Lab (2026). Tool (1.1) [Software]. Zenodo. "
        "https://doi.org/10.5281/zenodo.12"
    )
    summary = report.render_job_summary(report.JobSummary(result=result, metadata=METADATA))
    assert "| DOI | [10.5281/zenodo.12](https://doi.org/10.5281/zenodo.12) |" in summary
    assert "| a.zip | 2.0 kB | `abc` |" in summary
    assert summary.count(result.badge) == 2


def test_summary_cells_stay_cells():
    request = PublishRequest(metadata={"version": "1|`2`\n"}, files=(local("a|b", "abc"),))
    plan = Plan("new-version", 10, None, None, None)
    result = result_of("https://zenodo.org", request, plan, None)
    summary = report.render_job_summary(report.JobSummary(result=result, metadata={"title": "T"}))
    assert "| Version | `1\\|'2' ` |" in summary
    assert "| a\\|b | 3 B | `abc` |" in summary
