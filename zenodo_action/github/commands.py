"""Workflow commands and environment files, as the Actions runner parses them.

A direct port of the toolkit's command.ts and file-command.ts
(reference github-actions.md §2). Every value that leaves through here is
scrubbed of secrets first, and any str can leave: what UTF-8 cannot hold (a lone
surrogate) is written as a backslash escape (`secrets.writable`).
"""

from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from zenodo_action.secrets import redact, writable

SUMMARY_LIMIT = 1024 * 1024  # the runner drops a larger step summary (github-actions.md §2.2)
MESSAGE_LIMIT = 4096  # the runner truncates longer annotation messages (github-actions.md §2.5)


@dataclass(frozen=True)
class RunnerFiles:
    """Where the Actions runner takes a step's results (github-actions.md §2)."""

    workspace: Path | None = None  # annotation paths are relative to it
    output: str | None = None  # GITHUB_OUTPUT
    summary: str | None = None  # GITHUB_STEP_SUMMARY


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_command(command: str, message: str = "", **properties: object) -> str:
    """`::command k=v,k=v::message`; properties with empty values are left out. The
    message and every property are scrubbed of secrets."""
    props = ",".join(
        f"{key}={escape_property(redact(str(value)))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    head = f"::{command} {props}" if props else f"::{command}"
    return f"{head}::{escape_data(redact(message))}"


def annotation(
    level: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    end_line: int | None = None,
    end_column: int | None = None,
    title: str | None = None,
) -> str:
    """An `error`, `warning` or `notice` annotation line."""
    if level not in ("error", "warning", "notice"):
        raise ValueError(f"unknown annotation level {level!r}")
    return format_command(
        level,
        redact(message)[:MESSAGE_LIMIT],  # a cut through a secret would leave it unmasked
        file=file,
        line=line,
        endLine=end_line,
        col=col,
        endColumn=end_column,
        title=title,
    )


def emit(line: str) -> None:
    print(writable(line), flush=True)


def add_mask(value: str | None) -> None:
    """Ask the runner to mask a value (and each of its lines) in the log.

    Printed unredacted on purpose: the runner must learn the value itself.
    """
    stream = sys.__stdout__
    if not value or stream is None:  # without a stdout nothing can print the value either
        return
    encoding = stream.encoding or "utf-8"
    for part in {value, *value.splitlines()}:
        if part.strip():  # escaped as the guarded streams will print it, so the mask matches
            stream.write(f"::add-mask::{escape_data(writable(part, encoding))}\n")
    stream.flush()


def untrusted(text: str) -> str:
    """Wrap text that may contain `::` or `##[` so the runner reads no command in it.

    Uses stop-commands with a fresh random token (github-actions.md §2.3); plain text passes as is.
    """
    if "::" not in text and "##[" not in text:
        return text
    token = f"zenodo-action-{uuid.uuid4().hex}"
    return f"::stop-commands::{token}\n{text}\n::{token}::"


def inert_json(text: str) -> str:
    """JSON text (from `json.dumps`) in which the runner reads no workflow command, and
    which parses to the same value.

    A `::` command must start its line; a line of `json.dumps` output, one-line or
    indented, starts with a bracket or a string's `"`, never `::`, and strings hold no
    raw line break. But a legacy `##[command]` is read anywhere in a line (github-actions.md §2.3),
    and `#` occurs only inside strings: its first `#` is written `\\u0023`, the same
    string to any JSON reader. Stop-commands would not do: the lines they add would
    break the JSON for a step that reads it from stdout."""
    return text.replace("##[", "\\u0023#[")


def _append(path: str, text: str) -> None:
    with open(path, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(writable(text))


def file_command_entry(name: str, value: str) -> str:
    """`name<<DELIM\\nvalue\\nDELIM\\n` with a fresh random delimiter (CVE-2022-35954)."""
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    if delimiter in name or delimiter in value:
        raise ValueError("delimiter collision")  # pragma: no cover - a random uuid
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def set_output(name: str, value: str, *, path: str) -> None:
    """Write one step output to the `GITHUB_OUTPUT` file."""
    _append(path, file_command_entry(name, redact(value)))


def append_summary(markdown: str, *, path: str) -> None:
    """Append Markdown to the job summary (`GITHUB_STEP_SUMMARY`), cut to what the runner
    accepts."""
    text = writable(redact(markdown))
    encoded = text.encode("utf-8")
    existing = os.path.getsize(path) if os.path.exists(path) else 0
    room = SUMMARY_LIMIT - existing
    if len(encoded) > room:
        note = "\n\n_(summary truncated)_\n"
        if room < len(note):
            return  # the summary is full: a longer file would be dropped whole
        text = encoded[: room - len(note)].decode("utf-8", "ignore") + note
    _append(path, text)


def summary_size(path: str | None) -> int:
    """How much the job summary file holds now (0 when it does not exist yet)."""
    return os.path.getsize(path) if path and os.path.exists(path) else 0


def replace_summary(markdown: str, *, path: str, start: int) -> None:
    """Make what this run wrote to the job summary `markdown`: the file is cut back to
    `start` (what a `run:` step wrote before it stays) and `markdown` appended, cut to
    what the runner accepts. So a reporter can rewrite its summary whole, in its own
    order, each time it learns more, and a run that fails at any point leaves one."""
    if os.path.exists(path) and os.path.getsize(path) > start:
        os.truncate(path, start)
    append_summary(markdown, path=path)
