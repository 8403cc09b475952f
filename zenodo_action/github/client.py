"""GitHub's REST API for one repository, with one token: what every GitHub call shares.

Built on `zenodo_action.http.HttpClient`, which owns retries, timeouts, redirects and
the rule that the token goes only to the API host. On top of it, this module knows
GitHub's headers, its pagination and how to turn its failures into sentences a
maintainer can act on. The endpoints live beside it: releases.py (releases, their
files and notes), pulls.py (the write-back's commits and pull request) and
repository.py (licence and contributors).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from zenodo_action import secrets
from zenodo_action.errors import ActionError
from zenodo_action.github.event import RunContext
from zenodo_action.http import HttpClient, HttpError, RetryPolicy, server_message
from zenodo_action.naming import per_door, setting
from zenodo_action.urls import origin

API_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}
PER_PAGE = 100
MAX_PAGES = 50  # of one list (5,000 items): a release holds at most 1,000 assets


class GitHubError(ActionError):
    """A GitHub API call that failed; `status` is the HTTP status, when there was one."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None):
        super().__init__(secrets.redact(message), hint=hint)
        self.status = status


class GitHubClient:
    """The REST API of one repository, with one token (None: anonymous)."""

    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str | None,
        *,
        workspace: Path | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`workspace`: the run's checkout, where no download may land."""
        secrets.register(token)
        self.repository = repository
        self.workspace = workspace
        self.sleep = sleep
        self.api = HttpClient(
            api_url, token, policy=policy, headers=API_HEADERS, sleep=sleep, clock=clock
        )

    @classmethod
    def for_run(cls, context: RunContext, token: str | None, **options: Any) -> GitHubClient:
        return cls(
            context.api_url,
            context.repository.full_name,
            token,
            workspace=context.workspace,
            **options,
        )

    def repo_path(self, suffix: str) -> str:
        return f"repos/{self.repository}/{suffix}"

    def get_json(self, path: str, what: str, **kwargs: Any) -> tuple[Any, requests.Response]:
        try:
            response = self.api.send("GET", path, idempotent=True, **kwargs)
        except HttpError as error:
            raise self.explain(error, what) from None
        try:
            return response.json(), response
        except ValueError:
            raise GitHubError(f"could not {what}: GitHub answered with no JSON") from None

    def pages(self, path: str, what: str) -> Iterator[list[Any]]:
        """Each page of a list endpoint, following `Link: rel="next"`."""
        url: str | None = self.api.url(path)
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        seen: set[str] = set()
        while url is not None:
            if len(seen) >= MAX_PAGES or url in seen:
                raise GitHubError(f"could not {what}: GitHub's pagination does not end")
            seen.add(url)
            data, response = self.get_json(url, what, params=params)
            if not isinstance(data, list):
                raise GitHubError(f"could not {what}: GitHub answered with no list")
            yield data
            url, params = response.links.get("next", {}).get("url"), None
            if url is not None and origin(url) != origin(self.api.base_url):
                raise GitHubError(f"could not {what}: the next page is on another host")

    def explain(self, error: HttpError, what: str) -> GitHubError:
        """Turn an HTTP failure into a sentence a maintainer can act on."""
        status = error.status
        said = server_message(error.body)
        detail = f"GitHub answered {status}" + (f": {said}" if said else "")
        if status is None:  # no answer; a LocalFailure (DNS, TLS, a refused URL) has a hint
            return GitHubError(f"could not {what}: {error.message}", hint=error.hint)
        if rate_limited(error):
            return GitHubError(
                f"could not {what}: GitHub's API rate limit is exhausted ({detail})",
                status=status,
                hint="GITHUB_TOKEN allows 1,000 requests an hour per repository; "
                "re-run the job once the limit resets",
            )
        token = setting("github-token")
        hints = {
            401: f"the GitHub token in {token} is not a valid token",
            403: f"the token in {token} lacks a permission; "
            + per_door(
                command_line="in a workflow, see the job's `permissions:`",
                runner="see the `permissions:` of the job",
            ),
            404: f"check that {self.repository} and the release exist; a private "
            f"repository needs a token in {token} that may read it (`contents: read`)",
        }
        return GitHubError(f"could not {what}: {detail}", status=status, hint=hints.get(status))


def rate_limited(error: HttpError) -> bool:
    """GitHub's answer that the rate limit is spent (which retries did not outlast)."""
    return error.status in (403, 429) and "rate limit" in server_message(error.body).lower()
