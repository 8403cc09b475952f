"""The DOI back into the repository's own files: with which facts, checked before the
publish, proposed as a pull request (the Action, `github/pulls.py`) or written into the
working tree (the CLI). The edits themselves are `edits.py`; which files, `settings/values.py`.

Which DOI goes where (README "Write the DOI back"): CITATION.cff's `doi`, codemeta.json's
`identifier` and the README badge get the concept DOI, which is right in every tree and
always resolves to the latest version; the version DOI goes into CITATION.cff's
`identifiers`, with the version and date of the release it belongs to.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, unquote

from zenodo_action import confined, edits, readback, versions
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.github import pulls
from zenodo_action.github.client import GitHubClient
from zenodo_action.github.event import Release as GitHubRelease
from zenodo_action.github.event import RunContext
from zenodo_action.github.pulls import OpenPull, Proposal
from zenodo_action.publish import Published
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult, badge
from zenodo_action.settings import PublishSettings, WriteBackTarget

TITLE = "write-back"
BRANCH_PREFIX = "zenodo-doi/"
# Stand-in facts for check_targets: any DOI exercises the same parsing and placement.
_TRIAL = edits.DoiFacts(
    version_doi="10.5281/zenodo.2",
    concept_doi="10.5281/zenodo.1",
    version="0.0.0",
    date="2000-01-01",
    badge="[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)](https://doi.org/10.5281/zenodo.1)",
)
# What a write-back pull request proposes, in its body, so a later run can tell which of
# two proposals is the newer without guessing from a branch name (README "Write the DOI
# back"): `<!-- zenodo-action write-back: version=v1.2.0; date=2024-05-15 -->`.
_PROPOSES = re.compile(r"<!-- zenodo-action write-back: version=([^;]*); date=([^ ]*) -->")


def check_targets(settings: PublishSettings, reporter: Reporter) -> None:
    """Before anything is sent to Zenodo: a file the user named exists, a link among them
    leads to a file inside the repository, and the checkout's copies can be edited and read
    back as intended (a README whose markers do not pair, a CITATION.cff with flow-style
    identifiers fail here, with their line, not after the version is published). The pull
    request edits the default branch's copies, which usually are these."""
    for target in settings.write_back.targets:
        file = confined.resolve_inside(settings.root, target.path, TITLE)
        if not file.is_file():
            if target.named or file.exists():
                raise UsageError(f"write-back: {target.path} is not a file in {settings.root}")
            continue
        text = _read(file, target.path)
        try:
            readback.edit(target.kind, text, _TRIAL, path=target.path)
        except edits.EditError as error:
            raise UsageError(
                f"write-back: {error.message}", hint=error.hint, file=error.file, line=error.line
            ) from None
        if target.kind == "readme" and edits.readme_markers(text, path=target.path) == 0:
            message = (
                f"{target.path} has no {edits.MARKER_OPEN}{edits.MARKER_CLOSE} markers: no "
                "badge is written until you add them where it belongs"
            )
            reporter.note("notice", message, title=TITLE)


def _read(file: Path, path: str) -> str:
    try:
        return file.read_bytes().decode("utf-8")  # bytes: \r\n line ends are kept
    except UnicodeDecodeError:
        raise UsageError(f"write-back: {path} is not UTF-8 text") from None


def wanted(done: Published) -> bool:
    """Published now, or before (a re-run): the files get that DOI. A draft's reserved
    DOI too, for the two-step release (README "Reserve the DOI first"). Not when the run
    ended `unchanged` because the files equal another version's: that DOI is not this
    version's. A dry run has no DOI."""
    if done.result.status == "draft":
        return done.result.doi_reserved
    return done.own_version and done.result.doi is not None


def skipped(done: Published) -> str:
    result = done.result
    if result.status == "unchanged" and result.doi:
        return (
            f"nothing written back: the files equal version {result.version} ({result.doi}), "
            "so no version of its own was published"
        )
    return f"nothing written back: the run ended {result.status}, with no DOI to cite"


def facts_of(done: Published, zenodo_url: str) -> edits.DoiFacts:
    """What a version with a DOI writes back; the badge is the concept DOI's (see above).
    The date is the version's own: for `unchanged`, the one already published."""
    result = done.result
    assert result.doi is not None, "only a version with a DOI is written back"
    date = done.request.metadata.get("publication_date")
    if done.plan.match is not None:
        date = done.plan.match.metadata.get("publication_date") or date
    return edits.DoiFacts(
        version_doi=result.doi,
        concept_doi=result.concept_doi,
        version=result.version,
        date=str(date) if date else None,
        badge=badge(result.concept_doi or result.doi, zenodo_url) or "",
    )


# --- what to write: pure ---------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One file to edit as it is now: its kind, the path named, the file it really is (a
    link's target) and its text."""

    kind: str
    path: str
    real_path: str
    text: str


@dataclass
class Planned:
    """What a write-back will change, and why not more: `older` says why nothing at all
    is written (the files, or an open proposal, hold a newer release)."""

    changes: dict[str, str] = field(default_factory=dict)  # real path -> new text
    changed: list[str] = field(default_factory=list)  # the paths named, for messages
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why not (a warning)
    older: str | None = None
    supersede: list[OpenPull] = field(default_factory=list)


def plan(
    files: Sequence[Found],
    facts: edits.DoiFacts,
    proposals: Sequence[OpenPull] = (),
    own_branch: str | None = None,
) -> Planned:
    """The new texts of `files` for `facts`, never going backwards (README "Write the DOI
    back"): nothing when a file already holds a newer release, or an open proposal of
    another branch does; older open proposals are to be closed. A file that cannot be
    edited and read back as intended is skipped with why."""
    this = versions.Release(facts.version, facts.date)
    planned = Planned()
    held = _held(files, planned)
    planned.older = _newer_held(this, held) or _newer_proposed(this, proposals, own_branch)
    if planned.older:
        return planned
    planned.supersede = [
        pull for pull in proposals if pull.branch != own_branch and _is_older(_proposed(pull), this)
    ]
    for found in files:
        if found.path in planned.skipped:
            continue
        if found.real_path in planned.changes:
            why = f"it is the same file as another one written back ({found.real_path})"
            planned.skipped[found.path] = why
            continue
        file_facts = _not_earlier(facts, held[found.path])
        try:
            new = readback.edit(found.kind, found.text, file_facts, path=found.path)
        except Exception as error:  # one file never sinks a published run
            planned.skipped[found.path] = _why_not(error)
            continue
        if new != found.text:
            planned.changes[found.real_path] = new
            planned.changed.append(found.path)
    return planned


def _held(files: Sequence[Found], planned: Planned) -> dict[str, readback.Held]:
    held = {}
    for found in files:
        try:
            held[found.path] = readback.held(found.kind, found.text, path=found.path)
        except Exception as error:  # one file never sinks a published run
            planned.skipped[found.path] = _why_not(error)
    return held


def _why_not(error: Exception) -> str:
    """Why a file is skipped. Every way of failing to read or edit a file should be an
    EditError; anything else is a bug, said as one, and still only skips that file (this
    runs after the publish, whose version stands)."""
    if isinstance(error, edits.EditError):
        return str(error)
    return (
        f"zenodo-action could not read or edit it ({type(error).__name__}: {error}); "
        "this is a bug in zenodo-action, please report it with the file"
    )


def _newer_held(this: versions.Release, held: Mapping[str, readback.Held]) -> str | None:
    for path, facts in held.items():
        there = versions.Release(facts.version, facts.date)
        if _is_older(this, there):
            return f"{path} already cites {_describe(there)}, newer than {_describe(this)}"
    return None


def _newer_proposed(
    this: versions.Release, proposals: Sequence[OpenPull], own_branch: str | None
) -> str | None:
    for pull in proposals:
        there = _proposed(pull)
        if there is not None and pull.branch != own_branch and _is_older(this, there):
            return f"{pull.url} proposes {_describe(there)}, newer than {_describe(this)}"
    return None


def _is_older(this: versions.Release | None, than: versions.Release | None) -> bool:
    """Known to be older (an unknown release is neither older nor newer)."""
    return this is not None and than is not None and versions.is_older(this, than)


def _proposed(pull: OpenPull) -> versions.Release | None:
    """The release an open proposal says it is for; else its branch name, when that is
    the version unchanged (zenodo-doi/v1.2.0); else unknown (it is left open)."""
    found = _PROPOSES.search(pull.body)
    if found:
        version, date = (unquote(part) or None for part in found.groups())
        return versions.Release(version, date)
    name = pull.branch[len(BRANCH_PREFIX) :]
    if pull.branch.startswith(BRANCH_PREFIX) and branch_for(name) == pull.branch:
        return versions.Release(name, None)
    return None


def _not_earlier(facts: edits.DoiFacts, held: readback.Held | None) -> edits.DoiFacts:
    """The same version, already written with a later date, keeps that date."""
    if held is None or held.version is None or facts.version is None:
        return facts
    same = versions.compare(held.version, facts.version) == 0
    later = versions.compare_dates(held.date, facts.date) == 1
    return replace(facts, date=None) if same and later else facts


def _describe(release: versions.Release) -> str:
    parts = [f"version {release.version}" if release.version else "", release.date or ""]
    return ", ".join(part for part in parts if part) or "a release"


def marker(facts: edits.DoiFacts) -> str:
    """The line a proposal's body carries to say which release it proposes."""
    version, date = quote(facts.version or "", safe=""), quote(facts.date or "", safe="")
    return f"<!-- zenodo-action write-back: version={version}; date={date} -->"


# --- the working tree (the command line) ----------------------------------------------


def write_to_tree(settings: PublishSettings, done: Published, reporter: Reporter) -> list[str]:
    """The CLI's write-back: edit the files in the working tree (for GitLab and local
    use), a link's target rather than the link; the paths changed."""
    if not wanted(done):
        reporter.note("notice", skipped(done), title=TITLE)
        return []
    files = _files_on_disk(settings, reporter)
    planned = plan(files, facts_of(done, settings.zenodo.zenodo_url))
    if planned.older:
        reporter.note("notice", f"nothing written back: {planned.older}", title=TITLE)
        return []
    for path, why in planned.skipped.items():
        reporter.note("warning", f"{path} not written: {why}", title=TITLE)
    written = []
    for path, (real_path, text) in zip(planned.changed, planned.changes.items(), strict=True):
        try:
            _replace(Path(real_path), text)
        except OSError as error:  # after the publish: the version stands, the file is as it was
            why = error.strerror or str(error)
            reporter.note("warning", f"{path} not written ({real_path}): {why}", title=TITLE)
            continue
        written.append(path)
    what = f"wrote the DOI into {', '.join(written)}" if written else None
    if what or not planned.changed:
        reporter.note("notice", what or "nothing to change", title=TITLE)
    return written


def _files_on_disk(settings: PublishSettings, reporter: Reporter) -> list[Found]:
    """The targets as the working tree holds them now (they may have changed since the
    check_targets: each problem is a warning, the publish stands)."""
    files = []
    for target in settings.write_back.targets:
        try:
            file = confined.resolve_inside(settings.root, target.path, TITLE)
            if not file.is_file():
                reporter.note("notice", f"{target.path}: not found, not written", title=TITLE)
                continue
            files.append(Found(target.kind, target.path, str(file), _read(file, target.path)))
        except (ActionError, OSError) as error:  # OSError: a file the run may not read
            reporter.note("warning", f"{target.path} not written: {error}", title=TITLE)
    return files


def _replace(file: Path, text: str) -> None:
    """Write whole or not at all: a crash midway never leaves half a CITATION.cff. `file`
    is the real file (a link's target), so the link itself stays. OSError when the file
    system refuses; no temporary file is left behind then."""
    out = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed below, removed on failure
        "w", encoding="utf-8", newline="", dir=file.parent, delete=False, suffix=".tmp"
    )
    try:
        with out:
            out.write(text)
        os.chmod(out.name, file.stat().st_mode & 0o7777)
        os.replace(out.name, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(out.name)
        raise


# --- the pull request ----------------------------------------------------------------------


def propose_pull(
    settings: PublishSettings,
    github: GitHubClient,
    context: RunContext,
    release: GitHubRelease | None,
    done: Published,
    reporter: Reporter,
) -> None:
    """Propose the DOI in the repository's files as one pull request (README "Write the
    DOI back"). Whatever stops it is a warning: the version is published either way."""
    if not wanted(done):
        reporter.note("notice", skipped(done), title=TITLE)
        return
    facts = facts_of(done, settings.zenodo.zenodo_url)
    targets = settings.write_back.targets
    links = [f"- workflow run: {context.run_url}"] if context.run_url else []
    if release is not None:
        links.insert(0, f"- GitHub release: [{release.tag_name}]({release.html_url})")
    try:
        base = pulls.read_base(github, [t.path for t in targets], context.repository.default_branch)
        planned = _plan_pull(github, base, targets, facts, done.result)
        for path, why in {**base.unreadable, **planned.skipped}.items():
            reporter.note("warning", f"{path} not written back: {why}", title=TITLE)
        for path in base.absent:
            message = f"{path} is not on the default branch: not written"
            reporter.note("notice", message, title=TITLE)
        if planned.older:
            reporter.note("notice", f"nothing proposed: {planned.older}", title=TITLE)
            return
        change = proposal(done.result, facts, planned.changed, links)
        outcome = pulls.propose(github, base, planned.changes, change, supersede=planned.supersede)
    except pulls.NotAllowed as error:
        reporter.note("warning", _not_allowed(error, context), title=TITLE)
        return
    except ActionError as error:
        reporter.note("warning", f"the DOI was not written back: {error.message}", title=TITLE)
        return
    _report_pull(outcome, change, reporter)


def _plan_pull(
    github: GitHubClient,
    base: pulls.Base,
    targets: Sequence[WriteBackTarget],
    facts: edits.DoiFacts,
    result: PublishResult,
) -> Planned:
    kinds = {target.path: target.kind for target in targets}
    files = [Found(kinds[f.path], f.path, f.real_path, f.text) for f in base.files.values()]
    proposals = pulls.open_proposals(github, base.branch, BRANCH_PREFIX)
    return plan(files, facts, proposals, branch_for(_version_of(result)))


def _version_of(result: PublishResult) -> str:
    return result.version or str(result.record_id)


def _not_allowed(error: pulls.NotAllowed, context: RunContext) -> str:
    message = f"the DOI was not written back: {error.message}; allow it with {error.needs}"
    if error.pushed and error.base:
        compare = f"{context.server_url}/{context.repository.full_name}/compare/"
        message += (
            f". The commit is on branch {error.pushed}: open the pull request by hand at "
            f"{compare}{error.base}...{error.pushed}?expand=1"
        )
    return message


def _report_pull(outcome: pulls.PullOutcome, change: Proposal, reporter: Reporter) -> None:
    if outcome.status == "nothing-to-change":
        message = "nothing to change on the default branch (the files already cite this DOI, "
        message += "or hold nothing to update): no pull request"
        reporter.note("notice", message, title=TITLE)
        return
    if outcome.status == "declined":
        message = f"{outcome.url} for this version was closed without merging: not proposed "
        message += "again (reopen it to have it updated)"
        reporter.note("notice", message, title=TITLE)
        return
    if outcome.status == "left-alone":
        reporter.note("warning", _left_alone(outcome, change), title=TITLE)
        return
    files = ", ".join(outcome.changed)
    message = f"{outcome.status} {outcome.url} ({files}, branch {change.branch})"
    if outcome.superseded:
        message += f"; closed the older {', '.join(outcome.superseded)}"
    reporter.note("notice", message, title=TITLE)
    reporter.output("write-back-pull-request", outcome.url or "")


def _left_alone(outcome: pulls.PullOutcome, change: Proposal) -> str:
    pull = f" and its pull request {outcome.url}" if outcome.url else ""
    return (
        f"the DOI was not written back: branch {change.branch} holds commits zenodo-action "
        f"did not make ({', '.join(outcome.foreign)}), so it{pull} were left as they are. "
        "Merge or close that pull request yourself (it may already cite the DOI), or delete "
        "the branch to have the next run propose the DOI again"
    )


def proposal(
    result: PublishResult, facts: edits.DoiFacts, paths: Sequence[str], links: Sequence[str]
) -> Proposal:
    """The branch, commit and pull request of a write-back; `links` are Markdown list items
    saying where the version came from (the release, the workflow run)."""
    version = _version_of(result)
    what = f"version {version}" if result.version else f"record {result.record_id}"
    doi = "reserved Zenodo DOI" if result.doi_reserved else "Zenodo DOI"
    lines = [
        _opening(result, facts, what),
        "",
        f"- Zenodo record: {result.record_url}",
        f"- version DOI: {facts.version_doi}",
        f"- concept DOI (always the latest version): {facts.concept_doi or '-'}",
        *links,
        "",
        f"This pull request updates {', '.join(paths)} where they cite the record; nothing "
        "else in them changes. It was opened by zenodo-action (`write-back` input); a later "
        "run for this version updates it instead of opening another, as long as every "
        "commit on its branch is zenodo-action's own.",
        "",
        marker(facts),
    ]
    return Proposal(
        branch=branch_for(version),
        title=f"Cite {what} by its {doi} {facts.version_doi}",
        body="\n".join(lines),
        message=f"Cite {what} by its {doi} {facts.version_doi}\n\n"
        f"Written back by zenodo-action from {result.record_url}.",
    )


def _opening(result: PublishResult, facts: edits.DoiFacts, what: str) -> str:
    if result.doi_reserved:
        return (
            f"Zenodo reserved the DOI {facts.version_doi} for {what} of this repository, "
            "in a draft that is not published yet: the DOI resolves once a run with "
            "`publish: true` publishes that draft (README: a two-step release)."
        )
    return (
        f"Zenodo published {what} of this repository with the DOI "
        f"[{facts.version_doi}](https://doi.org/{facts.version_doi})."
    )


def branch_for(version: str) -> str:
    """`zenodo-doi/<version>`, within what `git check-ref-format` allows: other characters
    become `-`, no `..`, no `.lock` or `.` at the end, at most 60 characters; when anything
    had to change, a short hash of the version keeps two versions apart (1.0+a, 1.0-a)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", version)
    safe = re.sub(r"\.{2,}", ".", safe).strip(".-")
    safe = re.sub(r"(\.lock)+$", "", safe)[:60].strip(".-")
    if safe != version:
        digest = hashlib.sha256(version.encode()).hexdigest()[:8]
        safe = f"{safe}-{digest}" if safe else digest
    return BRANCH_PREFIX + safe
