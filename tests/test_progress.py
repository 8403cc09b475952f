"""Progress lines of a long transfer: start, end, and in between at most one per interval."""

from __future__ import annotations

import logging

from zenodo_action.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def test_start_and_end_lines_say_the_size_time_and_rate(caplog):
    caplog.set_level(logging.INFO)
    clock = Clock()
    progress = Progress("data.csv", 50_000_000, logging.getLogger("t"), clock=clock)
    progress.start()
    clock.now += 2.0
    progress.end()
    assert lines(caplog) == [
        "uploading data.csv (50.0 MB)",
        "uploaded data.csv (50.0 MB) in 2.0 s, 25.0 MB/s",
    ]


def test_progress_lines_come_at_the_interval_not_per_block(caplog):
    caplog.set_level(logging.INFO)
    clock = Clock()
    size = 3_600_000_000
    progress = Progress("big.tar", size, logging.getLogger("t"), every=30, clock=clock)
    sent = 0
    for _ in range(200):  # 100 s of 3 MB blocks at 6 MB/s, reported every 30 s
        clock.now += 0.5
        sent += 3_000_000
        progress(sent)
    reported = lines(caplog)
    assert len(reported) == 3  # at 30, 60 and 90 s
    assert reported[0] == "big.tar: 180.0 MB of 3.6 GB (5%), 6.0 MB/s"
    assert reported[2] == "big.tar: 540.0 MB of 3.6 GB (15%), 6.0 MB/s"


def test_a_long_upload_reports_minutes(caplog):
    caplog.set_level(logging.INFO)
    clock = Clock()
    progress = Progress("x", 10, logging.getLogger("t"), clock=clock)
    clock.now += 600
    progress.end()
    assert "in 10.0 min" in lines(caplog)[0]
