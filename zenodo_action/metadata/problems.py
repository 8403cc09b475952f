"""Problems found in a metadata file: one record type, shared by loader, rules and reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"  # worth knowing, nothing to fix: e.g. a field a release will fill in
SEVERITIES = (ERROR, WARNING, NOTICE)

_VALUE_LIMIT = 80  # longer user values are cut in messages, so a line stays readable


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error), worth fixing (warning) or worth knowing (notice) in a
    metadata file.

    `path` is a JSON path into the document (`creators[1].orcid`, "" for the whole file);
    `line` and `column` are 1-based positions in the file, or None when unknown. `about`
    is, in a CITATION.cff or codemeta.json, the record's top-level field the value at
    `path` would become ("" when it becomes none): how much the problem matters depends
    on whether that file gives the field (metadata/record.py).
    """

    severity: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    code: str = ""
    about: str = ""

    def describe(self) -> str:
        """The message prefixed with the field it is about."""
        return f"{self.path}: {self.message}" if self.path else self.message


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File order; problems without a position (whole-file ones) first; then by severity."""
    return sorted(
        problems,
        key=lambda p: (p.line or 0, p.column or 0, SEVERITIES.index(p.severity), p.path, p.code),
    )


def as_errors(problems: Iterable[Problem]) -> list[Problem]:
    """`--strict`: every warning becomes an error (notices stay notices: nothing to fix)."""
    return [
        dataclasses.replace(p, severity=ERROR) if p.severity == WARNING else p for p in problems
    ]


def count(problems: Iterable[Problem], severity: str) -> int:
    return sum(1 for p in problems if p.severity == severity)


def quote_value(value: object) -> str:
    """A user's value as it appears in a message: quoted, escaped, and cut when long.

    Escaping keeps newlines and control characters from the (untrusted) file out of
    the output, where they could start a line the runner reads as a command.
    """
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]  # as YAML spells them
    text = value if isinstance(value, str) else repr(value)
    if len(text) > _VALUE_LIMIT:
        text = text[: _VALUE_LIMIT - 3] + "..."
    return repr(text) if isinstance(value, str) else text
