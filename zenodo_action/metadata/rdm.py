"""The run's metadata (Zenodo's deposit-API fields, as every source is mapped to) written in
InvenioRDM's records schema: a pure function, for the records client.

It follows the correspondences Zenodo itself applies when its deposit API stores a record
through the records API (docs/reference/invenio-records-api.md §11), with one addition the
deposit API cannot express: a creator whose name is not "Family, Given" and who has no
ORCID or GND id is an organisation. Besides the draft's body it returns where each of the
body's fields came from (so the server's error on `metadata.identifiers.0` is reported on
the related identifier the user wrote), the vocabulary ids the instance must have (checked
against it at run time, `zenodo/records.py`), and what the records API cannot take.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from zenodo_action.metadata import identifiers

# custom field (records API) -> {its key: the deposit-API field} (§11.12)
CUSTOM_FIELDS = {
    "journal:journal": {
        "title": "journal_title",
        "volume": "journal_volume",
        "issue": "journal_issue",
        "pages": "journal_pages",
    },
    "meeting:meeting": {
        "title": "conference_title",
        "acronym": "conference_acronym",
        "dates": "conference_dates",
        "place": "conference_place",
        "url": "conference_url",
        "session": "conference_session",
        "session_part": "conference_session_part",
    },
    "imprint:imprint": {
        "title": "partof_title",
        "pages": "partof_pages",
        "isbn": "imprint_isbn",
        "place": "imprint_place",
    },
    "thesis:thesis": {"university": "thesis_university"},
}
# A bare grant id is the European Commission's FP7 (§11.9).
EC_FUNDER_DOI = "10.13039/501100000780"
# Fields the records API has no place for (§11.13, §11.14): not sent, and said so.
NOT_SENT = {
    "communities": "communities are no part of a draft in the records API; join them on "
    "the record's page, or publish through Zenodo's deposit API (api: deposit)",
    "access_conditions": "the records API has no access conditions for restricted files; "
    "set them on the record's page",
}


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("data/records_api.json").read_text("utf-8")
    loaded: dict[str, dict[str, str]] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class VocabularyUse:
    """A vocabulary id the draft names, and the run's field that gave it."""

    vocabulary: str  # resourcetypes, licenses, languages, ... (§10.1)
    id: str
    field: str  # e.g. metadata.license


@dataclass
class RecordsDraft:
    body: dict[str, Any]  # access, files, metadata, custom_fields: what PUT …/draft takes
    fields: dict[str, str] = field(default_factory=dict)  # its error fields -> the run's
    vocabulary: list[VocabularyUse] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)  # the run's fields it has no place for

    def uses(self, vocabulary: str, value: Any, where: str) -> None:
        self.vocabulary.append(VocabularyUse(vocabulary, str(value), where))


def records_draft(metadata: Mapping[str, Any], *, notes_type: str = "notes") -> RecordsDraft:
    """The draft body for `metadata`; `notes_type`: the description type `notes` become
    (`notes` exists only in Zenodo's vocabulary, §10.2)."""
    out = RecordsDraft({"files": {"enabled": True}})
    md: dict[str, Any] = {}
    for key in ("title", "description", "version", "publication_date"):
        if metadata.get(key) not in (None, ""):
            md[key] = metadata[key]
    if metadata.get("imprint_publisher"):
        md["publisher"] = metadata["imprint_publisher"]
        out.fields["metadata.publisher"] = "metadata.imprint_publisher"
    _resource_type(metadata, md, out)
    _people(metadata, md, out)
    _rights(metadata, md, out)
    _subjects(metadata, md, out)
    _languages(metadata, md, out)
    _dates(metadata, md, out)
    _related(metadata, md, out)
    _funding(metadata, md, out)
    _descriptions(metadata, md, out, notes_type)
    _references_and_locations(metadata, md, out)
    out.body["metadata"] = md
    out.body["access"] = _access(metadata, out)
    custom = _custom_fields(metadata, out)
    if custom:
        out.body["custom_fields"] = custom
    out.not_sent = [key for key in NOT_SENT if metadata.get(key)]
    out.warnings += [f"{key}: not sent: {NOT_SENT[key]}" for key in out.not_sent]
    return out


def _resource_type(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    kind = metadata.get("upload_type")
    if not kind:
        return
    sub = metadata.get(f"{kind}_type") if kind in ("publication", "image") else None
    md["resource_type"] = {"id": f"{kind}-{sub}" if sub else str(kind)}
    out.fields["metadata.resource_type"] = "metadata.upload_type"
    out.uses("resourcetypes", md["resource_type"]["id"], "metadata.upload_type")


def _person(given: Mapping[str, Any]) -> dict[str, Any]:
    """A creator or contributor: "Family, Given" (exactly one comma) or an ORCID/GND id
    make a person (§11.2); any other name is an organisation's."""
    name = str(given.get("name") or "").strip()
    ids = []
    if given.get("orcid"):
        ids.append({"scheme": "orcid", "identifier": identifiers.bare_orcid(str(given["orcid"]))})
    if given.get("gnd"):
        ids.append({"scheme": "gnd", "identifier": str(given["gnd"]).strip()})
    if name.count(",") == 1:
        family, first = (part.strip() for part in name.split(","))
        entity: dict[str, Any] = {"type": "personal", "family_name": family}
        if first:
            entity["given_name"] = first
    elif ids:
        entity = {"type": "personal", "family_name": name}
    else:
        entity = {"type": "organizational", "name": name}
    if ids:
        entity["identifiers"] = ids
    person: dict[str, Any] = {"person_or_org": entity}
    if given.get("affiliation"):
        person["affiliations"] = [{"name": str(given["affiliation"]).strip()}]
    return person


def _people(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    creators = [c for c in metadata.get("creators") or () if isinstance(c, Mapping)]
    if creators:
        md["creators"] = [_person(c) for c in creators]
    contributors: list[dict[str, Any]] = []
    for key, role in (("contributors", None), ("thesis_supervisors", "supervisor")):
        for index, given in enumerate(metadata.get(key) or ()):
            if not isinstance(given, Mapping):
                continue
            person = _person(given)
            chosen = role or str(given.get("type") or "").lower()
            where = f"metadata.{key}.{index}"
            if chosen:
                person["role"] = {"id": chosen}
                out.uses("contributorsroles", chosen, where if role else f"{where}.type")
            out.fields[f"metadata.contributors.{len(contributors)}"] = where
            contributors.append(person)
    if contributors:
        md["contributors"] = contributors


def rights_id(license_id: str) -> str:
    """A licence id (SPDX or Zenodo's legacy) as the records API's vocabulary has it."""
    wanted = license_id.strip().lower()
    return _tables()["licenses"].get(wanted, wanted)


def _rights(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    given = metadata.get("license")
    value = given.get("id") if isinstance(given, Mapping) else given
    if not isinstance(value, str) or not value.strip():
        return
    md["rights"] = [{"id": rights_id(value)}]
    out.fields["metadata.rights"] = "metadata.license"
    out.fields["metadata.rights.0"] = "metadata.license"
    out.uses("licenses", md["rights"][0]["id"], "metadata.license")


def _subjects(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    """Keywords, then the controlled subjects' terms, as free subjects (§11.5)."""
    subjects: list[dict[str, Any]] = []
    for key, term in (("keywords", None), ("subjects", "term")):
        for index, item in enumerate(metadata.get(key) or ()):
            text = item.get(term) if term and isinstance(item, Mapping) else item
            if isinstance(text, str) and text.strip():
                out.fields[f"metadata.subjects.{len(subjects)}"] = f"metadata.{key}.{index}"
                subjects.append({"subject": text.strip()})
    if subjects:
        md["subjects"] = subjects


def language_id(code: str) -> str:
    """ISO 639-1 (`en`) as the languages vocabulary's id (`eng`); three letters as they are."""
    wanted = code.strip().lower()
    return _tables()["languages"].get(wanted, wanted)


def _languages(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    code = metadata.get("language")
    if isinstance(code, str) and code.strip():
        md["languages"] = [{"id": language_id(code)}]
        out.fields["metadata.languages"] = "metadata.language"
        out.fields["metadata.languages.0"] = "metadata.language"
        out.uses("languages", md["languages"][0]["id"], "metadata.language")


def _dates(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    dates = []
    for index, given in enumerate(metadata.get("dates") or ()):
        if not isinstance(given, Mapping):
            continue
        start, end = given.get("start"), given.get("end")
        when = f"{start}/{end}" if start and end and start != end else start or end
        kind = str(given.get("type") or "").lower()
        item: dict[str, Any] = {"date": when, "type": {"id": kind}}
        if given.get("description"):
            item["description"] = given["description"]
        out.uses("datetypes", kind, f"metadata.dates.{index}.type")
        dates.append(item)
    if dates:
        md["dates"] = dates


_SCHEMES = (
    ("arxiv", re.compile(r"^(?:arxiv:)?\d{4}\.\d{4,5}(?:v\d+)?$", re.I)),
    ("ark", re.compile(r"^ark:/?\d+/\S+$", re.I)),
    ("urn", re.compile(r"^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$", re.I)),
    ("handle", re.compile(r"^(?:hdl:)?\d+(?:\.\d+)*/\S+$", re.I)),
    ("issn", re.compile(r"^\d{4}-\d{3}[\dX]$", re.I)),
    ("isbn", re.compile(r"^(?:97[89]-?)?(?:\d-?){9}[\dX]$", re.I)),
    ("pmid", re.compile(r"^pmid:\d+$", re.I)),
    ("url", re.compile(r"^https?://\S+$", re.I)),
)


def scheme_of(identifier: str) -> tuple[str, str]:
    """(scheme, identifier as the scheme writes it): the records API needs the scheme the
    deposit API detects by itself (§11.8); an identifier of no known form is `other`."""
    text = identifier.strip()
    doi = identifiers.doi_of(text)
    if doi:
        return "doi", doi
    for scheme, pattern in _SCHEMES:
        if pattern.match(text):
            return scheme, text
    return "other", text


def _related(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    related: list[dict[str, Any]] = []
    alternate: list[dict[str, Any]] = []
    for index, given in enumerate(metadata.get("related_identifiers") or ()):
        if not isinstance(given, Mapping) or not isinstance(given.get("identifier"), str):
            continue
        scheme, value = scheme_of(given["identifier"])
        where = f"metadata.related_identifiers.{index}"
        relation = str(given.get("relation") or "")
        if relation == "isAlternateIdentifier":
            out.fields[f"metadata.identifiers.{len(alternate)}"] = where
            alternate.append({"identifier": value, "scheme": scheme})
            continue
        if relation == "isOrignialFormOf":  # Zenodo's old typo (§11.8)
            relation = "isOriginalFormOf"
        item: dict[str, Any] = {
            "identifier": value,
            "scheme": scheme,
            "relation_type": {"id": relation.lower()},
        }
        out.uses("relationtypes", relation.lower(), f"{where}.relation")
        if given.get("resource_type"):
            item["resource_type"] = {"id": str(given["resource_type"])}
            out.uses("resourcetypes", given["resource_type"], f"{where}.resource_type")
        out.fields[f"metadata.related_identifiers.{len(related)}"] = where
        related.append(item)
    if related:
        md["related_identifiers"] = related
    if alternate:
        md["identifiers"] = alternate


def _funding(metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft) -> None:
    funding: list[dict[str, Any]] = []
    for index, grant in enumerate(metadata.get("grants") or ()):
        given = grant.get("id") if isinstance(grant, Mapping) else None
        if not isinstance(given, str) or not given.strip():
            continue
        funder_doi, _, award = given.strip().rpartition("::")
        funder = _tables()["funders"].get(funder_doi or EC_FUNDER_DOI, funder_doi or EC_FUNDER_DOI)
        where = f"metadata.grants.{index}"
        out.uses("funders", funder, where)
        out.uses("awards", f"{funder}::{award}", where)
        out.fields[f"metadata.funding.{len(funding)}"] = where
        funding.append({"funder": {"id": funder}, "award": {"id": f"{funder}::{award}"}})
    if funding:
        md["funding"] = funding


def _descriptions(
    metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft, notes_type: str
) -> None:
    descriptions: list[dict[str, Any]] = []
    for key, kind in (("notes", notes_type), ("method", "methods")):
        text = metadata.get(key)
        if isinstance(text, str) and text.strip():
            out.fields[f"metadata.additional_descriptions.{len(descriptions)}"] = f"metadata.{key}"
            out.uses("descriptiontypes", kind, f"metadata.{key}")
            descriptions.append({"description": text, "type": {"id": kind}})
    if descriptions:
        md["additional_descriptions"] = descriptions


def _references_and_locations(
    metadata: Mapping[str, Any], md: dict[str, Any], out: RecordsDraft
) -> None:
    references = [r for r in metadata.get("references") or () if isinstance(r, str) and r]
    if references:
        md["references"] = [{"reference": r} for r in references]
    features = []
    for given in metadata.get("locations") or ():
        if not isinstance(given, Mapping) or not given.get("place"):
            continue
        feature: dict[str, Any] = {"place": given["place"]}
        if given.get("lat") is not None and given.get("lon") is not None:
            feature["geometry"] = {"type": "Point", "coordinates": [given["lon"], given["lat"]]}
        if given.get("description"):
            feature["description"] = given["description"]
        features.append(feature)
    if features:
        md["locations"] = {"features": features}


def _access(metadata: Mapping[str, Any], out: RecordsDraft) -> dict[str, Any]:
    """Every record public; the files restricted unless open, under an embargo until its
    date (§11.13)."""
    kind = metadata.get("access_right") or "open"
    out.fields["access"] = "metadata.access_right"
    out.fields["access.embargo"] = "metadata.embargo_date"
    if kind == "open":
        return {"record": "public", "files": "public"}
    access: dict[str, Any] = {"record": "public", "files": "restricted"}
    if kind == "embargoed":
        access["embargo"] = {"active": True, "until": metadata.get("embargo_date")}
    return access


def _custom_fields(metadata: Mapping[str, Any], out: RecordsDraft) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    for name, keys in CUSTOM_FIELDS.items():
        values = {key: metadata[legacy] for key, legacy in keys.items() if metadata.get(legacy)}
        if values:
            custom[name] = values
            first = next(legacy for key, legacy in keys.items() if key in values)
            out.fields[f"custom_fields.{name}"] = f"metadata.{first}"
    if isinstance(metadata.get("custom"), Mapping):  # Zenodo's own custom fields, as given
        custom.update(metadata["custom"])
    return custom


def records_comparable(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Records-schema metadata as read back, without what the server adds to what was sent
    (vocabulary titles, a person's composed `name`), for comparing it with a draft body."""
    return {key: _plain(value, key) for key, value in metadata.items()}


# What a read adds to a vocabulary reference `{"id": …}` (the dereferenced entry, §3.4).
_DEREFERENCED = frozenset({"title", "description", "props", "icon", "link"})


def _plain(value: Any, key: str = "") -> Any:
    if isinstance(value, Mapping):
        if "id" in value and key != "person_or_org":
            return {k: _plain(v, k) for k, v in value.items() if k not in _DEREFERENCED}
        return {k: _plain(v, k) for k, v in value.items() if not _composed_name(value, k)}
    if isinstance(value, list):
        return [_plain(item, key) for item in value]
    return value


def _composed_name(entity: Mapping[str, Any], key: str) -> bool:
    """A person's `name` is composed by the server from the family and given names."""
    return key == "name" and entity.get("type") == "personal"
