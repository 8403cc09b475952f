"""The GitHub Action: the runner's environment in, annotations, outputs and an exit code out.

Three uses (action.yml): validate `.zenodo.yml` on pull requests (no token, so forks
work); publish a release's assets and source archive as the next version of a concept;
publish the files a scheduled or manual run names (datasets). Everything below is
wiring: the work is done by `metadata`, `publish` and `github.releases`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from zenodo_action import files, logs, metadata, publish, report, settings
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, ActionError, UsageError
from zenodo_action.github import commands, inputs
from zenodo_action.github.event import Release, RunContext, load_context
from zenodo_action.github.releases import GitHubClient, GitHubError, make_download_dir
from zenodo_action.metadata.report import workspace_relative
from zenodo_action.secrets import guard_std_streams
from zenodo_action.zenodo.deposit import PublishRequest
from zenodo_action.zenodo.errors import ZenodoRejected

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
# `published` fires once for releases and pre-releases alike; `created`, `released` and
# `prereleased` fire for the same release too, and would publish it twice (§3.1).
RELEASE_ACTION = "published"
ASSET_WAIT_SECONDS = 120.0  # a release published before its assets were attached (§3.3)
ASSET_POLL_SECONDS = 10.0
OUTPUT_FIELDS = {
    "doi": "doi",
    "doi-url": "doi_url",
    "concept-doi": "concept_doi",
    "record-id": "record_id",
    "record-url": "record_url",
    "version": "version",
    "badge": "badge",
    "status": "status",
}
MISSING_CREDENTIAL_HINT = (
    "add `token: ${{ secrets.ZENODO_TOKEN }}` to the step, with a Zenodo token that has the "
    "deposit:write and deposit:actions scopes; pull requests only need mode: validate"
)


def main() -> int:
    guard_std_streams()
    # Masked before anything else is printed, so no line can carry them unmasked.
    token = inputs.get_secret("token")
    github_token = inputs.get_secret("github-token")
    logs.setup(runner=True)
    workspace = _workspace()
    try:
        mode = _mode()
        if mode == "validate":
            return validate(workspace)
        return publish_run(load_context(), workspace, token, github_token)
    except ActionError as error:
        report_error(error, workspace)
        return error.exit_code
    except KeyboardInterrupt:
        commands.emit(commands.annotation("error", "interrupted", title="zenodo-action"))
        return 130
    except Exception as error:  # a bug: one line, never a traceback with request details
        if os.environ.get("ZENODO_ACTION_DEBUG"):
            raise
        message = f"internal error: {type(error).__name__}: {error}; this is a bug in zenodo-action"
        commands.emit(commands.annotation("error", message, title="zenodo-action"))
        return EXIT_FAILURE


def _workspace() -> Path:
    """The checkout: GITHUB_WORKSPACE inside the container, else the working directory."""
    given = os.environ.get("GITHUB_WORKSPACE", "").strip()
    return Path(given) if given and Path(given).is_dir() else Path.cwd()


def _mode() -> str:
    mode = inputs.get_choice("mode", ("auto", "validate", "publish"), "auto")
    if mode != "auto":
        return mode
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    return "validate" if event in PULL_REQUEST_EVENTS else "publish"


def _config_path(workspace: Path) -> Path:
    """The `config` input under the workspace; the default also finds a `.zenodo.json`."""
    given = inputs.get_input("config")
    return metadata.find_config(None if given in (None, ".zenodo.yml") else given, workspace)


# --- validate ------------------------------------------------------------------------


def validate(workspace: Path) -> int:
    """Check the metadata offline: annotations on its lines, status valid or invalid."""
    try:
        path = _config_path(workspace)
        config = metadata.load_config(path)
    except ActionError:
        commands.set_output("status", "invalid")
        raise
    problems = metadata.validate(config)
    sys.stdout.write(metadata.render_github(problems, path, workspace=str(workspace)))
    invalid = any(p.severity == metadata.ERROR for p in problems)
    commands.set_output("status", "invalid" if invalid else "valid")
    return EXIT_FAILURE if invalid else EXIT_OK


# --- publish -------------------------------------------------------------------------


def publish_run(
    context: RunContext, workspace: Path, token: str | None, github_token: str | None
) -> int:
    release = _release_to_publish(context)
    if context.event_name == "release" and release is None:
        return EXIT_OK
    run_settings = _publish_settings(context, token)
    add_badge = inputs.get_bool("release-notes-badge", True)  # parsed before anything is sent
    config = _checked_config(workspace, release is not None)
    github = GitHubClient.for_run(context, github_token)
    download_dir = make_download_dir()
    try:
        upload = _files(github, release, workspace, download_dir)
        request = publish.prepare(run_settings, config, upload, _defaults(github, release, config))
        done = publish.run(run_settings, config, request, publish.client_for(run_settings))
    finally:
        shutil.rmtree(download_dir, ignore_errors=True)
    _show(done, request, run_settings)
    if add_badge and release is not None:
        _add_badge(github, release, done.result, request.version)
    return EXIT_OK


def _release_to_publish(context: RunContext) -> Release | None:
    """The release of a `release: published` event; None (with a notice) for other actions."""
    release = context.release
    if release is None:
        return None
    if context.event_action != RELEASE_ACTION or release.draft:
        what = "a draft release" if release.draft else f"release action '{context.event_action}'"
        commands.emit(
            commands.annotation(
                "notice",
                f"nothing to do for {what}: zenodo-action publishes when a release is "
                "published; subscribe with `on: release: types: [published]`",
                title="zenodo-action",
            )
        )
        return None
    return release


def _publish_settings(context: RunContext, token: str | None) -> settings.PublishSettings:
    if not token:
        raise UsageError(
            "input 'token' is empty: publishing needs a Zenodo token", hint=MISSING_CREDENTIAL_HINT
        )
    base = settings.zenodo_url(
        inputs.get_input("zenodo-url"), sandbox=inputs.get_bool("sandbox", False)
    )
    release = context.release
    return settings.PublishSettings(
        zenodo_url=base,
        token=token,
        concept=settings.concept_ref(inputs.get_input("concept"), base),
        version=inputs.get_input("version") or context.tag,
        publication_date=release.published_date if release else None,
        draft=not inputs.get_bool("publish", True),
        dry_run=inputs.get_bool("dry-run", False),
    )


def _checked_config(workspace: Path, on_release: bool) -> metadata.Config:
    """The valid config, or annotations on the file's lines and status `invalid`."""
    filled = frozenset({"upload_type"}) if on_release else frozenset()
    try:
        config, warnings = publish.valid_config(_config_path(workspace), filled=filled)
    except publish.InvalidMetadata as error:
        sys.stdout.write(
            metadata.render_github(error.problems, error.config.path, workspace=str(workspace))
        )
        commands.set_output("status", "invalid")
        raise
    if warnings:
        sys.stdout.write(metadata.render_github(warnings, config.path, workspace=str(workspace)))
    return config


def _files(
    github: GitHubClient, release: Release | None, workspace: Path, download_dir: Path
) -> list[files.LocalFile]:
    """Release assets and source archive (on a release), then what `files` names."""
    named = files.collect(inputs.get_multiline("files"), workspace)  # a bad glob fails first
    chosen = (_release_files(github, release, download_dir) if release else []) + named
    if not chosen:
        raise UsageError(
            "nothing to publish: the `files` input is empty"
            + (", the release has no assets and source-archive is none" if release else ""),
            hint="name the files with the `files` input, one glob per line (e.g. dist/*)",
        )
    return chosen


def _release_files(
    github: GitHubClient, release: Release, download_dir: Path
) -> list[files.LocalFile]:
    archive = inputs.get_choice("source-archive", ("zip", "tar.gz", "none"), "zip")
    paths: list[Path] = []
    if inputs.get_bool("release-assets", True):
        assets = github.wait_for_assets(
            release.id,
            expect_some=True,
            timeout=ASSET_WAIT_SECONDS,
            poll_interval=ASSET_POLL_SECONDS,
        )
        paths += [github.download_asset(asset, download_dir) for asset in assets]
    if archive != "none":
        paths.append(github.download_source_archive(release.tag_name, archive, download_dir))
    return [files.local_file(path) for path in paths]


def _defaults(
    github: GitHubClient, release: Release | None, config: metadata.Config
) -> publish.ReleaseDefaults:
    """What a release adds: notes as description, upload type, a link to its page."""
    if release is None:
        return publish.ReleaseDefaults()
    data = config.data if isinstance(config.data, dict) else {}
    description = None
    if not str(data.get("description") or "").strip():
        description = github.render_markdown(release.notes) or None
    return publish.ReleaseDefaults(
        description=description,
        upload_type="software",
        related=(
            {
                "identifier": release.html_url,
                "relation": "isSupplementTo",
                "scheme": "url",
            },
        ),
    )


# --- what the user sees --------------------------------------------------------------


def _show(
    done: publish.Published, request: PublishRequest, run_settings: settings.PublishSettings
) -> None:
    if run_settings.dry_run:
        commands.emit(commands.untrusted(report.render_plan(done.plan, request)))
    commands.emit(commands.untrusted(report.render_result(done.result)))
    for name, key in OUTPUT_FIELDS.items():
        value = done.result.get(key)
        commands.set_output(name, "" if value is None else str(value))
    commands.append_summary(report.summary_markdown(done.result, request.metadata))
    if done.result.get("new_concept"):
        commands.emit(
            commands.annotation(
                "notice",
                f"a new concept was created: set the input `concept: {done.result['concept_doi']}`"
                " so later runs add versions to it",
                title="New Zenodo concept DOI",
            )
        )


def _add_badge(
    github: GitHubClient, release: Release, result: dict[str, Any], version: str | None
) -> None:
    """Append the DOI badge to the release notes once; problems only warn."""
    own_version = result["status"] == "published" or (
        result["status"] == "unchanged" and result["version"] == version
    )
    if not (result.get("badge") and own_version):
        return
    try:
        outcome = github.append_to_release_notes(release.id, result["doi"], result["badge"])
    except GitHubError as error:
        outcome, detail = "failed", str(error)
    else:
        detail = ""
    messages = {
        "no-permission": "the DOI badge was not added to the release notes: the github-token "
        "may not edit releases; give the job `permissions: contents: write`",
        "too-long": "the DOI badge was not added: the release notes are at GitHub's size limit",
        "failed": f"the DOI badge was not added to the release notes: {detail}",
    }
    if outcome in messages:
        commands.emit(commands.annotation("warning", messages[outcome], title="DOI badge"))


def report_error(error: ActionError, workspace: Path) -> None:
    """Annotations for a failure: one per field Zenodo rejected that has a line in the
    file, then one for the whole error (its message and hint), at the first such line."""
    fields = [f for f in error.fields if f.line] if isinstance(error, ZenodoRejected) else []
    title = "Zenodo" if fields else "zenodo-action"
    for field in fields:
        commands.emit(
            commands.annotation(
                "error",
                f"{field.field}: {field.message}",
                file=workspace_relative(field.file, str(workspace)),
                line=field.line,
                col=field.column,
                title="Zenodo rejected the metadata",
            )
        )
    file = workspace_relative(error.file, str(workspace)) if error.file else None
    commands.emit(commands.annotation("error", str(error), file=file, line=error.line, title=title))
