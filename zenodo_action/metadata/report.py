"""Problems as text lines, JSON, or GitHub workflow-command annotations plus a job summary.

The file being validated is untrusted (a pull request's own YAML), and its values appear
in messages; they are escaped so they cannot start a workflow command or inject HTML.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from zenodo_action.github import commands
from zenodo_action.metadata.problems import ERROR, WARNING, Problem, count

ANNOTATIONS_PER_LEVEL = 10  # the runner attaches no more per step (github-actions.md §2.5)


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


def workspace_relative(config_path: str | Path, workspace: str | None = None) -> str:
    """The path annotations need: relative to the checkout, as the runner resolves it."""
    workspace = workspace if workspace is not None else os.environ.get("GITHUB_WORKSPACE")
    path = Path(config_path)
    if workspace and path.is_absolute():
        try:
            return path.relative_to(workspace).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def render_github(
    problems: Sequence[Problem],
    config_path: str | Path,
    *,
    workspace: str | None = None,
    summary_path: str | None = None,
) -> str:
    """Annotations (the first ten per level, as the runner shows no more), then every
    problem as plain text; the Markdown table goes to the job summary when there is one.
    """
    file = workspace_relative(config_path, workspace)
    out = []
    shown = {ERROR: 0, WARNING: 0}
    for problem in problems:
        if shown[problem.severity] < ANNOTATIONS_PER_LEVEL:
            shown[problem.severity] += 1
            out.append(_annotation(problem, file))
    hidden = len(problems) - sum(shown.values())
    out.append(commands.untrusted(render_text(problems, file).rstrip("\n")))
    if hidden:
        out.append(
            f"{hidden} more problems are not shown as annotations (GitHub shows at most "
            f"{ANNOTATIONS_PER_LEVEL} per kind); all are listed above and in the job summary."
        )
    commands.append_summary(summary_markdown(problems, file), path=summary_path)
    return "\n".join(out) + "\n"


def _annotation(problem: Problem, file: str) -> str:
    title = f"Zenodo metadata: {problem.path}" if problem.path else "Zenodo metadata"
    return commands.annotation(
        problem.severity,
        problem.message,
        file=file,
        line=problem.line,
        col=problem.column,
        title=title,
    )


def summary_markdown(problems: Sequence[Problem], config_path: str | Path) -> str:
    """A job-summary section: the verdict and, if any, a table of every problem."""
    verdict = summary_line(problems, config_path)
    icon = ":x:" if count(problems, ERROR) else ":white_check_mark:"
    lines = [f"### {icon} {_cell(verdict)}", ""]
    if problems:
        lines += ["| Line | Severity | Field | Problem |", "| ---: | --- | --- | --- |"]
        for p in problems:
            where = f"{p.line}:{p.column}" if p.line and p.column else str(p.line or "")
            field = f"`{_cell(p.path)}`" if p.path else ""
            lines.append(f"| {where} | {p.severity} | {field} | {_cell(p.message)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no HTML, no column breaks, one line."""
    replacements = {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "\\|",
        "`": "'",
        "\r": " ",
        "\n": " ",
    }
    return "".join(replacements.get(char, char) for char in text)
