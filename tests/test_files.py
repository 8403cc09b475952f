"""Local files: globs, hashing, and the limits checked before anything is sent."""

import hashlib

import pytest

from zenodo_action import files
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.files import HashingReader, LocalFile, collect, preflight


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_collect_describes_without_reading_and_dedupes_across_patterns(tmp_path):
    write(tmp_path / "dist" / "a.tar.gz", b"aaa")
    write(tmp_path / "dist" / "b.whl", b"bb")
    write(tmp_path / "dist" / "sub" / "c.txt", b"c")
    found = collect(["dist/*", "dist/a.*", "dist/**/*.txt"], tmp_path)
    assert [f.name for f in found] == ["a.tar.gz", "b.whl", "c.txt"]
    assert found[0].size == 3
    assert found[0].md5 is None  # one read per file: the upload hashes what it sends
    assert found[0].hashed().md5 == hashlib.md5(b"aaa").hexdigest()


def test_a_file_rewritten_after_it_was_described_is_noticed(tmp_path):
    path = write(tmp_path / "a.bin", b"aaa")
    [described] = collect(["a.bin"], tmp_path)
    assert not described.changed_since()
    path.write_bytes(b"aaaa")
    assert described.changed_since()


def test_a_pattern_matching_nothing_is_an_error(tmp_path):
    write(tmp_path / "a.txt", b"a")
    with pytest.raises(UsageError, match=r"'dist/\*.zip' matches no file"):
        collect(["a.txt", "dist/*.zip"], tmp_path)


def test_directories_are_not_files(tmp_path):
    (tmp_path / "only-a-dir").mkdir()
    with pytest.raises(UsageError, match="matches no file"):
        collect(["only-a-dir"], tmp_path)


def local(name, size=1, md5="0" * 32):
    return LocalFile(name, files.Path(f"/tmp/{name}"), size, md5)


def test_preflight_accepts_a_normal_set():
    preflight([local("a.zip", 10), local("b.txt", 5)])


@pytest.mark.parametrize(
    ("file_set", "message"),
    [
        ([], "no files to publish"),
        ([local("a.txt", 0)], "the file is empty"),
        ([local("a.txt"), local("a.txt")], "two files would be named 'a.txt'"),
        ([local("x" * 256)], "longer than 255"),
        ([local(f"f{i}") for i in range(101)], "at most 100 per version"),
        ([local("big", 30 * 10**9), local("bigger", 21 * 10**9)], "at most 50.0 GB"),
    ],
)
def test_preflight_refuses_what_zenodo_would_reject(file_set, message):
    with pytest.raises(ActionError, match=message):
        preflight(file_set)


def test_preflight_reports_every_problem_at_once():
    with pytest.raises(ActionError) as raised:
        preflight([local("a", 0), local("b/c")])
    assert "empty" in str(raised.value) and "contains '/'" in str(raised.value)


def test_hashing_reader_hashes_what_it_sends(tmp_path):
    path = write(tmp_path / "data.bin", b"x" * 3_000_000)
    reader = HashingReader(path, 3_000_000)
    assert len(reader) == 3_000_000
    while reader.read(1 << 20):
        pass
    reader.close()
    assert reader.hexdigest() == hashlib.md5(b"x" * 3_000_000).hexdigest()


def test_human_sizes():
    assert files.human_size(999) == "999 B"
    assert files.human_size(1500) == "1.5 kB"
    assert files.human_size(50 * 10**9) == "50.0 GB"


def test_hashing_reader_hashes_blocks_in_order_whatever_their_sizes(tmp_path):
    data = bytes(range(256)) * 20_000  # 5 MB, no two blocks alike
    path = write(tmp_path / "data.bin", data)
    reader = HashingReader(path, len(data))
    sent = b"".join(iter(lambda: reader.read(777_777), b""))
    reader.close()
    assert sent == data
    assert reader.hexdigest() == hashlib.md5(data).hexdigest()


def test_hashing_reader_digest_covers_what_was_read_so_far(tmp_path):
    path = write(tmp_path / "data.bin", b"a" * 3_000_000)
    reader = HashingReader(path, 3_000_000)
    reader.read(1 << 20)
    assert reader.hexdigest() == hashlib.md5(b"a" * (1 << 20)).hexdigest()
    reader.close()
