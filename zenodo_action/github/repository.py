"""What a repository says about itself: its licence and its contributors.

The metadata Zenodo's GitHub integration fills in when a release names none
(reference github-rest.md §3.5), read the way that integration reads it, on top
of `GitHubClient` (so retries, rate limits and token scoping are the usual ones):

- the licence is the SPDX id GitHub detected (§3.2). `NOASSERTION`, a licence
  file GitHub does not recognise, counts as no licence, as Zenodo does; so does
  a 404 from `/license`, which is how GitHub says "no licence file";
- the contributors are `GET /repos/{o}/{r}/contributors` (§3.3), users only
  (`type == "User"`; bots such as `dependabot[bot]` are left out), most commits
  first, each with the `name` and `company` of their public profile (§3.4).
  GitHub answers 204 with no body for an empty repository, and 403 "too large"
  for a very large history: both mean "no contributors", not a failure (§1.3,
  §3.3), where Zenodo itself would fail the release.

Zenodo caps the listed rows at 30 before leaving bots out; here `limit` counts
the users kept, so a busy bot does not push a person off the list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from zenodo_action.github.client import GitHubClient, GitHubError

log = logging.getLogger(__name__)

NOASSERTION = "NOASSERTION"  # GitHub's spdx_id for a licence file it did not recognise
TOO_LARGE = "too large to list contributors"  # in GitHub's 403 message (§3.3)
DEFAULT_LIMIT = 30  # Zenodo's GITHUB_MAX_CONTRIBUTORS_NUMBER (§3.5)


@dataclass(frozen=True)
class Contributor:
    """A user who committed to the repository, as their public profile names them."""

    login: str
    name: str | None  # the profile's display name; None when unset or unknown
    company: str | None  # free text, often "@org"; None when unset
    contributions: int  # commits counted by GitHub


def repository_license(client: GitHubClient) -> str | None:
    """The SPDX id of the licence GitHub detected, or None when it found none.

    A 404 from `/license` means "no licence file", but GitHub also answers 404 for a
    repository it hides from this token (§1.2); the repository itself is then read so
    that a private repository without a token is an error, not "no licence".
    """
    what = f"read the licence of {client.repository}"
    try:
        data, _ = client.get_json(f"repos/{client.repository}/license", what)
    except GitHubError as error:
        if error.status != 404:
            raise
        client.get_json(f"repos/{client.repository}", f"read repository {client.repository}")
        return None
    if not isinstance(data, dict):
        raise GitHubError(f"could not {what}: GitHub answered with no JSON object")
    found = data.get("license")
    spdx_id = found.get("spdx_id") if isinstance(found, dict) else None
    if not isinstance(spdx_id, str) or not spdx_id.strip() or spdx_id == NOASSERTION:
        return None
    return spdx_id.strip()


def contributors(client: GitHubClient, limit: int = DEFAULT_LIMIT) -> list[Contributor]:
    """Up to `limit` users who committed, most commits first, named from their profiles.

    Pages are read only until `limit` users are found. Each user kept costs one more
    request (`GET /users/{login}`); a profile GitHub does not show (404) keeps the
    login, with no name or company.
    """
    if limit <= 0:
        return []
    rows = _user_rows(client, limit)
    rows.sort(key=lambda row: row[1], reverse=True)  # GitHub sorts already; Zenodo re-sorts
    return [_with_profile(client, login, count) for login, count in rows]


def _user_rows(client: GitHubClient, limit: int) -> list[tuple[str, int]]:
    """(login, contributions) of the first `limit` users GitHub lists."""
    what = f"list the contributors of {client.repository}"
    found: list[tuple[str, int]] = []
    try:
        for page in client.pages(f"repos/{client.repository}/contributors", what):
            for item in page:
                row = _user_row(item, what)
                if row is not None:
                    found.append(row)
                if len(found) >= limit:
                    return found
    except GitHubError as error:
        if error.status == 204:  # an empty repository: no body at all (§1.3, §3.3)
            return []
        if error.status == 403 and TOO_LARGE in str(error):
            log.warning("GitHub cannot list the contributors of %s: too large", client.repository)
            return []
        raise
    return found


def _user_row(item: Any, what: str) -> tuple[str, int] | None:
    """A `User` row as (login, contributions); None for bots and anonymous rows."""
    if not isinstance(item, dict):
        raise GitHubError(f"could not {what}: GitHub listed a contributor that is no object")
    login = item.get("login")
    if item.get("type") != "User" or not isinstance(login, str) or not login:
        return None
    if login.lower().endswith("[bot]"):  # a bot account, whatever its type says
        return None
    contributions = item.get("contributions")
    if isinstance(contributions, bool) or not isinstance(contributions, int):
        raise GitHubError(f"could not {what}: GitHub listed {login!r} without contributions")
    return login, contributions


def _with_profile(client: GitHubClient, login: str, contributions: int) -> Contributor:
    what = f"read the GitHub profile of {login}"
    try:
        data, _ = client.get_json(f"users/{quote(login, safe='')}", what)
    except GitHubError as error:
        if error.status != 404:
            raise
        data = None  # a profile GitHub does not show (§3.4): keep the login
    profile = data if isinstance(data, dict) else {}
    return Contributor(
        login=login,
        name=_text(profile.get("name")),
        company=_text(profile.get("company")),
        contributions=contributions,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
