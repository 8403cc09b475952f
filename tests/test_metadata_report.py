"""Rendering problems (metadata/report.py): text lines, JSON and the job-summary table.
Annotations are the GitHub reporter's: tests/test_github_reporter.py."""

from __future__ import annotations

import json
from pathlib import Path

from zenodo_action.metadata import Problem, render_json, render_text
from zenodo_action.metadata.report import summary_markdown

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
    document = json.loads(render_json({Path("x/.zenodo.yml"): [ORCID, NO_DESCRIPTION]}))
    assert document == {
        "file": "x/.zenodo.yml",
        "files": ["x/.zenodo.yml"],
        "valid": False,
        "errors": 1,
        "warnings": 1,
        "notices": 0,
        "problems": [
            {
                "file": "x/.zenodo.yml",
                "severity": "error",
                "path": "creators[1].orcid",
                "line": 12,
                "column": 14,
                "message": "fails the ORCID checksum",
                "code": "orcid-checksum",
            },
            {
                "file": "x/.zenodo.yml",
                "severity": "warning",
                "path": "description",
                "line": 1,
                "column": 1,
                "message": "no description",
                "code": "missing-description",
            },
        ],
    }
    assert json.loads(render_json({Path("a"): [NO_DESCRIPTION]}))["valid"] is True


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


def test_the_summary_table_lists_problems_in_the_order_of_the_files_lines():
    later = Problem("warning", "keywords[1]", "put it in quotes", 11, 21, "cff-type")
    found = [Problem("warning", "journal", "unknown key", 18, 1, "x"), ORCID, later, SYNTAX]
    rows = [line for line in summary_markdown(found, "CITATION.cff").splitlines() if "| " in line]
    assert [row.split(" |")[0] for row in rows[2:]] == ["| ", "| 11:21", "| 12:14", "| 18:1"]
