"""Where a run's results go: one small interface, one implementation per place.

The run (validate.py, publish.py, the front doors) says what happened; a reporter writes it
where the user looks. `TerminalReporter` is the command line's: results on stdout, the
rest on stderr. The Actions runner's is `github.reporter.GitHubReporter` (annotations,
step outputs, the job summary). A GitLab CI front end would add one more.
What is written is rendered by pure functions (report.py, metadata/report.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, Protocol

from zenodo_action import report
from zenodo_action.errors import ActionError
from zenodo_action.metadata import Problem, render_json, render_text
from zenodo_action.naming import COMMAND_LINE, Vocabulary
from zenodo_action.result import PublishResult

Level = Literal["error", "warning", "notice"]


class Reporter(Protocol):
    def problems(self, found: Mapping[Path, Sequence[Problem]]) -> None:
        """What validating the metadata found, per file read (possibly nothing)."""
        ...

    def plan(self, text: str) -> None:
        """A dry run's plan."""
        ...

    def result(
        self, result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str]
    ) -> None:
        """What a publish ended with, the metadata it sent (for the citation), and where
        each of its top-level fields came from."""
        ...

    def output(self, name: str, value: str) -> None:
        """A named result for the next step (the Action's outputs)."""
        ...

    def note(self, level: Level, message: str, *, title: str) -> None:
        """A message that is not a result: a notice, a warning, an error beside the error."""
        ...

    def error(self, error: ActionError) -> None:
        """The failure that ends the run."""
        ...


def spelt(
    found: Mapping[Path, Sequence[Problem]], vocabulary: Vocabulary
) -> dict[Path, list[Problem]]:
    """The problems with the settings their messages name spelt for the front door (a
    stale CITATION.cff that the write-back updates names it)."""
    return {
        path: [replace(p, message=vocabulary.spell(p.message)) for p in problems]
        for path, problems in found.items()
    }


class TerminalReporter:
    """The command line: results on stdout, text or JSON (a dry run's is its plan);
    diagnostics, progress and notes on stderr.

    Every line goes through a guard: under the Actions runner (a `run:` step) the log
    parses both streams for workflow commands, and file names, field values and server
    messages appear in every kind of line (issue 12, item 11). Settings named in hints
    are spelt as flags (naming.py): whoever reads this typed a command."""

    def __init__(
        self,
        *,
        output_format: Literal["text", "json"] = "text",
        problems_are_results: bool = False,
        guard: Callable[[str], str] = str,
        guard_json: Callable[[str], str] = str,
    ) -> None:
        """`problems_are_results`: validating is the command (stdout, text or JSON), not a
        step before publishing (stderr). `guard` wraps text, and `guard_json` rewrites
        JSON, that may hold untrusted values, so that the Actions runner reads no command
        in them (github/commands.py `untrusted` and `inert_json`)."""
        self.output_format = output_format
        self.problems_are_results = problems_are_results
        self.guard = guard
        self.guard_json = guard_json

    def _say(self, text: str) -> str:
        return self.guard(COMMAND_LINE.spell(text))

    def problems(self, found: Mapping[Path, Sequence[Problem]]) -> None:
        found = spelt(found, COMMAND_LINE)
        if self.problems_are_results and self.output_format == "json":
            sys.stdout.write(self.guard_json(render_json(found)))
            return
        text = "".join(render_text(problems, path) for path, problems in found.items())
        stream = sys.stdout if self.problems_are_results else sys.stderr
        if text:
            stream.write(self.guard(text.rstrip("\n")) + "\n")

    def plan(self, text: str) -> None:
        """A dry run's plan is its result: stdout, so `publish --dry-run > plan.txt` keeps
        it; beside `--json` (the result on stdout) it is a note on stderr."""
        stream = sys.stderr if self.output_format == "json" else sys.stdout
        print(self._say(text), file=stream)

    def result(
        self, result: PublishResult, metadata: Mapping[str, Any], origins: Mapping[str, str]
    ) -> None:
        if self.output_format == "json":
            print(self.guard_json(json.dumps(result.to_json(), indent=2)))
        elif result.status == "planned":  # the plan was the result; this line is a note
            print(self._say(report.render_result(result)), file=sys.stderr)
        else:
            print(self._say(report.render_result(result)))

    def output(self, name: str, value: str) -> None:
        """The command line has no step outputs: the result on stdout is its output."""

    def note(self, level: Level, message: str, *, title: str) -> None:
        prefix = "warning: " if level == "warning" else ""
        print(self._say(prefix + message), file=sys.stderr)

    def error(self, error: ActionError) -> None:
        print(self._say(f"error: {error}"), file=sys.stderr)
