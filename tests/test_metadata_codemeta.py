"""codemeta.json as a source: its checks, its mapping to Zenodo's fields, and where each
mapped value came from in the file."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zenodo_action.metadata import codemeta
from zenodo_action.metadata.codemeta import jsonld
from zenodo_action.metadata.codemeta.jsonld import Located
from zenodo_action.metadata.loader import Config, load_config
from zenodo_action.metadata.problems import ERROR, NOTICE, WARNING, Problem

V2 = "https://doi.org/10.5063/schema/codemeta-2.0"
V3 = "https://w3id.org/codemeta/3.0"
ORCID = "0000-0002-1825-0097"  # Josiah Carberry, ORCID's test iD: a valid checksum
EC = "10.13039/501100000780"  # European Commission in the Crossref Funder Registry

CODEMETA_2 = """\
{
  "@context": "https://doi.org/10.5063/schema/codemeta-2.0",
  "@type": "SoftwareSourceCode",
  "name": "Widget Toolkit",
  "description": "Widgets for science.\\n\\nFast & <small>.",
  "version": "2.1.0",
  "datePublished": "2024-05-17",
  "dateModified": "2024-05-20",
  "license": "https://spdx.org/licenses/MIT",
  "keywords": "widgets, science ,toolkit",
  "codeRepository": "https://github.com/example/widgets",
  "identifier": "https://doi.org/10.5281/zenodo.1234567",
  "author": {
    "@list": [
      {
        "@type": "Person",
        "@id": "https://orcid.org/0000-0002-1825-0097",
        "givenName": "Josiah",
        "familyName": "Carberry",
        "affiliation": "Brown University"
      },
      {
        "@type": "Organization",
        "name": "The Widget Team"
      },
      {
        "@type": "Person",
        "givenName": "Ada",
        "familyName": "Lovelace",
        "affiliation": {
          "@type": "Organization",
          "name": "Analytical Engine Society"
        }
      }
    ]
  },
  "contributor": [
    {
      "@type": "Person",
      "givenName": "Grace",
      "familyName": "Hopper"
    }
  ],
  "funder": {
    "@type": "Organization",
    "@id": "https://doi.org/10.13039/501100000780",
    "name": "European Commission"
  },
  "funding": [
    "10.13039/501100000780::101057344",
    "a grant from the Widget Foundation"
  ]
}
"""

CODEMETA_3 = """\
{
  "@context": ["https://w3id.org/codemeta/3.0", "https://w3id.org/software-types"],
  "type": "SoftwareSourceCode",
  "id": "https://github.com/example/gadget",
  "name": "Gadget",
  "softwareVersion": "3.0.1",
  "datePublished": "2024-06-01",
  "license": ["Apache-2.0", "https://spdx.org/licenses/MIT.html"],
  "keywords": [
    {"@type": "DefinedTerm", "name": "gadgets"},
    "physics"
  ],
  "identifier": {
    "@type": "PropertyValue",
    "propertyID": "DOI",
    "value": "10.1000/gadget.2024"
  },
  "codeRepository": {"@id": "https://gitlab.com/example/gadget"},
  "author": [
    {
      "@id": "https://orcid.org/0000-0002-1825-0097",
      "@type": "Person",
      "givenName": ["Josiah", "S."],
      "familyName": "Carberry",
      "affiliation": [
        {"@id": "https://ror.org/05gq02987"},
        "Wesleyan University"
      ]
    },
    {
      "@type": "Role",
      "schema:author": "https://orcid.org/0000-0002-1825-0097",
      "roleName": "Maintainer"
    },
    {
      "@type": "Role",
      "roleName": "Developer",
      "author": {"@type": "Person", "givenName": "Ada", "familyName": "Lovelace"}
    }
  ],
  "maintainer": {"@id": "https://orcid.org/0000-0002-1825-0097"},
  "copyrightHolder": {
    "@id": "https://ror.org/05gq02987",
    "@type": "Organization",
    "name": "Brown University"
  },
  "referencePublication": {
    "@type": "ScholarlyArticle",
    "@id": "https://doi.org/10.21105/joss.01234"
  },
  "funding": [
    {
      "@type": "Grant",
      "identifier": "101057344",
      "funder": {
        "@type": "Organization",
        "@id": "https://doi.org/10.13039/501100000780",
        "name": "European Commission"
      }
    },
    {
      "@type": "Grant",
      "identifier": "2034567",
      "funder": {"@type": "Organization", "@id": "https://ror.org/021nxhr62", "name": "NSF"}
    }
  ]
}
"""


def load(tmp_path: Path, content: Any, name: str = "codemeta.json") -> Config:
    """A codemeta file written (text as is, anything else as indented JSON) and loaded."""
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line holding the n-th occurrence of `needle`."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) >= occurrence, f"{needle!r} is not in the text {occurrence} times"
    return lines[occurrence - 1]


def origin_line(config: Config, mapped: Any, zenodo_path: str) -> int | None:
    return config.position(mapped.origins[zenodo_path])[0]


def codes(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.severity, p.path, p.code) for p in problems]


def minimal(**terms: Any) -> dict[str, Any]:
    return {"@context": V3, "@type": "SoftwareSourceCode", "name": "X", **terms}


# --- reading JSON-LD (codemeta/jsonld.py) -------------------------------------------------


def test_every_value_is_read_with_the_path_it_is_written_at():
    data = {
        "keywords": [{"@list": ["a", None]}, None, {"@value": "b"}],
        "name": {"@set": "one"},
        "version": None,
    }
    found = [(item.value, item.path) for item in jsonld.values(data, "keywords")]
    assert found == [("a", 'keywords[0]["@list"][0]'), ({"@value": "b"}, "keywords[2]")]
    assert jsonld.literal(jsonld.values(data, "keywords")[1]) == Located(
        "b", 'keywords[2]["@value"]'
    )
    assert jsonld.values(data, "name") == [Located("one", 'name["@set"]')]
    assert jsonld.values(data, "version") == jsonld.values(data, "absent") == []


def test_a_reference_is_read_where_its_node_is_written_out():
    person = {"@id": "_:jane", "@type": "schema:Person", "familyName": "Doe"}
    data = {"author": [{"@id": "_:jane"}, "_:jane", "_:nobody"], "maintainer": person}
    index = jsonld.index_nodes(data)
    resolved = [jsonld.resolve(item, index) for item in jsonld.values(data, "author")]
    assert resolved[:2] == [Located(person, "maintainer")] * 2
    assert resolved[2] == Located("_:nobody", "author[2]")  # names no node: kept as written
    assert jsonld.types(person) == [Located("Person", '["@type"]')]


# --- whole files -------------------------------------------------------------------------


def test_a_codemeta_2_file_maps_to_zenodo(tmp_path):
    config = load(tmp_path, CODEMETA_2)
    mapped = codemeta.to_zenodo(config)

    assert mapped.data == {
        "title": "Widget Toolkit",
        "upload_type": "software",
        "description": "<p>Widgets for science.</p><p>Fast &amp; &lt;small&gt;.</p>",
        "version": "2.1.0",
        "license": "MIT",
        "keywords": ["widgets", "science", "toolkit"],
        "creators": [
            {"name": "Carberry, Josiah", "affiliation": "Brown University", "orcid": ORCID},
            {"name": "The Widget Team"},
            {"name": "Lovelace, Ada", "affiliation": "Analytical Engine Society"},
        ],
        "contributors": [{"name": "Hopper, Grace", "type": "Other"}],
        "related_identifiers": [
            {"identifier": "10.5281/zenodo.1234567", "relation": "isVersionOf"},
            {
                "identifier": "https://github.com/example/widgets",
                "relation": "isSupplementTo",
                "resource_type": "software",
            },
        ],
        "grants": [{"id": f"{EC}::101057344"}],
    }
    assert codemeta.check(config) == []
    # the free-text funding is not guessed into a grant: a warning on its line says so
    assert [(p.severity, p.path, p.code) for p in mapped.problems] == [
        (WARNING, "funding[1]", "funding-not-mapped")
    ]
    assert mapped.problems[0].line == line_of(CODEMETA_2, "Widget Foundation")
    assert "grants" in mapped.problems[0].message and ".zenodo.yml" in mapped.problems[0].message


def test_a_codemeta_2_file_maps_each_value_from_its_line(tmp_path):
    config = load(tmp_path, CODEMETA_2)
    mapped = codemeta.to_zenodo(config)

    expected = {
        "title": '"name": "Widget Toolkit"',
        "upload_type": '"@type": "SoftwareSourceCode"',
        "version": '"version"',
        "license": '"license"',
        "keywords[1]": '"keywords"',
        "creators": '"author"',
        "creators[0].name": '"familyName": "Carberry"',
        "creators[0].orcid": '"@id": "https://orcid.org/',
        "creators[0].affiliation": '"affiliation": "Brown University"',
        "creators[1].name": '"name": "The Widget Team"',
        "creators[2].affiliation": '"name": "Analytical Engine Society"',
        "contributors[0].name": '"familyName": "Hopper"',
        "related_identifiers[0]": '"identifier"',
        "related_identifiers[1]": '"codeRepository"',
        "grants[0].id": '"10.13039/501100000780::101057344"',
    }
    for zenodo_path, needle in expected.items():
        assert origin_line(config, mapped, zenodo_path) == line_of(CODEMETA_2, needle), zenodo_path
    # an object is placed at its opening brace, the line above its first key
    assert origin_line(config, mapped, "creators[0]") == line_of(CODEMETA_2, '"Person"') - 1


def test_a_codemeta_3_file_maps_to_zenodo(tmp_path):
    config = load(tmp_path, CODEMETA_3)
    mapped = codemeta.to_zenodo(config)

    carberry = {"name": "Carberry, Josiah S.", "affiliation": "Brown University", "orcid": ORCID}
    assert mapped.data == {
        "title": "Gadget",
        "upload_type": "software",
        "version": "3.0.1",
        "license": "Apache-2.0",
        "keywords": ["gadgets", "physics"],
        # the Role naming Carberry again is not a second creator; the Role around
        # Lovelace stands for her
        "creators": [carberry, {"name": "Lovelace, Ada"}],
        "contributors": [
            {**carberry, "type": "ContactPerson"},
            {"name": "Brown University", "type": "RightsHolder"},
        ],
        "related_identifiers": [
            {"identifier": "10.1000/gadget.2024", "relation": "isSupplementTo"},
            {
                "identifier": "https://gitlab.com/example/gadget",
                "relation": "isSupplementTo",
                "resource_type": "software",
            },
            {
                "identifier": "10.21105/joss.01234",
                "relation": "isDocumentedBy",
                "resource_type": "publication-article",
            },
        ],
        "grants": [{"id": f"{EC}::101057344"}],
    }
    assert codemeta.check(config) == []
    assert codes(mapped.problems) == [
        (NOTICE, "author[0]", "several-affiliations"),
        (NOTICE, "license", "several-licenses"),
        (WARNING, "funding[1]", "funding-not-mapped"),
    ]


def test_a_codemeta_3_file_maps_each_value_from_its_line(tmp_path):
    config = load(tmp_path, CODEMETA_3)
    mapped = codemeta.to_zenodo(config)

    expected = {
        "upload_type": '"type": "SoftwareSourceCode"',
        "version": '"softwareVersion"',
        "license": '"license"',
        "keywords[0]": '"name": "gadgets"',
        "keywords[1]": '"physics"',
        "creators[0].name": '"familyName": "Carberry"',
        # the affiliation is a reference to the organization written out below
        "creators[0].affiliation": '"name": "Brown University"',
        "creators[1].name": '"familyName": "Lovelace"',
        "contributors[0]": '"maintainer"',
        "contributors[0].name": '"familyName": "Carberry"',
        "contributors[1].name": '"name": "Brown University"',
        "related_identifiers[0]": '"value": "10.1000/gadget.2024"',
        "related_identifiers[1]": '"codeRepository"',
        "related_identifiers[2]": '"@id": "https://doi.org/10.21105/joss.01234"',
        "grants[0].id": '"identifier": "101057344"',
    }
    for zenodo_path, needle in expected.items():
        assert origin_line(config, mapped, zenodo_path) == line_of(CODEMETA_3, needle), zenodo_path
    # the Role object (its opening brace) is the entry; the name is in the person inside
    assert origin_line(config, mapped, "creators[1]") == line_of(CODEMETA_3, '"Developer"') - 2
    assert origin_line(config, mapped, "grants[0]") == line_of(CODEMETA_3, '"Grant"') - 1
    unmapped = mapped.problems[-1]
    assert unmapped.line == line_of(CODEMETA_3, '"@type": "Grant"', occurrence=2) - 1
    assert "'2034567'" in unmapped.message and "Crossref Funder DOI" in unmapped.message


# --- people ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "creator"),
    [
        (
            {"@type": "Person", "givenName": "Jane", "familyName": "Doe", "affiliation": "Lab"},
            {"name": "Doe, Jane", "affiliation": "Lab"},
        ),
        (  # the codemeta 2.0 aliases of @type and @id
            {"type": "Person", "id": f"https://orcid.org/{ORCID}", "familyName": "Doe"},
            {"name": "Doe", "orcid": ORCID},
        ),
        (  # an ORCID given as the person's identifier rather than @id
            {
                "@type": "Person",
                "@id": "https://github.com/jdoe",
                "familyName": "Doe",
                "identifier": {"@type": "PropertyValue", "propertyID": "ORCID", "value": ORCID},
            },
            {"name": "Doe", "orcid": ORCID},
        ),
        (  # a middle name joins the given names; the family name keeps no comma
            {"givenName": "Ada", "additionalName": "King", "familyName": "Lovelace"},
            {"name": "Lovelace, Ada King"},
        ),
        (  # a person written with only a full name is stored as written
            {"@type": "Person", "name": "Jane Doe"},
            {"name": "Jane Doe"},
        ),
        (
            {"@type": "Person", "familyName": {"@value": "Doe"}, "givenName": "Jane"},
            {"name": "Doe, Jane"},
        ),
        (
            {
                "@type": "Person",
                "familyName": "Doe",
                "affiliation": {"@type": "Organization", "@id": "https://ror.org/x"},
            },
            {"name": "Doe"},  # an organization without a name gives no affiliation
        ),
        ({"@type": "Organization", "name": "ACME"}, {"name": "ACME"}),
        ("Jane Doe", {"name": "Jane Doe"}),
    ],
)
def test_a_person_or_organization_becomes_a_creator(tmp_path, person, creator):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(author=[person])))

    assert mapped.data["creators"] == [creator]


def test_a_codemeta_2_list_of_authors_keeps_its_order(tmp_path):
    authors = [{"familyName": name} for name in ("Zeta", "Alpha", "Mu")]
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(author={"@list": authors})))

    assert [c["name"] for c in mapped.data["creators"]] == ["Zeta", "Alpha", "Mu"]
    assert mapped.origins["creators[2]"] == 'author["@list"][2]'


def test_creator_is_read_only_when_there_is_no_author(tmp_path):
    both = minimal(author={"familyName": "Doe"}, creator={"familyName": "Roe"})
    only_creator = minimal(creator=[{"familyName": "Roe"}])

    assert codemeta.to_zenodo(load(tmp_path, both)).data["creators"] == [{"name": "Doe"}]
    mapped = codemeta.to_zenodo(load(tmp_path, only_creator))
    assert mapped.data["creators"] == [{"name": "Roe"}]
    assert mapped.origins["creators[0]"] == "creator[0]"


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        ("contributor", "Other"),
        ("maintainer", "ContactPerson"),
        ("copyrightHolder", "RightsHolder"),
        ("editor", "Editor"),
        ("producer", "Producer"),
        ("sponsor", "Sponsor"),
    ],
)
def test_people_terms_become_contributors_of_a_type(tmp_path, term, kind):
    person = {"@type": "Person", "givenName": "Jane", "familyName": "Doe"}
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(**{term: person})))

    assert mapped.data["contributors"] == [{"name": "Doe, Jane", "type": kind}]
    assert "creators" not in mapped.data
    assert mapped.origins["contributors"] == term


def test_several_affiliations_keep_the_first_and_say_so(tmp_path):
    person = {"familyName": "Doe", "affiliation": ["First Lab", {"name": "Second Lab"}]}
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(author=person)))

    assert mapped.data["creators"] == [{"name": "Doe", "affiliation": "First Lab"}]
    [notice] = mapped.problems
    assert (notice.severity, notice.code) == (NOTICE, "several-affiliations")
    assert "'First Lab'" in notice.message


def test_a_person_without_a_name_is_left_out_with_a_warning(tmp_path):
    text = json.dumps(
        minimal(
            author=[
                {"@type": "Person", "givenName": "Jane"},
                {"@id": "https://example.org/people/nobody"},
                "https://example.org/people/someone",
                {"@type": "Person", "familyName": "Doe"},
            ]
        ),
        indent=2,
    )
    config = load(tmp_path, text)

    assert codemeta.to_zenodo(config).data["creators"] == [{"name": "Doe"}]
    problems = codemeta.check(config)
    assert codes(problems) == [
        (WARNING, "author[0]", "codemeta-person"),
        (WARNING, "author[1]", "codemeta-person"),
        (WARNING, "author[2]", "codemeta-person"),
    ]
    assert problems[0].line == line_of(text, '"givenName": "Jane"') - 2
    assert "'https://example.org/people/someone'" in problems[2].message


def test_a_reference_to_a_person_written_out_elsewhere_is_resolved(tmp_path):
    data = minimal(
        author=[{"@id": "#jane"}],
        maintainer={"@id": "#jane", "@type": "Person", "givenName": "Jane", "familyName": "Doe"},
    )
    config = load(tmp_path, data)
    mapped = codemeta.to_zenodo(config)

    assert mapped.data["creators"] == [{"name": "Doe, Jane"}]
    assert mapped.origins["creators[0]"] == "author[0]"
    assert mapped.origins["creators[0].name"] == "maintainer.familyName"
    assert codemeta.check(config) == []


# --- ORCIDs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "orcid",
    [
        f"https://orcid.org/{ORCID}",
        f"http://orcid.org/{ORCID}",  # codemeta's own examples write http
        f"https://www.orcid.org/{ORCID}",
    ],
)
def test_an_orcid_url_is_accepted_as_written(tmp_path, orcid):
    config = load(tmp_path, minimal(author={"@id": orcid, "familyName": "Doe"}))

    assert codemeta.check(config) == []
    assert codemeta.to_zenodo(config).data["creators"] == [{"name": "Doe", "orcid": ORCID}]


@pytest.mark.parametrize(
    "orcid",
    [
        ORCID,  # the bare iD: an @id is a URL
        "https://orcid.org/0000000218250097",
        "https://orcid.org/0000 0002 1825 0097",
        " https://orcid.org/0000-0002-1825-0097",
    ],
)
def test_an_orcid_zenodo_repairs_is_a_warning_showing_the_url(tmp_path, orcid):
    text = json.dumps(minimal(author={"@id": orcid, "familyName": "Doe"}), indent=2)
    config = load(tmp_path, text)

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.path, problem.code) == (
        WARNING,
        'author["@id"]',
        "orcid-repaired",
    )
    assert f"https://orcid.org/{ORCID}" in problem.message
    assert problem.line == line_of(text, '"@id": ')
    assert codemeta.to_zenodo(config).data["creators"][0]["orcid"] == ORCID


@pytest.mark.parametrize(
    "orcid",
    [
        "https://orcid.org/0000-0002-1825-0098",  # wrong checksum
        "https://orcid.org/0000-0002-1825-009",  # a digit short
        "https://orcid.org/jane-doe",
        "0000-0002-1825-009x",  # lower-case check character Zenodo does not read
    ],
)
def test_an_orcid_zenodo_refuses_is_an_error_on_its_line(tmp_path, orcid):
    person = {"@type": "Person", "familyName": "Doe", "@id": orcid}
    text = json.dumps(minimal(contributor=[person]), indent=2)
    config = load(tmp_path, text)

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.path, problem.code) == (
        ERROR,
        'contributor[0]["@id"]',
        "orcid-checksum",
    )
    assert problem.line == line_of(text, '"@id": ')


def test_an_orcid_in_an_identifier_is_checked_too(tmp_path):
    person = {"familyName": "Doe", "identifier": ["https://orcid.org/0000-0002-1825-0098"]}
    [problem] = codemeta.check(load(tmp_path, minimal(author=person)))

    assert (problem.severity, problem.path) == (ERROR, "author.identifier[0]")


def test_an_id_that_is_not_an_orcid_is_not_checked_as_one(tmp_path):
    person = {"@id": "https://github.com/jdoe", "familyName": "Doe"}
    config = load(tmp_path, minimal(author=person))

    assert codemeta.check(config) == []
    assert codemeta.to_zenodo(config).data["creators"] == [{"name": "Doe"}]


def test_a_person_named_twice_by_reference_is_reported_once(tmp_path):
    bad = "https://orcid.org/0000-0002-1825-0098"
    data = minimal(
        author=[{"@id": bad, "@type": "Person", "familyName": "Doe"}],
        maintainer={"@id": bad},
        contributor=[{"@id": bad}],
    )
    problems = codemeta.check(load(tmp_path, data))

    assert codes(problems) == [(ERROR, 'author[0]["@id"]', "orcid-checksum")]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "severity"),
    # dateModified is not sent, and tools write date-times there: a warning only
    [("datePublished", ERROR), ("dateModified", WARNING)],
)
@pytest.mark.parametrize(
    ("value", "code", "hint"),
    [
        ("2024-02-30", "date-invalid", "not a date that exists"),
        ("2023-13-01", "date-invalid", "not a date that exists"),
        ("2024-5-7", "date-format", "YYYY-MM-DD"),
        ("17/05/2024", "date-format", "YYYY-MM-DD"),
        ("2024-05-17T10:00:00Z", "date-format", "write '2024-05-17'"),
        ("", "date", "is empty"),
        (2024, "date", "YYYY-MM-DD"),
        (["2024-05-17"], "date", "not a list"),
        (None, "date", "not null"),
    ],
)
def test_a_date_that_is_not_a_real_date_is_found(tmp_path, key, severity, value, code, hint):
    text = json.dumps(minimal(**{key: value}), indent=2)
    config = load(tmp_path, text)

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.path, problem.code) == (severity, key, code)
    assert hint in problem.message
    assert problem.line == line_of(text, f'"{key}"')
    assert "publication_date" not in codemeta.to_zenodo(config).data


def test_a_real_date_is_no_problem_and_is_not_the_new_versions_date(tmp_path):
    """datePublished is the software's first publication (often the first release): a
    new version is dated by its release, or today, never by it."""
    config = load(tmp_path, minimal(datePublished="2024-02-29", dateModified="2024-03-01"))

    assert codemeta.check(config) == []
    assert "publication_date" not in codemeta.to_zenodo(config).data


# --- @context and the top level ------------------------------------------------------------


@pytest.mark.parametrize(
    ("context", "version"),
    [
        (V2, "2.0"),
        (V3, "3.0"),
        ("https://w3id.org/codemeta/3.1", "3.1"),
        ("http://doi.org/10.5063/schema/codemeta-2.0/", "2.0"),
        ("https://raw.githubusercontent.com/codemeta/codemeta/2.0/codemeta.jsonld", "2.0"),
        ([V3, "https://w3id.org/software-types"], "3.0"),
        ({"@list": ["https://schema.org", V2]}, "2.0"),
    ],
)
def test_a_codemeta_context_is_no_problem(tmp_path, context, version):
    config = load(tmp_path, {**minimal(), "@context": context})

    assert codemeta.check(config) == []
    assert config.data is not None
    assert codemeta.context_version(config.data) == version


def test_a_missing_context_is_a_warning_naming_the_contexts_read(tmp_path):
    data = minimal()
    del data["@context"]
    config = load(tmp_path, data)

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.path, problem.code) == (
        WARNING,
        '["@context"]',
        "codemeta-context",
    )
    assert V2 in problem.message and V3 in problem.message
    assert codemeta.to_zenodo(config).data["title"] == "X"  # the terms are read anyway


@pytest.mark.parametrize(
    "context",
    [
        "https://schema.org",
        "https://doi.org/10.5063/schema/codemeta-1.0",
        ["https://schema.org", {"@vocab": "https://schema.org/"}],
        {"@vocab": "https://schema.org/"},
    ],
)
def test_a_foreign_context_is_a_warning_on_its_line(tmp_path, context):
    text = json.dumps({**minimal(), "@context": context}, indent=2)
    config = load(tmp_path, text)

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.code) == (WARNING, "codemeta-context")
    assert problem.line == line_of(text, '"@context"')
    assert V3 in problem.message
    if isinstance(context, str):
        assert repr(context) in problem.message


def test_a_graph_is_a_warning_that_it_is_not_read(tmp_path):
    text = json.dumps({"@context": V3, "@graph": [minimal()]}, indent=2)
    config = load(tmp_path, text)

    assert codes(codemeta.check(config)) == [(WARNING, '["@graph"]', "graph")]
    assert codemeta.check(config)[0].line == line_of(text, '"@graph"')
    assert codemeta.to_zenodo(config).data == {}


@pytest.mark.parametrize(
    ("text", "kind"),
    [("[\n  " + json.dumps(minimal()) + "\n]\n", "a list"), ('"SoftwareSourceCode"\n', "single")],
)
def test_a_top_level_that_is_not_an_object_is_one_error(tmp_path, text, kind):
    config = load(tmp_path, text)

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.line) == (ERROR, 1)
    assert kind in problem.message
    assert "codemeta.json must be one JSON object" in problem.message
    assert "creators" not in problem.message  # not the .zenodo.yml wording
    mapped = codemeta.to_zenodo(config)
    assert (mapped.data, mapped.problems) == ({}, [])


def test_an_empty_file_says_what_a_codemeta_file_holds(tmp_path):
    [problem] = codemeta.check(load(tmp_path, ""))

    assert problem.severity == ERROR and "codemeta.json is one JSON object" in problem.message


def test_a_json_syntax_error_is_the_loaders_error(tmp_path):
    config = load(tmp_path, '{\n  "name": "X",\n}\n')

    [problem] = codemeta.check(config)
    assert (problem.severity, problem.code, problem.line) == (ERROR, "trailing-comma", 2)


def test_a_config_without_data_and_without_problems_still_gets_an_error():
    [problem] = codemeta.check(Config(Path("codemeta.json"), None))

    assert problem.severity == ERROR and "one JSON object" in problem.message


# --- simple terms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keywords", "expected", "origins"),
    [
        ("a, b ,c,, ", ["a", "b", "c"], ["keywords"] * 3),
        (["a", " b ", ""], ["a", "b"], ["keywords[0]", "keywords[1]"]),
        ({"@list": ["x", 3]}, ["x", "3"], ['keywords["@list"][0]', 'keywords["@list"][1]']),
        ([{"@type": "DefinedTerm", "name": "x"}, {"@value": "y"}, None, True, {"k": 1}], ["x", "y"],
         ["keywords[0].name", 'keywords[1]["@value"]']),
    ],
)  # fmt: skip
def test_keywords_from_a_list_or_a_comma_separated_text(tmp_path, keywords, expected, origins):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(keywords=keywords)))

    assert mapped.data["keywords"] == expected
    assert [mapped.origins[f"keywords[{i}]"] for i in range(len(expected))] == origins
    assert mapped.origins["keywords"] == "keywords"


@pytest.mark.parametrize(
    ("value", "expected", "origin"),
    [
        ("https://spdx.org/licenses/MIT", "MIT", "license"),
        ("http://spdx.org/licenses/GPL-3.0-or-later.html", "GPL-3.0-or-later", "license"),
        ("Apache-2.0", "Apache-2.0", "license"),
        ({"@id": "https://spdx.org/licenses/BSD-3-Clause"}, "BSD-3-Clause", 'license["@id"]'),
        (  # a CreativeWork: the candidate Zenodo knows wins over a URL it does not
            {"url": "https://opensource.org/licenses/MIT", "identifier": "MIT"},
            "MIT",
            "license.identifier",
        ),
    ],
)
def test_a_licence_becomes_an_spdx_id(tmp_path, value, expected, origin):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(license=value)))

    assert mapped.data["license"] == expected
    assert mapped.origins["license"] == origin
    assert mapped.problems == []


def test_a_licence_zenodo_does_not_know_is_left_to_the_next_file(tmp_path):
    text = json.dumps(minimal(license="https://example.org/my-license"), indent=2)
    mapped = codemeta.to_zenodo(load(tmp_path, text))
    assert "license" not in mapped.data
    [unusable] = mapped.unusable
    assert (unusable.severity, unusable.path, unusable.about) == (ERROR, "license", "license")
    assert unusable.line == line_of(text, '"license"')
    assert "'https://example.org/my-license' names no licence Zenodo knows" in unusable.message


def test_several_licences_keep_the_first_with_a_notice(tmp_path):
    text = json.dumps(
        minimal(license=["https://spdx.org/licenses/GPL-3.0-only", "/home/me/LICENSE", "MIT"]),
        indent=2,
    )
    config = load(tmp_path, text)
    mapped = codemeta.to_zenodo(config)

    assert mapped.data["license"] == "GPL-3.0-only"
    assert mapped.origins["license"] == "license[0]"
    [notice] = mapped.problems
    assert (notice.severity, notice.path, notice.code) == (NOTICE, "license", "several-licenses")
    assert notice.line == line_of(text, '"license"')
    assert "'GPL-3.0-only' (the first) is used, not '/home/me/LICENSE', 'MIT'" in notice.message


@pytest.mark.parametrize(
    ("terms", "expected", "origin"),
    [
        ({"version": "1.2.3"}, "1.2.3", "version"),
        ({"version": 1.10}, "1.1", "version"),  # json.dumps writes 1.1: as written
        ({"softwareVersion": "v2"}, "v2", "softwareVersion"),
        ({"version": "1.0", "softwareVersion": "9.9"}, "1.0", "version"),
        ({"version": {"@value": "4.0"}}, "4.0", 'version["@value"]'),
    ],
)
def test_version_or_software_version(tmp_path, terms, expected, origin):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(**terms)))

    assert mapped.data["version"] == expected
    assert mapped.origins["version"] == origin


def test_a_numeric_version_keeps_its_digits_as_written(tmp_path):
    text = '{"@context": ' + json.dumps(V3) + ', "name": "X", "version": 1.10}\n'
    mapped = codemeta.to_zenodo(load(tmp_path, text))

    assert mapped.data["version"] == "1.10"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("SoftwareSourceCode", "software"),
        ("SoftwareApplication", "software"),
        ("schema:SoftwareSourceCode", "software"),
        ("http://schema.org/Dataset", "dataset"),
        ("Dataset", "dataset"),
        (["Thing", "Dataset"], "dataset"),
        ("ScholarlyArticle", None),
    ],
)
def test_type_becomes_upload_type(tmp_path, kind, expected):
    mapped = codemeta.to_zenodo(load(tmp_path, {**minimal(), "@type": kind}))

    assert mapped.data.get("upload_type") == expected


def test_title_from_name_or_else_title(tmp_path):
    data = minimal(title="The title")
    assert codemeta.to_zenodo(load(tmp_path, data)).data["title"] == "X"
    del data["name"]
    mapped = codemeta.to_zenodo(load(tmp_path, data))
    assert (mapped.data["title"], mapped.origins["title"]) == ("The title", "title")


# --- related identifiers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "expected", "origin"),
    [
        ("10.1000/abc", {"identifier": "10.1000/abc", "relation": "isSupplementTo"}, "identifier"),
        ("https://doi.org/10.1000/abc", {"identifier": "10.1000/abc", "relation": "isSupplementTo"},
         "identifier"),
        ("doi:10.5281/zenodo.42", {"identifier": "10.5281/zenodo.42", "relation": "isVersionOf"},
         "identifier"),
        ("https://doi.org/10.5072/zenodo.7",
         {"identifier": "10.5072/zenodo.7", "relation": "isVersionOf"}, "identifier"),
        ({"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1000/pv"},
         {"identifier": "10.1000/pv", "relation": "isSupplementTo"}, "identifier.value"),
        (["widgets", "https://doi.org/10.1000/second"],
         {"identifier": "10.1000/second", "relation": "isSupplementTo"}, "identifier[1]"),
        ("swh:1:rel:99f7f3d8d5ed7e68c3e1b3a2c4bb4c1bd3c1f4a5",
         # Zenodo recognises no scheme in a bare SWHID: the archive's page it is
         {"identifier": "https://archive.softwareheritage.org/"
                        "swh:1:rel:99f7f3d8d5ed7e68c3e1b3a2c4bb4c1bd3c1f4a5",
          "relation": "isIdenticalTo"}, "identifier"),
    ],
)  # fmt: skip
def test_identifier_forms(tmp_path, identifier, expected, origin):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(identifier=identifier)))

    assert mapped.data["related_identifiers"] == [expected]
    assert mapped.origins["related_identifiers[0]"] == origin
    assert "doi" not in mapped.data  # never the record's own DOI


@pytest.mark.parametrize("identifier", ["widgets", "https://example.org/widgets", 12, None])
def test_an_identifier_that_is_no_doi_is_not_related(tmp_path, identifier):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(identifier=identifier)))

    assert "related_identifiers" not in mapped.data


def test_the_top_level_id_counts_when_it_is_a_doi(tmp_path):
    data = {**minimal(), "@id": "https://doi.org/10.5281/zenodo.99"}
    mapped = codemeta.to_zenodo(load(tmp_path, data))

    assert mapped.data["related_identifiers"] == [
        {"identifier": "10.5281/zenodo.99", "relation": "isVersionOf"}
    ]
    assert mapped.origins["related_identifiers[0]"] == '["@id"]'


def test_code_repositories_supplement_the_record_once_each(tmp_path):
    data = minimal(
        codeRepository=["https://github.com/a/b", {"@id": "https://gitlab.com/a/b"}],
        identifier="https://doi.org/10.1000/x",
        referencePublication="https://doi.org/10.1000/x",
        citation=[{"@type": "Dataset", "identifier": "10.5061/dryad.1"}, "10.1000/x"],
    )
    mapped = codemeta.to_zenodo(load(tmp_path, data))

    # one entry per identifier: the telling relation (isDocumentedBy) wins over the
    # generic one the bare identifier gives, and over a second mention as a reference
    assert mapped.data["related_identifiers"] == [
        {"identifier": "10.1000/x", "relation": "isDocumentedBy",
         "resource_type": "publication-article"},
        {"identifier": "https://github.com/a/b", "relation": "isSupplementTo",
         "resource_type": "software"},
        {"identifier": "https://gitlab.com/a/b", "relation": "isSupplementTo",
         "resource_type": "software"},
        {"identifier": "10.5061/dryad.1", "relation": "references", "resource_type": "dataset"},
    ]  # fmt: skip
    assert mapped.origins["related_identifiers[0]"] == "referencePublication"
    assert mapped.origins["related_identifiers[2]"] == 'codeRepository[1]["@id"]'
    assert mapped.origins["related_identifiers[3]"] == "citation[0].identifier"


# --- funding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("funding", "grant", "origin"),
    [
        (f"{EC}::283595", f"{EC}::283595", "funding"),
        (f"https://doi.org/{EC}::283595", f"{EC}::283595", "funding"),
        ({"@type": "Grant", "identifier": f"{EC}::283595"}, f"{EC}::283595",
         "funding.identifier"),
        ({"@type": "Grant", "identifier": "283595",
          "funder": {"@id": f"https://doi.org/{EC}", "name": "EC"}}, f"{EC}::283595",
         "funding.identifier"),
        ({"@type": "Grant", "identifier": 283595, "funder": {"identifier": f"doi:{EC}"}},
         f"{EC}::283595", "funding.identifier"),
        ({"@type": "Grant",
          "identifier": {"@type": "PropertyValue", "propertyID": "award", "value": "AB-1"},
          "funder": f"https://doi.org/{EC}"}, f"{EC}::AB-1", "funding.identifier.value"),
    ],
)  # fmt: skip
def test_funding_that_names_a_zenodo_grant_is_mapped(tmp_path, funding, grant, origin):
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(funding=funding)))

    assert mapped.data["grants"] == [{"id": grant}]
    assert mapped.origins["grants[0].id"] == origin
    assert mapped.problems == []


def test_the_same_grant_twice_is_one_grant(tmp_path):
    funding = [f"{EC}::1", {"identifier": "1", "funder": {"@id": f"https://doi.org/{EC}"}}]
    mapped = codemeta.to_zenodo(load(tmp_path, minimal(funding=funding)))

    assert mapped.data["grants"] == [{"id": f"{EC}::1"}]


@pytest.mark.parametrize(
    ("funding", "says"),
    [
        ("NSF award 1234567", "'NSF award 1234567'"),
        ("10.5281/zenodo.1::42", "<funder DOI>::<award number>"),  # not a funder DOI
        ({"@type": "Grant", "identifier": "42", "funder": {"@id": "https://ror.org/021nxhr62"}},
         "its funder has no Crossref Funder DOI"),
        ({"@type": "Grant", "name": "Big project", "funder": {"@id": f"https://doi.org/{EC}"}},
         f"'{EC}::<award number>'"),
        ({"@type": "Grant", "name": "Big project"}, "has no award number"),
    ],
)  # fmt: skip
def test_funding_that_is_no_zenodo_grant_is_a_warning_on_its_line(tmp_path, funding, says):
    mapped_grant = {"@type": "Grant", "identifier": f"{EC}::1"}
    text = json.dumps(minimal(funding=[mapped_grant, funding]), indent=2)
    config = load(tmp_path, text)
    mapped = codemeta.to_zenodo(config)

    assert mapped.data["grants"] == [{"id": f"{EC}::1"}]
    [warning] = mapped.problems
    assert (warning.severity, warning.path, warning.code) == (
        WARNING,
        "funding[1]",
        "funding-not-mapped",
    )
    assert says in warning.message and ".zenodo.yml" in warning.message
    assert warning.line == config.position("funding[1]")[0]
    assert warning.line > line_of(text, f'"{EC}::1"')


def test_an_award_with_the_files_only_funder_gets_the_grant_id_to_write(tmp_path):
    data = minimal(funder={"@id": f"https://doi.org/{EC}", "name": "EC"}, funding="101057344")
    mapped = codemeta.to_zenodo(load(tmp_path, data))

    assert "grants" not in mapped.data  # the text may not be an award number: not guessed
    [warning] = [p for p in mapped.problems if p.path == "funding"]
    assert f"'{EC}::101057344'" in warning.message


def test_a_funder_alone_is_a_warning_unless_a_grant_names_it(tmp_path):
    text = json.dumps(
        minimal(
            funder=[
                {"@type": "Organization", "@id": f"https://doi.org/{EC}", "name": "EC"},
                {"@type": "Organization", "name": "Wellcome"},
                {"@id": "https://doi.org/10.13039/100000001", "name": "NSF"},
            ],
            funding=f"{EC}::1",
        ),
        indent=2,
    )
    config = load(tmp_path, text)
    mapped = codemeta.to_zenodo(config)

    assert mapped.data["grants"] == [{"id": f"{EC}::1"}]
    assert codes(mapped.problems) == [
        (WARNING, "funder[1]", "funding-not-mapped"),
        (WARNING, "funder[2]", "funding-not-mapped"),
    ]
    wellcome, nsf = mapped.problems
    assert wellcome.line == line_of(text, '"name": "Wellcome"') - 2
    assert "'Wellcome'" in wellcome.message and "Crossref Funder DOI" in wellcome.message
    assert "10.13039/100000001::<award number>" in nsf.message


def test_funding_problems_are_mapping_notes_not_file_problems(tmp_path):
    config = load(tmp_path, minimal(funding="some grant", funder={"name": "Someone"}))

    assert codemeta.check(config) == []
    # one cause, one warning: the funding's, which says how to write the grant
    [warning] = codemeta.to_zenodo(config).problems
    assert warning.path == "funding" and "<funder DOI>::<award number>" in warning.message


def test_a_funder_alone_gets_its_own_warning(tmp_path):
    config = load(tmp_path, minimal(funder={"name": "Someone"}))
    [warning] = codemeta.to_zenodo(config).problems
    assert warning.path == "funder" and "'Someone' comes with neither" in warning.message


# --- never crashing ----------------------------------------------------------------------

_TERMS = [
    "@context", "@type", "@id", "@list", "@set", "@value", "id", "type", "name", "title",
    "author", "creator", "contributor", "maintainer", "copyrightHolder", "givenName",
    "familyName", "additionalName", "affiliation", "identifier", "propertyID", "value",
    "description", "keywords", "license", "url", "version", "softwareVersion",
    "datePublished", "dateModified", "codeRepository", "referencePublication", "citation",
    "funding", "funder", "schema:author", "roleName", "@graph",
]  # fmt: skip
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            V2, V3, "Person", "Organization", "Role", "Grant", "PropertyValue", "Dataset",
            "SoftwareSourceCode", f"https://orcid.org/{ORCID}", ORCID,
            "https://orcid.org/0000-0002-1825-0098", "2024-02-30", "2024-05-17",
            "2024-05-17T10:00:00Z", "10.5281/zenodo.1", "https://doi.org/10.1000/x",
            f"{EC}::1", f"https://doi.org/{EC}", "https://spdx.org/licenses/MIT", "a, b",
            "swh:1:dir:0", "#ref", "_:b0", "::", "",
        ]
    ),
)  # fmt: skip
_keys = st.one_of(st.sampled_from(_TERMS), st.sampled_from(_TERMS), st.text(max_size=8))
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=30,
)
_REALISTIC = (json.loads(CODEMETA_2), json.loads(CODEMETA_3))


def _places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside `value`."""
    found = [at]
    if isinstance(value, dict):
        children: Any = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return found
    for key, child in children:
        found += _places(child, (*at, key))
    return found


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    """One of the realistic files with one to three values replaced by random JSON."""
    document = copy.deepcopy(draw(st.sampled_from(_REALISTIC)))
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(_places(document)[1:]))
        parent = document
        for key in place[:-1]:
            parent = parent[key]
        parent[place[-1]] = draw(_json)
    return document


# mostly objects, as real files are: mutated realistic files and random ones; then anything
_documents = st.one_of(_mutated(), st.dictionaries(_keys, _json, max_size=12), _mutated(), _json)


@settings(max_examples=200, deadline=None)
@given(document=_documents)
def test_random_documents_never_crash_check_or_mapping(document):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "codemeta.json"
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        config = load_config(path)
        problems = codemeta.check(config)
        mapped = codemeta.to_zenodo(config)

    assert all(isinstance(p, Problem) for p in problems + mapped.problems)
    json.dumps(mapped.data)  # plain JSON, as the merged record must be
    for zenodo_path, origin in mapped.origins.items():
        assert mapped.origin(zenodo_path) == origin
        config.position(origin)  # every origin is a path the loader can place
    if not isinstance(document, dict):
        assert [p.severity for p in problems] == [ERROR] and mapped.data == {}
