"""The runner as a reporter (github/reporter.py): annotations, outputs, the job summary."""

from __future__ import annotations

from pathlib import Path

from tests import container_harness as harness
from tests.builders import deposition, local
from zenodo_action.errors import ActionError, FieldError, UsageError
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.reporter import GitHubReporter, render_problems, workspace_relative
from zenodo_action.metadata import Problem
from zenodo_action.zenodo.deposit import Outcome
from zenodo_action.zenodo.errors import ZenodoRejected
from zenodo_action.zenodo.plan import Plan, PublishRequest
from zenodo_action.zenodo.results import result_of

ORCID = Problem("error", "creators[1].orcid", "fails the ORCID checksum", 12, 14, "orcid-checksum")


def runner_files(tmp_path: Path) -> RunnerFiles:
    (tmp_path / "output").touch()
    return RunnerFiles(tmp_path, str(tmp_path / "output"), str(tmp_path / "summary.md"))


def test_github_annotations_are_escaped():
    problem = Problem("error", "title", "bad: 50% of\nit, really", 3, 8, "x")
    out = render_problems({".zenodo.yml": [problem]})
    assert out.splitlines()[0] == (
        "::error file=.zenodo.yml,line=3,col=8,title=Zenodo metadata%3A title"
        "::bad: 50%25 of%0Ait, really"
    )


def test_github_untrusted_values_cannot_start_commands():
    hostile = Problem("error", "title", "'::add-mask::x' and '##[error]boom' here", 1, 8, "x")
    # the eleventh error gets no annotation: its text line echoes the value
    out = render_problems({".zenodo.yml": [ORCID] * 10 + [hostile]}).splitlines()
    # every line that echoes the value is inside a stop-commands block
    start = next(i for i, line in enumerate(out) if line.startswith("::stop-commands::"))
    token = out[start].removeprefix("::stop-commands::")
    end = out.index(f"::{token}::")
    echoes = [i for i, line in enumerate(out) if "##[error]" in line and not line.startswith("::")]
    assert echoes and all(start < i < end for i in echoes)
    assert len(token) > 20


def test_annotations_of_several_files_share_the_runners_ten(tmp_path, capsys):
    cff = [Problem("error", "title", "bad", 3, 1, "x")] * 8
    zenodo = [Problem("error", "grants", "bad", 2, 1, "y")] * 4
    GitHubReporter(runner_files(tmp_path)).problems(
        {tmp_path / "CITATION.cff": cff, tmp_path / ".zenodo.yml": zenodo}
    )
    out = capsys.readouterr().out
    annotated = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(annotated) == 10
    assert sum("file=.zenodo.yml" in line for line in annotated) == 2
    assert "CITATION.cff: invalid, 8 errors" in out and ".zenodo.yml: invalid, 4 errors" in out
    assert "2 more problems are not shown" in out
    summary = Path(tmp_path / "summary.md").read_text()
    assert "### :x: CITATION.cff: invalid" in summary and "### :x: .zenodo.yml: invalid" in summary


def test_github_annotates_ten_per_level_and_lists_all(tmp_path, capsys):
    errors = [Problem("error", f"keywords[{i}]", "bad", i + 1, 1, "type") for i in range(12)]
    warnings = [Problem("warning", "version", "stale", 20 + i, 1, "w") for i in range(3)]
    files = runner_files(tmp_path)
    GitHubReporter(files).problems({tmp_path / ".zenodo.yml": errors + warnings})
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert sum(line.startswith("::error file=.zenodo.yml,") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 3
    # each problem once in the log: the two past the runner's ten as text lines
    text = [line for line in lines if line.startswith(".zenodo.yml:") and ": error: " in line]
    assert [line.split(":")[1] for line in text] == ["11", "12"]
    assert lines[-2] == ".zenodo.yml: invalid, 12 errors, 3 warnings"
    assert "2 more problems are not shown as annotations" in out
    table_rows = [row for row in Path(files.summary).read_text().splitlines() if row[:2] == "| "]
    assert len(table_rows) == 2 + 15  # header, rule, every problem


def test_an_annotated_problem_is_not_repeated_as_a_text_line():
    warning = Problem("warning", "version", "hard-coded: it will go stale", 4, 10, "stale")
    out = render_problems({".zenodo.yml": [ORCID, warning]})
    assert out.splitlines() == [
        "::error file=.zenodo.yml,line=12,col=14,title=Zenodo metadata%3A creators[1].orcid"
        "::fails the ORCID checksum",
        "::warning file=.zenodo.yml,line=4,col=10,title=Zenodo metadata%3A version"
        "::hard-coded: it will go stale",
        ".zenodo.yml: invalid, 1 error, 1 warning",
    ]
    assert out.count("ORCID checksum") == 1 and out.count("go stale") == 1


def test_no_summary_file_outside_the_runner(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reporter = GitHubReporter()
    reporter.problems({Path(".zenodo.yml"): [ORCID]})
    reporter.output("status", "invalid")
    assert "::error file=.zenodo.yml,line=12," in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_annotation_paths_are_relative_to_the_workspace(tmp_path):
    assert workspace_relative(tmp_path / "sub" / ".zenodo.yml", tmp_path) == "sub/.zenodo.yml"
    assert workspace_relative("/elsewhere/.zenodo.yml", tmp_path) == "/elsewhere/.zenodo.yml"
    assert workspace_relative(".zenodo.yml", tmp_path) == ".zenodo.yml"
    assert workspace_relative(tmp_path / ".zenodo.yml", None) == f"{tmp_path}/.zenodo.yml"


def test_a_result_becomes_outputs_a_summary_and_a_notice_for_a_new_concept(tmp_path, capsys):
    files = runner_files(tmp_path)
    request = PublishRequest(metadata={"version": "1.1"}, files=(local("a.zip", "abc", 2000),))
    plan = Plan("new-concept", None, None, None, None)
    result = result_of("https://zenodo.org", request, plan, Outcome("published", deposition()))
    metadata = {"title": "Tool", "creators": [{"name": "Doe, J"}]}
    origins = {"title": "CITATION.cff", "creators": "the release"}
    GitHubReporter(files).result(result, metadata, origins)
    out = capsys.readouterr().out
    assert out.startswith("published 10.5281/zenodo.12 (version 1.1)")
    outputs = harness.parse_env_file(Path(files.output).read_text())
    assert outputs == result.outputs() and outputs["status"] == "published"
    summary = Path(files.summary).read_text()
    assert "## Published to Zenodo" in summary
    assert "| `title` | CITATION.cff |" in summary and "| `creators` | the release |" in summary
    [notice] = [line for line in out.splitlines() if line.startswith("::notice ")]
    assert "concept: 10.5281/zenodo.10" in notice


def test_an_error_is_one_annotation_with_its_hint(tmp_path, capsys):
    error = UsageError("no such input", hint="read the docs", file=str(tmp_path / "a.yml"), line=3)
    GitHubReporter(runner_files(tmp_path)).error(error)
    assert capsys.readouterr().out == (
        "::error file=a.yml,line=3,title=zenodo-action::no such input%0Ahint: read the docs\n"
    )


def test_fields_a_server_refused_are_annotated_where_they_are_written(tmp_path, capsys):
    fields = (
        FieldError(
            "metadata.creators.0.name", "Family name cannot be blank.", "/w/.zenodo.yml", 4, 5
        ),
        FieldError("files.enabled", "no files", None, None, None),
    )
    error = ZenodoRejected("Zenodo rejected the metadata", fields=fields)
    GitHubReporter(RunnerFiles(Path("/w"))).error(error)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "::error file=.zenodo.yml,line=4,col=5,title=Zenodo rejected the metadata"
        "::metadata.creators.0.name: Family name cannot be blank.",
        "::error file=.zenodo.yml,line=4,title=Zenodo::Zenodo rejected the metadata",
    ]


def test_an_error_without_located_fields_has_the_reporters_title(capsys):
    GitHubReporter(title="Zenodo metadata").error(ActionError("boom"))
    GitHubReporter().error(ZenodoRejected("refused"))
    assert capsys.readouterr().out.splitlines() == [
        "::error title=Zenodo metadata::boom",
        "::error title=zenodo-action::refused",
    ]


# --- the job summary: whole, in reading order, for every run -----------------------------


def published_result():
    request = PublishRequest(metadata={"version": "1.1"}, files=(local("a.zip", "abc", 2000),))
    plan = Plan("new-version", None, None, None, None)
    return result_of("https://zenodo.org", request, plan, Outcome("published", deposition()))


def test_the_summary_leads_with_the_result_whatever_was_reported_first(tmp_path, capsys):
    files = runner_files(tmp_path)
    reporter = GitHubReporter(files)
    reporter.problems({tmp_path / ".zenodo.yml": [Problem("warning", "version", "stale", 2, 1)]})
    reporter.result(published_result(), {"title": "Tool"}, {"title": ".zenodo.yml"})
    reporter.note("warning", "the DOI badge was not added", title="DOI badge")
    summary = Path(files.summary).read_text()
    assert summary.startswith("## Published to Zenodo\n")
    order = ["| DOI |", "- **warning** (DOI badge)", "| File |", "**Cite as**", "## Metadata"]
    places = [summary.index(text) for text in order]
    assert places == sorted(places)
    assert summary.count("## Published to Zenodo") == 1  # rewritten, not appended again


def test_what_a_step_wrote_to_the_summary_before_the_run_stays_first(tmp_path, capsys):
    files = runner_files(tmp_path)
    Path(files.summary).write_text("# Nightly build\n\n")
    reporter = GitHubReporter(files)
    reporter.problems({tmp_path / ".zenodo.yml": []})
    reporter.error(UsageError("boom", hint="set `mode: validate`"))
    summary = Path(files.summary).read_text()
    assert summary.startswith("# Nightly build\n\n## :x: zenodo-action failed\n")
    assert summary.count("# Nightly build") == 1
    assert "**What to do:** set `mode: validate`" in summary  # the code span stays code


def test_a_failure_is_status_failed_unless_the_run_gave_a_status(tmp_path, capsys):
    files = runner_files(tmp_path)
    GitHubReporter(files).error(UsageError("input 'mode' must be one of auto, validate"))
    assert harness.parse_env_file(Path(files.output).read_text()) == {"status": "failed"}
    (tmp_path / "second").mkdir()
    files = runner_files(tmp_path / "second")
    reporter = GitHubReporter(files)
    reporter.output("status", "invalid")
    reporter.error(ActionError("the metadata has 1 error"))
    assert harness.parse_env_file(Path(files.output).read_text()) == {"status": "invalid"}


def test_an_errors_values_cannot_break_out_of_the_summary(tmp_path, capsys):
    files = runner_files(tmp_path)
    hostile = "a ``` fence <script>x</script>\n```\n# heading"
    GitHubReporter(files).error(ActionError(hostile, hint="<img src=x> `ok`"))
    summary = Path(files.summary).read_text()
    assert "````text\n" + hostile + "\n````" in summary  # a longer fence than any inside
    assert "<img" not in summary and "&lt;img src=x&gt; `ok`" in summary
