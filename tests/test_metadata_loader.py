"""Loading: positions of every value, finding the file, and hostile or broken input."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from zenodo_action.errors import UsageError
from zenodo_action.metadata import loader as loader_module
from zenodo_action.metadata.loader import load_config
from zenodo_action.metadata.paths import path_from_zenodo_field

SOFTWARE = Path(__file__).parents[1] / "examples" / "software"


def load_text(tmp_path, text: str, name: str = ".zenodo.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def codes(config) -> list[str]:
    return [problem.code for problem in config.problems]


# --- positions ---------------------------------------------------------------------------


def test_positions_of_scalars_items_and_keys(tmp_path):
    config = load_text(
        tmp_path,
        "title: Tides\ncreators:\n  - name: Doe, Jane\n    orcid: 0000-0002-1825-0097\n"
        "  - {name: 'Roe, Rick'}\n",
    )
    assert config.position("title") == (1, 8)
    assert config.position("creators") == (2, 1)  # a block list: the key's line
    assert config.position("creators[0]") == (3, 5)
    assert config.position("creators[0].orcid") == (4, 12)
    assert config.key_position("creators[0].orcid") == (4, 5)
    assert config.position("creators[1].name") == (5, 12)


def test_position_falls_back_to_nearest_ancestor(tmp_path):
    config = load_text(tmp_path, "title: Tides\ncreators:\n  - name: Doe, Jane\n")
    assert config.position("creators[0].orcid") == (3, 5)
    assert config.position("creators[7].name") == (2, 1)
    assert config.position("grants[0].id") == (1, 1)  # the document itself


def test_position_of_empty_value_is_its_key(tmp_path):
    config = load_text(tmp_path, "title: Tides\ndescription:\nversion: '1'\n")
    assert config.data["description"] is None
    assert config.position("description") == (2, 1)


def test_positions_for_odd_key_names(tmp_path):
    config = load_text(tmp_path, 'custom:\n  "dwc:genus": [Felis]\n')
    assert config.position('custom["dwc:genus"]') == (2, 3)  # a list: the key's place
    assert config.position('custom["dwc:genus"][0]') == (2, 17)


def test_positions_in_json(tmp_path):
    config = load_text(
        tmp_path, '{\n  "title": "Tides",\n  "creators": [{"name": "D"}]\n}\n', ".json"
    )
    assert config.position("title") == (2, 12)
    assert config.position("creators[0].name") == (3, 25)


def test_zenodo_server_fields_map_to_file_lines(tmp_path):
    config = load_text(tmp_path, "title: Tides\ncreators:\n  - name: Doe\nlicense: mit\n")
    assert path_from_zenodo_field("metadata.creators.0.name") == "creators[0].name"
    # the record schema's fields for what the file calls otherwise (zenodo-deposit-rules.md §4)
    rdm = {
        "metadata.creators.1.person_or_org.identifiers.0.identifier": "creators[1].orcid",
        "metadata.creators.1.person_or_org.family_name": "creators[1].name",
        "metadata.subjects.2.subjects": "keywords[2]",
        "metadata.related_identifiers.scheme": "related_identifiers",
        "metadata.additional_descriptions.0.description": "notes",
        "metadata.additional_descriptions.1.description": "method",
    }
    assert {field: path_from_zenodo_field(field) for field in rdm} == rdm
    assert config.position(path_from_zenodo_field("metadata.creators.0.name")) == (3, 11)
    field = "metadata.creators.0.person_or_org.family_name"
    assert path_from_zenodo_field(field) == "creators[0].name"
    assert path_from_zenodo_field("metadata.rights.0.id") == "license[0].id"
    assert config.position(path_from_zenodo_field("metadata.rights.0.id")) == (4, 10)
    assert path_from_zenodo_field("metadata.resource_type") == "upload_type"
    assert path_from_zenodo_field("access.embargo.until") == "embargo_date"
    assert path_from_zenodo_field("pids.doi") == "doi"
    assert path_from_zenodo_field("files.enabled") == ""
    assert path_from_zenodo_field("_schema") == ""
    assert path_from_zenodo_field("metadata.related_identifiers.2.relation_type.id") == (
        "related_identifiers[2].relation"
    )


# --- what YAML would otherwise change silently ---------------------------------------------


def test_dates_and_yes_no_keys_stay_as_written(tmp_path):
    config = load_text(tmp_path, "publication_date: 2024-05-01\non: 1\nyes: [2020-01-01]\n")
    assert config.data == {"publication_date": "2024-05-01", "on": 1, "yes": ["2020-01-01"]}


def test_duplicate_key_reported_at_second_occurrence_and_last_wins(tmp_path):
    config = load_text(tmp_path, "title: First\nversion: '1'\ntitle: Second\n")
    assert config.data["title"] == "Second"
    (problem,) = config.problems
    assert (problem.code, problem.path, problem.line, problem.column) == (
        "duplicate-key",
        "title",
        3,
        1,
    )
    assert "first on line 1" in problem.message


def test_merge_keys_explicit_values_win(tmp_path):
    config = load_text(tmp_path, "base: &b {a: 1, b: 2}\nitem:\n  <<: *b\n  b: 3\n")
    assert config.data["item"] == {"a": 1, "b": 3}
    assert config.position("item.b") == (4, 6)


# --- hostile and broken files: a clear problem, never an exception ---------------------------


def test_billion_laughs_is_refused_not_expanded(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 9)}]")
    config = load_text(tmp_path, "\n".join(lines) + "\n")
    assert config.data is None
    assert codes(config) == ["too-many-values"]


def test_recursive_alias(tmp_path):
    config = load_text(tmp_path, "title: &t [x, *t]\n")
    assert codes(config) == ["recursive-alias"]
    assert config.problems[0].line == 1


def test_deep_nesting(tmp_path):
    config = load_text(tmp_path, "title: " + "[" * 5000 + "]" * 5000 + "\n")
    assert config.data is None
    assert codes(config) == ["too-deep"]


def test_moderate_nesting_beyond_limit(tmp_path):
    config = load_text(tmp_path, "title: " + "[" * 100 + "]" * 100 + "\n")
    assert codes(config) == ["too-deep"]


def test_empty_file(tmp_path):
    config = load_text(tmp_path, "# only a comment\n")
    assert (config.data, codes(config)) == (None, ["empty"])


@pytest.mark.parametrize(("text", "line"), [("- title: x\n", 1), ("\n\njust text\n", 3)])
def test_file_that_is_not_a_mapping(tmp_path, text, line):
    config = load_text(tmp_path, text)
    assert (config.data, codes(config)) == (None, ["not-a-mapping"])
    assert config.problems[0].line == line


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_bytes(b"title: Tides\ndescription: caf\xe9 au lait\n")
    config = load_config(path)
    (problem,) = config.problems
    assert (problem.code, problem.line, problem.column) == ("encoding", 2, 17)
    assert "0xe9" in problem.message


def test_binary_file(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_bytes(bytes(range(256)) * 4)
    assert codes(load_config(path)) in (["encoding"], ["binary"])
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert codes(load_config(path)) == ["binary"]


def test_control_character(tmp_path):
    config = load_text(tmp_path, "title: Ti\x07des\n")
    assert codes(config) == ["bad-character"]
    assert (config.problems[0].line, config.problems[0].column) == (1, 10)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_byte_order_marks(tmp_path, bom):
    path = tmp_path / ".zenodo.yml"
    encoding = "utf-8" if bom == codecs.BOM_UTF8 else "utf-16-le"
    path.write_bytes(bom + "title: Tïdes\n".encode(encoding))
    config = load_config(path)
    assert (config.data, config.problems) == ({"title": "Tïdes"}, [])


def test_file_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(loader_module, "MAX_BYTES", 100)
    config = load_text(tmp_path, "title: " + "x" * 200 + "\n")
    assert codes(config) == ["file-too-large"]


def test_unsupported_tag(tmp_path):
    config = load_text(tmp_path, "title: !!python/object:os.system echo\n")
    assert codes(config) == ["yaml-tag"]
    assert config.data == {"title": "echo"}


def test_number_too_long_for_python(tmp_path):
    config = load_text(tmp_path, "version: " + "9" * 5000 + "\n")
    assert codes(config) == ["bad-number"]


def test_multiple_documents(tmp_path):
    config = load_text(tmp_path, "title: a\n---\ntitle: b\n")
    assert codes(config) == ["syntax"]
    assert config.problems[0].line == 2


def test_json_syntax_error_uses_json_words(tmp_path):
    config = load_text(tmp_path, '{\n  "title": "Tides"\n  "version": "1"\n}\n', ".zenodo.json")
    (problem,) = config.problems
    assert problem.code == "syntax"
    assert problem.message.startswith("JSON syntax error")
    assert problem.line == 3


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{\n  "title": "Tides",\n}\n', 2, 19),
        ('{"keywords": [\n  "a",\n  "b",\n  ]\n}', 3, 6),
        ('{"creators": [{"name": "Doe, J"}, ],\n "title": "x"}', 1, 33),
    ],
)
def test_a_trailing_comma_is_named_at_the_comma(tmp_path, text, line, column):
    (problem,) = load_text(tmp_path, text, ".zenodo.json").problems
    assert problem.code == "trailing-comma" and "trailing comma" in problem.message
    assert (problem.line, problem.column) == (line, column)


def test_tab_indentation_gets_a_hint(tmp_path):
    config = load_text(tmp_path, "creators:\n\t- name: x\n")
    assert "indent with spaces" in config.problems[0].message


# --- reading the file: usage errors (exit 2; finding it: tests/test_metadata_record.py) -----


def test_missing_file(tmp_path):
    with pytest.raises(UsageError, match="no such file") as raised:
        load_config(tmp_path / "nope.yml")
    assert "nope.yml" in str(raised.value)


def test_directory(tmp_path):
    with pytest.raises(UsageError, match="is a directory"):
        load_config(tmp_path)


def test_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        load_config(fifo)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / ".zenodo.yml"
    path.write_text("title: x\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # root ignores chmod, so refuse here
    with pytest.raises(UsageError, match="permission denied") as raised:
        load_config(path)
    assert str(path) in str(raised.value)


def test_examples_load_cleanly():
    for name in (".zenodo.yml", ".zenodo.json"):
        config = load_config(SOFTWARE / name)
        assert config.problems == []
    yml, json_ = (load_config(SOFTWARE / name).data for name in (".zenodo.yml", ".zenodo.json"))
    assert yml == json_


# --- values that parse but cannot be sent, and odd tags (issue 12, items 3, 4, 6) --------


@pytest.mark.parametrize(
    ("text", "name", "path", "line"),
    [
        ("title: Tides\nlocations:\n  - lat: .nan\n", ".zenodo.yml", "locations[0].lat", 3),
        ("title: Tides\ncustom: {a: -.inf}\n", ".zenodo.yml", "custom.a", 2),
        ("title: Tides\nversion: !!float 1.0e+400\n", ".zenodo.yml", "version", 2),
        ('{"title": "Tides",\n "custom": {"a": NaN}}', ".zenodo.json", "custom.a", 2),
        ('{\n "locations": [{"lat": Infinity}]}', ".zenodo.json", "locations[0].lat", 2),
        ('{"title": "Tides",\n "custom": {"b": -Infinity}}', ".zenodo.json", "custom.b", 2),
        ('{"title": "Tides",\n "custom": {"c": 1e400}}', ".zenodo.json", "custom.c", 2),
    ],
)  # fmt: skip
def test_non_finite_numbers_are_errors_at_their_line(tmp_path, text, name, path, line):
    (problem,) = load_text(tmp_path, text, name).problems
    assert (problem.code, problem.path, problem.line) == ("non-finite-number", path, line)
    assert "not a finite number" in problem.message


def test_json_numbers_yaml_would_read_as_text_are_numbers(tmp_path):
    config = load_text(tmp_path, '{"custom": {"a": 1e5, "b": 2.5E-3}}', ".zenodo.json")
    assert config.problems == [] and config.data == {"custom": {"a": 1e5, "b": 2.5e-3}}


@pytest.mark.parametrize(
    ("text", "name", "path", "line"),
    [
        ('title: "Tides \\udc80"\n', ".zenodo.yml", "title", 1),
        ('keywords:\n  - "\\udc00\\ud800"\n', ".zenodo.yml", "keywords[0]", 2),
        ('{\n "creators": [{"name": "J\\udc80"}]}', ".zenodo.json", "creators[0].name", 2),
        ('{"custom": {\n "\\ud800": 1}}', ".zenodo.json", 'custom["\\ud800"]', 2),
    ],
)  # fmt: skip
def test_lone_surrogates_are_errors_at_their_line(tmp_path, text, name, path, line):
    (problem,) = load_text(tmp_path, text, name).problems
    assert (problem.code, problem.path, problem.line) == ("unencodable-text", path, line)
    assert "surrogate" in problem.message
    problem.message.encode("utf-8")  # the message itself can be printed


@pytest.mark.parametrize("name", [".zenodo.json", ".zenodo.yml"])
def test_a_surrogate_pair_is_the_one_character_it_stands_for(tmp_path, name):
    config = load_text(tmp_path, '{"title": "\\ud83c\\udf0a Tides"}', name)
    assert config.problems == [] and config.data == {"title": "\U0001f30a Tides"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("!!bool", "bad-value"),
        ("!!bool maybe", "bad-value"),
        ("!!int", "bad-number"),
        ("!!int x", "bad-number"),
        ("!!int 0x", "bad-number"),
        ("!!float", "bad-number"),
        ("!!float abc", "bad-number"),
        ("!!binary '%%%'", "yaml-tag"),
        ("!foo bar", "yaml-tag"),
        ("!foo", "yaml-tag"),
        ("!!int " + "1" * 5000, "bad-number"),
    ],
)
def test_odd_tagged_scalars_are_problems_at_their_line(tmp_path, value, code):
    config = load_text(tmp_path, f"upload_type: software\ntitle: {value}\n")
    (problem,) = config.problems
    assert (problem.code, problem.path, problem.line) == (code, "title", 2)


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF"])
def test_an_escape_beyond_unicode_is_a_syntax_error_at_its_line(tmp_path, escape):
    config = load_text(tmp_path, f'upload_type: software\ntitle: "Tides {escape}"\n')
    (problem,) = config.problems
    assert (problem.code, problem.line) == ("syntax", 2) and "\\U" in problem.message
    assert config.data is None


def test_a_5000_digit_integer_in_json_is_a_problem_at_its_line(tmp_path):
    config = load_text(
        tmp_path, '{"title": "Tides",\n "version": ' + "9" * 5000 + "}", ".zenodo.json"
    )
    (problem,) = config.problems
    assert (problem.code, problem.path, problem.line) == ("bad-number", "version", 2)
    assert "too large" in problem.message


def test_a_path_too_long_for_the_system_is_a_usage_error_naming_it(tmp_path):
    path = tmp_path / ("a" * 300 + ".yml")
    with pytest.raises(UsageError, match="cannot use this path") as raised:
        load_config(path)
    assert "aaaa" in str(raised.value) and "(File name too long)" in str(raised.value)
