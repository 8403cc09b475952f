"""`parallel.run_each`: bounded, ordered starts, the first failure stops the rest."""

from __future__ import annotations

import threading
import time

import pytest

from zenodo_action.parallel import Stopped, run_each


class Tracker:
    """Counts how many items run at once, and records the order they start in."""

    def __init__(self, hold: float = 0.02) -> None:
        self.hold = hold
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.started: list[int] = []
        self.finished: list[int] = []

    def work(self, item: int, check) -> None:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.started.append(item)
        time.sleep(self.hold)
        check()
        with self.lock:
            self.running -= 1
            self.finished.append(item)


@pytest.mark.parametrize("workers", [1, 3, 8])
def test_every_item_runs_and_never_more_than_workers_at_once(workers):
    tracker = Tracker()
    run_each(list(range(12)), tracker.work, workers=workers, tick=lambda: None)
    assert sorted(tracker.finished) == list(range(12))
    assert tracker.peak <= workers
    if workers > 1:
        assert tracker.peak > 1


def test_one_worker_keeps_the_order_of_the_items():
    tracker = Tracker(hold=0)
    run_each([5, 3, 9, 1], tracker.work, workers=1, tick=lambda: None)
    assert tracker.started == tracker.finished == [5, 3, 9, 1]


def test_the_first_failure_stops_the_others_and_is_raised():
    started: list[int] = []
    stopped: list[int] = []
    release = threading.Event()

    def work(item: int, check) -> None:
        started.append(item)
        if item == 1:
            raise ValueError("item 1 broke")
        try:
            while not release.wait(0.005):  # sending block after block
                check()
        except Stopped:
            stopped.append(item)
            raise

    with pytest.raises(ValueError, match="item 1 broke"):
        run_each(list(range(6)), work, workers=3, tick=lambda: None)
    # 0 and 2 ran beside 1 and stopped at their next block; 1's worker may have taken up
    # 3 before the failure was seen, then it stopped too; 4 and 5 never started
    assert {0, 1, 2} <= set(started) <= {0, 1, 2, 3}
    assert sorted(stopped) == sorted(set(started) - {1})


def test_a_failing_tick_stops_the_items():
    stopped: list[int] = []

    def work(item: int, check) -> None:
        try:
            while True:
                time.sleep(0.005)
                check()
        except Stopped:
            stopped.append(item)
            raise

    def tick() -> None:
        raise RuntimeError("heartbeat failed")

    with pytest.raises(RuntimeError, match="heartbeat failed"):
        run_each([1, 2], work, workers=2, tick=tick, tick_every=0.01)
    assert sorted(stopped) == [1, 2]


def test_tick_runs_in_the_calling_thread_while_items_run():
    ticks: list[threading.Thread] = []
    run_each(
        [0.1, 0.1],
        lambda seconds, check: time.sleep(seconds),
        workers=2,
        tick=lambda: ticks.append(threading.current_thread()),
        tick_every=0.01,
    )
    assert len(ticks) >= 3 and set(ticks) == {threading.current_thread()}


def test_an_interrupt_in_a_worker_reaches_the_caller():
    def work(item: int, check) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_each([1], work, workers=2, tick=lambda: None)


def test_no_items_is_no_work():
    run_each([], lambda item, check: None, workers=4, tick=lambda: None)
