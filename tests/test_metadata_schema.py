"""The packaged schema and vocabularies: valid draft 2020-12, complete, in step with the gate."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from zenodo_action.metadata import paths as json_paths
from zenodo_action.metadata import schema
from zenodo_action.metadata.identifiers import orcid_checksum_ok
from zenodo_action.metadata.loader import load_config
from zenodo_action.metadata.vocabularies import is_known_license, license_ids, suggest_key

ROOT = Path(__file__).parents[1]

# Every field of reference zenodo-api.md §6.
FIELDS_OF_SECTION_6 = str.split("""
upload_type publication_type image_type publication_date title creators description
access_right license embargo_date access_conditions doi prereserve_doi keywords notes method
related_identifiers contributors thesis_supervisors thesis_university references communities
grants journal_title journal_volume journal_issue journal_pages conference_title
conference_acronym conference_dates conference_place conference_url conference_session
conference_session_part imprint_publisher imprint_isbn imprint_place partof_title partof_pages
subjects version language locations dates custom
""")


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_covers_every_field_and_nothing_else():
    assert sorted(schema()["properties"]) == sorted(FIELDS_OF_SECTION_6)


def test_required_fields():
    assert schema()["required"] == ["title", "creators", "upload_type"]
    assert schema()["properties"]["title"]["minLength"] == 3


def test_vocabularies_follow_the_reference():
    properties, defs = schema()["properties"], schema()["$defs"]
    assert {"software", "dataset", "physicalobject", "workflow", "model"} <= set(
        properties["upload_type"]["enum"]
    )
    assert len(properties["publication_type"]["enum"]) == 25  # thesis: Zenodo's own rename
    assert {"thesis", "dissertation", "peerreview"} <= set(properties["publication_type"]["enum"])
    assert properties["image_type"]["enum"] == [
        "figure",
        "plot",
        "drawing",
        "diagram",
        "photo",
        "other",
    ]
    assert properties["access_right"]["enum"] == ["open", "embargoed", "restricted", "closed"]
    relations = defs["relatedIdentifier"]["properties"]["relation"]["enum"]
    assert len(relations) == len(set(relations)) == 40
    assert {"isSupplementTo", "isAlternateIdentifier", "hasVersion", "obsoletes"} <= set(relations)
    roles = defs["contributor"]["properties"]["type"]["enum"]
    assert {"ContactPerson", "WorkPackageLeader", "Translator"} <= set(roles) and len(roles) == 22
    date_types = defs["dateItem"]["properties"]["type"]["enum"]
    assert {"collected", "coverage", "Collected"} <= set(date_types)
    resource_types = defs["relatedIdentifier"]["properties"]["resource_type"]["enum"]
    assert {"publication-article", "image-photo", "software"} <= set(resource_types)
    # a related work's type is looked up as written: Zenodo has no publication-thesis
    assert "publication-thesis" not in resource_types


def test_conditional_rules_are_in_the_schema():
    validator = Draft202012Validator(schema())
    base = {"title": "Tides", "upload_type": "software", "creators": [{"name": "Doe, J"}]}
    embargoed = [e.message for e in validator.iter_errors({**base, "access_right": "embargoed"})]
    restricted = [e.message for e in validator.iter_errors({**base, "access_right": "restricted"})]
    assert embargoed == ["'embargo_date' is a required property"]
    assert restricted == []  # Zenodo ignores access_conditions today


def test_examples_are_valid_under_the_schema_alone():
    validator = Draft202012Validator(schema())
    for example in ("software/.zenodo.yml", "software/.zenodo.json", "dataset/.zenodo.yml"):
        data = load_config(ROOT / "examples" / example).data
        assert list(validator.iter_errors(data)) == [], example
    assert list(validator.iter_errors(load_config(ROOT / "examples/invalid/.zenodo.yml").data))


def test_schema_returns_a_copy():
    first = schema()
    first["properties"].clear()
    assert schema()["properties"]


@pytest.mark.parametrize(
    ("orcid", "valid"),
    [
        ("0000-0002-1825-0097", True),
        ("0000-0001-5109-3700", True),
        ("0000-0002-1694-233X", True),
        ("0000-0002-1825-0098", False),
        ("0000-0002-1694-2330", False),
    ],
)
def test_orcid_checksum(orcid, valid):
    assert orcid_checksum_ok(orcid) is valid


def test_license_vocabulary():
    ids = license_ids()
    assert all(license_id == license_id.lower() for license_id in ids)
    assert {"cc-zero", "mit-license", "apache2.0", "mit", "cc-by-4.0", "cc0-1.0"} <= ids
    for accepted in ("MIT", "Mit", " cc-by-4.0 ", "CC-ZERO", "GPL-3.0-only", "cc-by"):
        assert is_known_license(accepted)
    for rejected in ("MIT License", "CC-BY-5.0", "GPL-4.0", ""):
        assert not is_known_license(rejected)


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("funding", "grants"),
        ("author", "creators"),
        ("authors", "creators"),
        ("tags", "keywords"),
        ("licence", "license"),
        ("abstract", "description"),
        ("Title", "title"),
        ("upload-type", "upload_type"),
        ("keywrods", "keywords"),
        ("zzz", None),
    ],
)
def test_key_suggestions(key, suggestion):
    assert suggest_key(key, sorted(schema()["properties"])) == suggestion


@pytest.mark.parametrize(
    "path", ["", "title", "creators[1].orcid", 'custom["dwc:genus"][0]', "a[0][1].b"]
)
def test_json_paths_round_trip(path):
    assert json_paths.build(json_paths.split(path)) == path
