"""A GitHub release as a publish sees it, and publishing one: the event's release (action.py)
or one read by its tag to back-fill it (the Action's `release-tag`, the CLI's
`--release-tag`). Its files, notes and what its repository says reach `publish.publish`
through the `ReleaseInput` protocol, so the publish knows nothing of GitHub.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from zenodo_action import archive_scan, files, publish
from zenodo_action.files import LocalFile
from zenodo_action.github import releases, repository
from zenodo_action.github.client import GitHubClient
from zenodo_action.github.event import Release, Repository
from zenodo_action.github.releases import archive_name, make_download_dir
from zenodo_action.lfs import PointerCheck
from zenodo_action.metadata import creator_from_display_name, is_known_license
from zenodo_action.reporter import Reporter
from zenodo_action.settings import ArchiveFormat, ReleaseOptions, Settings

# A tag as the webhook writes it into the link, only what would end or break the URL
# (`#`, `%`, `?`, spaces) escaped.
_TAG_SAFE = "/@:+!$&'()*,;=~"
ASSET_POLL_SECONDS = 10.0  # while an asset is still uploading (github-actions.md §3.3)


def publish_tagged_release(
    settings: Settings, reporter: Reporter, client_factory: publish.ClientFactory | None = None
) -> publish.Published:
    """The command line's back-fill: the release with `--release-tag`, as its event would
    have published it (assets, source archive, date, notes)."""
    assert settings.repository and settings.release_tag, "settings check both"
    github = GitHubClient(settings.github_api_url, settings.repository, settings.github_token)
    release = releases.release_by_tag(github, settings.release_tag)
    owner, name = settings.repository.split("/")
    repository = Repository(owner, name, release.html_url.rsplit("/releases/", 1)[0])
    return publish_release(
        settings.for_release(release), reporter, github, repository, release, client_factory
    )


def publish_release(
    settings: Settings,
    reporter: Reporter,
    github: GitHubClient,
    repository: Repository,
    release: Release | None,
    client_factory: publish.ClientFactory | None = None,
) -> publish.Published:
    """Publish, with the release's files downloaded to a private folder removed after."""
    download_dir = make_download_dir()
    try:
        release_input = (
            GitHubRelease(
                github,
                repository,
                release,
                settings.release,
                download_dir,
                root=settings.root.absolute(),
                pointers=publish.pointer_check(settings, reporter),
            )
            if release
            else None
        )
        return publish.publish(settings, reporter, release_input, client_factory=client_factory)
    finally:
        shutil.rmtree(download_dir, ignore_errors=True)


class GitHubRelease:
    """A GitHub release as a publish sees it (its `ReleaseInput`): assets, source archive,
    what the release and its repository say for fields no file sets, and a link to the
    release page."""

    def __init__(
        self,
        github: GitHubClient,
        repository: Repository,
        release: Release,
        options: ReleaseOptions,
        folder: Path,
        *,
        root: Path = Path("."),
        pointers: PointerCheck | None = None,
    ) -> None:
        self.github = github
        self.repository = repository
        self.release = release
        self.options = options
        self.folder = folder  # private, outside the workspace; removed by the caller
        self.root = root  # the checkout (source-archive: checkout)
        self.pointers = pointers or PointerCheck()

    @property
    def related(self) -> tuple[dict[str, str], ...]:
        """The tagged tree, as Zenodo's webhook links it: its record page shows the
        "owner/repo, Release: tag" box only for a github.com `/tree/<tag>` link
        (docs/reference/zenodo-deposit-rules.md §6)."""
        tag = quote(self.release.tag_name, safe=_TAG_SAFE)
        tree = f"{self.repository.html_url.rstrip('/')}/tree/{tag}"
        return ({"identifier": tree, "relation": "isSupplementTo", "resource_type": "software"},)

    def fields(self, missing: frozenset[str]) -> dict[str, Any]:
        """Zenodo's GitHub integration's defaults (github-rest.md §3.5): the title
        "owner/repo: release", software, the repository's contributors and licence, the
        notes rendered as the description. Only for what is missing: each costs requests."""
        found: dict[str, Any] = {}
        if "title" in missing:
            found["title"] = f"{self.repository.full_name}: {self.release.title}"
        if "upload_type" in missing:
            found["upload_type"] = "software"
        if "creators" in missing:
            found["creators"] = self._creators()
        if "license" in missing:
            spdx = repository.repository_license(self.github)
            if spdx and is_known_license(spdx):
                found["license"] = spdx
        if "description" in missing and self.release.notes.strip():
            found["description"] = releases.render_markdown(self.github, self.release.notes)
        return {key: value for key, value in found.items() if value}

    def _creators(self) -> list[dict[str, str]]:
        """Users who contributed, bots left out, most commits first; else the owner."""
        creators = []
        for person in repository.contributors(self.github):
            creator = {"name": creator_from_display_name(person.name, person.login)}
            if person.company:
                creator["affiliation"] = person.company.strip()
            creators.append(creator)
        return creators or [{"name": self.repository.owner}]

    def files(self) -> list[files.LocalFile]:
        """The assets and the source archive, downloaded (or built from the checkout) and
        checked for Git LFS pointers; their MD5s come with the download."""
        found: list[files.LocalFile] = []
        if self.options.assets:
            assets = releases.wait_for_assets(
                self.github,
                self.release.id,
                timeout=self.options.asset_wait,
                poll_interval=ASSET_POLL_SECONDS,
            )
            found += [releases.download_asset(self.github, a, self.folder) for a in assets]
            self.pointers.files([(f.name, f.path, f.size) for f in found], "asset")
        if self.options.source_archive and self.options.archive_from == "checkout":
            found.append(self._checkout_archive(self.options.source_archive))
        elif self.options.source_archive:
            archive, pointers = releases.download_source_archive(
                self.github,
                self.release.tag_name,
                self.options.source_archive,
                self.folder,
                scan=partial(archive_scan.scanner, self.options.source_archive),
            )
            self.pointers.judge("tag-archive", pointers)
            found.append(archive)
        return found

    def _checkout_archive(self, fmt: ArchiveFormat) -> LocalFile:
        """`source-archive: checkout`: the tag's tree from the working tree, named and
        rooted as GitHub's archive is (`{repo}-{tag}.zip`, `{owner}-{repo}-{sha7}/`)."""
        from zenodo_action import checkout  # dulwich is imported only when asked for

        name = archive_name(self.repository.full_name, self.release.tag_name, fmt)
        top = f"{self.repository.owner}-{self.repository.name}-{{sha7}}"
        return checkout.build(
            self.root,
            self.release.tag_name,
            fmt,
            self.folder / name,
            top=top,
            pointers=self.pointers,
        )
