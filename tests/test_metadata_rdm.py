"""The run's metadata in InvenioRDM's records schema (docs/reference/invenio-records-api.md
§11): Zenodo's own correspondences, the fields only this API can set, and where each field
of the body came from."""

import pytest

from zenodo_action.metadata.rdm import (
    language_id,
    records_comparable,
    records_draft,
    rights_id,
    scheme_of,
)

BASE = {
    "title": "Frobnicator",
    "upload_type": "software",
    "publication_date": "2024-05-31",
    "creators": [{"name": "Doe, Jane"}],
}


def metadata_of(**extra):
    return records_draft({**BASE, **extra}).body["metadata"]


@pytest.mark.parametrize(
    ("creator", "expected"),
    [
        ({"name": "Doe, Jane"}, {"type": "personal", "family_name": "Doe", "given_name": "Jane"}),
        (
            {"name": "van Rossum, Guido"},
            {"type": "personal", "family_name": "van Rossum", "given_name": "Guido"},
        ),
        # no single comma and no person's identifier: an organisation (the deposit API
        # cannot say so: it makes everyone a person)
        ({"name": "ACME Lab"}, {"type": "organizational", "name": "ACME Lab"}),
        ({"name": "Doe, Jane, Jr."}, {"type": "organizational", "name": "Doe, Jane, Jr."}),
        (
            {"name": "Plato", "orcid": "https://orcid.org/0000-0002-1825-0097"},
            {
                "type": "personal",
                "family_name": "Plato",
                "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
            },
        ),
    ],
)
def test_creators_are_people_or_organisations(creator, expected):
    [written] = metadata_of(creators=[creator])["creators"]
    assert written["person_or_org"] == expected


def test_affiliation_and_gnd():
    [written] = metadata_of(
        creators=[{"name": "Doe, J", "affiliation": " ACME ", "gnd": "118594893"}]
    )["creators"]
    assert written["affiliations"] == [{"name": "ACME"}]
    assert written["person_or_org"]["identifiers"] == [{"scheme": "gnd", "identifier": "118594893"}]


def test_resource_types_with_and_without_a_subtype():
    assert metadata_of()["resource_type"] == {"id": "software"}
    assert metadata_of(upload_type="publication", publication_type="article")["resource_type"] == {
        "id": "publication-article"
    }
    assert metadata_of(upload_type="image", image_type="photo")["resource_type"] == {
        "id": "image-photo"
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("MIT", "mit"),
        ("cc-zero", "cc0-1.0"),
        ("mit-license", "mit"),
        ("apache2.0", "apache-2.0"),
        ("CC-BY-4.0", "cc-by-4.0"),
        ("gpl-3.0", "gpl-3.0-only"),
        ("cc-by", "cc-by-4.0"),
    ],
)
def test_licences_in_the_vocabularys_terms(given, expected):
    assert rights_id(given) == expected
    assert metadata_of(license=given)["rights"] == [{"id": expected}]


@pytest.mark.parametrize(("given", "expected"), [("en", "eng"), ("de", "deu"), ("fra", "fra")])
def test_languages_become_three_letter_ids(given, expected):
    assert language_id(given) == expected
    assert metadata_of(language=given)["languages"] == [{"id": expected}]


def test_contributors_roles_and_supervisors():
    written = metadata_of(
        contributors=[{"name": "Roe, Rick", "type": "ContactPerson"}],
        thesis_supervisors=[{"name": "Sup, Sue"}],
    )["contributors"]
    assert [c["role"] for c in written] == [{"id": "contactperson"}, {"id": "supervisor"}]


def test_keywords_and_subjects_become_free_subjects():
    written = metadata_of(keywords=["widgets"], subjects=[{"term": "Astronomy", "identifier": "x"}])
    assert written["subjects"] == [{"subject": "widgets"}, {"subject": "Astronomy"}]


def test_dates_become_intervals():
    written = metadata_of(
        dates=[
            {"start": "2020", "end": "2021", "type": "Collected", "description": "d"},
            {"end": "2022", "type": "valid"},
        ]
    )
    assert written["dates"] == [
        {"date": "2020/2021", "type": {"id": "collected"}, "description": "d"},
        {"date": "2022", "type": {"id": "valid"}},
    ]


@pytest.mark.parametrize(
    ("identifier", "scheme", "value"),
    [
        ("https://doi.org/10.1234/X", "doi", "10.1234/X"),
        ("doi:10.1234/x", "doi", "10.1234/x"),
        ("https://github.com/acme/frob", "url", "https://github.com/acme/frob"),
        ("arXiv:2101.00001", "arxiv", "arXiv:2101.00001"),
        ("urn:nbn:de:1234", "urn", "urn:nbn:de:1234"),
        ("978-3-16-148410-0", "isbn", "978-3-16-148410-0"),
        ("2049-3630", "issn", "2049-3630"),
        (
            "swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505",
            "other",
            "swh:1:dir:d198bc9d7a6bcf6db04f476d29314f157507d505",
        ),
    ],
)
def test_related_identifiers_get_the_scheme_the_deposit_api_detects(identifier, scheme, value):
    assert scheme_of(identifier) == (scheme, value)


def test_related_and_alternate_identifiers_keep_where_they_came_from():
    draft = records_draft(
        {
            **BASE,
            "related_identifiers": [
                {"identifier": "https://example.org/a", "relation": "isAlternateIdentifier"},
                {
                    "identifier": "10.1234/p",
                    "relation": "isOrignialFormOf",
                    "resource_type": "publication-article",
                },
            ],
        }
    )
    md = draft.body["metadata"]
    assert md["identifiers"] == [{"identifier": "https://example.org/a", "scheme": "url"}]
    assert md["related_identifiers"] == [
        {
            "identifier": "10.1234/p",
            "scheme": "doi",
            "relation_type": {"id": "isoriginalformof"},
            "resource_type": {"id": "publication-article"},
        }
    ]
    assert draft.fields["metadata.identifiers.0"] == "metadata.related_identifiers.0"
    assert draft.fields["metadata.related_identifiers.0"] == "metadata.related_identifiers.1"


def test_grants_become_funding_with_ror_funders():
    written = metadata_of(grants=[{"id": "283595"}, {"id": "10.13039/100000001::1740842"}])
    assert written["funding"] == [
        {"funder": {"id": "00k4n6c32"}, "award": {"id": "00k4n6c32::283595"}},
        {"funder": {"id": "021nxhr62"}, "award": {"id": "021nxhr62::1740842"}},
    ]


def test_notes_take_the_type_the_instance_has():
    assert records_draft({**BASE, "notes": "n"}).body["metadata"]["additional_descriptions"] == [
        {"description": "n", "type": {"id": "notes"}}
    ]
    other = records_draft({**BASE, "notes": "n", "method": "m"}, notes_type="other")
    assert [d["type"]["id"] for d in other.body["metadata"]["additional_descriptions"]] == [
        "other",
        "methods",
    ]
    assert other.fields["metadata.additional_descriptions.1"] == "metadata.method"


@pytest.mark.parametrize(
    ("given", "access"),
    [
        ({}, {"record": "public", "files": "public"}),
        ({"access_right": "restricted"}, {"record": "public", "files": "restricted"}),
        ({"access_right": "closed"}, {"record": "public", "files": "restricted"}),
        (
            {"access_right": "embargoed", "embargo_date": "2031-01-01"},
            {
                "record": "public",
                "files": "restricted",
                "embargo": {"active": True, "until": "2031-01-01"},
            },
        ),
    ],
)
def test_access(given, access):
    assert records_draft({**BASE, **given}).body["access"] == access


def test_journal_conference_imprint_and_thesis_go_to_custom_fields():
    draft = records_draft(
        {
            **BASE,
            "journal_title": "J",
            "journal_issue": "2",
            "conference_acronym": "C24",
            "imprint_isbn": "978-3-16-148410-0",
            "thesis_university": "U",
            "custom": {"dwc:genus": ["Felis"]},
        }
    )
    assert draft.body["custom_fields"] == {
        "journal:journal": {"title": "J", "issue": "2"},
        "meeting:meeting": {"acronym": "C24"},
        "imprint:imprint": {"isbn": "978-3-16-148410-0"},
        "thesis:thesis": {"university": "U"},
        "dwc:genus": ["Felis"],
    }
    assert draft.fields["custom_fields.meeting:meeting"] == "metadata.conference_acronym"


def test_what_the_records_api_cannot_take_is_named():
    draft = records_draft(
        {**BASE, "communities": [{"identifier": "x"}], "access_conditions": "ask"}
    )
    assert [w.split(":")[0] for w in draft.warnings] == ["communities", "access_conditions"]
    assert "communities" not in draft.body["metadata"]


def test_each_vocabulary_id_is_named_with_its_field():
    """Once per field that names it: the records client asks the instance once per id."""
    draft = records_draft(
        {
            **BASE,
            "license": "MIT",
            "related_identifiers": [
                {
                    "identifier": "https://x.org",
                    "relation": "isSupplementTo",
                    "resource_type": "software",
                }
            ],
        }
    )
    assert [(use.vocabulary, use.id, use.field) for use in draft.vocabulary] == [
        ("resourcetypes", "software", "metadata.upload_type"),
        ("licenses", "mit", "metadata.license"),
        ("relationtypes", "issupplementto", "metadata.related_identifiers.0.relation"),
        ("resourcetypes", "software", "metadata.related_identifiers.0.resource_type"),
    ]


def test_publisher_version_and_the_plain_fields():
    md = metadata_of(imprint_publisher="ACME Press", version="v1.2", description="<p>d</p>")
    assert (md["publisher"], md["version"], md["description"]) == ("ACME Press", "v1.2", "<p>d</p>")
    assert md["publication_date"] == "2024-05-31" and md["title"] == "Frobnicator"


def test_what_a_read_adds_is_dropped_for_comparing():
    read = {
        "resource_type": {"id": "software", "title": {"en": "Software"}},
        "rights": [{"id": "mit", "title": {"en": "MIT"}, "description": {"en": "…"}, "props": {}}],
        "creators": [{"person_or_org": {"type": "personal", "family_name": "Doe", "name": "Doe"}}],
        "title": "Frobnicator",
    }
    assert records_comparable(read) == {
        "resource_type": {"id": "software"},
        "rights": [{"id": "mit"}],
        "creators": [{"person_or_org": {"type": "personal", "family_name": "Doe"}}],
        "title": "Frobnicator",
    }
