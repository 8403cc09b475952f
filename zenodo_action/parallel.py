"""Doing several things at once, bounded: a pool of workers, the first failure stops the
rest, and the calling thread stays free for what must go on meanwhile (a heartbeat).

Uploads are the one place this project works in parallel: Zenodo's latency per request,
not the runner's bandwidth, is what a dataset of many files waits on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


class Stopped(Exception):
    """Raised inside a task once another task failed. Deliberately not an OSError: requests
    and urllib3 let it through unretried, and close the connection it was sending on."""


def run_each(
    items: Sequence[T],
    work: Callable[[T, Callable[[], None]], None],
    *,
    workers: int,
    tick: Callable[[], None],
    tick_every: float = 5.0,
) -> None:
    """Call `work(item, check)` for every item, at most `workers` at a time, started in
    the order of `items` (one worker: strictly one after the other). `check` raises
    Stopped once something failed; `work` calls it often (every block it sends).

    `tick` runs in the calling thread every `tick_every` seconds while items run, and
    once at the end. The first failure (of an item, in the order of `items`, or of `tick`; a
    KeyboardInterrupt too) is raised once every started item has stopped; items not yet
    started never start.
    """
    stop = threading.Event()

    def check() -> None:
        if stop.is_set():
            raise Stopped

    def guarded(item: T) -> None:
        check()
        work(item, check)

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="upload")
    futures = [pool.submit(guarded, item) for item in items]
    try:
        _wait_for_all(futures, tick, tick_every)
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _wait_for_all(futures: list[Future[None]], tick: Callable[[], None], tick_every: float) -> None:
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=tick_every, return_when=FIRST_EXCEPTION)
        for future in futures:  # the first failure in the items' order, for a stable report
            if future in done and future.exception() is not None:
                future.result()
        tick()
