"""Local files: globbing, streaming md5, and the limits Zenodo enforces.

Every check that can be made without the network is made here, before any
draft is created or touched (zenodo-api.md §5: 100 files, 50 GB in total, no
empty files, no `/` in names, at most 255 characters).
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from zenodo_action.errors import ActionError, UsageError

MAX_FILES = 100
MAX_TOTAL_BYTES = 50 * 10**9
MAX_NAME_LENGTH = 255
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class LocalFile:
    """A file to publish, under the name it will have on Zenodo.

    Its MD5 is taken only where it is needed before sending (a file of the same name and
    size is already on Zenodo, and may be identical), or comes free with a download; else
    the upload takes it while sending: one read per file. Size and modification time tell
    whether the file changed while it was read.
    """

    name: str
    path: Path
    size: int
    md5: str | None = None
    mtime_ns: int = 0

    @classmethod
    def of(cls, path: Path, name: str | None = None, md5: str | None = None) -> LocalFile:
        """Describe a file without reading it."""
        try:
            stat = path.stat()
        except OSError as error:
            raise unreadable(path, error) from None
        return cls(name or path.name, path, stat.st_size, md5, stat.st_mtime_ns)

    def hashed(self) -> LocalFile:
        """The same file with its MD5 (one read), unless it is known already."""
        if self.md5 is not None:
            return self
        try:
            return replace(self, md5=md5_of(self.path))
        except OSError as error:
            raise unreadable(self.path, error) from None

    def changed_since(self) -> bool:
        """Whether the file on disk is no longer the one described (size or mtime)."""
        try:
            stat = self.path.stat()
        except OSError:
            return True
        return (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns)


def unreadable(path: Path, error: OSError) -> UsageError:
    return UsageError(f"{path}: cannot read file ({error.strerror or error})")


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def expand_globs(patterns: Iterable[str], root: Path) -> list[Path]:
    """The regular files the patterns match, in a stable order, each once.

    A pattern that matches no file is an error: a release job that silently
    publishes fewer files than the user asked for is worse than one that stops.
    """
    found: dict[Path, None] = {}
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else str(root / pattern)
        matches = sorted(Path(p) for p in glob.glob(full, recursive=True) if os.path.isfile(p))
        if not matches:
            raise UsageError(f"files: the pattern {pattern!r} matches no file under {root}")
        found.update(dict.fromkeys(matches))
    return list(found)


def collect(patterns: Sequence[str], root: Path) -> list[LocalFile]:
    """The files the patterns name, described but not read."""
    return [LocalFile.of(path) for path in expand_globs(patterns, root)]


def check_name(name: str) -> str | None:
    """Why Zenodo would refuse this file name, or None."""
    if not name or name in (".", ".."):
        return "the name is empty"
    if "/" in name or "\\" in name or "\0" in name:
        return "the name contains '/', '\\' or a NUL byte"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is longer than {MAX_NAME_LENGTH} characters"
    return None


def preflight(files: Sequence[LocalFile]) -> None:
    """Refuse, before anything is sent, a file set Zenodo would reject half-way."""
    problems = [f"{f.path}: {why}" for f in files if (why := check_name(f.name))]
    problems += [
        f"{f.path}: the file is empty (Zenodo refuses empty files)" for f in files if not f.size
    ]
    problems += _duplicate_names(files)
    if not files:
        problems.append("no files to publish: give at least one (Zenodo needs a file per version)")
    if len(files) > MAX_FILES:
        problems.append(f"{len(files)} files: Zenodo accepts at most {MAX_FILES} per version")
    total = sum(f.size for f in files)
    if total > MAX_TOTAL_BYTES:
        problems.append(
            f"{human_size(total)} in total: Zenodo accepts at most "
            f"{human_size(MAX_TOTAL_BYTES)} per version"
        )
    if problems:
        raise ActionError("cannot publish these files:\n  " + "\n  ".join(problems))


def _duplicate_names(files: Sequence[LocalFile]) -> list[str]:
    by_name: dict[str, list[LocalFile]] = {}
    for f in files:
        by_name.setdefault(f.name, []).append(f)
    return [
        f"two files would be named {name!r} on Zenodo: " + ", ".join(str(f.path) for f in group)
        for name, group in by_name.items()
        if len(group) > 1
    ]


def human_size(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


class HashingReader:
    """A file opened for upload that hashes what it sends.

    The MD5 of the bytes sent is checked against Zenodo's, and against the one taken
    before the upload where there was one (a file rewritten while uploading is caught).
    `on_read` hears how many bytes it has read so far; it may raise to abort the upload.

    Each block is hashed in a thread of its own while it is being sent: hashlib and the
    socket both release the GIL, so on two cores a big upload runs at about the speed of
    MD5 alone rather than MD5 plus sending (issue 10). One block is hashed at a time, in
    order, and a block is handed out only once the one before it is hashed.
    """

    def __init__(self, path: Path, size: int, on_read: Callable[[int], None] | None = None) -> None:
        try:  # it was there when the files were collected; it may be gone since
            self._handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise unreadable(path, error) from None
        self._size = size
        self._on_read = on_read
        self._read = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        # A file of one block has nothing to overlap with: no thread for it.
        self._hasher = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="md5") if size > CHUNK else None
        )
        self._hashing: Future[None] | None = None

    def read(self, amount: int = -1) -> bytes:
        self._wait_for_hash()
        chunk = self._handle.read(amount)
        if self._hasher is None:
            self._md5.update(chunk)
        elif chunk:
            self._hashing = self._hasher.submit(self._md5.update, chunk)
        self._read += len(chunk)
        if self._on_read is not None:
            self._on_read(self._read)
        return chunk

    def hexdigest(self) -> str:
        """The MD5 of every byte read so far."""
        self._wait_for_hash()
        return self._md5.hexdigest()

    def _wait_for_hash(self) -> None:
        if self._hashing is not None:
            self._hashing.result()
            self._hashing = None

    def __len__(self) -> int:  # requests takes Content-Length from here
        return self._size

    def close(self) -> None:
        if self._hasher is not None:
            self._hasher.shutdown(wait=True)  # the last block's hash, before the digest is read
        self._handle.close()
