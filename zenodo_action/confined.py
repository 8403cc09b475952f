"""Files the tool writes on disk stay inside the directory they belong to.

Two writers use this: the command line's write-back, which edits CITATION.cff,
codemeta.json and the README in the working tree, and `publish --dotenv FILE`, GitLab's
report of the result. A repository can hold links, and a cloned repository's links are
whatever its authors committed, so:

* `resolve_inside`: a link among the files to edit is followed to its target, which must
  be inside the repository (then the target is edited and the link stays a link);
* `check_regular_file`/`write_regular_file`: the dotenv report is written only as a
  regular file inside the project directory. Its last component may not be a link at all
  (checked before the publish, and again by opening it with O_NOFOLLOW, so a link put
  there in between is not followed either); the folders above it may be links, as long
  as where they lead is inside the project (a checkout under a linked /builds is common;
  resolved as the kernel does, so `linked/..` is the parent of the link's target, not the
  folder holding the link); a FIFO, a device or a socket there is refused (opened with
  O_NONBLOCK, a FIFO without a reader cannot hang the run).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from zenodo_action.errors import UsageError


def is_inside(path: str, directory: str) -> bool:
    """Whether the absolute `path` is `directory` or below it (both already resolved)."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def resolve_inside(root: Path, relative: str, what: str) -> Path:
    """The real path of `root/relative`, every link followed; UsageError naming `what`
    when that leads out of `root`."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, relative))
    if not is_inside(real, real_root):
        raise UsageError(
            f"{what}: {relative} is a link to {real}, outside the repository {real_root}",
            hint="a link may only lead to a file inside the repository; point it there, or "
            "name the file itself",
            file=relative,
        )
    return Path(real)


def _real_place(path: Path, directory: Path, what: str) -> tuple[str, str]:
    """(the real folder, the name) where `path` lands: the folder resolved as the kernel
    resolves it, each link before the `..` that follows it (a lexical abspath would take
    `linked/..` for the folder holding the link); UsageError unless that folder is inside
    `directory` and the name is a file name."""
    real_directory = os.path.realpath(directory)
    real_parent = os.path.realpath(path.parent)
    if path.name in ("", ".", ".."):
        raise UsageError(f"{what} {str(path)!r} is not a file name")
    if not os.path.isdir(real_parent):
        raise UsageError(f"{what} {str(path)!r}: its directory does not exist")
    if not is_inside(os.path.join(real_parent, path.name), real_directory):
        raise UsageError(
            f"{what} {str(path)!r} is outside the project directory {real_directory}",
            hint="write it inside the project (CI_PROJECT_DIR, else the working directory)",
        )
    return real_parent, path.name


def check_regular_file(path: Path, directory: Path, what: str) -> None:
    """UsageError unless `path` can only be a regular file inside `directory`: not a link,
    not a folder, FIFO, device or socket, and in a folder that is there, inside it."""
    real_parent, name = _real_place(path, directory, what)
    try:
        found = os.lstat(os.path.join(real_parent, name))
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode):
        raise UsageError(
            f"{what} {str(path)!r} is a link: it is written only as a regular file",
            hint="remove the link, or name another file",
        )
    if not stat.S_ISREG(found.st_mode):
        raise UsageError(f"{what} {str(path)!r} is not a regular file")


def write_regular_file(path: Path, directory: Path, text: str, what: str) -> None:
    """Write `text` to `path` as checked by check_regular_file, once more at the moment of
    writing: opened by name in the real folder checked (through a descriptor of it, so the
    path is not resolved again), a link is not followed, a non-regular file is not written.
    OSError when the file system refuses."""
    check_regular_file(path, directory, what)
    real_parent, name = _real_place(path, directory, what)
    folder = os.open(real_parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        descriptor = os.open(name, flags, 0o644, dir_fd=folder)
    finally:
        os.close(folder)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UsageError(f"{what} {str(path)!r} is not a regular file")
        os.ftruncate(descriptor, 0)
        data = text.encode("utf-8")
        while data:
            data = data[os.write(descriptor, data) :]
    finally:
        os.close(descriptor)
