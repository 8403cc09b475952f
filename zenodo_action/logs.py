"""Progress lines: one logger tree (`zenodo_action.*`), configured once per front end.

Deeper modules only call `logging.getLogger(__name__)`; they never print. The
command line writes plain lines to stderr. Under the Actions runner, the front door
passes a guard that wraps every line so that untrusted text in it (file names,
release notes, server messages) cannot be read as a workflow command
(github-actions.md §2.3).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import TextIO

from zenodo_action.secrets import redact, writable


class _Formatter(logging.Formatter):
    def __init__(self, guard: Callable[[str], str]) -> None:
        super().__init__()
        self.guard = guard

    def format(self, record: logging.LogRecord) -> str:
        prefix = "warning: " if record.levelno >= logging.WARNING else ""
        # A line logging cannot write would print a "--- Logging error ---" traceback.
        return self.guard(writable(redact(prefix + record.getMessage())))


def setup(*, stream: TextIO | None = None, guard: Callable[[str], str] = str) -> None:
    """Send `zenodo_action` progress to `stream` (default stderr), each line through `guard`."""
    logger = logging.getLogger("zenodo_action")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Formatter(guard))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def printable(text: str, *, limit: int = 120) -> str:
    """Untrusted text for one log line: secrets masked, no control characters, no `##[`
    (the runner reads it anywhere in a line), cut to `limit` characters."""
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", redact(text)).replace("##[", "## [")
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
