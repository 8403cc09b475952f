"""`source-archive: checkout`: the release's source archive, built from the working tree.

GitHub's archive of a tag leaves submodules out and holds Git LFS pointers where the data
should be. Built from the checkout instead, the archive holds every file of the tag's
tree, submodules included at the commits the tree records, with each file's bytes read
from the working tree, which `actions/checkout` filled with `lfs: true` and
`submodules: recursive`. Nothing else: untracked and ignored files and `.git` are never
looked at, since the tree, not the folder, says what is archived.

Each file's bytes are checked against the tree before anything is packed
(docs/reference/git-lfs-and-archives.md §5): the git blob id of the file equals the
tree's; or the tree holds an LFS pointer and the file's sha256 and size are the ones it
names (its real content); or `.gitattributes` gives the file `eol=crlf` and the file with
LF line ends is the blob. Anything else differs from the tag and stops the run.

The repository is read with dulwich, not the git binary (README "Dependencies"): it
needs no program in the image, and reads a workspace owned by another user, as the
runner mounts it, without git's `safe.directory`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.objects import Commit, Tag
from dulwich.refs import Ref
from dulwich.repo import Repo

from zenodo_action import packing
from zenodo_action.errors import UsageError
from zenodo_action.files import CHUNK, LocalFile, unreadable
from zenodo_action.lfs import PointerCheck, file_pointer, named, parse_pointer

GITLINK = 0o160000
CHECKOUT_HINT = (
    "check the tag out whole: actions/checkout with `submodules: recursive` and `lfs: true` "
    "(and `ref: <tag>` when the run is not the release's own), and change no tracked file "
    "before this step"
)


@dataclass
class _Tree:
    """What walking the tag's tree found: the members, and what stops the archive."""

    members: list[packing.Member] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)  # "path: why"
    pointers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # submodules not checked out, ...


def build(
    root: Path,
    tag: str,
    kind: packing.ArchiveKind,
    target: Path,
    *,
    top: str,
    pointers: PointerCheck,
) -> LocalFile:
    """The archive of the tag's tree as checked out at `root`, written to `target`, its
    members under `top/` (`{top}` may hold `{sha7}`, the tag's commit abbreviated)."""
    try:
        repo = Repo(str(root))
    except (NotGitRepository, OSError):
        raise UsageError(
            f"source-archive: checkout needs a git checkout, and {root} is none",
            hint="run actions/checkout before this step",
        ) from None
    with repo:
        commit = _tag_commit(repo, tag)
        head = repo.head().decode("ascii")
        if head != commit:
            raise UsageError(
                f"source-archive: checkout: the checkout is at commit {head[:12]}, not at "
                f"the commit of tag {tag} ({commit[:12]}); nothing was sent to Zenodo",
                hint=CHECKOUT_HINT,
            )
        found = _Tree()
        prefix = top.format(sha7=commit[:7]) + "/"
        try:
            _walk(repo, root, commit, prefix, "", found)
        except KeyError as error:  # dulwich: an object the clone does not hold
            raise _missing_object(error) from None
        when = _commit(repo, commit).commit_time
    _refuse(found, tag, pointers)
    packing.write(kind, target, found.members, mtime=when, comment=commit)
    return LocalFile.of(target)


def _missing_object(error: KeyError) -> UsageError:
    sha = error.args[0] if error.args else b""
    shown = sha.decode("ascii", "replace") if isinstance(sha, bytes) else str(sha)
    return UsageError(
        f"source-archive: checkout: the checkout lacks the git object {shown[:12]} that the "
        "tag's tree needs (a partial clone fetches objects only through git, which this "
        "step does not run); nothing was sent to Zenodo",
        hint="check the tag out without `filter:` on actions/checkout (`fetch-depth: 1`, "
        "the default, holds every object of the tag's tree)",
    )


def _commit(repo: Repo, commit: str) -> Commit:
    found = repo[commit.encode("ascii")]
    assert isinstance(found, Commit), "a commit id names a commit"
    return found


def _tag_commit(repo: Repo, tag: str) -> str:
    """The commit the tag names (annotated tags peeled), as the checkout knows it."""
    try:
        target = repo[repo.refs[Ref(b"refs/tags/" + tag.encode("utf-8"))]]
        while isinstance(target, Tag):
            target = repo[target.object[1]]
    except KeyError:
        raise UsageError(
            f"source-archive: checkout: the checkout has no tag {tag}",
            hint="check the tag out (actions/checkout does on a release event; else give it "
            "`ref: <tag>`, or `fetch-depth: 0` to fetch every tag)",
        ) from None
    if not isinstance(target, Commit):
        raise UsageError(f"source-archive: checkout: tag {tag} does not name a commit")
    return target.id.decode("ascii")


def _walk(repo: Repo, folder: Path, commit: str, prefix: str, shown: str, found: _Tree) -> None:
    """Check and collect the tree of `commit` as checked out in `folder` (recursively
    into submodules); `shown` is the folder's path from the top repository."""
    tree = _commit(repo, commit).tree
    attributes = repo.get_gitattributes(tree=tree)
    for entry in repo.object_store.iter_tree_contents(tree):
        assert entry.path is not None and entry.mode is not None and entry.sha is not None
        path = os.fsdecode(entry.path)
        here, name = folder / path, prefix + path
        where = shown + path
        if entry.mode == GITLINK:
            _submodule(here, entry.sha.decode("ascii"), name + "/", where + "/", found)
        elif stat.S_ISLNK(entry.mode):
            _symlink(repo, here, entry.sha, name, where, found)
        else:
            attrs = attributes.match_path(entry.path)
            _file(repo, here, entry.sha, entry.mode, attrs, name, where, found)


def _submodule(folder: Path, commit: str, prefix: str, shown: str, found: _Tree) -> None:
    try:
        sub = Repo(str(folder))
    except (NotGitRepository, OSError):
        found.problems.append(f"submodule {shown.rstrip('/')} is not checked out")
        return
    with sub:
        at = sub.head().decode("ascii") if _has_head(sub) else "nothing"
        if at != commit:
            found.differs.append(
                f"{shown.rstrip('/')}: the submodule is at {at[:12]}, the tag records {commit[:12]}"
            )
            return
        _walk(sub, folder, commit, prefix, shown, found)


def _has_head(repo: Repo) -> bool:
    try:
        repo.head()
    except KeyError:
        return False
    return True


def _symlink(repo: Repo, here: Path, sha: bytes, name: str, shown: str, found: _Tree) -> None:
    target = repo[sha].as_raw_string()
    try:
        on_disk = os.readlink(here)
    except OSError:
        found.differs.append(f"{shown}: the tag has a symlink here, the checkout does not")
        return
    if os.fsencode(on_disk) != target:
        found.differs.append(f"{shown}: the symlink points elsewhere than in the tag")
        return
    found.members.append(packing.Member(name, link=os.fsdecode(target)))


def _file(
    repo: Repo,
    here: Path,
    sha: bytes,
    mode: int,
    attrs: Mapping[bytes, object],
    name: str,
    shown: str,
    found: _Tree,
) -> None:
    """One file of the tree: its working-tree bytes checked, then added as a member."""
    try:
        info = os.lstat(here)
    except OSError:
        found.differs.append(f"{shown}: missing from the checkout")
        return
    if not stat.S_ISREG(info.st_mode):
        found.differs.append(f"{shown}: not a regular file in the checkout")
        return
    lfs = attrs.get(b"filter") == b"lfs"
    blob_id, sha256 = _hashes(here, info.st_size, with_sha256=lfs)
    # Its size and time from before the check: a change after it stops the packing.
    member = packing.Member(name, here, info.st_size, bool(mode & 0o111), mtime_ns=info.st_mtime_ns)
    if blob_id == sha and file_pointer(here, info.st_size):
        found.pointers.append(shown)  # the tag's own bytes, but a pointer all the same
    if _same(repo, here, sha, blob_id, sha256 if lfs else None, info.st_size, attrs):
        found.members.append(member)
    else:
        found.differs.append(f"{shown}: differs from the tag's")


def _same(
    repo: Repo,
    here: Path,
    sha: bytes,
    blob_id: bytes,
    sha256: str | None,
    size: int,
    attrs: Mapping[bytes, object],
) -> bool:
    """The file holds what the tag's tree holds at its path (see the module's doc)."""
    if blob_id == sha:
        return True
    if sha256 is not None and _is_real_content(repo, sha, sha256, size):
        return True
    return attrs.get(b"eol") == b"crlf" and _crlf_matches(here, sha)


def _hashes(path: Path, size: int, *, with_sha256: bool) -> tuple[bytes, str | None]:
    """The file's git blob id (hex, as bytes) and, when asked, its sha256."""
    blob = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    sha256 = hashlib.sha256() if with_sha256 else None
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                blob.update(chunk)
                if sha256 is not None:
                    sha256.update(chunk)
    except OSError as error:
        raise unreadable(path, error) from None
    return blob.hexdigest().encode("ascii"), sha256.hexdigest() if sha256 else None


def _is_real_content(repo: Repo, sha: bytes, sha256: str | None, size: int) -> bool:
    """The tree's blob is an LFS pointer to exactly this content."""
    pointer = parse_pointer(repo[sha].as_raw_string())
    return pointer is not None and (pointer.oid, pointer.size) == (sha256, size)


def _crlf_matches(path: Path, sha: bytes) -> bool:
    """With LF line ends, the file is the blob (git writes `eol=crlf` files with CRLF).
    Read twice in blocks, since a blob id starts with the size: memory stays constant."""
    size = sum(len(block) for block in _lf_blocks(path))
    blob = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    for block in _lf_blocks(path):
        blob.update(block)
    return blob.hexdigest().encode("ascii") == sha


def _lf_blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks with every CRLF turned into LF, one split between blocks too."""
    try:
        with open(path, "rb") as handle:
            held = b""  # a CR that ends a block, until the next block shows what follows
            while block := handle.read(CHUNK):
                block = held + block
                held = b"\r" if block.endswith(b"\r") else b""
                yield block[: len(block) - len(held)].replace(b"\r\n", b"\n")
            yield held
    except OSError as error:
        raise unreadable(path, error) from None


def _refuse(found: _Tree, tag: str, pointers: PointerCheck) -> None:
    """Stop on anything that would make the archive differ from the tag."""
    problems = found.problems + found.differs
    if problems:
        raise UsageError(
            f"source-archive: checkout: the checkout differs from tag {tag}: "
            f"{_first(problems)}; nothing was sent to Zenodo",
            hint=CHECKOUT_HINT,
        )
    pointers.judge("checkout", found.pointers)


def _first(items: Sequence[str]) -> str:
    return named(items) if len(items) > 1 else items[0]
