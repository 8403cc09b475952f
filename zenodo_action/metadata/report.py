"""Problems as text lines, JSON, or a Markdown table for a job summary: pure renderings.

The file being validated is untrusted (a pull request's own YAML), and its values appear
in messages; the table escapes them so they cannot break it or inject HTML. Annotations
are the GitHub reporter's business (github/reporter.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from zenodo_action.markdown import cell, code_cell
from zenodo_action.metadata.problems import ERROR, NOTICE, SEVERITIES, WARNING, Problem, count

GROUP_AT = 4  # this many warnings (or notices) of one kind in a file become one text line
GROUP_SHOWN = 3  # places named in a grouped line


def _plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary_line(problems: Sequence[Problem], config_path: str | Path) -> str:
    found = [
        _plural(count(problems, severity), severity)
        for severity in SEVERITIES
        if count(problems, severity)
    ]
    verdict = "invalid" if count(problems, ERROR) else "valid"
    return f"{config_path}: {verdict}, {', '.join(found) or 'no problems'}"


def problem_line(problem: Problem, config_path: str | Path) -> str:
    """`PATH:LINE:COL: severity: field: message [code]`, as compilers and linters print."""
    where = str(config_path)
    if problem.line is not None:
        where += f":{problem.line}" + (f":{problem.column}" if problem.column else "")
    code = f" [{problem.code}]" if problem.code else ""
    return f"{where}: {problem.severity}: {problem.describe()}{code}"


def render_text(problems: Sequence[Problem], config_path: str | Path) -> str:
    """The problems' lines (`problem_lines`), then the file's verdict."""
    lines = [*problem_lines(problems, config_path), summary_line(problems, config_path)]
    return "\n".join(lines) + "\n"


def problem_lines(problems: Sequence[Problem], config_path: str | Path) -> list[str]:
    """One line per problem, except that many warnings or notices of one kind share a line
    (a file of 268 authors should not print 268 name warnings); errors always get theirs."""
    lines = []
    groups = _groups(problems)
    for problem in problems:
        group = groups.get((problem.severity, problem.code), [problem])
        if problem is group[0]:
            lines.append(problem_line(problem, config_path) + _more_like_it(group[1:]))
    return lines


def _groups(problems: Sequence[Problem]) -> dict[tuple[str, str], list[Problem]]:
    by_kind: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        if problem.severity in (WARNING, NOTICE) and problem.code:
            by_kind.setdefault((problem.severity, problem.code), []).append(problem)
    return {kind: group for kind, group in by_kind.items() if len(group) >= GROUP_AT}


def _more_like_it(rest: Sequence[Problem]) -> str:
    if not rest:
        return ""
    places = [f"line {p.line}" if p.line else p.path or "the file" for p in rest[:GROUP_SHOWN]]
    more = f" and {len(rest) - GROUP_SHOWN} more" if len(rest) > GROUP_SHOWN else ""
    return f" (also {len(rest)} more of this kind: {', '.join(places)}{more})"


def render_json(found: Mapping[Path, Sequence[Problem]]) -> str:
    """One document for the run: the verdict over every file read, each problem with its
    file. `file` names the first file (the only one, when there is one), as before
    metadata could come from several."""
    everything = [(path, p) for path, problems in found.items() for p in problems]
    errors = sum(1 for _, p in everything if p.severity == ERROR)
    document = {
        "file": str(next(iter(found), "")),
        "files": [str(path) for path in found],
        "valid": errors == 0,
        "errors": errors,
        "warnings": sum(1 for _, p in everything if p.severity == WARNING),
        "notices": sum(1 for _, p in everything if p.severity == NOTICE),
        "problems": [
            {
                "file": str(path),
                "severity": p.severity,
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "code": p.code,
            }
            for path, p in everything
        ],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only its \\u escape can be written
        text = json.dumps(document, indent=2)
    return text + "\n"


def summary_markdown(problems: Sequence[Problem], config_path: str | Path) -> str:
    """A job-summary section: the verdict and, if any, a table of every problem in the
    order of the file's lines (those of the whole file, without one, first)."""
    verdict = summary_line(problems, config_path)
    icon = ":x:" if count(problems, ERROR) else ":white_check_mark:"
    lines = [f"### {icon} {cell(verdict)}", ""]
    if problems:
        lines += ["| Line | Severity | Field | Problem |", "| ---: | --- | --- | --- |"]
        for p in sorted(problems, key=lambda p: (p.line or 0, p.column or 0)):
            where = f"{p.line}:{p.column}" if p.line and p.column else str(p.line or "")
            field = code_cell(p.path) if p.path else ""
            lines.append(f"| {where} | {p.severity} | {field} | {cell(p.message)} |")
        lines.append("")
    return "\n".join(lines) + "\n"
