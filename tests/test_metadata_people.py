"""A person as a Zenodo creator (metadata/people.py), and both readers agreeing on it:
the same person written in CITATION.cff and in codemeta.json is the same creator, with
the same ORCID problems."""

from __future__ import annotations

import json

import pytest

from zenodo_action.metadata import cff, codemeta
from zenodo_action.metadata.loader import load_config
from zenodo_action.metadata.people import Person, orcid_problem, zenodo_creator

ORCID = "0000-0002-1825-0097"  # ORCID's test iD: a valid checksum
BAD_ORCID = "0000-0002-1825-0098"


@pytest.mark.parametrize(
    ("person", "creator"),
    [
        (Person(family="Doe", given="Jane"), {"name": "Doe, Jane"}),
        # the particle and suffix stay on the family side of Zenodo's one comma
        (
            Person(family="Beethoven", given="Ludwig", particle="van", suffix="Jr."),
            {"name": "van Beethoven Jr., Ludwig"},
        ),
        (Person(name=" The Tide Team "), {"name": "The Tide Team"}),
        (Person(name="Team", family="Doe", given="Jane"), {"name": "Team"}),
        (Person(given="Jane"), {"name": "Jane"}),
        (Person(family="Doe", affiliation="  Brown  "), {"name": "Doe", "affiliation": "Brown"}),
        (Person(family="Doe", orcid=f"https://orcid.org/{ORCID}"), {"name": "Doe", "orcid": ORCID}),
        (
            Person(family="Doe", orcid=f"http://www.orcid.org/{ORCID}"),
            {"name": "Doe", "orcid": ORCID},
        ),
        (Person(family="Doe", orcid="  "), {"name": "Doe"}),
    ],
)
def test_a_person_becomes_the_creator_zenodo_stores(person, creator):
    assert zenodo_creator(person) == creator


@pytest.mark.parametrize("person", [Person(), Person(name="  ", affiliation="Brown", orcid=ORCID)])
def test_no_name_is_no_creator(person):
    assert zenodo_creator(person) is None


@pytest.mark.parametrize(
    ("written", "any_url", "code"),
    [
        (f"https://orcid.org/{ORCID}", False, None),
        (f"https://orcid.org/{ORCID}", True, None),
        (f"http://www.ORCID.org/{ORCID}", True, None),
        (f"http://orcid.org/{ORCID}", False, "orcid-repaired"),
        (ORCID, True, "orcid-repaired"),
        (BAD_ORCID, False, "orcid-checksum"),
        (f"https://orcid.org/{BAD_ORCID}", True, "orcid-checksum"),
    ],
)
def test_an_orcid_is_judged_as_zenodo_reads_it(written, any_url, code):
    problem = orcid_problem(written, "p", any_url=any_url, convention="the file wants the URL")
    assert (problem.code if problem else None) == code
    if code == "orcid-repaired":
        assert problem and f"https://orcid.org/{ORCID}" in problem.message
        assert "(the file wants the URL, Zenodo stores the bare iD)" in problem.message


CFF = """\
cff-version: 1.2.0
message: Please cite it.
title: Tide tools
authors:
  - family-names: Beethoven
    given-names: Ludwig
    affiliation: Bonn
    orcid: {orcid}
  - name: The Tide Team
"""


def both(tmp_path, orcid: str) -> tuple[dict, dict]:
    """The creators and ORCID problems of the same two people, from each file."""
    (tmp_path / "CITATION.cff").write_text(CFF.format(orcid=orcid), encoding="utf-8")
    ludwig = {
        "@type": "Person",
        "familyName": "Beethoven",
        "givenName": "Ludwig",
        "affiliation": "Bonn",
        "@id": orcid,
    }
    team = {"@type": "Organization", "name": "The Tide Team"}
    document = {"@context": "https://w3id.org/codemeta/3.0", "author": [ludwig, team]}
    (tmp_path / "codemeta.json").write_text(json.dumps(document), encoding="utf-8")
    found = {}
    for name, reader in (("cff", cff), ("codemeta", codemeta)):
        config = load_config(tmp_path / ("CITATION.cff" if name == "cff" else "codemeta.json"))
        orcid_codes = {p.code for p in reader.check(config) if p.code.startswith("orcid")}
        found[name] = (reader.to_zenodo(config).data["creators"], orcid_codes)
    return found["cff"], found["codemeta"]


def test_both_readers_make_the_same_creators(tmp_path):
    from_cff, from_codemeta = both(tmp_path, f"https://orcid.org/{ORCID}")
    assert from_cff == from_codemeta
    assert from_cff[0] == [
        {"name": "Beethoven, Ludwig", "affiliation": "Bonn", "orcid": ORCID},
        {"name": "The Tide Team"},
    ]
    assert from_cff[1] == set()


def test_both_readers_refuse_the_same_orcid(tmp_path):
    from_cff, from_codemeta = both(tmp_path, f"https://orcid.org/{BAD_ORCID}")
    assert from_cff[1] == from_codemeta[1] == {"orcid-checksum"}
