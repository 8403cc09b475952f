"""Problems as text lines, JSON, or a Markdown table for a job summary: pure renderings.

The file being validated is untrusted (a pull request's own YAML), and its values appear
in messages; the table escapes them so they cannot break it or inject HTML. Annotations
are the GitHub reporter's business (github/reporter.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from zenodo_action.markdown import cell, code_cell
from zenodo_action.metadata.problems import ERROR, WARNING, Problem, count


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary_line(problems: Sequence[Problem], config_path: str | Path) -> str:
    errors, warnings = count(problems, ERROR), count(problems, WARNING)
    if errors:
        found = _plural(errors, "error") + (f", {_plural(warnings, 'warning')}" if warnings else "")
        return f"{config_path}: invalid, {found}"
    if warnings:
        return f"{config_path}: valid, {_plural(warnings, 'warning')}"
    return f"{config_path}: valid, no problems"


def problem_line(problem: Problem, config_path: str | Path) -> str:
    """`PATH:LINE:COL: severity: field: message [code]`, as compilers and linters print."""
    where = str(config_path)
    if problem.line is not None:
        where += f":{problem.line}" + (f":{problem.column}" if problem.column else "")
    code = f" [{problem.code}]" if problem.code else ""
    return f"{where}: {problem.severity}: {problem.describe()}{code}"


def render_text(problems: Sequence[Problem], config_path: str | Path) -> str:
    lines = [problem_line(problem, config_path) for problem in problems]
    lines.append(summary_line(problems, config_path))
    return "\n".join(lines) + "\n"


def render_json(problems: Sequence[Problem], config_path: str | Path) -> str:
    errors = count(problems, ERROR)
    document = {
        "file": str(config_path),
        "valid": errors == 0,
        "errors": errors,
        "warnings": count(problems, WARNING),
        "problems": [
            {
                "severity": p.severity,
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "code": p.code,
            }
            for p in problems
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def summary_markdown(problems: Sequence[Problem], config_path: str | Path) -> str:
    """A job-summary section: the verdict and, if any, a table of every problem."""
    verdict = summary_line(problems, config_path)
    icon = ":x:" if count(problems, ERROR) else ":white_check_mark:"
    lines = [f"### {icon} {cell(verdict)}", ""]
    if problems:
        lines += ["| Line | Severity | Field | Problem |", "| ---: | --- | --- | --- |"]
        for p in problems:
            where = f"{p.line}:{p.column}" if p.line and p.column else str(p.line or "")
            field = code_cell(p.path) if p.path else ""
            lines.append(f"| {where} | {p.severity} | {field} | {cell(p.message)} |")
        lines.append("")
    return "\n".join(lines) + "\n"
