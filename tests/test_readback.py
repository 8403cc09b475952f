"""readback.py: every edit is read back before it is written or proposed, and what a
file already cites is read without converting a value that cannot be converted."""

from __future__ import annotations

import pytest

from zenodo_action import readback
from zenodo_action.edits import DoiFacts, EditError

CONCEPT = "10.5281/zenodo.100"
BADGE = "[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.100.svg)](https://doi.org/10.5281/zenodo.100)"
FACTS = DoiFacts("10.5281/zenodo.124", CONCEPT, "v1.2.0", "2024-05-15", BADGE)
CFF = """\
cff-version: 1.2.0
title: Tide tools
authors:
  - name: Doe
version: 1.1.0
date-released: 2024-01-02
identifiers:
  - type: doi
    value: 10.5281/zenodo.101
"""
CODEMETA = '{\n  "name": "Tide tools",\n  "version": "1.1.0",\n  "size": 12\n}\n'
README = "# Tide\n\n<!-- zenodo-badge -->old<!-- /zenodo-badge -->\n\nText.\n"


def test_a_right_edit_passes_and_is_returned():
    edited = readback.edit("citation", CFF, FACTS, path="CITATION.cff")
    assert "version: 1.2.0\n" in edited and "value: 10.5281/zenodo.124\n" in edited


@pytest.mark.parametrize(
    ("kind", "text", "broken", "said"),
    [
        # the bug an append inside another key makes: `authors` gains an item
        (
            "citation",
            CFF,
            lambda t: t.replace("  - name: Doe\n", "  - name: Doe\n  - x\n"),
            "`authors`",
        ),
        (
            "citation",
            CFF,
            lambda t: t.replace("\nversion: 1.2.0", "\nversion: 1.3.0"),
            "version does not read as v1.2.0",
        ),
        ("citation", CFF, lambda t: t.replace("2024-05-15", "2024-05-16"), "`date-released`"),
        ("citation", CFF, lambda t: t + "doi: 10.5281/zenodo.999\n", "`doi`"),
        ("codemeta", CODEMETA, lambda t: t.replace('"size": 12', '"size": 13'), "`size`"),
        ("codemeta", CODEMETA, lambda t: t.replace("}", ","), "no longer valid JSON"),
        ("readme", README, lambda t: t.replace("Text.", "Text!"), "text after the last marker"),
        ("readme", README, lambda t: t.replace(BADGE, "new"), "the badge is not between"),
    ],
)
def test_an_edit_that_reads_back_otherwise_is_an_edit_error(monkeypatch, kind, text, broken, said):
    editor = readback.EDITORS[kind]
    monkeypatch.setitem(readback.EDITORS, kind, lambda t, f, path: broken(editor(t, f, path=path)))

    with pytest.raises(EditError, match="not written, as it would not read back") as raised:
        readback.edit(kind, text, FACTS, path="the-file")

    assert said in str(raised.value) and raised.value.file == "the-file"


def test_a_parser_running_out_of_stack_is_an_edit_error(monkeypatch):
    def deep(text, facts, path):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(readback.EDITORS, "citation", deep)

    with pytest.raises(EditError, match=r"CITATION\.cff line 1: the file is nested too deeply"):
        readback.edit("citation", CFF, FACTS, path="CITATION.cff")


def test_held_says_version_and_date_of_a_cff():
    held = readback.held("citation", CFF + f"doi: {CONCEPT.upper()}\n", path="CITATION.cff")
    assert held == readback.Held("1.1.0", "2024-01-02")


def test_held_reads_numbers_and_impossible_dates_as_text():
    text = f"cff-version: 1.2.0\nversion: 1.10\ndate-released: 2024-02-30\nsize: {'9' * 5000}\n"
    held = readback.held("citation", text, path="CITATION.cff")
    assert (held.version, held.date) == ("1.10", "2024-02-30")


def test_held_of_codemeta_reads_its_version_and_date_as_text():
    text = (
        '{"version": 2.0, "datePublished": "2024-06-01", "identifier": '
        f'["https://doi.org/{CONCEPT}", "not a doi"], "n": {"1" * 5000}}}'
    )
    held = readback.held("codemeta", text, path="codemeta.json")
    assert held == readback.Held("2.0", "2024-06-01")


def test_a_readme_holds_no_version():
    assert readback.held("readme", README, path="README.md") == readback.Held()


@pytest.mark.parametrize(
    ("extra", "line", "said"),
    [
        ("x-u: !custom 1\n", 10, "tag '!custom'"),
        ("references:\n  - !ref {title: x}\n", 11, "tag '!ref'"),
        ("? [a, b]\n: 1\n", 10, "unhashable key"),
        ('x-b: !!binary "not base64!"\n', 10, "base64"),
        ("x-m:\n  <<: [1]\n", 11, "merging"),
        ("x-p: !!python/name:os.system\n", 10, "python/name"),
    ],
)
def test_yaml_the_safe_loader_will_not_build_is_an_edit_error_with_its_line(extra, line, said):
    """Composing such a file passes; building its values does not (PyYAML's
    ConstructorError): reading and editing it say so as an EditError, with the line."""
    for read in (
        lambda text: readback.held("citation", text, path="CITATION.cff"),
        lambda text: readback.edit("citation", text, FACTS, path="CITATION.cff"),
    ):
        with pytest.raises(EditError, match="not plain YAML data") as raised:
            read(CFF + extra)
        assert said in str(raised.value)
        assert (raised.value.file, raised.value.line) == ("CITATION.cff", line)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("citation", CFF + "abstract: " + "x" * readback.LARGEST_METADATA + "\n"),
        ("citation", CFF + "abstract: " + "é" * (readback.LARGEST_METADATA // 2) + "\n"),
        ("codemeta", CODEMETA.replace('"size": 12', '"a": "' + "x" * 1_100_000 + '"')),
    ],
)
def test_a_metadata_file_over_the_validators_limit_is_not_read(kind, text):
    for read in (
        lambda: readback.held(kind, text, path="the-file"),
        lambda: readback.edit(kind, text, FACTS, path="the-file"),
    ):
        with pytest.raises(EditError, match=r"the-file line 1: the file is 10\d\d KiB, larger"):
            read()


def test_a_readme_over_that_limit_is_still_edited():
    big = README + "x" * 2_000_000 + "\n"
    assert BADGE in readback.edit("readme", big, FACTS, path="README.md")
