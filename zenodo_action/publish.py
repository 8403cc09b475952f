"""A publish run from end to end, whichever front door it came through.

settings + config + files -> validate -> build metadata -> preflight -> observe -> decide
-> apply -> report. Everything that can fail locally fails before the first request to
Zenodo. What a release adds (its files, notes, upload type) comes in through a
`ReleaseInput`, so this module knows nothing of GitHub.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from zenodo_action import folders
from zenodo_action import metadata as md
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.files import LocalFile, collect, is_folder_line, preflight
from zenodo_action.http import RetryPolicy
from zenodo_action.lfs import PointerCheck
from zenodo_action.metadata import record as merged
from zenodo_action.metadata.build import Place, build_metadata, request_body
from zenodo_action.naming import per_door, setting
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult
from zenodo_action.secrets import register
from zenodo_action.settings import PublishSettings, Settings
from zenodo_action.versions import same_version
from zenodo_action.zenodo import choose, deposit
from zenodo_action.zenodo.api import DepositAPI
from zenodo_action.zenodo.errors import Locate
from zenodo_action.zenodo.plan import Plan, PublishRequest
from zenodo_action.zenodo.results import render_plan, result_of


class InvalidMetadata(ActionError):
    """The metadata has errors; `found` lists every problem, per file."""

    def __init__(self, found: Mapping[Path, Sequence[md.Problem]], root: Path | None = None):
        errors = merged.errors_in(found)
        files = ", ".join(
            _shown(path, root) for path, problems in found.items() if _has_errors(problems)
        )
        # No hint to run `validate`: every problem was reported with this error
        # (`_stop_if_invalid`): lines or annotations before it, the job summary's table.
        noun, each = ("error", "it is") if errors == 1 else ("errors", "each is")
        super().__init__(
            f"the metadata has {errors} {noun} in {files} ({each} listed with its line); "
            "nothing was sent to Zenodo"
        )
        self.found = found


def _shown(path: Path, root: Path | None) -> str:
    """A file as the user knows it: relative to the root it was read from."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return str(path)


def _has_errors(problems: Sequence[md.Problem]) -> bool:
    return any(p.severity == md.ERROR for p in problems)


# What a release fills in when no file sets it (as Zenodo's GitHub integration does).
FILLABLE = ("title", "upload_type", "creators", "license", "description")


class ReleaseInput(Protocol):
    """A release being published: its files, and what it and its repository say."""

    @property
    def related(self) -> tuple[Mapping[str, str], ...]:
        """Links every version gets (the release page), added to the related identifiers."""
        ...

    def fields(self, missing: frozenset[str]) -> dict[str, Any]:
        """Values for those of FILLABLE that no file sets (only the ones it can give)."""
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
    origins: Mapping[str, str]  # top-level field -> its source ("CITATION.cff", "the release")
    warnings: tuple[str, ...] = ()  # what the version did not get (a community, say)

    @property
    def own_version(self) -> bool:
        """A version of this run's own is published: now, or before (a re-run). Not when
        the run ended `unchanged` because the files equal another version's."""
        if self.result.status == "unchanged":
            return same_version(self.result.version, self.request.version)
        return self.result.status == "published"


# How a run makes the client of the repository's API (`client_for`; tests give their own).
ClientFactory = Callable[[PublishSettings], DepositAPI]


def publish(
    settings: Settings,
    reporter: Reporter,
    release: ReleaseInput | None = None,
    *,
    client_factory: ClientFactory | None = None,
) -> Published:
    """Check, plan and (unless a dry run) publish; report the plan and the result."""
    assert settings.publish is not None, "publish needs publish settings"
    record = checked_record(settings, reporter, release)
    with tempfile.TemporaryDirectory(prefix="zenodo-action-") as packed_in:  # private: 0700
        chosen = gather(settings, reporter, release, Path(packed_in))
        request = prepare(settings.publish, record, chosen, release.related if release else ())
        api = (client_factory or client_for)(settings.publish)
        done = run(settings.publish, record, request, api)
    if settings.publish.dry_run:
        reporter.plan(render_plan(done.plan, done.request))
    reporter.result(done.result, done.request.metadata, done.origins)
    for warning in done.warnings:
        reporter.note("warning", warning, title="Zenodo")
    return done


def gather(
    settings: Settings, reporter: Reporter, release: ReleaseInput | None, folder: Path
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


def pointer_check(settings: Settings, reporter: Reporter) -> PointerCheck:
    """Git LFS pointers refused, or (allow-lfs-pointers) archived with a warning."""

    def warn(message: str) -> None:
        reporter.note("warning", message, title="Git LFS pointers")

    return PointerCheck(settings.allow_lfs_pointers, warn)


def checked_record(
    settings: Settings, reporter: Reporter, release: ReleaseInput | None = None
) -> merged.Record:
    """The merged record, filled by the release where no file speaks; its problems
    reported; InvalidMetadata (status `invalid`) when it has errors. The files are judged
    before the release is asked for anything: a broken file costs no GitHub request."""
    loaded = merged.load(merged.find(settings.metadata_files, settings.root))
    record = merged.Record.merge(loaded)
    if release is not None:
        gate = merged.problems_by_file(record, merged.Context("gate"))
        _stop_if_invalid(_strictly(gate, settings.strict), reporter, settings.root)
        missing = frozenset(key for key in FILLABLE if _blank(record.data.get(key)))
        filled = release.fields(missing) if missing else {}
        if filled:
            record = merged.Record.merge([*loaded, merged.release_file(filled)])
    context = merged.Context("release" if release else "dataset", settings.repository)
    found = merged.problems_by_file(record, context)
    if release is not None:
        _add_stale_citation_warnings(record, settings, found)
    found = _strictly(found, settings.strict)
    _stop_if_invalid(found, reporter, settings.root)
    if any(found.values()):
        reporter.problems(found)
    return record


def _strictly(found: dict[Path, list[md.Problem]], strict: bool) -> dict[Path, list[md.Problem]]:
    """`strict`: the warnings stop the run too (what Zenodo takes, but the files' own
    formats do not)."""
    return {path: md.as_errors(problems) for path, problems in found.items()} if strict else found


def _stop_if_invalid(
    found: dict[Path, list[md.Problem]], reporter: Reporter, root: Path | None = None
) -> None:
    if merged.errors_in(found):
        reporter.problems(found)
        reporter.output("status", "invalid")
        raise InvalidMetadata(found, root)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _add_stale_citation_warnings(
    record: merged.Record, settings: Settings, found: dict[Path, list[md.Problem]]
) -> None:
    """A CITATION.cff whose version or date disagrees with the release: the release wins,
    but the file citing users read is stale, a chore for the user unless this run's
    write-back updates it (then it is only a notice)."""
    publish = settings.publish
    if publish is None:
        return
    checks = (
        ("version", publish.version, "version"),
        ("publication_date", publish.publication_date, "date-released"),
    )
    for field, released, cff_key in checks:
        source = record.owner.get(field)
        written = record.data.get(field)
        if source is None or source.kind != "citation" or not released or not written:
            continue
        if same_version(str(written), str(released)):
            continue
        line, column = source.config.position(cff_key)
        said = f"says {written!r}, but the release being published says {released!r}"
        if _written_back(source.path, settings):
            message = f"{said} (Zenodo gets that); {WRITTEN_BACK}"
            problem = md.Problem(md.NOTICE, cff_key, message, line, column, "stale-citation")
        else:
            message = (
                f"{said}; the release wins on Zenodo, but users citing from CITATION.cff "
                f"get the stale {cff_key}: update it"
            )
            problem = md.Problem(md.WARNING, cff_key, message, line, column, "stale-citation")
        found.setdefault(source.path, []).append(problem)


WRITTEN_BACK = per_door(
    command_line="--write-back updates it in the working tree after publishing",
    runner="the write-back pull request updates it",
)


def _written_back(path: Path, settings: Settings) -> bool:
    """The run's write-back edits this CITATION.cff (its version and date-released)."""
    return any(
        target.kind == "citation" and (settings.root / target.path).absolute() == path.absolute()
        for target in settings.write_back.targets
    )


def prepare(
    settings: PublishSettings,
    record: merged.Record,
    files: Sequence[LocalFile],
    related: Sequence[Mapping[str, str]] = (),
) -> PublishRequest:
    """Build the request and check the files; raise before touching Zenodo."""
    metadata = build_metadata(
        record.data,
        version=settings.version,
        publication_date=settings.publication_date,
        related=related,
    )
    request_body(metadata, _place_in(record))  # anything unencodable fails here, not in a PUT
    preflight(files)
    return PublishRequest(
        metadata=metadata,
        files=tuple(files),
        concept=settings.concept,
        draft_only=settings.draft,
    )


def _place_in(record: merged.Record) -> Place:
    """A field's path -> the file and line that hold it."""

    def place(path: str) -> tuple[str | None, int | None, int | None]:
        line, column = record.position(path)
        return str(record.home(path).path), line, column

    return place


def locator(record: merged.Record) -> Locate:
    """Zenodo's error fields (`metadata.creators.0.name`) -> places in the user's files."""

    def locate(field: str) -> tuple[str | None, int | None, int | None]:
        path = md.path_from_zenodo_field(field)
        if not path:  # about the whole record (files.enabled, _schema): no line to point at
            return None, None, None
        line, column = record.position(path)
        return str(record.home(path).path), line, column

    return locate


def client_for(
    settings: PublishSettings,
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
    settings: PublishSettings, record: merged.Record, request: PublishRequest, api: DepositAPI
) -> Published:
    """Observe and decide, and unless this is a dry run, apply."""
    done = deposit.publish(
        api,
        request,
        locate=locator(record),
        dry_run=settings.dry_run,
        workers=settings.upload_workers,
    )
    result = result_of(settings.zenodo_url, done.request, done.plan, done.outcome)
    origins = origins_of(record, done.request, settings)
    return Published(done.plan, done.request, result, origins, done.warnings)


def origins_of(
    record: merged.Record, request: PublishRequest, settings: PublishSettings
) -> dict[str, str]:
    """Where each top-level field that is sent came from."""
    origins = record.origins()
    run_given = {"version": settings.version, "publication_date": settings.publication_date}
    for key in request.metadata:
        if run_given.get(key) or key not in origins:
            origins[key] = "the run"
    return {key: origins[key] for key in request.metadata}
