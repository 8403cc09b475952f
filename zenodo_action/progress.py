"""How far a long transfer got: a line when it starts, one when it ends, and between them
one every PROGRESS_EVERY seconds (only a transfer that lasts that long is "big" enough to
need it), so a 50 GB upload shows it is alive without flooding the Action's log."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from zenodo_action.files import human_size

PROGRESS_EVERY = 30.0  # seconds between two progress lines of one transfer


class Progress:
    """One file's transfer. Called with the bytes sent so far by the current attempt (a
    retry starts again from 0), from whichever thread sends it."""

    def __init__(
        self,
        name: str,
        size: int,
        log: logging.Logger,
        *,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self.size, self.log = name, size, log
        self._every = PROGRESS_EVERY if every is None else every
        self._clock = clock
        self._lock = threading.Lock()
        self._started = self._last = clock()

    def start(self, verb: str = "uploading") -> None:
        self.log.info("%s %s (%s)", verb, self.name, human_size(self.size))

    def __call__(self, sent: int) -> None:
        now = self._clock()
        with self._lock:
            if now - self._last < self._every:
                return
            self._last = now
        percent = 100 * sent / self.size if self.size else 100.0
        self.log.info(
            "%s: %s of %s (%.0f%%), %s",
            self.name,
            human_size(sent),
            human_size(self.size),
            percent,
            self._rate(sent, now),
        )

    def end(self, verb: str = "uploaded") -> None:
        now = self._clock()
        self.log.info(
            "%s %s (%s) in %s, %s",
            verb,
            self.name,
            human_size(self.size),
            _seconds(now - self._started),
            self._rate(self.size, now),
        )

    def _rate(self, sent: int, now: float) -> str:
        elapsed = now - self._started
        return f"{human_size(sent / elapsed)}/s" if elapsed > 0 else "at once"


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
