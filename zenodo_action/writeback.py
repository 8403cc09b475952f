"""The DOI back into the repository's own files: which files, with which facts, and
writing them into a working tree (the CLI). The Action proposes the same edits as a pull
request (`github/pulls.py`, wired in action.py); the edits themselves are `edits.py`.

Which DOI goes where (README "Write the DOI back"): CITATION.cff's `doi`, codemeta.json's
`identifier` and the README badge get the concept DOI, which is right in every tree and
always resolves to the latest version; the version DOI goes into CITATION.cff's
`identifiers`, with the version and date of the release it belongs to.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from zenodo_action import edits
from zenodo_action.errors import ActionError, UsageError
from zenodo_action.metadata.sources import IGNORE, SourcePaths
from zenodo_action.publish import Published
from zenodo_action.reporter import Reporter
from zenodo_action.result import PublishResult, badge
from zenodo_action.settings import Settings

DEFAULT_NAMES = {"citation": "CITATION.cff", "codemeta": "codemeta.json"}
EDITORS: Mapping[str, Callable[..., str]] = {
    "citation": edits.edit_citation,
    "codemeta": edits.edit_codemeta,
    "readme": edits.edit_readme,
}


@dataclass(frozen=True)
class Target:
    kind: str  # citation, codemeta or readme
    path: str  # relative to the repository's root, with `/`


def targets(settings: Settings) -> list[Target]:
    """The files to edit: the CITATION.cff and codemeta.json the run reads (their default
    names when it reads none) and the README named for the badge. A path outside the
    repository (absolute, or climbing out) cannot be part of a pull request: refused."""
    chosen = settings.write_back.targets
    named = {"citation": _named(settings.sources, "citation"), "codemeta": None, "readme": None}
    named["codemeta"] = _named(settings.sources, "codemeta")
    named["readme"] = settings.write_back.readme
    found = []
    for kind in ("citation", "codemeta", "readme"):
        if kind in chosen and named[kind] is not None:
            found.append(Target(kind, _repository_path(str(named[kind]), kind)))
    return found


def _named(spec: SourcePaths, kind: str) -> str | None:
    given = spec.citation if kind == "citation" else spec.codemeta
    if given == IGNORE:
        return None  # the user told the run to ignore that file: it is not edited either
    return given or DEFAULT_NAMES[kind]


def _repository_path(given: str, kind: str) -> str:
    path = PurePosixPath(given.replace(os.sep, "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise UsageError(
            f"write-back: the {kind} file {given!r} is not a path inside the repository"
        )
    return str(path)


# Stand-in facts for the preflight: any DOI exercises the same parsing and placement.
_TRIAL = edits.DoiFacts(
    version_doi="10.5281/zenodo.2",
    concept_doi="10.5281/zenodo.1",
    version="0.0.0",
    date="2000-01-01",
    badge="[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1.svg)](https://doi.org/10.5281/zenodo.1)",
)


def preflight(settings: Settings) -> list[Target]:
    """The targets, checked before anything is sent to Zenodo: paths inside the
    repository, and the checkout's copies editable (a README whose markers do not pair, a
    CITATION.cff with flow-style identifiers fail here, with their line, not after the
    version is published). The pull request edits the default branch's copies, which
    usually are these."""
    chosen = targets(settings)
    edit = editor(chosen, _TRIAL)
    for target in chosen:
        file = settings.root / target.path
        if file.is_file():
            try:
                edit(target.path, file.read_bytes().decode("utf-8"))
            except UnicodeDecodeError:
                raise UsageError(f"write-back: {target.path} is not UTF-8 text") from None
            except edits.EditError as error:
                raise UsageError(
                    f"write-back: {error.message}",
                    hint=error.hint,
                    file=error.file,
                    line=error.line,
                ) from None
    return chosen


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


def editor(targets: list[Target], facts: edits.DoiFacts) -> Callable[[str, str], str]:
    """(path, text) -> edited text, for the targets' paths."""
    kinds = {target.path: target.kind for target in targets}

    def edit(path: str, text: str) -> str:
        return EDITORS[kinds[path]](text, facts, path=path)

    return edit


def write_to_tree(settings: Settings, done: Published, reporter: Reporter) -> list[str]:
    """The CLI's write-back: edit the files in the working tree (for GitLab and local
    use); the paths changed. Only a version that has a DOI is written back."""
    assert settings.publish is not None
    if not wanted(done.result):
        reporter.note("notice", skipped(done.result), title="write-back")
        return []
    chosen = targets(settings)
    edit = editor(chosen, facts_of(done, settings.publish.zenodo_url))
    changed = []
    for target in chosen:
        file = settings.root / target.path
        if not file.is_file():
            reporter.note("notice", f"{target.path}: not found, not written", title="write-back")
            continue
        try:
            text = file.read_bytes().decode("utf-8")  # bytes: \r\n line ends are kept
            new = edit(target.path, text)
        except (ActionError, UnicodeDecodeError) as error:  # the publish stands: warn
            reporter.note("warning", f"{target.path} not written: {error}", title="write-back")
            continue
        if new != text:
            _replace(file, new)
            changed.append(target.path)
    what = f"wrote the DOI into {', '.join(changed)}" if changed else "nothing to change"
    reporter.note("notice", what, title="write-back")
    return changed


def wanted(result: PublishResult) -> bool:
    """Published now, or before (a re-run, or files already published): the files get
    that DOI. A draft's reserved DOI too, for the two-step release (README "Reserve the DOI
    first"): publishing that draft mints it. A dry run has no DOI: nothing is written."""
    if result.status == "draft":
        return result.doi_reserved
    return result.status in ("published", "unchanged") and result.doi is not None


def skipped(result: PublishResult) -> str:
    return f"nothing written back: the run ended {result.status}, with no DOI to cite"


def _replace(file: Path, text: str) -> None:
    """Write whole or not at all: a crash midway never leaves half a CITATION.cff."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=file.parent, delete=False, suffix=".tmp"
    ) as out:
        out.write(text)
    os.chmod(out.name, file.stat().st_mode & 0o7777)
    os.replace(out.name, file)
