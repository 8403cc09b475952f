"""Git LFS pointers: telling one from data, and refusing to archive one as data.

A pointer is what a Git LFS file is in git, and what a checkout without `lfs: true` (or a
GitHub archive without "Include Git LFS objects in archives") leaves where the data should
be. What counts as one is what git-lfs itself reads as one, written down in
docs/reference/git-lfs-and-archives.md §1; in short: under 1024 bytes, UTF-8, the lines
`version <a version git-lfs reads>`, `oid sha256:<64 hex>` and `size <digits>` in that
order, extension lines between them allowed, nothing after. A text file that merely
mentions the URL has other lines and is not one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from zenodo_action.errors import UsageError
from zenodo_action.logs import printable
from zenodo_action.naming import per_door, setting

log = logging.getLogger(__name__)

# git-lfs reads a file as a pointer only below this size
# (docs/reference/git-lfs-and-archives.md §1).
POINTER_SIZE_LIMIT = 1024
# The version URLs git-lfs accepts: the released one, the pre-release and the alpha's.
VERSIONS = (
    "https://git-lfs.github.com/spec/v1",
    "https://hawser.github.com/spec/v1",
    "http://git-media.io/v/2",
)
_KEYS = ("version", "oid", "size")  # in this order; extension keys may come between
_EXTENSION_KEY = re.compile(r"ext-[0-9]-[0-9A-Za-z_]")  # git-lfs matches only the start
_OID = re.compile(r"sha256:([0-9a-f]{64})")
_SIZE = re.compile(r"[+-]?[0-9]+")  # as Go's strconv.ParseInt reads it
_MOST_SIZE = 2**63 - 1
# What Go's bytes.TrimSpace trims (unicode.IsSpace), which git-lfs applies first.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_GO_SPACE += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
MOST_NAMED = 5  # pointers named in a message; the rest are counted

Where = Literal[
    "files",
    "asset",
    "tag-archive",
    "checkout",
    "checkout-submodule",
    "files-archive",
    "asset-archive",
]


@dataclass(frozen=True)
class Pointer:
    """What a pointer says: the sha256 and size of the real file."""

    oid: str  # lowercase hex
    size: int


def parse_pointer(data: bytes) -> Pointer | None:
    """The pointer `data` is, or None when it is anything else: exactly what git-lfs
    reads as a pointer (docs/reference/git-lfs-and-archives.md §1), so that a file it
    would leave as it is, even with `lfs: true`, is not taken for one."""
    if len(data) >= POINTER_SIZE_LIMIT:
        return None
    try:
        text = data.decode("utf-8").strip(_GO_SPACE)
    except UnicodeDecodeError:
        return None
    values = _key_values(text)
    if values is None or values.get("version") not in VERSIONS:
        return None
    oid = _OID.fullmatch(values.get("oid", ""))
    size = values.get("size", "")
    if oid is None or not _SIZE.fullmatch(size) or not 0 <= int(size) <= _MOST_SIZE:
        return None
    return Pointer(oid.group(1), int(size))


def _key_values(text: str) -> dict[str, str] | None:
    """The `version`, `oid` and `size` values of a pointer's lines, in that order, blank
    lines skipped; None on any other line, or on an extension line (`ext-<digit>-<name>
    sha256:<oid>`, each digit once) that is not one."""
    values: dict[str, str] = {}
    priorities: dict[str, str] = {}
    for line in text.split("\n"):
        key, space, value = line.removesuffix("\r").partition(" ")
        if not key and not space:
            continue  # a blank line
        if not space or len(values) == len(_KEYS):  # no value, or a line after `size`
            return None
        if key == _KEYS[len(values)]:
            values[key] = value
        elif _EXTENSION_KEY.match(key) and _OID.fullmatch(value):
            priorities[key] = key[4]
        else:
            return None
    if len(set(priorities.values())) < len(priorities):  # two extensions of one priority
        return None
    return values


def file_pointer(path: Path, size: int) -> Pointer | None:
    """The pointer the file at `path` (of `size` bytes) is, or None; reads it only when
    it is small enough to be one."""
    if size >= POINTER_SIZE_LIMIT:
        return None
    try:
        with open(path, "rb") as handle:
            return parse_pointer(handle.read(POINTER_SIZE_LIMIT))
    except OSError as error:
        raise UsageError(f"{path}: cannot read file ({error.strerror or error})") from None


_FIXES: dict[Where, str] = {
    "files": "check the files out with their Git LFS content: `lfs: true` on "
    "actions/checkout (command line: `git lfs pull`)",
    "checkout": "check the repository out with its Git LFS content: `lfs: true` on "
    "actions/checkout (command line: `git lfs pull`)",
    "checkout-submodule": per_door(
        command_line="fetch the Git LFS content of the submodules too: `git lfs pull`, then "
        "`git submodule foreach --recursive git lfs pull`",
        runner="`lfs: true` on actions/checkout fetches Git LFS content for the top "
        "repository only: add a step after it that runs "
        "`git submodule foreach --recursive git lfs pull`",
    ),
    "tag-archive": 'turn on the repository setting "Include Git LFS objects in archives" '
    f"(Settings → General → Archives), or set {setting('source-archive', 'checkout')} (with "
    f"`lfs: true` on actions/checkout) or {setting('source-archive', 'none')}",
    "asset": "the asset was uploaded as a Git LFS pointer: upload the real file to the "
    "release (from a checkout with `lfs: true`), then re-run",
    "files-archive": "the archive was made from files checked out without their Git LFS "
    "content: build it after `lfs: true` on actions/checkout (command line: `git lfs pull`)",
    "asset-archive": "the asset was built from files checked out without their Git LFS "
    "content: build it again from a checkout with `lfs: true`, replace the release asset, "
    "then re-run",
}
_WHAT: dict[Where, tuple[str, str]] = {  # one, many
    "files": ("file", "files"),
    "checkout": ("file of the checkout's source archive", "files of the checkout's source archive"),
    "checkout-submodule": (
        "file of the checkout's source archive",
        "files of the checkout's source archive",
    ),
    "tag-archive": ("member of the tag's source archive", "members of the tag's source archive"),
    "asset": ("release asset", "release assets"),
    "files-archive": (
        "member of an archive among the files",
        "members of archives among the files",
    ),
    "asset-archive": (
        "member of an archive among the release assets",
        "members of archives among the release assets",
    ),
}
OPT_OUT = f"{setting('allow-lfs-pointers', 'true')} archives them as they are"


def named(names: Sequence[str]) -> str:
    """The first few names, then how many more."""
    shown = [printable(name, limit=200) for name in names[:MOST_NAMED]]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


class LfsPointers(UsageError):
    """Files about to be archived are Git LFS pointers, not the data they stand for."""

    def __init__(self, where: Where, names: Sequence[str]) -> None:
        noun = _WHAT[where][len(names) != 1]
        super().__init__(
            f"{len(names)} {noun} {'is a' if len(names) == 1 else 'are'} Git LFS "
            f"pointer{'s' * (len(names) != 1)}, not the data: {named(names)}; nothing was "
            "sent to Zenodo",
            hint=f"{_FIXES[where]}; only if the pointers themselves are what you mean to "
            f"archive, {OPT_OUT}",
        )
        self.where = where
        self.names = tuple(names)


def warning(where: Where, names: Sequence[str]) -> str:
    """What an opted-out run says about the pointers it archives anyway."""
    return (
        f"archiving {len(names)} Git LFS pointer{'s' * (len(names) != 1)} as they are "
        f"(allow-lfs-pointers): {named(names)} in the {_WHAT[where][1]}"
    )


@dataclass(frozen=True)
class PointerCheck:
    """What a run does with pointers it finds: refuse them (the default), or, opted out,
    archive them with a warning."""

    allow: bool = False
    warn: Callable[[str], None] = field(default=log.warning, compare=False)

    def judge(self, where: Where, names: Sequence[str]) -> None:
        if not names:
            return
        if not self.allow:
            raise LfsPointers(where, names)
        self.warn(warning(where, names))

    def files(self, paths: Sequence[tuple[str, Path, int]], where: Where = "files") -> None:
        """Judge files on disk, each given as (name shown, path, size)."""
        self.judge(where, [name for name, path, size in paths if file_pointer(path, size)])
