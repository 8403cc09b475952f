"""What the fake Zenodo does to a deposition's metadata, after Zenodo's own code.

Built from zenodo/zenodo-rdm (the legacy deserializer `site/zenodo_rdm/legacy/
deserializers/`, its serializer `legacy/serializers/schemas/`, the licence data), from
inveniosoftware/invenio-rdm-records (the record schema, the vocabularies) and from the
libraries Zenodo runs them with: idutils detects and normalises identifiers, bleach
sanitises HTML with invenio-config's lists, ftfy cleans text (marshmallow-utils'
SanitizedUnicode). docs/reference/zenodo-deposit-rules.md gives each fact its source.

Nothing here is shared with the code it tests: the licence table is the fake's own
(tests/fakes/data/zenodo-licenses.json: Zenodo's pairs, from which acceptance and the
legacy echo are derived here), and so are the vocabularies, so a gap between the
validator and Zenodo shows up as a refusal or a changed echo in a test.

What is stored is what the legacy JSON answers with (the echo): the deserializer's
refusals are raised at once (a 400 on POST/PUT); the record schema's are found at
publish, on what was stored (`publish_errors`).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import bleach
import ftfy
import idutils
import pycountry

MSG_VALIDATION = "A validation error occurred."
MSG_MISSING = "Missing data for required field."
MSG_MISSING_FILES = (
    "Missing uploaded files. To disable files for this record please mark it as metadata-only."
)
MSG_NO_SCHEME = "No valid scheme recognized for identifier."
MSG_TOO_SHORT = "Shorter than minimum length 3."


class ApiError(Exception):
    """An error answer in Zenodo's JSON shape (zenodo-api.md §4.1): `errors` only when there are
    some."""

    def __init__(self, status: int, message: str, errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.errors:
            body["errors"] = [{"field": f, "messages": [m]} for f, m in self.errors]
        return body


def validation_error(errors: list[tuple[str, str]]) -> ApiError:
    return ApiError(400, MSG_VALIDATION, errors)


# --- Vocabularies: invenio-rdm-records' fixtures, which Zenodo loads ------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# resource_types.yaml: `<type>` and `<type>-<subtype>` ids
RESOURCE_TYPES = _words(
    """publication publication-annotationcollection publication-book publication-section
    publication-conferencepaper publication-conferenceproceeding publication-datamanagementplan
    publication-journal publication-article publication-patent publication-peerreview
    publication-preprint publication-deliverable publication-milestone publication-proposal
    publication-report publication-softwaredocumentation publication-taxonomictreatment
    publication-technicalnote publication-workingpaper publication-datapaper
    publication-dissertation publication-standard publication-studyregistration
    publication-other poster presentation event dataset image image-figure image-plot
    image-drawing image-diagram image-photo image-other model video audio software lesson
    software-computationalnotebook other physicalobject workflow project instrument"""
)
# the ids resource_types.yaml tags only `linkable`: a related work's type, never a record's
LINK_ONLY_TYPES = frozenset({"project", "instrument"})
MSG_NOT_VALID = "Not a valid value."
# relation_types.yaml, in the legacy serializer's spelling (RELATION_TYPE_MAPPING)
RELATIONS = {
    name.lower(): name
    for name in _words(
        """isCitedBy cites isSupplementTo isSupplementedBy isContinuedBy continues
        isDescribedBy describes hasMetadata isMetadataFor hasVersion isVersionOf
        isNewVersionOf isPreviousVersionOf isPartOf hasPart isPublishedIn isReferencedBy
        references isDocumentedBy documents isCompiledBy compiles isVariantFormOf
        isOriginalFormOf isIdenticalTo isReviewedBy reviews isDerivedFrom isSourceOf
        isRequiredBy requires isObsoletedBy obsoletes isTranslationOf hasTranslation
        isCollectedBy collects other"""
    )
}
# roles.yaml, in the legacy serializer's spelling (ROLE_TYPE_MAPPING; translator has none)
ROLES = {
    name.lower(): name
    for name in _words(
        """ContactPerson DataCollector DataCurator DataManager Distributor Editor
        HostingInstitution Producer ProjectLeader ProjectManager ProjectMember
        RegistrationAgency RegistrationAuthority RelatedPerson Researcher ResearchGroup
        RightsHolder Sponsor Supervisor WorkPackageLeader Other Translator"""
    )
}
DATE_TYPES = _words(
    "accepted available collected copyrighted created issued other submitted updated valid "
    "withdrawn coverage"
)
ACCESS_RIGHTS = frozenset({"open", "embargoed", "restricted", "closed"})
# invenio-rdm-records config RDM_RECORDS_IDENTIFIERS_SCHEMES (also the related ones): the
# schemes a detected one must be among, in idutils' detection order
ALLOWED_SCHEMES = _words(
    "ark arxiv ads crossreffunderid cstr doi ean13 eissn grid handle igsn isbn isni issn "
    "istc lissn lsid pmid purl rrid upc url urn wikidata w3id other"
)
# invenio-config ALLOWED_HTML_TAGS / ALLOWED_HTML_ATTRS (Zenodo sets neither)
HTML_TAGS = _words(
    "a abbr acronym b blockquote br code div table tbody td th tr em h1 h2 h3 h4 h5 i li ol "
    "p pre span strike strong sub sup u ul"
)
HTML_ATTRIBUTES = {
    "*": ["class"],
    "a": ["href", "title", "name", "class", "rel"],
    "abbr": ["title"],
    "acronym": ["title"],
}
METADATA_KEYS = _words(
    """upload_type publication_type image_type publication_date title creators description
    access_right license embargo_date doi keywords notes method related_identifiers
    contributors thesis_supervisors thesis_university references communities grants
    journal_title journal_volume journal_issue journal_pages conference_title
    conference_acronym conference_dates conference_place conference_url conference_session
    conference_session_part imprint_publisher imprint_isbn imprint_place partof_title
    partof_pages subjects version language locations dates custom"""
)
PERSON_KEYS = ("name", "affiliation", "orcid", "gnd")
_TEXT_KEYS = ("title", "version", "publication_date", "imprint_publisher")


# --- Licences: Zenodo's legacy map, read the way zenodo_legacy/licenses.py reads it -------


@lru_cache(maxsize=1)
def _licence_data() -> dict[str, Any]:
    path = Path(__file__).parent / "data" / "zenodo-licenses.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def legacy_to_rdm(value: str) -> str | None:
    """The stored licence id (lower-cased, stripped, an alias applied, then the map)."""
    data = _licence_data()
    normalized = value.lower().strip()
    aliased = data["aliases"].get(normalized, normalized).lower()
    return dict(data["pairs"]).get(aliased)


def rdm_to_legacy(rdm: str) -> str | None:
    """The legacy id the serializer answers with: the inverse map, the last pair winning."""
    inverse = {stored: legacy for legacy, stored in _licence_data()["pairs"]}
    return inverse.get(rdm)


def _stored_licence(value: Any) -> dict[str, Any]:
    """The deserializer's `load_rights`: {"id": …}, or a legacy licence by title."""
    if not isinstance(value, (dict, str)):
        message = (
            f"Invalid license value provided (expected string, or object with 'id' key): {value}"
        )
        raise validation_error([("metadata.license", message)])
    if isinstance(value, dict) and "id" not in value:
        message = f"Invalid license object provided (missing 'id' key): {value}"
        raise validation_error([("metadata.license", message)])
    license_id = value["id"] if isinstance(value, dict) else value
    if not isinstance(license_id, str):
        raise ApiError(500, "The server encountered an internal error.")  # .lower() fails
    rdm = legacy_to_rdm(license_id)
    if rdm:
        return {"id": rdm}
    title = _licence_data()["legacy_titles"].get(license_id)  # as written
    if title is None:
        raise validation_error([("metadata.license", f"Invalid license provided: {license_id}")])
    return {"title": title}


# --- Text: marshmallow-utils' SanitizedUnicode and SanitizedHTML --------------------------


def _xml_char(char: str) -> bool:
    code = ord(char)
    return (
        0x20 <= code <= 0xD7FF
        or code in (0x9, 0xA, 0xD)
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def sanitized_text(value: Any) -> Any:
    """ftfy's fixes (quotes uncurled, entities of plain text unescaped, NFC), characters
    XML cannot hold and zero-width spaces removed, stripped."""
    if not isinstance(value, str):
        return value
    text = "".join(filter(_xml_char, ftfy.fix_text(value.strip())))
    return text.replace("\u200b", "").strip()


def sanitized_html(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cleaned = bleach.clean(
        sanitized_text(value), tags=HTML_TAGS, attributes=HTML_ATTRIBUTES, strip=True
    )
    return cleaned.strip()


# --- Deserialization (zenodo-api.md §2.4, §4.2): what PUT refuses at once, and what it stores -----


def deserialize_body(body: Any) -> dict[str, Any]:
    """The stored metadata for a create/PUT body; raises ApiError for zenodo-api.md §4.2's cases."""
    if not isinstance(body, dict):
        raise validation_error([("_schema", "Invalid input type.")])
    unknown = [key for key in body if key not in ("metadata", "files")]
    if unknown:
        raise validation_error([(key, "Unknown field.") for key in unknown])
    if "metadata" not in body:
        return {"access_right": "open"}  # the real create-with-{} answer (zenodo-api.md §8.2)
    metadata = body["metadata"]
    if not isinstance(metadata, dict):
        raise validation_error([("metadata", "Invalid input type.")])
    return normalize_metadata(metadata)


def normalize_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Unknown keys dropped silently, shapes and vocabularies checked, defaults set, and
    every value as Zenodo stores it and its legacy JSON answers with it."""
    stored = {k: copy.deepcopy(v) for k, v in metadata.items() if k in METADATA_KEYS}
    _apply_default_licence(stored, sent=bool(metadata))
    errors = _shape_errors(stored)
    if errors:
        raise validation_error(errors)
    licence = _stored_licence(stored.pop("license")) if "license" in stored else None
    _store_related(stored)
    _store_language(stored)
    _check_vocabularies(stored)
    _clean_people(stored)
    _store_dates(stored)
    _store_texts(stored)
    if stored.get("access_right") == "closed":
        stored["access_right"] = "restricted"  # lossy, zenodo-api.md §6 access_right
    for kind in ("publication", "image"):  # only the subtype of the upload type is read
        if stored.get("upload_type") != kind:
            stored.pop(f"{kind}_type", None)
    if stored.get("publication_type") == "thesis":
        stored["publication_type"] = "dissertation"  # zenodo-rdm components.py
    stored.setdefault("publication_date", _today())
    stored.setdefault("imprint_publisher", "Zenodo")
    stored.setdefault("access_right", "open")
    if licence is not None and licence.get("id"):
        echo = rdm_to_legacy(licence["id"])
        if echo is not None:
            stored["license"] = echo
    return stored


def _today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def _apply_default_licence(md: dict[str, Any], *, sent: bool) -> None:
    """LegacySchema.load_default_license: CC0-1.0 for a dataset, else CC-BY-4.0, when
    access is open or embargoed and the metadata sent is not empty."""
    if sent and "license" not in md and md.get("access_right", "open") in ("open", "embargoed"):
        md["license"] = "CC0-1.0" if md.get("upload_type") == "dataset" else "CC-BY-4.0"


def _shape_errors(md: dict[str, Any]) -> list[tuple[str, str]]:
    errors = _access_errors(md)
    language = md.get("language")
    if language is not None and (not isinstance(language, str) or len(language) not in (2, 3)):
        errors.append(
            ("metadata.language", "Language must be either ISO-639-1 or 639-2 compatible.")
        )
    dates = md.get("dates")
    if isinstance(dates, list) and any(
        not isinstance(d, dict) or not (d.get("start") or d.get("end")) for d in dates
    ):
        errors.append(("metadata.dates", "Invalid date provided."))
    return errors + _related_errors(md) + _community_errors(md)


def _access_errors(md: dict[str, Any]) -> list[tuple[str, str]]:
    access = md.get("access_right", "open")
    if access not in ACCESS_RIGHTS or (access == "embargoed" and not md.get("embargo_date")):
        return [("_schema", "Unknown access type.")]
    return []


def _related_errors(md: dict[str, Any]) -> list[tuple[str, str]]:
    if "related_identifiers" not in md:
        return []
    items = md["related_identifiers"]
    if not isinstance(items, list):
        return [("metadata.related_identifiers", "related_identifiers must be a list")]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            field_name = f"metadata.related_identifiers.{index}"
            return [(field_name, "Each related identifier must be an object")]
        if not isinstance(item.get("relation"), str):
            field_name = f"metadata.related_identifiers.{index}.relation"
            return [(field_name, "relation must be a string")]
    return []


def _community_errors(md: dict[str, Any]) -> list[tuple[str, str]]:
    items = md.get("communities")
    if items is None:
        return []
    if not isinstance(items, list) or not all(
        isinstance(c, dict) and "identifier" in c for c in items
    ):
        # no "metadata." prefix on this one (zenodo-api.md §4.2)
        message = "Communities must be an array of objects with an 'identifier' key."
        return [("communities", message)]
    return []


def detected_scheme(identifier: Any) -> str | None:
    """marshmallow-utils' IdentifierSchema: the first scheme idutils detects that Zenodo
    allows, in idutils' order; None is "No valid scheme recognized for identifier."."""
    if not isinstance(identifier, str) or not identifier:
        return None
    return next(
        (s for s in idutils.detect_identifier_schemes(identifier) if s in ALLOWED_SCHEMES),
        None,
    )


def _store_related(md: dict[str, Any]) -> None:
    """`load_related_identifiers`: the scheme detected, the identifier normalised; an
    isAlternateIdentifier goes to the alternate identifiers, which the serializer lists
    after the related ones."""
    items = md.pop("related_identifiers", None)
    if not items:
        return
    related, alternate = [], []
    for item in items:
        relation = item["relation"]
        if relation == "isOrignialFormOf":  # a typo Zenodo accepts (zenodo/zenodo#1366)
            relation = "isOriginalFormOf"
        scheme = detected_scheme(item.get("identifier"))
        if scheme is None:
            raise validation_error([("metadata.related_identifiers.scheme", MSG_NO_SCHEME)])
        identifier = idutils.normalize_pid(sanitized_text(item["identifier"]), scheme)
        entry: dict[str, Any] = {"identifier": identifier}
        if relation == "isAlternateIdentifier":
            alternate.append({**entry, "relation": relation, "scheme": scheme})
            continue
        entry["relation"] = RELATIONS.get(relation.lower(), relation.lower())
        if item.get("resource_type"):
            entry["resource_type"] = item["resource_type"]
        entry["scheme"] = scheme
        related.append(entry)
    md["related_identifiers"] = related + alternate


def _store_language(md: dict[str, Any]) -> None:
    """`load_language`: a 3-letter code as it is, a 2-letter one mapped by pycountry in
    any letter case (to nothing when it knows none)."""
    language = md.get("language")
    if isinstance(language, str) and len(language) == 2:
        found = pycountry.languages.get(alpha_2=language)
        md["language"] = found.alpha_3 if found else None


def _check_vocabularies(md: dict[str, Any]) -> None:
    """Unknown vocabulary values fail at once, without an `errors` list (zenodo-api.md §2.4, §4.2);
    so does a record's resource type not tagged `depositable` (the record's relation has a
    value check on the tag, invenio-records answers "Not a valid value.")."""
    for value in _vocabulary_misses(md):
        raise ApiError(400, f"Invalid value {value}.")
    if md.get("upload_type") in LINK_ONLY_TYPES:
        raise ApiError(400, MSG_NOT_VALID)


def _vocabulary_misses(md: dict[str, Any]) -> Iterator[str]:
    upload_type = md.get("upload_type")
    if upload_type is not None:
        sub = md.get(f"{upload_type}_type")
        resource_type = f"{upload_type}-{sub}" if sub else str(upload_type)
        if resource_type not in RESOURCE_TYPES and resource_type != "publication-thesis":
            yield resource_type  # the record's thesis is renamed before the check
    for item in md.get("related_identifiers") or ():
        if item["relation"] != "isAlternateIdentifier":
            if item["relation"].lower() not in RELATIONS:
                yield item["relation"].lower()
            if "resource_type" in item and item["resource_type"] not in RESOURCE_TYPES:
                yield str(item["resource_type"])
    contributors = md.get("contributors")
    for person in contributors if isinstance(contributors, list) else ():
        role = str(person.get("type", "")).lower() if isinstance(person, dict) else ""
        if role not in ROLES:
            yield role
    dates = md.get("dates")
    for date in dates if isinstance(dates, list) else ():
        if str(date.get("type", "")).lower() not in DATE_TYPES:
            yield str(date.get("type", "")).lower()
    language = pycountry.languages.get(alpha_3=str(md.get("language")))
    if "language" in md and (language is None or language.alpha_3 != md["language"]):
        # the languages vocabulary is pycountry's (zenodo-deposit-rules.md §4); for an unmapped
        # 2-letter code the id is None, refused one way or another (the exact answer is not known)
        yield str(md["language"])


def _clean_people(md: dict[str, Any]) -> None:
    """Inside creators/contributors unknown keys are dropped; an unusable list is dropped
    from the draft, so publish reports it missing (zenodo-api.md §2.4 "invalid fields are dropped").
    A name is split at its only comma and joined again ("Family, Given"), an ORCID
    normalised (idutils), a role answered in the legacy spelling."""
    for key, extra in (("creators", ()), ("contributors", ("type",)), ("thesis_supervisors", ())):
        people = md.get(key)
        if people is None:
            continue
        if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
            del md[key]
            continue
        md[key] = [_person({k: p[k] for k in (*PERSON_KEYS, *extra) if k in p}) for p in people]
    # `load_contributors`: supervisors become contributors with the supervisor role, first;
    # the serializer answers with them among the contributors
    supervisors = md.pop("thesis_supervisors", None)
    if supervisors:
        others = md.get("contributors") or []
        md["contributors"] = [{**p, "type": ROLES["supervisor"]} for p in supervisors] + others


def _person(person: dict[str, Any]) -> dict[str, Any]:
    name = sanitized_text(person.get("name"))
    if isinstance(name, str):
        if name.count(",") == 1:
            family, given = (part.strip() for part in name.split(","))
            person["name"] = ", ".join(part for part in (family, given) if part)
            person["_family"] = family
        else:
            person["name"] = name
    if person.get("orcid"):
        person["orcid"] = idutils.normalize_orcid(str(person["orcid"]))
    if person.get("gnd"):  # `load_identifiers`: normalize_gnd fails on a non-match
        if not idutils.is_gnd(str(person["gnd"])):
            raise ApiError(500, "The server encountered an internal error.")
        # stored as `gnd:<number>`; the serializer answers without the prefix
        person["gnd"] = idutils.normalize_gnd(str(person["gnd"])).removeprefix("gnd:")
    if person.get("type"):
        role = str(person["type"]).lower()
        person["type"] = ROLES.get(role, role)
    if "affiliation" in person:
        person["affiliation"] = sanitized_text(person["affiliation"]) or None
    return person


def _store_dates(md: dict[str, Any]) -> None:
    """`load_dates` keeps one EDTF date (start/end when they differ, else the one given),
    the type lower-cased; the serializer's `DateSchema.dump_date` answers with `start` and
    `end` only for an interval, so a single day comes back as its type (and description)."""
    dates = md.get("dates")
    for date in dates if isinstance(dates, list) else ():
        start, end = date.get("start"), date.get("end")
        interval = bool(start and end and start != end)
        stored = {"type": str(date.get("type", "")).lower()}
        if interval:
            stored.update(start=start, end=end)
        if date.get("description"):
            stored["description"] = sanitized_text(date["description"])
        date.clear()
        date.update(stored)


def _store_texts(md: dict[str, Any]) -> None:
    for key in _TEXT_KEYS:
        if key in md:
            md[key] = sanitized_text(md[key])
    if "description" in md:  # the deserializer's SanitizedUnicode, then the record's HTML
        md["description"] = sanitized_html(sanitized_text(md["description"]))
    for key in ("notes", "method"):  # passed on as sent, to the record's HTML field
        if key in md:
            md[key] = sanitized_html(md[key])
    for key in ("notes", "method"):
        if not md.get(key):
            md.pop(key, None)  # an empty one is not stored (`if notes:`)
    if isinstance(md.get("keywords"), list):
        md["keywords"] = [sanitized_text(k) for k in md["keywords"]]


# --- Publish-time validation (zenodo-api.md §4.3): the record schema on what was stored -----------


def publish_errors(md: dict[str, Any], has_files: bool) -> list[tuple[str, str]]:
    """What publishing checks today; `description` is not required, but one that is
    there needs 3 characters (markup included), as do notes and method."""
    errors: list[tuple[str, str]] = []
    if not md.get("upload_type"):
        errors.append(("metadata.resource_type", MSG_MISSING))
    title = md.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(("metadata.title", MSG_MISSING))
    elif len(title) < 3:
        errors.append(("metadata.title", MSG_TOO_SHORT))
    errors += _creator_errors(md.get("creators"))
    errors += _text_errors(md)
    alternates = [
        (item["scheme"], item["identifier"])
        for item in md.get("related_identifiers") or ()
        if item.get("relation") == "isAlternateIdentifier"
    ]
    if len(alternates) != len(set(alternates)):  # marshmallow-utils IdentifierValueSet
        errors.append(("metadata.identifiers", "Duplicated identifier entry is not allowed."))
    date = md.get("publication_date")
    if date is None:
        errors.append(("metadata.publication_date", MSG_MISSING))
    elif not is_edtf_level0(date):
        errors.append(("metadata.publication_date", "Please provide a valid date or interval."))
    if md.get("access_right") == "embargoed" and str(md.get("embargo_date")) <= _today():
        errors.append(("access.embargo.until", "Embargo end date must be set to a future date."))
    if not has_files:
        errors.append(("files.enabled", MSG_MISSING_FILES))
    return errors


def _creator_errors(creators: Any) -> list[tuple[str, str]]:
    if not creators:
        return [("metadata.creators", MSG_MISSING)]
    errors = []
    for index, creator in enumerate(creators):
        # the family name: before the name's only comma, else the whole name (zenodo-api.md §6
        # creators)
        family = creator.get("_family", creator.get("name") or "")
        if not str(family).strip():
            field_name = f"metadata.creators.{index}.person_or_org.family_name"
            errors.append((field_name, "Family name cannot be blank."))
        orcid = creator.get("orcid")
        if orcid and not idutils.is_orcid(orcid):
            field_name = f"metadata.creators.{index}.person_or_org.identifiers.0.identifier"
            errors.append((field_name, "Invalid ORCID identifier."))
    return errors


def _text_errors(md: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    if "description" in md and len(md["description"] or "") < 3:
        errors.append(("metadata.description", MSG_TOO_SHORT))
    descriptions = [key for key in ("notes", "method") if key in md]
    for index, key in enumerate(descriptions):
        if len(md[key]) < 3:
            errors.append((f"metadata.additional_descriptions.{index}.description", MSG_TOO_SHORT))
    for index, keyword in enumerate(md.get("keywords") or ()):
        if not keyword:
            message = "An existing id or a free text subject must be present."
            errors.append((f"metadata.subjects.{index}.subjects", message))
    if len(str(md.get("version") or "")) > 191:
        errors.append(("metadata.version", "Longer than maximum length 191."))
    return errors


_EDTF_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def is_edtf_level0(value: Any) -> bool:
    """YYYY, YYYY-MM, YYYY-MM-DD or an interval a/b of those; no time part (zenodo-api.md §6)."""
    if not isinstance(value, str):
        return False
    parts = value.split("/")
    if len(parts) > 2 or not all(_valid_edtf_date(part) for part in parts):
        return False
    return len(parts) == 1 or parts[0] <= parts[1]


def _valid_edtf_date(text: str) -> bool:
    if not _EDTF_DATE.fullmatch(text):
        return False
    padded = text + "-01" * (2 - text.count("-"))
    try:
        dt.date.fromisoformat(padded)
    except ValueError:
        return False
    return True


def visible(metadata: dict[str, Any]) -> dict[str, Any]:
    """The stored metadata without the fake's own bookkeeping (a person's family name)."""
    out = copy.deepcopy(metadata)
    for key in ("creators", "contributors", "thesis_supervisors"):
        for person in out.get(key) or ():
            person.pop("_family", None)
    return out
