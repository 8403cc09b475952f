"""A publish run from end to end, whichever front door it came through.

settings + config + files -> validate -> build metadata -> preflight -> observe -> decide
-> apply -> report. Everything that can fail locally fails before the first request to
Zenodo. What a release adds (its files, notes, upload type) comes in through a
`ReleaseSource`, so this module knows nothing of GitHub.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from zenodo_action import metadata as md
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.files import LocalFile, collect, preflight
from zenodo_action.http import HttpError, RetryPolicy
from zenodo_action.metadata.build import build_metadata
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult
from zenodo_action.secrets import register
from zenodo_action.settings import PublishSettings, Settings
from zenodo_action.zenodo import deposit
from zenodo_action.zenodo.api import DepositAPI
from zenodo_action.zenodo.client import ZenodoClient
from zenodo_action.zenodo.errors import Locate, explain
from zenodo_action.zenodo.plan import Plan, PublishRequest, decide
from zenodo_action.zenodo.results import render_plan, result_of


class InvalidMetadata(ActionError):
    """The config has errors; `problems` lists them all."""

    def __init__(self, config: md.Config, problems: Sequence[md.Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(
            f"{config.path} has {len(errors)} error(s); nothing was sent to Zenodo",
            hint=f"run `zenodo-action validate --config {config.path}` for details",
        )
        self.config = config
        self.problems = list(problems)


@dataclass(frozen=True)
class ReleaseDefaults:
    """What a release adds when the metadata leaves it out."""

    description: str | None = None
    upload_type: str | None = None
    related: tuple[Mapping[str, str], ...] = ()


class ReleaseSource(Protocol):
    """A release being published: its files, and what it says about itself."""

    @property
    def fills(self) -> frozenset[str]:
        """Required top-level fields the release supplies when the file has none."""
        ...

    def files(self) -> list[LocalFile]:
        """The release's files, downloaded and checked."""
        ...

    def defaults(self, config: md.Config) -> ReleaseDefaults: ...


@dataclass(frozen=True)
class Published:
    """What a run planned, what it asked for, and what it ended with."""

    plan: Plan
    request: PublishRequest
    result: PublishResult


def publish(
    settings: Settings, reporter: Reporter, release: ReleaseSource | None = None
) -> Published:
    """Check, plan and (unless a dry run) publish; report the plan and the result."""
    assert settings.publish is not None, "publish needs publish settings"
    config = checked_config(settings, reporter, release.fills if release else frozenset())
    named = collect(settings.files, settings.root.absolute())  # a bad glob fails first
    chosen = (release.files() if release else []) + named
    if not chosen:
        raise UsageError(
            "nothing to publish: the `files` input is empty"
            + (", the release has no assets and source-archive is none" if release else ""),
            hint="name the files with the `files` input, one glob per line (e.g. dist/*)",
        )
    defaults = release.defaults(config) if release else ReleaseDefaults()
    request = prepare(settings.publish, config, chosen, defaults)
    done = run(settings.publish, config, request, client_for(settings.publish))
    if settings.publish.dry_run:
        reporter.plan(render_plan(done.plan, request))
    reporter.result(done.result, request.metadata)
    return done


def checked_config(
    settings: Settings, reporter: Reporter, filled: frozenset[str] = frozenset()
) -> md.Config:
    """The valid config, its warnings reported; or its problems reported, status `invalid`."""
    try:
        config, warnings = valid_config(md.find_config(settings.config, settings.root), filled)
    except InvalidMetadata as error:
        reporter.problems(error.problems, error.config.path)
        reporter.output("status", "invalid")
        raise
    if warnings:
        reporter.problems(warnings, config.path)
    return config


def valid_config(
    path: Path, filled: frozenset[str] = frozenset()
) -> tuple[md.Config, list[md.Problem]]:
    """The config and its warnings; InvalidMetadata when it has errors.

    `filled` names required top-level fields the caller supplies when the file has none
    (a release's upload_type), so their absence is not an error.
    """
    config = md.load_config(path)
    problems = [p for p in md.validate(config) if not (p.code == "required" and p.path in filled)]
    if any(p.severity == md.ERROR for p in problems):
        raise InvalidMetadata(config, problems)
    return config, problems


def prepare(
    settings: PublishSettings,
    config: md.Config,
    files: Sequence[LocalFile],
    defaults: ReleaseDefaults = ReleaseDefaults(),
) -> PublishRequest:
    """Build the request and check the files; raise before touching Zenodo."""
    metadata = build_metadata(
        config.data or {},
        version=settings.version,
        publication_date=settings.publication_date,
        default_description=defaults.description,
        default_upload_type=defaults.upload_type,
        related=defaults.related,
    )
    preflight(files)
    return PublishRequest(
        metadata=metadata,
        files=tuple(files),
        concept=settings.concept,
        draft_only=settings.draft,
    )


def locator(config: md.Config) -> Locate:
    """Zenodo's error fields (`metadata.creators.0.name`) -> places in the user's file."""

    def locate(field: str) -> tuple[str | None, int | None, int | None]:
        path = md.path_from_zenodo_field(field)
        if not path:  # about the whole record (files.enabled, _schema): no line to point at
            return None, None, None
        line, column = config.position(path)
        return str(config.path), line, column

    return locate


def client_for(settings: PublishSettings, policy: RetryPolicy | None = None) -> DepositAPI:
    register(settings.token)
    return ZenodoClient(settings.zenodo_url, settings.token, policy=policy)


def run(
    settings: PublishSettings, config: md.Config, request: PublishRequest, api: DepositAPI
) -> Published:
    """Observe and decide, and unless this is a dry run, apply."""
    try:
        the_plan = decide(deposit.observe(api, request), request)
        outcome = None
        if not settings.dry_run:
            outcome = deposit.apply(api, the_plan, request, locate=locator(config))
    except HttpError as error:  # a read that failed for good: the writes explain themselves
        raise explain(error, doing="read the record's current state") from None
    result = result_of(settings.zenodo_url, request, the_plan, outcome)
    return Published(the_plan, request, result)
