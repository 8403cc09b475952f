"""Validation cases: each file, valid or not, with the exact problems it must produce
(severity, JSON path, line, rule code) and nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zenodo_action.metadata.loader import load_config
from zenodo_action.metadata.validate import validate

TODAY = date(2025, 6, 1)

# Valid and warning-free. Lines: 1 title, 2 upload_type, 3 description, 4 license,
# 5 creators, 6 the creator; a case's extra lines start at line 7.
BASE = """\
title: Tide tools
upload_type: software
description: Tools for tide-gauge data.
license: MIT
creators:
  - name: Doe, Jane
"""


def without(key: str) -> str:
    return "".join(line for line in BASE.splitlines(True) if not line.startswith(key))


def found(tmp_path, text: str, name: str = ".zenodo.yml") -> set[tuple]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    problems = validate(load_config(path), today=TODAY)
    return {(p.severity, p.path, p.line, p.code) for p in problems}


E, W = "error", "warning"

CASES = {
    # --- valid files -------------------------------------------------------------
    "minimal valid file": (BASE, set()),
    "every optional field, valid": (
        BASE
        + """\
access_right: open
keywords: [tides, sea level]
language: en
notes: Some notes.
method: A method.
references: ["Doe J (2020) Tides. J. Ocean 1:1"]
communities: [{identifier: zenodo}]
grants: [{id: "10.13039/501100000780::283595"}]
subjects: [{term: Oceanography, identifier: "https://id.loc.gov/sh1", scheme: url}]
locations: [{place: Den Helder, lat: 52.96, lon: 4.75}]
imprint_publisher: Zenodo
custom: {"dwc:genus": [Felis]}
""",
        set(),
    ),
    "organisation as creator": (
        BASE + "  - name: The Astropy Collaboration\n",
        set(),
    ),
    "orcid with URL prefix and X check digit": (
        BASE + "    orcid: https://orcid.org/0000-0002-1694-233X\n",
        set(),
    ),
    "relation in lower case (Zenodo lower-cases it)": (
        BASE + "related_identifiers:\n  - identifier: 10.1234/abc\n    relation: issupplementto\n",
        set(),
    ),
    "contributor role in any case": (
        BASE + "contributors:\n  - name: Roe, Rick\n    type: projectmember\n",
        set(),
    ),
    "YAML anchors and merge keys": (
        BASE + "  - &roe {name: 'Roe, Rick', affiliation: Example}\n"
        "  - <<: *roe\n    name: Poe, Edgar\n",
        set(),
    ),
    # Zenodo's legacy API drops access_conditions today: not required, and a warning
    "restricted with access conditions": (
        BASE + "access_right: restricted\naccess_conditions: Ask the data steward.\n",
        {(W, "access_conditions", 8, "ignored-field")},
    ),
    "embargo in the future": (
        BASE + "access_right: embargoed\nembargo_date: 2025-06-02\n",
        set(),
    ),
    # --- required fields -----------------------------------------------------------
    "missing title": (without("title"), {(E, "title", 1, "required")}),
    "title too short": (
        BASE.replace("Tide tools", "TT"),
        {(E, "title", 1, "too-short")},
    ),
    "missing creators": (
        without("creators").replace("  - name: Doe, Jane\n", ""),
        {(E, "creators", 1, "required")},
    ),
    "empty creators list": (
        BASE.replace("creators:\n  - name: Doe, Jane\n", "creators: []\n"),
        {(E, "creators", 5, "empty-list")},
    ),
    "missing upload_type": (without("upload_type"), {(E, "upload_type", 1, "required")}),
    "creator without name": (
        BASE + "  - affiliation: Example\n",
        {(E, "creators[1].name", 7, "required")},
    ),
    # --- types ---------------------------------------------------------------------
    "version written as a float": (
        BASE + "version: 1.10\n",
        {(E, "version", 7, "type"), (W, "version", 7, "hard-coded-version")},
    ),
    "title that YAML reads as a boolean": (
        BASE.replace("Tide tools", "yes"),
        {(E, "title", 1, "type")},
    ),
    "creators as a single string": (
        BASE.replace("creators:\n  - name: Doe, Jane\n", "creators: Doe, Jane\n"),
        {(E, "creators", 5, "type")},
    ),
    "creator as a string": (
        BASE + "  - Roe, Rick\n",
        {(E, "creators[1]", 7, "type")},
    ),
    "keywords as one string": (
        BASE + "keywords: tides, sea level\n",
        {(E, "keywords", 7, "type")},
    ),
    "empty description": (
        BASE.replace("description: Tools for tide-gauge data.", "description:"),
        {(E, "description", 3, "type")},
    ),
    "empty upload_type is one problem, not two": (
        BASE.replace("upload_type: software", "upload_type:"),
        {(E, "upload_type", 2, "type")},
    ),
    "license as a number": (
        BASE.replace("license: MIT", "license: 123"),
        {(E, "license", 4, "type")},
    ),
    # --- unknown and duplicate keys ---------------------------------------------------
    "funding instead of grants": (
        BASE + "funding:\n  - id: '283595'\n",
        {(E, "funding", 7, "unknown-key")},
    ),
    "author instead of creators": (BASE + "author: Doe, Jane\n", {(E, "author", 7, "unknown-key")}),
    "unknown key inside a creator": (
        BASE + "    affiliations: Example\n",
        {(E, "creators[0].affiliations", 7, "unknown-key")},
    ),
    "metadata wrapper copied from an API body": (
        "metadata:\n  title: Tide tools\n",
        {
            (E, "metadata", 1, "unknown-key"),
            (E, "title", 1, "required"),
            (E, "creators", 1, "required"),
            (E, "upload_type", 1, "required"),
            (W, "description", 1, "missing-description"),
            (W, "license", 1, "default-license"),
        },
    ),
    "`on` stays a key name, not true": (BASE + "on: push\n", {(E, "on", 7, "unknown-key")}),
    "duplicate key": (BASE + "title: Another title\n", {(E, "title", 7, "duplicate-key")}),
    "duplicate key inside a creator": (
        BASE + "    name: Roe, Rick\n",
        {(E, "creators[0].name", 7, "duplicate-key")},
    ),
    # --- vocabularies -----------------------------------------------------------------
    "unknown upload_type": (
        BASE.replace("upload_type: software", "upload_type: sofware"),
        {(E, "upload_type", 2, "vocabulary")},
    ),
    "unknown access_right": (
        BASE + "access_right: public\n",
        {(E, "access_right", 7, "vocabulary")},
    ),
    "unknown publication_type": (
        BASE.replace("software", "publication") + "publication_type: articel\n",
        {(E, "publication_type", 7, "vocabulary")},
    ),
    "publication without a subtype": (
        BASE.replace("software", "publication"),
        {(W, "publication_type", 2, "missing-subtype")},  # on upload_type, which asks for it
    ),
    "publication_type on software is ignored": (
        BASE + "publication_type: article\n",
        {(W, "publication_type", 7, "ignored-field")},
    ),
    "unknown image_type": (
        BASE.replace("software", "image") + "image_type: painting\n",
        {(E, "image_type", 7, "vocabulary")},
    ),
    "unknown relation": (
        BASE + "related_identifiers:\n  - identifier: 10.1234/abc\n    relation: cited\n",
        {(E, "related_identifiers[0].relation", 9, "vocabulary")},
    ),
    "misspelled relation Zenodo tolerates": (
        BASE
        + "related_identifiers:\n  - identifier: 10.1234/abc\n    relation: isOrignialFormOf\n",
        {(W, "related_identifiers[0].relation", 9, "misspelled")},
    ),
    "unknown related resource_type": (
        BASE
        + "related_identifiers:\n  - identifier: 10.1234/abc\n    relation: cites\n"
        + "    resource_type: paper\n",
        {(E, "related_identifiers[0].resource_type", 10, "vocabulary")},
    ),
    "unknown contributor type": (
        BASE + "contributors:\n  - name: Roe, Rick\n    type: Boss\n",
        {(E, "contributors[0].type", 9, "vocabulary")},
    ),
    "contributor without type": (
        BASE + "contributors:\n  - name: Roe, Rick\n",
        {(E, "contributors[0].type", 8, "required")},
    ),
    "unknown date type": (
        BASE + "dates:\n  - start: '2020-01-01'\n    type: measured\n",
        {(E, "dates[0].type", 9, "vocabulary")},
    ),
    # --- related identifiers ------------------------------------------------------------
    "related identifier without relation": (
        BASE + "related_identifiers:\n  - identifier: 10.1234/abc\n",
        {(E, "related_identifiers[0].relation", 8, "required")},
    ),
    "related identifier without identifier": (
        BASE + "related_identifiers:\n  - relation: cites\n",
        {(E, "related_identifiers[0].identifier", 8, "required")},
    ),
    "related DOI with a space": (
        BASE + "related_identifiers:\n  - identifier: 10.1234 /abc\n    relation: cites\n",
        {(E, "related_identifiers[0].identifier", 8, "doi-syntax")},
    ),
    # --- identifiers ----------------------------------------------------------------------
    "ORCID with a wrong check digit": (
        BASE + "    orcid: 0000-0002-1825-0098\n",
        {(E, "creators[0].orcid", 7, "orcid-checksum")},
    ),
    "ORCID in the wrong format": (
        BASE + "    orcid: 0000-0002-1825\n",
        {(E, "creators[0].orcid", 7, "orcid-format")},
    ),
    # Zenodo repairs these before checking (zenodo-api.md §11.1): warnings, not errors
    "ORCID with a trailing space": (
        BASE + "    orcid: '0000-0002-1252-8772 '\n",
        {(W, "creators[0].orcid", 7, "orcid-repaired")},
    ),
    "ORCID with a hyphen missing": (
        BASE + "    orcid: 0000-0002-10257956\n",
        {(W, "creators[0].orcid", 7, "orcid-repaired")},
    ),
    "ORCID without hyphens": (
        BASE + "    orcid: '0000000218250097'\n",
        {(W, "creators[0].orcid", 7, "orcid-repaired")},
    ),
    "ORCID Zenodo cannot repair": (
        BASE + "    orcid: A0000-0002-2432-8946\n",
        {(E, "creators[0].orcid", 7, "orcid-format")},
    ),
    "ORCID as a URL is fine": (
        BASE + "    orcid: https://orcid.org/0000-0002-1825-0097\n",
        set(),
    ),
    "an extra key in a creator is dropped, not fatal": (
        BASE + "    role: AM (Advisory Member)\n",
        {(W, "creators[0].role", 7, "unknown-key")},
    ),
    "a handle as a creator's name has nothing to split": (
        BASE.replace("Doe, Jane", "probonopd"),
        set(),
    ),
    "contributor without a role": (
        BASE + "contributors:\n  - name: Roe, Rick\n",
        {(E, "contributors[0].type", 8, "required")},
    ),
    "licence by its OSI name": (
        BASE.replace("license: MIT", "license: BSD+Patent"),
        {(E, "license", 4, "license-unknown")},
    ),
    "contributor ORCID checksum": (
        BASE + "contributors:\n  - name: Roe, Rick\n    type: Editor\n"
        "    orcid: 0000-0001-5109-3701\n",
        {(E, "contributors[0].orcid", 10, "orcid-checksum")},
    ),
    "DOI committed in the file": (
        BASE + "doi: 10.5281/zenodo.1234\n",
        {(W, "doi", 7, "doi-in-file")},
    ),
    "prereserve_doi copied from an API response": (
        BASE + "prereserve_doi: {doi: 10.5281/zenodo.1, recid: 1}\n",
        {(W, "prereserve_doi", 7, "ignored-field")},
    ),
    "DOI written as a URL": (
        BASE + "doi: https://doi.org/10.5281/zenodo.1234\n",
        {(E, "doi", 7, "doi-syntax"), (W, "doi", 7, "doi-in-file")},
    ),
    # --- dates ----------------------------------------------------------------------------
    "publication_date hard-coded": (
        BASE + "publication_date: 2024-05-01\n",
        {(W, "publication_date", 7, "hard-coded-date")},
    ),
    "publication_date with a time": (
        BASE + "publication_date: '2024-05-01T10:00'\n",
        {(E, "publication_date", 7, "date-format"), (W, "publication_date", 7, "hard-coded-date")},
    ),
    "publication_date that does not exist": (
        BASE + "publication_date: 2024-02-30\n",
        {(E, "publication_date", 7, "date-invalid"), (W, "publication_date", 7, "hard-coded-date")},
    ),
    "publication_date interval backwards": (
        BASE + "publication_date: 2024/2020\n",
        {(E, "publication_date", 7, "date-order"), (W, "publication_date", 7, "hard-coded-date")},
    ),
    "date item with neither start nor end": (
        BASE + "dates:\n  - type: collected\n",
        {(E, "dates[0]", 8, "required")},
    ),
    "date item start after end": (
        BASE + "dates:\n  - {start: '2021', end: '2020', type: valid}\n",
        {(E, "dates[0]", 8, "date-order")},
    ),
    # --- access ---------------------------------------------------------------------------
    "embargoed without embargo_date": (
        BASE + "access_right: embargoed\n",
        {(E, "embargo_date", 7, "required")},  # on `access_right: embargoed`
    ),
    "embargo date in the past": (
        BASE + "access_right: embargoed\nembargo_date: 2025-06-01\n",
        {(E, "embargo_date", 8, "embargo-past")},
    ),
    "embargo date not ISO": (
        BASE + "access_right: embargoed\nembargo_date: 01/06/2026\n",
        {(E, "embargo_date", 8, "date-format")},
    ),
    "embargo date while open": (
        BASE + "embargo_date: 2026-01-01\n",
        {(W, "embargo_date", 7, "ignored-field")},
    ),
    "restricted without access conditions": (BASE + "access_right: restricted\n", set()),
    "a name with nothing before its comma": (
        BASE.replace("name: Doe, Jane", "name: ', Jane'"),
        {(E, "creators[0].name", 6, "name-blank")},
    ),
    # --- licenses -------------------------------------------------------------------------
    "unknown license id": (
        BASE.replace("license: MIT", "license: GPL-4.0"),
        {(E, "license", 4, "license-unknown")},
    ),
    "unknown license id in an object": (
        BASE.replace("license: MIT", "license: {id: not-a-license}"),
        {(E, "license.id", 4, "license-unknown")},
    ),
    "no license": (without("license"), {(W, "license", 1, "default-license")}),
    # --- other fields ---------------------------------------------------------------------
    "missing description": (without("description"), {(W, "description", 1, "missing-description")}),
    "creator name not Family, Given": (
        BASE.replace("Doe, Jane", "Jane Doe"),
        {(W, "creators[0].name", 6, "name-format")},
    ),
    "creator name with two commas": (
        BASE.replace("Doe, Jane", "'Doe, Jane, PhD'"),
        {(W, "creators[0].name", 6, "name-format")},
    ),
    "language as a word": (BASE + "language: english\n", {(E, "language", 7, "language-format")}),
    "latitude out of range": (
        BASE + "locations:\n  - {place: Pole, lat: 100, lon: 0}\n",
        {(E, "locations[0].lat", 8, "range")},
    ),
    "location without place": (
        BASE + "locations:\n  - lat: 52.9\n",
        {(E, "locations[0].place", 8, "required")},
    ),
    "grant as a bare string": (BASE + "grants: ['283595']\n", {(E, "grants[0]", 7, "type")}),
    "community without identifier": (
        BASE + "communities:\n  - name: zenodo\n",
        {
            (E, "communities[0].identifier", 8, "required"),
            # an extra key in an entry is dropped, the rest published: a warning
            (W, "communities[0].name", 8, "unknown-key"),
        },
    ),
    # --- what Zenodo's deserializer and record schema refuse (zenodo-deposit-rules.md) --
    "a bare SWHID: no scheme Zenodo recognises": (
        BASE + "related_identifiers:\n  - identifier: swh:1:dir:" + "a" * 40 + "\n"
        "    relation: isIdenticalTo\n",
        {(E, "related_identifiers[0].identifier", 8, "identifier-scheme")},
    ),
    "a host name is no URL": (
        BASE + "related_identifiers:\n  - identifier: www.example.org\n"
        "    relation: isSupplementTo\n",
        {(E, "related_identifiers[0].identifier", 8, "identifier-scheme")},
    ),
    "a handle, an arXiv id, a URN, an ISBN are schemes": (
        BASE
        + "related_identifiers:\n"
        + "".join(
            f"  - identifier: {i}\n    relation: cites\n"
            for i in ("hdl:11234/1-3105", "arXiv:2101.00001", "urn:nbn:de:1", "978-3-16-148410-0")
        ),
        set(),
    ),
    "a language Zenodo's vocabulary lacks": (
        BASE + "language: xq\n",
        {(E, "language", 7, "vocabulary")},
    ),
    "a 2-letter language Zenodo maps, and a 3-letter one it knows": (
        BASE + "language: de\n",
        set(),
    ),
    "an alternate identifier given twice, in two forms": (
        BASE
        + "related_identifiers:\n  - identifier: 10.1234/x\n    relation: isAlternateIdentifier\n"
        "  - identifier: https://doi.org/10.1234/x\n    relation: isAlternateIdentifier\n",
        {(E, "related_identifiers[1].identifier", 10, "duplicate-identifier")},
    ),
    "publication-thesis is no type Zenodo's vocabulary holds (now publication-dissertation)": (
        BASE + "related_identifiers:\n  - identifier: 10.1234/x\n    relation: cites\n"
        "    resource_type: publication-thesis\n",
        {(E, "related_identifiers[0].resource_type", 10, "vocabulary")},
    ),
    "a description of 2 characters": (
        BASE.replace("description: Tools for tide-gauge data.", "description: ab"),
        {(E, "description", 3, "too-short")},
    ),
    "a description of spaces": (
        BASE.replace("description: Tools for tide-gauge data.", "description: '   '"),
        {(E, "description", 3, "too-short")},
    ),
    "a description that is only markup Zenodo removes": (
        BASE.replace("description: Tools for tide-gauge data.", "description: <img src=x>"),
        {(E, "description", 3, "too-short"), (W, "description", 3, "html-removed")},
    ),
    "notes of 2 characters; empty notes are dropped by Zenodo": (
        BASE + "notes: ab\nmethod: ''\n",
        {(E, "notes", 7, "too-short")},
    ),
    "HTML Zenodo removes": (
        BASE + "notes: <p>See <img src=x.png> and <hr> here</p>\n",
        {(W, "notes", 7, "html-removed")},
    ),
    "a title of spaces and two letters": (
        BASE.replace("title: Tide tools", "title: '  ab  '"),
        {(E, "title", 1, "too-short")},
    ),
    "a blank keyword": (BASE + "keywords: [tides, ' ']\n", {(E, "keywords[1]", 7, "empty-value")}),
    "an ORCID outside the blocks ORCID issues": (
        BASE + "    orcid: 0000-0000-0000-0000\n",
        {(E, "creators[0].orcid", 7, "orcid-checksum")},
    ),
    "an ORCID with a lower-case x is read by Zenodo": (
        BASE + "    orcid: 0000-0002-1694-233x\n",
        set(),
    ),
    "an ORCID URL with www: Zenodo's idutils does not strip it": (
        BASE + "    orcid: https://www.orcid.org/0000-0002-1825-0097\n",
        {(E, "creators[0].orcid", 7, "orcid-format")},
    ),
    # --- syntax ---------------------------------------------------------------------------
    "YAML syntax error": (BASE + "keywords: [a, b\n", {(E, "", 8, "syntax")}),
    "tab indentation": (BASE + "\t- name: Roe, Rick\n", {(E, "", 7, "syntax")}),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_exact_problems(tmp_path, text, expected):
    assert found(tmp_path, text) == expected


@pytest.mark.parametrize(
    "license_id",
    [
        "MIT",
        "mit",
        "CC-BY-4.0",
        "cc-by-4.0",
        "cc-zero",
        "CC0-1.0",
        "mit-license",
        "apache2.0",
        "Apache-2.0",
        "GPL-3.0-or-later",
        "BSD-3-Clause",
        # Zenodo's additions of 2023-11 and 2024-03 (its legacy licence map)
        "gpl-3.0+",
        "LGPL-2.1+",
        "gfdl-1.3",
        "agpl-1.0",
        "bsd-2-clause-freebsd",
        "standardml-nj",
        # a legacy id Zenodo keeps as a free-text licence, looked up as written
        "fal",
    ],
)
def test_license_ids_zenodo_accepts(tmp_path, license_id):
    assert found(tmp_path, BASE.replace("license: MIT", f"license: {license_id}")) == set()


def test_messages_name_the_fix(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text(
        BASE + "    orcid: 0000-0002-1825-0098\nfunding: []\nversion: 1.10\n", encoding="utf-8"
    )
    problems = validate(load_config(path), today=TODAY)
    messages = {p.path: p.message for p in problems if p.severity == "error"}
    assert "did you mean 'grants'?" in messages["funding"]
    assert (
        "'0000-0002-1825-0098' fails the ORCID checksum; check the last digit"
        in (messages["creators[0].orcid"])
    )
    assert "put the value in quotes: '1.10'" in messages["version"]


def test_a_repaired_orcid_shows_the_stored_form(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text(BASE + "    orcid: 0000-0002-10257956\n", encoding="utf-8")
    (problem,) = validate(load_config(path), today=TODAY)
    assert "stored as 0000-0002-1025-7956" in problem.message


def test_an_osi_licence_name_suggests_its_spdx_id(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text(BASE.replace("license: MIT", "license: BSD+Patent"), encoding="utf-8")
    (problem,) = validate(load_config(path), today=TODAY)
    assert "did you mean 'BSD-2-Clause-Patent'?" in problem.message


def test_unknown_license_suggests_close_ids(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text(BASE.replace("license: MIT", "license: CC-BY-4"), encoding="utf-8")
    (problem,) = validate(load_config(path), today=TODAY)
    assert "'CC-BY-4.0'" in problem.message


def test_embargo_depends_on_the_injected_day(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text(BASE + "access_right: embargoed\nembargo_date: 2030-01-01\n", encoding="utf-8")
    config = load_config(path)
    assert validate(config, today=date(2029, 12, 31)) == []
    assert [p.code for p in validate(config, today=date(2030, 1, 1))] == ["embargo-past"]


def test_problems_come_sorted_by_line(tmp_path):
    path = tmp_path / ".zenodo.yml"
    path.write_text("author: x\n" + without("description") + "funding: []\n", encoding="utf-8")
    lines = [p.line for p in validate(load_config(path), today=TODAY)]
    assert lines == sorted(lines)


def test_json_file_gets_the_same_rules_and_positions(tmp_path):
    text = '{\n\t"title": "TT",\n\t"upload_type": "software",\n'
    text += '\t"creators": [{"name": "Doe, Jane"}],\n'
    text += '\t"description": "Tides.",\n\t"license": "mit",\n\t"title": "Tide"\n}\n'
    assert found(tmp_path, text, ".zenodo.json") == {(E, "title", 7, "duplicate-key")}


# --- issue 12: what cannot be sent, crashes, entity names, licence names -------------------


def test_a_list_where_a_relation_belongs_is_a_type_error_not_a_crash(tmp_path):
    text = BASE + "related_identifiers:\n  - identifier: 10.1234/abc\n    relation: [cites]\n"
    assert found(tmp_path, text) == {(E, "related_identifiers[0].relation", 9, "type")}


def test_validate_rejects_what_no_loader_saw():
    """A record built elsewhere (a merged one, a release's fields) is checked too, with
    the field's place."""
    from zenodo_action.metadata.loader import Config

    data = {"title": "Tides \udc80", "locations": [{"place": "x", "lat": float("nan")}]}
    config = Config(Path("x.yml"), data)
    found = {(p.path, p.code) for p in validate(config, today=TODAY) if p.severity == E}
    assert ("title", "unencodable-text") in found
    assert ("locations[0].lat", "non-finite-number") in found


def test_a_problem_the_loader_found_is_reported_once(tmp_path):
    text = BASE + 'keywords:\n  - "\\udc80"\ncustom: {a: .nan}\n'
    assert found(tmp_path, text) == {
        (E, "keywords[0]", 8, "unencodable-text"),
        (E, "custom.a", 9, "non-finite-number"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "zenodo-action maintainers",
        "The tidewatch developers",
        "Tidewatch Team",
        "OpenAstronomy Consortium",
        "The Astropy Project",
        "scikit-image contributors",
        "LIGO Scientific Collaboration",
        "Acme Labs",
        "Research Software Engineering Group",
        "Example University",
        "R Core Team",
        "Jupyter Steering Council",
        "CERN IT Department",
        "H2O.ai",
        "Smith & Wesson",
    ],
)
def test_an_organisation_gets_no_name_form_warning(tmp_path, name):
    assert found(tmp_path, BASE.replace("Doe, Jane", name)) == set()


@pytest.mark.parametrize("name", ["Jane Doe", "Ludwig van Beethoven", "Doe Jane Marie"])
def test_a_person_written_given_first_still_warns(tmp_path, name):
    assert found(tmp_path, BASE.replace("Doe, Jane", name)) == {
        (W, "creators[0].name", 6, "name-format")
    }


def test_this_repositorys_own_metadata_passes_strict():
    from zenodo_action.metadata.problems import as_errors

    root = Path(__file__).parents[1]
    problems = as_errors(validate(load_config(root / ".zenodo.yml"), today=TODAY))
    assert [p for p in problems if p.severity == E] == []


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("MIT License", "MIT"),
        ("The MIT License", "MIT"),
        ("Apache License 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("BSD 3-Clause License", "BSD-3-Clause"),
        ('BSD 2-Clause "Simplified" License', "BSD-2-Clause"),
        ("GNU General Public License v3.0", "GPL-3.0"),
        ("GNU Lesser General Public License v2.1", "LGPL-2.1"),
        ("Mozilla Public License 2.0", "MPL-2.0"),
        ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"),
        ("CC0 1.0 Universal", "CC0-1.0"),
        ("ISC License", "ISC"),
        ("The Unlicense", "Unlicense"),
    ],
)
def test_a_licence_written_as_its_name_suggests_the_spdx_id(tmp_path, written, suggested):
    path = tmp_path / ".zenodo.yml"
    path.write_text(BASE.replace("license: MIT", f"license: '{written}'"), encoding="utf-8")
    (problem,) = validate(load_config(path), today=TODAY)
    assert problem.code == "license-unknown"
    assert f"did you mean '{suggested}'?" in problem.message


@pytest.mark.parametrize(
    ("display", "creator"),
    [("Jane Doe", "Doe, Jane"), ("Acme Labs", "Acme Labs"), ("Tidewatch Team", "Tidewatch Team")],
)
def test_a_github_display_name_is_split_only_when_it_is_a_persons(display, creator):
    from zenodo_action.metadata.names import creator_from_display_name

    assert creator_from_display_name(display, "login") == creator


def test_a_renamed_resource_type_suggests_zenodo_s_name(tmp_path):
    text = BASE + (
        "related_identifiers:\n  - identifier: 10.1234/x\n    relation: cites\n"
        "    resource_type: publication-thesis\n"
    )
    path = tmp_path / ".zenodo.yml"
    path.write_text(text)
    [problem] = validate(load_config(path), today=TODAY)
    assert "did you mean 'publication-dissertation'?" in problem.message
