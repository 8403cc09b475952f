"""A publish run from end to end, whichever front door it came through.

settings + config + files -> validate -> build metadata -> preflight -> observe -> decide
-> apply -> report. Everything that can fail locally fails before the first request to
Zenodo. What a release adds (its files, notes, upload type) comes in through a
`ReleaseSource`, so this module knows nothing of GitHub.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from zenodo_action import metadata as md
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.files import LocalFile, collect, preflight
from zenodo_action.http import HttpError, RetryPolicy
from zenodo_action.metadata import sources
from zenodo_action.metadata.build import Place, build_metadata, request_body
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult
from zenodo_action.secrets import register
from zenodo_action.settings import PublishSettings, Settings
from zenodo_action.zenodo import choose, deposit
from zenodo_action.zenodo.api import DepositAPI, Deposition, Prepared
from zenodo_action.zenodo.errors import FieldErrors, Locate, explain, rejected
from zenodo_action.zenodo.plan import Plan, PublishRequest, decide, same_version
from zenodo_action.zenodo.results import render_plan, result_of


class InvalidMetadata(ActionError):
    """The metadata has errors; `found` lists every problem, per file."""

    def __init__(self, found: Mapping[Path, Sequence[md.Problem]]) -> None:
        errors = sources.errors_in(found)
        files = ", ".join(str(path) for path, problems in found.items() if _has_errors(problems))
        # No hint to run `validate`: every problem was reported just before this error
        # (`_stop_if_invalid`), as annotations or lines above it.
        noun = "error" if errors == 1 else "errors"
        super().__init__(
            f"the metadata has {errors} {noun} ({files}), shown above; nothing was sent to Zenodo"
        )
        self.found = found


def _has_errors(problems: Sequence[md.Problem]) -> bool:
    return any(p.severity == md.ERROR for p in problems)


# What a release fills in when no file sets it (as Zenodo's GitHub integration does).
FILLABLE = ("title", "upload_type", "creators", "license", "description")


class ReleaseSource(Protocol):
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


def publish(
    settings: Settings, reporter: Reporter, release: ReleaseSource | None = None
) -> Published:
    """Check, plan and (unless a dry run) publish; report the plan and the result."""
    assert settings.publish is not None, "publish needs publish settings"
    record = checked_record(settings, reporter, release)
    # A bad glob, or a path outside the root, fails before the first request.
    named = collect(
        settings.files, settings.root.absolute(), allow_outside=settings.allow_outside_root
    )
    chosen = (release.files() if release else []) + named
    if not chosen:
        raise UsageError(
            "nothing to publish: the `files` input is empty"
            + (", the release has no assets and source-archive is none" if release else ""),
            hint="name the files with the `files` input, one glob per line (e.g. dist/*)",
        )
    request = prepare(settings.publish, record, chosen, release.related if release else ())
    done = run(settings.publish, record, request, client_for(settings.publish))
    if settings.publish.dry_run:
        reporter.plan(render_plan(done.plan, done.request))
    reporter.result(done.result, done.request.metadata, done.origins)
    for warning in done.warnings:
        reporter.note("warning", warning, title="Zenodo")
    return done


def checked_record(
    settings: Settings, reporter: Reporter, release: ReleaseSource | None = None
) -> sources.Record:
    """The merged record, filled by the release where no file speaks; its problems
    reported; InvalidMetadata (status `invalid`) when it has errors. The files are judged
    before the release is asked for anything: a broken file costs no GitHub request."""
    loaded = sources.load(sources.find(settings.sources, settings.root))
    record = sources.Record.merge(loaded)
    if release is not None:
        _stop_if_invalid(sources.problems_by_file(record, sources.Context("gate")), reporter)
        missing = frozenset(key for key in FILLABLE if _blank(record.data.get(key)))
        filled = release.fields(missing) if missing else {}
        if filled:
            record = sources.Record.merge([*loaded, sources.release_source(filled)])
    context = sources.Context("release" if release else "dataset", settings.repository)
    found = sources.problems_by_file(record, context)
    if release is not None:
        _add_stale_citation_warnings(record, settings.publish, found)
    _stop_if_invalid(found, reporter)
    if any(found.values()):
        reporter.problems(found)
    return record


def _stop_if_invalid(found: dict[Path, list[md.Problem]], reporter: Reporter) -> None:
    if sources.errors_in(found):
        reporter.problems(found)
        reporter.output("status", "invalid")
        raise InvalidMetadata(found)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _add_stale_citation_warnings(
    record: sources.Record, publish: PublishSettings | None, found: dict[Path, list[md.Problem]]
) -> None:
    """A CITATION.cff whose version or date disagrees with the release: the release wins,
    but the file citing users read is stale."""
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
        if str(written).removeprefix("v") == str(released).removeprefix("v"):
            continue
        line, column = source.config.position(cff_key)
        message = (
            f"says {written!r}, but the release being published says {released!r}; the "
            f"release wins on Zenodo, but users citing from CITATION.cff get the stale "
            f"{cff_key}: update it"
        )
        found.setdefault(source.path, []).append(
            md.Problem(md.WARNING, cff_key, message, line, column, "stale-citation")
        )


def prepare(
    settings: PublishSettings,
    record: sources.Record,
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


def _place_in(record: sources.Record) -> Place:
    """A field's path -> the file and line that hold it."""

    def place(path: str) -> tuple[str | None, int | None, int | None]:
        line, column = record.position(path)
        return str(record.home(path).path), line, column

    return place


def locator(record: sources.Record) -> Locate:
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
    settings: PublishSettings, record: sources.Record, request: PublishRequest, api: DepositAPI
) -> Published:
    """Observe and decide, and unless this is a dry run, apply."""
    try:
        snapshot = deposit.observe(api, request)
        prepared = _prepared(api, request, snapshot.latest, locator(record))
        request = replace(request, metadata=prepared.metadata, comparable=prepared.comparable)
        remote = [f for d in (*snapshot.depositions, snapshot.latest) if d for f in d.files]
        hashed = deposit.hash_where_needed(
            remote, request.files, every=settings.dry_run, workers=settings.upload_workers
        )
        request = request.with_files(hashed)
        the_plan = decide(snapshot, request)
        outcome = None
        if not settings.dry_run:
            outcome = deposit.apply(
                api,
                the_plan,
                request,
                locate=_through(prepared, locator(record)),
                workers=settings.upload_workers,
            )
    except HttpError as error:  # a read that failed for good: the writes explain themselves
        raise explain(error, doing="read the record's current state", server=api.server) from None
    result = result_of(settings.zenodo_url, request, the_plan, outcome)
    origins = origins_of(record, request, settings)
    warnings = prepared.warnings + (outcome.warnings if outcome else ())
    return Published(the_plan, request, result, origins, warnings)


def _prepared(
    api: DepositAPI, request: PublishRequest, latest: Deposition | None, locate: Locate
) -> Prepared:
    """The metadata in the API's terms; what it cannot take fails here, located in the
    user's files, before the first write."""
    try:
        return api.prepare(request.metadata, latest)
    except FieldErrors as refused:
        text = f"the metadata cannot be published through {api.name}; nothing was sent"
        raise rejected(text, refused.pairs, locate, server=api.server) from None


def _through(prepared: Prepared, locate: Locate) -> Locate:
    """Locate the API's error fields through the metadata's fields they came from."""
    return lambda field: locate(prepared.field_of(field))


def origins_of(
    record: sources.Record, request: PublishRequest, settings: PublishSettings
) -> dict[str, str]:
    """Where each top-level field that is sent came from."""
    origins = record.sources_of_fields()
    run_given = {"version": settings.version, "publication_date": settings.publication_date}
    for key in request.metadata:
        if run_given.get(key) or key not in origins:
            origins[key] = "the run"
    return {key: origins[key] for key in request.metadata}
