"""The GitHub Action: the runner's environment in; annotations, outputs and an exit code out.

Three uses (action.yml): validate the metadata on pull requests (no token, so forks
work); publish a release's assets and source archive as the next version of a concept;
publish the files a scheduled or manual run names (datasets). This module is the one
place that knows both GitHub and the publish: `Settings.from_runner` reads the inputs,
`GitHubReporter` writes for the runner, and `GitHubRelease` hands a release's files and
notes to `publish.publish`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from zenodo_action import check, edits, files, logs, publish, writeback
from zenodo_action.errors import EXIT_FAILURE, EXIT_OK, ActionError
from zenodo_action.github import commands, pulls, repository
from zenodo_action.github.event import Release, Repository, RunContext
from zenodo_action.github.releases import GitHubClient, GitHubError, make_download_dir
from zenodo_action.github.reporter import GitHubReporter
from zenodo_action.metadata.names import creator_from_display_name
from zenodo_action.metadata.vocabularies import is_known_license
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult
from zenodo_action.secrets import guard_std_streams
from zenodo_action.settings import ReleaseOptions, Settings
from zenodo_action.zenodo.plan import same_version

# `published` fires once for releases and pre-releases alike; `created`, `released` and
# `prereleased` fire for the same release too, and would publish it twice (§3.1).
RELEASE_ACTION = "published"
ASSET_POLL_SECONDS = 10.0  # while an asset is still uploading (§3.3)


def main() -> int:
    guard_std_streams()
    logs.setup(stream=sys.stdout, guard=commands.untrusted)
    reporter = GitHubReporter()  # annotations only, until the settings say where the rest goes
    try:
        settings = Settings.from_runner(os.environ)
        reporter = GitHubReporter(settings.runner)
        if settings.mode == "validate":
            return check.run(settings, reporter)
        return publish_run(settings, reporter)
    except ActionError as error:
        reporter.error(error)
        return error.exit_code
    except KeyboardInterrupt:
        reporter.note("error", "interrupted", title="zenodo-action")
        return 130
    except Exception as error:  # a bug: one line, never a traceback with request details
        if os.environ.get("ZENODO_ACTION_DEBUG"):
            raise
        message = f"internal error: {type(error).__name__}: {error}; this is a bug in zenodo-action"
        reporter.note("error", message, title="zenodo-action")
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
        writeback.preflight(settings)  # its problems stop the run before Zenodo
    done = _publish(settings, reporter, github, context.repository, release)
    if settings.release.notes_badge and release is not None:
        _add_badge(github, release, done, reporter)
    if settings.write_back.enabled:
        _write_back(settings, github, context, release, done, reporter)
    return EXIT_OK


def publish_tagged_release(settings: Settings, reporter: Reporter) -> publish.Published:
    """The command line's back-fill: the release with `--release-tag`, as its event would
    have published it (assets, source archive, date, notes)."""
    assert settings.repository and settings.release_tag, "settings check both"
    github = GitHubClient(settings.github_api_url, settings.repository, settings.github_token)
    release = github.release_by_tag(settings.release_tag)
    owner, name = settings.repository.split("/")
    repository = Repository(owner, name, release.html_url.rsplit("/releases/", 1)[0])
    return _publish(settings.for_release(release), reporter, github, repository, release)


def _publish(
    settings: Settings,
    reporter: Reporter,
    github: GitHubClient,
    repository: Repository,
    release: Release | None,
) -> publish.Published:
    download_dir = make_download_dir()
    try:
        source = (
            GitHubRelease(github, repository, release, settings.release, download_dir)
            if release
            else None
        )
        return publish.publish(settings, reporter, source)
    finally:
        shutil.rmtree(download_dir, ignore_errors=True)


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


class GitHubRelease:
    """A GitHub release as a publish sees it: assets, source archive, what the release
    and its repository say for fields no file sets, and a link to the release page."""

    def __init__(
        self,
        github: GitHubClient,
        repository: Repository,
        release: Release,
        options: ReleaseOptions,
        folder: Path,
    ) -> None:
        self.github = github
        self.repository = repository
        self.release = release
        self.options = options
        self.folder = folder  # private, outside the workspace; removed by the caller

    @property
    def related(self) -> tuple[dict[str, str], ...]:
        link = {"identifier": self.release.html_url, "relation": "isSupplementTo", "scheme": "url"}
        return (link,)

    def fields(self, missing: frozenset[str]) -> dict[str, Any]:
        """Zenodo's GitHub integration's defaults (github-rest.md §3.5): the title
        "owner/repo: release", software, the repository's contributors and licence, the
        notes rendered as the description. Only for what is missing: each costs requests."""
        found: dict[str, Any] = {}
        if "title" in missing:
            found["title"] = f"{self.repository.full_name}: {self.release.title}"
        if "upload_type" in missing:
            found["upload_type"] = "software"
        if "creators" in missing:
            found["creators"] = self._creators()
        if "license" in missing:
            spdx = repository.repository_license(self.github)
            if spdx and is_known_license(spdx):
                found["license"] = spdx
        if "description" in missing and self.release.notes.strip():
            found["description"] = self.github.render_markdown(self.release.notes)
        return {key: value for key, value in found.items() if value}

    def _creators(self) -> list[dict[str, str]]:
        """Users who contributed, bots left out, most commits first; else the owner."""
        creators = []
        for person in repository.contributors(self.github):
            creator = {"name": creator_from_display_name(person.name, person.login)}
            if person.company:
                creator["affiliation"] = person.company.strip()
            creators.append(creator)
        return creators or [{"name": self.repository.owner}]

    def files(self) -> list[files.LocalFile]:
        """The assets and the source archive, downloaded; their MD5s come with the download."""
        found: list[files.LocalFile] = []
        if self.options.assets:
            assets = self.github.wait_for_assets(
                self.release.id, timeout=self.options.asset_wait, poll_interval=ASSET_POLL_SECONDS
            )
            found += [self.github.download_asset(asset, self.folder) for asset in assets]
        if self.options.source_archive:
            found.append(
                self.github.download_source_archive(
                    self.release.tag_name, self.options.source_archive, self.folder
                )
            )
        return found


def _add_badge(
    github: GitHubClient, release: Release, done: publish.Published, reporter: Reporter
) -> None:
    """Append the DOI badge to the release notes once; problems only warn."""
    result = done.result
    own_version = result.status == "published" or (
        result.status == "unchanged" and same_version(result.version, done.request.version)
    )
    if not (result.doi and result.badge and own_version):
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
    title = "write-back"
    if not writeback.wanted(done.result):
        reporter.note("notice", writeback.skipped(done.result), title=title)
        return
    assert settings.publish is not None
    chosen = writeback.targets(settings)
    facts = writeback.facts_of(done, settings.publish.zenodo_url)
    proposal = _proposal(done.result, facts, context, release, [t.path for t in chosen])
    try:
        outcome = pulls.propose(
            github,
            [t.path for t in chosen],
            writeback.editor(chosen, facts),
            proposal,
            default_branch=context.repository.default_branch,
        )
    except pulls.NotAllowed as error:
        message = f"the DOI was not written back: {error.message}; allow it with {error.needs}"
        reporter.note("warning", message, title=title)
        return
    except ActionError as error:
        reporter.note("warning", f"the DOI was not written back: {error.message}", title=title)
        return
    _report_pull(outcome, proposal, reporter)


def _report_pull(outcome: pulls.PullOutcome, proposal: pulls.Proposal, reporter: Reporter) -> None:
    title = "write-back"
    for path in outcome.absent:
        reporter.note("notice", f"{path} is not on the default branch: not written", title=title)
    if outcome.status == "nothing-to-change":
        reporter.note("notice", "the files already cite this DOI: no pull request", title=title)
        return
    verb = "opened" if outcome.status == "opened" else "updated"
    files = ", ".join(outcome.changed)
    reporter.note(
        "notice", f"{verb} {outcome.url} ({files}, branch {proposal.branch})", title=title
    )
    reporter.output("write-back-pull-request", outcome.url or "")


def _proposal(
    result: PublishResult,
    facts: edits.DoiFacts,
    context: RunContext,
    release: Release | None,
    paths: list[str],
) -> pulls.Proposal:
    version = result.version or str(result.record_id)
    what = f"version {version}" if result.version else f"record {result.record_id}"
    doi = "reserved Zenodo DOI" if result.doi_reserved else "Zenodo DOI"
    if result.doi_reserved:
        said = (
            f"Zenodo reserved the DOI {facts.version_doi} for {what} of this repository, "
            "in a draft that is not published yet: the DOI resolves once a run with "
            "`publish: true` publishes that draft (README: a two-step release)."
        )
    else:
        said = (
            f"Zenodo published {what} of this repository with the DOI "
            f"[{facts.version_doi}](https://doi.org/{facts.version_doi})."
        )
    lines = [
        said,
        "",
        f"- Zenodo record: {result.record_url}",
        f"- version DOI: {facts.version_doi}",
        f"- concept DOI (always the latest version): {facts.concept_doi or '-'}",
    ]
    if release is not None:
        lines.append(f"- GitHub release: [{release.tag_name}]({release.html_url})")
    if context.run_url:
        lines.append(f"- workflow run: {context.run_url}")
    lines += [
        "",
        f"This pull request updates {', '.join(paths)} where they cite the record; nothing "
        "else in them changes. It was opened by zenodo-action (`write-back` input); a later "
        "run for this version updates it instead of opening another.",
    ]
    return pulls.Proposal(
        branch=branch_for(version),
        title=f"Cite {what} by its {doi} {facts.version_doi}",
        body="\n".join(lines),
        message=f"Cite {what} by its {doi} {facts.version_doi}\n\n"
        f"Written back by zenodo-action from {result.record_url}.",
    )


def branch_for(version: str) -> str:
    """`zenodo-doi/<version>`, kept to what git allows in a branch name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", version).strip(".-") or "version"
    return f"zenodo-doi/{safe.replace('..', '.')}"
