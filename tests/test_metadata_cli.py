"""`zenodo-action validate` and `zenodo-action schema`: formats, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zenodo_action import metadata
from zenodo_action.cli import main

ROOT = Path(__file__).parents[1]
SOFTWARE = ROOT / "examples" / "software" / ".zenodo.yml"
INVALID = ROOT / "examples" / "invalid" / ".zenodo.yml"
# a name not in "Family, Given" form, and no description (a notice: a release fills it)
WARNINGS_ONLY = (
    "title: Tide tools\nupload_type: software\nlicense: MIT\ncreators:\n  - name: Jane Doe\n"
    "  - name: John Roe\n"
)


@pytest.fixture(autouse=True)
def _outside_the_runner(monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_example(capsys):
    code, out, err = run(capsys, "--config", str(SOFTWARE))
    assert (code, out, err) == (0, f"{SOFTWARE}: valid, no problems\n", "")


def test_invalid_example_text(capsys):
    code, out, _ = run(capsys, "--config", str(INVALID))
    assert code == 1
    lines = out.splitlines()
    assert f"{INVALID}:12:1: error: funding: unknown key" in "\n".join(lines)
    assert lines[-1] == f"{INVALID}: invalid, 9 errors, 2 warnings, 1 notice"


def test_json_format(capsys):
    code, out, _ = run(capsys, "--config", str(INVALID), "--format", "json")
    document = json.loads(out)
    assert code == 1
    counts = (document["valid"], document["errors"], document["warnings"], document["notices"])
    assert counts == (False, 9, 2, 1)
    funding = next(p for p in document["problems"] if p["path"] == "funding")
    assert (funding["line"], funding["column"], funding["code"]) == (12, 1, "unknown-key")


def test_github_format_writes_summary(capsys, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ROOT))
    code, out, _ = run(capsys, "--config", str(INVALID), "--format", "github")
    assert code == 1
    assert (
        "::error file=examples/invalid/.zenodo.yml,line=12,col=1,title=Zenodo metadata%3A funding"
        in out
    )
    assert "| 12:1 | error | `funding` |" in summary.read_text()


def test_warnings_pass_unless_strict(capsys, tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text(WARNINGS_ONLY)
    code, out, _ = run(capsys, "--config", str(path))
    assert code == 0
    assert out.splitlines()[-1] == f"{path}: valid, 2 warnings, 1 notice"
    code, out, _ = run(capsys, "--config", str(path), "--strict")
    assert code == 1
    assert out.splitlines()[-1] == f"{path}: invalid, 2 errors, 1 notice"  # notices stay


def test_default_path_from_current_directory(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".zenodo.json").write_text(json.dumps({"title": "x"}))
    code, out, _ = run(capsys)
    assert code == 1
    assert ".zenodo.json:1:11: error: title: 'x' is too short" in out


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing.yml", "missing.yml: no such file"), (".", "is a directory")],
)
def test_usage_errors_exit_2(capsys, tmp_path, target, message):
    code, out, err = run(capsys, "--config", str(tmp_path / target))
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_no_config_anywhere(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys)
    assert code == 2
    assert "no metadata in the current directory: no .zenodo.yml or .zenodo.json" in err
    assert "CITATION.cff" in err and "codemeta.json" in err


def test_usage_error_is_annotated_in_github_format(capsys, tmp_path):
    code, out, _ = run(capsys, "--config", str(tmp_path / "nope.yml"), "--format", "github")
    assert code == 2
    assert out.startswith("::error title=Zenodo metadata::")


def test_bad_content_exits_1_not_2(capsys, tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_bytes(b"\xff\xfe\xfa garbage")
    code, out, err = run(capsys, "--config", str(path))
    assert code == 1
    assert "error: byte 0xff is not valid UTF-8" in out
    assert "Traceback" not in err


def test_text_inside_actions_is_fenced_against_commands(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = tmp_path / ".zenodo.yml"
    path.write_text(WARNINGS_ONLY + "language: '::add-mask::abc'\n")
    code, out, _ = run(capsys, "--config", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("::stop-commands::zenodo-action-")
    assert lines[-1] == f"::{lines[0].removeprefix('::stop-commands::')}::"
    assert any("'::add-mask::abc' is not valid" in line for line in lines[1:-1])


def test_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["validate", "--format", "xml"])
    assert raised.value.code == 2


def test_schema_prints_the_packaged_schema(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == metadata.schema()
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_real_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "zenodo_action", "validate", "--config", str(INVALID)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert f"{INVALID}:8:12: error: creators[0].orcid:" in result.stdout
    assert result.stderr == ""


# --- several sources, and convert ----------------------------------------------------------

CITATION = ROOT / "examples" / "citation-and-zenodo"


def test_validate_reads_every_source_in_the_directory(capsys, monkeypatch):
    monkeypatch.chdir(CITATION)
    code, out, _ = run(capsys)
    assert code == 0
    assert out.splitlines() == [
        "CITATION.cff: valid, no problems",
        ".zenodo.yml: valid, no problems",
    ]


def test_json_lists_every_file_and_each_problem_with_its_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "CITATION.cff").write_text((CITATION / "CITATION.cff").read_text())
    (tmp_path / ".zenodo.yml").write_text("communities: [{identifier: zenodo}]\nlicense: nope\n")
    code, out, _ = run(capsys, "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["files"] == ["CITATION.cff", ".zenodo.yml"]
    [problem] = document["problems"]
    assert (problem["file"], problem["path"], problem["line"]) == (".zenodo.yml", "license", 2)


def test_fields_a_release_fills_are_notices_unless_required(capsys, tmp_path):
    path = tmp_path / ".zenodo.json"
    path.write_text('{"description": "<p>x</p>", "license": "MIT"}')
    code, out, _ = run(capsys, "--config", str(path))
    assert code == 0 and out.splitlines()[-1] == f"{path}: valid, 3 notices"
    assert "notice: upload_type: not set: a release is published as software" in out
    code, out, _ = run(capsys, "--config", str(path), "--require-complete")
    assert code == 1 and out.splitlines()[-1] == f"{path}: invalid, 3 errors"


def test_many_warnings_of_one_kind_share_a_line(capsys, tmp_path):
    people = "".join(f"  - name: Person Number{chr(65 + i)}\n" for i in range(30))
    path = tmp_path / ".zenodo.yml"
    path.write_text(
        "title: Tides\nupload_type: software\ndescription: Tides.\nlicense: MIT\n"
        f"creators:\n{people}"
    )
    code, out, _ = run(capsys, "--config", str(path))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert "(also 29 more of this kind: line 7, line 8, line 9 and 26 more)" in lines[0]
    assert lines[1] == f"{path}: valid, 30 warnings"


def test_convert_prints_the_merged_record_with_each_fields_source(capsys, monkeypatch):
    import yaml

    monkeypatch.chdir(CITATION)
    assert main(["convert"]) == 0
    out = capsys.readouterr().out
    assert "# from CITATION.cff\ntitle: 'tidewatch: tide-gauge" in out
    assert "# from .zenodo.yml\ncommunities:" in out
    record = yaml.safe_load(out)
    assert record["creators"][0] == {
        "name": "Lovelace, Ada",
        "affiliation": "University of Example",
        "orcid": "0000-0002-1825-0097",
    }
    assert record["grants"] == [{"id": "10.13039/501100000780::283595"}]


def test_convert_to_json_is_a_zenodo_json_with_the_sources_on_stderr(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "CITATION.cff").write_text((CITATION / "CITATION.cff").read_text())
    assert main(["convert", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["title"].startswith("tidewatch")
    assert "title: from CITATION.cff" in err.splitlines()
    (tmp_path / "out.json").write_text(out)
    code, _, _ = run(capsys, "--config", str(tmp_path / "out.json"))
    assert code == 0  # what convert prints is a valid .zenodo.json


def test_convert_says_what_a_release_would_fill(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".zenodo.yml").write_text("description: Tides.\nlicense: MIT\n")
    assert main(["convert"]) == 0
    out = capsys.readouterr().out
    assert "# not set by any file; on a release:" in out
    assert "#   creators: a release lists the repository's contributors" in out
