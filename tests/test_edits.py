"""Writing the DOI back (edits.py): exact bytes of every edited file, comments and order
kept, idempotence, and errors that name the file and line."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from zenodo_action.edits import (
    MARKER_CLOSE,
    MARKER_OPEN,
    DoiFacts,
    EditError,
    edit_citation,
    edit_codemeta,
    edit_readme,
    readme_markers,
)

CONCEPT = "10.5281/zenodo.100"
BADGE = (
    "[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.100.svg)]"
    "(https://doi.org/10.5281/zenodo.100)"
)
FACTS = DoiFacts("10.5281/zenodo.124", CONCEPT, "v1.2.0", "2024-05-15", BADGE)
NEXT = DoiFacts("10.5281/zenodo.130", CONCEPT, "v1.3.0", "2024-06-01", BADGE)
NO_CONCEPT = DoiFacts("10.5281/zenodo.124", None, "v1.2.0", "2024-05-15", BADGE)


def facts(**changes: str | None) -> DoiFacts:
    return dataclasses.replace(FACTS, **changes)


# --- CITATION.cff -----------------------------------------------------------------------------

CFF = """\
# Cite us, please.
title: "Tide tools"   # the short name
cff-version: 1.2.0
message: If you use this software, please cite it.
version: "1.1.0"  # bumped by the release workflow
authors:
  - family-names: Doe
    given-names: Jane
    orcid: https://orcid.org/0000-0002-1825-0097
identifiers:
  - type: url
    value: https://tide.example.org
    description: The project's home
date-released: 2023-11-02
preferred-citation:
  type: article
  doi: 10.1000/paper.42
  title: Tides, computed
license: MIT

# end of file: nothing below this line
"""


def test_cff_sets_concept_doi_version_date_and_adds_the_version_identifier():
    assert edit_citation(CFF, FACTS) == (
        """\
# Cite us, please.
title: "Tide tools"   # the short name
cff-version: 1.2.0
message: If you use this software, please cite it.
version: "1.2.0"  # bumped by the release workflow
authors:
  - family-names: Doe
    given-names: Jane
    orcid: https://orcid.org/0000-0002-1825-0097
identifiers:
  - type: url
    value: https://tide.example.org
    description: The project's home
  - type: doi
    value: 10.5281/zenodo.124
    description: The versioned DOI for version 1.2.0 on Zenodo
date-released: 2024-05-15
preferred-citation:
  type: article
  doi: 10.1000/paper.42
  title: Tides, computed
license: MIT
doi: 10.5281/zenodo.100

# end of file: nothing below this line
"""
    )


def test_cff_edited_file_loads_to_the_expected_values():
    data = yaml.safe_load(edit_citation(CFF, FACTS))
    assert data["doi"] == CONCEPT
    assert data["version"] == "1.2.0"
    assert data["date-released"] == datetime.date(2024, 5, 15)
    assert data["identifiers"][-1] == {
        "type": "doi",
        "value": "10.5281/zenodo.124",
        "description": "The versioned DOI for version 1.2.0 on Zenodo",
    }
    assert data["preferred-citation"]["doi"] == "10.1000/paper.42"  # the paper's, untouched
    assert list(data) == [*yaml.safe_load(CFF), "doi"]  # order kept, new key last


def test_cff_next_release_updates_the_version_entry_in_place():
    released = """\
cff-version: 1.2.0
doi: 10.5281/zenodo.100
version: v1.2.0
identifiers:
  - type: doi
    value: 10.5281/zenodo.100
    description: All versions
  - value: '10.5281/zenodo.124'   # this release
    type: doi
    description: 'The versioned DOI for version v1.2.0 on Zenodo'
  - type: swh
    value: swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505
date-released: '2024-05-15'
"""
    assert edit_citation(released, NEXT) == (
        """\
cff-version: 1.2.0
doi: 10.5281/zenodo.100
version: v1.3.0
identifiers:
  - type: doi
    value: 10.5281/zenodo.100
    description: All versions
  - value: '10.5281/zenodo.130'   # this release
    type: doi
    description: 'The versioned DOI for version v1.3.0 on Zenodo'
  - type: swh
    value: swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505
date-released: '2024-06-01'
"""
    )


def test_cff_entry_already_for_this_version_keeps_the_users_description():
    text = """\
doi: 10.5281/zenodo.100
version: 1.2.0
date-released: 2024-05-15
identifiers:
  - type: doi
    value: 10.5281/ZENODO.124
    description: This exact release
"""
    assert edit_citation(text, FACTS) == text


def test_cff_entry_for_this_version_wins_over_an_older_one_listed_first():
    text = """\
doi: 10.5281/zenodo.100
identifiers:
  - type: doi
    value: 10.5281/zenodo.99
    description: Version 1.1.0, kept by hand
  - type: doi
    value: 10.5281/zenodo.124
"""
    assert edit_citation(text, facts(version=None, date=None)) == text


def test_cff_version_entry_without_description_gets_one():
    text = """\
doi: 10.5281/zenodo.100
identifiers:
- type: doi
  value: 10.5281/zenodo.99
"""
    assert edit_citation(text, facts(version=None, date=None)) == (
        """\
doi: 10.5281/zenodo.100
identifiers:
- type: doi
  value: 10.5281/zenodo.124
  description: The versioned DOI on Zenodo
"""
    )


def test_cff_new_item_copies_the_siblings_key_order_and_quotes():
    text = """\
identifiers:
    -   value: "https://example.org"
        type: "url"
"""
    assert edit_citation(text, facts(version=None, date=None)) == (
        """\
identifiers:
    -   value: "https://example.org"
        type: "url"
    -   value: "10.5281/zenodo.124"
        type: "doi"
        description: The versioned DOI on Zenodo
doi: 10.5281/zenodo.100
"""
    )


@pytest.mark.parametrize(
    ("authors", "first", "rest"),
    [
        ("authors:\n- name: A\n", "- ", "  "),
        ("authors:\n  - name: A\n", "  - ", "    "),
        ("authors:\n    -   name: A\n", "    -   ", "        "),
        ("authors:\n  - &a\n    name: A\n", "  - ", "    "),
        ("authors: [{name: A}]\n", "  - ", "    "),  # nothing to copy: two spaces
    ],
)
def test_cff_new_identifiers_list_copies_the_authors_layout(authors, first, rest):
    out = edit_citation(authors, facts(version=None, date=None))
    assert out == (
        f"{authors}doi: 10.5281/zenodo.100\nidentifiers:\n{first}type: doi\n"
        f"{rest}value: 10.5281/zenodo.124\n{rest}description: The versioned DOI on Zenodo\n"
    )


def test_cff_crlf_and_bom_are_kept_and_used_for_new_lines():
    text = "\ufeffcff-version: 1.2.0\r\ntitle: Tide\r\nauthors:\r\n  - name: A  # me\r\n"
    assert edit_citation(text, FACTS) == (
        "\ufeffcff-version: 1.2.0\r\ntitle: Tide\r\nauthors:\r\n  - name: A  # me\r\n"
        "doi: 10.5281/zenodo.100\r\nversion: v1.2.0\r\ndate-released: 2024-05-15\r\n"
        "identifiers:\r\n  - type: doi\r\n    value: 10.5281/zenodo.124\r\n"
        "    description: The versioned DOI for version v1.2.0 on Zenodo\r\n"
    )


def test_cff_without_final_newline_stays_without():
    out = edit_citation("title: Tide\ndoi: 10.1/old # x", facts(version=None, date=None))
    assert out == (
        "title: Tide\ndoi: 10.5281/zenodo.100 # x\nidentifiers:\n  - type: doi\n"
        "    value: 10.5281/zenodo.124\n    description: The versioned DOI on Zenodo"
    )


def test_cff_keys_go_after_an_identifiers_list_that_ends_the_file():
    text = "title: Tide\nidentifiers:\n  - type: url\n    value: https://x.org\n# bye\n"
    assert edit_citation(text, facts(date=None)) == (
        "title: Tide\nidentifiers:\n  - type: url\n    value: https://x.org\n"
        "  - type: doi\n    value: 10.5281/zenodo.124\n"
        "    description: The versioned DOI for version v1.2.0 on Zenodo\n"
        "doi: 10.5281/zenodo.100\nversion: v1.2.0\n# bye\n"
    )


def test_cff_a_block_scalar_last_does_not_swallow_the_new_keys():
    text = "title: Tide\nabstract: |\n  Line one.\n  Line two.\n\n# trailing\n"
    out = edit_citation(text, NO_CONCEPT)
    assert out == (
        "title: Tide\nabstract: |\n  Line one.\n  Line two.\n"
        "doi: 10.5281/zenodo.124\nversion: v1.2.0\ndate-released: 2024-05-15\n\n# trailing\n"
    )
    assert yaml.safe_load(out)["abstract"] == "Line one.\nLine two.\n"


def test_cff_alias_last_does_not_move_the_insertion_into_the_anchor():
    text = "authors:\n  - &jane\n    name: Jane\ncontact:\n  - *jane\n"
    out = edit_citation(text, NO_CONCEPT)
    assert out == text + "doi: 10.5281/zenodo.124\nversion: v1.2.0\ndate-released: 2024-05-15\n"


def test_cff_doi_written_as_a_url_becomes_bare_and_case_alone_is_no_change():
    text = "doi: https://doi.org/10.5281/zenodo.100\n"
    out = edit_citation(text, facts(version=None, date=None, concept_doi="10.5281/ZENODO.100"))
    assert out.startswith("doi: 10.5281/ZENODO.100\nidentifiers:\n")
    assert edit_citation(out, facts(version=None, date=None)) == out


def test_cff_without_concept_doi_writes_the_version_doi_and_leaves_identifiers():
    text = "doi: 10.5281/zenodo.99\nidentifiers:\n  - type: doi\n    value: 10.5281/zenodo.99\n"
    assert edit_citation(text, facts(concept_doi=None, version=None, date=None)) == (
        "doi: 10.5281/zenodo.124\nidentifiers:\n  - type: doi\n    value: 10.5281/zenodo.99\n"
    )


@pytest.mark.parametrize(
    ("written", "published", "expected"),
    [
        ("1.1.0", "v1.2.0", "1.2.0"),  # the file's convention wins
        ("v1.1.0", "1.2.0", "v1.2.0"),
        ("V1.1.0", "1.2.0", "V1.2.0"),
        ("1.2.0", "v1.2.0", "1.2.0"),  # equal but for the v: untouched
        ("'1.1.0'", "v1.2.0", "'1.2.0'"),
        ('"v1.1"', "v1.2", '"v1.2"'),
        ("1.1.0", "1.10", '"1.10"'),  # plain 1.10 would read back as a float
        ("'1.1'", "1.10", "'1.10'"),
        ("1.1.0", "2024-05-15", '"2024-05-15"'),  # ... and this as a date
        ("unreleased", "v1.2.0", "v1.2.0"),  # no convention to follow
        ("v1.1.0", "nightly", "nightly"),
        ("", "v1.2.0", "v1.2.0"),  # `version:` with no value
        ("null", "1.2.0", "1.2.0"),
    ],
)
def test_cff_version_follows_the_files_convention_and_quoting(written, published, expected):
    text = f"title: Tide\nversion: {written}\nlicense: MIT\n".replace(": \n", ":\n")
    out = edit_citation(text, facts(concept_doi=None, version=published, date=None))
    assert out == f"title: Tide\nversion: {expected}\nlicense: MIT\ndoi: 10.5281/zenodo.124\n"
    assert isinstance(yaml.safe_load(out)["version"], str)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-01-02", "2024-05-15"),
        ("'2023-01-02'", "'2024-05-15'"),
        ('"2023-01-02"', '"2024-05-15"'),
        ("2024-05-15", "2024-05-15"),
        ("   # to do", " 2024-05-15   # to do"),
    ],
)
def test_cff_date_released_keeps_its_style(written, expected):
    text = f"doi: 10.5281/zenodo.124\ndate-released:{' ' if written[0] != ' ' else ''}{written}\n"
    out = edit_citation(text, facts(concept_doi=None, version=None))
    separator = "" if expected.startswith(" ") else " "
    assert out == f"doi: 10.5281/zenodo.124\ndate-released:{separator}{expected}\n"


def test_cff_empty_identifiers_become_a_block_list():
    text = "identifiers: []  # none yet\nlicense: MIT\n"
    assert edit_citation(text, facts(version=None, date=None)) == (
        "identifiers:  # none yet\n  - type: doi\n    value: 10.5281/zenodo.124\n"
        "    description: The versioned DOI on Zenodo\nlicense: MIT\ndoi: 10.5281/zenodo.100\n"
    )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("title: Tide\nversion: [1\n", 3, "not valid YAML"),
        ("title: Tide\n  bad: indent\n", 2, "not valid YAML"),
        ("# a list\n- title: Tide\n", 2, "holds a list"),
        ("just words\n", 1, "holds a single value"),
        ("# only a comment\n", 1, "empty"),
        ("{title: Tide}\n", 1, "{...}"),
        ("title: Tide\nidentifiers: [{type: url, value: x}]\n", 2, "flow style"),
        ("title: Tide\nidentifiers: some text\n", 2, "must be a list"),
        ("title: Tide\ndoi: 10.1/a\ndoi: 10.1/b\n", 3, "appears twice (also line 2)"),
        ("v: &v 1.0\nversion: *v\n", 2, "alias"),
        ("version: &v 1.0\n", 1, "anchor"),
        ("version: |\n  1.0\n", 1, "block scalar"),
        ("doi:\n  - 10.1/a\n", 2, "single value"),
    ],
)
def test_cff_refusals_name_the_file_and_line(text, line, words):
    with pytest.raises(EditError) as caught:
        edit_citation(text, FACTS, path="sub/CITATION.cff")
    assert str(caught.value).startswith(f"sub/CITATION.cff line {line}: ")
    assert words in str(caught.value)
    assert (caught.value.file, caught.value.line) == ("sub/CITATION.cff", line)


def test_cff_flow_identifiers_error_says_to_use_block_style():
    with pytest.raises(EditError) as caught:
        edit_citation("identifiers: [{type: url, value: x}]\n", FACTS)
    assert "block style" in (caught.value.hint or "")


# --- codemeta.json ----------------------------------------------------------------------------

CODEMETA_2 = """\
{
  "@context": "https://w3id.org/codemeta/3.0",
  "type": "SoftwareSourceCode",
  "name": "Tide tools ✓",
  "dateModified": "2023-11-02",
  "keywords": [
    "tides",
    "ocean"
  ],
  "datePublished": "2023-01-01"
}
"""


def test_codemeta_two_spaces_inserts_identifier_and_version_and_updates_dates():
    assert edit_codemeta(CODEMETA_2, FACTS) == (
        """\
{
  "@context": "https://w3id.org/codemeta/3.0",
  "type": "SoftwareSourceCode",
  "name": "Tide tools ✓",
  "dateModified": "2024-05-15",
  "keywords": [
    "tides",
    "ocean"
  ],
  "datePublished": "2024-05-15",
  "identifier": "https://doi.org/10.5281/zenodo.100",
  "version": "v1.2.0"
}
"""
    )


def test_codemeta_four_spaces_non_doi_identifier_becomes_an_array():
    text = (
        '{\n    "name": "tide",\n    "version": "1.1.0",\n'
        '    "identifier": "https://pypi.org/project/tide/",\n    "softwareVersion": "1.1.0"\n}'
    )
    out = edit_codemeta(text, FACTS)
    assert out == (
        '{\n    "name": "tide",\n    "version": "1.2.0",\n'
        '    "identifier": ["https://pypi.org/project/tide/", '
        '"https://doi.org/10.5281/zenodo.100"],\n    "softwareVersion": "1.2.0"\n}'
    )
    assert json.loads(out)["identifier"][0] == "https://pypi.org/project/tide/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"name":"tide","version":"1.0"}',
            '{"name":"tide","version":"1.2.0","identifier":"https://doi.org/10.5281/zenodo.100"}',
        ),
        (
            '{"name": "tide"}\n',
            '{"name": "tide", "identifier": "https://doi.org/10.5281/zenodo.100", '
            '"version": "v1.2.0"}\n',
        ),
        (
            "{}",
            '{"identifier": "https://doi.org/10.5281/zenodo.100", "version": "v1.2.0"}',
        ),
        (
            "{\n}\n",
            '{\n  "identifier": "https://doi.org/10.5281/zenodo.100",\n  "version": "v1.2.0"\n}\n',
        ),
    ],
)
def test_codemeta_compact_and_empty_objects(text, expected):
    assert edit_codemeta(text, facts(date=None)) == expected
    assert json.loads(edit_codemeta(text, facts(date=None)))["version"] in ("1.2.0", "v1.2.0")


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ('"doi:10.5281/zenodo.100"', '"doi:10.5281/zenodo.100"'),  # same DOI: kept as written
        ('"https://doi.org/10.5281/ZENODO.100"', '"https://doi.org/10.5281/ZENODO.100"'),
        ('"https://doi.org/10.5281/zenodo.99"', '"https://doi.org/10.5281/zenodo.100"'),
        ('"10.1000/xyz"', '"https://doi.org/10.5281/zenodo.100"'),
        ("null", '"https://doi.org/10.5281/zenodo.100"'),
        ("42", '[42, "https://doi.org/10.5281/zenodo.100"]'),
        ("[]", '["https://doi.org/10.5281/zenodo.100"]'),
        (
            '["https://pypi.org/p/tide", "https://doi.org/10.5281/zenodo.99"]',
            '["https://pypi.org/p/tide", "https://doi.org/10.5281/zenodo.124", '
            '"https://doi.org/10.5281/zenodo.100"]',
        ),
        (
            '["https://doi.org/10.5281/zenodo.100","https://doi.org/10.5281/zenodo.124"]',
            '["https://doi.org/10.5281/zenodo.100","https://doi.org/10.5281/zenodo.124"]',
        ),
        (
            '["doi:10.5281/zenodo.100", "https://doi.org/10.1000/paper"]',
            '["doi:10.5281/zenodo.100", "https://doi.org/10.1000/paper"]',
        ),
    ],
)
def test_codemeta_identifier_forms(identifier, expected):
    text = f'{{"name": "tide", "identifier": {identifier}}}'
    out = edit_codemeta(text, facts(version=None, date=None))
    assert out == f'{{"name": "tide", "identifier": {expected}}}'


def test_codemeta_multiline_identifier_array_keeps_its_layout():
    text = (
        '{\n\t"identifier": [\n\t\t"https://doi.org/10.5281/zenodo.99",\n'
        '\t\t"https://pypi.org/p/tide"\n\t],\n\t"version": "v1.1.0"\n}\n'
    )
    assert edit_codemeta(text, FACTS) == (
        '{\n\t"identifier": [\n\t\t"https://doi.org/10.5281/zenodo.124",\n'
        '\t\t"https://pypi.org/p/tide",\n\t\t"https://doi.org/10.5281/zenodo.100"\n'
        '\t],\n\t"version": "v1.2.0"\n}\n'
    )


def test_codemeta_without_concept_uses_the_version_doi():
    text = '{"identifier": ["https://doi.org/10.5281/zenodo.99"]}'
    out = edit_codemeta(text, facts(concept_doi=None, version=None, date=None))
    assert out == (
        '{"identifier": ["https://doi.org/10.5281/zenodo.99", '
        '"https://doi.org/10.5281/zenodo.124"]}'
    )


def test_codemeta_crlf_and_bom_are_kept():
    text = '\ufeff{\r\n  "name": "tide",\r\n  "version": 1.1\r\n}\r\n'
    assert edit_codemeta(text, facts(version="1.2")) == (
        '\ufeff{\r\n  "name": "tide",\r\n  "version": "1.2",\r\n'
        '  "identifier": "https://doi.org/10.5281/zenodo.100"\r\n}\r\n'
    )


def test_codemeta_numeric_version_equal_to_the_release_is_left_alone():
    text = '{"identifier": "https://doi.org/10.5281/zenodo.100", "version": 1.2}'
    assert edit_codemeta(text, facts(version="v1.2")) == text


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[\n  {"name": "tide"}\n]\n', 1, "holds an array"),
        ('\n\n"tide"', 3, "holds a single value"),
        ('{\n  "name": "tide",\n}\n', 3, "not valid JSON"),
        ("", 1, "not valid JSON"),
        ('{\n  "version": "1",\n  "version": "2"\n}', 3, "appears twice (also line 2)"),
    ],
)
def test_codemeta_refusals_name_the_file_and_line(text, line, words):
    with pytest.raises(EditError) as caught:
        edit_codemeta(text, FACTS)
    assert str(caught.value).startswith(f"codemeta.json line {line}: ")
    assert words in str(caught.value)


# --- README -----------------------------------------------------------------------------------


def test_readme_one_pair_on_separate_lines_keeps_the_badge_lines_indentation():
    text = (
        "# Tide tools\n\n<p align=\"center\">\n  <!-- zenodo-badge -->\n"
        "  [![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.9.svg)](https://doi.org/10.5281/zenodo.9)\n"
        "  <!-- /zenodo-badge -->\n</p>\n\nText.\n"
    )  # fmt: skip
    assert edit_readme(text, FACTS) == (
        '# Tide tools\n\n<p align="center">\n  <!-- zenodo-badge -->\n'
        f"  {BADGE}\n  <!-- /zenodo-badge -->\n</p>\n\nText.\n"
    )


def test_readme_two_pairs_one_on_a_line_one_empty_across_lines():
    text = (
        "Cite: <!-- zenodo-badge -->old badge<!-- /zenodo-badge --> (all versions)\r\n"
        "\r\n<!-- zenodo-badge -->\r\n<!-- /zenodo-badge -->\r\nEnd\r\n"
    )
    assert readme_markers(text) == 2
    assert edit_readme(text, FACTS) == (
        f"Cite: <!-- zenodo-badge -->{BADGE}<!-- /zenodo-badge --> (all versions)\r\n"
        f"\r\n<!-- zenodo-badge -->\r\n{BADGE}\r\n<!-- /zenodo-badge -->\r\nEnd\r\n"
    )


def test_readme_several_lines_between_markers_become_the_badge_alone():
    text = "<!-- zenodo-badge -->\n\nold one\nold two\n\n<!-- /zenodo-badge -->\n"
    assert edit_readme(text, FACTS) == f"<!-- zenodo-badge -->\n{BADGE}\n<!-- /zenodo-badge -->\n"


def test_readme_without_markers_is_unchanged():
    text = "\ufeff# Tide\r\n\r\n[![DOI](https://doi.org/x)](y)\r\n"
    assert readme_markers(text) == 0
    assert edit_readme(text, FACTS) == text


def test_readme_markers_in_code_are_examples_not_markers():
    text = (
        "Put these in your README:\n\n```markdown\n<!-- zenodo-badge -->\n"
        "<!-- /zenodo-badge -->\n```\n\nor inline `<!-- zenodo-badge -->`.\n"
        "Ours: <!-- zenodo-badge --><!-- /zenodo-badge -->\n"
    )
    assert readme_markers(text) == 1
    assert edit_readme(text, FACTS) == text.replace(
        "Ours: <!-- zenodo-badge -->", f"Ours: <!-- zenodo-badge -->{BADGE}"
    )


def test_readme_marker_constants_are_what_is_recognised():
    text = f"a {MARKER_OPEN}{MARKER_CLOSE} b <!--zenodo-badge--> <!-- / zenodo-badge -->\n"
    assert edit_readme(text, FACTS) == (
        f"a {MARKER_OPEN}{BADGE}{MARKER_CLOSE} b "
        f"<!--zenodo-badge-->{BADGE}<!-- / zenodo-badge -->\n"
    )


def test_readme_markers_may_hold_any_blanks_and_a_long_comment_is_no_marker():
    opening = "<!--\n\tzenodo-badge \n-->"
    closing = "<!--" + " " * 5000 + "/\t\tzenodo-badge-->"
    text = f"a <!--{' ' * 5000}zenodo-badge- -->{opening}old{closing} <!-- /zenodo-badge\n"
    assert readme_markers(text) == 1
    assert edit_readme(text, FACTS) == text.replace("old", BADGE)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("# T\n\n<!-- zenodo-badge -->\nbadge\n", 3, "has no <!-- /zenodo-badge --> after it"),
        ("# T\nbadge <!-- /zenodo-badge -->\n", 2, "with no <!-- zenodo-badge --> before it"),
        (
            "<!-- zenodo-badge -->\n\n<!-- zenodo-badge -->x<!-- /zenodo-badge -->\n",
            1,
            "not closed before the next one (line 3)",
        ),
        (
            "<!-- zenodo-badge --><!-- /zenodo-badge -->\n"
            "<!-- /zenodo-badge --><!-- zenodo-badge -->",
            2,
            "with no",
        ),
    ],
)
def test_readme_unbalanced_markers_name_the_file_and_line(text, line, words):
    for call in (lambda: edit_readme(text, FACTS, path="docs/README.md"),
                 lambda: readme_markers(text, path="docs/README.md")):  # fmt: skip
        with pytest.raises(EditError) as caught:
            call()
        assert str(caught.value).startswith(f"docs/README.md line {line}: ")
        assert words in str(caught.value)


# --- idempotence and what is kept, over generated facts ----------------------------------------

zenodo_dois = st.integers(1, 10**8).map(lambda n: f"10.5281/zenodo.{n}")
versions = st.from_regex(r"v?[0-9]{1,2}(\.[0-9]{1,2}){0,2}(-rc[0-9])?", fullmatch=True)
generated_facts = st.builds(
    lambda version_doi, concept, version, date: DoiFacts(
        version_doi,
        concept,
        version,
        date and date.isoformat(),
        f"[![DOI](https://zenodo.org/badge/DOI/{concept or version_doi}.svg)]"
        f"(https://doi.org/{concept or version_doi})",
    ),
    zenodo_dois,
    st.none() | zenodo_dois,
    st.none() | versions,
    st.none() | st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 1, 1)),
)

CFF_FILES = [
    CFF,
    CFF.replace("\n", "\r\n"),
    "\ufeffcff-version: 1.2.0\ntitle: x\nauthors:\n- name: A\n",
    "title: x\nversion: '1.0'\nidentifiers:\n  - type: doi\n    value: 10.5281/zenodo.7\n# end",
]
CODEMETA_FILES = [
    CODEMETA_2,
    '{"name":"x","identifier":"https://pypi.org/p/x","version":"v0.1"}',
    '\ufeff{\r\n    "identifier": ["https://doi.org/10.5281/zenodo.7"],\r\n    "version": 1\r\n}',
]
README_FILES = [
    "# T\n<!-- zenodo-badge -->\nold\n<!-- /zenodo-badge -->\n",
    "a <!-- zenodo-badge --><!-- /zenodo-badge --> b\r\n"
    "c <!-- zenodo-badge -->x<!-- /zenodo-badge -->",
]


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


@settings(max_examples=60, deadline=None)
@given(generated_facts)
def test_cff_edit_is_idempotent_and_keeps_comments(doi_facts):
    for text in CFF_FILES:
        once = edit_citation(text, doi_facts)
        assert edit_citation(once, doi_facts) == once
        assert comment_lines(once) == comment_lines(text)
        data = yaml.safe_load(once.lstrip("\ufeff"))
        assert data["doi"] == (doi_facts.concept_doi or doi_facts.version_doi)
        if doi_facts.version is not None:
            assert data["version"].lstrip("vV") == doi_facts.version.lstrip("vV")
        if doi_facts.date is not None:
            assert str(data["date-released"]) == doi_facts.date
        dois = [i["value"] for i in data.get("identifiers", []) if i.get("type") == "doi"]
        if doi_facts.concept_doi not in (None, doi_facts.version_doi):
            assert dois.count(doi_facts.version_doi) == 1


@settings(max_examples=60, deadline=None)
@given(generated_facts)
def test_codemeta_edit_is_idempotent_and_valid_json(doi_facts):
    for text in CODEMETA_FILES:
        once = edit_codemeta(text, doi_facts)
        assert edit_codemeta(once, doi_facts) == once
        data = json.loads(once.lstrip("\ufeff"))
        identifiers = (
            data["identifier"] if isinstance(data["identifier"], list) else [data["identifier"]]
        )
        assert f"https://doi.org/{doi_facts.concept_doi or doi_facts.version_doi}" in identifiers


@settings(max_examples=60, deadline=None)
@given(generated_facts)
def test_readme_edit_is_idempotent(doi_facts):
    for text in README_FILES:
        once = edit_readme(text, doi_facts)
        assert edit_readme(once, doi_facts) == once
        assert once.count(doi_facts.badge) == 2 - text.startswith("#")


def test_cff_flow_style_item_gets_its_value_replaced_in_place():
    text = "doi: 10.5281/zenodo.100\nidentifiers:\n  - {type: doi, value: 10.5281/zenodo.99}\n"
    assert edit_citation(text, facts(version=None, date=None)) == text.replace(".99}", ".124}")


# --- odd line ends, block scalars, deep and long values ----------------------------------

CFF_LINES = (
    "cff-version: 1.2.0\ntitle: Tide tools\nidentifiers:\n  - type: url\n"
    "    value: https://tide.example.org\nauthors:\n  - name: Doe\nversion: 1.1.0\n"
)


def test_a_cff_with_lone_cr_line_ends_gets_its_identifier_inside_the_list():
    text = CFF_LINES.replace("\n", "\r")

    edited = edit_citation(text, FACTS)

    assert "\n" not in edited
    loaded = yaml.safe_load(edited)
    assert loaded["authors"] == [{"name": "Doe"}]  # not an identifier in the authors
    assert loaded["identifiers"][-1]["value"] == FACTS.version_doi
    assert edited == edit_citation(CFF_LINES, FACTS).replace("\n", "\r")


def test_codemeta_and_readme_with_lone_cr_line_ends_keep_them():
    codemeta = '{\r  "name": "Tide tools",\r  "version": "1.1.0"\r}\r'
    edited = edit_codemeta(codemeta, FACTS)
    assert edited == (
        '{\r  "name": "Tide tools",\r  "version": "1.2.0",\r'
        f'  "identifier": "https://doi.org/{CONCEPT}"\r}}\r'
    )
    readme = (
        f"# Tide\r\r```\r{MARKER_OPEN}{MARKER_CLOSE}\r```\r\r{MARKER_OPEN}\rold\r{MARKER_CLOSE}\r"
    )
    assert edit_readme(readme, FACTS) == readme.replace("\rold\r", f"\r{BADGE}\r")


@pytest.mark.parametrize(("char", "name"), [("\x85", "NEXT LINE"), ("\u2028", "LINE SEPARATOR")])
def test_a_cff_with_a_line_break_yaml_readers_disagree_on_is_refused_with_its_line(char, name):
    text = CFF_LINES.replace("\nauthors:", f"{char}authors:")

    with pytest.raises(EditError, match=f"line 5: holds U\\+.... {name}") as raised:
        edit_citation(text, FACTS)

    assert raised.value.file == "CITATION.cff" and raised.value.line == 5


@pytest.mark.parametrize("header", ["|+", ">+", "|2+", ">+2"])
def test_a_keep_block_scalar_as_the_last_value_keeps_its_trailing_line_breaks(header):
    text = f"cff-version: 1.2.0\ntitle: T\nabstract: {header}\n  first line\n  second\n\n\n"

    edited = edit_citation(text, FACTS)

    assert yaml.safe_load(edited)["abstract"] == yaml.safe_load(text)["abstract"]
    assert edited.startswith(text)  # the new keys come after its kept breaks


def test_a_keep_block_scalar_ending_the_file_without_a_break_is_refused():
    with pytest.raises(EditError, match=r"line 3: the block scalar here keeps its line breaks"):
        edit_citation("cff-version: 1.2.0\ntitle: T\nabstract: |+\n  text", FACTS)


def test_a_cff_nested_thousands_of_levels_deep_is_an_edit_error():
    text = "cff-version: 1.2.0\nkeywords: " + "[" * 5000 + "]" * 5000 + "\n"

    with pytest.raises(EditError, match="nested too deeply"):
        edit_citation(text, FACTS)


def test_a_codemeta_number_of_thousands_of_digits_is_kept_as_written():
    big = "7" * 5000
    text = f'{{\n  "name": "Tide tools",\n  "size": {big},\n  "version": 1.1\n}}\n'

    edited = edit_codemeta(text, FACTS)

    assert f'"size": {big},' in edited and '"version": "1.2.0"' in edited


# --- README: code by CommonMark's rules --------------------------------------------------

EXAMPLE = f"{MARKER_OPEN}{MARKER_CLOSE}"


@pytest.mark.parametrize(
    "readme",
    [
        # a "closing" fence indented 4 spaces closes nothing: the example stays code
        f"# T\n\n```\nx\n    ```\n{EXAMPLE}\n```\n",
        # a fenced example inside a list item
        f"# T\n\n10. Put the markers:\n\n    ```md\n    {EXAMPLE}\n    ```\n",
        f"> ```md\n> {EXAMPLE}\n> ```\n",
        # (a span across lines: a line starting `<!--` would interrupt the paragraph)
        f"Write `{MARKER_OPEN}\n    {MARKER_CLOSE}` where the badge goes.\n",
        f"Indented:\n\n    {EXAMPLE}\n",
        # an HTML comment line is an HTML block that ends there: no paragraph goes on
        f"# Tool\n<!-- badges: managed by CI -->\n    {MARKER_OPEN}\n    {MARKER_CLOSE}\n",
    ],
)
def test_markers_shown_as_code_are_not_edited(readme):
    assert readme_markers(readme) == 0
    assert edit_readme(readme, FACTS) == readme
