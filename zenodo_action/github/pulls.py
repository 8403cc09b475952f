"""Proposing edits to a repository's files as one pull request, through the REST API only.

The git database API (github-rest.md §4) makes one commit for all files on a branch of
its own, so nothing depends on the checkout: it works with `persist-credentials: false`
and never pushes to the default branch. The sequence
(docs/reference/github-writeback.md §1-4, re-run-safe as github-rest.md §4.12):

    default branch -> its head commit and tree -> each file found by walking the trees,
    links followed to their target inside the repository (github-writeback.md §2) -> its blob (any
    size up to GitHub's 100 MB) -> the caller plans the new texts -> one tree, each file at its
    own path and mode, so a link stays a link; the same tree as the base means nothing
    to do -> one commit (reused when the branch already holds exactly it) -> create the
    branch, or move it when every commit on it beyond the default branch is this
    tool's own (github-writeback.md §3) -> update the open pull request of that branch, or open one.

A second run for the same version therefore moves the same branch and updates the same
pull request instead of opening another; a branch with anybody else's commit on it is
left alone. What this module knows is GitHub's; what the edits are (a DOI, a badge) and
which release is newer is the caller's.
"""

from __future__ import annotations

import base64
import binascii
import logging
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from zenodo_action.github.client import GitHubClient, GitHubError
from zenodo_action.http import HttpError, server_message

log = logging.getLogger(__name__)

FILE_MODES = ("100644", "100755")  # a file, an executable file (github-writeback.md §2)
LINK_MODE = "120000"
TREE_MODE = "040000"
MOST_LINKS = 40  # links followed for one path, as Linux's MAXSYMLINKS: a loop ends here
ALREADY_EXISTS = "A pull request already exists"  # github-rest.md §4.11, in errors[0].message
ACTIONS_MAY_NOT_CREATE = "not permitted to create or approve pull requests"  # github-rest.md §2.2
# The last paragraph of each commit this tool makes names the tree the commit holds
# (github-writeback.md §3): a commit with it, one parent and exactly that tree is ours.
OWN_COMMIT_TRAILER = "Zenodo-Action-Tree"
# In the body of a pull request this tool closed for a newer one: not a maintainer's no.
SUPERSEDED_MARK = "<!-- zenodo-action: superseded -->"

PullStatus = Literal["opened", "updated", "nothing-to-change", "declined", "left-alone"]


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
    said no, so it is not proposed again. `left-alone`: the branch holds commits this tool
    did not make (`foreign`), so neither it nor its pull request was touched."""

    status: PullStatus
    url: str | None = None  # the pull request's page
    changed: tuple[str, ...] = ()  # the paths the commit changes
    superseded: tuple[str, ...] = ()  # older proposals closed in favour of this one
    foreign: tuple[str, ...] = ()  # `left-alone`: the commits that are not ours


@dataclass(frozen=True)
class OpenPull:
    """An open pull request of this repository, from one of its own branches."""

    number: int
    branch: str
    body: str
    url: str


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


@dataclass(frozen=True)
class BaseFile:
    """A file as the default branch holds it. `real_path` is where its text is: the path
    asked for, or the file a link there leads to (inside the repository)."""

    path: str
    real_path: str
    mode: str
    text: str


@dataclass
class Base:
    """The default branch's head, and the files asked for as they are there."""

    branch: str
    sha: str  # the default branch's head commit
    tree: str  # its tree
    files: dict[str, BaseFile] = field(default_factory=dict)  # by the path asked for
    absent: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # path -> why it is skipped


def read_base(client: GitHubClient, paths: Sequence[str], default_branch: str | None) -> Base:
    """The default branch's head and each of `paths` there: absent ones listed, and one
    that cannot be read (a link out of the repository, not UTF-8) set aside with why."""
    branch = default_branch or _default_branch(client)
    sha = _ref_sha(client, branch)
    if sha is None:
        raise GitHubError(f"the default branch {branch!r} of {client.repository} does not exist")
    commit, _ = client.get_json(client.repo_path(f"git/commits/{sha}"), "read the base commit")
    base = Base(branch, sha, _sha(commit, "tree", "the base commit"))
    trees = _Trees(client, base.tree)
    for path in paths:
        try:
            found = trees.resolve(path)
            if found is None:
                base.absent.append(path)
                continue
            real_path, mode, blob = found
            base.files[path] = BaseFile(path, real_path, mode, trees.text(blob, real_path))
        except _Unreadable as why:
            base.unreadable[path] = str(why)
        except GitHubError as error:  # this file only: the others may still be proposed
            base.unreadable[path] = error.message
    return base


class _Unreadable(Exception):
    """A file that is there but cannot be edited: the message says why."""


class _Trees:
    """The default branch's trees, read one directory at a time, each once
    (github-writeback.md §1-2)."""

    def __init__(self, client: GitHubClient, root: str) -> None:
        self.client, self.root = client, root
        self.listed: dict[str, dict[str, tuple[str, str]]] = {}

    def entries(self, tree: str) -> dict[str, tuple[str, str]]:
        """name -> (mode, sha) of one tree's entries."""
        if tree not in self.listed:
            data, _ = self.client.get_json(
                self.client.repo_path(f"git/trees/{tree}"), "read a tree of the default branch"
            )
            listed = data.get("tree") if isinstance(data, dict) else None
            if not isinstance(listed, list):
                raise GitHubError("GitHub answered a tree read with no tree")
            self.listed[tree] = {
                str(entry.get("path")): (str(entry.get("mode")), str(entry.get("sha")))
                for entry in listed
                if isinstance(entry, dict)
            }
        return self.listed[tree]

    def blob(self, sha: str, path: str) -> bytes:
        """A blob's bytes, base64 in the JSON answer, up to 100 MB (github-writeback.md §1)."""
        data, _ = self.client.get_json(self.client.repo_path(f"git/blobs/{sha}"), f"read {path}")
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, str) or data.get("encoding") != "base64":
            raise GitHubError(f"GitHub answered the read of {path} with no base64 content")
        try:
            return base64.b64decode(content)
        except binascii.Error:
            raise GitHubError(f"GitHub answered the read of {path} with broken base64") from None

    def text(self, sha: str, path: str) -> str:
        try:
            return self.blob(sha, path).decode("utf-8")
        except UnicodeDecodeError:
            raise _Unreadable(f"{path} on the default branch is not UTF-8 text") from None

    def resolve(self, path: str) -> tuple[str, str, str] | None:
        """(path, mode, blob sha) of the file `path` names, each link on the way followed
        as git would, from the directory holding it (github-writeback.md §2); None when there is no
        such file. _Unreadable, saying which, for a link that leaves the repository, a loop of
        links (more than 40), a folder where the file should be (a link to a folder), a
        link ending in `/` that names a file, or a submodule."""
        todo = _parts(path)
        folders: list[tuple[str, str]] = []  # (name, tree) from the root down
        links = 0
        while todo:
            name = todo.pop(0)
            if name in (_FOLDER, ".."):
                _step_back(path, name, todo, folders)
                continue
            entry = self.entries(folders[-1][1] if folders else self.root).get(name)
            if entry is None:
                return None
            mode, sha = entry
            if mode == LINK_MODE:
                links += 1
                todo[:0] = self._target(path, sha, links)
            elif mode == TREE_MODE and todo:
                folders.append((name, sha))
            else:
                return _file_at(path, [f for f, _ in folders], name, (mode, sha), todo)
        return None

    def _target(self, path: str, sha: str, links: int) -> list[str]:
        """The parts of the target of the `links`-th link met on the way to `path`."""
        target = self.blob(sha, path).decode("utf-8", "replace")
        if target.startswith("/"):
            raise _Unreadable(f"{path} is a link that leads out of the repository")
        if links > MOST_LINKS:
            raise _Unreadable(f"{path} is a loop of links (or more than {MOST_LINKS} in a row)")
        return _parts(target)


def _step_back(path: str, name: str, todo: list[str], folders: list[tuple[str, str]]) -> None:
    """`..` goes up a folder (never above the root); _FOLDER says what came before it
    is a folder, which must not be the last part."""
    if name == _FOLDER:
        if not todo:
            raise _Unreadable(f"{path} on the default branch is a folder, not a file")
        return
    if not folders:
        raise _Unreadable(f"{path} is a link that leads out of the repository")
    folders.pop()


def _file_at(
    path: str, folders: list[str], name: str, entry: tuple[str, str], todo: list[str]
) -> tuple[str, str, str] | None:
    """What the entry met where no folder goes on is: the file, no file (None), or a
    reason it cannot be one."""
    mode, sha = entry
    if mode in FILE_MODES and not todo:
        return posixpath.join(*folders, name), mode, sha
    if mode == TREE_MODE:
        raise _Unreadable(f"{path} on the default branch is a folder, not a file")
    if mode in FILE_MODES and todo[0] == _FOLDER:
        raise _Unreadable(f"{path} is a link ending in `/`, to a file, not a folder")
    if mode in FILE_MODES:
        return None  # a file where a folder should be: no such path
    raise _Unreadable(f"{path} on the default branch is not a file (mode {mode})")


_FOLDER = "/"  # in _Trees.resolve: the path part before it must be a folder


def _parts(path: str) -> list[str]:
    """The parts of a slash-separated path, `.` and empty ones left out; a path ending in
    `/` names a folder (as POSIX paths do), which _FOLDER at the end says."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    return [*parts, _FOLDER] if path.endswith(("/", "/.")) and parts else parts


def propose(
    client: GitHubClient,
    base: Base,
    changes: dict[str, str],
    proposal: Proposal,
    *,
    supersede: Sequence[OpenPull] = (),
) -> PullOutcome:
    """Propose `changes` (real path -> new text, for files of `base`) as one pull request;
    the open pull requests in `supersede` are closed in its favour once it is open.
    NotAllowed when a permission or setting stops a step."""
    modes = {file.real_path: file.mode for file in base.files.values()}
    entries = [
        {"path": path, "mode": modes[path], "type": "blob", "content": text}
        for path, text in changes.items()
    ]
    if not entries:
        return PullOutcome("nothing-to-change")
    written = _write(client, "git/trees", {"base_tree": base.tree, "tree": entries})
    tree = _own_sha(written, "the new tree")
    if tree == base.tree:  # the edits only restate what is there (github-rest.md §4.7)
        return PullOutcome("nothing-to-change")
    found = _pull_of(client, base.branch, proposal.branch, "open")
    if found is None and (declined := _declined(client, base.branch, proposal.branch)):
        return PullOutcome("declined", declined.get("html_url"))
    foreign = _move_branch(client, base, tree, proposal)
    if foreign:
        url = found.get("html_url") if found else None
        return PullOutcome("left-alone", url, foreign=foreign)
    try:
        status, url = _open_or_update(client, base, proposal, found)
    except NotAllowed as error:
        error.pushed, error.base = proposal.branch, base.branch
        raise
    closed = _close_superseded(client, supersede, url or proposal.branch)
    return PullOutcome(status, url, tuple(changes), closed)


def open_proposals(client: GitHubClient, base: str, prefix: str) -> list[OpenPull]:
    """The open pull requests into `base` from this repository's branches named `prefix`*."""
    found = []
    what = "list the open pull requests"
    for page in client.pages(client.repo_path(f"pulls?state=open&base={quote(base)}"), what):
        for pull in page:
            ref = _head_ref(pull, client.repository)
            if ref and ref.startswith(prefix) and _is_number(pull):
                url = str(pull.get("html_url") or pull["number"])
                found.append(OpenPull(pull["number"], ref, str(pull.get("body") or ""), url))
    return found


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
        if error.status == 409:  # github-rest.md §4.1: "Git Repository is empty."
            raise GitHubError(f"{client.repository} is empty: there is nothing to edit") from None
        raise
    return _sha(data, "object", f"branch {branch}")


def _move_branch(
    client: GitHubClient, base: Base, tree: str, proposal: Proposal
) -> tuple[str, ...]:
    """Point the proposal's branch at a commit of `tree` on top of the base. A branch that
    already holds exactly that commit is left as it is, so a re-run makes no new commit;
    one holding a commit that is not ours is not moved at all: those commits are returned.
    Between reading the branch and moving it nothing else is asked, but the REST API has
    no compare-and-swap for a ref: a push in that instant would still be lost
    (github-writeback.md §3)."""
    head = _ref_sha(client, proposal.branch)
    if head is not None and _is_commit_of(client, head, tree, base.sha):
        return ()
    if head is not None and (foreign := _foreign_commits(client, base, head)):
        return foreign
    message = f"{proposal.message.rstrip()}\n\n{OWN_COMMIT_TRAILER}: {tree}\n"
    body = {"message": message, "tree": tree, "parents": [base.sha]}
    commit = _own_sha(_write(client, "git/commits", body), "the new commit")
    if head is None:
        ref = {"ref": f"refs/heads/{proposal.branch}", "sha": commit}
        try:
            _write(client, "git/refs", ref)
            return ()
        except GitHubError as error:
            if error.status != 422:  # 422 "Reference already exists": another run won
                raise
            head = _ref_sha(client, proposal.branch)
            if head is not None and (foreign := _foreign_commits(client, base, head)):
                return foreign
    path = f"git/refs/heads/{quote(proposal.branch, safe='/')}"
    # Forced: the branch is rebuilt on the current base, not on its old tip (github-rest.md §4.3),
    # and only when nothing but our own commits would be dropped.
    _write(client, path, {"sha": commit, "force": True}, method="PATCH")
    return ()


def _foreign_commits(client: GitHubClient, base: Base, head: str) -> tuple[str, ...]:
    """The commits on the branch beyond the default branch that this tool did not make,
    each as `<short sha> by <author>`; () when every one is ours (github-writeback.md §3)."""
    path = client.repo_path(f"compare/{base.sha}...{head}")
    try:
        data, _ = client.get_json(path, "compare the branch with the default branch")
    except GitHubError as error:
        if error.status == 404:  # no history in common: certainly not ours
            return (f"{head[:7]} (no history shared with {base.branch})",)
        raise
    commits = data.get("commits") if isinstance(data, dict) else None
    ahead = data.get("ahead_by") if isinstance(data, dict) else None
    if not isinstance(commits, list) or not isinstance(ahead, int):
        raise GitHubError("GitHub answered the comparison with no commits")
    foreign = tuple(_who(commit) for commit in commits if not _is_own(commit))
    if ahead > len(commits):  # more than one answer lists: far from one commit of ours
        foreign += (f"{ahead - len(commits)} more",)
    return foreign


def _is_own(commit: Any) -> bool:
    """One parent, and a last paragraph naming exactly the tree the commit holds."""
    inner = commit.get("commit") if isinstance(commit, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    tree = inner.get("tree") if isinstance(inner, dict) else None
    parents = commit.get("parents") if isinstance(commit, dict) else None
    if not isinstance(message, str) or not isinstance(tree, dict) or not isinstance(parents, list):
        return False
    trailer = message.rstrip().rpartition("\n\n")[2].splitlines()
    return len(parents) == 1 and f"{OWN_COMMIT_TRAILER}: {tree.get('sha')}" in trailer


def _who(commit: Any) -> str:
    sha = str(commit.get("sha", ""))[:7] if isinstance(commit, dict) else ""
    inner = commit.get("commit") if isinstance(commit, dict) else None
    author = inner.get("author") if isinstance(inner, dict) else None
    name = author.get("name") if isinstance(author, dict) else None
    return f"{sha} by {name}" if isinstance(name, str) and name else sha


def _is_commit_of(client: GitHubClient, sha: str, tree: str, parent: str) -> bool:
    commit, _ = client.get_json(client.repo_path(f"git/commits/{sha}"), "read the branch")
    listed = commit.get("parents") if isinstance(commit, dict) else None
    parents = [p.get("sha") for p in listed or [] if isinstance(p, dict)]
    return _sha(commit, "tree", "the branch's commit") == tree and parents == [parent]


def _open_or_update(
    client: GitHubClient, base: Base, proposal: Proposal, found: dict[str, Any] | None
) -> tuple[PullStatus, str | None]:
    """Update the branch's open pull request, or open one (github-rest.md §4.11, §4.12 step 8)."""
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
    (github-rest.md §4.11), so each one is checked."""
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


def _declined(client: GitHubClient, base: str, branch: str) -> dict[str, Any] | None:
    """The newest pull request of `branch` closed without merging, unless this tool closed
    it for a newer version (SUPERSEDED_MARK): that one was no maintainer's no."""
    closed = _pull_of(client, base, branch, "closed")
    if closed is None or SUPERSEDED_MARK in str(closed.get("body") or ""):
        return None
    return closed


def _close_superseded(client: GitHubClient, pulls: Sequence[OpenPull], by: str) -> tuple[str, ...]:
    """Close older proposals in favour of `by`: they edit the same lines, so only the
    newest can be merged cleanly. The mark says a later run that it was not declined."""
    closed = []
    for pull in pulls:
        note = f"\n\nSuperseded by {by}: closed by zenodo-action.\n{SUPERSEDED_MARK}"
        change = {"state": "closed", "body": f"{pull.body}{note}"}
        _write(client, f"pulls/{pull.number}", change, method="PATCH")
        closed.append(pull.url)
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
    """The message of an error body and of each of its `errors` (github-rest.md §1.2: pull-request
    errors say what went wrong in errors[0].message, git-ref errors at the top)."""
    parts = [server_message(body)]
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        parts += [server_message(e) for e in body["errors"] if isinstance(e, dict)]
    return "; ".join(part for part in parts if part)


def _refused(client: GitHubClient, error: HttpError, path: str) -> GitHubError:
    """A write GitHub refused: a missing permission or setting gets its name
    (github-rest.md §1.2, §2.2); 404 after reads that worked means the same for a token that may
    only read."""
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
