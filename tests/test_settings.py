"""Parsing what a user types as concept, Zenodo URL and publication date."""

import pytest

from zenodo_action.errors import UsageError
from zenodo_action.settings import (
    SANDBOX_URL,
    ZENODO_URL,
    concept_ref,
    publication_date,
    zenodo_url,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("123", 123),
        (" 123 ", 123),
        ("10.5281/zenodo.123", 123),
        ("doi:10.5281/zenodo.123", 123),
        ("https://doi.org/10.5281/zenodo.123", 123),
        ("http://dx.doi.org/10.5281/zenodo.123", 123),
        ("https://doi.org/10.5281%2Fzenodo.123", 123),
        ("https://zenodo.org/records/456", 456),
        ("https://zenodo.org/record/456", 456),
        ("https://zenodo.org/records/456/files/x.zip?download=1", 456),
        ("https://zenodo.org/uploads/456", 456),
        ("https://zenodo.org/deposit/456", 456),
        ("https://zenodo.org/api/records/456", 456),
    ],
)
def test_concept_forms(given, expected):
    assert concept_ref(given, ZENODO_URL).id == expected


def test_no_concept_means_a_new_one():
    assert concept_ref(None, ZENODO_URL) is None
    assert concept_ref("  ", ZENODO_URL) is None


@pytest.mark.parametrize(
    ("given", "base", "message"),
    [
        ("10.5072/zenodo.5", ZENODO_URL, "belong to sandbox.zenodo.org"),
        ("10.5281/zenodo.5", SANDBOX_URL, "belong to zenodo.org"),
        ("https://sandbox.zenodo.org/records/5", ZENODO_URL, "points at sandbox.zenodo.org"),
        ("10.1234/abc", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("zenodo", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("https://example.org/foo/5", ZENODO_URL, "is not a Zenodo concept DOI"),
        ("-5", ZENODO_URL, "is not a Zenodo concept DOI"),
    ],
)
def test_bad_concepts_are_usage_errors(given, base, message):
    with pytest.raises(UsageError, match=message) as raised:
        concept_ref(given, base)
    assert raised.value.exit_code == 2


def test_custom_instance_accepts_its_own_records():
    assert concept_ref("https://rdm.example.org/records/9", "https://rdm.example.org").id == 9


@pytest.mark.parametrize(
    ("given", "sandbox", "expected"),
    [
        (None, False, "https://zenodo.org"),
        (None, True, "https://sandbox.zenodo.org"),
        ("https://zenodo.org/", False, "https://zenodo.org"),
        ("https://rdm.example.org/prefix/", False, "https://rdm.example.org/prefix"),
        ("http://127.0.0.1:8080", False, "http://127.0.0.1:8080"),
        ("http://localhost:5000", False, "http://localhost:5000"),
        ("http://[::1]:5000", False, "http://[::1]:5000"),
    ],
)
def test_zenodo_urls(given, sandbox, expected):
    assert zenodo_url(given, sandbox=sandbox) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("http://zenodo.org", "plain http"),
        ("http://10.0.0.5", "plain http"),
        ("ftp://zenodo.org", "not an http"),
        ("zenodo.org", "not an http"),
        ("https://user:pw@zenodo.org", "without credentials"),
        ("https://zenodo.org/?access_token=x", "without credentials"),
    ],
)
def test_bad_zenodo_urls(given, message):
    with pytest.raises(UsageError, match=message):
        zenodo_url(given)


def test_sandbox_and_url_together_are_refused():
    with pytest.raises(UsageError, match="either --sandbox or --zenodo-url"):
        zenodo_url("https://zenodo.org", sandbox=True)


def test_publication_dates():
    assert publication_date("2024-05-31") == "2024-05-31"
    assert publication_date("") is None
    with pytest.raises(UsageError, match="not a date like"):
        publication_date("2024-05-31T10:00:00")
    with pytest.raises(UsageError, match="not a date like"):
        publication_date("31.05.2024")
