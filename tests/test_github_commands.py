"""Workflow commands and environment files, read back the way the runner reads them."""

from __future__ import annotations

import os
import re

import pytest

from tests.container_harness import parse_env_file
from zenodo_action.github import commands
from zenodo_action.github.commands import (
    MESSAGE_LIMIT,
    add_mask,
    annotation,
    append_summary,
    escape_data,
    escape_property,
    file_command_entry,
    format_command,
    set_output,
    untrusted,
)
from zenodo_action.secrets import MASK, register

TOKEN = "tok-1234567890"
TRUNCATED_NOTE = "_(summary truncated)_"


# escape_data / escape_property


def test_escape_data_escapes_percent_carriage_return_and_newline():
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"


def test_escape_data_escapes_percent_first_so_escapes_are_not_decoded_twice():
    assert escape_data("%0A") == "%250A"


def test_escape_data_leaves_colons_and_commas():
    assert escape_data("a::b,c") == "a::b,c"


def test_escape_property_also_escapes_colon_and_comma():
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


# format_command


def test_format_command_without_properties():
    assert format_command("group", "Upload") == "::group::Upload"


def test_format_command_without_message():
    assert format_command("endgroup") == "::endgroup::"


def test_format_command_joins_escaped_properties_in_order():
    line = format_command("error", "bad", file="dir/a,b.yml", line=3, title="x: y")
    assert line == "::error file=dir/a%2Cb.yml,line=3,title=x%3A y::bad"


def test_format_command_leaves_out_none_and_empty_properties():
    line = format_command("warning", "m", file=None, line=7, col="", title=None)
    assert line == "::warning line=7::m"


def test_format_command_keeps_a_zero_property():
    assert format_command("notice", "m", line=0) == "::notice line=0::m"


def test_format_command_escapes_the_message():
    assert format_command("error", "a\nb 100%") == "::error::a%0Ab 100%25"


def test_format_command_redacts_the_message():
    register(TOKEN)
    assert format_command("error", f"sent {TOKEN}") == f"::error::sent {MASK}"


# annotation


@pytest.mark.parametrize("level", ["error", "warning", "notice"])
def test_annotation_levels(level):
    assert annotation(level, "message") == f"::{level}::message"


@pytest.mark.parametrize("level", ["debug", "info", "ERROR", "", "group"])
def test_annotation_refuses_other_levels(level):
    with pytest.raises(ValueError, match="unknown annotation level"):
        annotation(level, "message")


def test_annotation_places_location_and_title_properties():
    line = annotation(
        "warning",
        "fix it",
        file=".zenodo.yml",
        line=4,
        col=3,
        end_line=5,
        end_column=9,
        title="Zenodo",
    )
    assert line == (
        "::warning file=.zenodo.yml,line=4,endLine=5,col=3,endColumn=9,title=Zenodo::fix it"
    )


def test_annotation_cuts_the_message_to_the_limit():
    line = annotation("error", "a" * (MESSAGE_LIMIT + 500))
    assert line == "::error::" + "a" * MESSAGE_LIMIT


def test_annotation_keeps_a_message_at_the_limit():
    message = "b" * (MESSAGE_LIMIT - 1) + "c"
    assert annotation("notice", message) == f"::notice::{message}"


def test_annotation_redacts_message_and_title():
    register(TOKEN)
    line = annotation("error", f"message {TOKEN}", title=f"title {TOKEN}")
    assert TOKEN not in line
    assert line == f"::error title=title {MASK}::message {MASK}"


def test_a_secret_across_the_message_limit_is_masked_before_the_cut():
    register(TOKEN)
    line = annotation("error", "x" * (MESSAGE_LIMIT - 5) + TOKEN)
    assert TOKEN[:5] not in line.split("::")[-1].replace("x", "")
    assert line.endswith("x" + MASK)


def test_property_values_are_redacted():
    register(TOKEN)
    assert format_command("error", "m", file=f"a/{TOKEN}.yml") == f"::error file=a/{MASK}.yml::m"


def test_annotation_escapes_the_title():
    assert annotation("notice", "m", title="a:b,c") == "::notice title=a%3Ab%2Cc::m"


# untrusted


@pytest.mark.parametrize("text", ["plain text", "a: b", "one # two [three]", ""])
def test_untrusted_leaves_plain_text_unchanged(text):
    assert untrusted(text) == text


@pytest.mark.parametrize("text", ["::error::pwned", "release notes :: v1", "##[group]x"])
def test_untrusted_wraps_text_that_could_hold_a_command(text):
    wrapped = untrusted(text)
    match = re.fullmatch(r"::stop-commands::(\S+)\n(.*)\n::(\S+)::", wrapped, re.DOTALL)
    assert match is not None, wrapped
    start, inner, end = match.groups()
    assert start == end
    assert inner == text
    assert start not in text


def test_untrusted_uses_a_fresh_token_each_call():
    first = untrusted("::warning::x").splitlines()[0]
    second = untrusted("::warning::x").splitlines()[0]
    assert first.startswith("::stop-commands::")
    assert first != second


# add_mask


def _mask_lines(out: str) -> list[str]:
    return sorted(line for line in out.splitlines() if line)


def test_add_mask_writes_one_line_for_a_single_line_value(capfd):
    add_mask(TOKEN)
    assert capfd.readouterr().out == f"::add-mask::{TOKEN}\n"


def test_add_mask_masks_each_distinct_line_of_a_multiline_value(capfd):
    value = "line-one\nline-two\n\n   \nline-one"
    add_mask(value)
    lines = _mask_lines(capfd.readouterr().out)
    assert all(line.startswith("::add-mask::") for line in lines)
    assert lines == sorted(
        [
            f"::add-mask::{escape_data(value)}",
            "::add-mask::line-one",
            "::add-mask::line-two",
        ]
    )


def test_add_mask_is_not_redacted_so_the_runner_learns_the_value(capfd):
    register(TOKEN)
    add_mask(TOKEN)
    assert capfd.readouterr().out == f"::add-mask::{TOKEN}\n"


@pytest.mark.parametrize("value", [None, ""])
def test_add_mask_writes_nothing_for_no_value(capfd, value):
    add_mask(value)
    assert capfd.readouterr().out == ""


def test_add_mask_writes_nothing_for_a_blank_value(capfd):
    add_mask("   \n  ")
    assert capfd.readouterr().out == ""


# file_command_entry / set_output


def test_file_command_entry_is_a_heredoc_with_a_random_delimiter():
    entry = file_command_entry("name", "value")
    match = re.fullmatch(
        r"name<<(ghadelimiter_[0-9a-f-]{36})\nvalue\n(ghadelimiter_[^\n]+)\n", entry
    )
    assert match is not None, entry
    assert match.group(1) == match.group(2)


def test_file_command_entry_uses_a_fresh_delimiter_each_call():
    assert (
        file_command_entry("a", "b").split("\n")[0] != file_command_entry("a", "b").split("\n")[0]
    )


def test_outputs_written_by_the_package_survive_the_runner_parser():
    hostile = "first\nEOF\nstatus=published\nghadelimiter_x\n%0A ::error::no"
    entries = file_command_entry("badge", hostile) + file_command_entry("status", "invalid")
    assert parse_env_file(entries) == {"badge": hostile, "status": "invalid"}


def test_set_output_appends_entries_the_runner_reads(tmp_path):
    path = tmp_path / "output"
    path.write_text("earlier=1\n", encoding="utf-8")
    set_output("doi", "10.5281/zenodo.123", path=str(path))
    set_output("notes", "line one\nline two", path=str(path))
    assert parse_env_file(path.read_text(encoding="utf-8")) == {
        "earlier": "1",
        "doi": "10.5281/zenodo.123",
        "notes": "line one\nline two",
    }


def test_set_output_creates_a_missing_file(tmp_path):
    path = tmp_path / "output"
    set_output("status", "published", path=str(path))
    assert parse_env_file(path.read_text(encoding="utf-8")) == {"status": "published"}


def test_set_output_redacts_secrets_in_the_value(tmp_path):
    register("s3cr3t/t0ken")
    path = tmp_path / "output"
    set_output("url", "https://x/?a=s3cr3t/t0ken&b=s3cr3t%2Ft0ken", path=str(path))
    text = path.read_text(encoding="utf-8")
    assert "s3cr3t" not in text
    assert parse_env_file(text) == {"url": f"https://x/?a={MASK}&b={MASK}"}


# append_summary


def test_append_summary_appends_to_the_file(tmp_path):
    path = tmp_path / "summary.md"
    append_summary("# Title\n", path=str(path))
    append_summary("body\n", path=str(path))
    assert path.read_text(encoding="utf-8") == "# Title\nbody\n"


def test_append_summary_redacts_secrets(tmp_path):
    register(TOKEN)
    path = tmp_path / "summary.md"
    append_summary(f"token: `{TOKEN}`\n", path=str(path))
    assert path.read_text(encoding="utf-8") == f"token: `{MASK}`\n"


def test_append_summary_that_fits_exactly_is_not_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "SUMMARY_LIMIT", 100)
    path = tmp_path / "summary.md"
    path.write_text("x" * 60, encoding="utf-8")
    append_summary("y" * 40, path=str(path))
    assert path.read_text(encoding="utf-8") == "x" * 60 + "y" * 40


def test_append_summary_cuts_text_that_would_exceed_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "SUMMARY_LIMIT", 100)
    path = tmp_path / "summary.md"
    path.write_text("x" * 30, encoding="utf-8")
    append_summary("y" * 200, path=str(path))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("x" * 30 + "y")
    assert text.rstrip("\n").endswith(TRUNCATED_NOTE)
    assert os.path.getsize(path) <= 100
    assert "y" * 200 not in text


def test_append_summary_cut_never_splits_a_utf8_character(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "SUMMARY_LIMIT", 101)
    path = tmp_path / "summary.md"
    append_summary("é" * 100, path=str(path))
    raw = path.read_bytes()
    assert len(raw) <= 101
    text = raw.decode("utf-8")  # raises if a character was split
    assert text.rstrip("\n").endswith(TRUNCATED_NOTE)
    assert set(text.split("\n")[0]) == {"é"}


def test_append_summary_cuts_after_redacting(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "SUMMARY_LIMIT", 60)
    register("tok-" + "z" * 40)
    path = tmp_path / "summary.md"
    append_summary("a " + "tok-" + "z" * 40 + " b" * 50, path=str(path))
    text = path.read_text(encoding="utf-8")
    assert "zzzz" not in text
    assert text.startswith(f"a {MASK} b")
    assert text.rstrip("\n").endswith(TRUNCATED_NOTE)


def test_append_summary_never_grows_a_full_file_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(commands, "SUMMARY_LIMIT", 100)
    path = tmp_path / "summary.md"
    path.write_text("x" * 95, encoding="utf-8")
    append_summary("y" * 50, path=str(path))
    append_summary("z" * 50, path=str(path))
    assert os.path.getsize(path) <= 100
