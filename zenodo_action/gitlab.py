"""GitLab CI as a reporter: a Code Quality report for merge requests, a dotenv report
for later jobs, beside the terminal's lines.

Outside GitHub the command line is the product (issue 13): a GitLab job runs
`zenodo-action validate --format gitlab > gl-code-quality-report.json` and uploads it as
`artifacts: reports: codequality:` (problems then show in the merge request, on their
lines), or `zenodo-action publish --dotenv zenodo.env` and uploads that as
`artifacts: reports: dotenv:` (later jobs get `$ZENODO_DOI` and the rest). Everything
else (progress, problems as text, the result) is the terminal reporter's, unchanged.
The renderers are pure; the reporter only decides where their text goes.

Formats: https://docs.gitlab.com/ci/testing/code_quality/ (a subset of the Code Climate
issue spec, so `--format codeclimate` is the same report) and GitLab's dotenv parser
(app/services/ci/parse_dotenv_artifact_service.rb: each line split at its first `=`,
both sides stripped of blanks, quotes kept as written, no empty lines, under 5 KB).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from zenodo_action import confined
from zenodo_action.errors import ActionError
from zenodo_action.metadata import ERROR, NOTICE, WARNING, Problem
from zenodo_action.naming import COMMAND_LINE
from zenodo_action.reporter import Level, Reporter, spelt
from zenodo_action.result import PublishResult

CHECK_PREFIX = "zenodo-action"  # check names are namespaced: other linters share the widget
# An error stops a release (major); a warning is worth fixing (minor); a notice is not
# a defect (info). A run that could not check at all is `critical`: nothing was checked.
SEVERITY = {ERROR: "major", WARNING: "minor", NOTICE: "info"}
FAILURE_SEVERITY = "critical"
CATEGORY = {ERROR: "Bug Risk", WARNING: "Clarity", NOTICE: "Clarity"}  # Code Climate's

DOTENV_SIZE_LIMIT = 5 * 1024  # GitLab refuses a dotenv artifact of this many bytes or more
_DOTENV_KEY = re.compile(r"^[A-Za-z0-9_]+$")
_RUBY_BLANKS = " \t\n\v\f\r\0"  # what GitLab's `strip!` removes from both ends of a value


def project_path(path: str | Path, project_dir: Path | None) -> str:
    """`location.path`: relative to the repository's root (GitLab's CI_PROJECT_DIR, else
    the working directory), `/`-separated, without `./`, as GitLab matches it to the diff."""
    root = os.path.abspath(project_dir if project_dir is not None else Path.cwd())
    try:
        relative = os.path.relpath(os.path.abspath(path), root)
    except ValueError:  # another drive (Windows): no relative path exists
        return Path(path).as_posix()
    return Path(relative).as_posix()


def fingerprint(*parts: str) -> str:
    """Stable across runs for the same problem: what it is and where, never its line, so
    that a problem that merely moves down the file is not reported as fixed and new."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def code_quality_issues(
    found: Mapping[Path, Sequence[Problem]], project_dir: Path | None = None
) -> list[dict[str, Any]]:
    """One Code Quality issue per problem, in file order."""
    issues = []
    seen: dict[str, int] = {}
    for file, problems in found.items():
        path = project_path(file, project_dir)
        for problem in problems:
            check = f"{CHECK_PREFIX}/{problem.code}" if problem.code else CHECK_PREFIX
            key = fingerprint(path, problem.path, check, problem.message)
            # The same words about the same field twice: the n-th keeps its own print.
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = fingerprint(key, str(seen[key]))
            issues.append(
                _issue(
                    problem.describe(),
                    check,
                    key,
                    SEVERITY.get(problem.severity, "major"),
                    CATEGORY.get(problem.severity, "Bug Risk"),
                    path,
                    problem.line,
                )
            )
    return issues


def failure_issue(error: ActionError, project_dir: Path | None = None) -> dict[str, Any]:
    """The error that stopped validation (no metadata found, a file unreadable) as the
    report's one issue: an empty report would read as "no problems" in the widget."""
    path = project_path(error.file, project_dir) if error.file else "."
    check = f"{CHECK_PREFIX}/failed"
    key = fingerprint(path, check, error.message)
    description = COMMAND_LINE.spell(str(error))  # GitLab runs the command line
    return _issue(description, check, key, FAILURE_SEVERITY, "Bug Risk", path, error.line)


def _issue(
    description: str,
    check: str,
    key: str,
    severity: str,
    category: str,
    path: str,
    line: int | None,
) -> dict[str, Any]:
    return {
        "type": "issue",  # Code Climate's spec requires it; GitLab ignores it
        "description": description,
        "check_name": check,
        "fingerprint": key,
        "severity": severity,
        "categories": [category],
        # GitLab needs a line: a problem of the whole file points at its first
        "location": {"path": path, "lines": {"begin": max(line or 1, 1)}},
    }


def render_code_quality(issues: Sequence[Mapping[str, Any]]) -> str:
    """The report: one JSON array. Non-ASCII text is kept; a lone surrogate (a broken
    file) can only be written as its escape."""
    text = json.dumps(list(issues), indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(list(issues), indent=2)
    return text + "\n"


def dotenv_variables(result: PublishResult) -> dict[str, str]:
    """The Action's outputs under GitLab's names: `doi-url` is `ZENODO_DOI_URL`; empty
    for what is unknown (a dry run has no DOI)."""
    return {
        "ZENODO_" + name.upper().replace("-", "_"): value
        for name, value in result.outputs().items()
    }


def dotenv_refusal(value: str) -> str | None:
    """Why GitLab would not hand `value` to later jobs exactly as it is, or None.

    Its parser reads one `KEY=VALUE` per line, so a line break would end the value and
    start a bogus line (the artifact is then rejected); it strips blanks from both ends,
    so such a value would arrive changed; and a `$` may be expanded as a reference to
    another variable in the jobs that receive it. Quotes and `=` are harmless: the key
    ends at the first `=` and quotes are kept as written."""
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp"):
            return f"it holds a line break or control character ({char!r})"
    if value != value.strip(_RUBY_BLANKS):
        return "it starts or ends with blanks, which GitLab strips"
    if "$" in value:
        return "it holds `$`, which GitLab may expand as a variable in later jobs"
    return None


def render_dotenv(variables: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The dotenv file (one `KEY=VALUE` a line, no empty line, no comment, no quoting)
    and the variables left out, with why: a variable that cannot be written as it is is
    not written at all, so a later job finds it unset rather than wrong."""
    refused: dict[str, str] = {}
    lines: dict[str, str] = {}
    for key, value in variables.items():
        if not _DOTENV_KEY.match(key):
            raise ValueError(f"not a GitLab variable name: {key!r}")  # ours are fixed
        reason = dotenv_refusal(value)
        if reason:
            refused[key] = reason
        else:
            lines[key] = f"{key}={value}\n"
    # GitLab refuses the whole file at its size limit: drop the longest values first.
    while len("".join(lines.values()).encode("utf-8")) >= DOTENV_SIZE_LIMIT:
        longest = max(lines, key=lambda k: len(lines[k]))
        refused[longest] = f"too long for GitLab's {DOTENV_SIZE_LIMIT}-byte dotenv limit"
        del lines[longest]
    return "".join(lines.values()), refused


class GitLabReporter:
    """The terminal's reporter, plus GitLab's report artifacts.

    `code_quality`: the problems are written to stdout as a Code Quality report (the
    text lines go to stderr, as the inner reporter writes them when problems are not the
    results). `dotenv`: a publish's result is also written to this file."""

    def __init__(
        self,
        terminal: Reporter,
        *,
        code_quality: bool = False,
        dotenv: Path | None = None,
        project_dir: Path | None = None,
        guard_json: Callable[[str], str] = str,
        write: Callable[[str], object] | None = None,
    ) -> None:
        """`guard_json` rewrites the report so that, were it run under the Actions runner,
        the log reads no workflow command in it; `write` is where the report goes
        (default: stdout, looked up when written so a test's capture sees it)."""
        self.terminal = terminal
        self.code_quality = code_quality
        self.dotenv = dotenv
        self.project_dir = project_dir
        self.guard_json = guard_json
        self.write = write
        self.reported = False

    def problems(self, found: Mapping[Path, Sequence[Problem]]) -> None:
        self.terminal.problems(found)
        if self.code_quality:
            self._report(code_quality_issues(spelt(found, COMMAND_LINE), self.project_dir))

    def plan(self, text: str) -> None:
        self.terminal.plan(text)

    def result(
        self, result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str]
    ) -> None:
        self.terminal.result(result, metadata, origins)
        if self.dotenv is not None:
            self._write_dotenv(self.dotenv, result)

    def output(self, name: str, value: str) -> None:
        self.terminal.output(name, value)

    def note(self, level: Level, message: str, *, title: str) -> None:
        self.terminal.note(level, message, title=title)

    def error(self, error: ActionError) -> None:
        self.terminal.error(error)
        if self.code_quality and not self.reported:
            self._report([failure_issue(error, self.project_dir)])

    def _report(self, issues: Sequence[Mapping[str, Any]]) -> None:
        self.reported = True
        (self.write or sys.stdout.write)(self.guard_json(render_code_quality(issues)))

    def _write_dotenv(self, path: Path, result: PublishResult) -> None:
        text, refused = render_dotenv(dotenv_variables(result))
        for key, reason in refused.items():
            self.note(
                "warning",
                f"{key} is left out of the dotenv report {path}: {reason}",
                title="GitLab dotenv",
            )
        done = "the publish itself is done; re-running it changes nothing on Zenodo"
        try:  # checked before the publish, and again now (confined.py)
            confined.write_regular_file(path, self.project_dir or Path.cwd(), text, "--dotenv")
        except ActionError as error:  # it became a link, a FIFO, ... since
            message = f"could not write the dotenv report: {error.message}"
            raise ActionError(message, hint=done) from None
        except OSError as error:
            raise ActionError(
                f"could not write the dotenv report {path}: {error.strerror or error}", hint=done
            ) from None
