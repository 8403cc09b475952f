"""Every output path, under hostile text: any str is written, and none becomes a command.

Item 4: any Python str, even a lone surrogate no encoding can hold, passes every path
(stdout and stderr, text and JSON, annotations, GITHUB_OUTPUT, the job summary, the log).
Item 11: under the Actions runner (a `run:` step, GITHUB_ACTIONS=true), no line the
command line prints can be read as a workflow command, whatever a file name or a server
reply holds.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

import pytest

from tests import container_harness as harness
from tests.builders import deposition, local
from tests.fakes import legacy_metadata as fake_module
from zenodo_action import logs
from zenodo_action.cli import main
from zenodo_action.github import commands
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.reporter import GitHubReporter
from zenodo_action.metadata import Problem
from zenodo_action.secrets import RedactingStream, register, writable
from zenodo_action.zenodo.deposit import Outcome
from zenodo_action.zenodo.plan import Plan, PublishRequest
from zenodo_action.zenodo.results import result_of

SURROGATE = "\udc80"  # what a file name byte 0x80 decodes to (os.fsdecode)
ESCAPED = "\\udc80"
CONFIG = """\
title: Frobnicator
upload_type: software
description: <p>Frobnicates widgets.</p>
creators:
  - name: Doe, Jane
license: MIT
"""
# A problem whose message holds no hostile text, so only the file's name carries it.
WITH_A_PROBLEM = CONFIG + "language: xx-invalid\n"


def strict_stream() -> io.TextIOWrapper:
    """A UTF-8 stream that refuses what UTF-8 cannot hold, as sys.stdout does."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="")


def written(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")  # strict: the bytes are valid UTF-8


def runner_commands(text: str) -> list[str]:
    """The lines the runner would act on (github-actions.md §2.3): a line starting with `::` once
    trimmed, or holding `##[` anywhere; nothing between `::stop-commands::T` and `::T::`."""
    found: list[str] = []
    stop: str | None = None
    for line in (raw.lstrip() for raw in text.splitlines()):
        if stop is not None:
            stop = None if line == f"::{stop}::" else stop
        elif line.startswith("::stop-commands::"):
            stop = line.removeprefix("::stop-commands::")
        elif line.startswith("::") or "##[" in line:
            found.append(line)
    assert stop is None, "a stop-commands block was left open"
    return found


@pytest.fixture(autouse=True)
def _outside_the_runner(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


# --- any str passes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("plain", "utf-8", "plain"),
        ("Müller ✓", "utf-8", "Müller ✓"),
        (f"a{SURROGATE}b", "utf-8", f"a{ESCAPED}b"),
        ("\ud800", "utf-8", "\\ud800"),  # a surrogate surrogateescape cannot write either
        ("Müller €", "latin-1", "Müller \\u20ac"),
    ],
)
def test_writable_escapes_only_what_the_encoding_cannot_hold(text, encoding, expected):
    assert writable(text, encoding) == expected
    assert writable(expected, encoding) == expected  # twice is once


def test_the_guarded_streams_write_a_lone_surrogate_as_its_escape():
    register("tok-1234567890")
    inner = strict_stream()
    stream = RedactingStream(inner)
    print(f"name {SURROGATE} tok-1234567890", file=stream)
    assert written(inner) == f"name {ESCAPED} ***\n"


def test_annotations_outputs_and_the_summary_take_a_lone_surrogate(tmp_path, monkeypatch):
    stdout = strict_stream()
    monkeypatch.setattr("sys.stdout", stdout)
    (tmp_path / "output").touch()
    files = RunnerFiles(tmp_path, str(tmp_path / "output"), str(tmp_path / "summary.md"))
    name = f"a{SURROGATE}.zip"
    request = PublishRequest(metadata={"version": "1.1"}, files=(local(name, "abc", 2),))
    plan = Plan("new-concept", None, None, None, None)
    files_read = [{"id": "f", "filename": name, "filesize": 2, "checksum": "abc"}]
    done = Outcome("published", deposition(files=files_read))
    result = result_of("https://zenodo.org", request, plan, done)
    reporter = GitHubReporter(files)
    reporter.result(result, {"title": f"T{SURROGATE}", "creators": [{"name": "Doe, J"}]}, {})
    reporter.output("note", f"x{SURROGATE}\ny")
    reporter.note("warning", f"odd {SURROGATE}", title=f"t{SURROGATE}")

    out = written(stdout)
    assert f"::warning title=t{ESCAPED}::odd {ESCAPED}" in out.splitlines()
    outputs = harness.parse_env_file(Path(files.output).read_text(encoding="utf-8"))
    assert outputs["note"] == f"x{ESCAPED}\ny"
    summary = Path(files.summary).read_text(encoding="utf-8")
    assert f"T{ESCAPED}" in summary and f"a{ESCAPED}.zip" in summary


def test_the_log_takes_a_lone_surrogate_without_a_logging_error(monkeypatch):
    stream = strict_stream()
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)  # where logging reports its own failures
    logs.setup(stream=stream)
    logging.getLogger("zenodo_action.files").info("uploading %s", f"a{SURROGATE}.zip")
    assert written(stream) == f"uploading a{ESCAPED}.zip\n"
    assert stderr.getvalue() == ""


def test_add_mask_escapes_the_value_as_the_log_will_print_it(monkeypatch):
    stream = strict_stream()
    monkeypatch.setattr("sys.__stdout__", stream)
    commands.add_mask(f"sec{SURROGATE}ret")
    assert written(stream) == f"::add-mask::sec{ESCAPED}ret\n"


@pytest.fixture
def odd_directory(tmp_path, monkeypatch) -> Path:
    """A checkout whose folder name is not UTF-8, holding an invalid .zenodo.yml."""
    folder = tmp_path / os.fsdecode(b"d\x80")
    folder.mkdir()
    (folder / ".zenodo.yml").write_text(WITH_A_PROBLEM)
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_validate_prints_a_file_name_that_is_not_utf8(
    odd_directory, output, capsysbinary, monkeypatch, tmp_path
):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    config = f"{odd_directory.name}/.zenodo.yml"
    code = main(["validate", "--config", config, "--format", output])
    captured = capsysbinary.readouterr()
    out, err = captured.out.decode("utf-8"), captured.err.decode("utf-8")  # strict
    assert code == 1 and "internal error" not in out + err, err
    if output == "json":
        assert json.loads(out)["file"] == config  # the escape is the JSON escape
    else:
        assert f"d{ESCAPED}/.zenodo.yml: invalid, 1 error" in out
    if output == "github":
        assert f"d{ESCAPED}/.zenodo.yml: invalid" in summary.read_text(encoding="utf-8")


# --- nothing the CLI prints under the runner is a command ----------------------------------

HOSTILE_NAMES = ["::error::x", "##[error]x", "::add-mask::x", "::stop-commands::x"]


@pytest.fixture
def in_a_run_step(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("output", ["text", "json"])
def test_validate_under_the_runner_prints_no_command(in_a_run_step, capsys, name, output):
    (in_a_run_step / name).mkdir()
    (in_a_run_step / name / ".zenodo.yml").write_text(WITH_A_PROBLEM)
    code = main(["validate", "--config", f"{name}/.zenodo.yml", "--format", output])
    out, err = capsys.readouterr()
    assert code == 1
    assert runner_commands(out) == [] and runner_commands(err) == []
    if output == "json":
        document = json.loads(out)  # still JSON, with the same values
        assert document["file"] == f"{name}/.zenodo.yml"
        assert document["problems"][0]["file"] == f"{name}/.zenodo.yml"
    else:
        assert f"{name}/.zenodo.yml: invalid, 1 error" in out


def test_validate_errors_under_the_runner_print_no_command(in_a_run_step, capsys):
    code = main(["validate", "--config", "x\n::error::missing/.zenodo.yml"])
    out, err = capsys.readouterr()
    assert code == 2 and "\n::error::missing/.zenodo.yml" in err
    assert runner_commands(out + err) == []


@pytest.mark.parametrize("output", ["yaml", "json"])
def test_convert_under_the_runner_prints_no_command(in_a_run_step, capsys, output):
    hostile = "Frobs.\n::error::pwned\n##[error]pwned too"
    Path(".zenodo.yml").write_text(CONFIG + f"notes: {json.dumps(hostile)}\n")
    code = main(["convert", "--format", output])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert runner_commands(out) == [] and runner_commands(err) == []
    if output == "json":
        assert json.loads(out)["notes"] == hostile
    else:
        assert "  ::error::pwned" in out.splitlines()


def test_outside_the_runner_text_is_printed_as_is(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "##[error]x").mkdir()
    (tmp_path / "##[error]x" / ".zenodo.yml").write_text(WITH_A_PROBLEM)
    main(["validate", "--config", "##[error]x/.zenodo.yml", "--format", "json"])
    assert '"file": "##[error]x/.zenodo.yml"' in capsys.readouterr().out


@pytest.fixture
def publishing(in_a_run_step, monkeypatch, fake_zenodo, fast_retries):
    monkeypatch.setenv("ZENODO_TOKEN", fake_zenodo.token)
    (in_a_run_step / ".zenodo.yml").write_text(CONFIG)
    (in_a_run_step / "dist").mkdir()
    return fake_zenodo


HOSTILE_FILES = ["::error::x.zip", "##[error]x.zip", "x\n::error::pwned.zip"]


@pytest.mark.parametrize("name", HOSTILE_FILES)
@pytest.mark.parametrize("as_json", [False, True])
def test_publish_under_the_runner_prints_no_command(
    publishing, capsys, name, as_json, fast_retries
):
    (Path("dist") / name).write_bytes(b"data")
    argv = ["publish", "--zenodo-url", publishing.url, "--files", "dist/*"]
    code = main(argv + (["--json"] if as_json else []), client_factory=fast_retries)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert runner_commands(out) == [] and runner_commands(err) == []
    assert f"uploading {name}" in err  # the log names it, fenced
    if as_json:
        assert [f["name"] for f in json.loads(out)["files"]] == [name]
    else:
        assert out.startswith("::stop-commands::") or out.startswith("published ")


def test_a_server_message_under_the_runner_prints_no_command(
    publishing, capsys, monkeypatch, fast_retries
):
    hostile = "refused\n::error::pwned\n##[error]pwned too"
    monkeypatch.setattr(fake_module, "_shape_errors", lambda md: [("metadata.title", hostile)])
    (Path("dist") / "a.zip").write_bytes(b"data")
    argv = ["publish", "--zenodo-url", publishing.url, "--files", "dist/*"]
    code = main(argv, client_factory=fast_retries)
    out, err = capsys.readouterr()
    assert code == 1 and "::error::pwned" in err and "##[error]pwned too" in err
    assert runner_commands(out) == [] and runner_commands(err) == []


def test_invalid_metadata_under_the_runner_prints_no_command(publishing, capsys, fast_retries):
    Path(".zenodo.yml").write_text(CONFIG + "language: '::error::x ##[error]y'\n")
    (Path("dist") / "a.zip").write_bytes(b"data")
    argv = ["publish", "--zenodo-url", publishing.url, "--files", "dist/*"]
    code = main(argv, client_factory=fast_retries)
    out, err = capsys.readouterr()
    assert code == 1 and "'::error::x ##[error]y' is not valid" in err
    assert runner_commands(out) == [] and runner_commands(err) == []
    assert publishing.requests == []


# --- each problem once, no hint to look for what was just shown ----------------------------


def test_the_cli_publish_shows_each_problem_once_and_no_hint_to_validate(
    publishing, capsys, fast_retries
):
    Path(".zenodo.yml").write_text(CONFIG.replace("upload_type: software", "upload_type: sofware"))
    (Path("dist") / "a.zip").write_bytes(b"data")
    argv = ["publish", "--zenodo-url", publishing.url, "--files", "dist/*"]
    code = main(argv, client_factory=fast_retries)
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("upload_type: 'sofware'") == 1
    # `auto` asked the loopback address which API it serves: Zenodo's (a read, no write)
    assert err.splitlines()[-1] == (
        "error: the metadata has 1 error in .zenodo.yml (it is listed with its line); "
        "nothing was sent to Zenodo"
    )
    assert "for details" not in err


def test_the_action_annotates_each_problem_once_then_the_error(tmp_path, capsys):
    from zenodo_action.publish import InvalidMetadata

    found = {tmp_path / ".zenodo.yml": [Problem("error", "upload_type", "'sofware' is not", 2, 14)]}
    reporter = GitHubReporter(RunnerFiles(tmp_path))
    reporter.problems(found)
    reporter.error(InvalidMetadata(1, [tmp_path / ".zenodo.yml"], tmp_path))
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "::error file=.zenodo.yml,line=2,col=14,title=Zenodo metadata%3A upload_type"
        "::'sofware' is not",
        ".zenodo.yml: invalid, 1 error",
        "::error title=zenodo-action::the metadata has 1 error in .zenodo.yml (it is listed "
        "with its line); nothing was sent to Zenodo",
    ]


@pytest.mark.parametrize("value", ["x\n::error::pwned", "##[error]pwned"])
def test_a_usage_error_under_the_runner_prints_no_command(monkeypatch, capsys, value):
    # argparse repeats the value it refuses; under the runner that line is fenced too.
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with pytest.raises(SystemExit) as ended:
        main(["validate", "--format", value])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and runner_commands(err) == []
