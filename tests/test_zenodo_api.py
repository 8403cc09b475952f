"""The protocol's records: ids of either API, their order, and error fields mapped back."""

import datetime as dt

import pytest

from zenodo_action.zenodo.api import Deposition, Prepared, record_id
from zenodo_action.zenodo.plan import age, newest


@pytest.mark.parametrize(
    ("value", "expected"),
    [(123, 123), ("123", 123), (" 42 ", 42), ("8x4k2-abcde", "8x4k2-abcde")],
)
def test_record_ids_of_either_api(value, expected):
    assert record_id(value) == expected


@pytest.mark.parametrize("value", [None, True, "", "a/b", "x" * 101, "a b", "a?b"])
def test_what_is_no_record_id(value):
    with pytest.raises(ValueError, match="not a record id"):
        record_id(value)


def _dep(dep_id, created=None):
    return Deposition(
        id=dep_id,
        concept_id=None,
        submitted=True,
        is_new_draft=False,
        doi=None,
        concept_doi=None,
        title="t",
        metadata={},
        files=(),
        links={},
        created=created,
    )


def test_zenodo_numbers_order_depositions_and_invenio_creation_times_do():
    at = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    numbered = [_dep(12, at), _dep(9, at + dt.timedelta(days=1))]
    assert newest(numbered).id == 12  # Zenodo numbers them as it makes them
    random = [_dep("zzzzz-zzzzz", at), _dep("00000-00001", at + dt.timedelta(days=1))]
    assert newest(random).id == "00000-00001"
    assert age(random[0]) < age(random[1])


def test_error_fields_are_mapped_back_by_their_longest_prefix():
    prepared = Prepared(
        {},
        {},
        fields={
            "metadata.identifiers": "metadata.related_identifiers",
            "metadata.identifiers.0": "metadata.related_identifiers.3",
            "metadata.additional_descriptions.1": "metadata.method",
        },
    )
    assert (
        prepared.field_of("metadata.identifiers.0.scheme")
        == "metadata.related_identifiers.3.scheme"
    )
    assert prepared.field_of("metadata.additional_descriptions.1") == "metadata.method"
    assert prepared.field_of("metadata.identifiersx") == "metadata.identifiersx"
    assert prepared.field_of("metadata.title") == "metadata.title"
