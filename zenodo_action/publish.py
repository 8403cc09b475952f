"""A publish run from end to end, whichever front door it came through.

settings -> the checked record (`metadata.read`) -> the files -> the request -> read, hash,
plan and apply (`deposit.publish`) -> report. Everything that can fail locally fails before
the first request, except what only the instance can answer (with `api: auto` on a host not
known as Zenodo's: which API it serves, so whose limits and vocabularies apply), which fails
after those reads and before the first write. What a release adds (its files, notes, upload
type) comes in through a `ReleaseInput`, so this module knows nothing of GitHub.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from zenodo_action import archive_scan, folders, metadata
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.files import LocalFile, collect, is_folder_line, preflight
from zenodo_action.http import RetryPolicy
from zenodo_action.lfs import PointerCheck
from zenodo_action.naming import per_door, setting
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult
from zenodo_action.secrets import register
from zenodo_action.settings import PublishSettings, ZenodoSettings
from zenodo_action.versions import same_version
from zenodo_action.zenodo import choose, deposit
from zenodo_action.zenodo.api import DepositAPI, instance_name
from zenodo_action.zenodo.plan import Plan, PublishRequest
from zenodo_action.zenodo.results import render_plan, result_of


class InvalidMetadata(ActionError):
    """The metadata has errors, each listed with its line before this error."""

    def __init__(
        self,
        errors: int,
        files: Sequence[Path],
        root: Path | None = None,
        *,
        destination: str = "Zenodo",
    ):
        # No hint to run `validate`: every problem was reported with this error
        # (`checked_record`): lines or annotations before it, the job summary's table.
        noun, each = ("error", "it is") if errors == 1 else ("errors", "each is")
        super().__init__(
            f"the metadata has {errors} {noun} in {', '.join(_shown(f, root) for f in files)} "
            f"({each} listed with its line); nothing was sent to {destination}"
        )


def _shown(path: Path, root: Path | None) -> str:
    """A file as the user knows it: relative to the root it was read from."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return str(path)


class ReleaseInput(Protocol):
    """A release being published: its files, and what it and its repository say."""

    @property
    def related(self) -> tuple[Mapping[str, str], ...]:
        """Links every version gets (the release page), added to the related identifiers."""
        ...

    def fields(self, missing: frozenset[str]) -> dict[str, Any]:
        """Values for the `missing` fields, those of the ones a release may fill that no
        file sets (`metadata.read`'s `fill`): only the ones it can give."""
        ...

    def files(self) -> list[LocalFile]:
        """The release's files, downloaded and checked."""
        ...


@dataclass(frozen=True)
class Published:
    """What a run planned, what it asked for, where each field came from, how it ended."""

    plan: Plan
    request: PublishRequest
    result: PublishResult
    origins: Mapping[str, str]  # top-level field -> where it came from ("CITATION.cff", "the run")
    warnings: tuple[str, ...] = ()  # what the version did not get (a community, say)

    @property
    def own_version(self) -> bool:
        """A version of this run's own is published: now, or before (a re-run). Not when
        the run ended `unchanged` because the files equal another version's."""
        if self.result.status == "unchanged":
            return same_version(self.result.version, self.request.version)
        return self.result.status == "published"


# How a run makes the client of the repository's API (`client_for`; tests give their own).
ClientFactory = Callable[[ZenodoSettings], DepositAPI]


def publish(
    settings: PublishSettings,
    reporter: Reporter,
    release: ReleaseInput | None = None,
    *,
    client_factory: ClientFactory | None = None,
) -> Published:
    """Check, plan and (unless a dry run) publish; report the plan and the result."""
    record = checked_record(settings, reporter, release)
    make_client = client_factory or client_for
    # Ids Zenodo's vocabulary refuses, with `auto` on a host not known as Zenodo's: the
    # instance is asked at once, before any release file is fetched.
    api = make_client(settings.zenodo) if record.instance_vocabulary.invalid else None
    if api:
        zenodo_after_all(api.server, settings, reporter, record)
    with tempfile.TemporaryDirectory(prefix="zenodo-action-") as packed_in:  # private: 0700
        chosen = gather(settings, reporter, release, Path(packed_in))
        request = prepare(settings.zenodo, record, chosen, release.related if release else ())
        api = api or make_client(settings.zenodo)
        zenodo_after_all(api.server, settings, reporter, record, request)
        done = run(settings.zenodo, record, request, api)
    if settings.zenodo.dry_run:
        reporter.plan(render_plan(done.plan, done.request))
    reporter.result(done.result, done.request.metadata, done.origins)
    for warning in done.warnings:
        reporter.note("warning", warning, title=api.server)
    return done


def gather(
    settings: PublishSettings, reporter: Reporter, release: ReleaseInput | None, folder: Path
) -> list[LocalFile]:
    """Every file the version gets, checked: the `files` globs (a bad glob, a path outside
    the root or a Git LFS pointer fails before anything is downloaded), the release's
    files, and each folder line packed into a zip in `folder`."""
    root = settings.root.absolute()
    lines = [line for line in settings.files if not is_folder_line(line)]
    folder_lines = [line for line in settings.files if is_folder_line(line)]
    named = collect(lines, root, allow_outside=settings.allow_outside_root)
    pointers = pointer_check(settings, reporter)
    pointers.files([(str(f.path), f.path, f.size) for f in named])
    archive_scan.check_archives(pointers, [(str(f.path), f.path) for f in named], "files-archive")
    packed = folders.pack(
        folder_lines, root, folder, pointers=pointers, allow_outside=settings.allow_outside_root
    )
    for zipped in packed:
        assert zipped.packed is not None
        reporter.note("notice", zipped.packed.describe(zipped.name, zipped.size), title="Folder")
    chosen = (release.files() if release else []) + named + packed
    if not chosen:
        files = setting("files")
        raise UsageError(
            f"nothing to publish: {files} names no file"
            + (
                f", the release gives no asset and {setting('source-archive', 'none')}"
                if release
                else ""
            ),
            hint=f"name the files with {setting('files', 'dist/*')} "
            + per_door(command_line="(one or more globs)", runner="(one glob per line)"),
        )
    return chosen


def pointer_check(settings: PublishSettings, reporter: Reporter) -> PointerCheck:
    """Git LFS pointers refused, or (allow-lfs-pointers) archived with a warning."""

    def warn(message: str) -> None:
        reporter.note("warning", message, title="Git LFS pointers")

    return PointerCheck(settings.allow_lfs_pointers, warn)


def checked_record(
    settings: PublishSettings,
    reporter: Reporter,
    release: ReleaseInput | None = None,
) -> metadata.CheckedRecord:
    """The merged record, filled by the release where no file speaks; its problems
    reported; InvalidMetadata (status `invalid`) when it has errors."""
    record = metadata.read(
        settings.metadata_files,
        settings.root,
        run_context(settings, release),
        fill=release.fields if release else None,
    )
    destination = instance_name(settings.zenodo.zenodo_url, settings.zenodo.api)
    checked = record if destination == "Zenodo" else record.without_instance_vocabulary
    judge(checked, settings, reporter, destination)
    return record


def judge(
    record: metadata.CheckedRecord, settings: PublishSettings, reporter: Reporter, destination: str
) -> None:
    """Report the record's problems; InvalidMetadata (status `invalid`) on errors."""
    if record.has_problems:
        reporter.problems(record.problems)
    if record.invalid:
        reporter.output("status", "invalid")
        raise InvalidMetadata(
            record.errors, record.files_with_errors, settings.root, destination=destination
        )


def zenodo_after_all(
    server: str,
    settings: PublishSettings,
    reporter: Reporter,
    record: metadata.CheckedRecord,
    request: PublishRequest | None = None,
) -> None:
    """Zenodo's vocabulary and file limits, when `auto` found Zenodo behind a host it did
    not know: they could not be applied before the question, and nothing is written yet."""
    if server == "Zenodo" and instance_name(settings.zenodo.zenodo_url, settings.zenodo.api) != (
        "Zenodo"
    ):
        judge(record.instance_vocabulary, settings, reporter, server)
        if request:
            preflight(request.files, instance=server)


def run_context(settings: PublishSettings, release: ReleaseInput | None) -> metadata.Context:
    """What the metadata is checked for: a release or a data set, with the run's version
    and date, and the CITATION.cff files its write-back will update."""
    rewritten = frozenset(
        (settings.root / target.path).absolute()
        for target in settings.write_back.targets
        if target.kind == "citation"
    )
    return metadata.Context(
        "release" if release else "dataset",
        settings.repository,
        strict=settings.strict,
        version=settings.zenodo.version,
        publication_date=settings.zenodo.publication_date,
        rewritten=rewritten,
    )


def prepare(
    settings: ZenodoSettings,
    record: metadata.CheckedRecord,
    files: Sequence[LocalFile],
    related: Sequence[Mapping[str, str]] = (),
) -> PublishRequest:
    """Build the request and check the files; raise before touching Zenodo."""
    body = record.zenodo_metadata(related)  # anything unencodable fails here
    # Zenodo's limits where the run knows it publishes to Zenodo; `auto` on another host
    # learns it from the chosen client (`zenodo_after_all`), still before the first write.
    preflight(files, instance=instance_name(settings.zenodo_url, settings.api))
    return PublishRequest(
        metadata=body,
        files=tuple(files),
        concept=settings.concept,
        draft_only=settings.draft,
    )


def client_for(
    settings: ZenodoSettings,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DepositAPI:
    """The API client of a run (`api`: the one the instance answers for, or as chosen);
    tests pass a short `policy` and a `sleep` that records."""
    register(settings.token)
    return choose.client_for(
        settings.zenodo_url,
        settings.token,
        settings.api,
        concept=settings.concept,
        policy=policy,
        sleep=sleep,
        connections=settings.upload_workers + 1,  # and one for the heartbeat
    )


def run(
    settings: ZenodoSettings,
    record: metadata.CheckedRecord,
    request: PublishRequest,
    api: DepositAPI,
) -> Published:
    """Read, hash, plan and, unless a dry run, apply (one call to the Zenodo side); the
    result, and where each field sent came from."""
    done = deposit.publish(
        api,
        request,
        locate=record.locate,
        dry_run=settings.dry_run,
        workers=settings.upload_workers,
    )
    result = result_of(settings.zenodo_url, done.request, done.plan, done.outcome)
    origins = record.origins(done.request.metadata)
    return Published(done.plan, done.request, result, origins, done.warnings)
