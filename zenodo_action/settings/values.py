"""The parsers of single values, shared by both front doors, so that a flag and an input
are held to the same rules: the Zenodo URL, concept references, dates, tags, counts, the
write-back's files. Each takes the value as the user wrote it and the name to blame
(`--upload-workers`, `input 'upload-workers'`); none reads the environment itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from zenodo_action.errors import UsageError
from zenodo_action.github.event import REPOSITORY_PATTERN
from zenodo_action.metadata import IGNORE, MetadataPaths
from zenodo_action.naming import setting
from zenodo_action.settings.defaults import default
from zenodo_action.settings.model import (
    ArchiveFormat,
    ArchiveSource,
    ReleaseOptions,
    WriteBackOptions,
    WriteBackTarget,
)
from zenodo_action.urls import insecure
from zenodo_action.zenodo.api import KNOWN_PREFIXES, ApiChoice, ConceptRef, RecordId

ZENODO_URL = "https://zenodo.org"
SANDBOX_URL = "https://sandbox.zenodo.org"
MOST_UPLOAD_WORKERS = 16

_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?((10\.\d{4,9})/\S+)$", re.I)
_ZENODO_DOI_SUFFIX = re.compile(r"^zenodo\.(\d+)$", re.I)
# The record's id is the whole path segment after the route (docs/reference/
# invenio-records-api.md §2): `/records/8x4k2-abcde` is record 8x4k2-abcde, not 8.
_RECORD_URL_PATH = re.compile(
    r"^/(?:records?|deposit|uploads|api/records|api/deposit/depositions)/([^/]+)(?:/.*)?$"
)
# InvenioRDM's ids: base32 characters in dash-separated groups (`8x4k2-abcde`,
# invenio-records-api.md §2); Zenodo's are numbers.
_RDM_ID = re.compile(r"^[0-9a-z]+(?:-[0-9a-z]+)*$")
API_CHOICES = ("auto", "deposit", "records")
# source-archive's values: GitHub's archive of the tag, or one built from the checkout.
ARCHIVES: dict[str, tuple[ArchiveSource, ArchiveFormat] | None] = {
    "zip": ("github", "zip"),
    "tar.gz": ("github", "tar.gz"),
    "checkout": ("checkout", "zip"),
    "checkout-tar.gz": ("checkout", "tar.gz"),
    "none": None,
}
WRITE_BACK_TARGETS = ("citation", "codemeta", "readme")
DEFAULT_CONFIG = default("config")  # every metadata file present is read
DEFAULT_README = default("readme-file")


def release_options(
    *, assets: bool, archive: str, notes_badge: bool, asset_wait: float
) -> ReleaseOptions:
    """The release options, the source archive as one of ARCHIVES' names."""
    chosen = ARCHIVES[archive]
    return ReleaseOptions(
        assets=assets,
        source_archive=chosen[1] if chosen else None,
        archive_from=chosen[0] if chosen else "github",
        notes_badge=notes_badge,
        asset_wait=asset_wait,
    )


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


def api_choice(given: str, name: str) -> ApiChoice:
    """`auto`, `deposit` or `records` (any case, as API_CHOICES names them)."""
    value = given.strip().lower()
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
    the instance (InvenioRDM's DOIs need not contain the id, invenio-records-api.md §2), which only
    the records API can do: on zenodo.org and with the deposit API, Zenodo's forms are required."""
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


def seconds(given: str, name: str) -> float:
    """A duration in seconds, 0 or more (an input like `asset-wait: 120`)."""
    try:
        value = float(given)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 24 * 3600:
        raise UsageError(f"{name} must be a number of seconds from 0 to 86400, not {given!r}")
    return value


def count(given: str, name: str, *, most: int) -> int:
    """A whole number from 1 to `most` (an input like `upload-workers: 4`)."""
    if not given.strip().isdigit() or not 1 <= int(given) <= most:
        raise UsageError(f"{name} must be a whole number from 1 to {most}, not {given!r}")
    return int(given)


def repository_of(environ: Mapping[str, str]) -> str | None:
    """GITHUB_REPOSITORY, when it looks like owner/name (to say what title a release gives)."""
    value = variable(environ, "GITHUB_REPOSITORY")
    return value if value and REPOSITORY_PATTERN.match(value) else None


def variable(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def optional_path(value: str | None) -> Path | None:
    return Path(value.strip()) if value and value.strip() else None
