"""The DOI back into the repository's own files: with which facts, checked before the
publish, proposed as a pull request (the Action, `github/pulls.py`) or written into the
working tree (the CLI). The edits themselves are `edits.py`; which files, `settings.py`.

Which DOI goes where (README "Write the DOI back"): CITATION.cff's `doi`, codemeta.json's
`identifier` and the README badge get the concept DOI, which is right in every tree and
always resolves to the latest version; the version DOI goes into CITATION.cff's
`identifiers`, with the version and date of the release it belongs to.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from zenodo_action import edits
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.github.pulls import Proposal
from zenodo_action.publish import Published
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult, badge
from zenodo_action.settings import Settings, WriteBackTarget

TITLE = "write-back"
EDITORS: Mapping[str, Callable[..., str]] = {
    "citation": edits.edit_citation,
    "codemeta": edits.edit_codemeta,
    "readme": edits.edit_readme,
}
BRANCH_PREFIX = "zenodo-doi/"
# Stand-in facts for the preflight: any DOI exercises the same parsing and placement.
_TRIAL = edits.DoiFacts(
    version_doi="10.5281/zenodo.2",
    concept_doi="10.5281/zenodo.1",
    version="0.0.0",
    date="2000-01-01",
    badge="[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)](https://doi.org/10.5281/zenodo.1)",
)


def preflight(settings: Settings, reporter: Reporter) -> None:
    """Before anything is sent to Zenodo: a file the user named exists, and the checkout's
    copies can be edited (a README whose markers do not pair, a CITATION.cff with flow-style
    identifiers fail here, with their line, not after the version is published). The pull
    request edits the default branch's copies, which usually are these."""
    edit = editor(settings.write_back.targets, _TRIAL)
    for target in settings.write_back.targets:
        file = settings.root / target.path
        if not file.is_file():
            if target.named or file.exists():
                raise UsageError(f"write-back: {target.path} is not a file in {settings.root}")
            continue
        text = _read(file, target.path)
        try:
            edit(target.path, text)
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


def editor(targets: Sequence[WriteBackTarget], facts: edits.DoiFacts) -> Callable[[str, str], str]:
    """(path, text) -> edited text, for the targets' paths."""
    kinds = {target.path: target.kind for target in targets}

    def edit(path: str, text: str) -> str:
        return EDITORS[kinds[path]](text, facts, path=path)

    return edit


def write_to_tree(settings: Settings, done: Published, reporter: Reporter) -> list[str]:
    """The CLI's write-back: edit the files in the working tree (for GitLab and local
    use); the paths changed."""
    assert settings.publish is not None
    if not wanted(done):
        reporter.note("notice", skipped(done), title=TITLE)
        return []
    edit = editor(settings.write_back.targets, facts_of(done, settings.publish.zenodo_url))
    changed = []
    for target in settings.write_back.targets:
        file = settings.root / target.path
        if not file.is_file():
            reporter.note("notice", f"{target.path}: not found, not written", title=TITLE)
            continue
        try:
            text = _read(file, target.path)
            new = edit(target.path, text)
        except ActionError as error:  # changed since the preflight; the publish stands
            reporter.note("warning", f"{target.path} not written: {error}", title=TITLE)
            continue
        if new != text:
            _replace(file, new)
            changed.append(target.path)
    what = f"wrote the DOI into {', '.join(changed)}" if changed else "nothing to change"
    reporter.note("notice", what, title=TITLE)
    return changed


def _replace(file: Path, text: str) -> None:
    """Write whole or not at all: a crash midway never leaves half a CITATION.cff."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=file.parent, delete=False, suffix=".tmp"
    ) as out:
        out.write(text)
    os.chmod(out.name, file.stat().st_mode & 0o7777)
    os.replace(out.name, file)


# --- the pull request ----------------------------------------------------------------------


def proposal(
    result: PublishResult, facts: edits.DoiFacts, paths: Sequence[str], links: Sequence[str]
) -> Proposal:
    """The branch, commit and pull request of a write-back; `links` are Markdown list items
    saying where the version came from (the release, the workflow run)."""
    version = result.version or str(result.record_id)
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
        "run for this version updates it instead of opening another.",
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
