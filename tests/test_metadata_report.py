"""Rendering problems: text lines, JSON, GitHub annotations and the job-summary table."""

from __future__ import annotations

import json

from zenodo_action.metadata import Problem, render_github, render_json, render_text
from zenodo_action.metadata.report import summary_markdown, workspace_relative

ORCID = Problem("error", "creators[1].orcid", "fails the ORCID checksum", 12, 14, "orcid-checksum")
NO_DESCRIPTION = Problem("warning", "description", "no description", 1, 1, "missing-description")
SYNTAX = Problem("error", "", "YAML syntax error: oops", None, None, "syntax")


def test_text_lines_and_summary():
    text = render_text([NO_DESCRIPTION, ORCID, SYNTAX], ".zenodo.yml")
    assert text.splitlines() == [
        ".zenodo.yml:1:1: warning: description: no description [missing-description]",
        ".zenodo.yml:12:14: error: creators[1].orcid: fails the ORCID checksum [orcid-checksum]",
        ".zenodo.yml: error: YAML syntax error: oops [syntax]",
        ".zenodo.yml: invalid, 2 errors, 1 warning",
    ]


def test_text_summary_when_valid():
    assert render_text([], "a.yml") == "a.yml: valid, no problems\n"
    assert render_text([NO_DESCRIPTION], "a.yml").endswith("a.yml: valid, 1 warning\n")


def test_json_document():
    document = json.loads(render_json([ORCID, NO_DESCRIPTION], "x/.zenodo.yml"))
    assert document == {
        "file": "x/.zenodo.yml",
        "valid": False,
        "errors": 1,
        "warnings": 1,
        "problems": [
            {
                "severity": "error",
                "path": "creators[1].orcid",
                "line": 12,
                "column": 14,
                "message": "fails the ORCID checksum",
                "code": "orcid-checksum",
            },
            {
                "severity": "warning",
                "path": "description",
                "line": 1,
                "column": 1,
                "message": "no description",
                "code": "missing-description",
            },
        ],
    }
    assert json.loads(render_json([NO_DESCRIPTION], "a"))["valid"] is True


def test_github_annotations_are_escaped(tmp_path):
    problem = Problem("error", "title", "bad: 50% of\nit, really", 3, 8, "x")
    out = render_github([problem], ".zenodo.yml", summary_path=str(tmp_path / "summary.md"))
    assert out.splitlines()[0] == (
        "::error file=.zenodo.yml,line=3,col=8,title=Zenodo metadata%3A title"
        "::bad: 50%25 of%0Ait, really"
    )


def test_github_untrusted_values_cannot_start_commands(tmp_path):
    hostile = Problem("error", "title", "'::add-mask::x' and '##[error]boom' here", 1, 8, "x")
    out = render_github([hostile], ".zenodo.yml", summary_path=str(tmp_path / "s.md")).splitlines()
    # every line that echoes the value is inside a stop-commands block
    start = next(i for i, line in enumerate(out) if line.startswith("::stop-commands::"))
    token = out[start].removeprefix("::stop-commands::")
    end = out.index(f"::{token}::")
    echoes = [i for i, line in enumerate(out) if "##[error]" in line and not line.startswith("::")]
    assert echoes and all(start < i < end for i in echoes)
    assert len(token) > 20


def test_github_annotates_ten_per_level_and_lists_all(tmp_path):
    errors = [Problem("error", f"keywords[{i}]", "bad", i + 1, 1, "type") for i in range(12)]
    warnings = [Problem("warning", "version", "stale", 20 + i, 1, "w") for i in range(3)]
    summary = tmp_path / "summary.md"
    out = render_github(errors + warnings, ".zenodo.yml", summary_path=str(summary))
    lines = out.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 3
    assert sum(line.startswith(".zenodo.yml:") and ": error: " in line for line in lines) == 12
    assert "2 more problems are not shown as annotations" in out
    table_rows = [row for row in summary.read_text().splitlines() if row.startswith("| ")]
    assert len(table_rows) == 2 + 15  # header, rule, every problem


def test_summary_table_cells_are_inert():
    hostile = Problem("error", "title", "<img src=x onerror=alert(1)> | `x`\nnext", 2, 3, "x")
    markdown = summary_markdown([hostile], ".zenodo.yml")
    row = next(line for line in markdown.splitlines() if line.startswith("| 2:3"))
    assert "&lt;img src=x onerror=alert(1)&gt; \\| 'x' next" in row
    assert row.count(" | ") == 3  # still four cells
    assert markdown.startswith("### :x: .zenodo.yml: invalid, 1 error")


def test_summary_when_valid_has_no_table():
    markdown = summary_markdown([], ".zenodo.yml")
    assert markdown == "### :white_check_mark: .zenodo.yml: valid, no problems\n\n"


def test_no_summary_file_outside_the_runner(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    render_github([ORCID], ".zenodo.yml")
    assert list(tmp_path.iterdir()) == []


def test_annotation_paths_are_relative_to_the_workspace(tmp_path):
    assert workspace_relative(tmp_path / "sub" / ".zenodo.yml", str(tmp_path)) == (
        "sub/.zenodo.yml"
    )
    assert workspace_relative("/elsewhere/.zenodo.yml", str(tmp_path)) == "/elsewhere/.zenodo.yml"
    assert workspace_relative(".zenodo.yml", str(tmp_path)) == ".zenodo.yml"
