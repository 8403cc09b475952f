"""The command line's front door: argparse's flags (cli.py) and ZENODO_TOKEN become the
settings of one mode. Nothing below reads a flag or the environment again, so a bad flag,
whatever it is, fails here with its name in the message.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zenodo_action import confined
from zenodo_action.errors import UsageError
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.event import REPOSITORY_PATTERN, check_url
from zenodo_action.metadata import MetadataPaths
from zenodo_action.settings import values
from zenodo_action.settings.defaults import default
from zenodo_action.settings.model import (
    Backfill,
    ConvertSettings,
    OutputFormat,
    PublishSettings,
    ReleaseOptions,
    ValidateSettings,
    ZenodoSettings,
)

GITHUB_API = "https://api.github.com"


def settings_from_args(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> ValidateSettings | ConvertSettings | PublishSettings:
    """`validate`, `convert` or `publish`, from its flags; the token from ZENODO_TOKEN."""
    common = _common(args, environ)
    if args.command == "convert":  # YAML is its text output
        convert_format: OutputFormat = "json" if args.format == "json" else "text"
        return ConvertSettings(**common, output_format=convert_format)
    if args.command == "validate":
        # `codeclimate`: GitLab's Code Quality report is a subset of Code Climate's
        validate_format: OutputFormat = "gitlab" if args.format == "codeclimate" else args.format
        return ValidateSettings(
            **common,
            output_format=validate_format,
            strict=args.strict,
            require_complete=args.require_complete,
        )
    return _publish(args, environ, common)


def _common(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, Any]:
    """What every subcommand's settings hold (`Settings`' fields but the output's)."""
    return {
        "root": Path("."),
        "metadata_files": MetadataPaths(args.config, args.citation_file, args.codemeta_file),
        "fenced": under_runner(environ),
        "runner": RunnerFiles(
            workspace=values.optional_path(environ.get("GITHUB_WORKSPACE")),
            summary=values.variable(environ, "GITHUB_STEP_SUMMARY"),
        ),
        "repository": values.repository_of(environ),
        "project_dir": values.optional_path(environ.get("CI_PROJECT_DIR")),
    }


def _publish(
    args: argparse.Namespace, environ: Mapping[str, str], common: dict[str, Any]
) -> PublishSettings:
    settings = PublishSettings(
        **common,
        output_format="json" if args.json else "text",
        strict=args.strict,
        zenodo=_zenodo(args, environ),
        files=tuple(args.files or ()),
        release=_release_options(args),
        write_back=values.write_back_options(
            args.write_back, args.readme_file, common["metadata_files"], "--write-back"
        ),
        allow_lfs_pointers=args.allow_lfs_pointers,
        allow_outside_root=args.allow_outside_root,
        dotenv=dotenv_path(args.dotenv, common["project_dir"]),
    )
    return _with_backfill(settings, args, environ)


def _zenodo(args: argparse.Namespace, environ: Mapping[str, str]) -> ZenodoSettings:
    """`publish`'s flags, the token from ZENODO_TOKEN only (never a flag: shell history)."""
    token = (environ.get("ZENODO_TOKEN") or "").strip()
    if not token:
        raise UsageError("set the ZENODO_TOKEN environment variable to a Zenodo access token")
    base = values.zenodo_url(args.zenodo_url, sandbox=args.sandbox)
    api = values.api_choice(args.api, "--api")
    return ZenodoSettings(
        zenodo_url=base,
        token=token,
        concept=values.concept_ref(args.concept, base, api),
        version=args.version,
        publication_date=values.publication_date(args.publication_date),
        draft=args.draft,
        dry_run=args.dry_run,
        upload_workers=values.count(
            args.upload_workers, "--upload-workers", most=values.MOST_UPLOAD_WORKERS
        ),
        api=api,
    )


def _release_options(args: argparse.Namespace) -> ReleaseOptions:
    """A back-filled release's files as flagged; the CLI leaves the release as it is
    (no badge) and publishes a past one (nothing is still uploading)."""
    return values.release_options(
        assets=not args.no_release_assets,
        archive=args.source_archive or default("source-archive"),
        notes_badge=False,
        asset_wait=0.0,
    )


def _with_backfill(
    settings: PublishSettings, args: argparse.Namespace, environ: Mapping[str, str]
) -> PublishSettings:
    """`--release-tag`: the release is read from GitHub (repository and token from the
    flags or GITHUB_REPOSITORY / GITHUB_TOKEN, as in a workflow step)."""
    tag = values.release_tag(args.release_tag, "--release-tag")
    if tag is None:
        given = [flag for flag, value in _release_flags(args) if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)} only apply with --release-tag")
        if not settings.files:
            raise UsageError("publish needs --files, or --release-tag to publish a release")
        return settings
    repository = (args.repository or "").strip() or settings.repository
    if not repository or not REPOSITORY_PATTERN.match(repository):
        raise UsageError(
            "--release-tag needs the repository as owner/name"
            + (f", not {repository!r}" if repository else ""),
            hint="pass --repository owner/name (or set GITHUB_REPOSITORY)",
        )
    api_url = args.github_api_url or values.variable(environ, "GITHUB_API_URL") or GITHUB_API
    return dataclasses.replace(
        settings,
        repository=repository,
        backfill=Backfill(tag, repository, check_url(api_url, "--github-api-url")),
        github_token=(environ.get("GITHUB_TOKEN") or "").strip() or None,
    )


def _release_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    """The back-fill's flags, None where not given."""
    return [
        ("--repository", args.repository),
        ("--github-api-url", args.github_api_url),
        ("--source-archive", args.source_archive),
        ("--no-release-assets", args.no_release_assets or None),
    ]


def under_runner(environ: Mapping[str, str]) -> bool:
    """The command line runs in a GitHub Actions step: what it prints is read for workflow
    commands, so it is fenced."""
    return environ.get("GITHUB_ACTIONS") == "true"


def dotenv_path(given: str | None, project_dir: Path | None = None) -> Path | None:
    """`--dotenv FILE`: checked before anything is published, since a report that cannot
    be written after the publish would fail a run whose version already exists. Only a
    regular file inside the project (CI_PROJECT_DIR, else the working directory) is
    written: never through a link, never a FIFO or device (confined.py)."""
    if given is None:
        return None
    path = Path(given.strip())
    if not given.strip() or (path.is_dir() and not path.is_symlink()):
        raise UsageError(f"--dotenv {given!r} is not a file name")
    confined.check_regular_file(path, project_dir or Path.cwd(), "--dotenv")
    return path
