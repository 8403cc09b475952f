"""Git LFS pointers inside a source archive, found without unpacking it.

A tar.gz is read as it streams in: gzip is inflated block by block and the tar headers
are followed, so only the members small enough to be pointers (lfs.POINTER_SIZE_LIMIT)
are ever held, and memory stays constant whatever the archive's size. Inflating costs
about as much as a fast download, so it runs in a thread of its own, fed through a
bounded queue (`InBackground`): the two overlap (zlib lets go of the GIL). A zip's table of
contents, the central directory that every unzip trusts, comes last, so a zip is read
once it is on disk: the directory lists the members and only the small ones are opened.
Nothing is written anywhere (docs/reference/git-lfs-and-archives.md §3).
"""

from __future__ import annotations

import queue
import stat
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from zenodo_action.errors import UsageError
from zenodo_action.lfs import POINTER_SIZE_LIMIT, PointerCheck, Where, parse_pointer

BLOCK = 512
INFLATE_STEP = 1024 * 1024  # most bytes inflated per step: a gzip bomb cannot fill memory
_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)
_PAX = (tarfile.XHDTYPE, tarfile.SOLARIS_XHDTYPE)
_GNU_NAMES = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)
_MOST_META = 1024 * 1024  # a pax header or long name beyond this is no archive of ours
# Compressed bytes that can hold fewer than POINTER_SIZE_LIMIT bytes: stored or deflated
# data grows by a few bytes at most, other methods by less than this margin.
_MOST_COMPRESSED = 2 * POINTER_SIZE_LIMIT
# GNU sparse headers (GNU tar manual, "GNU tar and sparse files"): the byte that says
# 512-byte blocks of more sparse entries follow, in the header and in each such block.
_GNU_SPARSE_EXTENDED = 482
_GNU_SPARSE_MORE = 504


class ArchiveError(Exception):
    """The archive cannot be read to the end (truncated, corrupt, not that format)."""


QUEUED = 8  # chunks (of the download's size) waiting for the background scan, at most


class ArchiveScan(Protocol):
    """Fed the archive's bytes as they arrive, then told where they were written; closed
    in the end, whether the download succeeded or not."""

    def feed(self, chunk: bytes) -> None: ...

    def finish(self, path: Path) -> list[str]:
        """The members that are Git LFS pointers; ArchiveError if it is unreadable."""
        ...

    def close(self) -> None: ...


def scanner(fmt: str) -> ArchiveScan:
    return InBackground(TarGzScan()) if fmt == "tar.gz" else ZipScan()


# Archives uploaded as files or assets whose members are checked, by name
# (docs/reference/git-lfs-and-archives.md §3).
_SUFFIXES = ((".zip", "zip"), (".tar.gz", "tar.gz"), (".tgz", "tar.gz"))
_READ = 1024 * 1024


def archive_format(name: str) -> str | None:
    """`zip` or `tar.gz` when the file's name says it is one of those archives."""
    lowered = name.lower()
    return next((fmt for suffix, fmt in _SUFFIXES if lowered.endswith(suffix)), None)


def file_pointers(path: Path, fmt: str) -> list[str]:
    """The members of the archive at `path` that are Git LFS pointers, read from disk in
    constant memory (a zip: its central directory); ArchiveError if it cannot be read
    as `fmt`."""
    scan = TarGzScan() if fmt == "tar.gz" else ZipScan()
    try:
        if fmt == "tar.gz":
            with open(path, "rb") as handle:
                while chunk := handle.read(_READ):
                    scan.feed(chunk)
        return scan.finish(path)
    finally:
        scan.close()


def check_archives(pointers: PointerCheck, found: Sequence[tuple[str, Path]], where: Where) -> None:
    """Judge the pointers inside every zip and tar.gz among `found` (name shown, path).

    **decision** (docs/reference/git-lfs-and-archives.md §3): a file named as an archive
    that cannot be read as one (a self-extracting or encrypted zip, another format under
    that name) is published as it is, with a warning that its members were not checked:
    the file is what the user named, and only its members are in doubt.
    """
    inside: list[str] = []
    for shown, path in found:
        fmt = archive_format(path.name)
        if fmt is None:
            continue
        try:
            inside += [f"{shown}: {member}" for member in file_pointers(path, fmt)]
        except ArchiveError as error:
            pointers.warn(
                f"{shown}: its members were not checked for Git LFS pointers: it cannot be "
                f"read as a {fmt} ({error})"
            )
        except OSError as error:
            raise UsageError(f"{shown}: cannot read file ({error.strerror or error})") from None
    pointers.judge(where, inside)


class InBackground:
    """Another scanner, run in a thread of its own that `feed` hands the chunks to
    through a queue of QUEUED chunks: the download goes on while the scanner works, and
    waits (memory stays bounded) only when the scanner falls that far behind. The
    scanner's error is raised by the next `feed`, or by `finish`; once it failed, the
    chunks still coming are dropped, so `feed` never waits on a scanner that stopped.
    `close` ends the thread whatever happened, and is safe to call twice."""

    def __init__(self, scan: ArchiveScan, queued: int = QUEUED) -> None:
        self._scan = scan
        self._chunks: queue.Queue[bytes | None] = queue.Queue(queued)
        self._error: Exception | None = None
        self._dropping = threading.Event()  # the chunks still queued are not wanted
        self._thread = threading.Thread(target=self._run, name="archive-scan", daemon=True)
        self._thread.start()

    def feed(self, chunk: bytes) -> None:
        self._raise_error()
        self._chunks.put(chunk)

    def finish(self, path: Path) -> list[str]:
        self._join()
        self._raise_error()
        return self._scan.finish(path)

    def close(self) -> None:
        self._dropping.set()
        self._join()
        self._scan.close()

    def _join(self) -> None:
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is not None or self._dropping.is_set():
                continue
            try:
                self._scan.feed(chunk)
            except Exception as error:  # raised again in the downloading thread
                self._error = error


class ZipScan:
    """The central directory, after the download: it comes last in a zip."""

    def feed(self, chunk: bytes) -> None:
        """Nothing to do until the end."""

    def close(self) -> None:
        """Nothing to let go of."""

    def finish(self, path: Path) -> list[str]:
        try:
            with zipfile.ZipFile(path) as archive:
                return [info.filename for info in archive.infolist() if _zip_pointer(archive, info)]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
            raise ArchiveError(f"not a readable zip archive ({error})") from None
        except (NotImplementedError, RuntimeError) as error:  # a method or encryption
            raise ArchiveError(f"a zip member cannot be read ({error})") from None


def _zip_pointer(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member is a pointer. The declared uncompressed size is not trusted
    (unzip does not need it): every member whose compressed bytes are few enough to
    hold a pointer is read, up to the pointer limit; a read that stops short of it
    reached the end of the member's stream, whose CRC zipfile then checks."""
    mode = info.external_attr >> 16
    if info.is_dir() or stat.S_ISLNK(mode) or info.compress_size >= _MOST_COMPRESSED:
        return False
    with archive.open(info) as member:
        data = member.read(POINTER_SIZE_LIMIT)
    return len(data) < POINTER_SIZE_LIMIT and parse_pointer(data) is not None


class TarGzScan:
    """A push parser over gzip then tar: fed compressed chunks, it never holds more than
    one step of inflated bytes plus one small member."""

    def __init__(self) -> None:
        self._inflate = zlib.decompressobj(wbits=31)  # gzip framing
        self._pending = bytearray()  # inflated bytes not yet parsed
        self._need = BLOCK  # bytes wanted before the next step of parsing
        self._skip = 0  # member bytes (and padding) still to pass over
        self._member: tuple[str, int] | None = None  # a small regular member being read
        self._meta: tuple[bytes, int] | None = None  # a pax header or GNU long name
        self._sparse: int | None = None  # a GNU sparse member's data, after its map blocks
        self._next_name: str | None = None
        self._next_size: int | None = None
        self._ended = False  # the end-of-archive blocks were read
        self.pointers: list[str] = []

    def feed(self, chunk: bytes) -> None:
        data = chunk
        while True:
            if self._inflate.eof:  # the gzip stream ended: padding, or another member
                data = self._inflate.unused_data + data
                if not data.strip(b"\0"):
                    return
                self._inflate = zlib.decompressobj(wbits=31)
            source = data or self._inflate.unconsumed_tail
            if not source:
                return
            try:
                out = self._inflate.decompress(source, INFLATE_STEP)
            except zlib.error as error:
                raise ArchiveError(f"the gzip stream is corrupt ({error})") from None
            data = b""
            self._parse(out)

    def close(self) -> None:
        """Nothing to let go of."""

    def finish(self, path: Path) -> list[str]:
        self.feed(b"")
        if not self._inflate.eof:
            raise ArchiveError("the gzip stream ends early (truncated)")
        inside = (self._member, self._meta, self._sparse)
        if self._skip or any(state is not None for state in inside):
            raise ArchiveError("the tar archive ends inside a member (truncated)")
        if not self._ended and self._pending.strip(b"\0"):
            raise ArchiveError("the tar archive ends inside a header (truncated)")
        return self.pointers

    def _parse(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._ended:  # only zero blocks may follow the end; else it was misread
                if bytes(view).strip(b"\0"):
                    raise ArchiveError(
                        "data follows the tar archive's end-of-archive block (a member this "
                        "scanner misread, or two archives joined)"
                    )
                return
            if self._skip:
                step = min(self._skip, len(view))
                self._skip -= step
                view = view[step:]
                continue
            take = min(self._need - len(self._pending), len(view))
            self._pending += view[:take]
            view = view[take:]
            if len(self._pending) == self._need:
                self._step(bytes(self._pending))
                self._pending.clear()

    def _step(self, block: bytes) -> None:
        if self._sparse is not None:  # a block of a GNU sparse member's map
            if not block[_GNU_SPARSE_MORE]:
                self._skip, self._sparse = self._sparse, None
        elif self._member is not None:
            name, size = self._member
            self._member = None
            if parse_pointer(block[:size]) is not None:
                self.pointers.append(name)
            self._need = BLOCK
        elif self._meta is not None:
            kind, size = self._meta
            self._read_meta(kind, block[:size])
            self._meta = None
            self._need = BLOCK
        else:
            self._header(block)

    def _header(self, block: bytes) -> None:
        if not block.strip(b"\0"):
            self._ended = True  # git, tar and Python all end on the first zero block
            return
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
        except tarfile.HeaderError as error:
            raise ArchiveError(f"a tar header is corrupt ({error})") from None
        size = self._next_size if self._next_size is not None else info.size
        name = self._next_name if self._next_name is not None else info.name
        padded = -(-size // BLOCK) * BLOCK
        if info.type in _PAX or info.type in _GNU_NAMES:
            if size > _MOST_META:
                raise ArchiveError(f"a tar header of {size} bytes is not believable")
            self._meta = (info.type, size) if padded else None
            self._need = padded or BLOCK
            return
        self._next_name = self._next_size = None
        if info.type == tarfile.GNUTYPE_SPARSE and block[_GNU_SPARSE_EXTENDED]:
            self._sparse = padded  # skipped once the map's blocks are read
        elif info.type == tarfile.XGLTYPE or info.type not in _REGULAR:
            self._skip = padded
        elif size < POINTER_SIZE_LIMIT and size:
            self._member = (name, size)
            self._need = padded
        else:
            self._skip = padded

    def _read_meta(self, kind: bytes, data: bytes) -> None:
        if kind in _GNU_NAMES:
            if kind == tarfile.GNUTYPE_LONGNAME:
                self._next_name = data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
            return
        for key, value in _pax_records(data):
            if key == "path":
                self._next_name = value
            elif key == "size":
                if not value.isdigit():
                    raise ArchiveError(f"a pax header gives the size {value!r}")
                self._next_size = int(value)


def _pax_records(data: bytes) -> list[tuple[str, str]]:
    """`<length> <key>=<value>\\n` records (POSIX pax extended header)."""
    records = []
    position = 0
    while position < len(data) and data[position] != 0:
        space = data.find(b" ", position)
        if space < 0 or not data[position:space].isdigit():
            raise ArchiveError("a pax extended header is malformed")
        end = position + int(data[position:space])
        record = data[space + 1 : end]
        if end <= space or not record.endswith(b"\n") or b"=" not in record:
            raise ArchiveError("a pax extended header is malformed")
        key, value = record[:-1].split(b"=", 1)
        records.append((key.decode("utf-8", "replace"), value.decode("utf-8", "surrogateescape")))
        position = end
    return records
