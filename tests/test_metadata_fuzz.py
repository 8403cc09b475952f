"""Property-based fuzzing: random bytes, random YAML and mutations of a valid file never
crash the gate. Exit code is 0, 1 or 2 and stderr never shows a traceback.

`ZENODO_ACTION_DEBUG=1` makes the CLI re-raise unexpected exceptions instead of turning
them into "internal error" (exit 1), so a crash fails the test instead of hiding in it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenodo_action.cli import main
from zenodo_action.errors import UsageError
from zenodo_action.github.reporter import render_problems
from zenodo_action.metadata import record as metadata_record
from zenodo_action.metadata import render_json, render_text, summary_markdown
from zenodo_action.metadata import schema as zenodo_schema
from zenodo_action.metadata.loader import load_config
from zenodo_action.metadata.validate import validate

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


# --- schema-shaped documents: the real keys, right and wrong value shapes (issue 12) ------
#
# Documents are drawn from the packaged schema, each value either of its schema's shape or
# of a wrong one, with raw YAML/JSON spliced in where text goes (tags with odd values,
# NaN, escapes beyond Unicode, lone surrogates, 5000-digit integers). The gate must never
# crash, must put every problem on a line, and must refuse what cannot be sent.


SCHEMA = zenodo_schema()
# (YAML, JSON, poisoned): what replaces a marker, and whether the gate must call it an error.
RAW = [
    (".nan", "NaN", True),
    ("-.inf", "-Infinity", True),
    ("!!float 1.0e+400", "1e400", True),
    ("!!bool", "9" * 5000, True),
    ("!!bool maybe", '"\\udc80"', True),
    ("!!int", '"x \\ud800"', True),
    ("!!int x", "Infinity", True),
    ("!!float", "NaN", True),
    ("!!int " + "1" * 5000, "-1e999", True),
    ("!!binary '%%%'", "NaN", True),
    ("!foo bar", "Infinity", True),
    ('"\\U00110000"', '"\\udfff"', True),
    ('"a \\udc80 b"', "NaN", True),
    ("!!timestamp 2024-13-45", "1e5", False),
    ("!!str", '"\\ud83c\\udf0a"', False),
    ("!!null x", "-0", False),
]
MARKER = "zzraw{}zz"

odd_texts = st.sampled_from(
    ["", " ", "yes", "no", "null", "~", "2024-02-30", "2024-13", "0x1F", "1e5", "::error::x",
     "a\nb", "NaN", ".inf", "10.5281/zenodo.1", "0000-0002-1825-0097", "MIT License", "cc-zero",
     "isOrignialFormOf", "EMBARGOED", "zenodo-action maintainers", "Doe, Jane", "x" * 300]
)  # fmt: skip
any_text = st.text(st.characters(codec=None), max_size=12)  # lone surrogates included
raws = st.integers(0, len(RAW) - 1).map(MARKER.format)
junk_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), odd_texts, any_text, raws
)
junk = st.recursive(
    junk_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)


def _resolved(node: dict) -> dict:
    ref = node.get("$ref")
    return SCHEMA["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def shaped(node: dict, depth: int = 0) -> st.SearchStrategy:
    """A value of `node`'s shape (any schema type it allows), or now and then a wrong one."""
    node = _resolved(node)
    types = node.get("type", "object")
    types = [types] if isinstance(types, str) else types
    options = []
    for kind in types:
        if kind == "string":
            options.append(st.sampled_from(node["enum"]) if "enum" in node else odd_texts | raws)
        elif kind in ("number", "integer"):
            options.append(st.integers(-200, 200) | st.floats() | raws)
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "null":
            options.append(st.none())
        elif kind == "array" and depth < 3:
            options.append(st.lists(shaped(node.get("items", {}), depth + 1), max_size=3))
        elif kind == "object" and depth < 3:
            props = node.get("properties", {})
            fields = {key: shaped(value, depth + 1) for key, value in props.items()}
            free = st.dictionaries(any_text, junk, max_size=3)  # `custom`: any keys
            options.append(st.fixed_dictionaries({}, optional=fields) if fields else free)
    right = st.one_of(options) if options else junk
    return st.one_of(right, right, right, junk)


documents = st.fixed_dictionaries(
    {}, optional={key: shaped(value) for key, value in SCHEMA["properties"].items()}
) | st.dictionaries(any_text | st.sampled_from(sorted(SCHEMA["properties"])), junk, max_size=4)


def serialised(data: dict, suffix: str) -> tuple[str, bool]:
    """The document as text with its markers replaced; whether a poisoned value went in."""
    if suffix == ".json":
        text = json.dumps(data)  # ASCII: lone surrogates travel as \u escapes
        pattern, column = r'"zzraw(\d+)zz"', 1
    else:
        text = yaml.safe_dump(data, sort_keys=False, width=10_000)
        pattern, column = r"zzraw(\d+)zz", 0
    used = [int(index) for index in re.findall(pattern, text)]
    text = re.sub(pattern, lambda m: RAW[int(m.group(1))][column], text)
    return text, any(RAW[index][2] for index in used)


def gate(path: Path) -> dict[Path, list]:
    """What `validate` runs (validate.run): find, load, merge, judge."""
    found = metadata_record.find(metadata_record.MetadataPaths(zenodo=str(path)), path.parent)
    record = metadata_record.Record.merge(metadata_record.load(found))
    return metadata_record.problems_by_file(record, metadata_record.Context("gate"))


SCHEMA_FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,  # the same documents on every run: CI stays reproducible and cheap
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SCHEMA_FUZZ
@given(data=documents, suffix=st.sampled_from([".yml", ".json"]))
def test_schema_shaped_documents(tmp_path, data, suffix):
    text, poisoned = serialised(data, suffix)
    path = tmp_path / f"metadata{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        found = gate(path)
    except UsageError:  # the CLI's exit 2; nothing in a file's content should cause one
        raise AssertionError(f"a usage error for this content:\n{text}") from None
    problems = found[path]
    for problem in problems:
        assert problem.line is not None, problem
        problem.message.encode("utf-8")  # printable, whatever the file held
    assert render_text(problems, path).encode("utf-8")
    json.loads(render_json(found))
    if poisoned:
        assert any(p.severity == "error" for p in problems), text
