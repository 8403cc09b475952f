"""A fake GitHub REST API on loopback, with a second "storage" host for downloads.

It follows reference github-actions.md §3-4 where GitHub surprises clients:

- asset downloads (`Accept: application/octet-stream`) and zipball/tarball
  answer 302 to a pre-signed URL on ANOTHER host (127.0.0.2), which answers 400
  when an Authorization header arrives, as S3 does (github-actions.md §4.1, octokit.js#967);
- assets may be in state `open`, or not listed yet, for the first polls (github-actions.md §3.3);
- list endpoints paginate with `Link` headers whose URLs use the
  `/repositories/{id}/...` form, as GitHub's do;
- private repositories and draft releases answer 404 without a token that may
  see them; editing a release with a read-only token answers 403
  "Resource not accessible by integration" (github-actions.md §4.2); bodies over 125000
  characters answer 422 (github-actions.md §4.1);
- every response carries x-ratelimit-* headers, and rate limiting can be forced
  (github-actions.md §4.3). Requests without a User-Agent are refused with 403, as GitHub does.

And it follows reference github-rest.md §1 and §3 (repository metadata, checklist
github-rest.md §6):

- `GET /repos/{o}/{r}` (and the webhook's `repository`) carry `description` and
  `license`, a license-simple object or null (github-rest.md §3.1);
- `GET /repos/{o}/{r}/license` answers 404 when no licence file is detected, and
  a file that licensee does not recognise still answers 200, with
  `spdx_id: "NOASSERTION"` and `key: "other"` (github-rest.md §3.2);
- `GET /repos/{o}/{r}/contributors` sorts by contributions, lists `Bot` rows
  (`dependabot[bot]`) next to `User` rows and `Anonymous` ones only with `anon=1`,
  and answers **204 with no body** for an empty repository, or 403 "too large"
  for huge histories, instead of a list (github-rest.md §1.3, §3.3);
- `GET /users/{login}` may have `name: null`; unknown logins answer 404 (github-rest.md §3.4);
- a path with a trailing `/` answers 404, an unsupported `X-GitHub-Api-Version`
  400 (github-rest.md §1.1); error bodies carry `status` as a string (github-rest.md §1.2).

And github-rest.md §2 and §4, for a write-back by pull request (checklist github-rest.md §6):

- each repository is a git object store with git's real object ids, so unchanged
  content gives back the same tree sha (github-rest.md §4.6, §4.7). `FakeRepo.files` is the default
  branch's tree: editing it counts as a push, and moving the branch rewrites it;
- git/ref, git/refs, git/commits, git/blobs, git/trees, contents and pulls answer
  with GitHub's codes and texts: 409 "Git Repository is empty.", 422 "Reference
  already exists" and "Update is not a fast forward" in `message`, "A pull request
  already exists for o:b." and "No commits between ..." in `errors[0].message`;
  `recursive=false` still recurses (github-rest.md §4.8); contents is base64 wrapped at 60
  characters, 403 `too_large` above 1 MB (github-rest.md §4.10); a pulls `head` filter without
  `owner:` is ignored (github-rest.md §4.11);
- symbolic links are tree entries of mode 120000 whose blob is the target path; the
  contents API answers a link to a file in the repository with that file, any other link
  with a `symlink` object; blobs are served base64 or raw at any size; `compare/b...h`
  lists the commits of `h` that `b` lacks, oldest first, at most 250
  (docs/reference/github-writeback.md §1-3); `push` can add links and modes, `amend`
  and `orphan` make the branches maintainers make;
- tokens have `contents` and `pull_requests` scopes and a kind (GITHUB_TOKEN or PAT):
  a missing scope answers 403 with `X-Accepted-GitHub-Permissions` (github-rest.md §1.2, §2.1), and
  with `actions_may_create_pulls` off GITHUB_TOKEN may push branches but not open
  pull requests (github-rest.md §2.2).

Every request to either host is recorded for assertions.
"""

from __future__ import annotations

import base64
import binascii
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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, TypeVar
from urllib.parse import quote, urlencode

import pytest
from pytest_httpserver.httpserver import HTTPServerBase
from werkzeug import Request, Response

API_HOST = "127.0.0.1"
STORAGE_HOST = "127.0.0.2"  # a different host name, so clients must drop credentials
BODY_LIMIT = 125_000
# App tokens, GITHUB_TOKEN (github-rest.md §1.2)
NOT_ACCESSIBLE = "Resource not accessible by integration"
NOT_ACCESSIBLE_BY_PAT = "Resource not accessible by personal access token"
ACTIONS_MAY_NOT_CREATE_PULLS = (  # github-rest.md §2.2, verbatim from GitHub
    "GitHub Actions is not permitted to create or approve pull requests."
)
EMPTY_REPOSITORY = "Git Repository is empty."  # 409 from the git database (github-rest.md §4.1)
CONTENTS_TOO_LARGE = (  # github-rest.md §4.10, verbatim from GitHub
    "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch "
    "via the API, but you can use the Git Data API to request blobs up to 100 MB in size."
)
# GitHub says "1 MB" (github-rest.md §4.10) without saying whether 10**6 or 2**20 bytes. The fake
# takes the stricter 1,000,000: a client that copes here copes there.
CONTENTS_API_LIMIT = 1_000_000
MUST_SUPPLY_SHA_OR_CONTENT = (  # github-rest.md §4.7, verbatim from GitHub
    "Must supply either tree.sha or tree.content. Request will be rejected if both are present."
)
SCOPE_LEVELS = ("none", "read", "write")  # a token scope, least first
ACTIONS_BOT_LOGIN = "github-actions[bot]"
ACTIONS_BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
DOCS = "https://docs.github.com/rest"
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
OUTSIDE_TIME = 1715786365  # 2024-05-15T15:19:25Z: commits made outside the API
ENDPOINT_DOCS = {  # handler -> where its errors' documentation_url points, under DOCS
    "_get_ref": "git/refs#get-a-reference",
    "_create_ref": "git/refs#create-a-reference",
    "_update_ref": "git/refs#update-a-reference",
    "_delete_ref": "git/refs#delete-a-reference",
    "_get_commit": "git/commits#get-a-commit-object",
    "_create_commit": "git/commits#create-a-commit",
    "_get_blob": "git/blobs#get-a-blob",
    "_create_blob": "git/blobs#create-a-blob",
    "_get_tree": "git/trees#get-a-tree",
    "_create_tree": "git/trees#create-a-tree",
    "_get_contents": "repos/contents#get-repository-content",
    "_compare": "commits/commits#compare-two-commits",
    "_list_pulls": "pulls/pulls#list-pull-requests",
    "_create_pull": "pulls/pulls#create-a-pull-request",
    "_get_pull": "pulls/pulls#get-a-pull-request",
    "_update_pull": "pulls/pulls#update-a-pull-request",
}
API_VERSIONS = ("2022-11-28", "2026-03-10")  # github-rest.md §1.1
CONTRIBUTORS_TOO_LARGE = (  # github-rest.md §3.3, verbatim from GitHub
    "The history or contributor list is too large to list contributors for this "
    "repository via the API."
)
NOASSERTION = "NOASSERTION"  # a licence file licensee does not recognise (github-rest.md §3.2)
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
    """A public user (`GET /users/{login}`); `name` and `company` may be null
    (github-rest.md §3.4)."""

    login: str
    name: str | None = None
    company: str | None = None
    type: str = "User"  # "User", "Bot" or "Organization"
    email: str | None = None
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class FakeContributor:
    """One row of `GET /repos/{o}/{r}/contributors` (github-rest.md §3.3)."""

    contributions: int
    login: str | None = None  # None for an "Anonymous" row (an unlinked author email)
    type: str = "User"  # "User", "Bot" or "Anonymous"
    name: str | None = None  # Anonymous rows only: the commit author's name
    email: str | None = None  # Anonymous rows only
    id: int = field(default_factory=lambda: next(_ids))


# -- git objects (github-rest.md §4.6-4.9) --------------------------------------------

TREE_MODE = "40000"  # a directory, as written inside a tree object...
API_TREE_MODE = "040000"  # ...and as the API spells it in JSON (github-rest.md §4.7)
FILE_MODE = "100644"
LINK_MODE = "120000"  # a symbolic link: its blob holds the target path (github-writeback.md §2)
SUBMODULE_MODE = "160000"
COMPARE_LIMIT = 250  # commits a comparison lists without paging (github-writeback.md §3)
LEAF_TYPES = {FILE_MODE: "blob", "100755": "blob", "120000": "blob", SUBMODULE_MODE: "commit"}
Leaf = tuple[str, str]  # (mode, sha) of a file, executable, symlink or submodule


def _object_id(kind: str, payload: bytes) -> str:
    """git's object id: sha1 of "<kind> <size>\\0" and the payload (github-rest.md §4.6)."""
    return hashlib.sha1(b"%s %d\0" % (kind.encode(), len(payload)) + payload).hexdigest()


def _tree_order(entry: tuple[str, str, str]) -> bytes:
    """git sorts tree entries by name bytes, a directory as if its name ended in "/"."""
    mode, name, _ = entry
    return name.encode() + (b"/" if mode == TREE_MODE else b"")


@dataclass(frozen=True)
class GitPerson:
    """An author or committer line: `Name <email> <unix seconds> <+hhmm>`."""

    name: str
    email: str
    when: int
    offset_minutes: int = 0

    def line(self) -> str:
        sign = "-" if self.offset_minutes < 0 else "+"
        hours, minutes = divmod(abs(self.offset_minutes), 60)
        return f"{self.name} <{self.email}> {self.when} {sign}{hours:02d}{minutes:02d}"

    def json(self) -> dict[str, str]:
        moment = datetime.fromtimestamp(self.when, timezone.utc)
        return {"name": self.name, "email": self.email, "date": moment.strftime(ISO_FORMAT)}


@dataclass(frozen=True)
class GitBlob:
    data: bytes
    kind: ClassVar[str] = "blob"

    def payload(self) -> bytes:
        return self.data


@dataclass(frozen=True)
class GitTree:
    entries: tuple[tuple[str, str, str], ...]  # (mode, name, sha) in git's order
    kind: ClassVar[str] = "tree"

    def payload(self) -> bytes:
        return b"".join(
            f"{mode} {name}\0".encode() + bytes.fromhex(sha) for mode, name, sha in self.entries
        )


@dataclass(frozen=True)
class GitCommit:
    tree: str
    parents: tuple[str, ...]
    author: GitPerson
    committer: GitPerson
    message: str  # verbatim: `git commit-tree -m x` would store "x\n"
    # GitHub signs commits it makes for bot tokens (github-rest.md §4.9). The fake only flags them:
    # a real signature adds a `gpgsig` header, so GitHub's sha would differ from ours.
    verified: bool = False
    kind: ClassVar[str] = "commit"

    def payload(self) -> bytes:
        lines = [
            f"tree {self.tree}",
            *(f"parent {parent}" for parent in self.parents),
            f"author {self.author.line()}",
            f"committer {self.committer.line()}",
        ]
        return ("\n".join(lines) + "\n\n" + self.message).encode()


GitObject = GitBlob | GitTree | GitCommit
_Obj = TypeVar("_Obj", GitBlob, GitTree, GitCommit)


@dataclass
class GitStore:
    """One repository's objects and refs, with git's real object ids."""

    objects: dict[str, GitObject] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> sha
    synced: dict[str, bytes] | None = None  # `FakeRepo.files` as last mirrored
    synced_branch: str | None = None

    def put(self, obj: GitObject) -> str:
        sha = _object_id(obj.kind, obj.payload())
        self.objects.setdefault(sha, obj)
        return sha

    def get(self, sha: str, kind: type[_Obj]) -> _Obj | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, kind) else None

    def write_tree(self, leaves: Mapping[str, Leaf]) -> str:
        """The root tree of `leaves` (path -> (mode, sha)), subtrees written first."""
        here: list[tuple[str, str, str]] = []
        below: dict[str, dict[str, Leaf]] = {}
        for path, (mode, sha) in leaves.items():
            top, slash, rest = path.partition("/")
            if slash:
                below.setdefault(top, {})[rest] = (mode, sha)
            else:
                here.append((mode, top, sha))
        here += [(TREE_MODE, name, self.write_tree(sub)) for name, sub in below.items()]
        return self.put(GitTree(tuple(sorted(here, key=_tree_order))))

    def walk(
        self, tree: str, recursive: bool = True, prefix: str = ""
    ) -> Iterator[tuple[str, str, str]]:
        """(path, mode, sha) of each entry, directories before their contents."""
        found = self.get(tree, GitTree)
        assert found is not None, f"not a tree: {tree}"
        for mode, name, sha in found.entries:
            yield f"{prefix}{name}", mode, sha
            if recursive and mode == TREE_MODE:
                yield from self.walk(sha, True, f"{prefix}{name}/")

    def leaves(self, tree: str) -> dict[str, Leaf]:
        return {path: (mode, sha) for path, mode, sha in self.walk(tree) if mode != TREE_MODE}

    def files(self, tree: str) -> dict[str, bytes]:
        """Path -> bytes of every blob (submodules have none)."""
        blobs = {path: self.get(sha, GitBlob) for path, (_, sha) in self.leaves(tree).items()}
        return {path: blob.data for path, blob in blobs.items() if blob is not None}

    def lookup(self, tree: str, path: str) -> tuple[str, str] | None:
        """(mode, sha) of the entry at `path`, or None."""
        mode, sha = TREE_MODE, tree
        for name in path.split("/"):
            found = self.get(sha, GitTree) if mode == TREE_MODE else None
            entry = next((e for e in found.entries if e[1] == name), None) if found else None
            if entry is None:
                return None
            mode, _, sha = entry
        return mode, sha

    def commit_files(
        self, leaves: Mapping[str, Leaf], parents: tuple[str, ...], message: str, who: GitPerson
    ) -> str:
        return self.put(GitCommit(self.write_tree(leaves), parents, who, who, message))

    def tree_of(self, commit: str) -> str:
        found = self.get(commit, GitCommit)
        assert found is not None, f"not a commit: {commit}"
        return found.tree

    def ancestors(self, commit: str) -> set[str]:
        """`commit` and every commit it descends from."""
        seen: set[str] = set()
        todo = [commit]
        while todo:
            sha = todo.pop()
            found = self.get(sha, GitCommit)
            if sha not in seen and found is not None:
                seen.add(sha)
                todo.extend(found.parents)
        return seen

    def is_ancestor(self, old: str, new: str) -> bool:
        """Whether moving a ref from `old` to `new` is a fast forward (github-rest.md §4.3)."""
        return old in self.ancestors(new)


@dataclass
class FakeToken:
    """What a token may do: the `contents` and `pull-requests` scopes (github-rest.md §2.1), and
    whether it is a workflow's GITHUB_TOKEN ("actions") or a personal access token ("pat")."""

    contents: str = "write"  # "none" | "read" | "write"
    pull_requests: str = "write"
    kind: str = "actions"


@dataclass
class FakePull:
    """A pull request. Its head and base are branches of the same repository."""

    number: int
    head: str  # branch name, without "owner:"
    base: str
    title: str
    body: str | None = None
    state: str = "open"  # "open" | "closed"
    merged: bool = False
    draft: bool = False
    head_sha: str = ""  # follows the head branch while the PR is open
    merge_commit_sha: str | None = None
    user: str = ACTIONS_BOT_LOGIN
    user_type: str = "Bot"
    created_at: str = ""
    updated_at: str = ""
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
    contributors_too_large: bool = False  # contributors answers 403 (github-rest.md §3.3)
    empty: bool = False  # no commits at all: contributors answers 204 (github-rest.md §3.3)
    # "Allow GitHub Actions to create and approve pull requests". GitHub's default for new
    # repositories is OFF (github-rest.md §2.2); the fake's is on, so tests that need it off say so.
    actions_may_create_pulls: bool = True
    git: GitStore = field(default_factory=GitStore, repr=False)  # `files` = default head
    pulls: dict[int, FakePull] = field(default_factory=dict)
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
        self.tokens: dict[str, str] = {}  # token -> its contents scope: "read" | "write"
        self.grants: dict[str, FakeToken] = {}  # token -> all its scopes and its kind
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

    def add_token(
        self,
        token: str,
        permission: str = "write",
        *,
        pull_requests: str | None = None,
        kind: str = "actions",
    ) -> str:
        """A token whose `contents` scope is `permission` and whose `pull-requests`
        scope is `pull_requests` (default: the same), each "none", "read" or "write".
        `kind` is "actions" (a workflow's GITHUB_TOKEN) or "pat"
        (github-rest.md §1.2, §2.1, §2.2)."""
        scopes = (permission, pull_requests or permission)
        if not set(scopes) <= set(SCOPE_LEVELS) or kind not in ("actions", "pat"):
            raise ValueError(f"unknown permission or kind: {scopes}, {kind}")
        self.tokens[token] = permission
        self.grants[token] = FakeToken(*scopes, kind)
        return token

    def add_repo(self, full_name: str = "octo-org/hello-world", **options: Any) -> FakeRepo:
        owner, name = full_name.split("/")
        repo = FakeRepo(owner, name, **options)
        self.repos[full_name] = repo
        with self._lock:
            self._sync(repo)  # the initial commit of `files`, unless the repository is empty
        return repo

    def add_release(self, repo: FakeRepo, tag_name: str, **options: Any) -> FakeRelease:
        release = FakeRelease(tag_name, **options)
        repo.releases[release.id] = release
        with self._lock:
            self._sync(repo)
            head = repo.git.refs.get(f"refs/heads/{repo.default_branch}")
            if head is not None and not release.draft:  # a draft's tag usually does not exist
                repo.git.refs.setdefault(f"refs/tags/{tag_name}", head)
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
        shows, or an Enterprise Managed User you may not see, github-rest.md §3.4). A login that is
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
        """An author whose email links to no account: listed only with `anon=1`
        (github-rest.md §3.3)."""
        if repo.empty:
            raise ValueError(f"{repo.full_name} is empty: it has no commits to count")
        row = FakeContributor(contributions, None, "Anonymous", name, email)
        repo.contributors.append(row)
        return row

    def contributors_too_large(self, repo: FakeRepo, too_large: bool = True) -> None:
        """Contributors answers GitHub's 403 "too large" body (github-rest.md §3.3)."""
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
        does not recognise, github-rest.md §3.2), or None (no licence file: /license answers 404).

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
        with self._lock:
            self._sync(repo)  # no branches either

    def push(
        self,
        repo: FakeRepo,
        branch: str,
        changes: Mapping[str, bytes | None],
        message: str = "A commit pushed from elsewhere\n",
        *,
        links: Mapping[str, str] | None = None,
        modes: Mapping[str, str] | None = None,
    ) -> str:
        """Commit `changes` (path -> bytes, or None to delete) and `links` (path -> the
        target a symbolic link holds) on top of `branch`, which starts from the default
        branch if it does not exist; `modes` gives a path another mode (100755). Returns
        the commit's sha."""
        with self._lock:
            self._sync(repo)
            git = repo.git
            start = git.refs.get(f"refs/heads/{branch}") or self._head(repo)
            leaves = git.leaves(git.tree_of(start))
            entries = {path: (FILE_MODE, data) for path, data in changes.items()}
            entries |= {
                path: (LINK_MODE, target.encode()) for path, target in (links or {}).items()
            }
            for path, (mode, data) in entries.items():
                if data is None:
                    _delete_under(leaves, path)
                else:
                    mode = (modes or {}).get(path, mode)
                    _put_under(leaves, path, {path: (mode, git.put(GitBlob(data)))})
            sha = git.commit_files(leaves, (start,), message, _outside_person(repo))
            self._move_ref(repo, f"refs/heads/{branch}", sha)
            return sha

    def amend(self, repo: FakeRepo, branch: str, changes: Mapping[str, bytes]) -> str:
        """`git commit --amend` and a forced push, as a maintainer does: the branch's head
        commit replaced by one with the same parents and message and `changes` applied."""
        with self._lock:
            self._sync(repo)
            git = repo.git
            old = self.commit(repo, git.refs[f"refs/heads/{branch}"])
            leaves = git.leaves(old.tree)
            for path, data in changes.items():
                _put_under(leaves, path, {path: (FILE_MODE, git.put(GitBlob(data)))})
            sha = git.commit_files(leaves, old.parents, old.message, _outside_person(repo))
            self._move_ref(repo, f"refs/heads/{branch}", sha)
            return sha

    def orphan(self, repo: FakeRepo, branch: str, files: Mapping[str, bytes]) -> str:
        """A branch with a root commit of its own: no history shared with any other."""
        with self._lock:
            self._sync(repo)
            git = repo.git
            leaves = {path: (FILE_MODE, git.put(GitBlob(data))) for path, data in files.items()}
            sha = git.commit_files(leaves, (), "Unrelated\n", _outside_person(repo))
            self._move_ref(repo, f"refs/heads/{branch}", sha)
            return sha

    def modes_at(self, repo: FakeRepo, ref: str) -> dict[str, str]:
        """Path -> mode (100644, 100755, 120000, 160000) of every entry at a branch."""
        with self._lock:
            self._sync(repo)
            commit = self._resolve_commit(repo, ref)
            if commit is None:
                raise KeyError(f"no branch, tag or commit {ref!r} in {repo.full_name}")
            return {
                path: mode for path, (mode, _) in repo.git.leaves(repo.git.tree_of(commit)).items()
            }

    def merge_pull(self, repo: FakeRepo, number: int) -> str:
        """Merge an open PR as a maintainer would: fast-forward its base branch to the
        head when possible, else a merge commit (raises ValueError on a conflict).
        The PR ends closed and merged. Returns the base branch's new head."""
        with self._lock:
            self._sync(repo)
            pull = repo.pulls[number]
            if pull.state != "open":
                raise ValueError(f"pull request #{number} is {pull.state}")
            git = repo.git
            base = git.refs[f"refs/heads/{pull.base}"]
            head = git.refs[f"refs/heads/{pull.head}"]
            merged = head if git.is_ancestor(base, head) else self._merge_commit(repo, pull)
            self._move_ref(repo, f"refs/heads/{pull.base}", merged)
            pull.state, pull.merged, pull.merge_commit_sha = "closed", True, merged
            pull.updated_at = _now()
            return merged

    def _merge_commit(self, repo: FakeRepo, pull: FakePull) -> str:
        """A two-parent commit: the base's files plus what the head changed since the
        merge base, path by path."""
        git = repo.git
        base, head = git.refs[f"refs/heads/{pull.base}"], git.refs[f"refs/heads/{pull.head}"]
        shared = git.ancestors(base) & git.ancestors(head)
        fork = next((c for c in self._newest_first(git, head) if c in shared), None)
        was = git.leaves(git.tree_of(fork)) if fork else {}
        ours, theirs = git.leaves(git.tree_of(base)), git.leaves(git.tree_of(head))
        merged = dict(ours)
        for path in set(was) | set(theirs):
            if theirs.get(path) == was.get(path):
                continue  # the head left it alone
            if ours.get(path) not in (was.get(path), theirs.get(path)):
                raise ValueError(f"merge conflict in {path}")
            if path in theirs:
                merged[path] = theirs[path]
            else:
                merged.pop(path, None)
        message = f"Merge pull request #{pull.number} from {repo.owner}/{pull.head}\n"
        return git.commit_files(merged, (base, head), message, _outside_person(repo))

    @staticmethod
    def _newest_first(git: GitStore, commit: str) -> list[str]:
        """`commit` and its ancestors, breadth first (a good enough merge-base order)."""
        order, todo = [], [commit]
        while todo:
            sha = todo.pop(0)
            found = git.get(sha, GitCommit)
            if found is not None and sha not in order:
                order.append(sha)
                todo.extend(found.parents)
        return order

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
        """Storage sends half of the next `times` files (assets or source archives), then
        drops the connection."""
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

    def ref_sha(self, repo: FakeRepo, ref: str) -> str | None:
        """The sha `ref` ("heads/x" or "refs/heads/x") points at, or None."""
        with self._lock:
            self._sync(repo)
            return repo.git.refs.get(ref if ref.startswith("refs/") else f"refs/{ref}")

    def files_at(self, repo: FakeRepo, ref: str) -> dict[str, bytes]:
        """Path -> bytes at a branch, tag, commit sha or tree sha (KeyError if unknown)."""
        with self._lock:
            self._sync(repo)
            if repo.git.get(ref, GitTree) is not None:
                return repo.git.files(ref)
            commit = self._resolve_commit(repo, ref)
            if commit is None:
                raise KeyError(f"no branch, tag or commit {ref!r} in {repo.full_name}")
            return repo.git.files(repo.git.tree_of(commit))

    def pulls_of(self, repo: FakeRepo) -> list[FakePull]:
        """Every pull request of `repo`, oldest first, whatever its state."""
        return sorted(repo.pulls.values(), key=lambda pull: pull.number)

    def commits_between(self, repo: FakeRepo, base: str, head: str) -> list[str]:
        """Shas of the commits on branch `head` that branch `base` lacks, newest first."""
        with self._lock:
            self._sync(repo)
            git = repo.git
            known = git.ancestors(git.refs[f"refs/heads/{base}"])
            tip = git.refs[f"refs/heads/{head}"]
            return [sha for sha in self._newest_first(git, tip) if sha not in known]

    def commit(self, repo: FakeRepo, sha: str) -> GitCommit:
        """The commit object `sha` (KeyError if there is none)."""
        found = repo.git.get(sha, GitCommit)
        if found is None:
            raise KeyError(f"no commit {sha} in {repo.full_name}")
        return found

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
        """`GET /repos/{o}/{r}`, and the webhook's `repository`: same shape
        (github-rest.md §3.1, §3.2)."""
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
        """A license-simple object, or None when no licence file is detected
        (github-rest.md §3.2)."""
        if repo.license is None or repo.empty:
            return None
        if repo.license == NOASSERTION:  # verbatim from cocotb/cocotb#2955 (github-rest.md §3.2)
            key, name, url = "other", "Other", None
            node_id = base64.b64encode(b"07:License0").decode()
        else:
            key, name = LICENSES.get(repo.license, (repo.license.lower(), repo.license))
            url = f"{self.api_url}/licenses/{key}"
            node_id = base64.b64encode(f"07:License{key}".encode()).decode()
        return {"key": key, "name": name, "spdx_id": repo.license, "url": url, "node_id": node_id}

    def license_content_json(self, repo: FakeRepo) -> dict[str, Any]:
        """`GET /repos/{o}/{r}/license`: the file's fields plus `license` (github-rest.md §3.2)."""
        data = repo.files.get(repo.license_path, b"")
        content = self.content_file_json(repo, repo.license_path, data, repo.default_branch)
        return {**content, "license": self.license_json(repo)}

    def git_ref_json(self, repo: FakeRepo, ref: str) -> dict[str, Any]:
        """A git-ref: `ref` is fully qualified, "refs/heads/main" (github-rest.md §4.1)."""
        sha = repo.git.refs[ref]
        kind = repo.git.objects[sha].kind
        base = f"{self.api_url}/repos/{repo.full_name}/git"
        return {
            "ref": ref,
            "node_id": base64.b64encode(f"04:Ref{repo.id}:{ref}".encode()).decode(),
            "url": f"{base}/{quote(ref)}",
            "object": {"type": kind, "sha": sha, "url": f"{base}/{kind}s/{sha}"},
        }

    def git_commit_json(self, repo: FakeRepo, sha: str) -> dict[str, Any]:
        """A git-commit (github-rest.md §4.5)."""
        commit = self.commit(repo, sha)
        base = f"{self.api_url}/repos/{repo.full_name}/git"
        html = f"{self.server_url}/{repo.full_name}/commit"
        verification = {
            "verified": commit.verified,
            "reason": "valid" if commit.verified else "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": commit.committer.json()["date"] if commit.verified else None,
        }
        return {
            "sha": sha,
            "node_id": f"C_{sha[:20]}",
            "url": f"{base}/commits/{sha}",
            "html_url": f"{html}/{sha}",
            "author": commit.author.json(),
            "committer": commit.committer.json(),
            "message": commit.message,
            "tree": {"sha": commit.tree, "url": f"{base}/trees/{commit.tree}"},
            "parents": [
                {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{html}/{p}"}
                for p in commit.parents
            ],
            "verification": verification,
        }

    def git_tree_json(self, repo: FakeRepo, sha: str, recursive: bool) -> dict[str, Any]:
        """A git-tree; directories are "040000" here, "40000" inside the object
        (github-rest.md §4.7)."""
        base = f"{self.api_url}/repos/{repo.full_name}/git"
        entries = []
        for path, mode, entry_sha in repo.git.walk(sha, recursive):
            kind = "tree" if mode == TREE_MODE else LEAF_TYPES[mode]
            entry: dict[str, Any] = {
                "path": path,
                "mode": API_TREE_MODE if mode == TREE_MODE else mode,
                "type": kind,
                "sha": entry_sha,
            }
            if kind == "blob":
                blob = repo.git.get(entry_sha, GitBlob)
                entry["size"] = len(blob.data) if blob else 0
            if kind != "commit":  # a submodule's commit lives in another repository
                entry["url"] = f"{base}/{kind}s/{entry_sha}"
            entries.append(entry)
        return {"sha": sha, "url": f"{base}/trees/{sha}", "tree": entries, "truncated": False}

    def content_file_json(self, repo: FakeRepo, path: str, data: bytes, ref: str) -> dict[str, Any]:
        """A content-file (github-rest.md §4.10): `content` is base64 with a "\\n" every 60
        characters."""
        sha = _object_id("blob", data)
        encoded = base64.b64encode(data).decode()
        content = "".join(f"{encoded[i : i + 60]}\n" for i in range(0, len(encoded), 60))
        base = f"{self.api_url}/repos/{repo.full_name}"
        html_url = f"{self.server_url}/{repo.full_name}/blob/{ref}/{path}"
        return {
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(data),
            "url": f"{base}/contents/{path}?ref={ref}",
            "html_url": html_url,
            "git_url": f"{base}/git/blobs/{sha}",
            "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{ref}/{path}",
            "type": "file",
            "content": content,
            "encoding": "base64",
            "_links": {
                "self": f"{base}/contents/{path}",
                "git": f"{base}/git/blobs/{sha}",
                "html": html_url,
            },
        }

    def content_symlink_json(
        self, repo: FakeRepo, path: str, target: bytes, ref: str
    ) -> dict[str, Any]:
        """A content-symlink (github-writeback.md §2): what the link says, no content."""
        file = self.content_file_json(repo, path, target, ref)
        for key in ("content", "encoding"):
            file.pop(key)
        return {**file, "type": "symlink", "target": target.decode("utf-8", "replace")}

    def compare_commit_json(self, repo: FakeRepo, sha: str) -> dict[str, Any]:
        """A commit as the comparison lists it: the git commit under `commit`
        (github-writeback.md §3)."""
        git_commit = self.git_commit_json(repo, sha)
        base = f"{self.api_url}/repos/{repo.full_name}"
        return {
            "sha": sha,
            "node_id": git_commit["node_id"],
            "url": f"{base}/commits/{sha}",
            "html_url": git_commit["html_url"],
            "commit": {
                key: git_commit[key]
                for key in ("url", "author", "committer", "message", "tree", "verification")
            }
            | {"comment_count": 0},
            "author": None,  # no GitHub account is linked to the fake's identities
            "committer": None,
            "parents": git_commit["parents"],
        }

    def pull_json(self, repo: FakeRepo, pull: FakePull, *, full: bool = True) -> dict[str, Any]:
        """A pull-request; list items (`full=False`) have no `merged` (github-rest.md §4.11)."""
        base_sha = repo.git.refs.get(f"refs/heads/{pull.base}", "")
        side = {"user": {"login": repo.owner}, "repo": self.repository_json(repo)}
        data: dict[str, Any] = {
            "url": f"{self.api_url}/repos/{repo.full_name}/pulls/{pull.number}",
            "id": pull.id,
            "node_id": f"PR_{pull.id}",
            "html_url": f"{self.server_url}/{repo.full_name}/pull/{pull.number}",
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "body": pull.body,
            "user": {"login": pull.user, "type": pull.user_type},
            "created_at": pull.created_at,
            "updated_at": pull.updated_at,
            "closed_at": pull.updated_at if pull.state == "closed" else None,
            "merged_at": pull.updated_at if pull.merged else None,
            "merge_commit_sha": pull.merge_commit_sha,
            "draft": pull.draft,
            "head": {
                "label": f"{repo.owner}:{pull.head}",
                "ref": pull.head,
                "sha": pull.head_sha,
                **side,
            },
            "base": {
                "label": f"{repo.owner}:{pull.base}",
                "ref": pull.base,
                "sha": base_sha,
                **side,
            },
        }
        if full:
            data["merged"] = pull.merged
        return data

    def contributor_json(self, row: FakeContributor) -> dict[str, Any]:
        if row.type == "Anonymous":  # no login, id or URLs (go-github#1773, github-rest.md §3.3)
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
        """A public-user: `name`, `company`, `email`, ... may all be null (github-rest.md §3.4)."""
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
        # github-rest.md §1.1 (410 if retired)
        if version is not None and version not in API_VERSIONS:
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
        # A trailing "/" matches nothing here, so it answers 404 as on GitHub (github-rest.md §1.1).
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
        routed = self._route_git(request, repo, rest)
        if routed is not None:
            return routed
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
                return self._not_found(request)  # no licence file detected (github-rest.md §3.2)
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
            return None  # drafts are visible only with push access (github-actions.md §4.1)
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
        if repo.contributors_too_large:  # not fatal for clients (github-rest.md §3.3)
            documentation = "https://docs.github.com/rest/repos/repos#list-repository-contributors"
            return self._error(
                request, 403, CONTRIBUTORS_TOO_LARGE, documentation_url=documentation
            )
        # "Response if repository is empty": 204, no body, not [] (github-rest.md §3.3)
        if repo.empty:
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
        `Link` header for it, empty when there is a single page (github-rest.md §1.3)."""
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

    def _error(self, request: Request, status: int, message: str, **extra: Any) -> Response:
        body: dict[str, Any] = {"message": message, **extra, "status": str(status)}
        if self.echo_credentials:  # some servers do; the client must still leak nothing
            body["request"] = {"authorization": request.headers.get("Authorization")}
        return _json(body, status)

    # -- git database, contents, pulls (github-rest.md §4) ----------------------

    def _git_routes(self) -> list[_Route]:
        r = _Route
        return [
            r("GET", r"git/ref/(.+)", "contents=read", self._get_ref),
            r("POST", r"git/refs", "contents=write", self._create_ref),
            r("PATCH", r"git/refs/(.+)", "contents=write", self._update_ref),
            r("DELETE", r"git/refs/(.+)", "contents=write", self._delete_ref),
            r("GET", r"git/commits/([^/]+)", "contents=read", self._get_commit),
            r("POST", r"git/commits", "contents=write", self._create_commit),
            r("GET", r"git/blobs/([^/]+)", "contents=read", self._get_blob),
            r("POST", r"git/blobs", "contents=write", self._create_blob),
            r("GET", r"git/trees/(.+)", "contents=read", self._get_tree),
            r("POST", r"git/trees", "contents=write", self._create_tree),
            r("GET", r"contents(?:/(.+))?", "contents=read", self._get_contents),
            r("GET", r"compare/(.+?)\.\.\.(.+)", "contents=read", self._compare),
            r("GET", r"pulls", "pull_requests=read", self._list_pulls),
            r("POST", r"pulls", "pull_requests=write", self._create_pull),
            r("GET", r"pulls/(\d+)", "pull_requests=read", self._get_pull),
            r("PATCH", r"pulls/(\d+)", "pull_requests=write", self._update_pull),
        ]

    def _route_git(self, request: Request, repo: FakeRepo, rest: str) -> Response | None:
        """Answer a git, contents or pulls request; None if `rest` is none of those."""
        routes = [(route, re.fullmatch(route.pattern, rest)) for route in self._git_routes()]
        matching = [(route, m) for route, m in routes if m is not None]
        if not matching:
            return None
        found = next(((rt, m) for rt, m in matching if rt.method == request.method), None)
        if found is None:
            return self._not_found(request)
        route, match = found
        docs = f"{DOCS}/{ENDPOINT_DOCS[route.handler.__name__]}"
        call = _Call(request, repo, self._grant(request), docs)
        denied = self._denied(call, route.needs)
        if denied is not None:
            return denied
        self._sync(repo)
        # github-rest.md §4.1, §4.5-4.7; POST refs [unverified]
        if repo.empty and rest.startswith("git/"):
            return self._fail(call, 409, EMPTY_REPOSITORY)
        return route.handler(call, *(g or "" for g in match.groups()))

    def _grant(self, request: Request) -> FakeToken | None:
        """The token's scopes; None when anonymous (an unknown token never gets here)."""
        token = _bearer(request)
        if token is None:
            return None
        permission = self.tokens[token]
        return self.grants.get(token) or FakeToken(permission, permission)

    def _denied(self, call: _Call, needs: str) -> Response | None:
        """403 when the token lacks `needs` ("scope=level", github-rest.md §1.2); anonymous may read
        public repositories."""
        scope, _, level = needs.partition("=")
        grant = call.grant
        if grant is None:
            if level == "read" and not call.repo.private:
                return None
            return self._fail(call, 401, "Requires authentication")
        if SCOPE_LEVELS.index(getattr(grant, scope)) >= SCOPE_LEVELS.index(level):
            return None
        message = NOT_ACCESSIBLE if grant.kind == "actions" else NOT_ACCESSIBLE_BY_PAT
        response = self._fail(call, 403, message)
        response.headers["X-Accepted-GitHub-Permissions"] = needs
        return response

    def _fail(self, call: _Call, status: int, message: str, **extra: Any) -> Response:
        return self._error(call.request, status, message, documentation_url=call.docs, **extra)

    def _invalid(self, call: _Call, detail: str) -> Response:
        """GitHub's answer to a missing or ill-typed parameter (github-rest.md §1.1)."""
        return self._fail(call, 422, f"Invalid request.\n\n{detail}")

    def _validation(self, call: _Call, **error: str) -> Response:
        """422 "Validation Failed", the text in `errors[0]` (github-rest.md §1.2, §4.11)."""
        return self._fail(
            call, 422, "Validation Failed", errors=[{"resource": "PullRequest", **error}]
        )

    def _body(self, call: _Call) -> dict[str, Any] | Response:
        try:
            data = json.loads(call.request.get_data() or b"null")
        except ValueError:
            return self._fail(call, 400, "Problems parsing JSON")
        if not isinstance(data, dict):
            return self._fail(call, 400, "Body should be a JSON object")
        return data

    # refs (github-rest.md §4.1-4.4)

    def _get_ref(self, call: _Call, ref: str) -> Response:
        # `ref` is "heads/<branch>"; "refs/heads/x" would look for refs/refs/heads/x
        # (github-rest.md §4.3).
        if f"refs/{ref}" not in call.repo.git.refs:
            return self._fail(call, 404, "Not Found")
        return _json(self.git_ref_json(call.repo, f"refs/{ref}"))

    def _create_ref(self, call: _Call) -> Response:
        body = self._body(call)
        if isinstance(body, Response):
            return body
        ref, sha = body.get("ref"), body.get("sha")
        if not isinstance(ref, str) or not isinstance(sha, str):
            return self._invalid(call, '"ref" and "sha" are required strings.')
        # "refs" plus two slashes (github-rest.md §4.2); the 422 text is assumed
        if not _valid_ref(ref):
            return self._fail(call, 422, f"{ref} is not a valid ref name.")
        if ref in call.repo.git.refs:
            return self._fail(call, 422, "Reference already exists")
        if sha not in call.repo.git.objects:
            return self._fail(call, 422, "Object does not exist")
        self._move_ref(call.repo, ref, sha)
        return _json(self.git_ref_json(call.repo, ref), 201)

    def _update_ref(self, call: _Call, ref: str) -> Response:
        body = self._body(call)
        if isinstance(body, Response):
            return body
        sha, force = body.get("sha"), body.get("force", False)
        if not isinstance(sha, str) or not isinstance(force, bool):
            return self._invalid(call, '"sha" is a required string, "force" a boolean.')
        old = call.repo.git.refs.get(f"refs/{ref}")
        if old is None:  # also for "refs/heads/x" in the path (github-rest.md §4.3)
            return self._fail(call, 422, "Reference does not exist")
        if sha not in call.repo.git.objects:
            return self._fail(call, 422, "Object does not exist")
        if not force and not call.repo.git.is_ancestor(old, sha):
            return self._fail(call, 422, "Update is not a fast forward")
        self._move_ref(call.repo, f"refs/{ref}", sha)
        return _json(self.git_ref_json(call.repo, f"refs/{ref}"))

    def _delete_ref(self, call: _Call, ref: str) -> Response:
        repo = call.repo
        if f"refs/{ref}" not in repo.git.refs:
            return self._fail(call, 422, "Reference does not exist")
        if ref == f"heads/{repo.default_branch}":  # [assumed] GitHub keeps the default branch
            return self._fail(call, 422, "Cannot delete the default branch")
        self._move_ref(repo, f"refs/{ref}", None)
        return Response(b"", 204)

    # objects (github-rest.md §4.5-4.9)

    def _get_commit(self, call: _Call, sha: str) -> Response:
        if call.repo.git.get(sha, GitCommit) is None:
            return self._fail(call, 404, "Not Found")
        return _json(self.git_commit_json(call.repo, sha))

    def _create_commit(self, call: _Call) -> Response:
        body = self._body(call)
        if isinstance(body, Response):
            return body
        git = call.repo.git
        message, tree, parents = body.get("message"), body.get("tree"), body.get("parents", [])
        if not isinstance(message, str) or not isinstance(tree, str):
            return self._invalid(call, '"message" and "tree" are required strings.')
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            return self._invalid(call, '"parents" is an array of shas.')
        if git.get(tree, GitTree) is None:
            return self._fail(call, 422, "Tree SHA does not exist")
        if any(git.get(p, GitCommit) is None for p in parents):
            return self._fail(call, 422, "Parent SHA does not exist or is not a commit object")
        author = _person(body.get("author"), self._identity(call))
        committer = _person(body.get("committer"), author) if author else None
        if author is None or committer is None:
            return self._invalid(call, '"author" and "committer" need "name" and "email".')
        # bot tokens (github-rest.md §4.9)
        signed = call.grant is not None and call.grant.kind == "actions"
        commit = GitCommit(tree, tuple(parents), author, committer, message, signed)
        return _json(self.git_commit_json(call.repo, git.put(commit)), 201)

    def _identity(self, call: _Call) -> GitPerson:
        """Who a commit is by when the request names nobody: the token's user, now."""
        if call.grant is not None and call.grant.kind == "actions":
            return GitPerson(ACTIONS_BOT_LOGIN, ACTIONS_BOT_EMAIL, int(time.time()))
        return replace(_outside_person(call.repo), when=int(time.time()))

    def _get_blob(self, call: _Call, sha: str) -> Response:
        blob = call.repo.git.get(sha, GitBlob)
        if blob is None:
            return self._fail(call, 404, "Not Found")
        if "raw" in call.request.headers.get("Accept", ""):  # github-writeback.md §1
            return Response(blob.data, 200, content_type="application/vnd.github.raw")
        encoded = base64.b64encode(blob.data).decode()
        return _json(
            {
                "sha": sha,
                "node_id": f"B_{sha[:20]}",
                "size": len(blob.data),
                "url": f"{self.api_url}/repos/{call.repo.full_name}/git/blobs/{sha}",
                "content": "".join(f"{encoded[i : i + 60]}\n" for i in range(0, len(encoded), 60)),
                "encoding": "base64",
            }
        )

    def _create_blob(self, call: _Call) -> Response:
        body = self._body(call)
        if isinstance(body, Response):
            return body
        content, encoding = body.get("content"), body.get("encoding", "utf-8")
        if not isinstance(content, str) or encoding not in ("utf-8", "base64"):
            return self._invalid(call, '"content" is required; "encoding" is utf-8 or base64.')
        try:
            data = base64.b64decode(content) if encoding == "base64" else content.encode()
        except binascii.Error:
            return self._invalid(call, '"content" is not valid base64.')
        sha = call.repo.git.put(GitBlob(data))
        url = f"{self.api_url}/repos/{call.repo.full_name}/git/blobs/{sha}"
        return _json({"url": url, "sha": sha}, 201)

    def _get_tree(self, call: _Call, name: str) -> Response:
        """`name` is a tree sha, a commit sha, or a branch or tag name (github-rest.md §4.8)."""
        git = call.repo.git
        commit = None if git.get(name, GitTree) else self._resolve_commit(call.repo, name)
        tree = git.tree_of(commit) if commit else name
        if git.get(tree, GitTree) is None:
            return self._fail(call, 404, "Not Found")
        # any value, even "false" or "0" (github-rest.md §4.8)
        recursive = "recursive" in call.request.args
        return _json(self.git_tree_json(call.repo, tree, recursive))

    def _create_tree(self, call: _Call) -> Response:
        body = self._body(call)
        if isinstance(body, Response):
            return body
        git, entries, base = call.repo.git, body.get("tree"), body.get("base_tree")
        if not isinstance(entries, list):
            return self._invalid(call, '"tree" is a required array.')
        if base is not None and (not isinstance(base, str) or git.get(base, GitTree) is None):
            return self._fail(call, 422, "base_tree is not a valid tree oid")  # text assumed
        # With no base_tree the tree holds only the entries given (github-rest.md §4.7).
        leaves = git.leaves(base) if base else {}
        for entry in entries:
            problem = _apply_tree_entry(git, leaves, entry)
            if problem is not None:
                return self._fail(call, 422, problem)
        return _json(self.git_tree_json(call.repo, git.write_tree(leaves), False), 201)

    # contents (github-rest.md §4.10)

    def _get_contents(self, call: _Call, path: str) -> Response:
        repo, git = call.repo, call.repo.git
        if repo.empty:
            return self._fail(call, 404, "This repository is empty.")
        ref = call.request.args.get("ref") or repo.default_branch
        commit = self._resolve_commit(repo, ref)
        if commit is None:
            return self._fail(call, 404, f"No commit found for the ref {ref}")
        found = git.lookup(git.tree_of(commit), path) if path else (TREE_MODE, git.tree_of(commit))
        if found is None:
            return self._fail(call, 404, "Not Found")
        mode, sha = found
        if mode == TREE_MODE:
            return _json(self._directory_json(repo, path, sha, ref))
        blob = git.get(sha, GitBlob)
        if blob is None:  # a submodule: not modelled beyond "not a file"
            return self._fail(call, 404, "Not Found")
        if mode == LINK_MODE:  # the target file's content, else the link (github-writeback.md §2)
            target = _link_target(path, blob.data)
            linked = git.lookup(git.tree_of(commit), target) if target else None
            if linked is None or linked[0] not in (FILE_MODE, "100755"):
                if "raw" in call.request.headers.get("Accept", ""):  # [assumed]
                    return Response(blob.data, 200, content_type="application/vnd.github.raw")
                return _json(self.content_symlink_json(repo, path, blob.data, ref))
            path, blob = str(target), git.get(linked[1], GitBlob) or blob
        # the >1 MB fallback (github-rest.md §4.10)
        if "raw" in call.request.headers.get("Accept", ""):
            return Response(blob.data, 200, content_type="application/vnd.github.raw")
        if len(blob.data) > CONTENTS_API_LIMIT:
            error = {"resource": "Blob", "field": "data", "code": "too_large"}
            return self._fail(call, 403, CONTENTS_TOO_LARGE, errors=[error])
        return _json(self.content_file_json(repo, path, blob.data, ref))

    def _directory_json(
        self, repo: FakeRepo, path: str, tree: str, ref: str
    ) -> list[dict[str, Any]]:
        """A directory listing: one short entry per child, files without `content`."""
        listing = []
        for name, mode, sha in repo.git.walk(tree, recursive=False):
            child = f"{path}/{name}" if path else name
            if mode == TREE_MODE:
                listing.append({"type": "dir", "name": name, "path": child, "sha": sha, "size": 0})
                continue
            blob = repo.git.get(sha, GitBlob)
            entry = self.content_file_json(repo, child, blob.data if blob else b"", ref)
            entry.pop("content")
            entry.pop("encoding")
            listing.append(entry)
        return listing

    # comparisons (github-writeback.md §3)

    def _compare(self, call: _Call, base: str, head: str) -> Response:
        repo, git = call.repo, call.repo.git
        base_sha, head_sha = self._resolve_commit(repo, base), self._resolve_commit(repo, head)
        if base_sha is None or head_sha is None:
            return self._fail(call, 404, "Not Found")
        behind_of, ahead_of = git.ancestors(base_sha), git.ancestors(head_sha)
        shared = behind_of & ahead_of
        if not shared:  # [assumed] text
            return self._fail(call, 404, f"No common ancestor between {base} and {head}.")
        newest_first = self._newest_first(git, head_sha)
        merge_base = next(sha for sha in newest_first if sha in shared)
        ahead = [sha for sha in reversed(newest_first) if sha not in behind_of]  # oldest first
        behind = len(behind_of - ahead_of)
        status = "identical" if base_sha == head_sha else "diverged"
        if status == "diverged" and not behind:
            status = "ahead"
        elif status == "diverged" and not ahead:
            status = "behind"
        if "page" in call.request.args or "per_page" in call.request.args:
            size = min(max(_int_arg(call.request, "per_page", 30), 1), 100)
            page = max(_int_arg(call.request, "page", 1), 1)
            listed = ahead[(page - 1) * size : page * size]
        else:
            listed = ahead[-COMPARE_LIMIT:]  # the most recent, the newest last
        url = f"{self.api_url}/repos/{repo.full_name}/compare/{base}...{head}"
        return _json(
            {
                "url": url,
                "html_url": f"{self.server_url}/{repo.full_name}/compare/{base}...{head}",
                "base_commit": self.compare_commit_json(repo, base_sha),
                "merge_base_commit": self.compare_commit_json(repo, merge_base),
                "status": status,
                "ahead_by": len(ahead),
                "behind_by": behind,
                "total_commits": len(ahead),
                "commits": [self.compare_commit_json(repo, sha) for sha in listed],
                "files": [],
            }
        )

    # pull requests (github-rest.md §4.11)

    def _list_pulls(self, call: _Call) -> Response:
        args, repo = call.request.args, call.repo
        state = args.get("state", "open")
        if state not in ("open", "closed", "all"):
            return self._invalid(call, '"state" is open, closed or all.')
        pulls = [p for p in self.pulls_of(repo) if state in ("all", p.state)]
        pulls.reverse()  # sort=created, direction=desc: newest first
        owner, colon, branch = args.get("head", "").partition(":")
        if colon:  # a head without "owner:" is ignored, all PRs come back (github-rest.md §4.11)
            same_owner = owner.lower() == repo.owner.lower()
            pulls = [p for p in pulls if same_owner and p.head == branch]
        if "base" in args:
            pulls = [p for p in pulls if p.base == args["base"]]
        carry = {key: args[key] for key in ("state", "head", "base") if key in args}
        base_url = f"{self.api_url}/repositories/{repo.id}/pulls"
        chunk, link = self._paginate(call.request, pulls, base_url, carry)
        response = _json([self.pull_json(repo, p, full=False) for p in chunk])
        if link:
            response.headers["Link"] = link
        return response

    def _get_pull(self, call: _Call, number: str) -> Response:
        pull = call.repo.pulls.get(int(number))
        if pull is None:
            return self._fail(call, 404, "Not Found")
        return _json(self.pull_json(call.repo, pull))

    def _create_pull(self, call: _Call) -> Response:
        repo, grant = call.repo, call.grant
        # The repository setting binds GITHUB_TOKEN only, and GitHub answers it after the
        # branch was pushed (github-rest.md §2.2). Checked before the body: [unverified] order.
        if grant is not None and grant.kind == "actions" and not repo.actions_may_create_pulls:
            return self._fail(call, 403, ACTIONS_MAY_NOT_CREATE_PULLS)
        body = self._body(call)
        if isinstance(body, Response):
            return body
        head, base, title = body.get("head"), body.get("base"), body.get("title")
        if not isinstance(title, str):
            return self._validation(call, field="title", code="missing_field")
        if not isinstance(base, str) or f"refs/heads/{base}" not in repo.git.refs:
            return self._validation(call, field="base", code="invalid")
        owner, _, branch = head.rpartition(":") if isinstance(head, str) else ("", "", "")
        head_sha = repo.git.refs.get(f"refs/heads/{branch}")
        if owner.lower() not in ("", repo.owner.lower()) or head_sha is None:
            return self._validation(call, field="head", code="invalid")
        problem = self._pull_conflict(repo, branch, base, str(head))
        if problem is not None:
            return self._validation(call, code="custom", message=problem)
        bot = grant is not None and grant.kind == "actions"
        pull = FakePull(
            number=max(repo.pulls, default=0) + 1,
            head=branch,
            base=base,
            title=title,
            body=body.get("body"),
            draft=bool(body.get("draft", False)),
            head_sha=head_sha,
            user=ACTIONS_BOT_LOGIN if bot else repo.owner,
            user_type="Bot" if bot else "User",
            created_at=_now(),
            updated_at=_now(),
        )
        repo.pulls[pull.number] = pull
        return _json(self.pull_json(repo, pull), 201)

    def _pull_conflict(self, repo: FakeRepo, branch: str, base: str, head: str) -> str | None:
        """Why a PR from `branch` into `base` cannot be opened, or None (github-rest.md §4.11)."""
        for pull in repo.pulls.values():
            if pull.state == "open" and (pull.head, pull.base) == (branch, base):
                # Named "owner:branch" even when the request said only "branch".
                return f"A pull request already exists for {repo.owner}:{branch}."
        git = repo.git
        if git.is_ancestor(git.refs[f"refs/heads/{branch}"], git.refs[f"refs/heads/{base}"]):
            return f"No commits between {base} and {head}"
        return None

    def _update_pull(self, call: _Call, number: str) -> Response:
        repo = call.repo
        pull = repo.pulls.get(int(number))
        if pull is None:
            return self._fail(call, 404, "Not Found")
        body = self._body(call)
        if isinstance(body, Response):
            return body
        problem = self._pull_update_problem(repo, pull, body)
        if problem is not None:
            return self._validation(call, **problem)
        for key in ("title", "body", "state", "base"):
            if key in body:
                setattr(pull, key, body[key])
        pull.head_sha = repo.git.refs.get(f"refs/heads/{pull.head}", pull.head_sha)
        pull.updated_at = _now()
        return _json(self.pull_json(repo, pull))

    def _pull_update_problem(
        self, repo: FakeRepo, pull: FakePull, body: dict[str, Any]
    ) -> dict[str, str] | None:
        """The `errors[0]` of a PATCH that GitHub would refuse, or None. There is no
        `head` or `draft` to change (github-rest.md §4.11)."""
        for key in ("title", "body"):
            if key in body and not isinstance(body[key], str | None):
                return {"field": key, "code": "invalid"}
        state, base = body.get("state", pull.state), body.get("base", pull.base)
        if state not in ("open", "closed"):
            return {"field": "state", "code": "invalid"}
        if not isinstance(base, str) or f"refs/heads/{base}" not in repo.git.refs:
            return {"field": "base", "code": "invalid"}
        if state == "open" and pull.merged:  # [assumed] text
            return {"code": "custom", "message": "Cannot reopen a merged pull request"}
        if state == "open" and pull.state == "closed":
            problem = self._pull_conflict(repo, pull.head, base, pull.head)
            if problem is not None and problem.startswith("A pull request"):
                return {"code": "custom", "message": problem}
        return None

    # the default branch and `FakeRepo.files`

    def _sync(self, repo: FakeRepo) -> None:
        """Make the default branch and `repo.files` agree.

        A test that edits `repo.files` (or calls `set_license`) has, in effect, pushed
        to the default branch: the edit becomes a commit on top of it.
        """
        git = repo.git
        if repo.empty:
            git.refs.clear()
            git.synced, git.synced_branch = None, None
            return
        name = f"refs/heads/{repo.default_branch}"
        head = git.refs.get(name)
        if head is not None and git.synced_branch != repo.default_branch:
            self._files_follow(repo)  # the default branch was switched to another branch
            return
        if head is not None and repo.files == git.synced:
            return
        leaves = git.leaves(git.tree_of(head)) if head else {}
        before = git.synced or {}
        for path in set(before) - set(repo.files):
            _delete_under(leaves, path)
        for path, data in repo.files.items():
            if before.get(path) != data or path not in leaves:
                mode = leaves.get(path, (FILE_MODE, ""))[0]  # keeps an executable bit
                _put_under(leaves, path, {path: (mode, git.put(GitBlob(data)))})
        message = "Initial commit\n" if head is None else "Update files\n"
        parents = () if head is None else (head,)
        sha = git.commit_files(leaves, parents, message, _outside_person(repo))
        self._move_ref(repo, name, sha)

    def _move_ref(self, repo: FakeRepo, ref: str, sha: str | None) -> None:
        """Point `ref` at `sha` (None deletes it), and let what follows it follow."""
        git = repo.git
        if sha is None:
            git.refs.pop(ref, None)
        else:
            git.refs[ref] = sha
        for pull in repo.pulls.values():
            if pull.state == "open" and ref == f"refs/heads/{pull.head}":
                if sha is None:  # GitHub closes a PR whose head branch is deleted
                    pull.state, pull.updated_at = "closed", _now()
                else:
                    pull.head_sha = sha
        if ref == f"refs/heads/{repo.default_branch}" and sha is not None:
            self._files_follow(repo)

    def _files_follow(self, repo: FakeRepo) -> None:
        """`repo.files` (what archives are made of) becomes the default branch's tree.
        Updated in place: tests may hold the dict."""
        git = repo.git
        files = git.files(git.tree_of(self._head(repo)))
        repo.files.clear()
        repo.files.update(files)
        git.synced, git.synced_branch = dict(files), repo.default_branch

    @staticmethod
    def _head(repo: FakeRepo) -> str:
        return repo.git.refs[f"refs/heads/{repo.default_branch}"]

    @staticmethod
    def _resolve_commit(repo: FakeRepo, ref: str) -> str | None:
        """A commit sha, branch, tag, "heads/x" or "refs/..." name -> a commit sha."""
        git = repo.git
        if git.get(ref, GitCommit) is not None:
            return ref
        for name in (ref, f"refs/{ref}", f"refs/heads/{ref}", f"refs/tags/{ref}"):
            sha = git.refs.get(name) if name.startswith("refs/") else None
            if sha is not None and git.get(sha, GitCommit) is not None:
                return sha
        return None

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
        if self._broken_downloads:
            return self._broken_download(request, data, content_type, headers)
        return Response(data, 200, headers=headers, content_type=content_type)

    def _asset_bytes(self, request: Request, asset: FakeAsset) -> Response:
        data = asset.content if asset.served is None else asset.served
        content_type = asset.served_type or "application/octet-stream"
        if self._broken_downloads:
            return self._broken_download(request, data, content_type, {})
        response = Response(data, 200, content_type=content_type)
        response.headers["Content-Length"] = str(len(data))
        return response

    def _broken_download(
        self, request: Request, data: bytes, content_type: str, headers: dict[str, str]
    ) -> Response:
        self._broken_downloads -= 1
        body = _broken_stream(request, data)
        response = Response(
            body, 200, headers=headers, content_type=content_type, direct_passthrough=True
        )
        response.headers["Content-Length"] = str(len(data))
        return response


class _Route(NamedTuple):
    method: str
    pattern: str  # matched against the path after /repos/{o}/{r}/
    needs: str  # the least token scope it takes, as X-Accepted-GitHub-Permissions says it
    handler: Callable[..., Response]


@dataclass(frozen=True)
class _Call:
    """One request to a git, contents or pulls endpoint."""

    request: Request
    repo: FakeRepo
    grant: FakeToken | None  # None: anonymous
    docs: str


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization")
    return header.partition(" ")[2].strip() if header else None


def _now() -> str:
    return time.strftime(ISO_FORMAT, time.gmtime())


def _outside_person(repo: FakeRepo) -> GitPerson:
    """Who made the commits that did not come through the API (the repository's
    owner, at a fixed date so their shas do not change between runs)."""
    return GitPerson(repo.owner, f"{repo.owner}@users.noreply.github.com", OUTSIDE_TIME)


def _parse_date(text: str) -> tuple[int, int] | None:
    """ISO 8601 -> (unix seconds, offset in minutes); no zone means UTC."""
    try:  # Python 3.10's fromisoformat does not take "Z"
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    offset = moment.utcoffset() or timedelta(0)
    return int(moment.timestamp()), int(offset.total_seconds()) // 60


def _person(value: Any, default: GitPerson) -> GitPerson | None:
    """The `author` or `committer` of POST /git/commits (github-rest.md §4.9); None if malformed."""
    if value is None:
        return default
    if not isinstance(value, dict):
        return None
    name, email, date = value.get("name"), value.get("email"), value.get("date")
    if not isinstance(name, str) or not isinstance(email, str):
        return None
    if date is None:
        return GitPerson(name, email, int(time.time()))
    when = _parse_date(date) if isinstance(date, str) else None
    return GitPerson(name, email, *when) if when else None


def _valid_ref(ref: str) -> bool:
    """Whether git would take `ref`, which must start "refs/" and have two slashes
    (github-rest.md §4.2)."""
    if not ref.startswith("refs/") or ref.count("/") < 2:
        return False
    if ref.endswith(("/", ".", ".lock")) or "//" in ref or ".." in ref or "@{" in ref:
        return False
    return not any(c in " ~^:?*[\\" or ord(c) < 32 for c in ref)


def _link_target(link: str, target: bytes) -> str | None:
    """The repository path a link at `link` leads to, or None when it leads out of the
    repository (an absolute target, or too many `..`): git resolves it from the link's
    folder."""
    text = target.decode("utf-8", "replace")
    if text.startswith("/"):
        return None
    parts: list[str] = link.split("/")[:-1]
    for part in text.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) or None


def _valid_path(path: str) -> bool:
    return all(part not in ("", ".", "..", ".git") for part in path.split("/"))


def _delete_under(leaves: dict[str, Leaf], path: str) -> bool:
    """Remove the file at `path`, or the directory and all below it. False if neither."""
    doomed = [p for p in leaves if p == path or p.startswith(f"{path}/")]
    for p in doomed:
        del leaves[p]
    return bool(doomed)


def _put_under(leaves: dict[str, Leaf], path: str, new: Mapping[str, Leaf]) -> None:
    """Put `new` where `path` was; a file standing where a directory goes is dropped."""
    _delete_under(leaves, path)
    parts = path.split("/")
    for depth in range(1, len(parts)):
        leaves.pop("/".join(parts[:depth]), None)
    leaves.update(new)


def _apply_tree_entry(git: GitStore, leaves: dict[str, Leaf], entry: Any) -> str | None:
    """Apply one `tree[]` item of POST /git/trees to `leaves` (path -> (mode, sha)).
    Returns the 422 message if GitHub would refuse it (github-rest.md §4.7); texts not quoted in the
    reference are assumed."""
    if not isinstance(entry, dict):
        return "Invalid request.\n\nFor 'tree', each item is an object."
    path, mode, kind = entry.get("path"), entry.get("mode"), entry.get("type")
    if not isinstance(path, str) or not _valid_path(path):
        return "tree.path contains a malformed path component"
    expected = "tree" if mode == API_TREE_MODE else LEAF_TYPES.get(str(mode))
    if not isinstance(mode, str) or kind != expected:
        return f"tree.mode {mode!r} does not match tree.type {kind!r}"
    if ("sha" in entry) == ("content" in entry):  # neither, or both (even "sha": null)
        return MUST_SUPPLY_SHA_OR_CONTENT
    if "content" in entry:
        if kind != "blob" or not isinstance(entry["content"], str):
            return "tree.content is a string, for a blob"
        _put_under(leaves, path, {path: (mode, git.put(GitBlob(entry["content"].encode())))})
        return None
    sha = entry["sha"]
    # `"sha": null` deletes; deleting what is not there is an error (github-rest.md §4.7)
    if sha is None:
        return None if _delete_under(leaves, path) else f"tree.path {path} does not exist"
    if kind == "tree" and isinstance(sha, str) and git.get(sha, GitTree):
        _put_under(leaves, path, {f"{path}/{p}": leaf for p, leaf in git.leaves(sha).items()})
    elif kind == "blob" and isinstance(sha, str) and git.get(sha, GitBlob):
        _put_under(leaves, path, {path: (mode, sha)})
    elif kind == "commit" and isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha):
        _put_under(leaves, path, {path: (mode, sha)})  # a submodule: another repo's commit
    else:
        return f"tree.sha {sha} is not a valid {kind}"
    return None


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
