"""A publish run from end to end, shared by the command line and the Action.

settings + config + files -> validate -> build metadata -> preflight -> plan -> apply.
Everything that can fail locally fails before the first request to Zenodo.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zenodo_action import metadata as md
from zenodo_action import report
from zenodo_action.errors import ActionError
from zenodo_action.files import LocalFile, preflight
from zenodo_action.http import HttpError, RetryPolicy
from zenodo_action.metadata.build import build_metadata
from zenodo_action.secrets import register
from zenodo_action.settings import PublishSettings
from zenodo_action.zenodo import deposit
from zenodo_action.zenodo.client import ZenodoClient
from zenodo_action.zenodo.errors import Locate, explain

log = logging.getLogger("zenodo_action.publish")


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
    """What a GitHub release adds when the file leaves it out (issue: Release -> Zenodo)."""

    description: str | None = None
    upload_type: str | None = None
    related: tuple[Mapping[str, str], ...] = ()


def valid_config(
    path: Path, *, filled: frozenset[str] = frozenset()
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
) -> deposit.PublishRequest:
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
    return deposit.PublishRequest(
        metadata=metadata,
        files=tuple(files),
        concept=settings.concept,
        draft_only=settings.draft,
        takeover_after=settings.takeover_after,
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


def client_for(settings: PublishSettings, policy: RetryPolicy | None = None) -> ZenodoClient:
    register(settings.token)
    return ZenodoClient(settings.zenodo_url, settings.token, policy=policy)


@dataclass(frozen=True)
class Published:
    """What a run did: the plan, the outcome (None for a dry run) and the result data."""

    plan: deposit.Plan
    outcome: deposit.Outcome | None
    result: dict[str, Any]


def run(
    settings: PublishSettings,
    config: md.Config,
    request: deposit.PublishRequest,
    client: ZenodoClient,
) -> Published:
    """Plan, and unless this is a dry run, apply."""
    try:
        the_plan = deposit.plan(client, request)
        outcome = None
        if not settings.dry_run:
            outcome = deposit.apply(client, the_plan, request, locate=locator(config))
    except HttpError as error:  # a read that failed for good: the writes explain themselves
        raise explain(error, doing="read the record's current state") from None
    return Published(
        the_plan, outcome, report.result_of(settings.zenodo_url, request, the_plan, outcome)
    )
