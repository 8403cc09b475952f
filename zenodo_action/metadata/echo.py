"""Metadata as Zenodo's legacy JSON answers with it, for comparing a record with a request.

Zenodo stores what it is sent in its own forms and answers with those
(docs/reference/zenodo-deposit-rules.md §7): the legacy id of a licence (`MIT` ->
`mit-license`), a DOI without its resolver, relations and roles in its spelling, the
scheme it detected, names split at their only comma and joined again, regrouped ORCIDs,
sanitised HTML, cleaned text, a thesis as a dissertation, and defaults it adds. `echoed`
puts a request's metadata (or a record's, unchanged) into those forms, so that the
dry-run plan reports only what a publish would really change.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from zenodo_action.metadata import identifiers, markup, vocabularies

# What Zenodo's text cleaning (ftfy) does that a comparison can meet: curly quotes
# straightened; the rest (mojibake, ligatures) would not survive a round trip anyway.
_QUOTES = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b", "'") | dict.fromkeys("\u201c\u201d\u201e", '"')
)
_HTML = ("description", "notes", "method")
_TEXT = ("title", "version", "imprint_publisher", "publication_date")
_SUBTYPES = ("publication_type", "image_type")
_PERSON_KEYS = ("name", "affiliation", "orcid", "gnd")
_EC_FUNDER = "10.13039/501100000780"  # the funder Zenodo assumes for a bare grant id


def echoed(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """`metadata` in the forms Zenodo answers with; applying it twice changes nothing.
    `metadata` itself is left as it is (it may be the request still to be sent)."""
    out = copy.deepcopy(dict(metadata))
    for key in _TEXT:
        if isinstance(out.get(key), str):
            out[key] = text(out[key])
    for key in _HTML:
        if isinstance(out.get(key), str):
            out[key] = markup.as_zenodo_stores(text(out[key]))
            if not out[key] and key != "description":
                del out[key]  # Zenodo stores no empty notes or method
    if isinstance(out.get("keywords"), list):
        out["keywords"] = [text(k) if isinstance(k, str) else k for k in out["keywords"]]
    _defaults(out)
    for key in ("creators", "contributors"):
        if isinstance(out.get(key), list):
            out[key] = [_person(p, key) if isinstance(p, Mapping) else p for p in out[key]]
    if isinstance(out.get("related_identifiers"), list):
        out["related_identifiers"] = _related(out["related_identifiers"])
    _lists(out)
    return out


def _lists(out: dict[str, Any]) -> None:
    """Dates' types as Zenodo's ids (lower case), communities in no particular order (it
    answers from a set), a grant without a funder as the European Commission's, which is
    how Zenodo reads it, and how it answers for one of FP7."""
    for item in out.get("dates") or ():
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            item["type"] = item["type"].lower()
    if isinstance(out.get("communities"), list):
        out["communities"] = sorted(out["communities"], key=lambda c: str(c))
    for item in out.get("grants") or ():
        if isinstance(item, dict) and isinstance(item.get("id"), str) and "::" not in item["id"]:
            item["id"] = f"{_EC_FUNDER}::{item['id']}"


def text(value: str) -> str:
    """A text field as Zenodo cleans it: NFC, quotes straightened, CRLF as LF, zero-width
    spaces and control characters removed, stripped."""
    cleaned = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).translate(_QUOTES)
    return "".join(c for c in cleaned if c >= " " or c in "\t\n\r").replace("\u200b", "").strip()


def _defaults(out: dict[str, Any]) -> None:
    """What Zenodo's deserializer adds or rewrites."""
    out.setdefault("imprint_publisher", "Zenodo")
    access = out.setdefault("access_right", "open")
    if access == "closed":
        out["access_right"] = "restricted"
    if "license" not in out and access in ("open", "embargoed"):
        out["license"] = "CC0-1.0" if out.get("upload_type") == "dataset" else "CC-BY-4.0"
    if isinstance(out.get("license"), (str, Mapping)):
        given = out["license"]["id"] if isinstance(out["license"], Mapping) else out["license"]
        echo = vocabularies.license_echo(given) if isinstance(given, str) else None
        if echo is not None:
            out["license"] = echo
        elif isinstance(given, str) and vocabularies.is_known_license(given):
            del out["license"]  # a free-text licence: the legacy JSON shows none
    if isinstance(out.get("language"), str):
        out["language"] = vocabularies.language_id(out["language"]) or out["language"]
    for key in _SUBTYPES:
        if out.get("upload_type") != key.removesuffix("_type"):
            out.pop(key, None)  # only the upload type's own subtype is read
    if out.get("publication_type") == "thesis":
        out["publication_type"] = "dissertation"


def _person(person: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A creator or contributor as stored: only the keys Zenodo reads, in its forms."""
    keys = _PERSON_KEYS + (("type",) if key == "contributors" else ())
    shaped = {name: value for name, value in person.items() if name in keys}
    if isinstance(shaped.get("affiliation"), str):
        shaped["affiliation"] = text(shaped["affiliation"])
    name = shaped.get("name")
    if isinstance(name, str):
        name = text(name)
        parts = [part.strip() for part in name.split(",")] if name.count(",") == 1 else [name]
        shaped["name"] = ", ".join(part for part in parts if part)
    orcid = shaped.get("orcid")
    if isinstance(orcid, str) and orcid.strip():
        shaped["orcid"] = identifiers.stored_orcid(orcid) or orcid
    if isinstance(shaped.get("type"), str):
        role = _canonical(shaped["type"], _roles())
        # the legacy JSON has no spelling for a translator: it answers with no role
        shaped["type"] = None if role == "Translator" else role
    return shaped


def _related(items: list[Any]) -> list[Any]:
    """Each link as stored: its identifier normalised, the relation in Zenodo's spelling,
    no `scheme` (Zenodo detects it, and only answers with it); alternate identifiers,
    which Zenodo keeps apart, after the others."""
    related, alternate = [], []
    for item in items:
        if not isinstance(item, Mapping):
            related.append(item)
            continue
        shaped = {k: v for k, v in item.items() if k != "scheme"}
        if isinstance(shaped.get("identifier"), str):
            shaped["identifier"] = identifiers.stored_identifier(text(shaped["identifier"]))
        relation = shaped.get("relation")
        if isinstance(relation, str):
            relation = "isOriginalFormOf" if relation == "isOrignialFormOf" else relation
            shaped["relation"] = _canonical(relation, _relations())
        if shaped.get("relation") == "isAlternateIdentifier":
            shaped.pop("resource_type", None)
            alternate.append(shaped)
        else:
            related.append(shaped)
    return related + alternate


def _canonical(value: str, spellings: Mapping[str, str]) -> str:
    return spellings.get(value.lower(), value)


@lru_cache(maxsize=1)
def _relations() -> dict[str, str]:
    return _enum_spellings("relatedIdentifier", "relation")


@lru_cache(maxsize=1)
def _roles() -> dict[str, str]:
    return _enum_spellings("contributor", "type")


def _enum_spellings(definition: str, field: str) -> dict[str, str]:
    """lower case -> Zenodo's spelling, from the packaged schema's vocabulary."""
    enum = vocabularies.schema()["$defs"][definition]["properties"][field]["enum"]
    return {str(value).lower(): str(value) for value in enum}
