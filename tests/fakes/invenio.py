"""A stateful fake of InvenioRDM's records API (/api/records, /api/user/records).

It follows docs/reference/invenio-records-api.md (section numbers in comments refer to it) and is a
real HTTP server on loopback. It shares the fake Zenodo's transport (`FakeZenodo`: the
server, request recording, injected faults, "late" actions, rate limits and their
headers), but none of its state or answers: records, drafts, files, PIDs and the search
index are its own, shaped as InvenioRDM's sources give them.

Fixtures: `fake_invenio` (a plain InvenioRDM: ids such as 8x4k2-abcde, DOIs
`{prefix}/{id}`) and `fake_invenio_zenodo` (the records API as Zenodo serves it: numeric ids,
DOIs 10.5281/zenodo.N, `application/json` answered in Zenodo's legacy-like shape, the
`notes` description type, empty files refused, and a deposit-API probe endpoint,
invenio-records-api.md §12).

Addresses, accounts, `inject`, `requests`, `count`, `rate_limited`, `rate_limit`, `latency`,
`slow_seconds`, `peak_uploads`, `hold_uploads`: as on `FakeZenodo` (see
tests/fakes/zenodo.py). Extra fault kinds: "401" and "409" (invenio-rest's JSON shapes,
invenio-records-api.md §9.3). `ENDPOINTS` names the requests a publish sends, for fault
matrices.

Switches:
    index_lag = k          a change is invisible to the next k searches
                           (invenio-records-api.md §8.2)
    max_files              files per draft (invenio-records-api.md §5.1)
    quota_size             bytes per draft's files, None: unlimited
                           (invenio-records-api.md §5.9)
    max_file_size          bytes per file, None: unlimited (invenio-records-api.md §5.9)
    doi_required           publishing mints a DOI for a draft without one
                           (invenio-records-api.md §6.2); False:
                           an instance where DOIs are optional
    missing_vocabulary     {(type, id)} the instance lacks although defaults have them
    extra_vocabulary       {(type, id)} the instance has beyond the defaults (its own
                           licences, resource types, ..., invenio-records-api.md §10.2)
    custom_fields          the optional custom fields the instance enabled
                           (invenio-records-api.md §11.12)
    communities            slugs that exist (GET /api/communities/<slug>)

Seeding and inspecting (no HTTP, no index lag), as on `FakeZenodo`:
    seed_concept(versions=[{"version", "files", "metadata"}], owner_token=None) -> Seeded
    seed_pending_draft(concept_id, files=None, metadata=None, pending=()) -> draft id
        (files=None: none, as a new version starts, invenio-records-api.md §4.2; `pending`: keys
        initialised and never committed)
    seed_new_draft(files=None, metadata=None, owner_token=None) -> draft id
    published_versions(concept_id), pending_drafts(concept_id), backdate(record_id, s),
    file_bytes(record_id, name), concept_ids(), concept_of(record_id), draft_json(record_id)
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import mimetypes
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import pytest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Request, Response

from tests.fakes.legacy_metadata import MSG_VALIDATION, _words, is_edtf_level0
from tests.fakes.zenodo import (
    MSG_INTERNAL,
    MSG_NOT_FOUND_ROUTE,
    MSG_PERMISSION_DENIED,
    MSG_PID_DOES_NOT_EXIST,
    MSG_PID_NOT_REGISTERED,
    ApiError,
    FakeZenodo,
    Fault,
    RecordedRequest,
    _Call,
    _chunked,
    _empty_response,
    _json_response,
    _now,
    _read_body,
    _running,
    _today,
)

# --- Messages, as the sources word them ------------------------------------------------

MSG_MISSING = "Missing data for required field."
MSG_TOO_SHORT = "Shorter than minimum length 3."
MSG_FAMILY_NAME = "Family name cannot be blank."
MSG_ORG_NAME = "Name cannot be blank."
MSG_PERSON_TYPE = "Invalid value. Choose one of ['organizational', 'personal']."
MSG_BAD_DATE = "Please provide a valid date or interval."
MSG_UNKNOWN_FIELD = "Unknown field."
MSG_NO_FILES = (
    "Missing uploaded files. To disable files for this record please mark it as metadata-only."
)
MSG_NOT_COMPLETED = "One or more files have not completed their transfer, please wait."
MSG_REMOVE_FILES = "Please remove all files first."
MSG_PUBLISHER = "Missing publisher field required for DOI registration."
MSG_PID_EXISTS = "A PID already exists for type doi"
MSG_TOO_MANY_FILES = "Uploading selected files will result in exceeding the max amount per record."
MSG_TRANSFER_FAILED = "File upload transfer failed."
MSG_EMPTY_FILE = "Empty files are not accepted."
MSG_QUOTA = "Bucket quota exceeded."
MSG_MAX_FILE_SIZE = "Maximum file size exceeded."
MSG_NOT_FOUND = "Not found."
MSG_REDIRECT = "Redirecting..."
MSG_BAD_QUERY = "Invalid query string syntax."
MSG_BAD_PARAMS = "Invalid querystring parameters."
MSG_OCTET = "Invalid 'Content-Type' header. Expected one of: application/octet-stream"
MSG_JSON = "Invalid 'Content-Type' header. Expected one of: application/json"
MSG_UNAUTHORIZED = "Unauthorized"
MSG_CONFLICT = "Conflict"

RDM_JSON = "application/vnd.inveniordm.v1+json"
EXTRA_FAULTS = frozenset({"401", "409"})

# --- Vocabularies: the instance's own (invenio-records-api.md §10.2), not the client's tables -----

RESOURCE_TYPES = _words(
    "publication publication-annotationcollection publication-book publication-section "
    "publication-conferencepaper publication-conferenceproceeding "
    "publication-datamanagementplan publication-journal publication-article "
    "publication-patent publication-peerreview publication-preprint "
    "publication-deliverable publication-milestone publication-proposal "
    "publication-report publication-softwaredocumentation publication-taxonomictreatment "
    "publication-technicalnote publication-workingpaper publication-datapaper "
    "publication-dissertation publication-standard publication-studyregistration "
    "publication-other poster presentation event dataset image image-figure image-plot "
    "image-drawing image-diagram image-photo image-other model video audio software "
    "lesson software-computationalnotebook other physicalobject workflow project "
    "instrument"
)
LICENSES = _words(
    "mit apache-2.0 cc-by-4.0 cc0-1.0 cc-by-sa-4.0 cc-by-nc-4.0 cc-by-nd-4.0 "
    "cc-by-nc-sa-4.0 gpl-2.0-only gpl-2.0-or-later gpl-3.0-only gpl-3.0-or-later "
    "lgpl-2.1-only lgpl-3.0-only agpl-3.0-only bsd-2-clause bsd-3-clause isc mpl-2.0 "
    "unlicense epl-2.0 artistic-2.0 zlib"
)
LANGUAGES = _words("eng deu fra spa ita nld por jpn zho rus swe nor fin dan pol ces")
RELATION_TYPES = _words(
    "iscitedby cites issupplementto issupplementedby iscontinuedby continues "
    "isdescribedby describes hasmetadata ismetadatafor hasversion isversionof "
    "isnewversionof ispreviousversionof ispartof haspart ispublishedin isreferencedby "
    "references isdocumentedby documents iscompiledby compiles isvariantformof "
    "isoriginalformof isidenticalto isreviewedby reviews isderivedfrom issourceof "
    "isrequiredby requires isobsoletedby obsoletes istranslationof hastranslation "
    "iscollectedby collects other"
)
DATE_TYPES = _words(
    "accepted available collected copyrighted created issued other submitted updated "
    "valid withdrawn coverage"
)
DESCRIPTION_TYPES = _words(
    "abstract methods series-information table-of-contents technical-info other"
)
ROLES = _words(
    "contactperson datacollector datacurator datamanager distributor editor "
    "hostinginstitution producer projectleader projectmanager projectmember "
    "registrationagency registrationauthority relatedperson researcher researchgroup "
    "rightsholder sponsor supervisor translator workpackageleader other"
)
# Resource types tagged only `linkable` (rdm-records fixtures): a related work's type, never
# a record's (its relation is checked for the `depositable` tag, invenio-records-api.md §14.2).
LINKABLE_ONLY = frozenset({"project", "instrument"})
FUNDERS = frozenset({"00k4n6c32", "01cwqze88", "021nxhr62"})
AWARDS = frozenset({"00k4n6c32::246686", "00k4n6c32::283595", "021nxhr62::1740842"})
# What a read adds to a funding reference (invenio-records-api.md §14.3): the funder's name and
# identifiers, the award's title, number, identifiers, acronym, program and subjects.
FUNDER_ENTRIES = {
    funder: {"name": name, "identifiers": [{"scheme": "ror", "identifier": funder}]}
    for funder, name in (
        ("00k4n6c32", "European Commission"),
        ("01cwqze88", "National Institutes of Health"),
        ("021nxhr62", "National Science Foundation"),
    )
}


def award_entry(award_id: str) -> dict[str, Any]:
    number = award_id.rpartition("::")[2]
    return {
        "title": {"en": f"Award {number}"},
        "number": number,
        "identifiers": [{"scheme": "url", "identifier": f"https://example.org/awards/{number}"}],
        "acronym": f"A{number}",
        "program": "FP7",
        "subjects": [],
    }


IDENTIFIER_SCHEMES = _words(
    "ark arxiv ads crossreffunderid cstr doi ean13 eissn grid handle igsn isbn isni issn "
    "istc lissn lsid pmid purl rrid upc url urn wikidata w3id other"
)
PERSON_SCHEMES = frozenset({"orcid", "gnd", "isni", "ror"})
METADATA_FIELDS = _words(
    "resource_type creators title additional_titles publisher publication_date subjects "
    "contributors dates languages identifiers related_identifiers sizes formats version "
    "rights copyright description additional_descriptions locations funding references"
)
CUSTOM_FIELDS = frozenset(
    {"journal:journal", "meeting:meeting", "imprint:imprint", "thesis:thesis"}
)
SORTS = frozenset({"bestmatch", "newest", "oldest", "updated-desc", "updated-asc", "version"})
# The base32 alphabet of record ids (invenio-records-api.md §2.1): no i, l, o, u.
ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

# Requests a publish sends: fake.inject(*ENDPOINTS[x], kind)
_DRAFT = r"^/api/records/[^/]+/draft"
ENDPOINTS = {
    "list": ("GET", r"^/api/user/records$"),
    "create": ("POST", r"^/api/records$"),
    "read_draft": ("GET", _DRAFT + "$"),
    "update": ("PUT", _DRAFT + "$"),
    "newversion": ("POST", r"^/api/records/[^/]+/versions$"),
    "import": ("POST", _DRAFT + r"/actions/files-import$"),
    "reserve": ("POST", _DRAFT + r"/pids/doi$"),
    "init": ("POST", _DRAFT + r"/files$"),
    "upload": ("PUT", _DRAFT + r"/files/[^/]+/content$"),
    "commit": ("POST", _DRAFT + r"/files/[^/]+/commit$"),
    "delete_file": ("DELETE", _DRAFT + r"/files/[^/]+$"),
    "publish": ("POST", _DRAFT + r"/actions/publish$"),
    "record": ("GET", r"^/api/records/[^/]+$"),
    "latest": ("GET", r"^/api/records/[^/]+/versions/latest$"),
    "vocabulary": ("GET", r"^/api/(?:vocabularies/[^/]+|funders|awards)/[^/]+$"),
    "deposit_probe": ("GET", r"^/api/deposit/depositions$"),
}


def md5_of(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def validation_error(errors: list[tuple[str, str]]) -> ApiError:
    return ApiError(400, MSG_VALIDATION, errors)


# --- State -------------------------------------------------------------------------------


@dataclass
class DraftFile:
    key: str
    data: bytes | None = None  # None until content arrives
    committed: bool = False
    file_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @property
    def md5(self) -> str:
        return md5_of(self.data or b"")

    @property
    def status(self) -> str:
        return "completed" if self.committed else "pending"

    def linked(self) -> DraftFile:
        """The file as a new version links it (files-import, invenio-records-api.md §4.3)."""
        return DraftFile(self.key, self.data, True, self.file_id, _now(), _now())


@dataclass(eq=False)
class Version:
    """A published version, or a draft (never both: the tool opens no edit drafts)."""

    id: str
    parent_id: str
    owner: int
    index: int
    metadata: dict[str, Any] = field(default_factory=dict)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    access: dict[str, Any] = field(default_factory=lambda: {"record": "public", "files": "public"})
    files: dict[str, DraftFile] = field(default_factory=dict)
    files_enabled: bool = True
    pids: dict[str, Any] = field(default_factory=dict)
    published: bool = False
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)
    revision: int = 1

    @property
    def doi(self) -> str | None:
        return (self.pids.get("doi") or {}).get("identifier")

    def file_summary(self) -> dict[str, tuple[int, str]]:
        return {k: (len(f.data or b""), f.md5) for k, f in self.files.items() if f.committed}


@dataclass
class Parent:
    id: str
    owner: int
    version_ids: list[str] = field(default_factory=list)
    doi: str | None = None
    shared_with: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Seeded:
    concept_id: str | int
    record_ids: list[str | int]
    concept_doi: str

    @property
    def latest_id(self) -> str | int:
        return self.record_ids[-1]


@dataclass(frozen=True)
class Hit:
    """One search-index entry (invenio-records-api.md §8.2): a version or draft as the index last
    saw it."""

    parent_id: str
    owner: int
    shared_with: frozenset[int]
    is_latest_draft: bool
    created: str
    updated: str
    index: int
    text: dict[str, str]  # field -> indexed value, for queries
    json: dict[str, Any]


# --- Metadata: the schema (invenio-records-api.md §3.8) and the vocabularies
# (invenio-records-api.md §3.4) -----------------------------


def schema_errors(metadata: Any) -> list[tuple[str, str]]:
    """What a draft save lists (and publishing refuses): the records schema's errors."""
    if not isinstance(metadata, dict):
        return [("metadata", "Invalid input type.")]
    errors = [
        (f"metadata.{key}", MSG_UNKNOWN_FIELD) for key in metadata if key not in METADATA_FIELDS
    ]
    if not isinstance(metadata.get("resource_type"), dict):
        errors.append(("metadata.resource_type", MSG_MISSING))
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(("metadata.title", MSG_MISSING))
    elif len(title.strip()) < 3:
        errors.append(("metadata.title", MSG_TOO_SHORT))
    date = metadata.get("publication_date")
    if date is None:
        errors.append(("metadata.publication_date", MSG_MISSING))
    elif not is_edtf_level0(date):
        errors.append(("metadata.publication_date", MSG_BAD_DATE))
    description = metadata.get("description")
    if isinstance(description, str) and len(description.strip()) < 3:
        errors.append(("metadata.description", MSG_TOO_SHORT))
    creators = metadata.get("creators")
    if not creators or not isinstance(creators, list):
        errors.append(("metadata.creators", MSG_MISSING))
    errors += _people_errors("creators", creators if isinstance(creators, list) else [], False)
    contributors = metadata.get("contributors") or []
    errors += _people_errors("contributors", contributors, True)
    return errors + _identifier_errors(metadata)


def _people_errors(key: str, people: list[Any], role_required: bool) -> list[tuple[str, str]]:
    errors = []
    for index, person in enumerate(people):
        where = f"metadata.{key}.{index}"
        entity = person.get("person_or_org") if isinstance(person, dict) else None
        if not isinstance(entity, dict):
            errors.append((f"{where}.person_or_org", MSG_MISSING))
            continue
        kind = entity.get("type")
        if kind not in ("personal", "organizational"):
            errors.append((f"{where}.person_or_org.type", MSG_PERSON_TYPE))
        elif kind == "personal" and not entity.get("family_name"):
            errors.append((f"{where}.person_or_org.family_name", MSG_FAMILY_NAME))
        elif kind == "organizational" and not entity.get("name"):
            errors.append((f"{where}.person_or_org.name", MSG_ORG_NAME))
        for number, ident in enumerate(entity.get("identifiers") or []):
            if not isinstance(ident, dict) or ident.get("scheme") not in PERSON_SCHEMES:
                errors.append((f"{where}.person_or_org.identifiers.{number}", "Invalid scheme."))
        if role_required and not isinstance(person.get("role"), dict):
            errors.append((f"{where}.role", MSG_MISSING))
    return errors


def _identifier_errors(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """marshmallow-utils' IdentifierSchema (invenio-records-api.md §14.1): the scheme must be
    allowed, and the identifier must pass that scheme's validator ("Invalid ISBN identifier.")."""
    errors = []
    for key in ("related_identifiers", "identifiers"):
        for index, item in enumerate(metadata.get(key) or []):
            where = f"metadata.{key}.{index}"
            scheme = item.get("scheme") if isinstance(item, dict) else None
            if scheme not in IDENTIFIER_SCHEMES:
                errors.append((f"{where}.scheme", "Invalid scheme."))
            elif not _valid_identifier(scheme, str(item.get("identifier") or "")):
                label = SCHEME_LABELS.get(scheme, scheme)
                errors.append((f"{where}.identifier", f"Invalid {label} identifier."))
            if key == "related_identifiers" and not isinstance(
                (item or {}).get("relation_type"), dict
            ):
                errors.append((f"{where}.relation_type", MSG_MISSING))
    return errors


# The labels InvenioRDM's messages use (rdm-records config), where not the scheme itself.
SCHEME_LABELS = {
    "isbn": "ISBN",
    "issn": "ISSN",
    "eissn": "EISSN",
    "lissn": "LISSN",
    "ean13": "EAN13",
    "doi": "DOI",
    "arxiv": "arXiv",
    "handle": "Handle",
    "pmid": "PMID",
    "url": "URL",
    "urn": "URN",
    "ark": "ARK",
}
_ID_FORMS = {
    "doi": re.compile(
        r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(10\.\d+(?:\.\d+)*/.+)$", re.I
    ),
    "handle": re.compile(
        r"^(?:hdl:\s*|(?:https?://)?hdl\.handle\.net/)?([^/.]+(?:\.[^/.]+)*/.*)$", re.I
    ),
    "pmid": re.compile(r"^(?:pmid:|https?://pubmed\.ncbi\.nlm\.nih\.gov/)?(\d+)/?$", re.I),
    "arxiv": re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}(?:v\d+)?)$", re.I),
    "ark": re.compile(r"^ark:/?\d+/.+$", re.I),
    "urn": re.compile(r"^urn:(.+)$", re.I),
    "url": re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s]+", re.I),
    "wikidata": re.compile(r"^(?:wikidata:)?Q\d+$", re.I),
}


def _valid_identifier(scheme: str, value: str) -> bool:
    """idutils' validator of each scheme the records client sends; the rest always pass
    (`other`, `w3id`, … are `always_valid` in rdm-records' config)."""
    compact = value.replace("-", "").replace(" ", "").upper()
    if scheme == "isbn":
        return _isbn13_of(compact) is not None
    if scheme in ("issn", "eissn", "lissn"):
        return _issn_check(compact)
    if scheme == "ean13":
        return len(compact) == 13 and _ean_check(compact)
    form = _ID_FORMS.get(scheme)
    return form is None or bool(form.match(value))


def _isbn13_of(compact: str) -> str | None:
    if re.fullmatch(r"\d{9}[\dX]", compact):
        weights = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(compact))
        if weights % 11:
            return None
        body = "978" + compact[:9]
        return body + str(
            (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
        )
    if re.fullmatch(r"97[89]\d{10}", compact) and _ean_check(compact):
        return compact
    return None


def _ean_check(compact: str) -> bool:
    if not compact.isdigit():
        return False
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(compact[:-1]))
    return (10 - total % 10) % 10 == int(compact[-1])


def _issn_check(compact: str) -> bool:
    if not re.fullmatch(r"\d{7}[\dX]", compact):
        return False
    return not sum((8 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(compact)) % 11


# isbnlib's hyphenation for the registration groups the tests use (978-0 English, 978-3
# German): (group, [(first, last, publisher digits)]); other groups are left compact.
_ISBN_RANGES = {
    "0": [(0, 19, 2), (200, 699, 3), (7000, 8499, 4), (85000, 89999, 5), (900000, 949999, 6)],
    "3": [(0, 2, 2), (30, 33, 3), (4, 19, 2), (200, 699, 3), (7000, 8499, 4), (85000, 89999, 5)],
}


def _hyphenated_isbn(isbn13: str) -> str:
    group, rest = isbn13[3], isbn13[4:12]
    for first, last, size in _ISBN_RANGES.get(group, []):
        if first <= int(rest[:size]) <= last:
            return f"{isbn13[:3]}-{group}-{rest[:size]}-{rest[size:]}-{isbn13[12]}"
    return isbn13


def normalised_identifier(scheme: str, value: str) -> str:
    """What IdentifierSchema's post-load stores (idutils.normalize_pid,
    invenio-records-api.md §14.1)."""
    form = _ID_FORMS.get(scheme)
    found = form.match(value) if form and scheme in ("doi", "handle", "pmid", "arxiv") else None
    if found and scheme == "arxiv":
        return f"arXiv:{found.group(1)}"
    if found:
        return found.group(1)
    if scheme == "isbn":
        isbn = _isbn13_of(value.replace("-", "").replace(" ", "").upper())
        return _hyphenated_isbn(isbn) if isbn else value
    if scheme in ("issn", "eissn", "lissn"):
        compact = value.replace("-", "").replace(" ", "").upper()
        return f"{compact[:4]}-{compact[4:]}"
    if scheme == "urn":
        return "urn:" + value[4:] if value.lower().startswith("urn:") else value
    return value


def _normalised(metadata: dict[str, Any]) -> dict[str, Any]:
    for key in ("related_identifiers", "identifiers"):
        for item in metadata.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("identifier"), str):
                item["identifier"] = normalised_identifier(
                    str(item.get("scheme")), item["identifier"]
                )
    return metadata


def vocabulary_refs(metadata: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(vocabulary, id) of every vocabulary reference the draft makes
    (invenio-records-api.md §3.4)."""

    def ids(items: Any, *path: str) -> Iterator[Any]:
        for item in items if isinstance(items, list) else []:
            value = item
            for step in path:
                value = value.get(step) if isinstance(value, dict) else None
            if value is not None:
                yield value

    resource_type = metadata.get("resource_type")
    if isinstance(resource_type, dict) and "id" in resource_type:
        yield "resourcetypes", resource_type["id"]
    yield from (("licenses", v) for v in ids(metadata.get("rights"), "id"))
    yield from (("languages", v) for v in ids(metadata.get("languages"), "id"))
    related = metadata.get("related_identifiers")
    yield from (("relationtypes", v) for v in ids(related, "relation_type", "id"))
    yield from (("resourcetypes", v) for v in ids(related, "resource_type", "id"))
    yield from (("datetypes", v) for v in ids(metadata.get("dates"), "type", "id"))
    descriptions = metadata.get("additional_descriptions")
    yield from (("descriptiontypes", v) for v in ids(descriptions, "type", "id"))
    yield from (("contributorsroles", v) for v in ids(metadata.get("contributors"), "role", "id"))
    yield from (("creatorsroles", v) for v in ids(metadata.get("creators"), "role", "id"))
    yield from (("funders", v) for v in ids(metadata.get("funding"), "funder", "id"))
    yield from (("awards", v) for v in ids(metadata.get("funding"), "award", "id"))


def _clean(metadata: dict[str, Any], errors: list[tuple[str, str]]) -> dict[str, Any]:
    """A saved draft keeps only its valid top-level fields (invenio-records-api.md §3.2)."""
    bad = {field.split(".")[1] for field, _ in errors if field.startswith("metadata.")}
    return {k: copy.deepcopy(v) for k, v in metadata.items() if k not in bad}


# --- The search index with lag (invenio-records-api.md §8.2) --------------------------------------


class Index:
    """Per parent, the snapshots the index took and from which search on each is visible."""

    def __init__(self) -> None:
        self.searches = 0
        self._snapshots: dict[str, list[tuple[int, list[Hit]]]] = {}

    def store(self, parent_id: str, hits: list[Hit], visible_from: int) -> None:
        self._snapshots.setdefault(parent_id, []).append((visible_from, hits))

    def visible(self) -> list[Hit]:
        self.searches += 1
        seen: list[Hit] = []
        for parent_id, snapshots in self._snapshots.items():
            ready = [i for i, (start, _) in enumerate(snapshots) if start <= self.searches]
            if ready:
                self._snapshots[parent_id] = snapshots[ready[-1] :]
                seen += snapshots[ready[-1]][1]
        return seen


_QUERY = re.compile(
    r'(parent\.id|id|pids\.doi\.identifier|parent\.pids\.doi\.identifier|is_published):("[^"]*"|\S+)'
)


def query_filter(q: str) -> Any:
    """The query-string forms a client sends, joined by OR (invenio-records-api.md §8.3). An
    unquoted value is matched word by word, as the index's analysed text is: an unquoted DOI matches
    every record sharing a word of it (its prefix, say)."""
    q = q.strip()
    if not q:
        return lambda hit: True
    clauses = [c.strip() for c in re.split(r"\s+OR\s+", q)]
    tests = []
    for clause in clauses:
        match = _QUERY.fullmatch(clause.strip("()"))
        if not match:
            raise ApiError(400, MSG_BAD_QUERY)
        name, value = match.groups()
        if value.startswith('"'):
            wanted = value[1:-1]
            tests.append(lambda hit, n=name, w=wanted: hit.text.get(n, "").lower() == w.lower())
        else:
            words = {w for w in re.split(r"[^0-9a-z]+", value.lower()) if w}
            tests.append(
                lambda hit, n=name, ws=words: bool(
                    ws & set(re.split(r"[^0-9a-z]+", hit.text.get(n, "").lower()))
                )
            )
    return lambda hit: any(test(hit) for test in tests)


# --- The server --------------------------------------------------------------------------

_ID = r"(?P<rec_id>[^/]+)"
_KEY = r"(?P<key>[^/]+)"
_ROUTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"/api/records"), {"POST": "create", "GET": "search_records"}),
    (re.compile(r"/api/user/records"), {"GET": "user_records"}),
    (re.compile(rf"/api/records/{_ID}"), {"GET": "read_record"}),
    (
        re.compile(rf"/api/records/{_ID}/draft"),
        {"GET": "read_draft", "PUT": "update_draft", "DELETE": "discard"},
    ),
    (re.compile(rf"/api/records/{_ID}/versions"), {"POST": "new_version"}),
    (re.compile(rf"/api/records/{_ID}/versions/latest"), {"GET": "latest"}),
    (re.compile(rf"/api/records/{_ID}/draft/actions/publish"), {"POST": "publish_draft"}),
    (re.compile(rf"/api/records/{_ID}/draft/actions/files-import"), {"POST": "import_files"}),
    (re.compile(rf"/api/records/{_ID}/draft/pids/doi"), {"POST": "reserve_doi"}),
    (re.compile(rf"/api/records/{_ID}/draft/files"), {"GET": "list_files", "POST": "init_files"}),
    (
        re.compile(rf"/api/records/{_ID}/draft/files/{_KEY}"),
        {"GET": "read_file_metadata", "DELETE": "remove_file"},
    ),
    (
        re.compile(rf"/api/records/{_ID}/draft/files/{_KEY}/content"),
        {"PUT": "file_content", "GET": "draft_file_bytes"},
    ),
    (re.compile(rf"/api/records/{_ID}/draft/files/{_KEY}/commit"), {"POST": "commit_file"}),
    (re.compile(rf"/api/records/{_ID}/files/{_KEY}/content"), {"GET": "record_file_bytes"}),
    (re.compile(r"/api/vocabularies/(?P<vtype>[^/]+)/(?P<vid>[^/]+)"), {"GET": "vocabulary"}),
    (re.compile(r"/api/(?P<vtype>funders|awards)/(?P<vid>[^/]+)"), {"GET": "vocabulary"}),
    (re.compile(r"/api/communities/(?P<slug>[^/]+)"), {"GET": "community_record"}),
]
_ZENODO_ROUTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"/api/deposit/depositions"), {"GET": "deposit_probe"}),
]


class FakeInvenio(FakeZenodo):
    """The fake InvenioRDM: state, switches, faults, recording and HTTP handlers."""

    def __init__(self, *, zenodo: bool = False, doi_prefix: str | None = None) -> None:
        super().__init__(doi_prefix=doi_prefix or ("10.5281" if zenodo else "10.70143"))
        self.zenodo = zenodo  # the records API as Zenodo serves it (invenio-records-api.md §12)
        self.max_files = 100
        # the instance's defaults: Zenodo's 50 GB, else InvenioRDM's 10 GB
        # (invenio-records-api.md §5.9)
        self.quota_size: int | None = 50 * 10**9 if zenodo else 10 * 10**9
        self.max_file_size: int | None = self.quota_size
        self.doi_required = True
        self.missing_vocabulary: set[tuple[str, str]] = set()
        self.extra_vocabulary: set[tuple[str, str]] = set()
        self.communities: dict[str, str] = {}
        self.custom_fields = set(CUSTOM_FIELDS)  # the optional fields this instance enabled
        self._ids = random.Random()
        self._next_number = 20_000
        self._versions: dict[str, Version] = {}
        self._parents: dict[str, Parent] = {}
        self._rdm_index = Index()
        self._changed: set[str] = set()

    # -- addresses, faults --

    def inject(self, method: str, path_regex: str, kind: str, **options: Any) -> Fault:
        """As `FakeZenodo.inject`, with invenio-rest's 401 and 409 answers too."""
        if kind not in EXTRA_FAULTS:
            return super().inject(method, path_regex, kind, **options)
        fault = Fault(
            method.upper(),
            re.compile(path_regex),
            kind,
            options.get("times", 1),
            options.get("when", "before"),
            options.get("skip", 0),
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def _status_fault(self, kind: str, request: Request) -> Response:
        if kind == "401":
            return self._finish(_json_response({"status": 401, "message": MSG_UNAUTHORIZED}, 401))
        if kind == "409":
            return self._finish(_json_response({"status": 409, "message": MSG_CONFLICT}, 409))
        return super()._status_fault(kind, request)

    def _fault_before(self, fault: Fault, request: Request, record: RecordedRequest) -> Response:
        """An upload broken midway takes its file's entry along (invenio-records-api.md §5.3)."""
        if fault.kind == "reset_mid_upload":
            try:
                name, params = self._route(request.method, request.path)
            except ApiError:
                name, params = "", {}
            if name == "file_content":
                with self._lock:
                    self._drop_broken_upload(params)
        return super()._fault_before(fault, request, record)

    def _malformed(self, kind: str, status: int) -> Response:
        if kind == "bad_id":  # a string is an id here: an object is none
            return self._finish(_json_response({"id": {"x": 1}}, status))
        return super()._malformed(kind, status)

    # -- dispatch --

    def _serve(self, request: Request) -> Response:
        record, index = self._record(request)
        self._land_late_actions(index, record)
        upload = request.method == "PUT" and request.path.endswith("/content")
        self._upload_starts(upload)
        try:
            return self._serve_counted(request, record)
        finally:
            with self._lock:
                self._uploads_in_flight -= upload

    def _handle(
        self, request: Request, record: RecordedRequest, body: bytes | None = None
    ) -> Response:
        """Route and answer; an upload whose connection breaks loses its file entry
        (invenio-records-api.md §5.3)."""
        try:
            name, params = self._route(request.method, request.path)
        except ApiError as error:
            _read_body(request)
            return self._finish(_json_response(error.body(), error.status))
        if body is None:
            try:
                body = _read_body(request)
            except ClientDisconnected:
                if name == "file_content":
                    with self._lock:
                        self._drop_broken_upload(params)
                raise
        if _chunked(request):
            body = b""  # what arrives of a chunked body on Zenodo (see the fake Zenodo)
        record.body_size = len(body)
        with self._lock:
            call = _Call(request, params, body, self._user_of(request))
            try:
                response = getattr(self, f"_on_{name}")(call)
            except ApiError as error:
                response = _json_response(error.body(), error.status)
            self._flush_index()
        return self._finish(response)

    def _route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        routes = _ROUTES + (_ZENODO_ROUTES if self.zenodo else [])
        for pattern, methods in routes:
            match = pattern.fullmatch(path)
            if match:
                if method not in methods:
                    raise ApiError(405, "The method is not allowed for the requested URL.")
                return methods[method], {k: unquote(v) for k, v in match.groupdict().items()}
        raise ApiError(404, MSG_NOT_FOUND_ROUTE)

    # -- ids, time, lookups --

    def _new_id(self) -> str:
        if self.zenodo:
            self._next_number += 1
            return str(self._next_number)
        while True:
            raw = "".join(self._ids.choice(ID_ALPHABET) for _ in range(10))
            new = f"{raw[:5]}-{raw[5:]}"
            if new not in self._versions and new not in self._parents:
                return new

    def _doi_for(self, record_id: str) -> str:
        """DATACITE_FORMAT: `{prefix}/zenodo.{id}` on Zenodo, `{prefix}/{id}` by default
        (invenio-records-api.md §2.4)."""
        return (
            f"{self.doi_prefix}/zenodo.{record_id}"
            if self.zenodo
            else f"{self.doi_prefix}/{record_id}"
        )

    def _saved(self, version: Version) -> None:
        """A record commit: `updated` and the revision move on, the index will see it."""
        version.updated = _now()
        version.revision += 1
        self._changed.add(version.parent_id)

    def _version(self, call: _Call, *, draft: bool) -> Version:
        """The caller's draft (draft=True) or published version: 404 when there is none,
        403 when it is not theirs (invenio-records-api.md §4.5, §9.2)."""
        version = self._versions.get(call.params["rec_id"])
        if version is None:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        if draft and version.published:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)  # DraftNotCreatedError
        if not draft and not version.published:
            raise ApiError(404, MSG_PID_NOT_REGISTERED)
        if draft and not self._may_edit_version(call.user, version):
            raise ApiError(403, MSG_PERMISSION_DENIED)
        return version

    def _may_edit_version(self, user: int | None, version: Version) -> bool:
        parent = self._parents[version.parent_id]
        return user is not None and (user == parent.owner or user in parent.shared_with)

    def _require_login(self, call: _Call) -> int:
        if call.user is None:
            raise ApiError(403, MSG_PERMISSION_DENIED)
        return call.user

    def _published_of(self, parent_id: str) -> list[Version]:
        parent = self._parents.get(parent_id)
        versions = [self._versions[i] for i in parent.version_ids] if parent else []
        return sorted((v for v in versions if v.published), key=lambda v: v.index)

    def _draft_of(self, parent_id: str) -> Version | None:
        parent = self._parents.get(parent_id)
        for version_id in parent.version_ids if parent else ():
            if not self._versions[version_id].published:
                return self._versions[version_id]
        return None

    # -- JSON (invenio-records-api.md §3.7) --

    def _links(self, version: Version) -> dict[str, str]:
        api, ui, rid = self.api_url, self.url, version.id
        if version.published:
            links = {
                "self": f"{api}/records/{rid}",
                "self_html": f"{ui}/records/{rid}",
                "files": f"{api}/records/{rid}/files",
                "latest": f"{api}/records/{rid}/versions/latest",
                "latest_html": f"{ui}/records/{rid}/latest",
                "draft": f"{api}/records/{rid}/draft",
                "parent": f"{api}/records/{version.parent_id}",
            }
        else:
            links = {
                "self": f"{api}/records/{rid}/draft",
                "self_html": f"{ui}/uploads/{rid}",
                "files": f"{api}/records/{rid}/draft/files",
                "publish": f"{api}/records/{rid}/draft/actions/publish",
                "record": f"{api}/records/{rid}",
            }
        links["reserve_doi"] = f"{api}/records/{rid}/draft/pids/doi"
        links["versions"] = f"{api}/records/{rid}/versions"
        if version.doi:
            links["doi"] = f"https://doi.org/{version.doi}"
        parent_doi = self._parents[version.parent_id].doi
        if parent_doi:
            links["parent_doi"] = f"https://doi.org/{parent_doi}"
        return links

    def _entry(self, version: Version, stored: DraftFile) -> dict[str, Any]:
        """A file as the record's `files.entries` shows it: checksum and size only once
        committed (invenio-records-api.md §3.7)."""
        entry: dict[str, Any] = {"key": stored.key, "metadata": None, "access": {"hidden": False}}
        if stored.committed:
            entry.update(
                id=stored.file_id,
                checksum=f"md5:{stored.md5}",
                size=len(stored.data or b""),
                mimetype=mimetypes.guess_type(stored.key)[0] or "application/octet-stream",
                storage_class="L",
            )
        return entry

    def _file_item(self, version: Version, stored: DraftFile) -> dict[str, Any]:
        """A file as the draft-files endpoints show it (invenio-records-api.md §5)."""
        base = f"{self.api_url}/records/{version.id}/draft/files/{quote(stored.key, safe='')}"
        item: dict[str, Any] = {
            "key": stored.key,
            "created": stored.created,
            "updated": stored.updated,
            "metadata": None,
            "status": stored.status,
            "transfer": {"type": "L"},
            "links": {"self": base, "content": f"{base}/content", "commit": f"{base}/commit"},
        }
        if stored.committed:
            item.update(
                checksum=f"md5:{stored.md5}",
                size=len(stored.data or b""),
                mimetype=mimetypes.guess_type(stored.key)[0] or "application/octet-stream",
                file_id=stored.file_id,
                storage_class="L",
            )
        return item

    def _file_list(self, version: Version) -> dict[str, Any]:
        return {
            "enabled": version.files_enabled,
            "default_preview": None,
            "order": [],
            "entries": [self._file_item(version, f) for f in version.files.values()],
            "links": {"self": f"{self.api_url}/records/{version.id}/draft/files"},
        }

    def _record_json(self, version: Version) -> dict[str, Any]:
        parent = self._parents[version.parent_id]
        published = self._published_of(parent.id)
        draft = self._draft_of(parent.id)
        body: dict[str, Any] = {
            "id": version.id,
            "created": version.created,
            "updated": version.updated,
            "revision_id": version.revision,
            "is_published": version.published,
            "is_draft": not version.published,
            "status": "published" if version.published else "draft",
            "parent": {
                "id": parent.id,
                "access": {"owned_by": {"user": parent.owner}},
                "pids": {"doi": {"identifier": parent.doi, "provider": "datacite"}}
                if parent.doi
                else {},
            },
            "versions": {
                "index": version.index,
                "is_latest": bool(published) and published[-1] is version,
                "is_latest_draft": version is (draft or (published[-1] if published else None)),
            },
            "pids": copy.deepcopy(version.pids),
            "metadata": _dereferenced(version.metadata),
            "custom_fields": copy.deepcopy(version.custom_fields),
            "access": copy.deepcopy(version.access),
            "files": {
                "enabled": version.files_enabled,
                "entries": {k: self._entry(version, f) for k, f in version.files.items()},
                "count": len(version.files),
                "total_bytes": sum(len(f.data or b"") for f in version.files.values()),
                "order": [],
            },
            "links": self._links(version),
        }
        return body

    def _legacy_json(self, version: Version) -> dict[str, Any]:
        """Zenodo's answer to `Accept: application/json` (invenio-records-api.md §12.2): its
        legacy-like shape."""
        return {
            "id": int(version.id),
            "recid": version.id,
            "conceptrecid": version.parent_id,
            "doi": version.doi,
            "conceptdoi": self._parents[version.parent_id].doi,
            "metadata": {
                "title": version.metadata.get("title"),
                "version": version.metadata.get("version"),
            },
            "state": "done" if version.published else "unsubmitted",
            "submitted": version.published,
            "files": [{"key": k, "checksum": f"md5:{f.md5}"} for k, f in version.files.items()],
        }

    def _answer(self, call: _Call, version: Version, status: int) -> Response:
        """A record in the shape the Accept header asks for
        (invenio-records-api.md §12.2, §12.3)."""
        accept = call.request.accept_mimetypes
        legacy = self.zenodo and accept.best_match([RDM_JSON, "application/json"]) != RDM_JSON
        body = self._legacy_json(version) if legacy else self._record_json(version)
        return _json_response(body, status, headers={"ETag": f'"{version.revision}"'})

    # -- the search index --

    def _flush_index(self, *, immediately: bool = False) -> None:
        lag = 0 if immediately else self.index_lag
        visible_from = 0 if immediately else self._rdm_index.searches + lag + 1
        for parent_id in sorted(self._changed):
            self._rdm_index.store(parent_id, self._hits(parent_id), visible_from)
        self._changed.clear()

    def _hits(self, parent_id: str) -> list[Hit]:
        parent = self._parents.get(parent_id)
        if parent is None:
            return []
        versions = [self._versions[i] for i in parent.version_ids]
        published = self._published_of(parent_id)
        latest = self._draft_of(parent_id) or (published[-1] if published else None)
        return [
            Hit(
                parent_id=parent.id,
                owner=parent.owner,
                shared_with=frozenset(parent.shared_with),
                is_latest_draft=v is latest,
                created=v.created,
                updated=v.updated,
                index=v.index,
                text={
                    "id": v.id,
                    "parent.id": parent.id,
                    "pids.doi.identifier": v.doi or "",
                    "parent.pids.doi.identifier": parent.doi or "",
                    "is_published": "true" if v.published else "false",
                },
                json=self._record_json(v),
            )
            for v in versions
        ]

    # -- handlers: search (invenio-records-api.md §8) --

    def _on_user_records(self, call: _Call) -> Response:
        user = self._require_login(call)
        args = call.request.args
        try:
            size = int(args.get("size", "10"))
            page = int(args.get("page", "1"))
        except ValueError:
            raise ApiError(400, MSG_BAD_PARAMS) from None
        if size < 1 or page < 1 or size * page > 10_000:
            raise ApiError(400, MSG_BAD_PARAMS)
        q = args.get("q", "")
        sort = args.get("sort") or ("bestmatch" if q else "updated-desc")
        if sort not in SORTS:
            raise ApiError(400, MSG_BAD_PARAMS)
        matches = query_filter(q)
        every = args.get("allversions", "").lower() in ("true", "1")
        hits = [
            h
            for h in self._rdm_index.visible()
            if (h.owner == user or user in h.shared_with)
            and (every or h.is_latest_draft)
            and matches(h)
        ]
        key, reverse = {
            "bestmatch": (lambda h: h.updated, True),
            "updated-desc": (lambda h: h.updated, True),
            "updated-asc": (lambda h: h.updated, False),
            "newest": (lambda h: h.created, True),
            "oldest": (lambda h: h.created, False),
            "version": (lambda h: h.index, True),
        }[sort]
        hits.sort(key=key, reverse=reverse)
        chosen = hits[(page - 1) * size : page * size]
        body = {
            "hits": {"hits": [h.json for h in chosen], "total": len(hits)},
            "sortBy": sort,
            "links": {"self": f"{self.api_url}/user/records?page={page}&size={size}"},
            "aggregations": {},
        }
        return _json_response(body, 200)

    def _on_search_records(self, call: _Call) -> Response:
        raise ApiError(400, MSG_BAD_QUERY)  # the public search is not used by clients here

    def _on_deposit_probe(self, call: _Call) -> Response:
        """Zenodo's deposit API answers its list (invenio-records-api.md §13.1); only the probe is
        served here."""
        if call.user is None:
            raise ApiError(403, MSG_PERMISSION_DENIED)
        return _json_response([], 200)

    # -- handlers: drafts (invenio-records-api.md §3) --

    def _parse_json(self, call: _Call) -> Any:
        content_type = call.request.headers.get("Content-Type")
        if content_type not in (None, "application/json"):
            raise ApiError(415, MSG_JSON)
        if not call.body:
            return {}
        try:
            return json.loads(call.body)
        except ValueError:
            raise ApiError(400, "Unable to decode JSON data in request body.") from None

    def _check_vocabularies(self, metadata: dict[str, Any]) -> None:
        """An unknown vocabulary id refuses the whole save (invenio-records-api.md §3.4), and so
        does a record's resource type without the `depositable` tag
        (invenio-records-api.md §14.2)."""
        for vocabulary, value in vocabulary_refs(metadata):
            if not self._vocabulary_has(vocabulary, str(value)):
                raise ApiError(400, f"Invalid value {value}.")
        resource_type = metadata.get("resource_type")
        if isinstance(resource_type, dict) and resource_type.get("id") in LINKABLE_ONLY:
            raise ApiError(400, "Not a valid value.")

    def _vocabulary_has(self, vocabulary: str, value: str) -> bool:
        if (vocabulary, value) in self.missing_vocabulary:
            return False
        if (vocabulary, value) in self.extra_vocabulary:
            return True
        known = {
            "resourcetypes": RESOURCE_TYPES,
            "licenses": LICENSES,
            "languages": LANGUAGES,
            "relationtypes": RELATION_TYPES,
            "datetypes": DATE_TYPES,
            "descriptiontypes": DESCRIPTION_TYPES | ({"notes"} if self.zenodo else set()),
            "creatorsroles": ROLES,
            "contributorsroles": ROLES,
            "funders": FUNDERS,
            "awards": AWARDS,
        }.get(vocabulary)
        return known is not None and value in known

    def _apply_body(self, version: Version, body: Any, *, creating: bool) -> list[tuple[str, str]]:
        """Save a draft's body: refused outright for bad access or a vocabulary miss
        (invenio-records-api.md §3.4, invenio-records-api.md §3.6); otherwise saved with what was
        valid, the errors listed (invenio-records-api.md §3.2, §3.3)."""
        if not isinstance(body, dict):
            raise validation_error([("_schema", "Invalid input type.")])
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise validation_error([("metadata", "Invalid input type.")])
        self._check_vocabularies(metadata)
        if "access" in body:
            version.access = self._checked_access(body["access"])
        errors = schema_errors(metadata)
        version.metadata = _normalised(_clean(metadata, errors))
        custom = body.get("custom_fields") or {}
        unknown = [k for k in custom if k not in self.custom_fields]
        errors += [(f"custom_fields.{k}", MSG_UNKNOWN_FIELD) for k in unknown]
        version.custom_fields = {k: v for k, v in custom.items() if k not in unknown}
        if "pids" in body:  # replaces the draft's PIDs (invenio-records-api.md §3.5)
            version.pids = copy.deepcopy(body["pids"]) if isinstance(body["pids"], dict) else {}
        files = body.get("files") or {}
        version.files_enabled = bool(files.get("enabled", True))
        if not creating and version.files_enabled and not version.files:
            errors.append(("files.enabled", MSG_NO_FILES))
        return errors

    def _checked_access(self, access: Any) -> dict[str, Any]:
        if not isinstance(access, dict) or not all(k in access for k in ("record", "files")):
            raise validation_error([("access", MSG_MISSING)])
        if any(access[k] not in ("public", "restricted") for k in ("record", "files")):
            raise validation_error([("access", "Invalid value.")])
        embargo = access.get("embargo") or {}
        if embargo.get("active") and not str(embargo.get("until") or "") > _today():
            raise validation_error(
                [("access.embargo.until", "Embargo end date must be set to a future date.")]
            )
        return copy.deepcopy(access)

    def _on_create(self, call: _Call) -> Response:
        owner = self._require_login(call)
        body = self._parse_json(call)
        parent = Parent(self._new_id(), owner)
        version = Version(self._new_id(), parent.id, owner, index=1)
        errors = self._apply_body(version, body, creating=True)
        self._parents[parent.id] = parent
        self._versions[version.id] = version
        parent.version_ids.append(version.id)
        self._changed.add(parent.id)
        return self._with_errors(call, version, errors, 201)

    def _with_errors(
        self, call: _Call, version: Version, errors: list[tuple[str, str]], status: int
    ) -> Response:
        response = self._answer(call, version, status)
        if errors:
            body = json.loads(response.get_data())
            body["errors"] = [{"field": f, "messages": [m]} for f, m in errors]
            response.set_data(json.dumps(body))
        return response

    def _on_read_draft(self, call: _Call) -> Response:
        return self._answer(call, self._version(call, draft=True), 200)

    def _on_update_draft(self, call: _Call) -> Response:
        version = self._version(call, draft=True)
        wanted = call.request.headers.get("If-Match")
        if wanted is not None and wanted.strip().strip('"') != str(version.revision):
            raise ApiError(412, "Revision id provided doesn't match record's current revision id.")
        errors = self._apply_body(version, self._parse_json(call), creating=False)
        self._saved(version)
        return self._with_errors(call, version, errors, 200)

    def _on_discard(self, call: _Call) -> Response:
        version = self._version(call, draft=True)
        self._drop(version)
        return _empty_response()

    def _drop(self, version: Version) -> None:
        del self._versions[version.id]
        parent = self._parents[version.parent_id]
        parent.version_ids.remove(version.id)
        self._changed.add(parent.id)
        if not parent.version_ids:
            del self._parents[parent.id]

    # -- handlers: versions (invenio-records-api.md §4) --

    def _on_read_record(self, call: _Call) -> Response:
        raw = call.params["rec_id"]
        if raw in self._parents and raw not in self._versions:
            raise ApiError(404, MSG_NOT_FOUND)
        return self._answer(call, self._version(call, draft=False), 200)

    def _on_latest(self, call: _Call) -> Response:
        raw = call.params["rec_id"]
        parent_id = raw if raw in self._parents else self._version(call, draft=False).parent_id
        published = self._published_of(parent_id)
        if not published:
            raise ApiError(404, MSG_NOT_FOUND)
        location = f"{self.api_url}/records/{published[-1].id}"
        body = {"status": 301, "message": MSG_REDIRECT, "location": location}
        return _json_response(body, 301, headers={"Location": location})

    def _on_new_version(self, call: _Call) -> Response:
        record = self._version(call, draft=False)
        if not self._may_edit_version(call.user, record):
            raise ApiError(403, MSG_PERMISSION_DENIED)
        existing = self._draft_of(record.parent_id)
        if existing is not None:  # one new-version draft per parent (invenio-records-api.md §4.1)
            return self._answer(call, existing, 201)
        latest = self._published_of(record.parent_id)[-1]
        metadata = {k: copy.deepcopy(v) for k, v in latest.metadata.items() if k != "version"}
        metadata["publication_date"] = _today()  # invenio-records-api.md §4.2
        draft = Version(
            self._new_id(),
            latest.parent_id,
            latest.owner,
            index=latest.index + 1,
            metadata=metadata,
            custom_fields=copy.deepcopy(latest.custom_fields),
            access=copy.deepcopy(latest.access),
            files_enabled=latest.files_enabled,
        )
        self._versions[draft.id] = draft
        self._parents[draft.parent_id].version_ids.append(draft.id)
        self._changed.add(draft.parent_id)
        return self._answer(call, draft, 201)

    def _on_import_files(self, call: _Call) -> Response:
        draft = self._version(call, draft=True)
        if not draft.files_enabled:
            raise validation_error([("files.enabled", "Files support must be enabled.")])
        if draft.files:
            raise validation_error([("files.enabled", MSG_REMOVE_FILES)])
        latest = self._published_of(draft.parent_id)
        if not latest or not latest[-1].files:
            raise validation_error([("files.enabled", "The record has no files.")])
        draft.files = {k: f.linked() for k, f in latest[-1].files.items()}
        self._saved(draft)
        return _json_response(self._file_list(draft), 201)

    # -- handlers: files (invenio-records-api.md §5) --

    def _on_list_files(self, call: _Call) -> Response:
        return _json_response(self._file_list(self._version(call, draft=True)), 200)

    def _on_init_files(self, call: _Call) -> Response:
        draft = self._version(call, draft=True)
        items = self._parse_json(call)
        if not isinstance(items, list) or not items:
            raise validation_error([("_schema", "No files to upload.")])
        keys = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise validation_error([("key", MSG_MISSING)])
            keys.append(item["key"])
        if len(draft.files) + len(keys) > self.max_files:
            raise ApiError(400, MSG_TOO_MANY_FILES)
        for key in keys:
            if key in draft.files:
                raise ApiError(400, f"File with key {key} already exists.")
        for key in keys:
            draft.files[key] = DraftFile(key)
        # no commit of the record: the draft's `updated` stays (cf. the fake Zenodo's uploads)
        return _json_response(self._file_list(draft), 201)

    def _draft_file(self, call: _Call) -> tuple[Version, DraftFile]:
        draft = self._version(call, draft=True)
        stored = draft.files.get(call.params["key"])
        if stored is None:
            raise ApiError(404, f"File with key {call.params['key']} not found.")
        return draft, stored

    def _on_file_content(self, call: _Call) -> Response:
        content_type = call.request.headers.get("Content-Type")
        if content_type not in (None, "application/octet-stream"):
            raise ApiError(415, MSG_OCTET)
        draft, stored = self._draft_file(call)
        # the transfer refuses, and the entry is gone (invenio-records-api.md §5.3)
        if stored.committed:
            del draft.files[stored.key]
            return self._failed_transfer(draft, stored)
        self._check_size(draft, stored, len(call.body))
        stored.data = call.body
        stored.updated = _now()
        return _json_response(self._file_item(draft, stored), 200)

    def _check_size(self, draft: Version, stored: DraftFile, size: int) -> None:
        """The bucket's limit: the smaller of the quota left and the largest file, each
        refused with its own reason (invenio-records-api.md §5.9)."""
        held = sum(len(f.data or b"") for f in draft.files.values() if f is not stored)
        limits = [
            (limit, reason)
            for limit, reason in (
                (None if self.quota_size is None else self.quota_size - held, MSG_QUOTA),
                (self.max_file_size, MSG_MAX_FILE_SIZE),
            )
            if limit is not None
        ]
        if limits and size > min(limits)[0]:
            raise ApiError(400, min(limits)[1])

    def _failed_transfer(self, draft: Version, stored: DraftFile) -> Response:
        item = self._file_item(draft, stored)
        item["errors"] = MSG_TRANSFER_FAILED
        return _json_response(item, 200)

    def _drop_broken_upload(self, params: dict[str, str]) -> None:
        draft = self._versions.get(params.get("rec_id", ""))
        if draft is not None and not draft.published:
            draft.files.pop(params.get("key", ""), None)

    def _on_commit_file(self, call: _Call) -> Response:
        draft, stored = self._draft_file(call)
        if stored.data is None:
            body = {"message": MSG_INTERNAL, "status": 500, "error_id": uuid.uuid4().hex}
            # "not uploaded yet": a plain exception (invenio-records-api.md §5.4)
            return _json_response(body, 500)
        if not stored.data and self.zenodo:
            raise ApiError(400, MSG_EMPTY_FILE)
        stored.committed = True
        stored.updated = _now()
        return _json_response(self._file_item(draft, stored), 200)

    def _on_remove_file(self, call: _Call) -> Response:
        draft, stored = self._draft_file(call)
        del draft.files[stored.key]
        self._saved(draft)  # a delete commits the record (invenio-records-api.md §5.6)
        return _empty_response()

    def _on_read_file_metadata(self, call: _Call) -> Response:
        draft, stored = self._draft_file(call)
        return _json_response(self._file_item(draft, stored), 200)

    def _on_draft_file_bytes(self, call: _Call) -> Response:
        _, stored = self._draft_file(call)
        return Response(stored.data or b"", 200, content_type="application/octet-stream")

    def _on_record_file_bytes(self, call: _Call) -> Response:
        record = self._version(call, draft=False)
        stored = record.files.get(call.params["key"])
        if stored is None:
            raise ApiError(404, MSG_NOT_FOUND)
        return Response(stored.data or b"", 200, content_type="application/octet-stream")

    # -- handlers: PIDs and publishing (invenio-records-api.md §6, §7) --

    def _on_reserve_doi(self, call: _Call) -> Response:
        draft = self._version(call, draft=True)
        if draft.doi:
            raise validation_error([("pids.doi", MSG_PID_EXISTS)])
        draft.pids["doi"] = {
            "identifier": self._doi_for(draft.id),
            "provider": "datacite",
            "client": "datacite",
        }
        self._saved(draft)
        return self._answer(call, draft, 201)

    def _on_publish_draft(self, call: _Call) -> Response:
        draft = self._version(call, draft=True)
        errors = schema_errors(draft.metadata)
        if draft.files_enabled and not draft.files:
            errors.append(("files.enabled", MSG_NO_FILES))
        elif any(not f.committed for f in draft.files.values()):
            errors.append(("files", MSG_NOT_COMPLETED))
        mints = draft.doi is not None or self.doi_required
        if mints and not draft.metadata.get("publisher"):
            errors.append(("metadata.publisher", MSG_PUBLISHER))
        if errors:
            raise validation_error(errors)
        if mints and not draft.doi:
            draft.pids["doi"] = {
                "identifier": self._doi_for(draft.id),
                "provider": "datacite",
                "client": "datacite",
            }
        parent = self._parents[draft.parent_id]
        # the concept DOI, at the first publish (invenio-records-api.md §2.5)
        if draft.doi and parent.doi is None:
            parent.doi = self._doi_for(parent.id)
        draft.published = True
        self._saved(draft)
        return self._answer(call, draft, 202)

    # -- handlers: vocabularies and communities (invenio-records-api.md §10) --

    def _on_vocabulary(self, call: _Call) -> Response:
        vocabulary, value = call.params["vtype"], call.params["vid"]
        if not self._vocabulary_has(vocabulary, value):
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        body = {"id": value, "type": vocabulary, "title": {"en": value.title()}}
        if vocabulary == "resourcetypes":
            body["tags"] = ["linkable"] if value in LINKABLE_ONLY else ["depositable", "linkable"]
        return _json_response(body, 200)

    def _on_community_record(self, call: _Call) -> Response:
        slug = call.params["slug"]
        if slug not in self.communities:
            raise ApiError(404, MSG_PID_DOES_NOT_EXIST)
        return _json_response({"id": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)), "slug": slug}, 200)

    # -- seeding (no HTTP, visible to the index at once) --

    def share(self, concept_id: Any, token: str) -> None:
        with self._lock:
            self._parents[str(concept_id)].shared_with.add(self._owner(token))
            self._changed.add(str(concept_id))
            self._flush_index(immediately=True)

    def seed_concept(
        self, versions: list[dict[str, Any]], owner_token: str | None = None
    ) -> Seeded:
        """A concept with these published versions, oldest first. Each: "version",
        optional "files" {name: bytes} and "metadata" (merged over a valid default)."""
        with self._lock:
            owner = self._owner(owner_token)
            parent = Parent(self._new_id(), owner)
            self._parents[parent.id] = parent
            for index, spec in enumerate(versions, start=1):
                metadata = {**default_metadata(), **spec.get("metadata", {})}
                metadata["version"] = spec["version"]
                version = Version(self._new_id(), parent.id, owner, index, metadata)
                default_files = {f"release-{spec['version']}.txt": spec["version"].encode()}
                for key, data in spec.get("files", default_files).items():
                    version.files[key] = DraftFile(key, data, committed=True)
                version.pids["doi"] = {
                    "identifier": self._doi_for(version.id),
                    "provider": "datacite",
                    "client": "datacite",
                }
                version.published = True
                self._versions[version.id] = version
                parent.version_ids.append(version.id)
            parent.doi = self._doi_for(parent.id)
            self._changed.add(parent.id)
            self._flush_index(immediately=True)
            return Seeded(
                self._id_out(parent.id),
                [self._id_out(i) for i in parent.version_ids],
                parent.doi,
            )

    def _id_out(self, value: str) -> str | int:
        """Ids as the client holds them: Zenodo's as numbers."""
        return int(value) if self.zenodo else value

    def seed_pending_draft(
        self,
        concept_id: Any,
        files: dict[str, bytes] | None = None,
        metadata: dict[str, Any] | None = None,
        pending: tuple[str, ...] = (),
        *,
        indexed: bool = True,
    ) -> str | int:
        """The new-version draft a failed earlier run leaves behind; `indexed=False`: the
        search index does not show it yet (invenio-records-api.md §8.2)."""
        with self._lock:
            parent = self._parents[str(concept_id)]
            if self._draft_of(parent.id) is not None:
                raise ValueError("one new-version draft per parent (invenio-records-api.md §4.1)")
            latest = self._published_of(parent.id)[-1]
            body = {k: v for k, v in latest.metadata.items() if k != "version"}
            body["publication_date"] = _today()
            draft = Version(self._new_id(), parent.id, parent.owner, latest.index + 1, body)
            if metadata is not None:
                draft.metadata = {**draft.metadata, **metadata}
            for key, data in (files or {}).items():
                draft.files[key] = DraftFile(key, data, committed=True)
            for key in pending:
                draft.files[key] = DraftFile(key)
            self._versions[draft.id] = draft
            parent.version_ids.append(draft.id)
            self._changed.add(parent.id)
            if indexed:
                self._flush_index(immediately=True)
            else:
                self._changed.discard(parent.id)
            return self._id_out(draft.id)

    def seed_new_draft(
        self,
        files: dict[str, bytes] | None = None,
        metadata: dict[str, Any] | None = None,
        owner_token: str | None = None,
    ) -> str | int:
        """The unpublished first version of a new concept."""
        with self._lock:
            owner = self._owner(owner_token)
            parent = Parent(self._new_id(), owner)
            draft = Version(self._new_id(), parent.id, owner, 1, dict(metadata or {}))
            for key, data in (files or {}).items():
                draft.files[key] = DraftFile(key, data, committed=True)
            self._parents[parent.id] = parent
            self._versions[draft.id] = draft
            parent.version_ids.append(draft.id)
            self._changed.add(parent.id)
            self._flush_index(immediately=True)
            return self._id_out(draft.id)

    # -- inspection for assertions --

    def published_versions(self, concept_id: Any) -> list[dict[str, Any]]:
        with self._lock:
            parent = self._parents.get(str(concept_id))
            return [
                {
                    "record_id": self._id_out(v.id),
                    "version": v.metadata.get("version"),
                    "doi": v.doi,
                    "conceptdoi": parent.doi if parent else None,
                    "publication_date": v.metadata.get("publication_date"),
                    "title": v.metadata.get("title"),
                    "files": v.file_summary(),
                    "metadata": copy.deepcopy(v.metadata),
                    "custom_fields": copy.deepcopy(v.custom_fields),
                    "access": copy.deepcopy(v.access),
                }
                for v in self._published_of(str(concept_id))
            ]

    def pending_drafts(self, concept_id: Any) -> list[dict[str, Any]]:
        with self._lock:
            parent = self._parents.get(str(concept_id))
            drafts = [self._versions[i] for i in parent.version_ids] if parent else []
            return [
                {
                    "record_id": self._id_out(v.id),
                    "state": "unsubmitted",
                    "files": v.file_summary(),
                    "pending_files": sorted(k for k, f in v.files.items() if not f.committed),
                    "metadata": copy.deepcopy(v.metadata),
                    "pids": copy.deepcopy(v.pids),
                }
                for v in drafts
                if not v.published
            ]

    def backdate(self, record_id: Any, seconds: float) -> None:
        with self._lock:
            then = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds)
            version = self._versions[str(record_id)]
            version.updated = then.isoformat()
            version.created = min(version.created, version.updated)

    def file_bytes(self, record_id: Any, name: str) -> bytes:
        with self._lock:
            return self._versions[str(record_id)].files[name].data or b""

    def concept_ids(self) -> list[Any]:
        with self._lock:
            return sorted(self._id_out(p) for p in self._parents)

    def concept_of(self, record_id: Any) -> Any:
        with self._lock:
            return self._id_out(self._versions[str(record_id)].parent_id)

    def draft_json(self, record_id: Any) -> dict[str, Any]:
        with self._lock:
            return self._record_json(self._versions[str(record_id)])


def _dereferenced(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata as a read shows it: vocabulary references carry their titles (the
    relations are dereferenced, invenio-records-api.md §3.4), and a person's `name` is filled in."""
    out = copy.deepcopy(metadata)

    def titled(ref: Any) -> None:
        if isinstance(ref, dict) and "id" in ref:
            ref.setdefault("title", {"en": str(ref["id"]).replace("-", " ").title()})

    titled(out.get("resource_type"))
    for key, sub in (
        ("rights", None),
        ("languages", None),
        ("related_identifiers", "relation_type"),
    ):
        for item in out.get(key) or []:
            titled(item.get(sub) if sub else item)
    for key in ("creators", "contributors"):
        for person in out.get(key) or []:
            entity = person.get("person_or_org") or {}
            if entity.get("type") == "personal" and "name" not in entity:
                names = [entity.get("family_name"), entity.get("given_name")]
                entity["name"] = ", ".join(n for n in names if n)
            titled(person.get("role"))
    for item in out.get("dates") or []:
        titled(item.get("type"))
    for item in out.get("funding") or []:
        funder, award = item.get("funder"), item.get("award")
        if isinstance(funder, dict) and funder.get("id") in FUNDER_ENTRIES:
            funder.update(copy.deepcopy(FUNDER_ENTRIES[funder["id"]]))
        if isinstance(award, dict) and award.get("id") in AWARDS:
            award.update(award_entry(award["id"]))
    return out


def default_metadata() -> dict[str, Any]:
    """Records-schema metadata that publishes; seeds merge their own over it."""
    return {
        "resource_type": {"id": "software"},
        "title": "Seeded software",
        "creators": [
            {
                "person_or_org": {"type": "personal", "family_name": "Doe", "given_name": "Jane"},
                "affiliations": [{"name": "Example University"}],
            }
        ],
        "description": "<p>Seeded by the fake InvenioRDM.</p>",
        "rights": [{"id": "mit"}],
        "publication_date": "2024-01-15",
        "publisher": "Seed Repository",
    }


@pytest.fixture
def fake_invenio() -> Iterator[FakeInvenio]:
    """A running fake InvenioRDM (ids such as 8x4k2-abcde), fresh for each test."""
    yield from _running(FakeInvenio())


@pytest.fixture
def fake_invenio_zenodo() -> Iterator[FakeInvenio]:
    """A running fake of Zenodo's records API (numeric ids, DOIs 10.5281/zenodo.N)."""
    yield from _running(FakeInvenio(zenodo=True))
