"""The GitHub Action: the runner's environment in; annotations, outputs and an exit code out.

Three uses (action.yml): validate the metadata on pull requests (no token, so forks
work); publish a release's assets and source archive as the next version of a concept;
publish the files a scheduled or manual run names (datasets). This module wires GitHub
and the publish together: `Settings.from_runner` reads the inputs, `GitHubReporter`
writes for the runner, `release_source` hands a release's files and notes to
`publish.publish` (the event's, or one read by `release-tag` to back-fill it), and after
the publish come the badge in the release notes and the write-back pull request.
"""

from __future__ import annotations

import os
import sys

from zenodo_action import check, logs, publish, release_source, writeback
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, ActionError, UsageError
from zenodo_action.github import commands, pulls
from zenodo_action.github.event import Release, RunContext
from zenodo_action.github.releases import GitHubClient, GitHubError
from zenodo_action.github.reporter import GitHubReporter
from zenodo_action.reporter import Reporter
from zenodo_action.secrets import guard_std_streams
from zenodo_action.settings import Settings, runner_files

# `published` fires once for releases and pre-releases alike; `created`, `released` and
# `prereleased` fire for the same release too, and would publish it twice (§3.1).
RELEASE_ACTION = "published"


def main() -> int:
    guard_std_streams()
    logs.setup(stream=sys.stdout, guard=commands.untrusted)
    # Before the inputs are read: a run that fails on one still ends with a job summary
    # and a `status` output saying what went wrong.
    reporter = GitHubReporter(runner_files(os.environ))
    try:
        settings = Settings.from_runner(os.environ)
        if settings.mode == "validate":
            return check.run(settings, reporter)
        return publish_run(settings, reporter)
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


def publish_run(settings: Settings, reporter: Reporter) -> int:
    context = settings.context
    assert context is not None, "publish mode reads the run's context"
    github = GitHubClient.for_run(context, settings.github_token)
    release = context.release
    if settings.release_tag is not None:  # back-fill a release the webhook missed
        release = github.release_by_tag(settings.release_tag)
        settings = settings.for_release(release)
    elif release is not None and not _publishable(release, context, reporter):
        return EXIT_OK
    if settings.write_back.enabled:
        if not settings.github_token:
            raise UsageError("input 'write-back' needs the github-token input (a GitHub token)")
        writeback.preflight(settings, reporter)  # its problems stop the run before Zenodo
    done = release_source.publish_release(settings, reporter, github, context.repository, release)
    if settings.release.notes_badge and release is not None:
        _add_badge(github, release, done, reporter)
    if settings.write_back.enabled:
        _write_back(settings, github, context, release, done, reporter)
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
        outcome = github.append_to_release_notes(release.id, result.doi, result.badge)
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


def _write_back(
    settings: Settings,
    github: GitHubClient,
    context: RunContext,
    release: Release | None,
    done: publish.Published,
    reporter: Reporter,
) -> None:
    """Propose the DOI in the repository's files as one pull request (README "Write the
    DOI back"). Whatever stops it is a warning: the version is published either way."""
    if not writeback.wanted(done):
        reporter.note("notice", writeback.skipped(done), title=writeback.TITLE)
        return
    assert settings.publish is not None
    targets = settings.write_back.targets
    facts = writeback.facts_of(done, settings.publish.zenodo_url)
    links = [f"- workflow run: {context.run_url}"] if context.run_url else []
    if release is not None:
        links.insert(0, f"- GitHub release: [{release.tag_name}]({release.html_url})")
    proposal = writeback.proposal(done.result, facts, [t.path for t in targets], links)
    try:
        outcome = pulls.propose(
            github,
            [t.path for t in targets],
            writeback.editor(targets, facts),
            proposal,
            default_branch=context.repository.default_branch,
            supersede=writeback.BRANCH_PREFIX,
        )
    except pulls.NotAllowed as error:
        reporter.note("warning", _not_allowed(error, context), title=writeback.TITLE)
        return
    except ActionError as error:
        message = f"the DOI was not written back: {error.message}"
        reporter.note("warning", message, title=writeback.TITLE)
        return
    _report_pull(outcome, proposal, reporter)


def _not_allowed(error: pulls.NotAllowed, context: RunContext) -> str:
    message = f"the DOI was not written back: {error.message}; allow it with {error.needs}"
    if error.pushed and error.base:
        compare = f"{context.server_url}/{context.repository.full_name}/compare/"
        message += (
            f". The commit is on branch {error.pushed}: open the pull request by hand at "
            f"{compare}{error.base}...{error.pushed}?expand=1"
        )
    return message


def _report_pull(outcome: pulls.PullOutcome, proposal: pulls.Proposal, reporter: Reporter) -> None:
    title = writeback.TITLE
    for path in outcome.absent:
        reporter.note("notice", f"{path} is not on the default branch: not written", title=title)
    if outcome.status == "nothing-to-change":
        message = "nothing to change on the default branch (the files already cite this DOI, "
        message += "or hold nothing to update): no pull request"
        reporter.note("notice", message, title=title)
        return
    if outcome.status == "declined":
        message = f"{outcome.url} for this version was closed without merging: not proposed "
        message += "again (reopen it to have it updated)"
        reporter.note("notice", message, title=title)
        return
    files = ", ".join(outcome.changed)
    message = f"{outcome.status} {outcome.url} ({files}, branch {proposal.branch})"
    if outcome.superseded:
        message += f"; closed the older {', '.join(outcome.superseded)}"
    reporter.note("notice", message, title=title)
    reporter.output("write-back-pull-request", outcome.url or "")
