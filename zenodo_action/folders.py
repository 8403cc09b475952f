"""Folder lines of `files` (`results/`): each folder uploaded as one reproducible zip.

Zenodo takes at most 100 files per version (docs/reference/git-lfs-and-archives.md §7),
so a folder of many files goes up as one archive. A folder line becomes `<folder>.zip`,
holding every regular file below it under `<folder>/`, packed by `packing` with the fixed
time 1980-01-01: the same files give the same bytes, so a data set whose content did not
change stays `unchanged` however its file times moved
(docs/reference/git-lfs-and-archives.md §4). The zip is written to the run's private folder, never
the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from zenodo_action import packing
from zenodo_action.errors import UsageError
from zenodo_action.files import LocalFile, Packed, folder_files
from zenodo_action.lfs import PointerCheck


def zip_name(folder: Path) -> str:
    return f"{folder.name}.zip"


def pack(
    lines: Sequence[str],
    root: Path,
    dest: Path,
    *,
    pointers: PointerCheck,
    allow_outside: bool = False,
    workers: int | None = None,
) -> list[LocalFile]:
    """Each folder line packed into `dest` (`workers`: see packing.write); every folder
    is listed and its Git LFS pointers judged before the first is packed, so a problem
    costs no packing."""
    listed = [(line, *folder_files(line, root, allow_outside=allow_outside)) for line in lines]
    _refuse_clashes([(line, zip_name(folder)) for line, folder, _ in listed])
    members = {
        line: [packing.file_member(f"{folder.name}/{inner}", path) for inner, path in found]
        for line, folder, found in listed
    }
    pointers.files(
        [
            (f"{line.rstrip('/')}/{member.name.split('/', 1)[1]}", member.source, member.size)
            for line, folder_members in members.items()
            for member in folder_members
            if member.source is not None
        ]
    )
    packed = []
    for line, folder, _ in listed:
        target = dest / zip_name(folder)
        packing.write("zip", target, members[line], mtime=packing.DOS_EPOCH, workers=workers)
        about = Packed(line.strip(), len(members[line]), sum(m.size for m in members[line]))
        packed.append(replace(LocalFile.of(target), packed=about))
    return packed


def _refuse_clashes(names: Sequence[tuple[str, str]]) -> None:
    """Two folder lines whose folders share a name would make two zips of one name."""
    by_name: dict[str, list[str]] = {}
    for line, name in names:
        by_name.setdefault(name, []).append(line)
    clashes = [
        f"{' and '.join(repr(line) for line in lines)} would both be packed as {name}"
        for name, lines in by_name.items()
        if len(lines) > 1
    ]
    if clashes:
        raise UsageError(
            "files: " + "; ".join(clashes),
            hint="a folder is uploaded as <its name>.zip: pack folders of different names, "
            "or one folder that holds both",
        )
