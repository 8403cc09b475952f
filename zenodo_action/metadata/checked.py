"""The metadata side's front: one call reads the files and checks them for the run, and the
record it returns answers everything the rest of the tool asks of the metadata.

    record = metadata.read(settings.metadata_files, settings.root, metadata.Context("gate"))
    reporter.problems(record.problems)
    if record.invalid: ...

`read` finds the files, loads and merges them (record.py); for a release it judges the
files alone first, so a broken file costs no request to GitHub, then asks the release
(`fill`) for the fields no file sets and merges its answer last. The whole is checked for
the run: each file's own problems, Zenodo's rules in context, a CITATION.cff gone stale
against the release, and with `strict`, the warnings as errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from zenodo_action.metadata.paths import path_from_zenodo_field
from zenodo_action.metadata.problems import ERROR, NOTICE, WARNING, Problem, as_errors
from zenodo_action.metadata.record import (
    RELEASE_FILLS,
    RELEASE_GIVES,
    Context,
    MetadataPaths,
    Record,
    find,
    load,
    problems_by_file,
    release_file,
)
from zenodo_action.naming import per_door

# Asked, for a release, with the fields no file sets: the values it can give for them.
Fill = Callable[[frozenset[str]], Mapping[str, Any]]
# Where a field is written: the file, line and column (None where there is no such place).
Place = tuple[str | None, int | None, int | None]


# The .zenodo.yml fields whose ids a records run asks the instance about before its first
# write (docs/reference/invenio-records-api.md §10.4), with the keys that hold them in a
# list's items: Zenodo's vocabulary judges them only where the run publishes to Zenodo.
INSTANCE_VOCABULARY: Mapping[str, frozenset[str]] = {
    "upload_type": frozenset(),
    "publication_type": frozenset(),
    "image_type": frozenset(),
    "license": frozenset({"id"}),
    "language": frozenset(),
    "related_identifiers": frozenset({"relation", "resource_type"}),
    "contributors": frozenset({"type"}),
    "dates": frozenset({"type"}),
}
_VOCABULARY_CODES = frozenset({"vocabulary", "license-unknown"})


@dataclass(frozen=True)
class CheckedRecord:
    """The record the metadata files make together, checked for one run."""

    record: Record
    context: Context
    problems: Mapping[Path, Sequence[Problem]]  # per file, in file order

    @property
    def data(self) -> Mapping[str, Any]:
        """The merged fields, as the files (and a release) give them."""
        return self.record.data

    @property
    def errors(self) -> int:
        return sum(1 for p in self._all_problems() if p.severity == ERROR)

    @property
    def invalid(self) -> bool:
        """Errors: nothing may be published (validate: exit 1)."""
        return self.errors > 0

    @property
    def has_problems(self) -> bool:
        return any(self.problems.values())

    @property
    def files_with_errors(self) -> list[Path]:
        return [
            path
            for path, problems in self.problems.items()
            if any(p.severity == ERROR for p in problems)
        ]

    def _all_problems(self) -> list[Problem]:
        return [p for problems in self.problems.values() for p in problems]

    @property
    def without_instance_vocabulary(self) -> CheckedRecord:
        """This record without the errors of Zenodo's vocabulary in `.zenodo.yml` ids that
        a records run asks the instance about (INSTANCE_VOCABULARY): the instance judges
        those itself."""
        return self._split_by_instance_vocabulary[0]

    @property
    def instance_vocabulary(self) -> CheckedRecord:
        """This record with only those errors: what stands if the instance is Zenodo."""
        return self._split_by_instance_vocabulary[1]

    @functools.cached_property
    def _split_by_instance_vocabulary(self) -> tuple[CheckedRecord, CheckedRecord]:
        own = {f.path for f in self.record.files if f.kind == "zenodo"}

        def keeping(instance_judged: bool) -> CheckedRecord:
            return replace(
                self,
                problems={
                    path: [
                        p
                        for p in problems
                        if (path in own and _instance_judges(p)) is instance_judged
                    ]
                    for path, problems in self.problems.items()
                },
            )

        return keeping(False), keeping(True)

    def release_fills(self) -> dict[str, str]:
        """The fields a record needs that no file sets, each with what a release fills in."""
        repository = self.context.repository or "<owner>/<repo>"
        return {
            key: text.format(repository=repository)
            for key, text in RELEASE_FILLS.items()
            if key not in self.data
        }

    def zenodo_metadata(self, related: Sequence[Mapping[str, str]] = ()) -> dict[str, Any]:
        """The deposition metadata to send: the record, the run's version and date over the
        files', `related` links added. A value no JSON body can carry fails here, on its
        line, before any request (ActionError)."""
        from zenodo_action.metadata.build import build_metadata, request_body  # a publish's

        metadata = build_metadata(
            self.data,
            version=self.context.version,
            publication_date=self.context.publication_date,
            today=self.context.today,
            related=related,
        )
        request_body(metadata, self._place)
        return metadata

    def origins(self, sent: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Top-level field -> where it came from: a file's name, or "the release". For the
        `sent` metadata: each of its fields, "the run" for a version or date the run gave
        and for what it added (a default date, the release's link)."""
        origins = self.record.origins()
        if sent is None:
            return origins
        given = {"version": self.context.version, "publication_date": self.context.publication_date}
        return {
            key: "the run" if given.get(key) or key not in origins else origins[key] for key in sent
        }

    def locate(self, zenodo_field: str) -> Place:
        """Where to annotate a field the server refused (`metadata.creators.0.name`): the
        file, line and column that hold it; nowhere for one about the whole record
        (`files.enabled`)."""
        path = path_from_zenodo_field(zenodo_field)
        return self._place(path) if path else (None, None, None)

    def _place(self, path: str) -> Place:
        """A field's JSON path (`creators[0].name`) -> the file and line that hold it, or
        that would naturally hold it."""
        line, column = self.record.position(path)
        return str(self.record.home(path).path), line, column


def read(
    paths: MetadataPaths,
    root: Path,
    context: Context,
    *,
    fill: Fill | None = None,
) -> CheckedRecord:
    """The metadata files `paths` names (in `root`), merged and checked for the run. With
    `fill`, a release is asked for what no file sets, once the files alone have no error
    (with errors, the record returned is the files', checked as by `validate`). A file that
    cannot be found or read raises UsageError."""
    files = load(find(paths, root), today=context.today)
    merged = Record.merge(files)
    if fill is not None:
        alone = _checked(merged, replace(context, kind="gate"))
        if alone.invalid:
            return alone
        missing = frozenset(key for key in RELEASE_GIVES if _blank(merged.data.get(key)))
        filled = fill(missing) if missing else {}
        if filled:
            merged = Record.merge([*files, release_file(filled)])
    return _checked(merged, context)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _checked(merged: Record, context: Context) -> CheckedRecord:
    found = problems_by_file(merged, context)
    if context.kind == "release":
        for path, problem in _stale_citation(merged, context):
            found.setdefault(path, []).append(problem)
    if context.strict:
        found = {path: as_errors(problems) for path, problems in found.items()}
    return CheckedRecord(merged, context, found)


WRITTEN_BACK = per_door(
    command_line="--write-back updates it in the working tree after publishing",
    runner="the write-back pull request updates it",
)


def _stale_citation(merged: Record, context: Context) -> list[tuple[Path, Problem]]:
    """A CITATION.cff whose version or date disagrees with the release: the release wins,
    but the file citing users read is stale, a chore for the user unless this run's
    write-back updates it (then it is only a notice). Versions compare by the one
    leading-"v" rule (versions.same_version), dates as written."""
    from zenodo_action.versions import same_version  # its orders compile: a release run's

    stale = []
    released = {"version": context.version, "publication_date": context.publication_date}
    for field, given in released.items():
        owner = merged.owner.get(field)
        written = merged.data.get(field)
        if owner is None or owner.kind != "citation" or not given or not written:
            continue
        if field == "version" and same_version(str(written), str(given)):
            continue
        if field == "publication_date" and str(written) == str(given):
            continue
        key = owner.origin(field) or field  # the file's own name: version, date-released
        line, column = owner.config.position(key)
        said = f"says {written!r}, but the release being published says {given!r}"
        if owner.path.absolute() in context.rewritten:
            message = f"{said} (Zenodo gets that); {WRITTEN_BACK}"
            problem = Problem(NOTICE, key, message, line, column, "stale-citation")
        else:
            message = (
                f"{said}; the release wins on Zenodo, but users citing from CITATION.cff "
                f"get the stale {key}: update it"
            )
            problem = Problem(WARNING, key, message, line, column, "stale-citation")
        stale.append((owner.path, problem))
    return stale


def _instance_judges(problem: Problem) -> bool:
    field, _, rest = problem.path.partition(".")
    field = field.split("[")[0]
    if problem.code not in _VOCABULARY_CODES or field not in INSTANCE_VOCABULARY:
        return False
    return not rest or rest.rsplit(".", 1)[-1] in INSTANCE_VOCABULARY[field]
