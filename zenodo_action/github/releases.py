"""A repository's releases on GitHub: reading them, their assets and archives, their notes.

Calls go through `GitHubClient` (github/client.py), and so through the shared HTTP
client, which owns retries, redirects and where the token goes. This module knows
GitHub's habits about releases (reference github-actions.md §3.3, §4):

- assets may still be uploading when `release: published` fires, so they are
  re-listed (paginated) and, for a bounded time, waited for;
- asset and archive downloads answer 302 to a storage host with a pre-signed
  URL, which gets no Authorization header: such hosts reject a second auth mechanism
  and must never see the token;
- downloads stream to a private temporary folder, are checked against the
  size and digest GitHub reports, and never write outside that folder; one that
  broke off or arrived wrong starts again from the API (`HttpClient.download`).
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import requests

from zenodo_action.archive_scan import ArchiveError, ArchiveScan
from zenodo_action.errors import ActionError
from zenodo_action.files import CHUNK, LocalFile, check_name
from zenodo_action.github.client import GitHubClient, GitHubError, rate_limited
from zenodo_action.github.event import PayloadError, Release
from zenodo_action.http import BrokenTransfer, HttpError
from zenodo_action.logs import printable
from zenodo_action.naming import per_door, setting
from zenodo_action.polling import poll, schedule

log = logging.getLogger(__name__)

OCTET_STREAM = {"Accept": "application/octet-stream"}
RELEASE_BODY_LIMIT = 125_000  # characters; GitHub answers 422 beyond it (§4.1)
ARCHIVE_MAGIC = {"zip": b"PK", "tar.gz": b"\x1f\x8b"}

AppendOutcome = Literal["appended", "already-present", "no-permission", "too-long"]


@dataclass(frozen=True)
class Asset:
    """A release asset as the REST API lists it."""

    id: int
    name: str
    url: str  # the API URL; the only one that works for private repositories
    size: int
    state: str
    content_type: str | None = None
    digest: str | None = None  # "sha256:<hex>", on newer API responses

    @property
    def uploaded(self) -> bool:
        return self.state == "uploaded"

    @classmethod
    def from_json(cls, data: Any) -> Asset:
        if not isinstance(data, dict):
            raise GitHubError("GitHub listed a release asset that is not a JSON object")
        try:
            return cls(
                id=int(data["id"]),
                name=str(data["name"]),
                url=str(data["url"]),
                size=int(data["size"]),
                state=str(data.get("state") or "uploaded"),
                content_type=data.get("content_type"),
                digest=data.get("digest"),
            )
        except (KeyError, TypeError, ValueError):
            raise GitHubError("GitHub listed an asset without id, name, url or size") from None


class AssetsNotReady(GitHubError):
    """Assets GitHub still lists as uploading when the wait is over: publishing without
    them would archive a version that lacks files, for good."""

    def __init__(self, names: list[str], waited: float) -> None:
        shown = ", ".join(printable(name, limit=60) for name in names[:5])
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        super().__init__(
            f"release asset{'s' * (len(names) != 1)} still uploading after {waited:.0f}s: "
            f"{shown}{more}; nothing was sent to Zenodo, since a version without "
            f"{'them' if len(names) != 1 else 'it'} could not be completed later",
            hint=per_door(
                command_line="re-run once GitHub lists every asset as uploaded",
                runner="re-run the job once GitHub lists every asset as uploaded, or raise "
                "the `asset-wait` input (seconds)",
            )
            + "; upload assets to a draft release before publishing it",
        )
        self.names = tuple(names)


# -- releases -----------------------------------------------------------------


def get_release(client: GitHubClient, release_id: int) -> Release:
    data, _ = client.get_json(
        client.repo_path(f"releases/{int(release_id)}"), f"read release {release_id}"
    )
    return _release(data)


def release_by_tag(client: GitHubClient, tag: str) -> Release:
    """The published release with this tag (github-rest.md §5.1): drafts and tags
    without a release answer 404 there, and are not published."""
    path = client.repo_path(f"releases/tags/{quote(tag, safe='')}")  # `/` in a tag: %2F
    try:
        data, _ = client.get_json(path, f"read the release with tag {printable(tag)}")
    except GitHubError as error:
        if error.status != 404:
            raise
        raise GitHubError(
            f"{client.repository} has no published release with tag {printable(tag)}",
            status=404,
            hint="check the tag; a draft release, or a tag without a release, cannot "
            "be published (publish the release on GitHub first); a private repository "
            f"needs a token in {setting('github-token')} that may read it",
        ) from None
    return _release(data)


def _release(data: Any) -> Release:
    try:
        return Release.from_json(data, source="GitHub's release")
    except PayloadError as error:
        raise GitHubError(f"GitHub answered with an unexpected release: {error}") from None


# -- assets ---------------------------------------------------------------------


def list_assets(client: GitHubClient, release_id: int) -> list[Asset]:
    """The release's assets in GitHub's order, those still uploading included."""
    assets: list[Asset] = []
    for page in client.pages(
        client.repo_path(f"releases/{int(release_id)}/assets"),
        f"list the assets of release {release_id}",
    ):
        assets.extend(Asset.from_json(item) for item in page)
    return assets


def wait_for_assets(
    client: GitHubClient,
    release_id: int,
    *,
    timeout: float = 120.0,
    poll_interval: float = 10.0,
    sleep: Callable[[float], None] | None = None,
) -> list[Asset]:
    """The release's assets, once none is still uploading (reference §3.3).

    Tools that publish a release while its files are still being attached make the
    `published` event fire too early: GitHub lists such an asset in state `open`.
    Only then is it worth waiting, for at most `timeout` seconds (0: never). An asset
    still uploading after that is never left out: AssetsNotReady stops the run before
    anything is sent to Zenodo. A release without assets is published at once: most
    research software attaches none, and an asset whose upload has not started cannot
    be told from one never coming.
    """

    def look() -> list[Asset]:
        return list_assets(client, release_id)

    def done(assets: list[Asset]) -> bool:
        return all(asset.uploaded for asset in assets)

    def announce(wait: float, assets: list[Asset]) -> None:
        log.info("waiting %.0fs for release assets: %s", wait, _waiting_for(assets))

    waits = schedule(timeout, poll_interval)
    assets = poll(look, done, waits, client.sleep if sleep is None else sleep, announce=announce)
    if not done(assets):
        raise AssetsNotReady([asset.name for asset in assets if not asset.uploaded], sum(waits))
    return assets


def download_asset(client: GitHubClient, asset: Asset, dest_dir: Path) -> LocalFile:
    """Download one asset into `dest_dir`, verified; its MD5 is taken in the same pass."""
    what = f"release asset {printable(asset.name)}"
    target = _destination(client, dest_dir, asset.name, what)
    html_expected = (asset.content_type or "").startswith("text/html")
    return _download(
        client,
        asset.url,
        target,
        what=what,
        size=asset.size,
        digest=asset.digest,
        accept_html=html_expected,
    )


def download_source_archive(
    client: GitHubClient,
    tag: str,
    fmt: Literal["zip", "tar.gz"],
    dest_dir: Path,
    *,
    name: str | None = None,
    scan: Callable[[], ArchiveScan] | None = None,
) -> tuple[LocalFile, list[str]]:
    """Download the source tree of `tag` as GitHub archives it, and the members of it
    that are Git LFS pointers: `scan` makes a scanner that reads it as it streams.

    Named `{repo}-{tag}.{fmt}`: Zenodo's GitHub webhook names the archive
    `{owner}/{repo}-{tag}.zip`, but a `/` can neither be a Zenodo bucket
    key nor part of a file name, so the owner is left out.
    """
    if fmt not in ARCHIVE_MAGIC:
        raise ActionError(f"source archive format must be zip or tar.gz, not {fmt!r}")
    endpoint = "zipball" if fmt == "zip" else "tarball"
    filename = name or archive_name(client.repository, tag, fmt)
    what = f"the {fmt} source archive of tag {printable(tag)}"
    target = _destination(client, dest_dir, filename, what)
    path = client.repo_path(f"{endpoint}/{quote(tag, safe='')}")
    found: list[str] = []
    downloaded = _download(
        client, path, target, what=what, magic=ARCHIVE_MAGIC[fmt], scan=scan, found=found
    )
    return downloaded, found


def _destination(client: GitHubClient, dest_dir: Path, name: str, what: str) -> Path:
    """`dest_dir/name`, refusing names and folders that could escape or leak."""
    folder = Path(dest_dir).resolve()
    if not folder.is_dir():
        raise ActionError(f"cannot download {what}: {dest_dir} is not a folder")
    workspace = client.workspace
    if workspace is not None and folder.is_relative_to(Path(workspace).resolve()):
        raise ActionError(
            f"cannot download {what} into the workspace ({dest_dir})",
            hint="downloads go to a private temporary folder (see make_download_dir)",
        )
    problem = check_name(name)
    if problem:
        raise ActionError(f"refusing to download {what}: {problem}")
    target = folder / name
    if target.resolve().parent != folder:
        raise ActionError(f"refusing to download {what}: its name leads outside {folder}")
    if target.exists() or target.is_symlink():
        raise ActionError(f"cannot download {what}: a file named {name!r} is already there")
    return target


def _download(
    client: GitHubClient, url: str, target: Path, *, what: str, **checks: Any
) -> LocalFile:
    """The file at `url` written to `target` and checked (see `_receive`)."""
    try:
        md5 = client.api.download(
            url, lambda r: _receive(r, target, **checks), headers=OCTET_STREAM
        )
    except HttpError as error:
        raise client.explain(error, f"download {what}") from None
    return LocalFile.of(target, md5=md5)


def _receive(
    response: requests.Response,
    target: Path,
    *,
    size: int | None = None,
    digest: str | None = None,
    accept_html: bool = False,
    magic: bytes | None = None,
    scan: Callable[[], ArchiveScan] | None = None,
    found: list[str] | None = None,
) -> str:
    """The answer written to `target` and checked; its MD5 (for Zenodo) from the same read.
    With `scan`, the archive is scanned as it streams; `found` gets its LFS pointers.
    Anything that may go right a second time raises BrokenTransfer, with nothing left."""
    with _scanning(scan) as scanner:
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("text/html") and not accept_html:
            raise BrokenTransfer("the server sent an HTML page instead of the file")
        sha256, md5 = _stream_to(response, target, limit=size, scanner=scanner)
        received = target.stat().st_size
        try:
            _verify(target, received, sha256, size=size, digest=digest, magic=magic)
            if scanner is not None and found is not None:
                found[:] = _scanned(scanner, target)
        except BrokenTransfer:
            target.unlink()
            raise
    return md5


# -- release notes --------------------------------------------------------------


def render_markdown(client: GitHubClient, text: str, *, context: str | None = None) -> str:
    """Release notes as HTML, rendered by GitHub (`gfm`), or locally if it refuses."""
    if not text.strip():
        return ""
    try:
        response = client.api.send(
            "POST",
            "markdown",
            idempotent=True,  # rendering changes nothing on the server
            json={"text": text, "mode": "gfm", "context": context or client.repository},
            headers={"Accept": "text/html"},
        )
        return response.text
    except HttpError as error:
        log.warning(
            "GitHub did not render the release notes (%s); using a plain rendering",
            error.status or "no connection",
        )
        return plain_markdown_to_html(text)


def append_to_release_notes(
    client: GitHubClient, release_id: int, marker: str, text: str
) -> AppendOutcome:
    """Append `text` to the release notes once; `marker` (inside `text`) tells re-runs.

    Returns "already-present" when the notes hold the marker, "no-permission"
    when the token may not edit the release (the caller should warn, not
    fail), "too-long" when the notes would pass GitHub's limit, else "appended".
    """
    if not marker or marker not in text:
        raise ValueError("the appended text must contain its marker")
    release = get_release(client, release_id)
    body = release.notes
    if marker in body:
        return "already-present"
    new_body = f"{body.rstrip()}\n\n{text}" if body.strip() else text
    if len(new_body) > RELEASE_BODY_LIMIT:
        log.warning(
            "release notes would pass GitHub's %d-character limit; not appending",
            RELEASE_BODY_LIMIT,
        )
        return "too-long"
    try:
        client.api.send(
            "PATCH",
            client.repo_path(f"releases/{int(release_id)}"),
            idempotent=True,  # it sets the body to one value: repeating it changes nothing
            json={"body": new_body},
        )
    except HttpError as error:
        # 404 after a successful GET means: visible, but not writable with this token.
        if error.status in (403, 404) and not rate_limited(error):
            return "no-permission"
        raise client.explain(error, f"edit the notes of release {release_id}") from None
    return "appended"


def make_download_dir() -> Path:
    """A new private (0700) folder for downloads, outside the workspace.

    Inside the container /tmp is the container's own, so files never land in
    the runner's workspace as root-owned leftovers (reference §1.2).
    """
    return Path(tempfile.mkdtemp(prefix="zenodo-action-"))


def archive_name(repository: str, tag: str, fmt: str) -> str:
    """`{repo}-{tag}.{fmt}`, with path separators in the tag made harmless."""
    repo = repository.rsplit("/", 1)[-1]
    safe_tag = re.sub(r"[/\\\x00-\x1f]", "-", tag)
    return f"{repo}-{safe_tag}.{fmt}"


_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)|(https?://[^\s<>\"'`)\]]+)")


def plain_markdown_to_html(text: str) -> str:
    """A safe, simple rendering: escaped text, paragraphs, line breaks and links."""
    paragraphs = re.split(r"\n[ \t]*\n+", text.replace("\r\n", "\n").strip())
    rendered = []
    for paragraph in paragraphs:
        lines = [_linkify(line) for line in paragraph.split("\n")]
        rendered.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(rendered)


def _linkify(line: str) -> str:
    out, position = [], 0
    for match in _LINK.finditer(line):
        out.append(html.escape(line[position : match.start()], quote=False))
        label, target, bare = match.groups()
        url = target or bare
        shown = label if label is not None else bare
        out.append(f'<a href="{html.escape(url)}">{html.escape(shown, quote=False)}</a>')
        position = match.end()
    out.append(html.escape(line[position:], quote=False))
    return "".join(out)


@contextmanager
def _scanning(scan: Callable[[], ArchiveScan] | None) -> Iterator[ArchiveScan | None]:
    """The scanner `scan` makes (None without one), closed however the download ends."""
    scanner = scan() if scan else None
    try:
        yield scanner
    finally:
        if scanner is not None:
            scanner.close()


def _scanned(scanner: ArchiveScan, target: Path) -> list[str]:
    try:
        return scanner.finish(target)
    except ArchiveError as error:  # a broken transfer, most likely: downloaded again
        raise BrokenTransfer(f"the archive cannot be read: {error}") from None


def _stream_to(
    response: requests.Response,
    target: Path,
    *,
    limit: int | None,
    scanner: ArchiveScan | None = None,
) -> tuple[str, str]:
    """Write the body to `target` chunk by chunk; return its sha256 (to check it against
    GitHub's digest) and its MD5 (what Zenodo stores): one read, two digests, and the
    scanner (when given) fed the same chunks."""
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    written = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in response.iter_content(CHUNK):
                written += len(chunk)
                if limit is not None and written > limit:
                    raise BrokenTransfer(f"the server sent more than the {limit} bytes listed")
                sha256.update(chunk)
                md5.update(chunk)
                handle.write(chunk)
                if scanner is not None:
                    scanner.feed(chunk)
    except ArchiveError as error:
        target.unlink(missing_ok=True)
        raise BrokenTransfer(f"the archive cannot be read: {error}") from None
    except (requests.RequestException, ConnectionError) as error:
        target.unlink(missing_ok=True)
        raise BrokenTransfer(f"the connection broke off ({type(error).__name__})") from None
    except OSError as error:
        target.unlink(missing_ok=True)
        raise ActionError(f"cannot write {target}: {error.strerror}") from None
    except BrokenTransfer:
        target.unlink(missing_ok=True)
        raise
    return sha256.hexdigest(), md5.hexdigest()


def _verify(
    target: Path,
    received: int,
    sha256: str,
    *,
    size: int | None,
    digest: str | None,
    magic: bytes | None,
) -> None:
    if size is not None and received != size:
        raise BrokenTransfer(f"received {received} bytes, GitHub lists {size}")
    if digest and digest.lower().startswith("sha256:"):
        expected = digest.split(":", 1)[1].strip().lower()
        if expected != sha256:
            raise BrokenTransfer("its sha256 differs from the digest GitHub lists")
    if magic is not None:
        with target.open("rb") as handle:
            if handle.read(len(magic)) != magic:
                raise BrokenTransfer("the file is not an archive of the expected format")


def _waiting_for(assets: list[Asset]) -> str:
    pending = [asset for asset in assets if not asset.uploaded]
    if not pending:
        return "none listed yet"
    names = ", ".join(printable(asset.name, limit=60) for asset in pending[:5])
    more = f" and {len(pending) - 5} more" if len(pending) > 5 else ""
    return f"still uploading: {names}{more}"
