"""Action inputs as the runner passes them: hyphens kept, empty strings for unset."""

from __future__ import annotations

import os

import pytest

from zenodo_action import secrets
from zenodo_action.errors import UsageError
from zenodo_action.github.inputs import (
    get_bool,
    get_choice,
    get_input,
    get_multiline,
    get_secret,
    input_variable_names,
)


def test_runner_keeps_hyphens_and_replaces_only_spaces():
    assert input_variable_names("release-assets") == [
        "INPUT_RELEASE-ASSETS",
        "INPUT_RELEASE_ASSETS",
    ]
    assert input_variable_names("zenodo url") == ["INPUT_ZENODO_URL"]
    assert input_variable_names("token") == ["INPUT_TOKEN"]


def test_hyphenated_input_is_read_from_the_runner_spelling(monkeypatch):
    monkeypatch.setenv("INPUT_SOURCE-ARCHIVE", "tar.gz")
    assert get_input("source-archive", environ=os.environ) == "tar.gz"


def test_underscore_spelling_is_a_fallback():
    env = {"INPUT_ZENODO_URL": "https://sandbox.zenodo.org"}
    assert get_input("zenodo-url", environ=env) == "https://sandbox.zenodo.org"


def test_runner_spelling_wins_over_the_fallback():
    env = {"INPUT_DRY-RUN": "true", "INPUT_DRY_RUN": "false"}
    assert get_input("dry-run", environ=env) == "true"


def test_empty_string_means_unset_even_when_the_fallback_has_a_value():
    # A declared input without a default arrives as "" (github-actions.md §1.4).
    assert get_input("concept", "fallback", environ={"INPUT_CONCEPT": ""}) == "fallback"
    assert get_input("concept", environ={"INPUT_CONCEPT": "   \n"}) is None
    env = {"INPUT_GITHUB-TOKEN": "", "INPUT_GITHUB_TOKEN": "ghs_x"}
    assert get_input("github-token", environ=env) == "ghs_x"


def test_values_are_trimmed():
    assert get_input("version", environ={"INPUT_VERSION": "  v1.2.3\n"}) == "v1.2.3"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False)],
)
def test_booleans_accept_only_the_yaml_core_words(raw, expected):
    assert get_bool("publish", not expected, environ={"INPUT_PUBLISH": raw}) is expected


def test_unset_boolean_takes_the_default():
    assert get_bool("sandbox", False, environ={"INPUT_SANDBOX": ""}) is False
    assert get_bool("publish", True, environ={}) is True


@pytest.mark.parametrize("raw", ["yes", "1", "tRuE", "on", "no"])
def test_other_boolean_words_are_refused_naming_the_input(raw):
    with pytest.raises(UsageError) as caught:
        get_bool("release-notes-badge", True, environ={"INPUT_RELEASE-NOTES-BADGE": raw})
    assert "release-notes-badge" in str(caught.value)
    assert repr(raw) in str(caught.value)
    assert caught.value.exit_code == 2


def test_choice_is_checked_against_the_allowed_words():
    env = {"INPUT_SOURCE-ARCHIVE": "tar.gz"}
    assert get_choice("source-archive", ("zip", "tar.gz", "none"), "zip", environ=env) == "tar.gz"
    assert get_choice("source-archive", ("zip", "tar.gz", "none"), "zip", environ={}) == "zip"
    with pytest.raises(UsageError, match="'mode' must be one of auto, validate, publish"):
        get_choice("mode", ("auto", "validate", "publish"), "auto", environ={"INPUT_MODE": "x"})


def test_error_message_cannot_carry_a_workflow_command():
    with pytest.raises(UsageError) as caught:
        get_bool("publish", True, environ={"INPUT_PUBLISH": "##[error]fake"})
    assert "##[" not in str(caught.value)


def test_multiline_drops_blank_lines_and_comments():
    env = {"INPUT_FILES": "dist/*.whl\n\n  # built by the job above\n  data/**/*.csv  \r\n"}
    assert get_multiline("files", environ=env) == ["dist/*.whl", "data/**/*.csv"]
    assert get_multiline("files", environ={"INPUT_FILES": ""}) == []


def test_secret_input_is_masked_for_the_runner_and_redacted_for_us(capfd):
    token = "zenodo-token-1234567890"
    assert get_secret("token", environ={"INPUT_TOKEN": f" {token}\n"}) == token
    assert f"::add-mask::{token}" in capfd.readouterr().out
    assert secrets.redact(f"Bearer {token}") == "Bearer ***"


def test_unset_secret_prints_nothing(capfd):
    assert get_secret("token", environ={"INPUT_TOKEN": ""}) is None
    assert capfd.readouterr().out == ""
