"""Building the metadata to send (metadata/build.py): pure functions, no server."""

import datetime as dt

from zenodo_action.metadata.build import build_metadata, describe_changes

FILE = {
    "title": "Tool",
    "upload_type": "software",
    "creators": [{"name": "Doe, Jane Mary"}, {"name": "Roe, Rick"}, {"name": "ACME Lab"}],
    "doi": "10.5281/zenodo.1",
    "prereserve_doi": {"doi": "10.5281/zenodo.1", "recid": 1},
    "related_identifiers": [
        {"identifier": "https://github.com/o/r/releases/tag/v1", "relation": "isSupplementTo"}
    ],
}


def test_server_owned_fields_are_removed_and_the_input_is_not_changed():
    built = build_metadata(FILE, version="1.1", today=dt.date(2026, 1, 2))
    assert "doi" not in built and "prereserve_doi" not in built
    assert built["version"] == "1.1"
    assert built["publication_date"] == "2026-01-02"
    assert "doi" in FILE


def test_explicit_values_win_over_the_file():
    data = {**FILE, "version": "0.9", "publication_date": "2020-01-01", "description": "mine"}
    built = build_metadata(data, version="2.0", publication_date="2026-03-04")
    assert built["version"] == "2.0"
    assert built["publication_date"] == "2026-03-04"
    assert built["description"] == "mine"
    kept = build_metadata(data)
    assert kept["version"] == "0.9" and kept["publication_date"] == "2020-01-01"


def test_related_identifiers_are_added_once():
    release = {"identifier": "https://github.com/o/r/releases/tag/v1", "relation": "issupplementto"}
    other = {"identifier": "https://github.com/o/r/releases/tag/v2", "relation": "isSupplementTo"}
    built = build_metadata(FILE, related=[release, other])
    assert [r["identifier"] for r in built["related_identifiers"]] == [
        "https://github.com/o/r/releases/tag/v1",
        "https://github.com/o/r/releases/tag/v2",
    ]


def test_describe_changes_ignores_what_zenodo_echoes_differently():
    old = {"title": "A", "license": "cc-by-4.0", "doi": "x", "notes": "", "version": "1"}
    new = {"title": "A", "license": "CC-BY-4.0", "version": "2", "keywords": ["k"]}
    assert describe_changes(old, new) == ["keywords: added ['k']", "version: '1' -> '2'"]
