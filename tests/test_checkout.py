"""source-archive: checkout, on real git repositories made here: what goes in (the tag's
tree, submodules, Git LFS content), what never does, what stops it, and that the same
tree always gives the same bytes (docs/reference/git-lfs-and-archives.md §4, §5)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zenodo_action import checkout
from zenodo_action.errors import UsageError
from zenodo_action.lfs import LfsPointers, PointerCheck

REAL = b"id,value\n" + b"1,2\n" * 5000  # the data an LFS pointer stands for
POINTER = (
    b"version https://git-lfs.github.com/spec/v1\noid sha256:"
    + hashlib.sha256(REAL).hexdigest().encode()
    + b"\nsize %d\n" % len(REAL)
)
TOP = "octo-repo-{sha7}"
ENV = {
    "GIT_AUTHOR_NAME": "A",
    "GIT_AUTHOR_EMAIL": "a@example.org",
    "GIT_COMMITTER_NAME": "A",
    "GIT_COMMITTER_EMAIL": "a@example.org",
    "GIT_AUTHOR_DATE": "2024-05-15T12:00:00Z",
    "GIT_COMMITTER_DATE": "2024-05-15T12:00:00Z",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "protocol.file.allow=always", *args],
        cwd=folder,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository tagged v1.0: a submodule, an LFS file checked out with its content, a
    symlink, an executable, an ignored and an untracked file, and a folder in .git."""
    sub = tmp_path / "vendored"
    sub.mkdir()
    git(sub, "init", "-q")
    (sub / "lib.c").write_text("int lib;\n")
    git(sub, "add", ".")
    git(sub, "commit", "-qm", "lib")
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / "README.md").write_text("# work\n")
    (work / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (work / "run.sh").chmod(0o755)
    os.symlink("README.md", work / "LINK")
    (work / ".gitattributes").write_text("*.csv filter=lfs diff=lfs merge=lfs -text\n")
    (work / "data").mkdir()
    (work / "data" / "table.csv").write_bytes(POINTER)  # committed as git-lfs would
    (work / ".gitignore").write_text("build/\n")
    git(work, "submodule", "add", "-q", str(sub), "vendor/lib")
    git(work, "add", ".")
    git(work, "commit", "-qm", "v1.0")
    git(work, "tag", "-a", "v1.0", "-m", "v1.0")
    (work / "data" / "table.csv").write_bytes(REAL)  # what `lfs: true` checks out
    (work / "build").mkdir()
    (work / "build" / "ignored.o").write_text("ignored")
    (work / "untracked.txt").write_text("untracked")
    return work


def build(repo: Path, tmp_path: Path, kind="zip", name="out", **options) -> Path:
    target = tmp_path / f"{name}.{kind}"
    checkout.build(repo, "v1.0", kind, target, top=TOP, pointers=PointerCheck(**options))
    return target


def zip_entries(path: Path) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: (archive.read(i), i.external_attr >> 16) for i in archive.infolist()}


def test_the_archive_holds_the_tags_tree_with_submodules_and_lfs_content(repo, tmp_path):
    entries = zip_entries(build(repo, tmp_path))
    sha7 = git(repo, "rev-parse", "--short=7", "HEAD")
    top = f"octo-repo-{sha7}/"
    files = {name[len(top) :]: value for name, value in entries.items() if not name.endswith("/")}
    assert set(files) == {
        ".gitattributes",
        ".gitignore",
        ".gitmodules",
        "LINK",
        "README.md",
        "data/table.csv",
        "run.sh",
        "vendor/lib/lib.c",
    }  # no .git, no untracked, no ignored file
    assert files["data/table.csv"][0] == REAL
    assert files["vendor/lib/lib.c"][0] == b"int lib;\n"
    assert files["run.sh"][1] == 0o100755 and files["README.md"][1] == 0o100644
    assert files["LINK"] == (b"README.md", 0o120777)  # as git archive stores a symlink
    assert all(name.startswith(top) for name in entries)
    with zipfile.ZipFile(build(repo, tmp_path, name="again")) as archive:
        assert archive.comment == git(repo, "rev-parse", "HEAD").encode()
        assert all(info.extra == b"" for info in archive.infolist())
        assert {info.date_time for info in archive.infolist()} == {(2024, 5, 15, 12, 0, 0)}


def test_tar_gz_holds_the_same_with_fixed_owners_and_header(repo, tmp_path):
    path = build(repo, tmp_path, "tar.gz")
    header = path.read_bytes()[:10]
    assert header[3] & 0x08 == 0 and header[4:8] == b"\0\0\0\0"  # no file name, time 0
    with tarfile.open(path) as archive:
        members = archive.getmembers()
        by_name = {m.name.split("/", 1)[-1]: m for m in members}
        assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
        assert by_name["data/table.csv"].size == len(REAL)
        assert by_name["LINK"].issym() and by_name["LINK"].linkname == "README.md"
        assert by_name["run.sh"].mode == 0o755
        assert archive.pax_headers["comment"] == git(repo, "rev-parse", "HEAD")


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_the_same_tree_gives_the_same_bytes_in_another_clone_at_another_time(repo, tmp_path, kind):
    first = build(repo, tmp_path, kind, "first").read_bytes()
    for path in repo.rglob("*"):
        if ".git" not in path.parts and not path.is_symlink():
            os.utime(path, (1e9, 1e9))
    assert build(repo, tmp_path, kind, "touched").read_bytes() == first
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--recurse-submodules", str(repo), str(clone))
    git(clone, "checkout", "-q", "v1.0")
    (clone / "data" / "table.csv").write_bytes(REAL)
    os.chmod(clone / "README.md", 0o600)  # a working-tree mode does not matter
    assert build(clone, tmp_path, kind, "clone").read_bytes() == first


def test_a_pointer_left_in_the_checkout_is_refused(repo, tmp_path):
    (repo / "data" / "table.csv").write_bytes(POINTER)  # checked out without lfs: true
    with pytest.raises(LfsPointers) as caught:
        build(repo, tmp_path)
    assert "data/table.csv" in str(caught.value) and "lfs: true" in str(caught.value)
    said = []
    out = tmp_path / "opted.zip"
    checkout.build(repo, "v1.0", "zip", out, top=TOP, pointers=PointerCheck(True, said.append))
    assert "data/table.csv" in said[0] and out.is_file()
    assert "git submodule foreach" not in (caught.value.hint or "")


def test_a_pointer_left_in_a_submodule_says_lfs_true_does_not_reach_it(tmp_path):
    """actions/checkout's `lfs: true` installs and fetches Git LFS in the top repository
    only (docs/reference/git-lfs-and-archives.md §5): the fix names the extra step."""
    sub = tmp_path / "data-sub"
    sub.mkdir()
    git(sub, "init", "-q")
    (sub / ".gitattributes").write_text("*.csv filter=lfs -text\n")
    (sub / "table.csv").write_bytes(POINTER)
    git(sub, "add", ".")
    git(sub, "commit", "-qm", "data")
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / "README.md").write_text("# work\n")
    git(work, "submodule", "add", "-q", str(sub), "vendor/data")
    git(work, "commit", "-qm", "v1.0")
    git(work, "tag", "v1.0")
    with pytest.raises(LfsPointers) as caught:
        build(work, tmp_path)
    assert "vendor/data/table.csv" in str(caught.value)
    assert "git submodule foreach --recursive git lfs pull" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda r: (r / "README.md").write_text("# edited\n"), "README.md: differs"),
        (lambda r: (r / "README.md").unlink(), "README.md: missing"),
        (lambda r: (r / "data" / "table.csv").write_bytes(REAL + b"9,9\n"), "data/table.csv"),
        (lambda r: (r / "vendor" / "lib" / "lib.c").write_text("edited"), "vendor/lib/lib.c"),
        (
            lambda r: git(r / "vendor" / "lib", "commit", "-q", "--allow-empty", "-m", "x"),
            "vendor/lib: the submodule is at",
        ),
        (lambda r: shutil.rmtree(r / "vendor" / "lib"), "vendor/lib is not checked out"),
        (lambda r: ((r / "LINK").unlink(), os.symlink("run.sh", r / "LINK")), "LINK: the symlink"),
    ],
)
def test_a_checkout_that_differs_from_the_tag_is_refused_naming_what(repo, tmp_path, change, named):
    change(repo)
    with pytest.raises(UsageError) as caught:
        build(repo, tmp_path)
    assert named in str(caught.value)
    assert "differs from tag v1.0" in str(caught.value)
    assert "submodules: recursive" in (caught.value.hint or "")
    assert not (tmp_path / "out.zip").exists()


def test_head_not_at_the_tag_is_refused(repo, tmp_path):
    git(repo, "commit", "-q", "--allow-empty", "-m", "after the release")
    with pytest.raises(UsageError, match=r"not at the commit of tag v1\.0"):
        build(repo, tmp_path)


def test_a_missing_tag_and_a_folder_that_is_no_repository(repo, tmp_path):
    with pytest.raises(UsageError, match="has no tag v9"):
        checkout.build(repo, "v9", "zip", tmp_path / "x.zip", top=TOP, pointers=PointerCheck())
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UsageError, match="needs a git checkout"):
        checkout.build(plain, "v1.0", "zip", tmp_path / "y.zip", top=TOP, pointers=PointerCheck())


def test_eol_crlf_files_are_the_tags_bytes_as_checked_out(tmp_path):
    work = tmp_path / "crlf"
    work.mkdir()
    git(work, "init", "-q")
    (work / ".gitattributes").write_text("*.bat text eol=crlf\n")
    (work / "run.bat").write_bytes(b"echo a\r\necho b\r\n")
    git(work, "add", ".")
    git(work, "commit", "-qm", "crlf")
    git(work, "tag", "v1.0")
    assert b"\r\n" not in subprocess.check_output(["git", "-C", str(work), "show", "HEAD:run.bat"])
    entries = zip_entries(build(work, tmp_path))
    [bat] = [data for name, (data, _) in entries.items() if name.endswith("run.bat")]
    assert bat == b"echo a\r\necho b\r\n"  # what git archive (and GitHub) would hold
    (work / "other.txt").write_bytes(b"x\r\n")  # untracked: not looked at
    (work / "run.bat").write_bytes(b"echo a\r\necho c\r\n")
    with pytest.raises(UsageError, match=r"run\.bat: differs"):
        build(work, tmp_path, name="changed")


def test_the_archive_is_written_in_blocks(repo, tmp_path):
    """A big file goes through in blocks; the archive holds it whole."""
    big = os.urandom(3 * 1024 * 1024)
    (repo / "big.bin").write_bytes(big)
    git(repo, "add", "big.bin")
    git(repo, "commit", "-qm", "big")
    git(repo, "tag", "-f", "-a", "v1.0", "-m", "v1.0 again")
    with tarfile.open(build(repo, tmp_path, "tar.gz")) as archive:
        [member] = [m for m in archive.getmembers() if m.name.endswith("big.bin")]
        extracted = archive.extractfile(member)
        assert extracted is not None and extracted.read() == big


def test_a_tracked_file_that_cannot_be_read_is_named(repo, tmp_path, monkeypatch):
    real_open = open

    def refusing(path, *args, **kwargs):
        if str(path).endswith("README.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing)
    with pytest.raises(UsageError, match=r"README\.md: cannot read file \(Permission denied\)"):
        build(repo, tmp_path)


def test_a_git_object_missing_from_the_checkout_is_named(repo, tmp_path):
    """A partial clone (`filter: blob:none`) lacks blobs that dulwich cannot fetch."""
    tree = git(repo, "rev-parse", "v1.0^{tree}:data")
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    with pytest.raises(UsageError, match=rf"lacks the git object {tree[:12]}") as caught:
        build(repo, tmp_path)
    assert "fetch-depth" in (caught.value.hint or "") or "filter" in (caught.value.hint or "")


def test_a_big_eol_crlf_file_is_compared_in_blocks(tmp_path):
    work = tmp_path / "crlf"
    work.mkdir()
    git(work, "init", "-q")
    (work / ".gitattributes").write_text("*.csv text eol=crlf\n")
    rows = b"".join(b"%d,%d\r\n" % (n, n) for n in range(2_000_000))  # ~ 24 MiB
    (work / "big.csv").write_bytes(rows)
    git(work, "add", ".")
    git(work, "commit", "-qm", "crlf")
    git(work, "tag", "v1.0")
    tracemalloc.start()
    try:
        build(work, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"{peak / 2**20:.0f} MiB held at once"


@given(
    st.lists(st.sampled_from([b"\r", b"\n", b"a"]), max_size=40).map(b"".join), st.integers(1, 6)
)
def test_crlf_is_turned_into_lf_across_any_block_boundary(data, block):
    with read_in_blocks(data, block) as path:
        assert b"".join(checkout._lf_blocks(path)) == data.replace(b"\r\n", b"\n")


@contextlib.contextmanager
def read_in_blocks(data: bytes, block: int) -> Iterator[Path]:
    """A file of `data`, read by checkout in blocks of `block` bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f"
        path.write_bytes(data)
        chunk, checkout.CHUNK = checkout.CHUNK, block
        try:
            yield path
        finally:
            checkout.CHUNK = chunk


@given(
    st.lists(st.sampled_from([b"\r", b"\n", b"a"]), max_size=40).map(b"".join), st.integers(1, 6)
)
def test_line_ends_are_told_across_any_block_boundary(data, block):
    lone_lf = any(data[i - 1 : i] != b"\r" for i in range(len(data)) if data[i : i + 1] == b"\n")
    with read_in_blocks(data, block) as path:
        assert checkout._line_ends(path)[0] == lone_lf
        if not lone_lf:
            assert checkout._line_ends(path)[1] == (b"\r\r\n" in data)


@pytest.mark.parametrize(
    ("blob", "written"),
    [
        (b"a\r\nb\n", b"a\r\nb\r\n"),  # committed with CRLFs before eol=crlf was set
        (b"a\r\n\r\n", b"a\r\n\r\n"),
        (b"a\r\r\nb\n", b"a\r\r\nb\r\n"),
    ],
)
def test_eol_crlf_with_a_blob_that_holds_crlfs_is_archived_as_git_writes_it(
    tmp_path, blob, written
):
    work = tmp_path / "crlf"
    work.mkdir()
    git(work, "init", "-q")
    (work / "m.txt").write_bytes(blob)
    git(work, "add", ".")
    git(work, "commit", "-qm", "before the attribute")
    (work / ".gitattributes").write_text("*.txt text eol=crlf\n")
    git(work, "add", ".gitattributes")
    git(work, "commit", "-qm", "attribute")
    git(work, "tag", "v1.0")
    (work / "m.txt").unlink()
    git(work, "checkout", "--", "m.txt")
    assert (work / "m.txt").read_bytes() == written  # what git itself writes
    entries = zip_entries(build(work, tmp_path))
    [data] = [data for name, (data, _) in entries.items() if name.endswith("m.txt")]
    assert data == written
    (work / "m.txt").write_bytes(written.replace(b"\r\n", b"\n", 1))  # a lone LF git never wrote
    with pytest.raises(UsageError, match=r"m\.txt: differs"):
        build(work, tmp_path, name="changed")


def test_a_file_changed_after_it_was_checked_against_the_tag_stops_the_packing(
    repo, tmp_path, monkeypatch
):
    """What is packed is what was compared with the tag's blob, or nothing."""
    checked = checkout._hashes

    def then_edited(path, size, **options):
        found = checked(path, size, **options)
        if path.name == "README.md":
            path.write_text("# edited after the check\n")
            os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))
        return found

    monkeypatch.setattr(checkout, "_hashes", then_edited)
    with pytest.raises(UsageError, match=r"README\.md: the file changed while it was being packed"):
        build(repo, tmp_path)


def test_export_ignore_leaves_out_what_git_archive_does_and_export_subst_is_warned(tmp_path):
    work = tmp_path / "attrs"
    work.mkdir()
    git(work, "init", "-q")
    (work / ".gitattributes").write_text(
        "tests/big export-ignore\n*.tmp export-ignore\ndocs/** export-ignore\n"
        ".git_archival.txt export-subst\n"
    )
    (work / "nested").mkdir()
    (work / "nested" / ".gitattributes").write_text("private.txt export-ignore\n")
    for path in (
        "README.md",
        "tests/big/huge.dat",
        "tests/big/deeper/more.dat",
        "tests/small.py",
        "scratch.tmp",
        "docs/index.md",
        "nested/private.txt",
        "nested/public.txt",
    ):
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(f"{path}\n")
    (work / ".git_archival.txt").write_text("node: $Format:%H$\n")
    git(work, "add", ".")
    git(work, "commit", "-qm", "attributes")
    git(work, "tag", "v1.0")
    tar = subprocess.run(
        ["git", "archive", "--format=tar", "--prefix=x/", "v1.0"],
        cwd=work,
        env={**os.environ, **ENV},
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        gits = {m.name[2:] for m in archive.getmembers() if m.isfile()}
    warned: list[str] = []
    target = tmp_path / "out.zip"
    checkout.build(
        work, "v1.0", "zip", target, top="x", pointers=PointerCheck(), warn=warned.append
    )
    ours = {name[2:] for name in zip_entries(target) if not name.endswith("/")}
    assert ours == gits
    assert ours == {
        ".gitattributes",
        ".git_archival.txt",
        "README.md",
        "nested/.gitattributes",
        "nested/public.txt",
        "tests/small.py",
    }
    [warning] = warned
    assert ".git_archival.txt" in warning and "export-subst is not applied" in warning
