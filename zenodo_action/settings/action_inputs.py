"""The Action's front door: the runner's `INPUT_*` and `GITHUB_*` variables become the
settings of one mode. Every input is parsed in either mode, so a typo in one another
event would use fails on every run; only publish mode needs a token and reads the
run's event. An unset input reads as action.yml's default (defaults.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from zenodo_action.errors import UsageError
from zenodo_action.github import inputs
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.event import PULL_REQUEST_EVENTS, load_context
from zenodo_action.metadata import MetadataPaths
from zenodo_action.settings import values
from zenodo_action.settings.defaults import INPUT_DEFAULTS, default, default_flag
from zenodo_action.settings.model import (
    ActionPublish,
    Backfill,
    ReleaseOptions,
    ValidateSettings,
    ZenodoSettings,
)

MODES = ("auto", "validate", "publish")
MISSING_CREDENTIAL_HINT = (
    "add `token: ${{ secrets.ZENODO_TOKEN }}` to the step, with a Zenodo token that has the "
    "deposit:write and deposit:actions scopes; pull requests only need mode: validate"
)


@dataclasses.dataclass(frozen=True)
class RunnerInputs:
    """The inputs as the runner passes them (github-actions.md §1.4); an unset or blank
    one reads as its default in action.yml."""

    variables: Mapping[str, str]  # the environment

    def text(self, name: str) -> str | None:
        fallback = INPUT_DEFAULTS[name]
        if fallback is not None and fallback.startswith("${{"):  # the runner's to fill
            fallback = None
        return inputs.get_input(name, fallback, environ=self.variables)

    def flag(self, name: str) -> bool:
        return inputs.get_bool(name, default_flag(name), environ=self.variables)

    def choice(self, name: str, choices: Iterable[str]) -> str:
        return inputs.get_choice(name, choices, default(name), environ=self.variables)

    def lines(self, name: str) -> list[str]:
        return inputs.get_multiline(name, environ=self.variables)

    def with_default(self, name: str) -> str:
        """An input that has a default: never None."""
        return inputs.get_input(name, environ=self.variables) or default(name)


def settings_from_runner(environ: Mapping[str, str]) -> ValidateSettings | ActionPublish:
    """The mode from the `mode` input and the event; in publish mode the run's context."""
    # Masked before anything else is printed, so no line can carry them unmasked.
    token = inputs.get_secret("token", environ=environ)
    github_token = inputs.get_secret("github-token", environ=environ)
    given = RunnerInputs(environ)
    mode = _mode(given.choice("mode", MODES), environ)
    archive = given.choice("source-archive", values.ARCHIVES)
    metadata_files = _metadata_files(given)
    zenodo = _zenodo(token or "", given)  # checked in either mode
    common: dict[str, Any] = {
        "root": _workspace(environ),
        "metadata_files": metadata_files,
        "output_format": "github",
        "fenced": False,  # the GitHub reporter writes commands, not text to fence
        "repository": values.repository_of(environ),
        "runner": runner_files(environ),
    }
    strict = given.flag("strict")
    require_complete = given.flag("require-complete")
    publishing = _publishing(given, archive, metadata_files)
    tag = values.release_tag(given.text("release-tag"), _named("release-tag"))
    if mode == "validate":  # no token, no network, no event payload: fork PRs work
        return ValidateSettings(**common, strict=strict, require_complete=require_complete)
    settings = ActionPublish(
        **common,
        **publishing,
        strict=strict,
        zenodo=zenodo,
        github_token=github_token,
        context=load_context(environ),
    )
    return _for_the_run(settings, tag)


def _publishing(given: RunnerInputs, archive: str, metadata_files: MetadataPaths) -> dict[str, Any]:
    """What only publish mode uses, parsed in either mode."""
    return {
        "files": tuple(given.lines("files")),
        "release": _release(given, archive),
        "allow_lfs_pointers": given.flag("allow-lfs-pointers"),
        "write_back": values.write_back_options(
            given.text("write-back"),
            given.text("readme-file"),
            metadata_files,
            _named("write-back"),
        ),
    }


def _named(name: str) -> str:
    return f"input '{name}'"


def _metadata_files(given: RunnerInputs) -> MetadataPaths:
    config = given.with_default("config")
    return MetadataPaths(
        None if config == values.DEFAULT_CONFIG else config,
        given.text("citation-file"),
        given.text("codemeta-file"),
    )


def _zenodo(token: str, given: RunnerInputs) -> ZenodoSettings:
    """The Action's publish inputs (the version and date a release gives come later)."""
    base = values.zenodo_url(given.text("zenodo-url"), sandbox=given.flag("sandbox"))
    api = values.api_choice(given.with_default("api"), _named("api"))
    return ZenodoSettings(
        zenodo_url=base,
        token=token,
        concept=values.concept_ref(given.text("concept"), base, api),
        version=given.text("version"),
        draft=not given.flag("publish"),
        dry_run=given.flag("dry-run"),
        upload_workers=values.count(
            given.with_default("upload-workers"),
            _named("upload-workers"),
            most=values.MOST_UPLOAD_WORKERS,
        ),
        api=api,
    )


def _release(given: RunnerInputs, archive: str) -> ReleaseOptions:
    return values.release_options(
        assets=given.flag("release-assets"),
        archive=archive,
        notes_badge=given.flag("release-notes-badge"),
        asset_wait=values.seconds(given.with_default("asset-wait"), _named("asset-wait")),
    )


def _for_the_run(settings: ActionPublish, tag: str | None) -> ActionPublish:
    """Publish mode under the runner: a token at last, and what the run's event adds
    (the tag as version, the release's day as publication date)."""
    context = settings.context
    if not settings.zenodo.token:
        raise UsageError(
            "input 'token' is empty: publishing needs a Zenodo token",
            hint=MISSING_CREDENTIAL_HINT,
        )
    if tag is not None:
        if context.release is not None:
            raise UsageError(
                "input 'release-tag' is for back-filling a release from a "
                "workflow_dispatch run; on a release event the event's release is published",
                hint="leave release-tag empty in the release workflow",
            )
        backfill = Backfill(tag, context.repository.full_name, context.api_url)
        return dataclasses.replace(settings, backfill=backfill)
    if context.release is not None:
        return settings.for_release(context.release)
    return settings.with_version(settings.zenodo.version or context.tag)


def runner_files(environ: Mapping[str, str]) -> RunnerFiles:
    """Where the runner takes the step's results. Read apart from the inputs, so that a
    run that fails on an input still leaves a job summary and a `status`."""
    return RunnerFiles(
        _workspace(environ),
        values.variable(environ, "GITHUB_OUTPUT"),
        values.variable(environ, "GITHUB_STEP_SUMMARY"),
    )


def _mode(given: str, environ: Mapping[str, str]) -> Literal["validate", "publish"]:
    """`auto` validates on pull-request events and publishes on any other."""
    if given == "validate" or (
        given == "auto" and environ.get("GITHUB_EVENT_NAME", "") in PULL_REQUEST_EVENTS
    ):
        return "validate"
    return "publish"


def _workspace(environ: Mapping[str, str]) -> Path:
    """The checkout: GITHUB_WORKSPACE inside the container, else the working directory."""
    given = values.optional_path(environ.get("GITHUB_WORKSPACE"))
    return given if given is not None and given.is_dir() else Path.cwd()
