"""One exception hierarchy for everything a user can be told.

Errors are raised with a message a non-expert can act on, an optional hint and,
where known, the place in the user's file. They are caught once, at the top
(`cli.py` / `action.py`), and handed to the run's reporter, which turns them into
lines of text or annotations; the exit code comes from the error's class.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILURE = 1  # something the user must fix (invalid metadata, rejected by Zenodo, ...)
EXIT_USAGE = 2  # bad flags or inputs, missing or unreadable files


@dataclass(frozen=True)
class FieldError:
    """One field a server refused, and where the user wrote it (when known)."""

    field: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        return f"{where}{self.field or 'record'}: {self.message}"


@dataclass(frozen=True)
class PendingDraft:
    """The unpublished draft a failed publish leaves on the server, with the files it
    uploaded: a re-run continues it rather than starting another."""

    record_id: int | str
    url: str  # its page; empty when the server gave none
    server: str  # the host it is on


class ActionError(Exception):
    """A failure with a user-facing message."""

    exit_code = EXIT_FAILURE
    source = ""  # who found the problem, when it was a server ("Zenodo"), for titles
    pending_draft: PendingDraft | None = None  # set where a publish fails after its draft exists

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        fields: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.column = column
        self.fields = fields

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"


class UsageError(ActionError):
    """Bad command-line flags or action inputs, or a file that cannot be read."""

    exit_code = EXIT_USAGE
