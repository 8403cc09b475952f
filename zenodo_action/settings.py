"""Everything a run needs, parsed and checked once, before any file is read or request sent.

One `Settings` per run, built by exactly one of two constructors: `Settings.from_args`
(the command line's parsed flags, plus `ZENODO_TOKEN`) and `Settings.from_runner` (the
Actions runner's `INPUT_*` and `GITHUB_*` variables). Nothing below the front doors
reads an input or the environment again, so a bad input, whatever it is, fails here
with its name in the message. The parsing of single values (the Zenodo URL, concept
references, dates) lives here too, so a flag and an input are held to the same rules.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from zenodo_action import confined
from zenodo_action.errors import UsageError
from zenodo_action.github import inputs
from zenodo_action.github.commands import RunnerFiles
from zenodo_action.github.event import (
    PULL_REQUEST_EVENTS,
    REPOSITORY_PATTERN,
    Release,
    RunContext,
    check_url,
    load_context,
)
from zenodo_action.metadata import IGNORE, MetadataPaths
from zenodo_action.naming import setting
from zenodo_action.urls import insecure
from zenodo_action.zenodo.api import KNOWN_PREFIXES, ApiChoice, ConceptRef, RecordId

ZENODO_URL = "https://zenodo.org"
SANDBOX_URL = "https://sandbox.zenodo.org"
DEFAULT_CONFIG = ".zenodo.yml"
# Files uploaded at a time: enough to hide Zenodo's latency per request on a runner's
# 2 cores; more only adds threads (parallelism adds no requests, so no rate-limit cost).
UPLOAD_WORKERS = 4
MOST_UPLOAD_WORKERS = 16

_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?((10\.\d{4,9})/\S+)$", re.I)
_ZENODO_DOI_SUFFIX = re.compile(r"^zenodo\.(\d+)$", re.I)
# The record's id is the whole path segment after the route (docs/reference/
# invenio-records-api.md §2): `/records/8x4k2-abcde` is record 8x4k2-abcde, not 8.
_RECORD_URL_PATH = re.compile(
    r"^/(?:records?|deposit|uploads|api/records|api/deposit/depositions)/([^/]+)(?:/.*)?$"
)
# InvenioRDM's ids: base32 characters in dash-separated groups (`8x4k2-abcde`, §2);
# Zenodo's are numbers.
_RDM_ID = re.compile(r"^[0-9a-z]+(?:-[0-9a-z]+)*$")
API_CHOICES = ("auto", "deposit", "records")
MISSING_CREDENTIAL_HINT = (
    "add `token: ${{ secrets.ZENODO_TOKEN }}` to the step, with a Zenodo token that has the "
    "deposit:write and deposit:actions scopes; pull requests only need mode: validate"
)

Mode = Literal["validate", "convert", "publish"]
OutputFormat = Literal["text", "json", "github", "gitlab"]
ArchiveFormat = Literal["zip", "tar.gz"]
MODES = ("auto", "validate", "publish")
ArchiveSource = Literal["github", "checkout"]
# source-archive's values: GitHub's archive of the tag, or one built from the checkout.
ARCHIVES: dict[str, tuple[ArchiveSource, ArchiveFormat] | None] = {
    "zip": ("github", "zip"),
    "tar.gz": ("github", "tar.gz"),
    "checkout": ("checkout", "zip"),
    "checkout-tar.gz": ("checkout", "tar.gz"),
    "none": None,
}


@dataclass(frozen=True)
class PublishSettings:
    """What publishing to Zenodo needs, whichever front door the run came through."""

    zenodo_url: str
    token: str = field(repr=False)
    concept: ConceptRef | None = None
    version: str | None = None
    publication_date: str | None = None
    draft: bool = False
    dry_run: bool = False
    upload_workers: int = UPLOAD_WORKERS  # files uploaded at a time (1: one after the other)
    api: ApiChoice = "auto"  # Zenodo's deposit API, InvenioRDM's records API, or detect


@dataclass(frozen=True)
class ReleaseOptions:
    """The Action's say over a GitHub release: which of its files, and the badge."""

    assets: bool = True
    source_archive: ArchiveFormat | None = "zip"
    archive_from: ArchiveSource = "github"  # or built from the checked-out tree
    notes_badge: bool = True
    asset_wait: float = 120.0  # seconds to wait for assets GitHub lists as still uploading


WRITE_BACK_TARGETS = ("citation", "codemeta", "readme")
DEFAULT_README = "README.md"
GITHUB_API = "https://api.github.com"


@dataclass(frozen=True)
class WriteBackTarget:
    kind: str  # citation, codemeta or readme
    path: str  # relative to the repository's root, with `/`
    named: bool  # the user named the file (a missing one is an error, not a notice)


@dataclass(frozen=True)
class WriteBackOptions:
    """Which of the repository's files get the DOI after a publish (none: off)."""

    targets: tuple[WriteBackTarget, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.targets)


@dataclass(frozen=True)
class Settings:
    mode: Mode
    root: Path  # where the metadata files and the `files` globs are looked up
    metadata_files: MetadataPaths = field(default_factory=MetadataPaths)  # the files to read
    files: tuple[str, ...] = ()  # globs
    output_format: OutputFormat = "text"
    strict: bool = False  # warnings count as errors (validate, and the check before publishing)
    require_complete: bool = False  # validate: fields a release fills are errors, not notices
    repository: str | None = None  # owner/name under the runner: the title a release gives
    fenced: bool = False  # text output runs under the runner: fence it against commands
    publish: PublishSettings | None = None  # None in validate mode
    release: ReleaseOptions = ReleaseOptions()
    context: RunContext | None = None  # the Action's run (publish mode only)
    github_token: str | None = field(default=None, repr=False)
    runner: RunnerFiles = field(default_factory=RunnerFiles)
    write_back: WriteBackOptions = WriteBackOptions()
    release_tag: str | None = None  # back-fill: publish the release with this tag
    github_api_url: str = GITHUB_API  # the CLI's back-fill reads the release from here
    allow_outside_root: bool = False  # `files` may name paths outside root (CLI flag only)
    allow_lfs_pointers: bool = False  # archive Git LFS pointers as they are (opt-out)
    dotenv: Path | None = None  # publish: GitLab's dotenv report of the result goes here
    # GitLab CI's checkout (CI_PROJECT_DIR): Code Quality paths are relative to it
    project_dir: Path | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
        """The command line: `validate` or `publish` flags, the token from ZENODO_TOKEN."""
        runner = RunnerFiles(
            workspace=_optional_path(environ.get("GITHUB_WORKSPACE")),
            summary=_variable(environ, "GITHUB_STEP_SUMMARY"),
        )
        common = cls(
            "validate",
            Path("."),
            metadata_files=MetadataPaths(args.config, args.citation_file, args.codemeta_file),
            fenced=under_runner(environ),
            runner=runner,
            repository=_repository(environ),
            project_dir=_optional_path(environ.get("CI_PROJECT_DIR")),
        )
        if args.command == "convert":  # YAML is its text output
            convert_format: OutputFormat = "json" if args.format == "json" else "text"
            return dataclasses.replace(common, mode="convert", output_format=convert_format)
        if args.command == "validate":
            # `codeclimate`: GitLab's Code Quality report is a subset of Code Climate's
            validate_format: OutputFormat = (
                "gitlab" if args.format == "codeclimate" else args.format
            )
            return dataclasses.replace(
                common,
                output_format=validate_format,
                strict=args.strict,
                require_complete=args.require_complete,
            )
        output_format: OutputFormat = "json" if args.json else "text"
        settings = dataclasses.replace(
            common,
            mode="publish",
            files=tuple(args.files or ()),
            strict=args.strict,
            allow_outside_root=args.allow_outside_root,
            allow_lfs_pointers=args.allow_lfs_pointers,
            output_format=output_format,
            publish=_publish_from_args(args, environ),
            write_back=write_back_options(
                args.write_back, args.readme_file, common.metadata_files, "--write-back"
            ),
            dotenv=dotenv_path(args.dotenv, common.project_dir),
        )
        return settings._backfill_from_args(args, environ)

    def _backfill_from_args(self, args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
        """`--release-tag`: the release is read from GitHub (repository and token from the
        flags or GITHUB_REPOSITORY / GITHUB_TOKEN, as in a workflow step)."""
        tag = release_tag(args.release_tag, "--release-tag")
        if tag is None:
            given = [flag for flag, value in _release_flags(args) if value is not None]
            if given:
                raise UsageError(f"{', '.join(given)} only apply with --release-tag")
            if not self.files:
                raise UsageError("publish needs --files, or --release-tag to publish a release")
            return self
        repository = (args.repository or "").strip() or self.repository
        if not repository or not REPOSITORY_PATTERN.match(repository):
            raise UsageError(
                "--release-tag needs the repository as owner/name"
                + (f", not {repository!r}" if repository else ""),
                hint="pass --repository owner/name (or set GITHUB_REPOSITORY)",
            )
        api_url = args.github_api_url or _variable(environ, "GITHUB_API_URL") or GITHUB_API
        return dataclasses.replace(
            self,
            repository=repository,
            release_tag=tag,
            github_api_url=check_url(api_url, "--github-api-url"),
            github_token=(environ.get("GITHUB_TOKEN") or "").strip() or None,
            release=ReleaseOptions(
                assets=not args.no_release_assets,
                **archive_options(args.source_archive or "zip"),
                notes_badge=False,  # the CLI leaves the release as it is
                asset_wait=0.0,  # a past release: nothing is still uploading
            ),
        )

    @classmethod
    def from_runner(cls, environ: Mapping[str, str]) -> Settings:
        """The Action: inputs as the runner passes them (github-actions.md §1.4), the mode
        from the `mode` input and the event, and in publish mode the run's context."""
        # Masked before anything else is printed, so no line can carry them unmasked.
        token = inputs.get_secret("token", environ=environ)
        github_token = inputs.get_secret("github-token", environ=environ)
        text = partial(inputs.get_input, environ=environ)
        flag = partial(inputs.get_bool, environ=environ)
        mode = _mode(inputs.get_choice("mode", MODES, "auto", environ=environ), environ)
        root = _workspace(environ)
        archive = inputs.get_choice("source-archive", ARCHIVES, "zip", environ=environ)
        config = text("config")
        metadata_files = MetadataPaths(
            None if config == DEFAULT_CONFIG else config,
            text("citation-file"),
            text("codemeta-file"),
        )
        publish = _publish_from_inputs(token or "", text, flag)  # checked in either mode
        settings = cls(
            mode,
            root,
            metadata_files=metadata_files,
            strict=flag("strict", False),
            require_complete=flag("require-complete", False),
            repository=_repository(environ),
            files=tuple(inputs.get_multiline("files", environ=environ)),
            output_format="github",
            release=_release_from_inputs(text, flag, archive),
            allow_lfs_pointers=flag("allow-lfs-pointers", False),
            github_token=github_token,
            runner=runner_files(environ),
            write_back=write_back_options(
                text("write-back"), text("readme-file"), metadata_files, "input 'write-back'"
            ),
            release_tag=release_tag(text("release-tag"), "input 'release-tag'"),
        )
        if mode == "validate":
            return settings  # no token, no network, no event payload: fork PRs work
        return settings._for_the_run(publish, load_context(environ))

    def _for_the_run(self, publish: PublishSettings, context: RunContext) -> Settings:
        """Publish mode under the runner: a token at last, and what the run's event adds
        (the tag as version, the release's day as publication date)."""
        if not publish.token:
            raise UsageError(
                "input 'token' is empty: publishing needs a Zenodo token",
                hint=MISSING_CREDENTIAL_HINT,
            )
        if self.release_tag is not None:
            if context.release is not None:
                raise UsageError(
                    "input 'release-tag' is for back-filling a release from a "
                    "workflow_dispatch run; on a release event the event's release is published",
                    hint="leave release-tag empty in the release workflow",
                )
            return dataclasses.replace(self, publish=publish, context=context)
        settings = dataclasses.replace(self, context=context, publish=publish)
        if context.release is not None:
            return settings.for_release(context.release)
        return settings.with_version(publish.version or context.tag)

    def for_release(self, release: Release) -> Settings:
        """Publishing `release`: its tag is the version unless one was given, its day the
        publication date (the event's release, or one read by tag to back-fill it)."""
        assert self.publish is not None, "a release is published in publish mode only"
        publish = dataclasses.replace(
            self.publish,
            version=self.publish.version or release.tag_name,
            publication_date=self.publish.publication_date or release.published_date,
        )
        return dataclasses.replace(self, publish=publish)

    def with_version(self, version: str | None) -> Settings:
        assert self.publish is not None, "a version is published in publish mode only"
        return dataclasses.replace(self, publish=dataclasses.replace(self.publish, version=version))


def _publish_from_inputs(
    token: str, text: Callable[[str], str | None], flag: Callable[[str, bool], bool]
) -> PublishSettings:
    """The Action's publish inputs (the version and date a release gives come later)."""
    base = zenodo_url(text("zenodo-url"), sandbox=flag("sandbox", False))
    api = api_choice(text("api"), "input 'api'")
    return PublishSettings(
        zenodo_url=base,
        token=token,
        concept=concept_ref(text("concept"), base, api),
        version=text("version"),
        draft=not flag("publish", True),
        dry_run=flag("dry-run", False),
        upload_workers=count(
            text("upload-workers"),
            "input 'upload-workers'",
            UPLOAD_WORKERS,
            most=MOST_UPLOAD_WORKERS,
        ),
        api=api,
    )


def archive_options(value: str) -> dict[str, Any]:
    """ReleaseOptions' source_archive and archive_from for a `source-archive` value."""
    chosen = ARCHIVES[value]
    if chosen is None:
        return {"source_archive": None}
    return {"archive_from": chosen[0], "source_archive": chosen[1]}


def _release_from_inputs(
    text: Callable[[str], str | None],
    flag: Callable[[str, bool], bool],
    archive: str,
) -> ReleaseOptions:
    return ReleaseOptions(
        assets=flag("release-assets", True),
        **archive_options(archive),
        notes_badge=flag("release-notes-badge", True),
        asset_wait=seconds(text("asset-wait"), "asset-wait", 120.0),
    )


def _publish_from_args(args: argparse.Namespace, environ: Mapping[str, str]) -> PublishSettings:
    """`publish`'s flags, the token from ZENODO_TOKEN only (never a flag: shell history)."""
    token = (environ.get("ZENODO_TOKEN") or "").strip()
    if not token:
        raise UsageError("set the ZENODO_TOKEN environment variable to a Zenodo access token")
    base = zenodo_url(args.zenodo_url, sandbox=args.sandbox)
    api = api_choice(args.api, "--api")
    return PublishSettings(
        zenodo_url=base,
        token=token,
        concept=concept_ref(args.concept, base, api),
        version=args.version,
        publication_date=publication_date(args.publication_date),
        draft=args.draft,
        dry_run=args.dry_run,
        upload_workers=count(
            args.upload_workers, "--upload-workers", UPLOAD_WORKERS, most=MOST_UPLOAD_WORKERS
        ),
        api=api,
    )


def _release_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    """The back-fill's flags, None where not given."""
    return [
        ("--repository", args.repository),
        ("--github-api-url", args.github_api_url),
        ("--source-archive", args.source_archive),
        ("--no-release-assets", args.no_release_assets or None),
    ]


def runner_files(environ: Mapping[str, str]) -> RunnerFiles:
    """Where the runner takes the step's results. Read apart from the inputs, so that a
    run that fails on an input still leaves a job summary and a `status`."""
    return RunnerFiles(
        _workspace(environ),
        _variable(environ, "GITHUB_OUTPUT"),
        _variable(environ, "GITHUB_STEP_SUMMARY"),
    )


def under_runner(environ: Mapping[str, str]) -> bool:
    """The command line runs in a GitHub Actions step: what it prints is read for workflow
    commands, so it is fenced."""
    return environ.get("GITHUB_ACTIONS") == "true"


def write_back_targets(given: str | None, name: str) -> frozenset[str]:
    """`citation, readme` (commas or lines; `all`: every one; empty: none)."""
    words = [w.strip().lower() for w in re.split(r"[,\n]", given or "") if w.strip()]
    unknown = [w for w in words if w not in (*WRITE_BACK_TARGETS, "all")]
    if unknown:
        raise UsageError(
            f"{name}: unknown {', '.join(repr(w) for w in unknown)}; name any of "
            f"{', '.join(WRITE_BACK_TARGETS)}, or all (empty: no write-back)"
        )
    return frozenset(WRITE_BACK_TARGETS) if "all" in words else frozenset(words)


def write_back_options(
    given: str | None, readme: str | None, metadata_files: MetadataPaths, name: str
) -> WriteBackOptions:
    """The files write-back edits: the CITATION.cff and codemeta.json the run reads (their
    default names when it names none) and the README; each must be a path inside the
    repository, since a pull request can only change those."""
    chosen = write_back_targets(given, name)
    named = {
        "citation": metadata_files.citation,
        "codemeta": metadata_files.codemeta,
        "readme": readme,
    }
    defaults = {"citation": "CITATION.cff", "codemeta": "codemeta.json", "readme": DEFAULT_README}
    targets = []
    for kind in WRITE_BACK_TARGETS:
        if kind not in chosen:
            continue
        if named[kind] == IGNORE:
            raise UsageError(f"{name} names {kind}, but its file is set to none (not read)")
        path = named[kind] or defaults[kind]
        chosen_by_user = path != defaults[kind]  # a missing default file is just skipped
        targets.append(WriteBackTarget(kind, _repository_path(path, kind), chosen_by_user))
    return WriteBackOptions(tuple(targets))


def _repository_path(given: str, kind: str) -> str:
    path = PurePosixPath(given.strip().replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts or path == PurePosixPath("."):
        raise UsageError(
            f"write-back: the {kind} file {given!r} is not a path inside the repository"
        )
    return str(path)


def release_tag(given: str | None, name: str) -> str | None:
    """A tag to back-fill. `.` and `..` (whole, or between slashes) are no tag git allows,
    and in the URL of the release they would walk up the API's path instead."""
    tag = (given or "").strip() or None
    if tag is not None and any(part in (".", "..") for part in tag.split("/")):
        raise UsageError(
            f"{name} {tag!r} is not a tag name: git allows no tag that is, or has a part "
            "between slashes that is, `.` or `..`"
        )
    return tag


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


def seconds(given: str | None, name: str, default: float) -> float:
    """A duration in seconds, 0 or more (an input like `asset-wait: 120`)."""
    if given is None:
        return default
    try:
        value = float(given)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 24 * 3600:
        raise UsageError(
            f"input '{name}' must be a number of seconds from 0 to 86400, not {given!r}"
        )
    return value


def count(given: str | None, name: str, default: int, *, most: int) -> int:
    """A whole number from 1 to `most` (an input like `upload-workers: 4`)."""
    if given is None:
        return default
    if not given.strip().isdigit() or not 1 <= int(given) <= most:
        raise UsageError(f"{name} must be a whole number from 1 to {most}, not {given!r}")
    return int(given)


def _mode(given: str, environ: Mapping[str, str]) -> Mode:
    """`auto` validates on pull-request events and publishes on any other."""
    if given == "validate" or (
        given == "auto" and environ.get("GITHUB_EVENT_NAME", "") in PULL_REQUEST_EVENTS
    ):
        return "validate"
    return "publish"


def _workspace(environ: Mapping[str, str]) -> Path:
    """The checkout: GITHUB_WORKSPACE inside the container, else the working directory."""
    given = _optional_path(environ.get("GITHUB_WORKSPACE"))
    return given if given is not None and given.is_dir() else Path.cwd()


def _repository(environ: Mapping[str, str]) -> str | None:
    """GITHUB_REPOSITORY, when it looks like owner/name (to say what title a release gives)."""
    value = _variable(environ, "GITHUB_REPOSITORY")
    return value if value and REPOSITORY_PATTERN.match(value) else None


def _variable(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def _optional_path(value: str | None) -> Path | None:
    return Path(value.strip()) if value and value.strip() else None


def zenodo_url(url: str | None, *, sandbox: bool = False) -> str:
    """Check the Zenodo (or InvenioRDM) base URL; plain http only on loopback."""
    if not url:
        return SANDBOX_URL if sandbox else ZENODO_URL
    name = setting("zenodo-url")
    if sandbox:
        raise UsageError(f"give either {setting('sandbox', 'true')} or {name}, not both")
    parts = urlsplit(url.strip())
    problem = insecure(url.strip())
    if problem == "not-http":
        raise UsageError(f"{name} {url!r} is not an http(s) URL such as {ZENODO_URL}")
    if problem == "plain-http":
        raise UsageError(
            f"{name} {url!r} uses plain http: the token would travel unencrypted; "
            "use https (plain http is allowed only on loopback addresses)"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(f"{name} must be a bare base URL, without credentials, query or #")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def api_choice(given: str | None, name: str) -> ApiChoice:
    """`auto` (the default), `deposit` or `records`."""
    value = (given or "auto").strip().lower() or "auto"
    if value == "deposit":
        return "deposit"
    if value == "records":
        return "records"
    if value != "auto":
        raise UsageError(f"{name} must be one of {', '.join(API_CHOICES)}, not {given!r}")
    return "auto"


def concept_ref(given: str | None, base_url: str, api: ApiChoice = "auto") -> ConceptRef | None:
    """Parse `--concept`: a DOI, a doi.org URL, a record id or a record URL. Zenodo's DOIs
    name their record (10.5281/zenodo.123 is record 123); any other DOI is looked up on
    the instance (InvenioRDM's DOIs need not contain the id, §2), which only the records
    API can do: on zenodo.org and with the deposit API, Zenodo's forms are required."""
    if given is None or not given.strip():
        return None
    text = unquote(given.strip())
    zenodo = urlsplit(base_url).hostname in KNOWN_PREFIXES or api == "deposit"
    doi = _DOI.match(text)
    if doi:
        return _doi_ref(doi.group(1), doi.group(2), base_url, given, zenodo=zenodo)
    record_id = _record_id(text, zenodo=zenodo)
    if record_id is not None:
        return ConceptRef(record_id, given)
    parts = urlsplit(text)
    record = _RECORD_URL_PATH.match(parts.path)
    record_id = _record_id(unquote(record.group(1)), zenodo=zenodo) if record else None
    if parts.scheme in ("http", "https") and record_id is not None:
        _check_host(parts.hostname or "", base_url, given)
        return ConceptRef(record_id, given)
    raise _not_a_concept(given, base_url, zenodo=zenodo)


def _doi_ref(doi: str, prefix: str, base_url: str, given: str, *, zenodo: bool) -> ConceptRef:
    """A DOI: Zenodo's name their record; another instance's are looked up there."""
    _check_prefix(prefix, base_url, given)
    suffix = _ZENODO_DOI_SUFFIX.match(doi.partition("/")[2])
    if suffix:
        return ConceptRef(int(suffix.group(1)), given, doi=doi)
    if zenodo:
        raise _not_a_concept(given, base_url, zenodo=True)
    return ConceptRef(None, given, doi=doi)


def _record_id(text: str, *, zenodo: bool) -> RecordId | None:
    """A record id as each API holds it (numbers as ints: see `api.record_id`)."""
    if text.isdigit():
        return int(text)
    if not zenodo and len(text) <= 64 and _RDM_ID.match(text.lower()):
        return text.lower()
    return None


def _not_a_concept(given: str, base_url: str, *, zenodo: bool) -> UsageError:
    if zenodo:
        return UsageError(
            f"{setting('concept')} {given!r} is not a Zenodo concept DOI (10.5281/zenodo.123), "
            "a record id (123) or a record URL (https://zenodo.org/records/123)"
        )
    return UsageError(
        f"{setting('concept')} {given!r} is not a DOI (10.1234/abcde-12345), a record id "
        f"(abcde-12345, or 123 on Zenodo) or a record URL ({base_url}/records/abcde-12345)"
    )


def _check_prefix(prefix: str, base_url: str, given: str) -> None:
    expected = KNOWN_PREFIXES.get(urlsplit(base_url).hostname or "")
    if expected and prefix != expected:
        other = next(host for host, p in KNOWN_PREFIXES.items() if p != expected)
        hint = (
            f" (DOIs with {prefix} belong to {other})" if prefix in KNOWN_PREFIXES.values() else ""
        )
        raise UsageError(
            f"{setting('concept')} {given!r} has DOI prefix {prefix}, but {base_url} mints "
            f"{expected}{hint}",
            hint=f"publish to the instance that minted it: {setting('sandbox', 'true')} for "
            f"sandbox.zenodo.org, {setting('zenodo-url')} for another one (default: zenodo.org)",
        )


def _check_host(host: str, base_url: str, given: str) -> None:
    expected = urlsplit(base_url).hostname or ""
    if host.lower() != expected.lower():
        raise UsageError(
            f"{setting('concept')} {given!r} points at {host}, but this run publishes to "
            f"{expected}; use {setting('sandbox', 'true')} or {setting('zenodo-url')} to match"
        )


def publication_date(given: str | None) -> str | None:
    """A YYYY-MM-DD date (Zenodo rejects date-times, zenodo-api.md §4.3)."""
    if given is None or not given.strip():
        return None
    try:
        return dt.date.fromisoformat(given.strip()).isoformat()
    except ValueError:
        raise UsageError(f"publication date {given!r} is not a date like 2024-05-31") from None
