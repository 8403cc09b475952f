"""Progress lines: one logger tree (`zenodo_action.*`), configured once per front end.

Deeper modules only call `logging.getLogger(__name__)`; they never print. The
command line writes plain lines to stderr. Under the Actions runner, every line
is wrapped so that untrusted text in it (file names, release notes, server
messages) cannot be read as a workflow command (github-actions.md §2.3).
"""

from __future__ import annotations

import logging
import sys

from zenodo_action.github.commands import untrusted
from zenodo_action.secrets import redact


class _PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = "warning: " if record.levelno >= logging.WARNING else ""
        return redact(prefix + record.getMessage())


class _RunnerFormatter(_PlainFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return untrusted(super().format(record))


def setup(*, runner: bool = False, stream=None) -> None:
    """Send `zenodo_action` progress to stderr (stdout under the runner, to keep order)."""
    logger = logging.getLogger("zenodo_action")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or (sys.stdout if runner else sys.stderr))
    handler.setFormatter(_RunnerFormatter() if runner else _PlainFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
