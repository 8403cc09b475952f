"""A fake GitHub REST API on loopback, with a second "storage" host for downloads.

It follows reference github-actions.md §3-§4 where GitHub surprises clients:

- asset downloads (`Accept: application/octet-stream`) and zipball/tarball
  answer 302 to a pre-signed URL on ANOTHER host (127.0.0.2), which answers 400
  when an Authorization header arrives, as S3 does (§4.1, octokit.js#967);
- assets may be in state `open`, or not listed yet, for the first polls (§3.3);
- list endpoints paginate with `Link` headers whose URLs use the
  `/repositories/{id}/...` form, as GitHub's do;
- private repositories and draft releases answer 404 without a token that may
  see them; editing a release with a read-only token answers 403
  "Resource not accessible by integration" (§4.2); bodies over 125000
  characters answer 422 (§4.1);
- every response carries x-ratelimit-* headers, and rate limiting can be forced
  (§4.3). Requests without a User-Agent are refused with 403, as GitHub does.

And it follows reference github-rest.md §1 and §3 (repository metadata, checklist §6):

- `GET /repos/{o}/{r}` (and the webhook's `repository`) carry `description` and
  `license`, a license-simple object or null (§3.1);
- `GET /repos/{o}/{r}/license` answers 404 when no licence file is detected, and
  a file that licensee does not recognise still answers 200, with
  `spdx_id: "NOASSERTION"` and `key: "other"` (§3.2);
- `GET /repos/{o}/{r}/contributors` sorts by contributions, lists `Bot` rows
  (`dependabot[bot]`) next to `User` rows and `Anonymous` ones only with `anon=1`,
  and answers **204 with no body** for an empty repository, or 403 "too large"
  for huge histories, instead of a list (§1.3, §3.3);
- `GET /users/{login}` may have `name: null`; unknown logins answer 404 (§3.4);
- a path with a trailing `/` answers 404, an unsupported `X-GitHub-Api-Version`
  400 (§1.1); error bodies carry `status` as a string (§1.2).

Every request to either host is recorded for assertions.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import itertools
import json
import re
import secrets
import socket
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from pytest_httpserver.httpserver import HTTPServerBase
from werkzeug import Request, Response

API_HOST = "127.0.0.1"
STORAGE_HOST = "127.0.0.2"  # a different host name, so clients must drop credentials
BODY_LIMIT = 125_000
NOT_ACCESSIBLE = "Resource not accessible by integration"
API_VERSIONS = ("2022-11-28", "2026-03-10")  # github-rest.md §1.1
CONTRIBUTORS_TOO_LARGE = (  # github-rest.md §3.3, verbatim from GitHub
    "The history or contributor list is too large to list contributors for this "
    "repository via the API."
)
NOASSERTION = "NOASSERTION"  # a licence file licensee does not recognise (§3.2)
# SPDX id -> (key, name) as GitHub's /licenses lists them; other ids get key = id.lower()
LICENSES = {
    "MIT": ("mit", "MIT License"),
    "Apache-2.0": ("apache-2.0", "Apache License 2.0"),
    "GPL-2.0": ("gpl-2.0", "GNU General Public License v2.0"),
    "GPL-3.0": ("gpl-3.0", "GNU General Public License v3.0"),
    "LGPL-3.0": ("lgpl-3.0", "GNU Lesser General Public License v3.0"),
    "AGPL-3.0": ("agpl-3.0", "GNU Affero General Public License v3.0"),
    "BSD-2-Clause": ("bsd-2-clause", 'BSD 2-Clause "Simplified" License'),
    "BSD-3-Clause": ("bsd-3-clause", 'BSD 3-Clause "New" or "Revised" License'),
    "MPL-2.0": ("mpl-2.0", "Mozilla Public License 2.0"),
    "CC0-1.0": ("cc0-1.0", "Creative Commons Zero v1.0 Universal"),
    "CC-BY-4.0": ("cc-by-4.0", "Creative Commons Attribution 4.0 International"),
    "Unlicense": ("unlicense", "The Unlicense"),
}
_ids = itertools.count(1000)


@dataclass
class FakeAsset:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"
    state: str = "uploaded"
    open_for_polls: int = 0  # listed as "open" for this many listings, then "uploaded"
    hidden_for_polls: int = 0  # not listed at all for this many listings
    with_digest: bool = True
    served: bytes | None = None  # what storage sends instead of `content` (corruption)
    served_type: str | None = None
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class FakeRelease:
    tag_name: str
    name: str | None = None
    body: str | None = None
    draft: bool = False
    prerelease: bool = False
    target_commitish: str = "main"
    created_at: str = "2024-05-15T15:19:25Z"
    published_at: str | None = "2024-05-15T15:20:53Z"
    assets: list[FakeAsset] = field(default_factory=list)
    listings: int = 0  # how many times page 1 of its assets was listed
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class FakeUser:
    """A public user (`GET /users/{login}`); `name` and `company` may be null (§3.4)."""

    login: str
    name: str | None = None
    company: str | None = None
    type: str = "User"  # "User", "Bot" or "Organization"
    email: str | None = None
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class FakeContributor:
    """One row of `GET /repos/{o}/{r}/contributors` (§3.3)."""

    contributions: int
    login: str | None = None  # None for an "Anonymous" row (an unlinked author email)
    type: str = "User"  # "User", "Bot" or "Anonymous"
    name: str | None = None  # Anonymous rows only: the commit author's name
    email: str | None = None  # Anonymous rows only
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class FakeRepo:
    owner: str
    name: str
    private: bool = False
    default_branch: str = "main"
    files: dict[str, bytes] = field(default_factory=lambda: {"README.md": b"# Hello\n"})
    releases: dict[int, FakeRelease] = field(default_factory=dict)
    description: str | None = None
    license: str | None = None  # an SPDX id, NOASSERTION (not recognised), or None (no file)
    license_path: str = "LICENSE"
    contributors: list[FakeContributor] = field(default_factory=list)
    contributors_too_large: bool = False  # contributors answers 403 (§3.3)
    empty: bool = False  # no commits at all: contributors answers 204 (§3.3)
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class RecordedRequest:
    server: str  # "api" or "storage"
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(HTTPServerBase):
    """A threaded werkzeug server whose every request goes to one handler."""

    def __init__(self, host: str, handler) -> None:
        super().__init__(host, 0, threaded=True)
        self._handler = handler

    def dispatch(self, request: Request) -> Response:
        return self._handler(request)

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=0.02)  # so stop() returns at once


class FakeGitHub:
    """GitHub's REST API (at `api_url`) and its download storage (another host)."""

    def __init__(self, *, prefix: str = "", server_url: str = "https://github.com") -> None:
        self.prefix = prefix.rstrip("/")  # e.g. "/api/v3", as GitHub Enterprise Server
        self.server_url = server_url
        self.repos: dict[str, FakeRepo] = {}
        self.users: dict[str, FakeUser] = {}  # lower-case login -> user (logins ignore case)
        self.tokens: dict[str, str] = {}  # token -> "read" | "write"
        self.requests: list[RecordedRequest] = []
        self.handler_errors: list[BaseException] = []
        self.max_page_size = 100
        self.direct_downloads = False  # answer asset downloads with 200 instead of 302
        self.markdown_status: int | None = None  # force /markdown to fail with it
        self.echo_credentials = False  # error bodies repeat the Authorization header
        self._forced: list[tuple[str, str, Response]] = []  # (method, path regex, response)
        self._broken_downloads = 0
        self._expired_signatures = 0
        self._signed: dict[str, tuple[str, Any]] = {}
        self._lock = threading.RLock()
        self.api = _Server(API_HOST, self._handle_api)
        self.storage = _Server(STORAGE_HOST, self._handle_storage)

    # -- life cycle -----------------------------------------------------------

    def start(self) -> FakeGitHub:
        self.api.start()
        self.storage.start()
        return self

    def stop(self) -> None:
        for server in (self.api, self.storage):
            if server.is_running():
                server.stop()

    @property
    def api_url(self) -> str:
        return f"http://{API_HOST}:{self.api.port}{self.prefix}"

    @property
    def storage_url(self) -> str:
        return f"http://{STORAGE_HOST}:{self.storage.port}"

    # -- state set-up ---------------------------------------------------------

    def add_token(self, token: str, permission: str = "write") -> str:
        self.tokens[token] = permission
        return token

    def add_repo(self, full_name: str = "octo-org/hello-world", **options: Any) -> FakeRepo:
        owner, name = full_name.split("/")
        repo = FakeRepo(owner, name, **options)
        self.repos[full_name] = repo
        return repo

    def add_release(self, repo: FakeRepo, tag_name: str, **options: Any) -> FakeRelease:
        release = FakeRelease(tag_name, **options)
        repo.releases[release.id] = release
        return release

    def add_asset(self, release: FakeRelease, name: str, content: bytes, **options) -> FakeAsset:
        asset = FakeAsset(name, content, **options)
        release.assets.append(asset)
        return asset

    def add_user(
        self,
        login: str,
        name: str | None = None,
        company: str | None = None,
        type: str = "User",
        **options: Any,
    ) -> FakeUser:
        user = FakeUser(login, name, company, type, **options)
        self.users[login.lower()] = user
        return user

    def add_contributor(
        self,
        repo: FakeRepo,
        login: str,
        contributions: int,
        name: str | None = None,
        company: str | None = None,
        type: str = "User",
        *,
        profile: bool = True,
    ) -> FakeContributor:
        """A `User` or `Bot` contributor, and its public profile at /users/{login}.

        `profile=False` leaves /users/{login} answering 404 (an account GitHub no longer
        shows, or an Enterprise Managed User you may not see, §3.4). A login that is
        already a user keeps its profile unless `name` or `company` are given.
        """
        if repo.empty:
            raise ValueError(f"{repo.full_name} is empty: it has no commits to count")
        if type not in ("User", "Bot"):
            raise ValueError("use add_anonymous_contributor for Anonymous rows")
        user = self.users.get(login.lower())
        if profile and user is None:
            user = self.add_user(login, name, company, type)
        elif profile and user is not None:
            user.name = name if name is not None else user.name
            user.company = company if company is not None else user.company
        elif user is not None:
            del self.users[login.lower()]
            user = None
        row = FakeContributor(contributions, login, type)
        if user is not None:
            row.id = user.id
        repo.contributors.append(row)
        return row

    def add_anonymous_contributor(
        self, repo: FakeRepo, name: str, email: str, contributions: int
    ) -> FakeContributor:
        """An author whose email links to no account: listed only with `anon=1` (§3.3)."""
        if repo.empty:
            raise ValueError(f"{repo.full_name} is empty: it has no commits to count")
        row = FakeContributor(contributions, None, "Anonymous", name, email)
        repo.contributors.append(row)
        return row

    def contributors_too_large(self, repo: FakeRepo, too_large: bool = True) -> None:
        """Contributors answers GitHub's 403 "too large" body (§3.3)."""
        repo.contributors_too_large = too_large

    def set_license(
        self,
        repo: FakeRepo,
        spdx_id: str | None,
        *,
        path: str = "LICENSE",
        text: str | None = None,
    ) -> None:
        """The licence GitHub detects: an SPDX id, NOASSERTION (a licence file GitHub
        does not recognise, §3.2), or None (no licence file: /license answers 404).

        The licence file is written to (or removed from) the repository's files.
        """
        if repo.empty and spdx_id is not None:
            raise ValueError(f"{repo.full_name} is empty: it has no licence file")
        repo.files.pop(repo.license_path, None)
        repo.license, repo.license_path = spdx_id, path
        if spdx_id is not None:
            body = text if text is not None else f"{spdx_id} licence text of {repo.full_name}\n"
            repo.files[path] = body.encode()

    def make_empty(self, repo: FakeRepo) -> None:
        """No commits: no files, no licence, no contributors (contributors answers 204)."""
        repo.files.clear()
        repo.contributors.clear()
        repo.license = None
        repo.empty = True

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        method: str = ".*",
        path: str = ".*",
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` matching API requests with `status`."""
        payload = json.dumps(body if body is not None else {"message": "Server Error"})
        for _ in range(times):
            response = Response(payload, status, headers=headers or {})
            response.content_type = "application/json; charset=utf-8"
            self._forced.append((method, path, response))

    def rate_limit_next(
        self, *, times: int = 1, status: int = 403, retry_after: int | None = None
    ) -> None:
        """Primary limit (no retry_after: remaining 0 until reset) or secondary."""
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 60)}
        message = "API rate limit exceeded for installation ID 1."
        if retry_after is not None:
            headers = {"retry-after": str(retry_after)}
            message = "You have exceeded a secondary rate limit. Please wait a few minutes."
        documentation = "https://docs.github.com/rest/using-the-rest-api/rate-limits"
        body = {"message": message, "documentation_url": documentation}
        self.fail_next(status, times=times, headers=headers, body=body)

    def break_next_downloads(self, times: int = 1) -> None:
        """Storage sends half of the next `times` files, then drops the connection."""
        self._broken_downloads += times

    def expire_next_signatures(self, times: int = 1) -> None:
        """Storage refuses the next `times` signed URLs as expired (403)."""
        self._expired_signatures += times

    # -- what tests look at ---------------------------------------------------

    def requests_to(self, server: str, path_contains: str = "") -> list[RecordedRequest]:
        return [r for r in self.requests if r.server == server and path_contains in r.path]

    def check(self) -> None:
        """Fail the test if a handler crashed (a bug in the fake, not the client)."""
        if self.handler_errors:
            raise AssertionError(f"fake GitHub handler failed: {self.handler_errors[0]!r}")

    # -- payloads -------------------------------------------------------------

    def release_json(self, repo: FakeRepo, release: FakeRelease) -> dict[str, Any]:
        base = f"{self.api_url}/repos/{repo.full_name}"
        return {
            "url": f"{base}/releases/{release.id}",
            "assets_url": f"{base}/releases/{release.id}/assets",
            "upload_url": f"{base}/releases/{release.id}/assets{{?name,label}}",
            "html_url": f"{self.server_url}/{repo.full_name}/releases/tag/{release.tag_name}",
            "id": release.id,
            "node_id": f"RE_{release.id}",
            "tag_name": release.tag_name,
            "target_commitish": release.target_commitish,
            "name": release.name,
            "draft": release.draft,
            "author": {"login": repo.owner, "id": 1, "type": "User"},
            "prerelease": release.prerelease,
            "created_at": release.created_at,
            "published_at": None if release.draft else release.published_at,
            "assets": [self.asset_json(repo, a) for a in self._visible(release)],
            "tarball_url": f"{base}/tarball/{release.tag_name}",
            "zipball_url": f"{base}/zipball/{release.tag_name}",
            "body": release.body,
        }

    def asset_json(self, repo: FakeRepo, asset: FakeAsset, state: str | None = None):
        tag = next(r.tag_name for r in repo.releases.values() if asset in r.assets)
        data = {
            "url": f"{self.api_url}/repos/{repo.full_name}/releases/assets/{asset.id}",
            "browser_download_url": (
                f"{self.server_url}/{repo.full_name}/releases/download/{tag}/{asset.name}"
            ),
            "id": asset.id,
            "node_id": f"RA_{asset.id}",
            "name": asset.name,
            "label": None,
            "state": state or asset.state,
            "content_type": asset.content_type,
            "size": len(asset.content),
            "download_count": 0,
            "created_at": "2024-05-15T15:21:00Z",
            "updated_at": "2024-05-15T15:21:05Z",
            "uploader": {"login": repo.owner},
        }
        if asset.with_digest:
            data["digest"] = f"sha256:{asset.sha256}"
        return data

    def repository_json(self, repo: FakeRepo) -> dict[str, Any]:
        """`GET /repos/{o}/{r}`, and the webhook's `repository`: same shape (§3.1, §3.2)."""
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "owner": {"login": repo.owner, "id": 1, "type": "Organization"},
            "html_url": f"{self.server_url}/{repo.full_name}",
            "url": f"{self.api_url}/repos/{repo.full_name}",
            "description": repo.description,
            "fork": False,
            "archived": False,
            "license": self.license_json(repo),
            "default_branch": repo.default_branch,
        }

    def license_json(self, repo: FakeRepo) -> dict[str, Any] | None:
        """A license-simple object, or None when no licence file is detected (§3.2)."""
        if repo.license is None or repo.empty:
            return None
        if repo.license == NOASSERTION:  # verbatim from cocotb/cocotb#2955 (§3.2)
            key, name, url = "other", "Other", None
            node_id = base64.b64encode(b"07:License0").decode()
        else:
            key, name = LICENSES.get(repo.license, (repo.license.lower(), repo.license))
            url = f"{self.api_url}/licenses/{key}"
            node_id = base64.b64encode(f"07:License{key}".encode()).decode()
        return {"key": key, "name": name, "spdx_id": repo.license, "url": url, "node_id": node_id}

    def license_content_json(self, repo: FakeRepo) -> dict[str, Any]:
        """`GET /repos/{o}/{r}/license`: the file's fields plus `license` (§3.2)."""
        path = repo.license_path
        data = repo.files.get(path, b"")
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's object id (§4.6)
        encoded = base64.b64encode(data).decode()
        content = "".join(f"{encoded[i : i + 60]}\n" for i in range(0, len(encoded), 60))
        base = f"{self.api_url}/repos/{repo.full_name}"
        html_url = f"{self.server_url}/{repo.full_name}/blob/{repo.default_branch}/{path}"
        return {
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(data),
            "url": f"{base}/contents/{path}?ref={repo.default_branch}",
            "html_url": html_url,
            "git_url": f"{base}/git/blobs/{sha}",
            "download_url": (
                f"https://raw.githubusercontent.com/{repo.full_name}/{repo.default_branch}/{path}"
            ),
            "type": "file",
            "content": content,  # wrapped every 60 characters, as GitHub does (§4.10)
            "encoding": "base64",
            "_links": {
                "self": f"{base}/contents/{path}",
                "git": f"{base}/git/blobs/{sha}",
                "html": html_url,
            },
            "license": self.license_json(repo),
        }

    def contributor_json(self, row: FakeContributor) -> dict[str, Any]:
        if row.type == "Anonymous":  # no login, id or URLs (go-github#1773, §3.3)
            return {
                "email": row.email,
                "name": row.name,
                "type": "Anonymous",
                "contributions": row.contributions,
            }
        assert row.login is not None
        return {
            "login": row.login,
            "id": row.id,
            "node_id": f"U_{row.id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{row.id}?v=4",
            "gravatar_id": "",
            "url": f"{self.api_url}/users/{quote(row.login, safe='')}",
            "html_url": f"{self.server_url}/{quote(row.login, safe='')}",
            "type": row.type,
            "site_admin": False,
            "contributions": row.contributions,
        }

    def user_json(self, user: FakeUser) -> dict[str, Any]:
        """A public-user: `name`, `company`, `email`, ... may all be null (§3.4)."""
        return {
            "login": user.login,
            "id": user.id,
            "node_id": f"U_{user.id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
            "url": f"{self.api_url}/users/{quote(user.login, safe='')}",
            "html_url": f"{self.server_url}/{quote(user.login, safe='')}",
            "type": user.type,
            "site_admin": False,
            "name": user.name,
            "company": user.company,
            "blog": "",
            "location": None,
            "email": user.email,
            "hireable": None,
            "bio": None,
            "public_repos": 1,
            "followers": 0,
            "following": 0,
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2024-05-01T00:00:00Z",
        }

    def release_event(
        self, repo: FakeRepo, release: FakeRelease, *, action: str = "published"
    ) -> dict[str, Any]:
        """A `release` webhook payload shaped like octokit's published.payload.json."""
        return {
            "action": action,
            "release": self.release_json(repo, release),
            "repository": self.repository_json(repo),
            "sender": {"login": repo.owner, "id": 1, "type": "User"},
        }

    def write_release_event(
        self, path: Path, repo: FakeRepo, release: FakeRelease, **options: Any
    ) -> Path:
        path.write_text(json.dumps(self.release_event(repo, release, **options), indent=2))
        return path

    def runner_env(self, repo: FakeRepo, event_path: Path, event_name: str = "release"):
        """The `GITHUB_*` variables the runner would pass for this repository."""
        return {
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": repo.full_name,
            "GITHUB_API_URL": self.api_url,
            "GITHUB_SERVER_URL": self.server_url,
        }

    # -- request handling -----------------------------------------------------

    def _record(self, server: str, request: Request) -> None:
        self.requests.append(
            RecordedRequest(
                server=server,
                method=request.method,
                path=request.path,
                query=dict(request.args),
                headers=dict(request.headers),
                body=request.get_data(),
            )
        )

    def _handle_api(self, request: Request) -> Response:
        with self._lock:
            self._record("api", request)
            try:
                return self._with_rate_headers(self._route_api(request))
            except Exception as error:  # a bug in the fake: make the test fail loudly
                self.handler_errors.append(error)
                return _json({"message": f"fake crashed: {error!r}"}, 500)

    def _handle_storage(self, request: Request) -> Response:
        with self._lock:
            self._record("storage", request)
            try:
                return self._route_storage(request)
            except Exception as error:
                self.handler_errors.append(error)
                return Response(f"fake crashed: {error!r}", 500)

    def _with_rate_headers(self, response: Response) -> Response:
        used = len(self.requests_to("api"))
        defaults = {
            "x-ratelimit-limit": "1000",
            "x-ratelimit-remaining": str(max(0, 1000 - used)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }
        for key, value in defaults.items():
            response.headers.setdefault(key, value)
        return response

    def _forced_response(self, request: Request) -> Response | None:
        for index, (method, path, response) in enumerate(self._forced):
            if re.fullmatch(method, request.method) and re.search(path, request.path):
                del self._forced[index]
                return response
        return None

    def _route_api(self, request: Request) -> Response:
        if not request.headers.get("User-Agent"):
            return _json({"message": "Request forbidden by administrative rules."}, 403)
        forced = self._forced_response(request)
        if forced is not None:
            return forced
        version = request.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:  # §1.1 (410 if retired)
            return self._error(request, 400, f"Invalid API version provided: {version}")
        if not request.path.startswith(self.prefix + "/"):
            return self._not_found(request)
        path = request.path[len(self.prefix) :]
        permission = self._permission(request)
        if permission == "bad":
            return self._error(request, 401, "Bad credentials")
        if path == "/markdown" and request.method == "POST":
            return self._markdown(request)
        if m := re.fullmatch(r"/users/([^/]+)", path):
            return self._user(request, m.group(1))
        # A trailing "/" matches nothing here, so it answers 404 as on GitHub (§1.1).
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)(?:/(.+))?", path)
        repo = self.repos.get(match.group(1)) if match else None
        if repo is None:
            match = re.fullmatch(r"/repositories/(\d+)(?:/(.+))?", path)
            repo = self._repo_by_id(int(match.group(1))) if match else None
        if repo is None or match is None or (repo.private and permission is None):
            return self._not_found(request)
        return self._route_repo(request, repo, match.group(2) or "", permission)

    def _route_repo(
        self, request: Request, repo: FakeRepo, rest: str, permission: str | None
    ) -> Response:
        method = request.method
        if m := re.fullmatch(r"releases/(\d+)", rest):
            release = self._release(repo, int(m.group(1)), permission)
            if release is None:
                return self._not_found(request)
            if method == "GET":
                return _json(self.release_json(repo, release))
            if method == "PATCH":
                return self._edit_release(request, repo, release, permission)
        if method != "GET":
            return self._not_found(request)
        if rest == "":
            return _json(self.repository_json(repo))
        if rest == "license":
            if self.license_json(repo) is None:
                return self._not_found(request)  # no licence file detected (§3.2)
            return _json(self.license_content_json(repo))
        if rest == "contributors":
            return self._list_contributors(request, repo)
        if m := re.fullmatch(r"releases/tags/(.+)", rest):
            found = [r for r in repo.releases.values() if r.tag_name == m.group(1) and not r.draft]
            return _json(self.release_json(repo, found[0])) if found else self._not_found(request)
        if m := re.fullmatch(r"releases/(\d+)/assets", rest):
            release = self._release(repo, int(m.group(1)), permission)
            if release is None:
                return self._not_found(request)
            return self._list_assets(request, repo, release)
        if m := re.fullmatch(r"releases/assets/(\d+)", rest):
            return self._asset(request, repo, int(m.group(1)), permission)
        if m := re.fullmatch(r"(zipball|tarball)/(.+)", rest):
            return self._archive_redirect(request, repo, m.group(1), m.group(2))
        return self._not_found(request)

    def _permission(self, request: Request) -> str | None:
        """None (anonymous), "read", "write", or "bad" for an unknown token."""
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return "bad"
        return self.tokens.get(token.strip(), "bad")

    def _repo_by_id(self, repo_id: int) -> FakeRepo | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    @staticmethod
    def _release(repo: FakeRepo, release_id: int, permission: str | None) -> FakeRelease | None:
        release = repo.releases.get(release_id)
        if release is None or (release.draft and permission != "write"):
            return None  # drafts are visible only with push access (§4.1)
        return release

    def _visible(self, release: FakeRelease) -> list[FakeAsset]:
        return [a for a in release.assets if release.listings > a.hidden_for_polls]

    def _list_assets(self, request: Request, repo: FakeRepo, release: FakeRelease) -> Response:
        if _int_arg(request, "page", 1) == 1:
            release.listings += 1
        listed = [a for a in release.assets if release.listings > a.hidden_for_polls]
        base = f"{self.api_url}/repositories/{repo.id}/releases/{release.id}/assets"
        chunk, link = self._paginate(request, listed, base)
        items = [
            self.asset_json(repo, a, "open" if release.listings <= a.open_for_polls else None)
            for a in chunk
        ]
        response = _json(items)
        if link:
            response.headers["Link"] = link
        return response

    def _list_contributors(self, request: Request, repo: FakeRepo) -> Response:
        if repo.contributors_too_large:  # not fatal for clients (§3.3)
            documentation = "https://docs.github.com/rest/repos/repos#list-repository-contributors"
            return self._error(
                request, 403, CONTRIBUTORS_TOO_LARGE, documentation_url=documentation
            )
        if repo.empty:  # "Response if repository is empty": 204, no body, not [] (§3.3)
            response = Response(b"", 204)
            del response.headers["Content-Type"]
            return response
        anon = request.args.get("anon", "").lower() in ("1", "true")
        rows = [r for r in repo.contributors if anon or r.type != "Anonymous"]
        rows.sort(key=lambda r: r.contributions, reverse=True)  # stable: ties keep their order
        carry = {"anon": request.args["anon"]} if "anon" in request.args else {}
        base = f"{self.api_url}/repositories/{repo.id}/contributors"
        chunk, link = self._paginate(request, rows, base, carry)
        response = _json([self.contributor_json(r) for r in chunk])
        if link:
            response.headers["Link"] = link
        return response

    def _paginate(
        self, request: Request, items: list[Any], base: str, carry: dict[str, str] | None = None
    ) -> tuple[list[Any], str]:
        """One page of `items` (`per_page` default 30, at most `max_page_size`) and the
        `Link` header for it, empty when there is a single page (§1.3)."""
        page = max(1, _int_arg(request, "page", 1))
        per_page = min(max(1, _int_arg(request, "per_page", 30)), self.max_page_size)
        last = max(1, -(-len(items) // per_page))

        def to(number: int) -> str:
            query = urlencode({"per_page": per_page, **(carry or {}), "page": number})
            return f"<{base}?{query}>"

        links = []
        if page > 1:
            links.append(f'{to(min(page - 1, last))}; rel="prev"')
        if page < last:
            links.append(f'{to(page + 1)}; rel="next"')
            links.append(f'{to(last)}; rel="last"')
        if page > 1:
            links.append(f'{to(1)}; rel="first"')
        return items[(page - 1) * per_page : page * per_page], ", ".join(links)

    def _user(self, request: Request, login: str) -> Response:
        user = self.users.get(login.lower())
        if request.method != "GET" or user is None:
            documentation = "https://docs.github.com/rest/users/users#get-a-user"
            return self._error(request, 404, "Not Found", documentation_url=documentation)
        return _json(self.user_json(user))

    def _asset(
        self, request: Request, repo: FakeRepo, asset_id: int, permission: str | None
    ) -> Response:
        for release in repo.releases.values():
            if self._release(repo, release.id, permission) is None:
                continue
            for asset in release.assets:
                if asset.id == asset_id:
                    if request.headers.get("Accept") != "application/octet-stream":
                        return _json(self.asset_json(repo, asset))
                    if self.direct_downloads:
                        return self._asset_bytes(request, asset)
                    return self._redirect_to_storage(f"/assets/{asset.id}", ("asset", asset))
        return self._not_found(request)

    def _archive_redirect(self, request: Request, repo: FakeRepo, kind: str, ref: str):
        tags = {r.tag_name for r in repo.releases.values()}
        if ref not in tags:
            return self._not_found(request)
        fmt = "legacy.zip" if kind == "zipball" else "legacy.tar.gz"
        path = f"/codeload/{repo.full_name}/{fmt}/refs/tags/{quote(ref, safe='')}"
        return self._redirect_to_storage(path, ("archive", (repo, kind, ref)))

    def _redirect_to_storage(self, path: str, target: tuple[str, Any]) -> Response:
        signature = secrets.token_hex(16)
        self._signed[signature] = target
        location = f"{self.storage_url}{path}?X-Amz-Expires=300&X-Amz-Signature={signature}"
        return Response("", 302, headers={"Location": location})

    def _edit_release(
        self, request: Request, repo: FakeRepo, release: FakeRelease, permission: str | None
    ) -> Response:
        if permission != "write":
            documentation = "https://docs.github.com/rest/releases/releases#update-a-release"
            body = {"message": NOT_ACCESSIBLE, "documentation_url": documentation}
            return _json({**body, "status": "403"}, 403)
        changes = request.get_json(silent=True)
        if not isinstance(changes, dict):
            return _json({"message": "Problems parsing JSON"}, 400)
        body = changes.get("body")
        if isinstance(body, str) and len(body) > BODY_LIMIT:
            error = {
                "resource": "Release",
                "code": "custom",
                "field": "body",
                "message": f"body is too long (maximum is {BODY_LIMIT} characters)",
            }
            return _json({"message": "Validation Failed", "errors": [error]}, 422)
        for key in ("body", "name", "draft", "prerelease", "tag_name"):
            if key in changes:
                setattr(release, key, changes[key])
        return _json(self.release_json(repo, release))

    def _markdown(self, request: Request) -> Response:
        if self.markdown_status is not None:
            return _json({"message": "Markdown rendering is unavailable"}, self.markdown_status)
        data = request.get_json(silent=True) or {}
        text = str(data.get("text", ""))
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        strong = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
        html = "\n".join(f"<p>{p}</p>" for p in strong.split("\n\n") if p.strip()) + "\n"
        return Response(html, 200, content_type="text/html;charset=utf-8")

    def _not_found(self, request: Request) -> Response:
        documentation = "https://docs.github.com/rest"
        return self._error(request, 404, "Not Found", documentation_url=documentation)

    def _error(self, request: Request, status: int, message: str, **extra: str) -> Response:
        body: dict[str, Any] = {"message": message, **extra, "status": str(status)}
        if self.echo_credentials:  # some servers do; the client must still leak nothing
            body["request"] = {"authorization": request.headers.get("Authorization")}
        return _json(body, status)

    # -- storage --------------------------------------------------------------

    def _route_storage(self, request: Request) -> Response:
        if request.headers.get("Authorization"):
            return _s3_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the "
                "X-Amz-Algorithm query parameter, Signature query string parameter or the "
                "Authorization header should be specified",
            )
        target = self._signed.get(request.args.get("X-Amz-Signature", ""))
        if target is None:
            return _s3_error(403, "AccessDenied", "Request has expired")
        if self._expired_signatures:
            self._expired_signatures -= 1
            return _s3_error(403, "AccessDenied", "Request has expired")
        kind, value = target
        if kind == "asset":
            return self._asset_bytes(request, value)
        repo, archive, ref = value
        data = _zip_of(repo, ref) if archive == "zipball" else _tar_gz_of(repo, ref)
        name = f"{repo.name}-{ref}.{'zip' if archive == 'zipball' else 'tar.gz'}"
        content_type = "application/zip" if archive == "zipball" else "application/x-gzip"
        headers = {"Content-Disposition": f"attachment; filename={name}"}
        return Response(data, 200, headers=headers, content_type=content_type)

    def _asset_bytes(self, request: Request, asset: FakeAsset) -> Response:
        data = asset.content if asset.served is None else asset.served
        content_type = asset.served_type or "application/octet-stream"
        if self._broken_downloads:
            self._broken_downloads -= 1
            body = _broken_stream(request, data)
            response = Response(body, 200, content_type=content_type, direct_passthrough=True)
            response.headers["Content-Length"] = str(len(data))
            return response
        response = Response(data, 200, content_type=content_type)
        response.headers["Content-Length"] = str(len(data))
        return response


def _broken_stream(request: Request, data: bytes) -> Iterator[bytes]:
    """Send the headers and half the bytes, then cut the connection mid-body."""
    connection: socket.socket = request.environ["werkzeug.socket"]
    yield data[: len(data) // 2]
    connection.shutdown(socket.SHUT_RDWR)


def _int_arg(request: Request, name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        return default  # GitHub ignores a malformed page or per_page


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type="application/json; charset=utf-8")


def _s3_error(status: int, code: str, message: str) -> Response:
    xml = f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(xml, status, content_type="application/xml")


def _archive_root(repo: FakeRepo, ref: str) -> str:
    return f"{repo.owner}-{repo.name}-{hashlib.sha256(ref.encode()).hexdigest()[:7]}"


def _zip_of(repo: FakeRepo, ref: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sorted(repo.files.items()):
            info = zipfile.ZipInfo(f"{_archive_root(repo, ref)}/{name}", (2024, 5, 15, 0, 0, 0))
            archive.writestr(info, content)
    return buffer.getvalue()


def _tar_gz_of(repo: FakeRepo, ref: str) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name, content in sorted(repo.files.items()):
            info = tarfile.TarInfo(f"{_archive_root(repo, ref)}/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A running fake GitHub API plus its storage host, stopped after the test."""
    fake = FakeGitHub().start()
    try:
        yield fake
        fake.check()
    finally:
        fake.stop()
