"""Looking again after a wait: the one loop for "not there yet" (an index that lags, assets
still uploading). The caller says what to look at, when it is done, and how long to wait."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def poll(
    look: Callable[[], T],
    done: Callable[[T], bool],
    waits: Iterable[float],
    sleep: Callable[[float], None],
    *,
    announce: Callable[[float, T], None] | None = None,
) -> T:
    """Look; while not done, wait the next of `waits` and look again. Return the last look,
    done or not: the caller decides what an unfinished answer means."""
    seen = look()
    for wait in waits:
        if done(seen):
            break
        if announce is not None:
            announce(wait, seen)
        sleep(wait)
        seen = look()
    return seen


def schedule(total: float, interval: float) -> list[float]:
    """Waits of `interval` seconds that add up to `total` (the last one shorter)."""
    waits: list[float] = []
    left = total
    while left > 0:
        waits.append(min(interval, left))
        left -= waits[-1]
    return waits
