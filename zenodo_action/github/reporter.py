"""The Actions runner as a reporter: annotations, step outputs and the job summary.

Everything reaches the runner through workflow commands on stdout and the files it
names (github-actions.md §2). Text that may carry untrusted values (a pull request's
YAML, release notes, server replies) is fenced so the runner reads no command in it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zenodo_action import markdown, report
from zenodo_action.errors import ActionError
from zenodo_action.github import commands
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.metadata import SEVERITIES, Problem, summary_markdown
from zenodo_action.metadata.report import problem_lines, summary_line
from zenodo_action.reporter import Level
from zenodo_action.result import PublishResult

ANNOTATIONS_PER_LEVEL = 10  # the runner attaches no more per step (github-actions.md §2.5)


class GitHubReporter:
    def __init__(self, runner: RunnerFiles | None = None, *, title: str = "zenodo-action"):
        """`runner` says where outputs and the summary go (nowhere, until the settings
        are known); `title` heads the annotations of errors."""
        self.runner = runner or RunnerFiles()
        self.title = title
        self.status_given = False  # a run that fails before saying its status says `failed`

    def problems(self, found: Mapping[Path, Sequence[Problem]]) -> None:
        """Annotations on the files' lines, a verdict per file, a table per file in the
        summary."""
        shown = {self._relative(path): problems for path, problems in found.items()}
        sys.stdout.write(render_problems(shown))
        for file, problems in shown.items():
            self.summary(summary_markdown(problems, file))

    def plan(self, text: str) -> None:
        commands.emit(commands.untrusted(text))

    def result(
        self, result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str]
    ) -> None:
        commands.emit(commands.untrusted(report.render_result(result)))
        for name, value in result.outputs().items():
            self.output(name, value)
        self.summary(report.summary_markdown(result, metadata, origins))
        if result.new_concept:
            self.note(
                "notice",
                f"a new concept was created: set the input `concept: {result.concept_doi}`"
                " so later runs add versions to it",
                title="New Zenodo concept DOI",
            )

    def output(self, name: str, value: str) -> None:
        self.status_given |= name == "status"
        if self.runner.output:
            commands.set_output(name, value, path=self.runner.output)

    def summary(self, markdown: str) -> None:
        if self.runner.summary:
            commands.append_summary(markdown, path=self.runner.summary)

    def note(self, level: Level, message: str, *, title: str) -> None:
        """An annotation, and the same line in the job summary: warnings that come after
        the result (a community not joined, the write-back) are read there too."""
        commands.emit(commands.annotation(level, message, title=title))
        self.summary(f"\n**{level}** ({markdown.cell(title)}): {markdown.cell(message)}\n")

    def error(self, error: ActionError) -> None:
        """One annotation per field a server refused that has a line in the file, then
        one for the whole error (its message and hint), at the first such line."""
        fields = [f for f in error.fields if f.line]
        for field in fields:
            commands.emit(
                commands.annotation(
                    "error",
                    f"{field.field}: {field.message}",
                    file=field.file and self._relative(field.file),
                    line=field.line,
                    col=field.column,
                    title=f"{error.source} rejected the metadata",
                )
            )
        commands.emit(
            commands.annotation(
                "error",
                str(error),
                file=error.file and self._relative(error.file),
                line=error.line,
                title=error.source if fields and error.source else self.title,
            )
        )
        self.summary(f"\n**error** ({markdown.cell(self.title)}): {markdown.cell(str(error))}\n")
        if not self.status_given:
            self.output("status", "failed")

    def _relative(self, path: str | Path) -> str:
        return workspace_relative(path, self.runner.workspace)


def workspace_relative(path: str | Path, workspace: Path | None) -> str:
    """The path annotations need: relative to the checkout, as the runner resolves it."""
    path = Path(path)
    if workspace is not None and path.is_absolute():
        try:
            return path.relative_to(workspace).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def render_problems(found: Mapping[str, Sequence[Problem]]) -> str:
    """Each problem once in the log: as an annotation (the first ten per level in the
    step), else as a text line; then each file's verdict, the text fenced against commands.

    The runner prints every annotation in the log as well, with its message: a text line
    for an annotated problem would say the same thing twice (issue 12, item 20). A
    problem past the runner's ten gets no annotation, so its text line is the only place
    the log shows it."""
    out, text = [], []
    shown = dict.fromkeys(SEVERITIES, 0)
    for file, problems in found.items():
        rest = []
        for problem in problems:
            if shown[problem.severity] < ANNOTATIONS_PER_LEVEL:
                shown[problem.severity] += 1
                out.append(_annotation(problem, file))
            else:
                rest.append(problem)
        text += [*problem_lines(rest, file), summary_line(problems, file)]
    out.append(commands.untrusted("\n".join(text)))
    hidden = sum(len(problems) for problems in found.values()) - sum(shown.values())
    if hidden:
        out.append(
            f"{hidden} more problems are not shown as annotations (GitHub shows at most "
            f"{ANNOTATIONS_PER_LEVEL} per kind): they are listed as text above, and the job "
            "summary lists every problem."
        )
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
