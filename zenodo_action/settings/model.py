"""What a run is told to do: one class per mode, built by a front door (command_line.py,
action_inputs.py) and read, never re-checked, by the rest.

Every mode has the `Settings` base: which metadata to read, where, and how to report.
`ValidateSettings` and `ConvertSettings` add what they need; `PublishSettings` holds the
Zenodo part (`ZenodoSettings`) as a field that is never missing, so mypy proves that
publish code always has a token and an instance. The Action's publish also has the run's
context (`ActionPublish`). Defaults that an input of action.yml has come from its table
(defaults.py); nothing here writes one again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.event import Release, RunContext
from zenodo_action.metadata import MetadataPaths
from zenodo_action.zenodo.api import ApiChoice, ConceptRef

Mode = Literal["validate", "convert", "publish"]
OutputFormat = Literal["text", "json", "github", "gitlab"]
ArchiveFormat = Literal["zip", "tar.gz"]
ArchiveSource = Literal["github", "checkout"]  # GitHub's archive of the tag, or the checkout's


@dataclass(frozen=True, kw_only=True)
class ZenodoSettings:
    """What publishing to Zenodo (or an InvenioRDM) needs, whichever front door."""

    zenodo_url: str
    token: str = field(repr=False)
    draft: bool  # leave the new version as a draft (`publish: false`)
    dry_run: bool
    upload_workers: int  # files uploaded at a time (1: one after the other)
    api: ApiChoice  # Zenodo's deposit API, InvenioRDM's records API, or detect (auto)
    concept: ConceptRef | None = None  # None: a new concept
    version: str | None = None  # None: the metadata's
    publication_date: str | None = None  # None: the metadata's, else today


@dataclass(frozen=True)
class ReleaseOptions:
    """The Action's say over a GitHub release: which of its files, and the badge."""

    assets: bool
    source_archive: ArchiveFormat | None  # None: no source archive
    archive_from: ArchiveSource
    notes_badge: bool
    asset_wait: float  # seconds to wait for assets GitHub lists as still uploading


@dataclass(frozen=True)
class WriteBackTarget:
    kind: str  # citation, codemeta or readme
    path: str  # relative to the repository's root, with `/`
    named: bool  # the user named the file (a missing one is an error, not a notice)


@dataclass(frozen=True)
class WriteBackOptions:
    """Which of the repository's files get the DOI after a publish (none: off)."""

    targets: tuple[WriteBackTarget, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.targets)


@dataclass(frozen=True)
class Backfill:
    """Publish the GitHub release with this tag, as its release event would have."""

    tag: str
    repository: str  # owner/name
    api_url: str  # GitHub's REST API


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What every mode has: the metadata to read, where, and how to report."""

    mode: ClassVar[Mode]
    root: Path  # where the metadata files and the `files` globs are looked up
    metadata_files: MetadataPaths  # the files to read
    output_format: OutputFormat
    repository: str | None  # owner/name under the runner: the title a release gives
    fenced: bool  # text output runs under the runner: fence it against commands
    runner: RunnerFiles
    # GitLab CI's checkout (CI_PROJECT_DIR): Code Quality paths are relative to it
    project_dir: Path | None = None


@dataclass(frozen=True, kw_only=True)
class ValidateSettings(Settings):
    mode: ClassVar[Mode] = "validate"
    strict: bool  # warnings count as errors
    require_complete: bool  # fields a release fills are errors, not notices


@dataclass(frozen=True, kw_only=True)
class ConvertSettings(Settings):
    mode: ClassVar[Mode] = "convert"


_Publishing = TypeVar("_Publishing", bound="PublishSettings")


@dataclass(frozen=True, kw_only=True)
class PublishSettings(Settings):
    mode: ClassVar[Mode] = "publish"
    zenodo: ZenodoSettings
    strict: bool  # warnings count as errors in the check before publishing
    files: tuple[str, ...]  # globs
    release: ReleaseOptions
    write_back: WriteBackOptions
    allow_lfs_pointers: bool  # archive Git LFS pointers as they are (opt-out)
    allow_outside_root: bool = False  # `files` may name paths outside root (CLI flag only)
    backfill: Backfill | None = None  # publish the release with this tag
    github_token: str | None = field(default=None, repr=False)
    dotenv: Path | None = None  # GitLab's dotenv report of the result goes here (CLI)

    def for_release(self: _Publishing, release: Release) -> _Publishing:
        """Publishing `release`: its tag is the version unless one was given, its day the
        publication date (the event's release, or one read by tag to back-fill it)."""
        zenodo = dataclasses.replace(
            self.zenodo,
            version=self.zenodo.version or release.tag_name,
            publication_date=self.zenodo.publication_date or release.published_date,
        )
        return dataclasses.replace(self, zenodo=zenodo)

    def with_version(self: _Publishing, version: str | None) -> _Publishing:
        return dataclasses.replace(self, zenodo=dataclasses.replace(self.zenodo, version=version))


@dataclass(frozen=True, kw_only=True)
class ActionPublish(PublishSettings):
    """A publish under the Actions runner: what the run's event says comes with it."""

    context: RunContext
