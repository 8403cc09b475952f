"""The GitHub REST calls the action makes: releases, their assets, archives, notes.

Built on `zenodo_action.http.HttpClient`, which owns retries, timeouts and the
rule that the token goes only to the API host. On top of it, this module knows
GitHub's habits (reference github-actions.md §3.3, §4):

- assets may still be uploading when `release: published` fires, so they are
  re-listed (paginated) and, for a bounded time, waited for;
- asset and archive downloads answer 302 to a storage host with a pre-signed
  URL; that hop is requested separately with no Authorization header, because
  such hosts reject a second auth mechanism and must never see the token;
- downloads stream to a private temporary folder, are checked against the
  size and digest GitHub reports, and never write outside that folder.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urljoin, urlsplit

import requests

from zenodo_action import secrets
from zenodo_action.archive_scan import ArchiveError, ArchiveScan
from zenodo_action.errors import ActionError
from zenodo_action.files import CHUNK, LocalFile, check_name
from zenodo_action.github.event import PayloadError, Release, RunContext
from zenodo_action.http import HttpClient, HttpError, RetryPolicy, server_message
from zenodo_action.logs import printable
from zenodo_action.naming import per_door, setting
from zenodo_action.polling import poll, schedule
from zenodo_action.urls import insecure, origin

log = logging.getLogger(__name__)

API_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}
OCTET_STREAM = {"Accept": "application/octet-stream"}
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
PER_PAGE = 100
MAX_PAGES = 50  # a release holds at most 1000 assets
RELEASE_BODY_LIMIT = 125_000  # characters; GitHub answers 422 beyond it (§4.1)
DOWNLOAD_ATTEMPTS = 3  # a broken download restarts from the API (fresh signed URL)
ARCHIVE_MAGIC = {"zip": b"PK", "tar.gz": b"\x1f\x8b"}

AppendOutcome = Literal["appended", "already-present", "no-permission", "too-long"]


class GitHubError(ActionError):
    """A GitHub API call that failed; `status` is the HTTP status, when there was one."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None):
        super().__init__(secrets.redact(message), hint=hint)
        self.status = status


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
    browser_download_url: str | None = None

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
                browser_download_url=data.get("browser_download_url"),
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


class _BrokenDownload(Exception):
    """A download that may succeed when started again from the API URL."""


class GitHubClient:
    """The releases REST API of one repository, with one token."""

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
        secrets.register(token)
        self.repository = repository
        self.workspace = workspace
        self.sleep = sleep
        self.api = HttpClient(
            api_url, token, policy=policy, headers=API_HEADERS, sleep=sleep, clock=clock
        )
        # Storage hosts get a pre-signed URL and nothing else: no token, and no
        # ~/.netrc credentials either (a truthy no-op auth stops requests' lookup).
        self.storage = HttpClient(api_url, None, policy=policy, sleep=sleep, clock=clock)
        self.storage.session.auth = _no_credentials

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

    # -- releases -------------------------------------------------------------

    def get_release(self, release_id: int) -> Release:
        data, _ = self.get_json(
            self.repo_path(f"releases/{int(release_id)}"), f"read release {release_id}"
        )
        return self._release(data)

    def release_by_tag(self, tag: str) -> Release:
        """The published release with this tag (github-rest.md §5.1): drafts and tags
        without a release answer 404 there, and are not published."""
        path = self.repo_path(f"releases/tags/{quote(tag, safe='')}")  # `/` in a tag: %2F
        try:
            data, _ = self.get_json(path, f"read the release with tag {printable(tag)}")
        except GitHubError as error:
            if error.status != 404:
                raise
            raise GitHubError(
                f"{self.repository} has no published release with tag {printable(tag)}",
                status=404,
                hint="check the tag; a draft release, or a tag without a release, cannot "
                "be published (publish the release on GitHub first); a private repository "
                f"needs a token in {setting('github-token')} that may read it",
            ) from None
        return self._release(data)

    @staticmethod
    def _release(data: Any) -> Release:
        try:
            return Release.from_json(data, source="GitHub's release")
        except PayloadError as error:
            raise GitHubError(f"GitHub answered with an unexpected release: {error}") from None

    # -- assets ---------------------------------------------------------------

    def list_assets(self, release_id: int) -> list[Asset]:
        """The release's assets that finished uploading, in GitHub's order."""
        return [asset for asset in self._all_assets(release_id) if asset.uploaded]

    def _all_assets(self, release_id: int) -> list[Asset]:
        assets: list[Asset] = []
        for page in self.pages(
            self.repo_path(f"releases/{int(release_id)}/assets"),
            f"list the assets of release {release_id}",
        ):
            assets.extend(Asset.from_json(item) for item in page)
        return assets

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

    def wait_for_assets(
        self,
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
            return self._all_assets(release_id)

        def done(assets: list[Asset]) -> bool:
            return all(asset.uploaded for asset in assets)

        def announce(wait: float, assets: list[Asset]) -> None:
            log.info("waiting %.0fs for release assets: %s", wait, _waiting_for(assets))

        waits = schedule(timeout, poll_interval)
        assets = poll(look, done, waits, self.sleep if sleep is None else sleep, announce=announce)
        if not done(assets):
            raise AssetsNotReady([asset.name for asset in assets if not asset.uploaded], sum(waits))
        return assets

    def download_asset(self, asset: Asset, dest_dir: Path) -> LocalFile:
        """Download one asset into `dest_dir`, verified; its MD5 is taken in the same pass."""
        what = f"release asset {printable(asset.name)}"
        target = self._destination(dest_dir, asset.name, what)
        html_expected = (asset.content_type or "").startswith("text/html")
        return self._download(
            asset.url,
            target,
            what=what,
            size=asset.size,
            digest=asset.digest,
            accept_html=html_expected,
        )

    def download_source_archive(
        self,
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
        filename = name or archive_name(self.repository, tag, fmt)
        what = f"the {fmt} source archive of tag {printable(tag)}"
        target = self._destination(dest_dir, filename, what)
        path = self.repo_path(f"{endpoint}/{quote(tag, safe='')}")
        found: list[str] = []
        downloaded = self._download(
            path, target, what=what, magic=ARCHIVE_MAGIC[fmt], scan=scan, found=found
        )
        return downloaded, found

    def _destination(self, dest_dir: Path, name: str, what: str) -> Path:
        """`dest_dir/name`, refusing names and folders that could escape or leak."""
        folder = Path(dest_dir).resolve()
        if not folder.is_dir():
            raise ActionError(f"cannot download {what}: {dest_dir} is not a folder")
        if self.workspace is not None and folder.is_relative_to(Path(self.workspace).resolve()):
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

    def _download(self, url: str, target: Path, *, what: str, **checks: Any) -> LocalFile:
        for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
            try:
                md5 = self._download_once(url, target, what, **checks)
                return LocalFile.of(target, md5=md5)
            except _BrokenDownload as problem:
                if attempt == DOWNLOAD_ATTEMPTS:
                    raise GitHubError(
                        f"could not download {what}: {problem} ({DOWNLOAD_ATTEMPTS} attempts)"
                    ) from None
                delay = self.api.policy.backoff(attempt)
                log.warning(
                    "retry %d/%d in %.1fs: download of %s: %s",
                    attempt,
                    DOWNLOAD_ATTEMPTS - 1,
                    delay,
                    what,
                    problem,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _download_once(
        self,
        url: str,
        target: Path,
        what: str,
        *,
        size: int | None = None,
        digest: str | None = None,
        accept_html: bool = False,
        magic: bytes | None = None,
        scan: Callable[[], ArchiveScan] | None = None,
        found: list[str] | None = None,
    ) -> str:
        """The file written and checked; its MD5 (for Zenodo) from the same read. With
        `scan`, the archive is scanned as it streams; `found` gets its LFS pointers."""
        with _scanning(scan) as scanner:
            response = self._open_download(url, what)
            with response:
                content_type = response.headers.get("Content-Type", "")
                if content_type.startswith("text/html") and not accept_html:
                    raise _BrokenDownload("the server sent an HTML page instead of the file")
                sha256, md5 = _stream_to(response, target, limit=size, scanner=scanner)
            received = target.stat().st_size
            try:
                _verify(target, received, sha256, size=size, digest=digest, magic=magic)
                if scanner is not None and found is not None:
                    found[:] = _scanned(scanner, target)
            except _BrokenDownload:
                target.unlink()
                raise
        return md5

    def _open_download(self, url: str, what: str) -> requests.Response:
        """GET the API URL; follow redirects without Authorization; return the 200."""
        client, on_storage = self.api, False
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                response = client.send(
                    "GET",
                    url,
                    idempotent=True,
                    expected=(200, *REDIRECT_STATUSES),
                    headers=OCTET_STREAM,
                    allow_redirects=False,
                    stream=True,
                )
            except HttpError as error:
                if on_storage and error.status in (400, 401, 403, 404):
                    # Pre-signed URLs expire within minutes: start again from the API.
                    raise _BrokenDownload(f"the storage host answered {error.status}") from None
                raise self.explain(error, f"download {what}") from None
            if response.status_code == 200:
                return response
            location = response.headers.get("Location", "")
            response.close()
            if not location:
                raise GitHubError(f"could not download {what}: a redirect without a Location")
            url = urljoin(response.url, location)
            check_download_url(url, what)
            client, on_storage = self.storage, True  # never the token, whichever host
        raise GitHubError(f"could not download {what}: more than {MAX_REDIRECTS} redirects")

    # -- release notes --------------------------------------------------------

    def render_markdown(self, text: str, *, context: str | None = None) -> str:
        """Release notes as HTML, rendered by GitHub (`gfm`), or locally if it refuses."""
        if not text.strip():
            return ""
        try:
            response = self.api.send(
                "POST",
                "markdown",
                idempotent=True,  # rendering changes nothing on the server
                json={"text": text, "mode": "gfm", "context": context or self.repository},
                headers={"Accept": "text/html"},
            )
            return response.text
        except HttpError as error:
            log.warning(
                "GitHub did not render the release notes (%s); using a plain rendering",
                error.status or "no connection",
            )
            return plain_markdown_to_html(text)

    def append_to_release_notes(self, release_id: int, marker: str, text: str) -> AppendOutcome:
        """Append `text` to the release notes once; `marker` (inside `text`) tells re-runs.

        Returns "already-present" when the notes hold the marker, "no-permission"
        when the token may not edit the release (the caller should warn, not
        fail), "too-long" when the notes would pass GitHub's limit, else "appended".
        """
        if not marker or marker not in text:
            raise ValueError("the appended text must contain its marker")
        release = self.get_release(release_id)
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
            self.api.send(
                "PATCH",
                self.repo_path(f"releases/{int(release_id)}"),
                idempotent=True,  # it sets the body to one value: repeating it changes nothing
                json={"body": new_body},
            )
        except HttpError as error:
            # 404 after a successful GET means: visible, but not writable with this token.
            if error.status in (403, 404) and not _rate_limited(error):
                return "no-permission"
            raise self.explain(error, f"edit the notes of release {release_id}") from None
        return "appended"

    # -- errors ---------------------------------------------------------------

    def explain(self, error: HttpError, what: str) -> GitHubError:
        """Turn an HTTP failure into a sentence a maintainer can act on."""
        status = error.status
        said = server_message(error.body)
        detail = f"GitHub answered {status}" + (f": {said}" if said else "")
        if status is None:  # no answer; a LocalFailure (DNS, TLS, a refused URL) has a hint
            return GitHubError(f"could not {what}: {error.message}", hint=error.hint)
        if _rate_limited(error):
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


def check_download_url(url: str, what: str) -> None:
    """Redirect targets must be https, or http on this machine (tests)."""
    if insecure(url) is None:
        return
    parts = urlsplit(url)
    raise GitHubError(
        f"could not download {what}: refusing a redirect to {parts.scheme}://{parts.hostname}"
    )


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
        raise _BrokenDownload(f"the archive cannot be read: {error}") from None


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
                    raise _BrokenDownload(f"the server sent more than the {limit} bytes listed")
                sha256.update(chunk)
                md5.update(chunk)
                handle.write(chunk)
                if scanner is not None:
                    scanner.feed(chunk)
    except ArchiveError as error:
        target.unlink(missing_ok=True)
        raise _BrokenDownload(f"the archive cannot be read: {error}") from None
    except (requests.RequestException, ConnectionError) as error:
        target.unlink(missing_ok=True)
        raise _BrokenDownload(f"the connection broke off ({type(error).__name__})") from None
    except OSError as error:
        target.unlink(missing_ok=True)
        raise ActionError(f"cannot write {target}: {error.strerror}") from None
    except _BrokenDownload:
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
        raise _BrokenDownload(f"received {received} bytes, GitHub lists {size}")
    if digest and digest.lower().startswith("sha256:"):
        expected = digest.split(":", 1)[1].strip().lower()
        if expected != sha256:
            raise _BrokenDownload("its sha256 differs from the digest GitHub lists")
    if magic is not None:
        with target.open("rb") as handle:
            if handle.read(len(magic)) != magic:
                raise _BrokenDownload("the file is not an archive of the expected format")


def _no_credentials(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _rate_limited(error: HttpError) -> bool:
    return error.status in (403, 429) and "rate limit" in server_message(error.body).lower()


def _waiting_for(assets: list[Asset]) -> str:
    pending = [asset for asset in assets if not asset.uploaded]
    if not pending:
        return "none listed yet"
    names = ", ".join(printable(asset.name, limit=60) for asset in pending[:5])
    more = f" and {len(pending) - 5} more" if len(pending) > 5 else ""
    return f"still uploading: {names}{more}"
