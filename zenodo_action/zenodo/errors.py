"""Zenodo's error replies turned into one clear message, with a hint for the known ones.

Both error body shapes are read (zenodo-api.md §4.1): today's `messages` list
and old Zenodo's `message` string. Field paths such as `metadata.creators.0.name`
are located in the user's `.zenodo.yml` by the `locate` callback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zenodo_action.errors import ActionError, FieldError
from zenodo_action.http import HttpError, LocalFailure, server_message
from zenodo_action.naming import setting
from zenodo_action.secrets import redact

# A field of Zenodo's error -> (file, line, column) in the user's config, where known.
Locate = Callable[[str], tuple[str | None, int | None, int | None]]


class ZenodoRejected(ActionError):
    """Zenodo answered with an error the user must act on; `fields` are located in the
    user's file where Zenodo named them."""

    source = "Zenodo"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        fields: tuple[FieldError, ...] = (),
        source: str = "Zenodo",
    ) -> None:
        first = next((f for f in fields if f.line), None)
        self.source = source  # who answered: Zenodo, or another instance's host
        super().__init__(
            message,
            hint=hint,
            file=first.file if first else None,
            line=first.line if first else None,
            column=first.column if first else None,
            fields=fields,
        )


class FieldErrors(Exception):
    """A save the server answered with success and a list of field errors: the records API
    keeps a draft with invalid metadata and lists what it could not take
    (invenio-records-api.md §3)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in pairs))
        self.pairs = pairs


def field_errors(body: Any) -> list[tuple[str, str]]:
    """(field, message) pairs from either error shape."""
    if not isinstance(body, dict):
        return []
    pairs = []
    for item in body.get("errors") or ():
        if not isinstance(item, dict):
            continue
        messages = item.get("messages") or [item.get("message") or ""]
        for message in messages if isinstance(messages, list) else [messages]:
            pairs.append((str(item.get("field") or ""), redact(str(message))))
    return pairs


def refused_field(error: HttpError, field: str) -> bool:
    """A 400 whose errors name `field`: how both APIs say a draft is in the state a step
    leads to already (a pending draft without files, a DOI reserved, files linked)."""
    return error.status == 400 and any(f == field for f, _ in field_errors(error.body))


def _field_hints(server: str) -> tuple[tuple[str, str], ...]:
    return (
        (
            "pids.doi",
            f"remove `doi` from .zenodo.yml: every version gets its own DOI from {server}",
        ),
        ("files.enabled", f"every version on {server} needs at least one file"),
        ("access.embargo", "set embargo_date in the future, or change access_right"),
        ("metadata.publication_date", "use a date like 2024-05-31, without a time"),
    )


_ZENODO_MESSAGE_HINTS = (
    (
        "quota",
        "the files exceed the record's quota (50 GB); remove files, or raise the record's "
        "quota yourself (Zenodo's self-service increase, up to 150 GB more, since 2026-04) "
        "and run again",
    ),
    ("Maximum file size", "a file exceeds Zenodo's size limit (50 GB)"),
    ("exceeding the max amount", "Zenodo accepts at most 100 files per version"),
    ("Empty files", "Zenodo refuses empty files; remove them from the file list"),
    ("has been blocked", "Zenodo's spam check blocked the account; contact Zenodo support"),
)


def _message_hints(server: str) -> tuple[tuple[str, str], ...]:
    """Another instance's limits are its own configuration, read nowhere by the client
    (docs/reference/invenio-records-api.md §5.9): the hint names the instance, not a size."""
    if server == "Zenodo":
        return _ZENODO_MESSAGE_HINTS
    ask = f"remove files, or ask {server}'s administrators to raise it"
    return (
        ("quota", f"the files exceed the record's quota on {server}; {ask}"),
        ("Maximum file size", f"a file exceeds {server}'s largest file size; {ask}"),
        ("exceeding the max amount", f"more files than {server} takes per version; {ask}"),
        ("Empty files", f"{server} refuses empty files; remove them from the file list"),
    )


def explain(
    error: HttpError, *, doing: str, locate: Locate | None = None, server: str = "Zenodo"
) -> ActionError:
    """One ActionError for a failed request, naming the step, the fields and a hint;
    `server`: who answered (Zenodo, or another instance's host)."""
    status = error.status
    if isinstance(error, LocalFailure):  # DNS, TLS, refused, the token: not Zenodo's trouble
        return ActionError(f"could not {doing}: {error.message}", hint=error.hint)
    if status in (401, 403):
        return ZenodoRejected(
            f"{server} refused to {doing} ({status} {server_message(error.body)})",
            hint=_auth_hint(doing, server),
            source=server,
        )
    if status == 429:
        return ZenodoRejected(
            f"{server} kept rate-limiting the request to {doing}",
            hint="wait a few minutes and run again; a re-run continues where this one stopped",
            source=server,
        )
    if status is None or status >= 500:
        return ZenodoRejected(
            f"{server} failed to {doing}: {error.message}",
            hint=f"{server} is having trouble; run again later: a re-run continues where this "
            "one stopped and never creates a second version",
            source=server,
        )
    text = f"{server} rejected the request to {doing}: {server_message(error.body)}"
    message = server_message(error.body)
    return rejected(text, field_errors(error.body), locate, message, server=server)


def rejected(
    text: str,
    pairs: list[tuple[str, str]],
    locate: Locate | None,
    message: str = "",
    *,
    server: str = "Zenodo",
) -> ZenodoRejected:
    """The message `text`, with each field error located in the user's files."""
    fields = tuple(_located(field, message, locate) for field, message in pairs)
    if fields:
        text += "\n  " + "\n  ".join(str(f) for f in fields)
    hint = _hint_for(fields, message, server)
    return ZenodoRejected(text, hint=hint, fields=fields, source=server)


def _located(field: str, message: str, locate: Locate | None) -> FieldError:
    file, line, column = locate(field) if locate and field else (None, None, None)
    return FieldError(field, message, file, line, column)


def _auth_hint(doing: str, server: str) -> str:
    if "new version" in doing:
        return (
            "the token's account does not own this record: use a token of the account that "
            "owns the concept (or one the owner shared the record with)"
        )
    if server != "Zenodo":
        return (
            f"check ZENODO_TOKEN: a personal access token of the account that owns the "
            f"record, made on {server}"
        )
    return (
        f"check the token in {setting('token')}: a personal access token of the account that "
        "owns the record, with the deposit:write and deposit:actions scopes, for this Zenodo "
        "instance (sandbox tokens do not work on zenodo.org and vice versa)"
    )


def _hint_for(fields: tuple[FieldError, ...], message: str, server: str) -> str | None:
    for field in fields:
        for prefix, hint in _field_hints(server):
            if field.field.startswith(prefix):
                return hint
    text = message + " " + " ".join(f.message for f in fields)
    for needle, hint in _message_hints(server):
        if needle.lower() in text.lower():
            return hint
    return None
