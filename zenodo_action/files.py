"""Local files: globbing, streaming md5, and the limits Zenodo enforces.

Every check that can be made without the network is made here, before any
draft is created or touched (zenodo-api.md §5: 100 files, 50 GB in total, no
empty files, no `/` in names, at most 255 characters).
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from zenodo_action.errors import ActionError, UsageError
from zenodo_action.logs import printable
from zenodo_action.naming import per_door

logger = logging.getLogger(__name__)

MAX_FILES = 100
MAX_TOTAL_BYTES = 50 * 10**9
MAX_NAME_LENGTH = 255
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Packed:
    """A folder packed into one zip: the `files` line that named it, what it holds."""

    line: str  # e.g. "results/"
    members: int  # files packed
    content_size: int  # their bytes, before packing

    def describe(self, name: str, size: int) -> str:
        files = f"{self.members:,} file{'s' * (self.members != 1)}"
        return (
            f"{self.line} packed as {name}: {files}, {human_size(self.content_size)} "
            f"-> {human_size(size)}"
        )


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
    packed: Packed | None = None  # a folder line's zip

    @property
    def origin(self) -> str:
        """Where it comes from, for messages: its path, or the folder packed into it."""
        return f"{self.packed.line} (packed)" if self.packed else str(self.path)

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


def expand_globs(patterns: Iterable[str], root: Path, *, allow_outside: bool = False) -> list[Path]:
    """The regular files the patterns match, in a stable order, each once.

    Globbing as `glob.glob(recursive=True)` does it (`*` skips dot-names unless the pattern
    starts with a dot, `**` is any depth of directories that are not dot-named), with what
    a release job must not do refused (`_Glob`). A pattern that matches no file is an
    error: a job that silently publishes fewer files than the user asked for is worse
    than one that stops. Every problem of every pattern is told at once.
    """
    found: dict[Path, None] = {}
    problems: list[str] = []
    refused_outside = False
    for pattern in patterns:
        expansion = _Glob(pattern, root, allow_outside)
        expansion.run()
        problems += expansion.refused
        refused_outside |= expansion.outside
        if not expansion.found and not expansion.refused:
            problems.append(f"the pattern {pattern!r} matches no file under {root}")
            if not _MAGIC.search(pattern) and (root / pattern).is_dir():
                problems[-1] += (
                    f": it names a folder; end the line with / to upload the folder packed "
                    f"as one zip ({pattern.rstrip('/')}/)"
                )
        found.update(dict.fromkeys(sorted(expansion.found)))
    if problems:
        raise UsageError(_files_message(problems), hint=_OUTSIDE_HINT if refused_outside else None)
    return list(found)


def collect(patterns: Sequence[str], root: Path, *, allow_outside: bool = False) -> list[LocalFile]:
    """The files the patterns name, described but not read."""
    return [
        LocalFile.of(path) for path in expand_globs(patterns, root, allow_outside=allow_outside)
    ]


def is_folder_line(line: str) -> bool:
    """A `files` line that names a folder to pack (`results/`), not a glob."""
    return line.rstrip().endswith(("/", os.sep))


def folder_files(
    line: str, root: Path, *, allow_outside: bool = False
) -> tuple[Path, list[tuple[str, Path]]]:
    """The folder a folder line names, and every regular file below it as (its path
    inside the folder with `/`, its path), sorted: dot-files too, never `.git`, by the
    same rules as globs (inside the root, links followed inside it, each folder once)."""
    expansion = _Glob(line.rstrip().rstrip("/" + os.sep), root, allow_outside)
    folder = expansion.folder()
    if expansion.refused:
        raise UsageError(
            _files_message(expansion.refused), hint=_OUTSIDE_HINT if expansion.outside else None
        )
    assert folder is not None
    if not expansion.found:
        raise UsageError(f"files: the folder {line!r} holds no file to pack")
    return folder, [
        (str(path.relative_to(folder)).replace(os.sep, "/"), path) for path in expansion.found
    ]


_OUTSIDE_HINT = per_door(
    command_line="copy the files into the working directory first, or pass "
    "--allow-outside-root to publish files from outside it on purpose",
    runner="copy the files into the workspace in an earlier step",
)
_GIT = ".git"  # its config can hold the checkout's token (persist-credentials)
_MOST_PROBLEMS_SHOWN = 10
_MAGIC = re.compile(r"[*?[]")


def _files_message(problems: list[str]) -> str:
    if len(problems) == 1:
        return f"files: {problems[0]}"
    shown = problems[:_MOST_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    lines = shown + ([f"... and {more} more"] if more else [])
    return "files: cannot publish what these patterns name:\n  " + "\n  ".join(lines)


def _within(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _in_git(path: str, *bases: str) -> bool:
    """Whether `path` is `.git` or below one, counting from the first of `bases` that
    holds it (a root that itself lies below a `.git` is not held against it)."""
    base = next((b for b in bases if _within(path, b)), "")
    return any(part.casefold() == _GIT for part in path[len(base) :].split("/"))


class _Glob:
    """One pattern's expansion: the files it matched, and what it refused and why.

    Only regular files inside `root` are published, unless `allow_outside`: a pattern
    that climbs out (`../x`, or an absolute path elsewhere) is refused, and so is a file
    or a directory to look in that resolves (through symlinks) outside. Nothing at or
    below a `.git` is ever published, by name or through a link, since its config can
    hold the checkout's credentials. `**` walks each real directory once, so a symlink
    loop ends at once (a notice says which link was not followed).
    """

    def __init__(self, pattern: str, root: Path, allow_outside: bool) -> None:
        self.pattern = pattern
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(root)
        self.allow_outside = allow_outside
        self.found: list[Path] = []
        self.refused: list[str] = []
        self.outside = False  # something was refused for being outside the root

    def run(self) -> None:
        full = os.path.normpath(os.path.join(self.root, self.pattern))  # `..` resolved here
        for base in (self.root, self.real_root):
            if _within(full, base):
                self._step(Path(base), _parts(full[len(base) :]))
                return
        if not self.allow_outside:
            self.outside = True
            self.refused.append(f"the pattern {self.pattern!r} points outside {self.root}")
            return
        self._step(Path("/"), _parts(full))

    def folder(self) -> Path | None:
        """The folder the pattern names, its files in `found`; None when refused."""
        full = Path(os.path.normpath(os.path.join(self.root, self.pattern)))
        if _MAGIC.search(self.pattern):
            self.refused.append(
                f"the folder line {self.pattern + '/'!r} has a wildcard: name one folder"
            )
        elif not (
            self.allow_outside
            or _within(str(full), self.root)
            or _within(str(full), self.real_root)
        ):
            self.outside = True
            self.refused.append(f"the folder {self.pattern + '/'!r} is outside {self.root}")
        elif not full.is_dir():
            self.refused.append(f"{self.pattern + '/'!r} is not a folder under {self.root}")
        elif os.path.realpath(full) == self.real_root:
            self.refused.append(
                f"{self.pattern + '/'!r} is the whole workspace: name a folder in it"
            )
        elif self._allowed(full, "names"):
            self._pack_walk(full)
            return full
        return None

    def _pack_walk(self, top: Path) -> None:
        """Every regular file below `top`, dot-files included, `.git` never. An entry that
        is no link lies where its folder does, so only links are resolved (and checked).

        Each real folder is packed once, under the path that reaches it without a link
        when there is one: folders are listed sorted, real subfolders are walked before
        any link to a folder, and a link is followed only to a folder not packed yet. So
        `latest -> run-2024-05-01` beside the dated folder keeps `run-2024-05-01/`, and
        the zip does not depend on the order the file system lists entries in
        (docs/reference/git-lfs-and-archives.md §4).
        """
        packed: dict[str, Path] = {}  # real path -> the path it is packed under
        plain: list[Path] = [top]
        linked: deque[Path] = deque()
        while plain or linked:
            here = plain.pop() if plain else linked.popleft()
            real = os.path.realpath(here)
            if real in packed:
                logger.info("files: %s", self._packed_already(here, real, packed[real]))
                continue
            packed[real] = here
            try:
                entries = _entries(here)
            except OSError as error:  # packed without it, the zip would lack its files
                shown = self._shown(here, real)
                self.refused.append(f"cannot list the folder {shown} ({error.strerror or error})")
                continue
            subfolders: list[Path] = []
            for entry in sorted(entries, key=_name_order):
                path = here / entry.name
                link = entry.is_symlink()
                if entry.name.casefold() == _GIT or (link and not self._allowed(path, "packs")):
                    continue
                if _is_directory(entry):
                    (linked.append if link else subfolders.append)(path)
                elif entry.is_file():
                    self.found.append(path)
                else:
                    shown = self._shown(path, os.path.realpath(path))
                    logger.warning(  # the zip will lack it: say so where it shows
                        "files: %s is not a regular file (a FIFO, socket, device or broken "
                        "link): not packed",
                        shown,
                    )
            plain += reversed(subfolders)  # popped in sorted order
        self.found.sort(key=lambda path: str(path).encode("utf-8", "surrogateescape"))

    def _packed_already(self, link: Path, real: str, packed_as: Path) -> str:
        loop = _within(str(link), str(packed_as))
        return (
            f"{self._shown(link, real)} is not packed: it is a link to "
            f"{self._relative(str(packed_as), self.root)}/, which the zip holds "
            + ("already around it (a link loop)" if loop else "under that name already")
        )

    def _step(self, here: Path, parts: Sequence[str]) -> None:
        """Match `parts` below the directory `here` (checked already)."""
        if not parts:  # the pattern named the root itself: a directory, not a file
            return
        head, rest = parts[0], parts[1:]
        if head == "**":
            for directory in self._walk(here):
                self._step(directory, rest or ("*",))
        elif _MAGIC.search(head):
            hidden_too = head.startswith(".")
            for name in sorted(_names(here)):
                if (hidden_too or not name.startswith(".")) and fnmatch.fnmatch(name, head):
                    self._next(here / name, rest)
        else:
            self._next(here / head, rest)

    def _next(self, path: Path, rest: Sequence[str]) -> None:
        if rest:
            if os.path.isdir(path) and self._allowed(path, "reaches"):
                self._step(path, rest)
        elif os.path.isfile(path) and self._allowed(path, "matched"):  # follows links
            self.found.append(path)

    def _walk(self, top: Path) -> Iterator[Path]:
        """`top` and every directory below it that `**` may enter, each real one once.

        Directories reached without a symlink come first, so a link to one of them is
        the path not taken; links are followed only after, and only to what is new.
        """
        seen: set[str] = set()
        plain: list[Path] = [top]
        linked: deque[Path] = deque()
        while plain or linked:
            here = plain.pop() if plain else linked.popleft()
            real = os.path.realpath(here)
            if real in seen:
                logger.info("files: %s", self._not_followed(here, real))
                continue
            if here is not top and not self._allowed(here, "reaches"):
                continue
            seen.add(real)
            yield here
            for name, is_link in _subdirectories(here):
                (linked if is_link else plain).append(here / name)

    def _allowed(self, path: Path, verb: str) -> bool:
        """Whether the file or directory `path` may be published or looked in; if not,
        the refusal, in one line."""
        real = os.path.realpath(path)
        shown = f"the pattern {self.pattern!r} {verb} {self._shown(path, real)}"
        if _in_git(str(path), self.root, self.real_root) or _in_git(real, self.real_root):
            self.refused.append(f"{shown}: nothing in .git/ is published (it holds credentials)")
            return False
        if not self.allow_outside and not _within(real, self.real_root):
            self.outside = True
            self.refused.append(f"{shown}, outside {self.root}")
            return False
        return True

    def _shown(self, path: Path, real: str) -> str:
        """`dist/a.txt`, or `dist/a.txt -> /etc/passwd` for a link: short, one line."""
        shown = self._relative(str(path), self.root)
        if os.path.islink(path):
            shown += " -> " + self._relative(real, self.real_root)
        return printable(shown, limit=200)

    @staticmethod
    def _relative(path: str, base: str) -> str:
        if not _within(path, base):
            return path
        return path[len(base) :].lstrip("/") or "."

    def _not_followed(self, path: Path, real: str) -> str:
        return (
            f"the pattern {self.pattern!r} does not follow {self._shown(path, real)}: "
            "a directory it has walked already (a symlink loop, or a second path to it)"
        )


def _parts(path: str) -> tuple[str, ...]:
    """A path's components, with runs of `**` as one (the same match, walked once)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part and not (part == "**" and parts[-1:] == ["**"]):
            parts.append(part)
    return tuple(parts)


def _names(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:  # unreadable or gone: nothing matches there, as with glob
        return []


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as entries:
        return list(entries)


def _name_order(entry: os.DirEntry[str]) -> bytes:
    return entry.name.encode("utf-8", "surrogateescape")


def _subdirectories(directory: Path) -> Iterator[tuple[str, bool]]:
    """The directories `**` may descend into (not dot-named, as glob), and which are links."""
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if not entry.name.startswith(".") and _is_directory(entry):
                    yield entry.name, entry.is_symlink()
    except OSError:
        return


def _is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows links; False for a broken one or a loop
    except OSError:
        return False


def check_name(name: str) -> str | None:
    """Why Zenodo would refuse this file name, or None."""
    if not name or name in (".", ".."):
        return "the name is empty"
    if "/" in name or "\\" in name or "\0" in name:
        return "the name contains '/', '\\' or a NUL byte"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is longer than {MAX_NAME_LENGTH} characters"
    return None


def preflight(files: Sequence[LocalFile], *, instance: str = "Zenodo") -> None:
    """Refuse, before anything is sent, a file set `instance` would reject half-way.

    Zenodo's limits (no empty file, 100 files, 50 GB) hold where the instance is Zenodo.
    Another InvenioRDM sets its own in its configuration and publishes none of them
    through the records API, so only what no instance takes is refused here; the
    instance's own refusal names it (docs/reference/invenio-records-api.md §5.9)."""
    problems = [f"{f.origin}: {why}" for f in files if (why := check_name(f.name))]
    problems += _duplicate_names(files, instance)
    if not files:
        problems.append(
            "no files to publish: give at least one (every version this tool publishes "
            "carries its files)"
        )
    if instance == "Zenodo":
        problems += _zenodo_limits(files)
    if problems:
        raise ActionError("cannot publish these files:\n  " + "\n  ".join(problems))


def _zenodo_limits(files: Sequence[LocalFile]) -> list[str]:
    """What Zenodo refuses of a version's files (zenodo-api.md §5)."""
    problems = [
        f"{f.origin}: the file is empty (Zenodo refuses empty files)" for f in files if not f.size
    ]
    if len(files) > MAX_FILES:
        problems.append(f"{len(files)} files: Zenodo accepts at most {MAX_FILES} per version")
    total = sum(f.size for f in files)
    if total > MAX_TOTAL_BYTES:
        problems.append(
            f"{human_size(total)} in total: Zenodo accepts at most "
            f"{human_size(MAX_TOTAL_BYTES)} per version"
        )
    return problems


def _duplicate_names(files: Sequence[LocalFile], instance: str) -> list[str]:
    by_name: dict[str, list[LocalFile]] = {}
    for f in files:
        by_name.setdefault(f.name, []).append(f)
    return [
        f"two files would be named {name!r} on {instance}: " + ", ".join(f.origin for f in group)
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
    MD5 alone rather than MD5 plus sending. One block is hashed at a time, in
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
