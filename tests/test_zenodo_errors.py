"""Zenodo's error replies turned into ActionErrors, without a server."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from zenodo_action.errors import ActionError, FieldError
from zenodo_action.http import HttpError
from zenodo_action.secrets import MASK, register
from zenodo_action.zenodo.errors import ZenodoRejected, explain, field_errors

URL = "https://zenodo.org/api/deposit/depositions/1"
CONFIG = ".zenodo.yml"
TOKEN = "zenodo-token-1234567890"

TODAY_BODY = {
    "status": 400,
    "message": "Validation error.",
    "errors": [{"field": "metadata.creators.0.name", "messages": ["Family name cannot be blank."]}],
}
OLD_BODY = {
    "status": 400,
    "message": "Validation error.",
    "errors": [{"field": "metadata.title", "message": "Field may not be blank."}],
}

LOCATIONS = {
    "metadata.creators.0.name": (CONFIG, 12, 7),
    "metadata.title": (CONFIG, 3, 1),
    "metadata.publication_date": (CONFIG, 5, 3),
}


def http_error(status: int | None, body=None, message: str = "request failed") -> HttpError:
    return HttpError(message, method="PUT", url=URL, status=status, body=body)


def locate(field: str):
    return LOCATIONS.get(field, (None, None, None))


# authentication


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_say_zenodo_refused_and_hint_at_token_scopes(status):
    body = {"status": status, "message": "The server could not verify that you are authorized."}
    error = explain(http_error(status, body), doing="upload the files")
    assert isinstance(error, ZenodoRejected)
    assert error.message.startswith("Zenodo refused to upload the files")
    assert str(status) in error.message
    assert "could not verify that you are authorized" in error.message
    assert "deposit:write" in error.hint
    assert "deposit:actions" in error.hint
    assert "owns the concept" not in error.hint


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_on_a_new_version_hint_at_the_record_owner(status):
    error = explain(http_error(status, {"message": "Forbidden"}), doing="create a new version")
    assert error.message.startswith("Zenodo refused to create a new version")
    assert "does not own this record" in error.hint
    assert "deposit:write" not in error.hint


def test_auth_errors_are_not_located_in_the_config():
    calls = []

    def recording_locate(field):
        calls.append(field)
        return (CONFIG, 1, 1)

    error = explain(http_error(403, TODAY_BODY), doing="publish", locate=recording_locate)
    assert calls == []
    assert error.fields == ()
    assert error.file is None and error.line is None


# rate limits and server failures


def test_rate_limit_says_so_and_hints_at_waiting():
    error = explain(http_error(429, {"message": "Too many requests"}), doing="upload the files")
    assert isinstance(error, ZenodoRejected)
    assert error.message == "Zenodo kept rate-limiting the request to upload the files"
    assert "wait a few minutes" in error.hint


@pytest.mark.parametrize("status", [None, 500, 502, 503, 504])
def test_server_failures_say_zenodo_failed_and_hint_at_a_rerun(status):
    error = explain(
        http_error(status, {"message": "Internal error"}, message="PUT deposit: 502 Bad Gateway"),
        doing="publish the new version",
    )
    assert isinstance(error, ZenodoRejected)
    assert error.message == "Zenodo failed to publish the new version: PUT deposit: 502 Bad Gateway"
    assert "run again later" in error.hint
    assert "never creates a second version" in error.hint


# validation errors


def test_todays_error_shape_is_located_and_listed():
    error = explain(http_error(400, TODAY_BODY), doing="save the metadata", locate=locate)
    assert isinstance(error, ZenodoRejected)
    assert error.message == (
        "Zenodo rejected the request to save the metadata: Validation error.\n"
        f"  {CONFIG}:12: metadata.creators.0.name: Family name cannot be blank."
    )
    assert error.fields == (
        FieldError("metadata.creators.0.name", "Family name cannot be blank.", CONFIG, 12, 7),
    )
    assert (error.file, error.line, error.column) == (CONFIG, 12, 7)


def test_old_error_shape_is_located_and_listed():
    error = explain(http_error(400, OLD_BODY), doing="save the metadata", locate=locate)
    assert error.message == (
        "Zenodo rejected the request to save the metadata: Validation error.\n"
        f"  {CONFIG}:3: metadata.title: Field may not be blank."
    )
    assert (error.file, error.line, error.column) == (CONFIG, 3, 1)


def test_every_message_of_a_field_is_listed():
    body = {
        "message": "Validation error.",
        "errors": [{"field": "metadata.title", "messages": ["Too short.", "Not a title."]}],
    }
    error = explain(http_error(400, body), doing="save the metadata", locate=locate)
    assert error.message.splitlines()[1:] == [
        f"  {CONFIG}:3: metadata.title: Too short.",
        f"  {CONFIG}:3: metadata.title: Not a title.",
    ]
    assert len(error.fields) == 2


def test_location_comes_from_the_first_field_that_was_located():
    body = {
        "message": "Validation error.",
        "errors": [
            {"field": "metadata.unknown", "messages": ["Unknown field."]},
            {"field": "metadata.creators.0.name", "messages": ["Family name cannot be blank."]},
            {"field": "metadata.title", "messages": ["Field may not be blank."]},
        ],
    }
    error = explain(http_error(400, body), doing="save the metadata", locate=locate)
    assert (error.file, error.line, error.column) == (CONFIG, 12, 7)
    assert error.message.splitlines()[1:] == [
        "  metadata.unknown: Unknown field.",
        f"  {CONFIG}:12: metadata.creators.0.name: Family name cannot be blank.",
        f"  {CONFIG}:3: metadata.title: Field may not be blank.",
    ]


def test_fields_are_listed_unlocated_without_a_locate_callback():
    error = explain(http_error(400, TODAY_BODY), doing="save the metadata")
    assert error.message.endswith("\n  metadata.creators.0.name: Family name cannot be blank.")
    assert error.fields[0].file is None and error.fields[0].line is None
    assert error.file is None and error.line is None and error.column is None


def test_an_error_without_a_field_is_about_the_record_and_not_located():
    calls = []

    def recording_locate(field):
        calls.append(field)
        return (CONFIG, 1, 1)

    body = {"message": "Validation error.", "errors": [{"messages": ["Missing data."]}]}
    error = explain(http_error(400, body), doing="publish", locate=recording_locate)
    assert calls == []
    assert error.message.endswith("\n  record: Missing data.")
    assert error.line is None


def test_a_rejection_without_fields_is_one_line():
    error = explain(http_error(409, {"message": "Deposit is locked."}), doing="edit the record")
    assert error.message == "Zenodo rejected the request to edit the record: Deposit is locked."
    assert error.fields == ()
    assert error.hint is None


def test_zenodo_rejected_names_zenodo_as_its_source():
    error = explain(http_error(400, TODAY_BODY), doing="save the metadata", locate=locate)
    assert error.source == "Zenodo"
    assert isinstance(error, ActionError)
    assert ZenodoRejected("x").source == "Zenodo"
    assert ActionError("x").source == ""


# hints


def test_a_field_hint_is_given_for_a_known_field():
    body = {
        "message": "Validation error.",
        "errors": [{"field": "metadata.publication_date", "messages": ["Not a valid date."]}],
    }
    error = explain(http_error(400, body), doing="save the metadata", locate=locate)
    assert "2024-05-31" in error.hint
    assert (error.file, error.line) == (CONFIG, 5)


def test_a_field_hint_matches_a_field_path_prefix():
    body = {"errors": [{"field": "pids.doi.identifier", "messages": ["Reserved."]}]}
    error = explain(http_error(400, body), doing="save the metadata")
    assert "remove `doi`" in error.hint


def test_a_message_hint_is_given_for_a_known_server_message():
    body = {"status": 400, "message": "Bucket QUOTA exceeded."}
    error = explain(http_error(400, body), doing="upload the files")
    assert "quota" in error.hint
    assert "50 GB" in error.hint
    assert "self-service" in error.hint and "support" not in error.hint  # since 2026-04


# Another instance's refusals (docs/reference/invenio-records-api.md §5.1, §5.9) and field
# errors: the hint names that instance, never Zenodo or Zenodo's figures.
ANOTHER_INSTANCES_REFUSALS = {
    "quota": ({"status": 400, "message": "Bucket quota exceeded."}, "quota on data.example.org"),
    "file size": (
        {"status": 400, "message": "Maximum file size exceeded."},
        "data.example.org's largest file size",
    ),
    "file count": (
        {
            "status": 400,
            "message": "Uploading selected files will result in exceeding the max amount "
            "per record.",
        },
        "more files than data.example.org takes",
    ),
    "pids.doi": (
        {"status": 400, "errors": [{"field": "pids.doi", "messages": ["Bad DOI."]}]},
        "its own DOI from data.example.org",
    ),
    "files.enabled": (
        {"status": 400, "errors": [{"field": "files.enabled", "messages": ["Missing."]}]},
        "every version on data.example.org needs at least one file",
    ),
}


@pytest.mark.parametrize("refusal", list(ANOTHER_INSTANCES_REFUSALS))
def test_another_instances_hints_name_it(refusal):
    body, expected = ANOTHER_INSTANCES_REFUSALS[refusal]
    error = explain(http_error(400, body), doing="upload a.zip", server="data.example.org")
    assert error.hint and expected in error.hint
    assert "Zenodo" not in error.hint and "GB" not in error.hint and "100" not in error.hint


def test_a_message_hint_is_found_in_a_field_message():
    body = {
        "message": "Validation error.",
        "errors": [{"field": "files", "messages": ["Empty files are not accepted."]}],
    }
    error = explain(http_error(400, body), doing="upload the files")
    assert "empty files" in error.hint


def test_a_field_hint_wins_over_a_message_hint():
    body = {
        "message": "quota",
        "errors": [{"field": "metadata.publication_date", "messages": ["Bad date."]}],
    }
    error = explain(http_error(400, body), doing="save the metadata")
    assert "2024-05-31" in error.hint


def test_an_unknown_rejection_has_no_hint():
    error = explain(http_error(400, OLD_BODY), doing="save the metadata", locate=locate)
    assert error.hint is None


# field_errors


@pytest.mark.parametrize("body", [None, "", "<html>Bad Request</html>", ["errors"], 400])
def test_field_errors_of_a_body_that_is_not_a_dict_is_empty(body):
    assert field_errors(body) == []


def test_field_errors_reads_both_shapes_and_skips_junk():
    body = {
        "errors": [
            {"field": "a", "messages": ["one", "two"]},
            {"field": "b", "message": "three"},
            "not a dict",
            {"field": "c", "messages": "four"},
            {"field": None},
        ]
    }
    assert field_errors(body) == [
        ("a", "one"),
        ("a", "two"),
        ("b", "three"),
        ("c", "four"),
        ("", ""),
    ]


def test_field_errors_of_a_dict_without_errors_is_empty():
    assert field_errors({"message": "Validation error.", "errors": None}) == []


def test_a_body_that_is_not_a_dict_becomes_the_message():
    error = explain(http_error(400, "<html>Bad Request</html>"), doing="save the metadata")
    assert (
        error.message
        == "Zenodo rejected the request to save the metadata: <html>Bad Request</html>"
    )
    assert error.fields == ()


# secrets and untrusted text


def test_secrets_echoed_by_the_server_never_reach_the_message():
    register(TOKEN)
    body = {
        "message": f"Bad token {TOKEN} (sent as access_token={quote(TOKEN)}).",
        "errors": [{"field": "metadata.title", "messages": [f"Echo: {TOKEN}"]}],
    }
    error = explain(http_error(400, body), doing="save the metadata", locate=locate)
    assert TOKEN not in str(error)
    assert MASK in error.message
    assert all(TOKEN not in field.message for field in error.fields)
    assert f"{CONFIG}:3: metadata.title: Echo: {MASK}" in error.message


@pytest.mark.parametrize("status", [401, 403])
def test_secrets_echoed_in_an_auth_failure_never_reach_the_message(status):
    register(TOKEN)
    error = explain(http_error(status, {"message": f"Token {TOKEN} is invalid"}), doing="publish")
    assert TOKEN not in str(error)
    assert f"Token {MASK} is invalid" in error.message


def test_secrets_in_a_server_failure_never_reach_the_message():
    register(TOKEN)
    error = explain(http_error(502, message=f"PUT {URL}?access_token={TOKEN}"), doing="publish")
    assert TOKEN not in str(error)
    assert error.message == f"Zenodo failed to publish: PUT {URL}?access_token={MASK}"


def test_a_multiline_server_message_becomes_one_line():
    body = {"message": "first line\nsecond line\r\n::error::injected"}
    error = explain(http_error(400, body), doing="save the metadata")
    assert "\n" not in error.message and "\r" not in error.message
    assert error.message.startswith("Zenodo rejected the request to save the metadata: first line")
    assert "second line" in error.message


def test_a_long_server_message_is_cut():
    body = {"message": "x" * 5000}
    error = explain(http_error(400, body), doing="save the metadata")
    said = error.message.removeprefix("Zenodo rejected the request to save the metadata: ")
    assert len(said) == 300
    assert said.endswith("...")


def test_a_long_multiline_message_in_an_auth_failure_is_one_short_line():
    body = {"message": "denied\n" + "y" * 1000}
    error = explain(http_error(403, body), doing="publish")
    assert "\n" not in error.message
    assert len(error.message) < 400
