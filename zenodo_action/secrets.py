"""Secret values and the one function that scrubs them from text.

Every token is registered here as soon as it is read. Anything that leaves the
process (stdout, stderr, log lines, annotations, outputs, summaries, exception
messages built from server replies) passes through `redact`, and through `writable`:
any Python str can be written, even one no encoding can hold (a lone surrogate).
"""

from __future__ import annotations

import io
import sys
from typing import TextIO
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words
_secrets: set[str] = set()


def register(value: str | None) -> None:
    """Remember a secret and the forms it takes when a server echoes it in a URL."""
    if not value or len(value) < _MIN_LENGTH:
        return
    _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def forget_all() -> None:
    """For tests: start from a clean registry."""
    _secrets.clear()


def redact(text: str) -> str:
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def writable(text: str, encoding: str = "utf-8") -> str:
    """`text` with what `encoding` cannot hold written as backslash escapes.

    A lone surrogate ("\\udc80", from a file name that is not UTF-8 or a `\\u` escape in
    YAML) is a valid str that no UTF-8 writer accepts: it would end the run with a
    UnicodeEncodeError, after a publish. Every stream and file this
    program writes goes through here, so the same text reads the same everywhere (a
    mask asked for with add-mask matches what the log shows); an escaped surrogate in
    a JSON string is the same JSON escape."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # a stream that names an encoding Python does not know
        return writable(text)
    return text


class RedactingStream(io.TextIOBase):
    """A text stream that masks secrets, and escapes what its encoding cannot hold,
    before writing to the stream it wraps."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(writable(redact(text), self.encoding))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only here, as on sys.stdout
        return str(getattr(self._inner, "encoding", None) or "utf-8")

    def isatty(self) -> bool:
        return bool(self._inner.isatty())


def guard_std_streams() -> None:
    """Wrap stdout and stderr once, so no print anywhere can leak a token."""
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
