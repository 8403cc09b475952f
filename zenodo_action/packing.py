"""Reproducible archives: the same files give the same bytes, whenever and wherever packed.

Entries are sorted by path (a folder's entry before what it holds), every timestamp is one
given time (a commit's, or 1980-01-01 for a packed folder), modes are 0644 or 0755 as git
keeps them (symlinks as git archive stores them), owners are uid/gid 0 with empty names,
a zip carries no extra fields (only the zip64 one a member of 4 GiB or more needs) and
the gzip header has no file name and time 0. Files are streamed in blocks, so memory
stays constant (docs/reference/git-lfs-and-archives.md §4).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from zenodo_action.errors import UsageError
from zenodo_action.files import CHUNK

ArchiveKind = Literal["zip", "tar.gz"]
DOS_EPOCH = int(dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc).timestamp())
GZIP_LEVEL = 6  # gzip's and zip's default: git archive's and `zip -X -r`'s output size


@dataclass(frozen=True)
class Member:
    """One file of an archive: read from `source`, or a symlink to `link`."""

    name: str  # the path inside the archive, with `/`
    source: Path | None = None
    size: int = 0
    executable: bool = False
    link: str | None = None
    # Checks the file is still what was planned (size and mtime) just before it is read.
    unchanged: Callable[[], bool] | None = None


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
) -> None:
    """Pack `members` into `target` (a new file), with an entry for each folder."""
    for member in members:
        _encodable(member.name)
    entries = ordered(members)
    mtime = max(mtime, DOS_EPOCH)
    try:
        if kind == "zip":
            _write_zip(target, entries, mtime, comment)
        else:
            _write_tar_gz(target, entries, mtime, comment)
    except OSError as error:
        raise UsageError(f"cannot write {target.name}: {error.strerror or error}") from None


def _write_zip(target: Path, entries: list[Member | str], mtime: int, comment: str) -> None:
    when = dt.datetime.fromtimestamp(mtime, dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(target, "x", allowZip64=True) as archive:
        for entry in entries:
            name = entry if isinstance(entry, str) else entry.name
            info = zipfile.ZipInfo(name, date_time=when)
            info.create_system = 3  # unix: the mode below is read
            if isinstance(entry, str):
                info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10  # MS-DOS folder bit
                archive.writestr(info, b"")
            elif entry.link is not None:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, entry.link.encode("utf-8", "surrogateescape"))
            else:
                info.external_attr = (stat.S_IFREG | _mode(entry)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = entry.size
                with archive.open(info, "w", force_zip64=entry.size >= zipfile.ZIP64_LIMIT) as out:
                    _copy(entry, out)
        archive.comment = comment.encode("utf-8")


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


def _opened(member: Member) -> IO[bytes]:
    assert member.source is not None, "a file member has a source"
    if member.unchanged is not None and not member.unchanged():
        raise _changed(member)
    try:
        return open(member.source, "rb")
    except OSError as error:
        raise UsageError(f"{member.source}: cannot read file ({error.strerror})") from None


def _copy(member: Member, out: IO[bytes]) -> None:
    written = 0
    with _opened(member) as source:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            out.write(chunk)
    if written != member.size:
        raise _changed(member)


def _changed(member: Member) -> UsageError:
    return UsageError(f"{member.source}: the file changed while it was being packed; run again")


def file_member(name: str, path: Path, executable: bool | None = None) -> Member:
    """A member for the file at `path` (links followed), checked for change when read."""
    try:
        info = os.stat(path)
    except OSError as error:  # gone (or unreadable) since the folder was listed
        raise UsageError(f"{path}: cannot read file ({error.strerror or error})") from None
    runnable = bool(info.st_mode & 0o111) if executable is None else executable

    def unchanged() -> bool:
        try:
            now = os.stat(path)
        except OSError:
            return False
        return (now.st_size, now.st_mtime_ns) == (info.st_size, info.st_mtime_ns)

    return Member(name, path, info.st_size, runnable, unchanged=unchanged)
