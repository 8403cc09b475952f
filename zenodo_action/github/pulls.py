"""Proposing edits to a repository's files as one pull request, through the REST API only.

The git database API (github-rest.md §4) makes one commit for all files on a branch of
its own, so nothing depends on the checkout: it works with `persist-credentials: false`
and never pushes to the default branch. The sequence is the re-run-safe one of §4.12:

    default branch -> its head commit and tree -> each file's text there -> edit (the
    caller's pure function) -> one tree; the same tree as the base means nothing to do
    -> one commit (reused when the branch already holds exactly it) -> create or
    force-move the branch -> update the open pull request of that branch, or open one.

A second run for the same version therefore moves the same branch and updates the same
pull request instead of opening another. What this module knows is GitHub's; what the
edits are (a DOI, a badge) is the caller's.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from zenodo_action.github.releases import GitHubClient, GitHubError
from zenodo_action.http import HttpError, server_message

log = logging.getLogger(__name__)

TEXT_FILE_MODE = "100644"
ALREADY_EXISTS = "A pull request already exists"  # §4.11, in errors[0].message
ACTIONS_MAY_NOT_CREATE = "not permitted to create or approve pull requests"  # §2.2

PullStatus = Literal["opened", "updated", "nothing-to-change", "declined"]


@dataclass(frozen=True)
class Proposal:
    """The branch, commit message and pull request text of one change."""

    branch: str
    title: str
    body: str
    message: str  # of the commit


@dataclass(frozen=True)
class PullOutcome:
    """`declined`: a pull request of this branch was closed without merging; a maintainer
    said no, so it is not proposed again."""

    status: PullStatus
    url: str | None = None  # the pull request's page
    changed: tuple[str, ...] = ()  # the paths the commit changes
    absent: tuple[str, ...] = ()  # paths the default branch does not have
    superseded: tuple[str, ...] = ()  # older proposals closed in favour of this one


class NotAllowed(GitHubError):
    """The token may not do a step: `needs` names the permission or setting to change;
    `pushed` is the branch already holding the commit when the pull request was refused."""

    def __init__(
        self, message: str, *, needs: str, status: int | None, pushed: str | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.needs = needs
        self.pushed = pushed
        self.base: str | None = None


@dataclass
class _Base:
    branch: str
    sha: str  # the default branch's head commit
    tree: str  # its tree
    texts: dict[str, str] = field(default_factory=dict)


Edit = Callable[[str, str], str]  # (path, text) -> new text


def propose(
    client: GitHubClient,
    paths: Sequence[str],
    edit: Edit,
    proposal: Proposal,
    *,
    default_branch: str | None = None,
    supersede: str | None = None,
) -> PullOutcome:
    """Edit `paths` as found on the default branch and propose the result as one pull
    request; open pull requests of other branches starting with `supersede` are closed
    in its favour. NotAllowed when a permission or setting stops a step."""
    base = _read_base(client, paths, default_branch)
    entries = _changed_entries(base, edit)
    absent = tuple(path for path in paths if path not in base.texts)
    if not entries:
        return PullOutcome("nothing-to-change", absent=absent)
    written = _write(client, "git/trees", {"base_tree": base.tree, "tree": entries})
    tree = _own_sha(written, "the new tree")
    if tree == base.tree:  # the edits only restate what is there (§4.7)
        return PullOutcome("nothing-to-change", absent=absent)
    found = _pull_of(client, base.branch, proposal.branch, "open")
    if found is None and (declined := _pull_of(client, base.branch, proposal.branch, "closed")):
        return PullOutcome("declined", declined.get("html_url"), absent=absent)
    _move_branch(client, base, tree, proposal)
    try:
        status, url = _open_or_update(client, base, proposal, found)
    except NotAllowed as error:
        error.pushed, error.base = proposal.branch, base.branch
        raise
    closed = _close_superseded(client, base.branch, proposal.branch, supersede, url)
    changed = tuple(entry["path"] for entry in entries)
    return PullOutcome(status, url, changed, absent, closed)


def _read_base(client: GitHubClient, paths: Sequence[str], default_branch: str | None) -> _Base:
    branch = default_branch or _default_branch(client)
    sha = _ref_sha(client, branch)
    if sha is None:
        raise GitHubError(f"the default branch {branch!r} of {client.repository} does not exist")
    commit, _ = client.get_json(client.repo_path(f"git/commits/{sha}"), "read the base commit")
    base = _Base(branch, sha, _sha(commit, "tree", "the base commit"))
    for path in paths:
        text = _file_text(client, path, sha)
        if text is not None:
            base.texts[path] = text
    return base


def _default_branch(client: GitHubClient) -> str:
    data, _ = client.get_json(f"repos/{client.repository}", "read the repository")
    branch = data.get("default_branch") if isinstance(data, dict) else None
    if not isinstance(branch, str) or not branch:
        raise GitHubError(f"GitHub did not say which branch of {client.repository} is the default")
    return branch


def _ref_sha(client: GitHubClient, branch: str) -> str | None:
    """The commit a branch points at; None when there is no such branch (404)."""
    path = client.repo_path(f"git/ref/heads/{quote(branch, safe='/')}")
    try:
        data, _ = client.get_json(path, f"read branch {branch}")
    except GitHubError as error:
        if error.status == 404:
            return None
        if error.status == 409:  # §4.1: "Git Repository is empty."
            raise GitHubError(f"{client.repository} is empty: there is nothing to edit") from None
        raise
    return _sha(data, "object", f"branch {branch}")


def _file_text(client: GitHubClient, path: str, ref: str) -> str | None:
    """A file's text at `ref`; None when absent. Content is base64 in 60-column lines."""
    try:
        data, _ = client.get_json(
            client.repo_path(f"contents/{quote(path)}"), f"read {path}", params={"ref": ref}
        )
    except GitHubError as error:
        if error.status == 404:
            return None
        raise
    if not isinstance(data, dict) or data.get("type") != "file":
        return None  # a folder, symlink or submodule of that name: not ours to edit
    try:
        return base64.b64decode(str(data.get("content", ""))).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise GitHubError(f"{path} on the default branch is not UTF-8 text") from None


def _changed_entries(base: _Base, edit: Edit) -> list[dict[str, str]]:
    entries = []
    for path, text in base.texts.items():
        new = edit(path, text)
        if new != text:
            entries.append({"path": path, "mode": TEXT_FILE_MODE, "type": "blob", "content": new})
    return entries


def _move_branch(client: GitHubClient, base: _Base, tree: str, proposal: Proposal) -> None:
    """Point the proposal's branch at a commit of `tree` on top of the base; a branch that
    already holds exactly that commit is left alone, so a re-run makes no new commit."""
    head = _ref_sha(client, proposal.branch)
    if head is not None and _is_commit_of(client, head, tree, base.sha):
        return
    body = {"message": proposal.message, "tree": tree, "parents": [base.sha]}
    commit = _own_sha(_write(client, "git/commits", body), "the new commit")
    if head is None:
        ref = {"ref": f"refs/heads/{proposal.branch}", "sha": commit}
        try:
            _write(client, "git/refs", ref)
            return
        except GitHubError as error:
            if error.status != 422:  # 422 "Reference already exists": another run won
                raise
    path = f"git/refs/heads/{quote(proposal.branch, safe='/')}"
    # Forced: each run rebuilds the branch on the current base, not on its old tip (§4.3).
    _write(client, path, {"sha": commit, "force": True}, method="PATCH")


def _is_commit_of(client: GitHubClient, sha: str, tree: str, parent: str) -> bool:
    commit, _ = client.get_json(client.repo_path(f"git/commits/{sha}"), "read the branch")
    listed = commit.get("parents") if isinstance(commit, dict) else None
    parents = [p.get("sha") for p in listed or [] if isinstance(p, dict)]
    return _sha(commit, "tree", "the branch's commit") == tree and parents == [parent]


def _open_or_update(
    client: GitHubClient, base: _Base, proposal: Proposal, found: dict[str, Any] | None
) -> tuple[PullStatus, str | None]:
    """Update the branch's open pull request, or open one (§4.11, §4.12 step 8)."""
    text = {"title": proposal.title, "body": proposal.body}
    if found is None:
        create = {**text, "head": proposal.branch, "base": base.branch}
        try:
            pull = _write(client, "pulls", create)
            return "opened", pull.get("html_url")
        except GitHubError as error:
            # Opened meanwhile by a concurrent run, or by a retried request of this one.
            if ALREADY_EXISTS not in str(error):
                raise
        found = _pull_of(client, base.branch, proposal.branch, "open")
        if found is None:
            raise GitHubError("GitHub said the pull request exists, but does not list it")
    pull = _write(client, f"pulls/{found['number']}", text, method="PATCH")
    return "updated", pull.get("html_url") or found.get("html_url")


def _pull_of(client: GitHubClient, base: str, branch: str, state: str) -> dict[str, Any] | None:
    """The open (or closed and never merged) pull request from `branch` into `base`.
    `head` must carry the owner, or GitHub ignores it and lists every pull request
    (§4.11), so each one is checked."""
    owner = client.repository.split("/")[0]
    data, _ = client.get_json(
        client.repo_path("pulls"),
        f"list the {state} pull requests",
        params={"head": f"{owner}:{branch}", "base": base, "state": state, "per_page": 100},
    )
    for pull in data if isinstance(data, list) else []:
        if _head_ref(pull, client.repository) == branch and _is_number(pull):
            if pull.get("merged_at"):
                continue
            return dict(pull)
    return None


def _close_superseded(
    client: GitHubClient, base: str, branch: str, prefix: str | None, url: str | None
) -> tuple[str, ...]:
    """Close the open pull requests of older proposals (other branches with `prefix`):
    they edit the same lines, so only the newest can be merged cleanly."""
    if not prefix:
        return ()
    closed = []
    what = "list the open pull requests"
    for page in client.pages(client.repo_path(f"pulls?state=open&base={quote(base)}"), what):
        for pull in page:
            ref = _head_ref(pull, client.repository)
            if ref and ref.startswith(prefix) and ref != branch and _is_number(pull):
                note = f"\n\nSuperseded by {url or branch}: closed by zenodo-action."
                change = {"state": "closed", "body": f"{pull.get('body') or ''}{note}"}
                _write(client, f"pulls/{pull['number']}", change, method="PATCH")
                closed.append(str(pull.get("html_url") or pull["number"]))
    return tuple(closed)


def _head_ref(pull: Any, repository: str) -> str | None:
    """The branch of a pull request from this repository; None for a fork's."""
    head = pull.get("head") if isinstance(pull, dict) else None
    ref = head.get("ref") if isinstance(head, dict) else None
    repo = head.get("repo") if isinstance(head, dict) else None
    name = repo.get("full_name") if isinstance(repo, dict) else None
    if not isinstance(name, str) or name.lower() != repository.lower():
        return None
    return ref if isinstance(ref, str) else None


def _is_number(pull: dict[str, Any]) -> bool:
    return isinstance(pull.get("number"), int) and not isinstance(pull.get("number"), bool)


def _write(
    client: GitHubClient, path: str, body: dict[str, Any], *, method: str = "POST"
) -> dict[str, Any]:
    """One write, retried like a read: git objects are content-addressed, and a branch or
    pull request created by a lost first attempt makes the retry answer 422 "already
    exists", which the callers handle."""
    try:
        response = client.api.send(
            method, client.repo_path(path), idempotent=True, expected=(200, 201), json=body
        )
    except HttpError as error:
        raise _refused(client, error, path) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise GitHubError(f"GitHub answered {method} {path} with no JSON object")
    return answer


def _own_sha(data: dict[str, Any], what: str) -> str:
    value = data.get("sha")
    if not isinstance(value, str) or not value:
        raise GitHubError(f"GitHub answered with no sha for {what}")
    return value


def _sha(data: Any, key: str, what: str) -> str:
    """`data[key]["sha"]` of a git object or ref, or a clear error naming `what`."""
    inner = data.get(key) if isinstance(data, dict) else None
    value = inner.get("sha") if isinstance(inner, dict) else None
    if not isinstance(value, str) or not value:
        raise GitHubError(f"GitHub answered with no {key} for {what}")
    return value


def _said(body: Any) -> str:
    """The message of an error body and of each of its `errors` (§1.2: pull-request errors
    say what went wrong in errors[0].message, git-ref errors at the top)."""
    parts = [server_message(body)]
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        parts += [server_message(e) for e in body["errors"] if isinstance(e, dict)]
    return "; ".join(part for part in parts if part)


def _refused(client: GitHubClient, error: HttpError, path: str) -> GitHubError:
    """A write GitHub refused: a missing permission or setting gets its name (§1.2, §2.2);
    404 after reads that worked means the same for a token that may only read."""
    said = _said(error.body)
    pulls = path.startswith("pulls")
    if error.status == 403 and ACTIONS_MAY_NOT_CREATE in said:
        return NotAllowed(
            f"GitHub Actions may not create pull requests in {client.repository} ({said})",
            needs="the repository setting Settings → Actions → General → Workflow permissions → "
            '"Allow GitHub Actions to create and approve pull requests" (or a github-token '
            "that is a personal access token or an app token)",
            status=403,
        )
    if error.status in (403, 404) and "rate limit" not in said.lower():
        permission = "pull-requests: write" if pulls else "contents: write"
        return NotAllowed(
            f"the github-token may not {'open pull requests' if pulls else 'write commits'} "
            f"in {client.repository} (GitHub answered {error.status}: {said})",
            needs=f"`permissions: {permission}` for the job",
            status=error.status,
        )
    return GitHubError(
        f"could not {error.method} {path} in {client.repository}: GitHub answered "
        f"{error.status or 'nothing'}" + (f": {said}" if said else ""),
        status=error.status,
    )
