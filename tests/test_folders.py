"""Folder lines in `files` (`results/`): one reproducible zip per folder, by the same rules
as globs, named after the folder (docs/reference/git-lfs-and-archives.md §4)."""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

import pytest

from zenodo_action import folders
from zenodo_action.errors import UsageError
from zenodo_action.files import LocalFile, expand_globs, is_folder_line, preflight
from zenodo_action.lfs import LfsPointers, PointerCheck

POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"ab" * 32 + b"\nsize 9\n"


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "ws"
    (root / "results" / "run-1").mkdir(parents=True)
    (root / "results" / "run-1" / "a.csv").write_text("a\n" * 100)
    (root / "results" / "b.csv").write_text("b\n")
    (root / "results" / ".hidden").write_text("dot-files too\n")
    (root / "results" / "tool.sh").write_text("#!/bin/sh\n")
    (root / "results" / "tool.sh").chmod(0o755)
    (root / "results" / ".git").mkdir()
    (root / "results" / ".git" / "config").write_text("[credential] token\n")
    os.symlink("b.csv", root / "results" / "same-b.csv")
    return root


def pack(root: Path, tmp_path: Path, *lines: str, **options) -> list[LocalFile]:
    out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}"
    out.mkdir()
    return folders.pack(list(lines), root, out, pointers=PointerCheck(**options))


def entries(path: Path) -> dict[str, tuple[bytes, int, tuple]]:
    with zipfile.ZipFile(path) as archive:
        return {
            i.filename: (archive.read(i), i.external_attr >> 16, i.date_time)
            for i in archive.infolist()
        }


def test_a_folder_line_is_one_zip_named_after_the_folder(workspace, tmp_path):
    [packed] = pack(workspace, tmp_path, "results/")
    assert packed.name == "results.zip" and packed.packed is not None
    assert (packed.packed.line, packed.packed.members) == ("results/", 5)
    found = entries(packed.path)
    assert sorted(found) == [
        "results/",
        "results/.hidden",
        "results/b.csv",
        "results/run-1/",
        "results/run-1/a.csv",
        "results/same-b.csv",  # a link inside the root: its file, as globs publish it
        "results/tool.sh",
    ]
    assert found["results/tool.sh"][1] == 0o100755 and found["results/b.csv"][1] == 0o100644
    assert {when for _, _, when in found.values()} == {(1980, 1, 1, 0, 0, 0)}
    assert packed.packed.describe(packed.name, packed.size).startswith(
        "results/ packed as results.zip: 5 files"
    )


def test_the_same_files_give_the_same_bytes_whatever_their_times(workspace, tmp_path):
    first = pack(workspace, tmp_path, "results/")[0].path.read_bytes()
    for path in workspace.rglob("*"):
        if not path.is_symlink():
            os.utime(path, (2e9, 2e9))
    os.chmod(workspace / "results" / "b.csv", 0o600)
    again = pack(workspace, tmp_path, "results/")[0].path.read_bytes()
    assert again == first
    (workspace / "results" / "b.csv").write_text("c\n")
    assert pack(workspace, tmp_path, "results/")[0].path.read_bytes() != first


def test_a_link_out_of_the_workspace_is_refused(workspace, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    os.symlink(outside, workspace / "results" / "leak.txt")
    with pytest.raises(UsageError, match="outside") as caught:
        pack(workspace, tmp_path, "results/")
    assert "leak.txt" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("missing/", "is not a folder"),
        ("../", "outside"),
        ("./", "the whole workspace"),
        ("res*/", "has a wildcard"),
        ("results/.git/", ".git"),
    ],
)
def test_bad_folder_lines_are_named(workspace, tmp_path, line, message):
    with pytest.raises(UsageError) as caught:
        pack(workspace, tmp_path, line)
    assert message in str(caught.value)


def test_an_empty_folder_is_an_error(workspace, tmp_path):
    (workspace / "empty").mkdir()
    with pytest.raises(UsageError, match="holds no file"):
        pack(workspace, tmp_path, "empty/")


def test_two_folders_of_one_name_clash_clearly(workspace, tmp_path):
    (workspace / "other" / "results").mkdir(parents=True)
    (workspace / "other" / "results" / "x.csv").write_text("x")
    with pytest.raises(UsageError, match=r"'results/' and 'other/results/' would both be packed"):
        pack(workspace, tmp_path, "results/", "other/results/")


def test_a_zip_clashing_with_a_file_of_that_name_names_the_folder(workspace, tmp_path):
    (workspace / "results.zip").write_bytes(b"PK")
    packed = pack(workspace, tmp_path, "results/")
    with pytest.raises(Exception) as caught:
        preflight([LocalFile.of(workspace / "results.zip"), *packed])
    assert "two files would be named 'results.zip'" in str(caught.value)
    assert "results/ (packed)" in str(caught.value)


def test_lfs_pointers_in_a_folder_are_refused_before_packing(workspace, tmp_path):
    (workspace / "results" / "run-1" / "big.csv").write_bytes(POINTER)
    with pytest.raises(LfsPointers, match=r"results/run-1/big\.csv"):
        pack(workspace, tmp_path, "results/")
    assert not list(tmp_path.glob("out*/*.zip"))
    said = []
    [packed] = pack(workspace, tmp_path, "results/", allow=True, warn=said.append)
    assert "results/run-1/big.csv" in said[0] and packed.packed.members == 6


def test_a_folder_of_many_files_counts_as_one_toward_zenodos_limit(workspace, tmp_path):
    for n in range(150):
        (workspace / "results" / f"part-{n:03d}.csv").write_text(f"{n}\n")
    packed = pack(workspace, tmp_path, "results/")
    preflight(packed)  # 155 files, one zip: within Zenodo's 100
    assert packed[0].packed.members == 155


def test_folder_lines_are_told_from_globs():
    assert is_folder_line("results/") and is_folder_line("data/raw/ ")
    assert not is_folder_line("results/*") and not is_folder_line("results")


def test_a_file_name_that_is_not_utf8_is_named_not_a_traceback(workspace, tmp_path):
    (workspace / "results" / os.fsdecode(b"caf\xe9.csv")).write_text("x\n")
    with pytest.raises(UsageError, match=r"caf\\udce9\.csv: the file name is not valid UTF-8"):
        pack(workspace, tmp_path, "results/")


def test_a_subfolder_that_cannot_be_listed_stops_the_packing(workspace, tmp_path, monkeypatch):
    """Packed without it, the zip would silently lack its files."""
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("run-1"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UsageError, match=r"cannot list the folder results/run-1 \(Permission"):
        pack(workspace, tmp_path, "results/")


def test_what_is_no_regular_file_is_left_out_with_a_warning(workspace, tmp_path, caplog):
    os.mkfifo(workspace / "results" / "pipe")
    os.symlink("missing.csv", workspace / "results" / "broken.csv")
    with caplog.at_level(logging.INFO, logger="zenodo_action"):
        [packed] = pack(workspace, tmp_path, "results/")
    assert packed.packed.members == 5
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2
    assert any("results/pipe is not a regular file" in m for m in warned)
    assert any("results/broken.csv -> " in m and "not packed" in m for m in warned)


def test_a_folder_named_without_its_slash_says_how_to_pack_it(workspace):
    with pytest.raises(UsageError, match=r"'results' matches no file .*: it names a folder; end "):
        expand_globs(["results"], workspace)


@pytest.fixture(params=["sorted", "reversed"])
def listing(request, monkeypatch) -> str:
    """The file system's listing order, forced: the zip must not depend on it."""
    from zenodo_action import files as files_module

    listed = files_module._entries
    monkeypatch.setattr(
        files_module,
        "_entries",
        lambda d: sorted(listed(d), key=lambda e: e.name, reverse=request.param == "reversed"),
    )
    return str(request.param)


def test_a_link_beside_the_folder_it_names_keeps_the_real_folder(
    tmp_path, monkeypatch, caplog, listing
):
    """`results/latest -> run-2024-05-01`: the dated folder is packed under its own name
    whatever order the file system lists the two in, `latest` is left out, and the log
    says why. Same files, same bytes."""
    root = tmp_path / "ws"
    (root / "results" / "run-2024-05-01").mkdir(parents=True)
    (root / "results" / "run-2024-05-01" / "table.csv").write_text("1,2\n")
    (root / "results" / "zz-link").symlink_to("run-2024-05-01")
    (root / "results" / "latest").symlink_to("run-2024-05-01")
    with caplog.at_level(logging.INFO, logger="zenodo_action"):
        [packed] = pack(root, tmp_path, "results/")
    assert sorted(entries(packed.path)) == [
        "results/",
        "results/run-2024-05-01/",
        "results/run-2024-05-01/table.csv",
    ]
    said = caplog.text
    assert "results/latest -> results/run-2024-05-01 is not packed" in said
    assert "results/zz-link -> results/run-2024-05-01 is not packed" in said
    reference = tmp_path / f"reference-{listing}"
    reference.mkdir()
    monkeypatch.undo()
    [again] = folders.pack(["results/"], root, reference, pointers=PointerCheck())
    assert again.path.read_bytes() == packed.path.read_bytes()


def test_links_to_one_folder_elsewhere_pack_it_once_under_the_first_name(tmp_path, listing):
    root = tmp_path / "ws"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "x.csv").write_text("x\n")
    (root / "results" / "b").mkdir(parents=True)
    (root / "results" / "b" / "y.csv").write_text("y\n")
    (root / "results" / "b" / "to-shared").symlink_to("../../shared")
    (root / "results" / "a-to-shared").symlink_to("../shared")
    (root / "results" / "b" / "up").symlink_to("..")  # a loop
    [packed] = pack(root, tmp_path, "results/")
    assert sorted(entries(packed.path)) == [
        "results/",
        "results/a-to-shared/",
        "results/a-to-shared/x.csv",
        "results/b/",
        "results/b/y.csv",
    ]
