"""Reproducible archives (docs/reference/git-lfs-and-archives.md §4, §6): the zips
`packing` writes are byte for byte what Python's zipfile writes for the same entries,
whatever the number of threads that deflate; `unzip -t` and zipfile read them back, zip64
included; a file that changes or fails while packed stops the packing cleanly."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from zenodo_action import packing, zip_writer
from zenodo_action.errors import UsageError
from zenodo_action.packing import Member

WHEN = 1_715_774_400  # 2024-05-15 12:00 UTC


def reference_zip(target: Path, members: list[Member], mtime: int, comment: str) -> None:
    """The same archive written by Python's zipfile, entry by entry."""
    when = dt.datetime.fromtimestamp(mtime, dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(target, "x", allowZip64=True) as archive:
        for entry in packing.ordered(members):
            name = entry if isinstance(entry, str) else entry.name
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3
            if isinstance(entry, str):
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                archive.writestr(info, b"")
            elif entry.link is not None:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, entry.link.encode())
            else:
                assert entry.source is not None
                info.external_attr = (stat.S_IFREG | (0o755 if entry.executable else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = entry.size
                with archive.open(info, "w") as out, open(entry.source, "rb") as source:
                    shutil.copyfileobj(source, out, packing.CHUNK)
        archive.comment = comment.encode()


@pytest.fixture
def tree(tmp_path) -> list[Member]:
    """Files of every kind packing meets: empty, tiny, text, random, bigger than a block,
    executable, non-ASCII names, a symlink, folders at several depths."""
    root = tmp_path / "tree"
    (root / "deep" / "er").mkdir(parents=True)
    files = {
        "empty.txt": b"",
        "tiny.csv": b"a,b\n",
        "deep/table.csv": b"".join(b"%d,%d\n" % (n, n * n) for n in range(40_000)),
        "deep/er/noise.bin": os.urandom(300_000),
        "deep/big.bin": os.urandom(packing.CHUNK) + b"tail" * 300_000,  # streamed
        "ünïcode/名前.txt": "données\n".encode(),
        "run.sh": b"#!/bin/sh\n",
    }
    members = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        members.append(packing.file_member(f"top/{name}", path, executable=name == "run.sh"))
    members.append(Member("top/link", link="deep/table.csv"))
    return members


def written(tmp_path: Path, members: list[Member], name: str, **options) -> bytes:
    target = tmp_path / name
    packing.write("zip", target, members, mtime=WHEN, comment="c0ffee", **options)
    return target.read_bytes()


@pytest.mark.parametrize("workers", [0, 1, 3])
def test_the_zip_is_what_zipfile_writes_whatever_the_threads(tree, tmp_path, workers):
    reference_zip(tmp_path / "reference.zip", tree, WHEN, "c0ffee")
    ours = written(tmp_path, tree, "ours.zip", workers=workers)
    assert ours == (tmp_path / "reference.zip").read_bytes()


def test_unzip_and_zipfile_read_it_back_whole(tree, tmp_path):
    written(tmp_path, tree, "ours.zip", workers=2)
    tested = subprocess.run(["unzip", "-t", tmp_path / "ours.zip"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    with zipfile.ZipFile(tmp_path / "ours.zip") as archive:
        assert archive.testzip() is None and archive.comment == b"c0ffee"
        for member in tree:
            info = archive.getinfo(member.name)
            if member.source is not None:
                assert archive.read(info) == member.source.read_bytes()
            assert info.date_time == (2024, 5, 15, 12, 0, 0)
        assert archive.getinfo("top/ünïcode/").is_dir()


@pytest.mark.parametrize("workers", [0, 2])
def test_zip64_records_past_the_limit_as_zipfile_writes_them(tree, tmp_path, monkeypatch, workers):
    """The 2 GiB limit lowered to 100 kB (and the entry count to 5), in both writers: big
    members, offsets, the directory and the count all need zip64 records then."""
    for module in (zip_writer, zipfile):
        monkeypatch.setattr(module, "ZIP64_LIMIT", 100_000)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)
    monkeypatch.setattr(zip_writer, "MOST_ENTRIES", 5)
    reference_zip(tmp_path / "reference.zip", tree, WHEN, "c0ffee")
    ours = written(tmp_path, tree, "ours.zip", workers=workers)
    assert ours == (tmp_path / "reference.zip").read_bytes()
    assert b"PK\x06\x06" in ours and b"PK\x06\x07" in ours  # the zip64 end records
    monkeypatch.undo()
    tested = subprocess.run(["unzip", "-t", tmp_path / "ours.zip"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    with zipfile.ZipFile(tmp_path / "ours.zip") as archive:
        big = next(m for m in tree if m.name == "top/deep/big.bin")
        assert archive.read(big.name) == big.source.read_bytes()


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize("victim", ["top/tiny.csv", "top/deep/big.bin"])
@pytest.mark.parametrize("change", ["grows", "shrinks", "rewritten", "gone", "fifo"])
def test_a_file_that_changes_after_it_was_listed_stops_the_packing(
    tree, tmp_path, workers, victim, change
):
    path = next(m.source for m in tree if m.name == victim)
    assert path is not None
    if change == "grows":
        with open(path, "ab") as handle:
            handle.write(b"more")
    elif change == "shrinks":
        os.truncate(path, 2)
    elif change == "rewritten":  # same size, another time
        os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000_000))
    elif change == "gone":
        path.unlink()
    else:  # a FIFO in its place: never waited on
        path.unlink()
        os.mkfifo(path)
    before = threading.active_count()
    with pytest.raises(UsageError, match=r"changed while it was being packed|cannot read") as e:
        written(tmp_path, tree, "ours.zip", workers=workers)
    assert path.name in str(e.value)
    assert threading.active_count() == before  # no deflate thread left behind


def test_the_first_failure_in_order_is_the_one_told(tmp_path):
    """With files failing far apart, the threads stop and the first one is named."""
    members = []
    for n in range(2000):
        path = tmp_path / f"f{n:04d}.csv"
        path.write_bytes(b"x" * 600)
        members.append(packing.file_member(f"top/f{n:04d}.csv", path))
    for n in (700, 1500):
        (tmp_path / f"f{n:04d}.csv").unlink()
    with pytest.raises(UsageError, match=r"f0700\.csv: cannot read"):
        written(tmp_path, members, "ours.zip", workers=2)


def test_a_file_gone_since_it_was_listed_is_named(tmp_path):
    with pytest.raises(UsageError, match=r"gone\.csv: cannot read file"):
        packing.file_member("results/gone.csv", tmp_path / "gone.csv")


@pytest.mark.parametrize(("mtime", "stamped"), [(7_258_118_400, (2107, 12, 31, 23, 59, 58))])
def test_a_time_past_what_a_zip_can_hold_is_the_latest_it_can(tree, tmp_path, mtime, stamped):
    """A commit dated 2200 (git takes any date) gives zip entries of 2107's last second."""
    target = tmp_path / "late.zip"
    packing.write("zip", target, tree, mtime=mtime)
    with zipfile.ZipFile(target) as archive:
        assert {info.date_time for info in archive.infolist()} == {stamped}


@pytest.mark.parametrize(("cores", "threads"), [(1, 0), (2, 2), (4, 4), (64, 4)])
def test_threads_that_deflate_follow_the_cores(monkeypatch, cores, threads):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert packing.default_workers(None) == threads
    assert packing.default_workers(3) == 3
