"""Reproducible archives: the same files give the same bytes, whenever and wherever packed.

Entries are sorted by path (a folder's entry before what it holds), every timestamp is one
given time (a commit's, or 1980-01-01 for a packed folder), modes are 0644 or 0755 as git
keeps them (symlinks as git archive stores them), owners are uid/gid 0 with empty names,
a zip carries no extra fields (only the zip64 one a member of 2 GiB or more needs) and
the gzip header has no file name and time 0 (docs/reference/git-lfs-and-archives.md §4).

A zip's small files are deflated ahead of the writer by a few threads (zlib lets go of
the GIL, so they run on other cores), in groups of consecutive files of CHUNK bytes at
most, AHEAD groups per thread at most; a bigger file is deflated block by block by the
writer itself. So memory stays bounded (a few MiB per thread), and the bytes are the same
whatever the number of threads: every file is one deflate stream, fed the same blocks.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import stat
import tarfile
import zlib
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from zenodo_action.errors import UsageError
from zenodo_action.files import CHUNK
from zenodo_action.zip_writer import DEFLATED, STORED, ZipWriter

ArchiveKind = Literal["zip", "tar.gz"]
DOS_EPOCH = int(dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc).timestamp())
DOS_LATEST = int(dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc).timestamp())
GZIP_LEVEL = 6  # gzip's and zip's default: git archive's and `zip -X -r`'s output size
AHEAD = 2  # groups of files deflated ahead of the one being written, per thread
GROUP_ENTRIES = 256  # entries in one group at most
_FOLDER_ATTRIBUTES = (stat.S_IFDIR | 0o755) << 16 | 0x10  # with the MS-DOS folder bit
_LINK_ATTRIBUTES = (stat.S_IFLNK | 0o777) << 16


@dataclass(frozen=True)
class Member:
    """One file of an archive: read from `source`, or a symlink to `link`."""

    name: str  # the path inside the archive, with `/`
    source: Path | None = None
    size: int = 0
    executable: bool = False
    link: str | None = None
    # When given, the file must still have this mtime (and `size`) once opened.
    mtime_ns: int | None = None


def ordered(members: Iterable[Member]) -> list[Member | str]:
    """The members sorted, each folder (as `name/`) before the members it holds."""
    entries: dict[str, Member | str] = {}
    for member in members:
        parts = member.name.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth]) + "/"
            entries.setdefault(folder, folder)
        entries[member.name] = member
    return [entries[name] for name in sorted(entries, key=lambda n: n.encode("utf-8"))]


def write(
    kind: ArchiveKind,
    target: Path,
    members: Sequence[Member],
    *,
    mtime: int,
    comment: str = "",
    workers: int | None = None,
) -> None:
    """Pack `members` into `target` (a new file), with an entry for each folder; a zip's
    files deflated by `workers` threads (default: one per core, 0: none)."""
    for member in members:
        _encodable(member.name)
    entries = ordered(members)
    mtime = max(mtime, DOS_EPOCH)
    try:
        if kind == "zip":  # a zip's dates run from 1980 to 2107
            zip_time = min(mtime, DOS_LATEST)
            _write_zip(target, entries, zip_time, comment, default_workers(workers))
        else:
            _write_tar_gz(target, entries, mtime, comment)
    except OSError as error:
        raise UsageError(f"cannot write {target.name}: {error.strerror or error}") from None


def default_workers(workers: int | None) -> int:
    """Threads that deflate: as asked, else one per core this process may use, up to 4;
    none on one core, where a thread could only add the cost of handing work over."""
    if workers is not None:
        return workers
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cores or 1, 4) if (cores or 1) > 1 else 0


def _write_zip(
    target: Path, entries: list[Member | str], mtime: int, comment: str, workers: int
) -> None:
    when = dt.datetime.fromtimestamp(mtime, dt.timezone.utc)
    with open(target, "xb") as out, closing(_deflated_ahead(entries, workers)) as ready:
        archive = ZipWriter(
            out, (when.year, when.month, when.day, when.hour, when.minute, when.second)
        )
        for entry, deflated in ready:
            if isinstance(entry, str):
                archive.add(entry, _FOLDER_ATTRIBUTES, STORED, 0, 0, b"")
            elif entry.link is not None:
                link = entry.link.encode("utf-8", "surrogateescape")
                archive.add(entry.name, _LINK_ATTRIBUTES, STORED, zlib.crc32(link), len(link), link)
            elif deflated is not None:
                crc, data = deflated
                archive.add(entry.name, _file_attributes(entry), DEFLATED, crc, entry.size, data)
            else:
                _stream_deflated(archive, entry)
        archive.finish(comment.encode("utf-8"))


def _file_attributes(member: Member) -> int:
    return (stat.S_IFREG | _mode(member)) << 16


def _deflated_ahead(
    entries: Iterable[Member | str], workers: int
) -> Generator[tuple[Member | str, tuple[int, bytes] | None], None, None]:
    """Each entry in order, with (CRC, deflated data) when it is a file of at most CHUNK
    bytes, deflated ahead by `workers` threads (in this thread when 0) in groups of
    consecutive entries, at most AHEAD groups per thread ahead of the one the caller
    writes. A bigger file gets None: the caller streams it. Closed early, it cancels the
    groups not started and waits for those that are (CHUNK of deflate at most each)."""
    if workers < 1:
        for group in _groups(entries):
            yield from zip(group, _deflate_group(group), strict=True)
        return
    ahead: deque[tuple[list[Member | str], Future[list[tuple[int, bytes] | None]]]] = deque()
    with ThreadPoolExecutor(workers, thread_name_prefix="deflate") as pool:
        try:
            for group in _groups(entries):
                ahead.append((group, pool.submit(_deflate_group, group)))
                if len(ahead) > AHEAD * workers:
                    done, future = ahead.popleft()
                    yield from zip(done, future.result(), strict=True)
            while ahead:
                done, future = ahead.popleft()
                yield from zip(done, future.result(), strict=True)
        finally:
            for _, future in ahead:
                future.cancel()


def _groups(entries: Iterable[Member | str]) -> Iterator[list[Member | str]]:
    """Consecutive entries whose small files hold at most CHUNK bytes in all (one task
    each: a task per file would cost more in handing work over than tiny files deflate)."""
    group: list[Member | str] = []
    held = 0
    for entry in entries:
        small = _small_file(entry)
        size = small.size if small else 0
        if group and (held + size > CHUNK or len(group) >= GROUP_ENTRIES):
            yield group
            group, held = [], 0
        group.append(entry)
        held += size
    if group:
        yield group


def _deflate_group(group: list[Member | str]) -> list[tuple[int, bytes] | None]:
    return [_deflate_whole(small) if (small := _small_file(entry)) else None for entry in group]


def _small_file(entry: Member | str) -> Member | None:
    """The entry, if it is a file of at most CHUNK bytes: deflated whole, ahead."""
    if isinstance(entry, Member) and entry.link is None and entry.size <= CHUNK:
        return entry
    return None


def _deflater() -> zlib._Compress:
    return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15)  # raw deflate, as zip stores it


def _deflate_whole(member: Member) -> tuple[int, bytes]:
    """A small file's CRC and its deflated bytes, read in one go."""
    with _opened(member) as source:
        data = _read(source, member.size + 1, member)
    if len(data) != member.size:
        raise _changed(member)
    deflate = _deflater()
    return zlib.crc32(data), deflate.compress(data) + deflate.flush()


def _stream_deflated(archive: ZipWriter, member: Member) -> None:
    """A big file, read and deflated block by block: memory stays constant."""
    started = archive.begin(member.name, _file_attributes(member), DEFLATED, member.size)
    deflate, crc, size, compressed = _deflater(), 0, 0, 0
    with _opened(member) as source:
        while chunk := _read(source, CHUNK, member):
            size += len(chunk)
            if size > member.size:  # growing: stop now, it may never end
                raise _changed(member)
            crc = zlib.crc32(chunk, crc)
            data = deflate.compress(chunk)
            archive.write(data)
            compressed += len(data)
    if size != member.size:
        raise _changed(member)
    data = deflate.flush()
    archive.write(data)
    archive.end(started, crc, compressed + len(data), size)


def _write_tar_gz(target: Path, entries: list[Member | str], mtime: int, comment: str) -> None:
    with (
        open(target, "xb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as gz,
    ):
        headers = {"comment": comment} if comment else {}
        with tarfile.open(
            fileobj=gz, mode="w", format=tarfile.PAX_FORMAT, pax_headers=headers
        ) as archive:
            for entry in entries:
                _add_to_tar(archive, entry, mtime)


def _add_to_tar(archive: tarfile.TarFile, entry: Member | str, mtime: int) -> None:
    name = entry if isinstance(entry, str) else entry.name
    info = tarfile.TarInfo(name.rstrip("/") if isinstance(entry, str) else name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
    if isinstance(entry, str):
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(info)
    elif entry.link is not None:
        info.type, info.mode, info.linkname = tarfile.SYMTYPE, 0o777, entry.link
        archive.addfile(info)
    else:
        info.mode, info.size = _mode(entry), entry.size
        with _opened(entry) as source:
            try:
                archive.addfile(info, source)
            except OSError:  # tarfile's "unexpected end of data": the file shrank
                raise _changed(entry) from None
            if source.read(1):
                raise _changed(entry)


def _mode(member: Member) -> int:
    return 0o755 if member.executable else 0o644


def _encodable(name: str) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "backslashreplace").decode("ascii", "replace")
        raise UsageError(
            f"{shown}: the file name is not valid UTF-8, so no archive can hold it portably",
            hint="rename the file",
        ) from None
    return name


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _opened(member: Member) -> IO[bytes]:
    """The member's file, open; refused unless it is still the regular file listed (a
    FIFO put in its place is not waited on: opened without blocking, then told apart)."""
    assert member.source is not None, "a file member has a source"
    try:
        source = os.fdopen(os.open(member.source, _OPEN_FLAGS | os.O_CLOEXEC), "rb")
    except OSError as error:
        raise UsageError(f"{member.source}: cannot read file ({error.strerror})") from None
    info = os.fstat(source.fileno())
    planned = (member.size, member.mtime_ns)
    if not stat.S_ISREG(info.st_mode) or (
        member.mtime_ns is not None and (info.st_size, info.st_mtime_ns) != planned
    ):
        source.close()
        raise _changed(member)
    return source


def _read(source: IO[bytes], size: int, member: Member) -> bytes:
    try:
        return source.read(size)
    except OSError as error:
        raise UsageError(f"{member.source}: cannot read file ({error.strerror})") from None


def _changed(member: Member) -> UsageError:
    return UsageError(f"{member.source}: the file changed while it was being packed; run again")


def file_member(name: str, path: Path, executable: bool | None = None) -> Member:
    """A member for the file at `path` (links followed), refused when read if its size
    or time changed since."""
    try:
        info = os.stat(path)
    except OSError as error:  # gone (or unreadable) since the folder was listed
        raise UsageError(f"{path}: cannot read file ({error.strerror or error})") from None
    runnable = bool(info.st_mode & 0o111) if executable is None else executable
    return Member(name, path, info.st_size, runnable, mtime_ns=info.st_mtime_ns)
