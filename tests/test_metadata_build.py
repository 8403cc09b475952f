"""Building the metadata to send (metadata/build.py): pure functions, no server."""

import datetime as dt
import json
import re

import pytest

from zenodo_action import metadata
from zenodo_action.errors import ActionError
from zenodo_action.metadata.build import build_metadata, describe_changes, request_body
from zenodo_action.publish import prepare
from zenodo_action.settings import PublishSettings

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


def test_a_field_left_to_zenodos_default_is_no_change_in_the_plan():
    """Zenodo stores `open` and `Zenodo` for an absent access_right and imprint_publisher:
    the latest version holding them is what the next one gets too."""
    old = {"title": "T", "access_right": "open", "imprint_publisher": "Zenodo"}
    assert describe_changes(old, {"title": "T"}) == []
    assert describe_changes({"title": "T"}, {"title": "T", "access_right": "open"}) == []
    restricted = {"title": "T", "access_right": "restricted", "imprint_publisher": "ACME"}
    assert describe_changes(restricted, {"title": "T"}) == [
        "access_right: removed",
        "imprint_publisher: removed",
    ]


def test_describe_changes_ignores_what_zenodo_echoes_differently():
    old = {"title": "A", "license": "cc-by-4.0", "doi": "x", "notes": "", "version": "1"}
    new = {"title": "A", "license": "CC-BY-4.0", "version": "2", "keywords": ["k"]}
    assert describe_changes(old, new) == ["keywords: added ['k']", "version: '1' -> '2'"]


# --- the request body, encoded before any request (issue 12, item 3) -------------------


def test_the_request_body_is_the_json_zenodo_receives():
    metadata = {"title": "Tides \U0001f30a", "locations": [{"lat": 1.5}]}
    assert json.loads(request_body(metadata)) == {"metadata": metadata}


@pytest.mark.parametrize(
    ("metadata", "field", "words"),
    [
        ({"locations": [{"place": "x", "lat": float("nan")}]}, "locations[0].lat", "finite"),
        ({"custom": {"a": float("-inf")}}, "custom.a", "finite"),
        ({"title": "Tides \udc80"}, "title", "surrogate"),
        ({"custom": {"\ud800": 1}}, 'custom["\\ud800"]', "surrogate"),
    ],
)
def test_an_unsendable_value_fails_before_any_request_naming_its_field(metadata, field, words):
    from zenodo_action.metadata.build import request_body

    places = []

    def place(path):
        places.append(path)
        return ".zenodo.yml", 7, 3

    with pytest.raises(ActionError) as raised:
        request_body(metadata, place)
    error = raised.value
    assert error.message.startswith(f"{field}: ") and words in error.message
    assert "nothing was sent" in error.message
    assert (error.file, error.line, places) == (".zenodo.yml", 7, [field])


def test_prepare_refuses_a_record_it_cannot_encode(tmp_path):
    """Through publish.prepare, as a run calls it: the error names the file and line, and
    no client was ever made."""
    (tmp_path / ".zenodo.yml").write_text("title: Tides\ncustom:\n  a: .nan\n")
    context = metadata.Context("dataset")
    record = metadata.read(metadata.MetadataPaths(), tmp_path, context)
    with pytest.raises(ActionError, match=re.escape("custom.a: is nan")) as raised:
        prepare(PublishSettings("https://zenodo.invalid", "t"), record, [])
    error = raised.value
    assert (error.file, error.line, error.column) == (str(tmp_path / ".zenodo.yml"), 3, 6)
