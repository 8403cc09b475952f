"""Local files: globs, hashing, and the limits checked before anything is sent."""

import hashlib
import time
from pathlib import Path

import pytest

from zenodo_action import files
from zenodo_action.cli import main
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.files import HashingReader, LocalFile, collect, preflight
from zenodo_action.naming import COMMAND_LINE, RUNNER

CONFIG = b"""\
title: Frobnicator
upload_type: software
description: <p>Frobnicates widgets.</p>
creators:
  - name: Doe, Jane
license: MIT
"""


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


ZENODOS_LIMITS = {
    "an empty file": [local("empty.txt", 0), local("a.zip")],
    "101 files": [local(f"f{i}") for i in range(101)],
    "51 GB": [local("big", 30 * 10**9), local("bigger", 21 * 10**9)],
}


@pytest.mark.parametrize("shape", list(ZENODOS_LIMITS))
def test_preflight_leaves_another_instances_limits_to_it(shape):
    """Another InvenioRDM's limits are its own configuration, not Zenodo's
    (docs/reference/invenio-records-api.md §5.9): nothing it may take is refused here."""
    preflight(ZENODOS_LIMITS[shape], instance="data.example.org")
    with pytest.raises(ActionError, match="Zenodo"):
        preflight(ZENODOS_LIMITS[shape], instance="Zenodo")


def test_preflight_names_the_instance_it_checks_for():
    with pytest.raises(ActionError) as raised:
        preflight([local("a.txt"), local("a.txt")], instance="data.example.org")
    assert "two files would be named 'a.txt' on data.example.org" in str(raised.value)
    with pytest.raises(ActionError) as raised:
        preflight([], instance="data.example.org")
    assert "no files to publish" in str(raised.value) and "Zenodo" not in str(raised.value)


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


# --- what `files` may publish: the root's regular files, never .git/, no loops ----------


def refusal(patterns, root, **options) -> str:
    """The one-line (or listed) refusal of `patterns`, as the user reads it."""
    with pytest.raises(UsageError) as raised:
        collect(patterns, root, **options)
    return str(raised.value)


@pytest.fixture
def outside(tmp_path):
    """A workspace, and beside it a directory with a file it must not publish."""
    write(tmp_path / "elsewhere" / "secret.txt", b"not for Zenodo")
    write(tmp_path / "elsewhere" / "deep" / "more.csv", b"1,2\n")
    root = tmp_path / "ws"
    write(root / "dist" / "tool.zip", b"zip")
    return root


def test_a_pattern_climbing_out_of_the_root_is_refused(outside):
    message = refusal(["dist/*", "../elsewhere/secret.txt"], outside)
    assert message.startswith(
        f"files: the pattern '../elsewhere/secret.txt' points outside {outside}"
    )
    assert "--allow-outside-root" in message  # the hint says how to mean it


def test_an_absolute_pattern_outside_the_root_is_refused_inside_it_is_fine(outside):
    elsewhere = str(outside.parent / "elsewhere" / "secret.txt")
    assert f"the pattern {elsewhere!r} points outside" in refusal([elsewhere], outside)
    [inside] = collect([str(outside / "dist" / "*")], outside)  # `$PWD/dist/*` from a shell
    assert inside.name == "tool.zip"


def test_a_file_symlink_leaving_the_root_is_refused_naming_pattern_link_and_target(outside):
    (outside / "dist" / "notes.txt").symlink_to(outside.parent / "elsewhere" / "secret.txt")
    message = refusal(["dist/*"], outside)
    target = outside.parent / "elsewhere" / "secret.txt"
    assert message.splitlines()[0] == (
        f"files: the pattern 'dist/*' matched dist/notes.txt -> {target}, outside {outside}"
    )


def test_a_directory_symlink_leaving_the_root_is_not_walked_by_double_star(outside):
    write(outside / "data" / "a.csv", b"a\n")
    (outside / "data" / "raw").symlink_to(outside.parent / "elsewhere", target_is_directory=True)
    message = refusal(["data/**/*.csv"], outside)
    assert f"'data/**/*.csv' reaches data/raw -> {outside.parent / 'elsewhere'}, outside" in message
    assert "more.csv" not in message  # refused at the link: nothing below it was looked at


def test_a_symlink_loop_under_double_star_ends_at_once_with_a_short_notice(tmp_path, caplog):
    write(tmp_path / "data" / "a.csv", b"a\n")
    write(tmp_path / "data" / "sub" / "b.csv", b"b\n")
    (tmp_path / "data" / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "data" / "self").symlink_to(".", target_is_directory=True)
    caplog.set_level("INFO", logger="zenodo_action")
    started = time.monotonic()
    found = collect(["data/**/*.csv"], tmp_path)
    assert time.monotonic() - started < 1  # glob walked the loop 40 levels deep
    assert [f.path for f in found] == [tmp_path / "data" / "a.csv", tmp_path / "data/sub/b.csv"]
    notices = [r.getMessage() for r in caplog.records]
    assert len(notices) == 2 and all(len(n) < 200 for n in notices)
    assert "does not follow data/sub/loop -> data: a directory it has walked already" in (
        "\n".join(notices)
    )


def test_a_loop_of_links_alone_is_still_a_pattern_matching_no_file(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a").symlink_to("b")
    (tmp_path / "data" / "b").symlink_to("a")  # a -> b -> a: neither a file nor a directory
    (tmp_path / "data" / "up").symlink_to("..", target_is_directory=True)
    message = refusal(["data/**"], tmp_path)
    assert message == f"files: the pattern 'data/**' matches no file under {tmp_path}"


def git_checkout(root):
    write(root / ".git" / "config", b'[http]\n\textraheader = "AUTHORIZATION: basic c2VjcmV0"\n')
    write(root / "dist" / "tool.zip", b"zip")
    return root


def test_a_symlink_to_git_config_is_never_published(tmp_path):
    root = git_checkout(tmp_path)
    (root / "dist" / "settings.ini").symlink_to(root / ".git" / "config")
    message = refusal(["dist/*"], root)
    assert message == (
        "files: the pattern 'dist/*' matched dist/settings.ini -> .git/config: "
        "nothing in .git/ is published (it holds credentials)"
    )


@pytest.mark.parametrize("pattern", [".git/config", ".*/config", "**/.git/*", ".git/**"])
def test_git_named_by_a_pattern_is_refused(tmp_path, pattern):
    root = git_checkout(tmp_path)
    assert "nothing in .git/ is published" in refusal([pattern], root)


def test_double_star_never_enters_git_even_through_a_link_or_a_submodule(tmp_path):
    root = git_checkout(tmp_path)
    write(root / "vendor" / "lib" / ".git" / "config", b"[core]\n")
    assert "matches no file" in refusal(["**/config"], root)  # dot-directories: not walked
    (root / "gitdir").symlink_to(".git", target_is_directory=True)
    assert "'**/config' reaches gitdir -> .git: nothing in .git/" in refusal(["**/config"], root)
    assert "vendor/lib/.git: nothing in .git/" in refusal(["vendor/lib/.git/config"], root)


def test_a_relative_root_and_a_root_inside_a_git_directory_are_no_reason_to_refuse(
    tmp_path, monkeypatch
):
    root = write(tmp_path / ".git" / "worktree" / "dist" / "a.zip", b"a").parents[1]
    monkeypatch.chdir(root)
    assert [f.name for f in collect(["dist/*"], files.Path("."))] == ["a.zip"]
    assert f"'../x' points outside {root}" in refusal(["../x"], files.Path("."))


def test_symlinks_that_stay_inside_the_root_are_published_under_their_own_names(tmp_path):
    write(tmp_path / "build" / "tool-1.0.zip", b"zip")
    write(tmp_path / "build" / "docs" / "manual.pdf", b"pdf")
    write(tmp_path / "dist" / "README.txt", b"read me")
    (tmp_path / "dist" / "tool.zip").symlink_to("../build/tool-1.0.zip")
    (tmp_path / "dist" / "docs").symlink_to("../build/docs", target_is_directory=True)
    found = collect(["dist/**"], tmp_path)
    assert [f.name for f in found] == ["README.txt", "manual.pdf", "tool.zip"]
    assert found[2].size == 3


def test_allow_outside_publishes_outside_paths_but_never_git_and_never_loops(outside):
    elsewhere = outside.parent / "elsewhere"
    (elsewhere / "deep" / "back").symlink_to(elsewhere, target_is_directory=True)
    found = collect(["../elsewhere/**"], outside, allow_outside=True)
    assert [f.name for f in found] == ["more.csv", "secret.txt"]
    write(elsewhere / ".git" / "config", b"[core]\n")
    message = refusal([str(elsewhere / ".git" / "config")], outside, allow_outside=True)
    assert "nothing in .git/ is published" in message


def test_every_refusal_is_told_at_once_one_line_each_and_never_too_many(outside):
    for n in range(15):
        (outside / "dist" / f"link{n:02}").symlink_to(outside.parent / "elsewhere" / "secret.txt")
    lines = refusal(["dist/*", "../x", "nothing/*"], outside).splitlines()
    assert lines[0] == "files: cannot publish what these patterns name:"
    assert lines[1].startswith("  the pattern 'dist/*' matched dist/link00 -> ")
    assert lines[11] == "  ... and 7 more"  # 15 links, `../x` and `nothing/*`: 17 problems
    hint = lines[12]
    assert RUNNER.spell(hint) == "hint: copy the files into the workspace in an earlier step"
    assert "--allow-outside-root" in COMMAND_LINE.spell(hint)


# --- the command line: refused before any request, or allowed with the flag --------------


@pytest.fixture
def cli_project(tmp_path, monkeypatch, fake_zenodo, fast_retries):
    root = tmp_path / "project"
    write(root / ".zenodo.yml", CONFIG)
    write(root / "dist" / "tool.zip", b"zip")
    write(tmp_path / "elsewhere" / "data.csv", b"1,2\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    return fake_zenodo


def test_the_cli_refuses_an_outside_file_before_any_request(cli_project, capsys, fast_retries):
    (Path("dist") / "data.csv").symlink_to("../../elsewhere/data.csv")
    argv = ["publish", "--zenodo-url", cli_project.url, "--files", "dist/*"]
    code = main(argv, client_factory=fast_retries)
    err = capsys.readouterr().err
    assert code == 2
    assert "'dist/*' matched dist/data.csv -> " in err and "outside" in err
    assert "Traceback" not in err and "internal error" not in err
    assert cli_project.requests == []


def test_the_cli_flag_allows_an_outside_file_on_purpose(cli_project, fast_retries):
    args = ["publish", "--zenodo-url", cli_project.url, "--version", "1.0"]
    args += ["--files", "dist/*", "../elsewhere/*.csv", "--allow-outside-root"]
    code = main(args, client_factory=fast_retries)
    assert code == 0
    [concept] = cli_project.concept_ids()
    [version] = cli_project.published_versions(concept)
    assert set(version["files"]) == {"tool.zip", "data.csv"}
