"""Git LFS pointers: the detector (docs/reference/git-lfs-and-archives.md §1) and the
archive scanner that finds them in a zip or tar.gz without unpacking it
(git-lfs-and-archives.md §3)."""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zenodo_action.archive_scan import (
    ArchiveError,
    InBackground,
    TarGzScan,
    ZipScan,
    check_archives,
    scanner,
)
from zenodo_action.errors import UsageError
from zenodo_action.lfs import LfsPointers, PointerCheck, file_pointer, parse_pointer
from zenodo_action.naming import COMMAND_LINE, RUNNER

OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
POINTER = f"version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize 12345\n".encode()


# --- the detector -------------------------------------------------------------------


def test_a_pointer_is_read_for_its_oid_and_size():
    pointer = parse_pointer(POINTER)
    assert pointer is not None and (pointer.oid, pointer.size) == (OID, 12345)


@pytest.mark.parametrize(
    "data",
    [
        POINTER.replace(b"git-lfs.github.com", b"hawser.github.com"),  # pre-release clients
        POINTER.replace(b"https://git-lfs.github.com/spec/v1", b"http://git-media.io/v/2"),
        POINTER.replace(b"\n", b"\r\n"),  # checked out with CRLF
        POINTER.rstrip(b"\n"),  # no final newline
        POINTER.replace(b"oid", b"ext-0-foo sha256:" + b"1" * 64 + b"\noid"),  # extensions
        POINTER.replace(b"size", b"ext-1-bar sha256:" + b"2" * 64 + b"\nsize"),
        POINTER.replace(b"\n", b"\n\n"),  # blank lines are skipped
        b" \n\t" + POINTER + b"\n \n",  # git-lfs trims white space first
        POINTER.replace(b"size 12345", b"size +12345"),  # Go's ParseInt takes a sign
    ],
)
def test_pointers_as_git_lfs_reads_them(data):
    assert parse_pointer(data) is not None


@pytest.mark.parametrize(
    "data",
    [
        # a README that mentions the spec URL on its first line
        b"version https://git-lfs.github.com/spec/v1\nThis data set is kept in Git LFS.\n",
        POINTER.replace(b"size 12345", b"size twelve"),
        POINTER.replace(b"size 12345\n", b""),  # no size
        POINTER.replace(OID.encode(), OID[:-1].encode()),  # 63 hex digits
        POINTER.replace(b"sha256:", b"sha1:"),
        POINTER.replace(b"/spec/v1", b"/spec/v2"),  # a version git-lfs does not read
        b"# data\n" + POINTER,  # version is not the first line
        POINTER + b"\nsize 1\n",  # a blank line, then a repeated key
        POINTER + b"free text after the pointer\n",
        POINTER + b"x-custom y\n",  # git-lfs: "extra line"
        POINTER + b"ext-2-baz sha256:" + b"3" * 64 + b"\n",  # even an extension
        POINTER.replace(b"oid", b"x-other y\noid"),  # an unknown key that is no extension
        POINTER.replace(b"oid", b"ext-0-foo sha256:xyz\noid"),  # an extension without oid
        POINTER.replace(
            b"oid", b"ext-0-a sha256:" + b"1" * 64 + b"\next-0-b sha256:" + b"2" * 64 + b"\noid"
        ),
        POINTER.replace(OID.encode(), OID.upper().encode()),  # git-lfs 3 wants lower case
        POINTER.replace(b"size 12345", b"size -1"),
        POINTER.replace(b"size 12345", b"size 99999999999999999999"),  # past int64
        POINTER.replace(b"oid sha256", b"size 1\noid sha256"),  # keys out of order
        POINTER + b"x" * 1024,  # too big to be a pointer
        POINTER.replace(b"size 12345", b"size  12345"),  # two spaces
        b"\xff" + POINTER,  # not UTF-8
        b"",
    ],
)
def test_what_is_not_a_pointer(data):
    assert parse_pointer(data) is None


@given(st.binary(max_size=300))
def test_random_bytes_after_the_version_line_are_no_pointer_unless_they_are_one(tail):
    data = b"version https://git-lfs.github.com/spec/v1\n" + tail
    pointer = parse_pointer(data)
    if pointer is not None:  # then it really has the two keys
        assert f"oid sha256:{pointer.oid}".encode() in data.lower()
        assert re.search(rb"size [+]?0*%d" % pointer.size, data)


def test_a_big_file_is_not_read_at_all(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(POINTER + b"x" * 5000)
    os.chmod(path, 0)  # unreadable: reading it would fail
    try:
        assert file_pointer(path, path.stat().st_size) is None
    finally:
        os.chmod(path, 0o644)


def test_the_refusal_names_the_first_few_and_counts_the_rest():
    names = [f"data/part-{n}.csv" for n in range(8)]
    with pytest.raises(LfsPointers) as caught:
        PointerCheck().judge("files", names)
    message = str(caught.value)
    assert "8 files are Git LFS pointers" in message
    assert "data/part-0.csv" in message and "data/part-4.csv" in message
    assert "data/part-5.csv" not in message and "and 3 more" in message
    assert "`lfs: true` on actions/checkout" in message and "git lfs pull" in message
    assert "`allow-lfs-pointers: true`" in RUNNER.spell(message)
    assert "--allow-lfs-pointers archives" in COMMAND_LINE.spell(message)


def test_the_tag_archive_refusal_names_its_three_fixes():
    with pytest.raises(LfsPointers) as caught:
        PointerCheck().judge("tag-archive", ["repo-abc/data.csv"])
    hint = RUNNER.spell(caught.value.hint or "")
    assert "Include Git LFS objects in archives" in hint
    assert "`source-archive: checkout`" in hint and "`source-archive: none`" in hint
    spelt = COMMAND_LINE.spell(caught.value.hint or "")
    assert "--source-archive checkout" in spelt and "--source-archive none" in spelt
    assert isinstance(caught.value, UsageError)


def test_opting_out_warns_instead():
    said = []
    PointerCheck(allow=True, warn=said.append).judge("files", ["a.csv", "b.csv"])
    assert said == [
        "archiving 2 Git LFS pointers as they are (allow-lfs-pointers): a.csv, b.csv in the files"
    ]


# --- the archive scanner ----------------------------------------------------------------


def fed(scan, data: bytes, path: Path, step: int = 4093) -> list[str]:
    for start in range(0, len(data), step):
        scan.feed(data[start : start + step])
    return scan.finish(path)


def tar_gz(
    members: dict[str, bytes], *, fmt=tarfile.PAX_FORMAT, symlink: str | None = None
) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type, info.linkname = tarfile.SYMTYPE, "target"
            archive.addfile(info)
    return gzip.compress(raw.getvalue())


LONG = "top-1234567/" + "deep/" * 30 + "data.csv"  # needs a pax header or a GNU long name
MEMBERS = {
    "top-1234567/README.md": b"# hello\n",
    "top-1234567/big.bin": os.urandom(300_000),
    LONG: POINTER,
    "top-1234567/small.csv": b"a,b\n1,2\n",
    "top-1234567/exactly-1024.txt": POINTER + b"x" * (1024 - len(POINTER)),
    "top-1234567/ünïcode.csv": POINTER,
}
FOUND = [LONG, "top-1234567/ünïcode.csv"]


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
def test_tar_gz_pointers_are_found_as_the_archive_streams(tmp_path, fmt):
    assert fed(TarGzScan(), tar_gz(MEMBERS, fmt=fmt, symlink="top-1234567/link"), tmp_path) == FOUND


def test_a_pointer_deep_in_a_big_tar_gz_is_found_in_constant_memory(tmp_path):
    members = {f"top/f{n:04d}.bin": os.urandom(20_000) for n in range(300)}
    members["top/zzz/last.csv"] = POINTER
    data = tar_gz(members)
    scan = TarGzScan()
    assert fed(scan, data, tmp_path, step=65536) == ["top/zzz/last.csv"]
    assert len(scan._pending) < 2048  # only a header or a small member is ever held


def test_a_gzip_bomb_is_inflated_step_by_step(tmp_path):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 200 * 1024 * 1024
        archive.addfile(info, io.BytesIO(bytes(info.size)))
    data = gzip.compress(raw.getvalue())
    assert len(data) < 1_000_000
    assert fed(TarGzScan(), data, tmp_path, step=len(data)) == []


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.999])
def test_a_truncated_tar_gz_is_an_error(tmp_path, cut):
    data = tar_gz(MEMBERS)
    with pytest.raises(ArchiveError, match="truncated"):
        fed(TarGzScan(), data[: int(len(data) * cut)], tmp_path)


def test_a_corrupt_tar_gz_is_an_error(tmp_path):
    data = bytearray(tar_gz(MEMBERS))
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    with pytest.raises(ArchiveError):
        fed(TarGzScan(), bytes(data), tmp_path)


def test_a_gzip_that_is_no_tar_is_an_error(tmp_path):
    with pytest.raises(ArchiveError, match="tar header is corrupt"):
        fed(TarGzScan(), gzip.compress(b"this is not a tar archive" * 40), tmp_path)


def test_a_tar_gz_is_scanned_in_a_thread_of_its_own_with_the_same_result(tmp_path):
    before = threading.active_count()
    scan = scanner("tar.gz")
    assert isinstance(scan, InBackground)
    assert fed(scan, tar_gz(MEMBERS), tmp_path) == FOUND
    scan.close()
    assert threading.active_count() == before


@pytest.mark.parametrize("cut", [0.5, 1.0])
def test_the_background_scan_reports_a_broken_archive_from_feed_or_finish(tmp_path, cut):
    data = bytearray(tar_gz(MEMBERS))
    data[len(data) // 3 : len(data) // 3 + 64] = b"\x00" * 64
    scan = InBackground(TarGzScan(), queued=2)
    with pytest.raises(ArchiveError):
        fed(scan, bytes(data[: int(len(data) * cut)]), tmp_path, step=512)
    scan.close()
    scan.close()  # twice is harmless
    assert not scan._thread.is_alive()


class Stuck:
    """A scanner that waits for `go` before it reads anything, then fails or not."""

    def __init__(self, fail: bool = False) -> None:
        self.go, self.fail, self.fed, self.closed = threading.Event(), fail, 0, False

    def feed(self, chunk: bytes) -> None:
        self.go.wait()
        self.fed += 1
        if self.fail:
            raise ArchiveError("a tar header is corrupt")

    def finish(self, path: Path) -> list[str]:
        return []

    def close(self) -> None:
        self.closed = True


def feed_in_thread(scan: InBackground, chunks: int) -> tuple[threading.Thread, list[Exception]]:
    errors: list[Exception] = []

    def feed() -> None:
        try:
            for _ in range(chunks):
                scan.feed(b"x" * 1024)
        except Exception as error:
            errors.append(error)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread, errors


def test_a_slow_scanner_holds_the_download_back_at_the_queue_bound():
    """Memory stays bounded: the feeder waits once `queued` chunks are waiting."""
    inner = Stuck()
    scan = InBackground(inner, queued=3)
    feeder, _ = feed_in_thread(scan, 50)
    while scan._chunks.qsize() < 3:
        feeder.join(0.01)
    feeder.join(0.2)
    assert feeder.is_alive() and scan._chunks.qsize() == 3 and inner.fed == 0
    inner.go.set()
    feeder.join(10)
    assert not feeder.is_alive()
    assert scan.finish(Path("unused")) == [] and inner.fed == 50
    scan.close()
    assert inner.closed


def test_a_scanner_that_failed_never_holds_the_download_back():
    inner = Stuck(fail=True)
    inner.go.set()
    scan = InBackground(inner, queued=1)
    feeder, errors = feed_in_thread(scan, 1000)
    feeder.join(10)
    assert not feeder.is_alive()
    assert [str(e) for e in errors] == ["a tar header is corrupt"]
    with pytest.raises(ArchiveError):
        scan.finish(Path("unused"))
    scan.close()
    assert inner.fed == 1 and not scan._thread.is_alive()


def test_closing_while_the_download_is_cut_short_ends_the_thread():
    inner = Stuck()
    scan = InBackground(inner, queued=2)
    feeder, _ = feed_in_thread(scan, 2)
    feeder.join(10)
    inner.go.set()
    scan.close()  # without finish: the download failed
    assert not scan._thread.is_alive() and inner.closed


def zip_file(
    tmp_path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED, **options
) -> Path:
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w", compression=method, **options) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        info = zipfile.ZipInfo("top-1234567/link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, POINTER)  # a symlink's target text is no file's content
    return path


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_zip_pointers_are_found_from_the_central_directory(tmp_path, method):
    path = zip_file(tmp_path, MEMBERS, method)
    assert sorted(fed(ZipScan(), path.read_bytes(), path)) == sorted(FOUND)


def test_zip_with_data_descriptors_and_zip64(tmp_path):
    """Streamed members (flag bit 3, as git archive writes big files) and zip64 records."""
    path = tmp_path / "streamed.zip"
    with open(path, "wb") as raw:
        unseekable = _Unseekable(raw)
        with zipfile.ZipFile(unseekable, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in MEMBERS.items():
                with archive.open(name, "w", force_zip64=True) as member:
                    member.write(data)
    with zipfile.ZipFile(path) as archive:
        assert all(info.flag_bits & 0x08 for info in archive.infolist())
    assert sorted(scanner("zip").finish(path)) == sorted(FOUND)


class _Unseekable(io.RawIOBase):
    def __init__(self, raw):
        self.raw, self.written = raw, 0

    def writable(self):
        return True

    def write(self, data):
        self.written += len(data)
        return self.raw.write(data)

    def tell(self):
        return self.written

    def seekable(self):
        return False


def test_a_truncated_zip_is_an_error(tmp_path):
    path = zip_file(tmp_path, MEMBERS)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ArchiveError, match="not a readable zip archive"):
        ZipScan().finish(path)


def test_a_zip_whose_small_member_is_corrupt_is_an_error(tmp_path):
    path = zip_file(tmp_path, {"top/p.csv": POINTER}, zipfile.ZIP_STORED)
    data = path.read_bytes().replace(b"size 12345", b"size 99999")  # CRC no longer matches
    path.write_bytes(data)
    with pytest.raises(ArchiveError):
        ZipScan().finish(path)


def gnu_sparse_header(name: str, stored: int, extension_blocks: int) -> bytes:
    """A GNU sparse member's header (type S) and the extension blocks of its sparse map,
    as GNU tar writes them for a file of more than four holes; `stored` bytes follow."""
    info = tarfile.TarInfo(name)
    info.type, info.size = tarfile.GNUTYPE_SPARSE, stored
    header = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    header[386 : 386 + 24] = b"%011o\0%011o\0" % (0, stored)  # the first map entry
    header[482] = 1 if extension_blocks else 0  # isextended
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header[:512])
    blocks = []
    for n in range(extension_blocks):
        block = bytearray(b"%011o\0%011o\0" % (4096 * (n + 1), 512) * 21 + bytes(8))
        block[504] = 1 if n < extension_blocks - 1 else 0
        blocks.append(bytes(block))
    return bytes(header) + b"".join(blocks)


@pytest.mark.parametrize("extension_blocks", [0, 1, 3])
def test_a_pointer_after_a_gnu_sparse_member_is_found(tmp_path, extension_blocks):
    """The sparse map's extension blocks are passed over: stored data of zeros right
    after them must not read as the end of the archive."""
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w", format=tarfile.GNU_FORMAT) as archive:
        info = tarfile.TarInfo("top/p.csv")
        info.size = len(POINTER)
        archive.addfile(info, io.BytesIO(POINTER))
    data = gnu_sparse_header("top/sparse.bin", 1024, extension_blocks) + bytes(1024)
    data += plain.getvalue()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:  # Python reads it so too
        assert [m.name for m in archive] == ["top/sparse.bin", "top/p.csv"]
    assert fed(TarGzScan(), gzip.compress(data), tmp_path, step=700) == ["top/p.csv"]


def test_data_after_the_end_of_the_tar_archive_is_an_error_not_a_clean_scan(tmp_path):
    first = tar_gz({"top/a.txt": b"a\n"})
    hidden = gzip.decompress(tar_gz({"top/p.csv": POINTER}))
    data = gzip.compress(gzip.decompress(first) + hidden)  # a zero block, then a member
    with pytest.raises(ArchiveError, match="data follows the tar archive's end"):
        fed(TarGzScan(), data, tmp_path)


def test_a_zip_member_whose_declared_size_lies_is_read_all_the_same(tmp_path):
    """The central directory says 5000 bytes; the member's stream holds a pointer (unzip
    extracts it without complaint), so the declared size alone skips nothing."""
    path = zip_file(tmp_path, {"top/p.csv": POINTER, "top/big.bin": os.urandom(5000)})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    assert data[central + 46 : central + 46 + 9] == b"top/p.csv"
    data[central + 24 : central + 28] = (5000).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("top/p.csv").file_size == 5000
    assert ZipScan().finish(path) == ["top/p.csv"]


def test_a_zip_member_that_deflates_small_but_holds_more_than_a_pointer_is_none(tmp_path):
    path = zip_file(tmp_path, {"top/zeros.bin": bytes(100_000), "top/p.csv": POINTER})
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("top/zeros.bin").compress_size < 1024
    assert ZipScan().finish(path) == ["top/p.csv"]


@pytest.mark.parametrize("name", ["data.zip", "DATA.TAR.GZ", "data.tgz"])
def test_archives_on_disk_are_checked_by_their_name(tmp_path, name):
    path = tmp_path / name
    if name.lower().endswith("zip"):
        zip_file(tmp_path, MEMBERS).rename(path)
    else:
        path.write_bytes(tar_gz(MEMBERS))
    with pytest.raises(LfsPointers) as refused:
        check_archives(PointerCheck(), [(f"dist/{name}", path)], "files-archive")
    assert sorted(refused.value.names) == sorted(f"dist/{name}: {member}" for member in FOUND)
    assert "members of archives among the files" in str(refused.value)


def test_a_file_named_as_an_archive_that_is_none_is_published_with_a_warning(tmp_path):
    warned: list[str] = []
    (tmp_path / "setup.zip").write_bytes(b"MZ a self-extracting program")
    (tmp_path / "table.csv.tar.gz").write_bytes(gzip.compress(b"not a tar"))
    (tmp_path / "notes.txt").write_bytes(POINTER)  # not an archive: judged elsewhere
    found = [(p.name, p) for p in sorted(tmp_path.iterdir())]
    check_archives(PointerCheck(warn=warned.append), found, "asset-archive")
    assert len(warned) == 2
    assert warned[0].startswith("setup.zip: its members were not checked for Git LFS pointers")
    assert "table.csv.tar.gz" in warned[1] and "as a tar.gz" in warned[1]


def test_a_truncated_archive_among_the_files_is_published_with_a_warning(tmp_path):
    path = tmp_path / "data.tar.gz"
    path.write_bytes(tar_gz(MEMBERS)[:-40])
    warned: list[str] = []
    check_archives(PointerCheck(warn=warned.append), [("data.tar.gz", path)], "files-archive")
    assert "truncated" in warned[0]
