"""The run's context: `GITHUB_*` variables and the event payload at `GITHUB_EVENT_PATH`.

Everything the action needs to know about the run comes from here, never from
git inside the container (reference github-actions.md §1.3, §3.2). URLs come
from `GITHUB_API_URL` / `GITHUB_SERVER_URL`, so GitHub Enterprise Server works.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zenodo_action.errors import UsageError
from zenodo_action.urls import insecure

REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+/(?!\.\.?$)[A-Za-z0-9_.-]+$")
MAX_EVENT_BYTES = 64 * 1024 * 1024  # webhook payloads are capped at 25 MB
TAG_REF_PREFIX = "refs/tags/"
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


class PayloadError(UsageError):
    """The event payload, or an API object shaped like it, is not what GitHub sends."""


@dataclass(frozen=True)
class Release:
    """A GitHub release, from the `release` event payload or the releases API."""

    id: int
    tag_name: str
    html_url: str
    name: str | None = None
    body: str | None = None
    published_at: str | None = None
    draft: bool = False

    @classmethod
    def from_json(cls, data: Any, *, source: str = "release") -> Release:
        """Read a release object; `source` names it in error messages. Only the fields
        the action uses are read, so an odd value in another cannot fail a run."""
        fields = _Fields(data, source)
        return cls(
            id=fields.integer("id"),
            tag_name=fields.text("tag_name"),
            html_url=fields.text("html_url"),
            name=fields.optional_text("name"),
            body=fields.optional_text("body"),
            published_at=fields.timestamp("published_at"),
            draft=fields.flag("draft"),
        )

    @property
    def title(self) -> str:
        """The release's name, or its tag when it has none (as GitHub shows it)."""
        return self.name.strip() if self.name and self.name.strip() else self.tag_name

    @property
    def notes(self) -> str:
        """The release notes; empty when the release has none."""
        return self.body or ""

    @property
    def published_date(self) -> str | None:
        """`YYYY-MM-DD` of publication (UTC, as GitHub reports it), if published."""
        return self.published_at[:10] if self.published_at else None


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str
    html_url: str
    default_branch: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class RunContext:
    """What the runner tells a container action about the run, as far as the action
    uses it."""

    repository: Repository
    server_url: str
    api_url: str
    workspace: Path | None = None
    ref: str | None = None
    run_id: str | None = None
    event_action: str | None = None  # e.g. "published" for release events
    release: Release | None = None

    @property
    def tag(self) -> str | None:
        """The release's tag, or the tag that was pushed; None for branch runs."""
        if self.release is not None:
            return self.release.tag_name
        if self.ref and self.ref.startswith(TAG_REF_PREFIX):
            return self.ref[len(TAG_REF_PREFIX) :]
        return None

    @property
    def run_url(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository.full_name}/actions/runs/{self.run_id}"


def load_context(env: Mapping[str, str]) -> RunContext:
    """Read the run context; raise `UsageError` naming what is missing or malformed."""
    event_name = _required(env, "GITHUB_EVENT_NAME")
    full_name = _required(env, "GITHUB_REPOSITORY")
    if not REPOSITORY_PATTERN.match(full_name):
        raise UsageError(f"GITHUB_REPOSITORY must look like owner/name, not {full_name!r}")
    server_url = check_url(_required(env, "GITHUB_SERVER_URL"), "GITHUB_SERVER_URL")
    api_url = check_url(_required(env, "GITHUB_API_URL"), "GITHUB_API_URL")
    payload = _load_payload(env, required=event_name == "release")
    release = None
    if event_name == "release":
        release = Release.from_json(payload.get("release"), source=_payload_name(env, "release"))
    workspace = env.get("GITHUB_WORKSPACE", "").strip()
    return RunContext(
        repository=_repository(full_name, server_url, payload.get("repository")),
        server_url=server_url,
        api_url=api_url,
        workspace=Path(workspace) if workspace else None,
        ref=_optional(env, "GITHUB_REF"),
        run_id=_optional(env, "GITHUB_RUN_ID"),
        event_action=payload.get("action") if isinstance(payload.get("action"), str) else None,
        release=release,
    )


def check_url(value: str, what: str) -> str:
    """An http(s) URL without a trailing slash; plain http only to this machine."""
    url = value.strip().rstrip("/")
    problem = insecure(url)
    if problem == "not-http":
        raise UsageError(f"{what} must be an http(s) URL, not {value!r}")
    if problem == "plain-http":
        parts = urlsplit(url)
        raise UsageError(
            f"{what} uses plain http to {parts.hostname}; only https is allowed there",
            hint="plain http is accepted only for servers on this machine (tests)",
        )
    return url


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise UsageError(
            f"{name} is not set",
            hint="this runs inside GitHub Actions, which sets it; set it by hand to test",
        )
    return value


def _optional(env: Mapping[str, str], name: str) -> str | None:
    return env.get(name, "").strip() or None


def _payload_name(env: Mapping[str, str], key: str) -> str:
    return f"event payload {env.get('GITHUB_EVENT_PATH', '')}: {key}"


def _load_payload(env: Mapping[str, str], *, required: bool) -> dict[str, Any]:
    path_text = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path_text:
        if required:
            raise UsageError("GITHUB_EVENT_PATH is not set, so the release is unknown")
        return {}
    path = Path(path_text)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_EVENT_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read the event payload {path}: {error.strerror}") from None
    if len(raw) > MAX_EVENT_BYTES:
        raise UsageError(f"the event payload {path} is larger than {MAX_EVENT_BYTES} bytes")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"the event payload {path} is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise UsageError(
            f"the event payload {path} is not valid JSON: {error.msg}",
            file=str(path),
            line=error.lineno,
            column=error.colno,
        ) from None
    if not isinstance(payload, dict):
        raise UsageError(f"the event payload {path} must be a JSON object")
    return payload


def _repository(full_name: str, server_url: str, data: Any) -> Repository:
    owner, name = full_name.split("/", 1)
    data = data if isinstance(data, dict) else {}
    html_url = data.get("html_url")
    branch = data.get("default_branch")
    return Repository(
        owner=owner,
        name=name,
        html_url=html_url if isinstance(html_url, str) else f"{server_url}/{full_name}",
        default_branch=branch if isinstance(branch, str) else None,
    )


class _Fields:
    """Typed access to a JSON object, with errors that name the field."""

    def __init__(self, data: Any, source: str) -> None:
        if not isinstance(data, dict):
            raise PayloadError(f"{source} must be a JSON object")
        self.data = data
        self.source = source

    def _fail(self, key: str, expected: str) -> PayloadError:
        return PayloadError(f"{self.source}.{key} must be {expected}")

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer")
        return value

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty string")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "a string or null")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def timestamp(self, key: str) -> str | None:
        value = self.optional_text(key)
        if not value:
            return None
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self._fail(key, "an ISO 8601 time such as 2019-05-15T15:20:53Z") from None
        return value
