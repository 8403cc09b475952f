"""Property-based fuzzing: random bytes, random YAML and mutations of a valid file never
crash the gate. Exit code is 0, 1 or 2 and stderr never shows a traceback.

`ZENODO_ACTION_DEBUG=1` makes the CLI re-raise unexpected exceptions instead of turning
them into "internal error" (exit 1), so a crash fails the test instead of hiding in it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenodo_action.cli import main
from zenodo_action.github.reporter import render_problems
from zenodo_action.metadata import load_config, render_json, render_text, summary_markdown, validate

VALID = (Path(__file__).parents[1] / "examples" / "software" / ".zenodo.yml").read_text()
VALID_DATA = yaml.safe_load(VALID)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["0000-0002-1825-0097", "2024-02-30", "10.5281/zenodo.1", "cc-zero", "::x"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
yaml_tokens = st.sampled_from(
    ["- ", ": ", "\n", "  ", "&a ", "*a ", "<<: ", "[", "]", "{", "}", ",", "'", '"', "#", "!!str ",
     "!!python/object ", "---\n", "? ", "|\n", ">-\n", "\t", "%YAML 1.1\n", "title", "creators"]
)  # fmt: skip
yaml_like_text = st.lists(st.one_of(yaml_tokens, st.text(max_size=8)), max_size=40).map("".join)


@pytest.fixture
def debug(monkeypatch):
    monkeypatch.setenv("ZENODO_ACTION_DEBUG", "1")
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)


def check_file(path: Path, capsys) -> None:
    config = load_config(path)
    problems = validate(config)
    for render in (render_text, summary_markdown):
        assert render(problems, path)
    assert json.loads(render_json({path: problems}))["file"] == str(path)
    for fmt in ("text", "json", "github"):
        code = main(["validate", "--config", str(path), "--format", fmt])
        out, err = capsys.readouterr()
        assert code in (0, 1, 2)
        assert "Traceback" not in err and "internal error" not in err
        if fmt == "json":
            assert json.loads(out)["valid"] is (code == 0)
    assert render_problems({str(path): problems})


@FUZZ
@given(content=st.binary(max_size=300))
def test_random_bytes(tmp_path, capsys, debug, content):
    path = tmp_path / ".zenodo.yml"
    path.write_bytes(content)
    check_file(path, capsys)


@FUZZ
@given(text=yaml_like_text)
def test_random_yaml_text(tmp_path, capsys, debug, text):
    path = tmp_path / ".zenodo.yml"
    path.write_text(text, encoding="utf-8")
    check_file(path, capsys)


@FUZZ
@given(data=json_values, suffix=st.sampled_from([".yml", ".json"]))
def test_random_documents(tmp_path, capsys, debug, data, suffix):
    path = tmp_path / f"metadata{suffix}"
    path.write_text(json.dumps(data) if suffix == ".json" else yaml.safe_dump(data))
    check_file(path, capsys)


@FUZZ
@given(key=st.sampled_from(sorted(VALID_DATA)), value=json_values, drop=st.booleans())
def test_mutated_fields_of_a_valid_file(tmp_path, capsys, debug, key, value, drop):
    data = dict(VALID_DATA)
    if drop:
        del data[key]
    else:
        data[key] = value
    path = tmp_path / ".zenodo.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    check_file(path, capsys)


@FUZZ
@given(
    start=st.integers(0, len(VALID)),
    length=st.integers(0, 40),
    insert=st.one_of(yaml_tokens, st.text(max_size=10)),
)
def test_mutated_text_of_a_valid_file(tmp_path, capsys, debug, start, length, insert):
    path = tmp_path / ".zenodo.yml"
    path.write_text(VALID[:start] + insert + VALID[start + length :], encoding="utf-8")
    check_file(path, capsys)


# --- the other sources: CITATION.cff and codemeta.json, alone and beside .zenodo.yml ----------

CITATION = (Path(__file__).parents[1] / "examples" / "citation-only" / "CITATION.cff").read_text()


def check_sources(capsys) -> None:
    """validate (every format) and convert over whatever the folder holds: no crash."""
    for argv in (["validate"], ["validate", "--format", "json"], ["convert"]):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1, 2)
        assert "Traceback" not in err and "internal error" not in err
        if "json" in argv and code != 2:
            assert json.loads(out)["valid"] is (code == 0)


@FUZZ
@given(
    start=st.integers(0, len(CITATION)),
    length=st.integers(0, 40),
    insert=st.one_of(yaml_tokens, st.text(max_size=10)),
    beside=st.booleans(),
)
def test_mutated_citation_cff(tmp_path, capsys, debug, monkeypatch, start, length, insert, beside):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "CITATION.cff").write_text(
        CITATION[:start] + insert + CITATION[start + length :], encoding="utf-8"
    )
    if beside:
        (tmp_path / ".zenodo.yml").write_text("communities: [{identifier: zenodo}]\n")
    check_sources(capsys)


@FUZZ
@given(data=json_values, name=st.sampled_from(["CITATION.cff", "codemeta.json"]))
def test_random_documents_as_other_sources(tmp_path, capsys, debug, monkeypatch, data, name):
    monkeypatch.chdir(tmp_path)
    text = json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data)
    (tmp_path / name).write_text(text, encoding="utf-8")
    check_sources(capsys)
