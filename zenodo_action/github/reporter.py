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

from zenodo_action import report
from zenodo_action.errors import ActionError
from zenodo_action.github import commands
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.metadata import (
    SEVERITIES,
    Problem,
    problem_lines,
    summary_line,
    summary_markdown,
)
from zenodo_action.naming import RUNNER, Vocabulary, setting
from zenodo_action.reporter import Level, spelt
from zenodo_action.result import PublishResult

ANNOTATIONS_PER_LEVEL = 10  # the runner attaches no more per step (github-actions.md §2.5)


class GitHubReporter:
    """Annotations and the log on stdout; step outputs; a job summary that is rewritten
    whole as the run goes (report.JobSummary), so it always leads with what went wrong or
    with the result, and every run leaves one, also a run that fails on its inputs."""

    def __init__(
        self,
        runner: RunnerFiles | None = None,
        *,
        title: str = "zenodo-action",
        vocabulary: Vocabulary = RUNNER,
    ):
        """`runner` says where outputs and the summary go; `title` heads the annotations
        of errors; `vocabulary` spells the settings hints name: the Action's inputs, or
        the flags of `validate --format github` in a `run:` step."""
        self.runner = runner or RunnerFiles()
        self.title = title
        self.vocabulary = vocabulary
        self.spell = vocabulary.spell
        self.told = report.JobSummary()
        self.summary_start = commands.summary_size(self.runner.summary)
        self.status_given = False

    def problems(self, found: Mapping[Path, Sequence[Problem]]) -> None:
        """Annotations on the files' lines, a verdict per file, a table per file in the
        summary."""
        shown = {
            self._relative(path): problems
            for path, problems in spelt(found, self.vocabulary).items()
        }
        sys.stdout.write(render_problems(shown))
        self.told.problems += [summary_markdown(problems, file) for file, problems in shown.items()]
        self._write_summary()

    def plan(self, text: str) -> None:
        text = self.spell(text)
        commands.emit(commands.untrusted(text))
        self.told.plan = text
        self._write_summary()

    def result(
        self, result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str]
    ) -> None:
        commands.emit(commands.untrusted(self.spell(report.render_result(result))))
        for name, value in result.outputs().items():
            self.output(name, value)
        self.told.result, self.told.metadata, self.told.origins = result, metadata, origins
        self._write_summary()
        if result.new_concept:
            self.note(
                "notice",
                f"a new concept was created: set {setting('concept', result.concept_doi)}"
                " so later runs add versions to it",
                title="New Zenodo concept DOI",
            )

    def output(self, name: str, value: str) -> None:
        self.status_given |= name == "status"
        if self.runner.output:
            commands.set_output(name, value, path=self.runner.output)

    def note(self, level: Level, message: str, *, title: str) -> None:
        """An annotation, and the same line in the job summary: warnings that come after
        the result (a community not joined, the write-back) are read there too."""
        message = self.spell(message)
        commands.emit(commands.annotation(level, message, title=title))
        self.told.notes.append(report.Note(level, title, message))
        self._write_summary()

    def error(self, error: ActionError) -> None:
        """One annotation per field a server refused that has a line in the file, then
        one for the whole error (its message and hint), at the first such line; the
        summary leads with it, and `status` is `failed` unless the run said otherwise
        (`invalid` metadata, or the result of a publish that failed after it)."""
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
        file = error.file and self._relative(error.file)
        commands.emit(
            commands.annotation(
                "error",
                self.spell(str(error)),
                file=file,
                line=error.line,
                title=error.source if fields and error.source else self.title,
            )
        )
        hint = self.spell(error.hint) if error.hint else None
        self.told.failure = report.Failure(self.spell(error.message), hint, file, error.line)
        if not self.status_given:
            self.output("status", "failed")
        self._write_summary()

    def _write_summary(self) -> None:
        if self.runner.summary:
            text = report.render_job_summary(self.told)
            commands.replace_summary(text, path=self.runner.summary, start=self.summary_start)

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
