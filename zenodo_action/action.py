"""The GitHub Action: the runner's environment in; annotations, outputs and an exit code out.

Three uses (action.yml): validate the metadata on pull requests (no token, so forks
work); publish a release's assets and source archive as the next version of a concept;
publish the files a scheduled or manual run names (datasets). This module wires GitHub
and the publish together: `Settings.from_runner` reads the inputs, `GitHubReporter`
writes for the runner, `github_release` hands a release's files and notes to
`publish.publish` (the event's, or one read by `release-tag` to back-fill it), and after
the publish come the badge in the release notes and the write-back pull request.
"""

from __future__ import annotations

import os
import sys

from zenodo_action import github_release, logs, publish, validate, writeback
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, ActionError, UsageError
from zenodo_action.github import commands, releases
from zenodo_action.github.client import GitHubClient, GitHubError
from zenodo_action.github.event import Release, RunContext
from zenodo_action.github.reporter import GitHubReporter
from zenodo_action.reporter import Reporter
from zenodo_action.secrets import guard_std_streams
from zenodo_action.settings import Settings, runner_files

# `published` fires once for releases and pre-releases alike; `created`, `released` and
# `prereleased` fire for the same release too, and would publish it twice (§3.1).
RELEASE_ACTION = "published"


def main(*, client_factory: publish.ClientFactory | None = None) -> int:
    """`client_factory`: how a publish makes its API client (the default: `publish.client_for`)."""
    guard_std_streams()
    logs.setup(stream=sys.stdout, guard=commands.untrusted)
    # Before the inputs are read: a run that fails on one still ends with a job summary
    # and a `status` output saying what went wrong.
    reporter = GitHubReporter(runner_files(os.environ))
    try:
        settings = Settings.from_runner(os.environ)
        if settings.mode == "validate":
            return validate.run(settings, reporter)
        return publish_run(settings, reporter, client_factory)
    except ActionError as error:
        reporter.error(error)
        return error.exit_code
    except KeyboardInterrupt:
        reporter.error(ActionError("interrupted: the run was stopped before it finished"))
        return 130
    except Exception as error:  # a bug: one line, never a traceback with request details
        if os.environ.get("ZENODO_ACTION_DEBUG"):
            raise
        message = f"internal error: {type(error).__name__}: {error}"
        hint = "this is a bug in zenodo-action: please report it with this log"
        reporter.error(ActionError(message, hint=hint))
        return EXIT_FAILURE


def publish_run(
    settings: Settings, reporter: Reporter, client_factory: publish.ClientFactory | None = None
) -> int:
    context = settings.context
    assert context is not None, "publish mode reads the run's context"
    github = GitHubClient.for_run(context, settings.github_token)
    release = context.release
    if settings.release_tag is not None:  # back-fill a release the webhook missed
        release = releases.release_by_tag(github, settings.release_tag)
        settings = settings.for_release(release)
    elif release is not None and not _publishable(release, context, reporter):
        return EXIT_OK
    if settings.write_back.enabled:
        if not settings.github_token:
            raise UsageError("input 'write-back' needs the github-token input (a GitHub token)")
        writeback.check_targets(settings, reporter)  # its problems stop the run before Zenodo
    done = github_release.publish_release(
        settings, reporter, github, context.repository, release, client_factory
    )
    if settings.release.notes_badge and release is not None:
        _add_badge(github, release, done, reporter)
    if settings.write_back.enabled:
        writeback.propose_pull(settings, github, context, release, done, reporter)
    return EXIT_OK


def _publishable(release: Release, context: RunContext, reporter: Reporter) -> bool:
    """A published, non-draft release; anything else gets a notice and no work."""
    if context.event_action == RELEASE_ACTION and not release.draft:
        return True
    what = "a draft release" if release.draft else f"release action '{context.event_action}'"
    reporter.note(
        "notice",
        f"nothing to do for {what}: zenodo-action publishes when a release is "
        "published; subscribe with `on: release: types: [published]`",
        title="zenodo-action",
    )
    return False


def _add_badge(
    github: GitHubClient, release: Release, done: publish.Published, reporter: Reporter
) -> None:
    """Append the DOI badge to the release notes once; problems only warn."""
    result = done.result
    if not (result.doi and result.badge and done.own_version):
        return
    try:
        outcome = releases.append_to_release_notes(github, release.id, result.doi, result.badge)
    except GitHubError as error:
        message = f"the DOI badge was not added to the release notes: {error}"
        reporter.note("warning", message, title="DOI badge")
        return
    messages = {
        "no-permission": "the DOI badge was not added to the release notes: the github-token "
        "may not edit releases; give the job `permissions: contents: write`",
        "too-long": "the DOI badge was not added: the release notes are at GitHub's size limit",
    }
    if outcome in messages:
        reporter.note("warning", messages[outcome], title="DOI badge")
