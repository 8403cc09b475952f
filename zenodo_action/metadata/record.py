"""The metadata files a run reads, and the record they make together.

Up to three files in the repository: `CITATION.cff`, `codemeta.json` and `.zenodo.yml`
(or `.zenodo.json`). Each is loaded with positions and mapped to Zenodo's fields; per
top-level field the most specific file wins (`.zenodo.yml` over `codemeta.json` over
`CITATION.cff`), whole, with no merging inside lists. On a release, the release and the
repository come last, as if a file of their own (title, upload type, creators, licence),
as for Zenodo's own GitHub integration (zenodo-api.md §11.1).

Problems are found in each file (its own schema) and in the merged record (Zenodo's
rules), and every problem is reported in the file that holds the field, or, for a field
missing everywhere, in the file that would naturally hold it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from zenodo_action.errors import UsageError
from zenodo_action.metadata import cff, paths
from zenodo_action.metadata.loader import Config, load_config, readable_file, short_path
from zenodo_action.metadata.mapped import Mapped
from zenodo_action.metadata.problems import NOTICE, WARNING, Problem, sort_problems
from zenodo_action.metadata.validate import validate
from zenodo_action.naming import per_door, setting

Kind = Literal["citation", "codemeta", "zenodo", "release"]
PRECEDENCE: tuple[Kind, ...] = ("release", "citation", "codemeta", "zenodo")  # last wins
DEFAULT_NAMES: dict[Kind, tuple[str, ...]] = {
    "citation": ("CITATION.cff",),
    "codemeta": ("codemeta.json",),
    "zenodo": (".zenodo.yml", ".zenodo.json"),
}
IGNORE = "none"  # as a path: do not read this file
# The setting (the Action's input; the command line's flag) that names each file.
SETTINGS: dict[Kind, str] = {
    "citation": "citation-file",
    "codemeta": "codemeta-file",
    "zenodo": "config",
}
# Fields each file format can hold: a field missing everywhere is reported in the first
# file present that can hold it (where users keep such metadata), else in `.zenodo.yml`.
HOLDS: dict[Kind, frozenset[str]] = {
    "citation": frozenset(
        {"title", "creators", "description", "keywords", "license", "upload_type", "version"}
        | {"publication_date", "related_identifiers", "contributors"}
    ),
    "codemeta": frozenset(
        {"title", "creators", "description", "keywords", "license", "upload_type", "version"}
        | {"related_identifiers", "contributors", "grants"}
    ),
}
# What a release is asked for when no file sets it (github_release.py gives what it can)...
RELEASE_GIVES = ("title", "upload_type", "creators", "license", "description")
# ... and how the gate describes it for the fields a record must have.
RELEASE_FILLS = {
    "title": "the release gives it '{repository}: <release name or tag>'",
    "upload_type": "a release is published as software",
    "creators": "a release lists the repository's contributors (from GitHub, bots left out)",
}


@dataclass(frozen=True)
class MetadataPaths:
    """The files to read, as the user named them. None: the default name in the root,
    looked for only when `zenodo` is the default too (an explicit config file is read
    alone, as before other files were read); "none": never read."""

    zenodo: str | None = None
    citation: str | None = None
    codemeta: str | None = None


@dataclass
class MetadataFile:
    """One metadata file as loaded and mapped to Zenodo's fields, with its own problems."""

    kind: Kind
    config: Config  # the file as loaded (an empty one for the release)
    mapped: Mapped
    problems: list[Problem] = field(default_factory=list)  # the file's own

    @property
    def path(self) -> Path:
        return self.config.path

    @property
    def label(self) -> str:
        return "the release" if self.kind == "release" else self.config.path.name

    def origin(self, zenodo_path: str) -> str | None:
        return zenodo_path if self.kind == "zenodo" else self.mapped.origin(zenodo_path)


@dataclass(frozen=True)
class Context:
    """The run the record is read for: what fills the fields no file sets, and what the
    run itself gives, as far as it is known when checking.

    gate: validate and pull requests, which cannot know how the record will be published;
    release: a release run (the release's fields are merged); dataset: any other run.
    """

    kind: Literal["gate", "release", "dataset"] = "gate"
    repository: str | None = None  # owner/name, when known: the title a release gives
    require_complete: bool = False  # the gate treats fields a release fills as errors
    strict: bool = False  # warnings stop the run too (what Zenodo takes, the formats do not)
    version: str | None = None  # the run's (a release's tag), over the files'
    publication_date: str | None = None  # the run's (a release's date), over the files'
    # The CITATION.cff files (absolute) this run's write-back updates after publishing.
    rewritten: frozenset[Path] = frozenset()
    today: date | None = None


def find(spec: MetadataPaths, root: Path) -> list[tuple[Kind, Path]]:
    """The files to read, in precedence order; UsageError naming them all when none is."""
    found: list[tuple[Kind, Path]] = []
    automatic = spec.zenodo is None
    others: tuple[tuple[Kind, str | None], ...] = (
        ("citation", spec.citation),
        ("codemeta", spec.codemeta),
    )
    for kind, given in others:
        if given == IGNORE or (given is None and not automatic):
            continue
        path = _given_or_default(kind, given, root)
        if path is not None:
            found.append((kind, path))
    zenodo = _given_or_default("zenodo", spec.zenodo, root)
    if zenodo is not None:
        found.append((kind_of(zenodo), zenodo))
    if not found:
        where = "the current directory" if root == Path(".") else str(root)
        raise UsageError(
            f"no metadata in {where}: no .zenodo.yml or .zenodo.json, no CITATION.cff and no "
            "codemeta.json",
            hint=_nothing_hint(root),
        )
    return found


def kind_of(path: Path) -> Kind:
    """What a file named as the config is: `--config CITATION.cff` reads it as CFF."""
    if path.suffix.lower() == ".cff":
        return "citation"
    return "codemeta" if path.name.lower() == "codemeta.json" else "zenodo"


def _given_or_default(kind: Kind, given: str | None, root: Path) -> Path | None:
    if given:
        path = Path(given) if Path(given).is_absolute() else root / given
        return readable_file(path, shown=given, hint=_path_hint(kind, given))
    for name in DEFAULT_NAMES[kind]:
        if (root / name).exists():
            return readable_file(root / name)
    return None


def _path_hint(kind: Kind, given: str) -> str:
    """Which setting named the path, and what it is relative to."""
    where = per_door(command_line="the current directory", runner="the workspace")
    named = setting(SETTINGS[kind], short_path(given))
    return f"check {named}: a relative path is read from {where}"


def _nothing_hint(root: Path) -> str:
    if (root / ".zenodo.yaml").exists():
        config = setting("config", ".zenodo.yaml")
        return f"found .zenodo.yaml: rename it to .zenodo.yml, or name it with {config}"
    checkout = per_door(
        command_line="", runner=" (and check that an actions/checkout step runs before this one)"
    )
    return (
        "add a CITATION.cff (GitHub's 'Cite this repository' reads it too) or a .zenodo.yml, "
        f"or name the file with {setting('config', 'PATH')}{checkout}"
    )


def load(found: Sequence[tuple[Kind, Path]], *, today: date | None = None) -> list[MetadataFile]:
    return [_load(kind, path, today) for kind, path in found]


def _load(kind: Kind, path: Path, today: date | None) -> MetadataFile:
    config = load_config(path)
    if kind == "citation":
        mapped = cff.to_zenodo(config)
        problems = cff.check(config, today=today) + mapped.problems
        return MetadataFile(kind, config, mapped, problems)
    if kind == "codemeta":
        from zenodo_action.metadata import codemeta

        mapped = codemeta.to_zenodo(config)
        return MetadataFile(kind, config, mapped, codemeta.check(config) + mapped.problems)
    data = config.data if isinstance(config.data, dict) else {}
    return MetadataFile(kind, config, Mapped(dict(data)), list(config.problems))


def release_file(fields: Mapping[str, Any]) -> MetadataFile:
    """What a release and its repository say, merged last as if a file (it has none)."""
    mapped = Mapped(dict(fields), {key: key for key in fields})
    return MetadataFile("release", Config(Path("<release>"), dict(fields)), mapped)


@dataclass
class Record:
    """The merged record, and for each top-level field the file it came from.

    It reads like a loaded `Config` (data, positions), so Zenodo's rules run on it
    unchanged; positions and raw text are looked up in the file that owns the field.
    """

    files: list[MetadataFile]
    data: dict[str, Any]
    owner: dict[str, MetadataFile]
    problems: list[Problem] = field(default_factory=list)  # a merged record loads cleanly

    @classmethod
    def merge(cls, files: Sequence[MetadataFile]) -> Record:
        ordered = sorted(files, key=lambda f: PRECEDENCE.index(f.kind))
        data: dict[str, Any] = {}
        owner: dict[str, MetadataFile] = {}
        for file in ordered:
            for key, value in file.mapped.data.items():
                data[key] = value
                owner[key] = file
        return cls(list(ordered), data, owner)

    @property
    def readable(self) -> bool:
        """Every file parsed: only then do missing fields mean anything."""
        return all(file.config.data is not None for file in self.files)

    def home(self, json_path: str) -> MetadataFile:
        """The file that holds a field, or would naturally hold it."""
        parts = paths.split(json_path)
        top = str(parts[0]) if parts else ""
        if top in self.owner and self.owner[top].kind != "release":
            return self.owner[top]
        files = [f for f in self.files if f.kind != "release"]
        for file in files:
            if top in HOLDS.get(file.kind, frozenset()):
                return file
        zenodo = [f for f in files if f.kind == "zenodo"]
        return (zenodo or files)[-1]

    def position(self, json_path: str) -> tuple[int | None, int | None]:
        """Where the field is written; for one the file does not hold, the file's start."""
        file = self.home(json_path)
        origin = file.origin(json_path)
        return file.config.position(origin if origin is not None else "")

    def key_position(self, json_path: str) -> tuple[int | None, int | None]:
        file = self.home(json_path)
        if file.kind == "zenodo":
            return file.config.key_position(json_path)
        return self.position(json_path)

    def raw_text(self, json_path: str) -> str | None:
        file = self.home(json_path)
        return file.config.raw_text(json_path) if file.kind == "zenodo" else None

    def origins(self) -> dict[str, str]:
        """Top-level field -> where it came from, for the summary and `convert`."""
        return {key: self.owner[key].label for key in self.data}


def problems_by_file(record: Record, context: Context) -> dict[Path, list[Problem]]:
    """Every file's own problems, and the merged record's, each in the file it is about."""
    found: dict[Path, list[Problem]] = {
        f.path: _settled(f, record, context) for f in record.files if f.kind != "release"
    }
    own = {path: list(problems) for path, problems in found.items()}
    if record.readable:
        for problem in validate(record, today=context.today):
            adjusted = _in_context(problem, record, context)
            file = record.home(problem.path).path
            if adjusted is not None and not _said_already(adjusted, own[file]):
                found[file].append(adjusted)
    return {path: sort_problems(problems) for path, problems in found.items()}


def _said_already(problem: Problem, own: Sequence[Problem]) -> bool:
    """A file's own check found as much at this very place (a CFF ORCID): its words, in
    the file's vocabulary, are the better ones. One of another severity says something
    else (the CFF schema's warning that `title` is missing, the record's notice)."""
    return problem.line is not None and any(
        (p.line, p.column, p.severity) == (problem.line, problem.column, problem.severity)
        for p in own
    )


# What a mapper says about how it read a field (several licences, funding it could not
# carry): moot when a more specific file gives that field.
_MAPPING_NOTES = ("several-licenses", "several-affiliations", "funding-not-mapped")


def _settled(file: MetadataFile, record: Record, context: Context) -> list[Problem]:
    """A file's own problems as much as they matter in this record. A field a more specific
    file gives never reaches Zenodo from this one: a note on how it was read goes, an error
    in it is a warning (Zenodo's webhook, too, reads no CITATION.cff beside a .zenodo.json).
    A value the file gives that cannot be used falls back to the next file that gives the
    field (a release: the repository's licence), with a warning; with none, it is an error
    (Zenodo would record its default), which the gate, not knowing the run, only warns of."""
    settled = []
    for problem in file.problems:
        owner = _more_specific_owner(record, problem.about, file)
        if owner is None:
            settled.append(problem)
        elif problem.code in _MAPPING_NOTES or problem.severity == NOTICE:
            continue
        elif problem.severity == WARNING:
            settled.append(problem)
        else:
            note = f"; not used: {problem.about} comes from {owner.label}"
            settled.append(replace(problem, severity=WARNING, message=problem.message + note))
    for problem in file.mapped.unusable:
        owner = record.owner.get(problem.about)
        if owner is not None:
            note = f"; {problem.about} comes from {owner.label} instead"
        elif context.kind == "gate":
            note = f"; no other file gives {problem.about}: a release takes the repository's"
        else:
            settled.append(problem)
            continue
        settled.append(replace(problem, severity=WARNING, message=problem.message + note))
    return settled


def _more_specific_owner(record: Record, field: str, file: MetadataFile) -> MetadataFile | None:
    """The file that gives `field` to the record, when it is more specific than `file`."""
    owner = record.owner.get(field) if field else None
    if owner is None or owner.kind == "release":
        return None
    return owner if PRECEDENCE.index(owner.kind) > PRECEDENCE.index(file.kind) else None


# Zenodo-format warnings that do not apply to a field mapped from CFF or codemeta: a
# version and date are meant to be there, and names were built as "Family, Given".
_ZENODO_ONLY = ("hard-coded-version", "hard-coded-date", "name-format")


def _in_context(problem: Problem, record: Record, context: Context) -> Problem | None:
    """Zenodo's rules say what the record lacks; how much that matters depends on the run."""
    code, top = problem.code, str((paths.split(problem.path) or [""])[0])
    if code == "required" and problem.path in RELEASE_FILLS and context.kind == "gate":
        fills = RELEASE_FILLS[problem.path].format(
            repository=context.repository or "<owner>/<repo>"
        )
        if context.require_complete:
            return replace(
                problem, message=f"{problem.message} ({fills}, but require-complete is on)"
            )
        return replace(problem, severity=NOTICE, message=f"not set: {fills}", code="release-fills")
    if code in _ZENODO_ONLY and record.home(top).kind != "zenodo":
        return None  # CITATION.cff and codemeta.json are meant to carry them, or named them
    if code == "missing-description" and context.kind == "gate":
        message = "not set: a release uses its notes (and another run publishes none)"
        return replace(problem, severity=NOTICE, message=message, code="release-fills")
    if code == "default-license" and any(
        p.about == "license" for f in record.files for p in f.mapped.unusable
    ):
        return None  # a file names a licence Zenodo cannot use: that error says it all
    if code == "default-license":
        return replace(problem, message=_license_message(record, context))
    return problem


def _license_message(record: Record, context: Context) -> str:
    default = "CC0-1.0" if record.data.get("upload_type") == "dataset" else "CC-BY-4.0"
    if context.kind == "gate":
        return (
            "no license: a release takes the repository's licence (GitHub detects it from "
            f"your LICENSE file), else Zenodo records {default}; any other run records "
            f"{default}. Set license to be sure"
        )
    return (
        f"no license: Zenodo will record {default}; set license (e.g. the one in your LICENSE file)"
    )
