"""The URL rules: which origin a URL has (as the transport reads it) and which URLs are
refused because two parsers could read them as different hosts."""

from __future__ import annotations

import pytest

from zenodo_action.urls import ambiguous, insecure, origin


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://zenodo.org/api/x", ("https", "zenodo.org", 443)),
        ("https://zenodo.org:443/api/x", ("https", "zenodo.org", 443)),  # default port
        ("HTTPS://Zenodo.ORG/api", ("https", "zenodo.org", 443)),  # case
        ("http://127.0.0.1/api", ("http", "127.0.0.1", 80)),
        ("http://[::1]:8080/api", ("http", "::1", 8080)),  # brackets dropped
        ("https://[::1]/api", ("https", "::1", 443)),
        # What urllib3 connects to, which urlsplit reads as 127.0.0.1:82:
        ("http://127.0.0.2:81\\@127.0.0.1:82/x", ("http", "127.0.0.2", 81)),
    ],
)
def test_origin_is_the_transports_reading(url, expected):
    assert origin(url) == expected


def test_an_unparsable_url_has_no_origin():
    assert origin("http://h:99999/") == ("", "", None)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.2:81\\@127.0.0.1:82/x", "backslash"),
        ("http://evil.example\\.zenodo.org/x", "backslash"),
        ("http://user@127.0.0.1:82/x", "user name or password"),
        ("https://user:pass@zenodo.org/x", "user name or password"),
        ("http://127.0.0.2:81%40127.0.0.1:82/x", "cannot be parsed"),
        ("http://127.0.0.2%40127.0.0.1:82/x", "percent-encoded"),
        ("http://127.0.0.2:81\t@127.0.0.1:82/x", "whitespace or control"),
        ("http://127.0.0.1:82/x\n", "whitespace or control"),
        ("http://127.0.0.1:82/a b", "whitespace or control"),
        ("http://127.0.0.1:82/\x85", "whitespace or control"),
        ("HTTP://127.0.0.2:81\\@127.0.0.1:82/x", "backslash"),
        ("http://[::1]:81\\@127.0.0.1:82/x", "backslash"),
        ("http://h:99999/", "cannot be parsed"),
        ("http://[::1/", "cannot be parsed"),
    ],
)
def test_urls_two_parsers_could_read_differently_are_refused(url, reason):
    assert reason in (ambiguous(url) or "")


@pytest.mark.parametrize(
    "url",
    [
        "https://zenodo.org/api/deposit/depositions/1?access_token=x",
        "https://zenodo.org:443/api/files/abc/name%20with%40at.txt",  # % in the path only
        "HTTPS://zenodo.org/api",
        "http://[::1]:8080/api",
        "http://127.0.0.1:5000/api/records/1/versions/latest",
    ],
)
def test_plain_urls_pass(url):
    assert ambiguous(url) is None


def test_insecure_keeps_its_rule():
    assert insecure("https://zenodo.org") is None
    assert insecure("http://127.0.0.1:5000") is None
    assert insecure("http://zenodo.org") == "plain-http"
    assert insecure("ftp://zenodo.org") == "not-http"
