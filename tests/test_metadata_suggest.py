"""Suggestions that help (metadata/suggest.py): a guess only when it is close and valid
where the key is, where a key of another place belongs, licence expressions explained,
the user's own ORCID as the URL to write, long lists cut to the nearest few."""

from __future__ import annotations

from pathlib import Path

import pytest

from zenodo_action.metadata import cff, suggest
from zenodo_action.metadata.loader import load_config
from zenodo_action.metadata.validate import validate

CFF_HEAD = "cff-version: 1.2.0\nmessage: Cite it.\ntitle: Tool\nauthors:\n  - name: ACME\n"
ZENODO_HEAD = "title: Tool\nupload_type: software\ncreators:\n  - name: Doe, Jane\n"


def messages(tmp_path: Path, name: str, text: str) -> dict[str, str]:
    """Problem path -> message, for a CITATION.cff (its own checks) or a .zenodo.yml."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    problems = cff.check(config) if name.endswith(".cff") else validate(config)
    return {p.path: p.message for p in problems}


def test_a_cff_key_of_another_place_says_where_it_belongs_not_a_far_guess(tmp_path):
    said = messages(tmp_path, "CITATION.cff", CFF_HEAD + "journal: Journal of Tools\n")
    assert said["journal"] == (
        "unknown key in CFF 1.2.0; not a key at the top level: it belongs under "
        "preferred-citation, or in an entry of references"
    )


def test_a_close_misspelling_is_still_guessed_and_case_alone_is_close(tmp_path):
    said = messages(tmp_path, "CITATION.cff", CFF_HEAD + "licence: MIT\nTitle: Tool\n")
    assert said["licence"].endswith("did you mean 'license'?")
    assert said["Title"].endswith("did you mean 'title'?")


def test_an_unknown_cff_key_lists_the_nearest_keys_and_the_guide(tmp_path):
    said = messages(tmp_path, "CITATION.cff", CFF_HEAD + "colour: blue\n")["colour"]
    assert said.startswith("unknown key in CFF 1.2.0; allowed here: ")
    assert " and 18 more (" in said and cff.GUIDE in said
    assert "abstract, authors" not in said  # the whole list is not printed


def test_a_zenodo_key_of_an_entry_at_the_top_says_which_entries(tmp_path):
    text = ZENODO_HEAD + "orcid: 0000-0002-1825-0097\n"
    said = messages(tmp_path, ".zenodo.yml", text)["orcid"]
    assert said.endswith("it belongs in an entry of creators, contributors or thesis_supervisors")


def test_an_unknown_zenodo_key_lists_a_few_and_points_at_the_schema_command(tmp_path):
    said = messages(tmp_path, ".zenodo.yml", ZENODO_HEAD + "colour: blue\n")["colour"]
    assert "and 42 more (`zenodo-action schema` lists them all)" in said
    assert said.count(",") <= 3


def test_a_value_far_from_any_gets_the_nearest_few_not_a_guess(tmp_path):
    text = ZENODO_HEAD + "related_identifiers:\n  - identifier: 10.1/x.y\n    relation: partly\n"
    said = messages(tmp_path, ".zenodo.yml", text)["related_identifiers[0].relation"]
    assert "did you mean" not in said
    assert "more (`zenodo-action schema` lists them all)" in said


@pytest.mark.parametrize("written", ["MIT OR Apache-2.0", "MIT | Apache-2.0", "(MIT/Apache-2.0)"])
def test_a_licence_expression_is_explained_in_a_zenodo_file(tmp_path, written):
    said = messages(tmp_path, ".zenodo.yml", ZENODO_HEAD + f"license: '{written}'\n")["license"]
    assert said == (
        f"{written!r} is a licence expression, and a Zenodo record has one licence: choose "
        "one of MIT, Apache-2.0 for license, and name the others in the description or notes"
    )


def test_a_licence_expression_in_cff_is_written_as_cffs_list(tmp_path):
    said = messages(tmp_path, "CITATION.cff", CFF_HEAD + "license: MIT | Apache-2.0\n")
    assert said["license"] == (
        "'MIT | Apache-2.0' is a licence expression, and a Zenodo record has one licence: "
        "CFF lists the choice as license: [MIT, Apache-2.0], and Zenodo records the first"
    )


def test_a_licence_exception_is_named_in_the_notes(tmp_path):
    text = ZENODO_HEAD + "license: GPL-2.0-only WITH Classpath-exception-2.0\n"
    said = messages(tmp_path, ".zenodo.yml", text)["license"]
    assert "write GPL-2.0-only and name the exception in the notes" in said


def test_one_licence_is_offered_in_one_spelling():
    assert suggest.licenses_like("Apache 2") == ["Apache-2.0"]  # not also Zenodo's apache2.0


def test_a_cff_orcid_without_its_url_is_shown_as_the_users_own_url(tmp_path):
    text = CFF_HEAD.replace("  - name: ACME\n", "  - name: ACME\n    orcid: 0000-0001-5109-3700\n")
    said = messages(tmp_path, "CITATION.cff", text)["authors[0].orcid"]
    assert "is read as https://orcid.org/0000-0001-5109-3700; write it that way" in said


@pytest.mark.parametrize(
    ("word", "choices", "meant"),
    [
        ("journal", ["url", "title"], None),  # 0.6 alike: no guess
        ("isPartOff", ["isPartOf", "hasPart"], "isPartOf"),
        ("SOFTWARE", ["software", "dataset"], "software"),
    ],
)
def test_close_guesses_only_what_is_close(word, choices, meant):
    assert suggest.close(word, choices) == meant


@pytest.mark.parametrize(
    ("written", "spdx"),
    [
        ("https://opensource.org/licenses/Apache-2.0", "Apache-2.0"),
        ("https://choosealicense.com/licenses/mit/", "MIT"),
        ("https://spdx.org/licenses/MIT.html", "MIT"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
    ],
)
def test_a_licence_url_is_called_a_url_and_gives_the_id_to_write(tmp_path, written, spdx):
    advice = f"{written!r} is a licence URL; write the id {spdx}"
    zenodo = messages(tmp_path, ".zenodo.yml", ZENODO_HEAD + f"license: {written}\n")
    assert zenodo["license"] == advice
    assert (
        messages(tmp_path, "CITATION.cff", CFF_HEAD + f"license: {written}\n")["license"] == advice
    )


def test_a_url_naming_no_licence_asks_for_the_spdx_id(tmp_path):
    said = messages(tmp_path, ".zenodo.yml", ZENODO_HEAD + "license: https://example.org/l\n")
    assert "is a URL that names no licence Zenodo knows" in said["license"]
    assert "expression" not in said["license"]


@pytest.mark.parametrize(
    ("written", "offered"),
    [
        ("GPL3", ["GPL-3.0-only", "GPL-3.0-or-later"]),
        ("GPLv2", ["GPL-2.0-only", "GPL-2.0-or-later"]),
        ("BSD", ["BSD-3-Clause", "BSD-2-Clause"]),
        ("LGPL", ["LGPL-3.0-only", "LGPL-3.0-or-later", "LGPL-2.1-only"]),
        ("AGPL", ["AGPL-3.0-only", "AGPL-3.0-or-later"]),
        ("Apachee-2.0", ["Apache-2.0", "Apache-1.0"]),  # a near spelling
        ("Not-A-Licence", []),  # nothing is close: no guess (not ntp-license)
        ("GPL4", []),  # the family has no such version
    ],
)
def test_licences_are_offered_within_the_family_written_or_not_at_all(written, offered):
    assert suggest.licenses_like(written) == offered


def test_a_cff_licence_is_offered_only_as_an_spdx_id_cff_takes(tmp_path):
    said = messages(tmp_path, "CITATION.cff", CFF_HEAD + "license: CC-BY\n")["license"]
    assert said == "'CC-BY' is not an SPDX license id; did you mean CC-BY-4.0?"  # not cc-by
    said = messages(tmp_path, "CITATION.cff", CFF_HEAD + "license: GPL3\n")["license"]
    assert said.endswith("did you mean GPL-3.0-only or GPL-3.0-or-later?")
    for written in ("BSD", "LGPL", "Not-A-Licence", "cc-zero"):
        for offered in suggest.licenses_like(written, spdx_only=True):
            assert offered in cff.schema()["definitions"]["license-enum"]["enum"]
