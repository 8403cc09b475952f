"""Validation: the packaged JSON Schema for shape and vocabularies, then the rules a schema
cannot express (checksums, real calendar dates, "in the future", Zenodo's license list)
and the warnings. Every problem is reported, each once, with its place in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from zenodo_action.metadata import (
    identifiers,
    markup,
    names,
    paths,
    suggest,
    values,
    vocabularies,
)
from zenodo_action.metadata.loader import Document
from zenodo_action.metadata.problems import ERROR, WARNING, Problem, quote_value, sort_problems

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, ValidationError

_PERSON_LISTS = ("creators", "contributors", "thesis_supervisors")
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_DOI = re.compile(rf"^{identifiers.DOI_NAME}$")
_ORCID_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
_TYPOS = {"isOrignialFormOf": "isOriginalFormOf"}  # Zenodo accepts this misspelling

# What to say when a required field is missing (the field's path is shown before it).
_REQUIRED = {
    "title": "missing: give the record a title of at least 3 characters",
    "creators": "missing: list at least one creator, e.g. `- name: 'Doe, Jane'`",
    "upload_type": "missing: say what the record is, e.g. upload_type: software",
    "embargo_date": (
        "missing: access_right is 'embargoed', so give the date (YYYY-MM-DD) the files become open"
    ),
    "access_conditions": (
        "missing: access_right is 'restricted', so say who may request the files and how"
    ),
    "name": "missing: 'Family, Given' for a person, or an organisation's name",
    "type": "missing: the contributor's role, e.g. ProjectMember",
    "identifier": "missing: the DOI, URL or other id of the related work",
    "relation": "missing: how this record relates to the work, e.g. isSupplementTo",
}
_PATTERN_CODES = {
    "doi": "doi-syntax",
    "language": "language-format",
}
_JSON_TYPES = {"object": "a mapping", "array": "a list", "string": "text", "number": "a number"}


def validate(config: Document, *, today: date | None = None) -> list[Problem]:
    """All problems of a loaded file (its load problems included), sorted by line.

    `today` decides whether an embargo date is in the future; tests pin it.
    """
    problems = list(config.problems)
    if isinstance(config.data, dict):
        problems += _schema_problems(config)
        problems += _rule_problems(config, today or date.today())
    unique = {(p.severity, p.path, p.code, p.line, p.message): p for p in problems}
    return sort_problems(unique.values())


# --- the schema ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    # jsonschema takes ~60 ms to import: only pay for it when something is validated.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(vocabularies.schema())


def _schema_problems(config: Document) -> list[Problem]:
    errors = list(_validator().iter_errors(config.data))
    # `upload_type: 5` fails both `type` and `enum`; the wrong type is the one to report.
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    problems = []
    for error in errors:
        if error.validator == "type" or tuple(error.absolute_path) not in mistyped:
            problems += _translate(error, config)
    return problems


def subschema(error: ValidationError) -> Mapping[str, Any]:
    """The subschema that failed: a mapping, as every subschema of ours is (jsonschema's
    types also allow booleans and "unset")."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def expected(error: ValidationError) -> Any:
    """The failed keyword's value in the schema; set on every error `iter_errors` yields."""
    return cast(Any, error.validator_value)


def _translate(error: ValidationError, config: Document) -> list[Problem]:
    path = paths.build(list(error.absolute_path))
    keyword = error.validator
    if keyword == "required":
        cause = _required_because(error)
        return [_missing(config, path, name, cause) for name in _absent(error)]
    if keyword == "additionalProperties":
        return [_unknown_key(config, path, key, subschema(error)) for key in _extra_keys(error)]
    if keyword == "enum" and _accepted_anyway(error):
        return []
    message, code = _describe(error, config, path)
    line, column = config.position(path)
    severity = WARNING if _stored_anyway(error, path) else ERROR
    return [Problem(severity, path, message, line, column, code)]


def _stored_anyway(error: ValidationError, path: str) -> bool:
    """What Zenodo stores as written though it makes little sense: an empty version, a
    latitude or longitude out of range (its point schema checks no range;
    zenodo-deposit-rules.md §4)."""
    field = _field_name(path)
    if error.validator == "minLength" and field == "version":
        return True
    return error.validator in ("minimum", "maximum") and field in ("lat", "lon")


def _absent(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [name for name in expected(error) if name not in instance]


def _extra_keys(error: ValidationError) -> list[str]:
    allowed = subschema(error).get("properties", {})
    return [key for key in cast(Mapping[str, Any], error.instance) if key not in allowed]


def _accepted_anyway(error: ValidationError) -> bool:
    """Zenodo lower-cases relations, roles and date types, so any letter case passes."""
    value = error.instance
    if not isinstance(value, str) or not subschema(error).get("x-case-insensitive"):
        return False
    choices = {choice.lower() for choice in expected(error)}
    return value.lower() in choices or value in _TYPOS


def _missing(config: Document, parent: str, name: str, cause: str | None = None) -> Problem:
    """A missing field, on the line to change: the key whose value makes it required
    (`access_right: embargoed` for embargo_date), else the mapping that lacks it."""
    path = paths.join(parent, name)
    line, column = config.position(paths.join(parent, cause) if cause else parent)
    message = _REQUIRED.get(name, "missing: this field is required")
    return Problem(ERROR, path, message, line, column, "required")


def _required_because(error: ValidationError) -> str | None:
    """For a `required` of an if/then (the schema's conditional requirements), the key
    the `if` tests that the mapping holds; None for a field required everywhere."""
    where = list(error.absolute_schema_path)
    if where[-2:] != ["then", "required"]:
        return None
    node: Any = vocabularies.schema()
    for step in where[:-2]:
        node = node[step]
    instance = error.instance if isinstance(error.instance, dict) else {}
    tested = node.get("if", {}).get("properties", {}) if isinstance(node, dict) else {}
    return next((key for key in tested if key in instance), None)


def _unknown_key(config: Document, parent: str, key: str, schema: Mapping[str, Any]) -> Problem:
    path = paths.join(parent, key)
    line, column = config.key_position(path)
    allowed = sorted(schema.get("properties", {}))
    explanation = vocabularies.KEY_EXPLANATIONS.get(key)
    suggestion = vocabularies.suggest_key(key, allowed)
    elsewhere = suggest.places_of(key, vocabularies.schema(), _place(parent))
    if suggestion:
        advice = f"did you mean '{suggestion}'?"
    elif explanation:
        advice = explanation
    elif elsewhere:
        advice = f"it belongs {suggest.belongs(elsewhere)}"
    else:
        known = suggest.choices_text(key, allowed, "`zenodo-action schema` lists them all")
        advice = f"remove it, or use a key Zenodo knows here: {known}"
    message = f"unknown key; Zenodo would silently drop it: {advice}"
    # A misspelt field, or any unknown top-level key, loses what the user meant to say;
    # an extra key in an entry (a creator's `role`) is dropped and the rest published.
    severity = ERROR if suggestion or explanation or not parent else WARNING
    return Problem(severity, path, message, line, column, "unknown-key")


def _place(path: str) -> str:
    """`creators[0].affiliation` -> `creators[]`: a place in every document of the schema."""
    return re.sub(r"\[\d+\]", "[]", path)


def _describe(error: ValidationError, config: Document, path: str) -> tuple[str, str]:
    keyword = str(error.validator)
    value = error.instance
    field = _field_name(path)
    if keyword == "type":
        return _type_message(error, config, path), "type"
    if keyword == "enum":
        return _enum_message(field, value, expected(error)), "vocabulary"
    if keyword == "pattern":
        hint = subschema(error).get("patternErrorMessage", f"must match {expected(error)}")
        code = _PATTERN_CODES.get(field) or _date_code(field)
        return f"{quote_value(value)} is not valid: {hint}", code
    if keyword == "minLength":
        if expected(error) > 1:
            length = f"{quote_value(value)} is too short"
            return f"{length}: use at least {expected(error)} characters", "too-short"
        return "is empty; fill it in or remove the key", "empty-value"
    if keyword == "maxLength":
        return f"is longer than {expected(error)} characters", "too-long"
    if keyword == "minItems":
        return "is an empty list; add at least one entry", "empty-list"
    if keyword in ("minimum", "maximum"):
        low, high = subschema(error).get("minimum"), subschema(error).get("maximum")
        return f"{value} is out of range: {field} must be between {low} and {high}", "range"
    if keyword == "anyOf" and path.startswith("dates["):
        return "a date needs start, end or both (YYYY-MM-DD)", "required"
    return error.message, keyword


def _date_code(field: str) -> str:
    return (
        "date-format"
        if field in ("start", "end", "publication_date", "embargo_date")
        else "pattern"
    )


def _field_name(path: str) -> str:
    parts = [part for part in paths.split(path) if isinstance(part, str)]
    return parts[-1] if parts else "value"


def _type_message(error: ValidationError, config: Document, path: str) -> str:
    types = expected(error)
    types = [types] if isinstance(types, str) else list(types)
    wanted = " or ".join(_JSON_TYPES.get(name, name) for name in types if name != "null")
    value = error.instance
    if value is None:
        return "is empty; fill it in or remove the key"
    found = _kind(value)
    message = f"must be {wanted}, not {found}"
    raw = config.raw_text(path)
    if "string" in types and raw is not None and not isinstance(value, (dict, list)):
        message += f"; put the value in quotes: {quote_value(raw)}"
    elif "array" in types:
        message += "; write each entry on its own line starting with '- '"
    elif "object" in types and path.startswith(_PERSON_LISTS):
        message += "; write each person as `- name: 'Family, Given'`"
    return message


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"text ({quote_value(value)})"


# Values Zenodo's vocabulary holds under another name today.
_RENAMED = {"publication-thesis": "publication-dissertation"}


# Resource types Zenodo's vocabulary tags as link targets only, not "depositable": a
# related work may be one, a record may not (docs/reference/zenodo-deposit-rules.md §4).
_LINK_ONLY = ("project", "instrument")


def _enum_message(field: str, value: Any, choices: list[str]) -> str:
    message = f"{quote_value(value)} is not accepted by Zenodo as {field}"
    if field == "upload_type" and value in _LINK_ONLY:
        return (
            f"{message}: it is a type Zenodo only links to (a related identifier's "
            "resource_type), not one a record can have; use e.g. other, dataset or software"
        )
    renamed = _RENAMED.get(value) if isinstance(value, str) else None
    meant = renamed or (suggest.close(value, choices) if isinstance(value, str) else None)
    if meant:
        return f"{message}; did you mean '{meant}'?"
    everything = "`zenodo-action schema` lists them all"
    return f"{message}; accepted: {suggest.choices_text(str(value), choices, everything)}"


# --- rules beyond the schema -----------------------------------------------------------


Finding = tuple[str, str, str, str]  # (severity, path, message, code) of a rule's problem


def _rule_problems(config: Document, today: date) -> list[Problem]:
    data = config.data or {}
    found: list[Finding] = []
    for check in _RULES:
        found += check(data, today)
    found += [(ERROR, path, message, code) for path, message, code in values.unsendable(data)]
    problems = []
    for severity, path, message, code in found:
        line, column = config.position(_CAUSES.get(code, path))
        problems.append(Problem(severity, path, message, line, column, code))
    return problems


# Findings about a field another one asks for: annotated on that one, the line to change.
_CAUSES = {"missing-subtype": "upload_type"}


def _names(data: dict[str, Any], today: date) -> Iterator[Finding]:
    """Zenodo splits a name at its only comma; with nothing before it, or no name at all
    but blanks, the family name is blank, which it refuses at publish."""
    for key in _PERSON_LISTS:
        for path, person in paths.mappings_at(data, key):
            name = person.get("name")
            if not isinstance(name, str) or not name:
                continue  # the schema says so
            family = name.split(",")[0] if name.count(",") == 1 else name
            if not family.strip():
                message = (
                    f"{quote_value(name)} has no family name before its comma; Zenodo "
                    "refuses it ('Family name cannot be blank'): write 'Family, Given'"
                )
                yield ERROR, paths.join(path, "name"), message, "name-blank"


def _language(data: dict[str, Any], today: date) -> Iterator[Finding]:
    language = data.get("language")
    if not isinstance(language, str) or len(language) not in (2, 3):
        return  # the schema's pattern says what is wrong
    if vocabularies.language_id(language) is None:
        message = (
            f"{quote_value(language)} is no language in Zenodo's vocabulary (ISO 639-3, or "
            "a 2-letter ISO 639-1 code it maps): e.g. eng or en"
        )
        yield ERROR, "language", message, "vocabulary"


def _orcids(data: dict[str, Any], today: date) -> Iterator[Finding]:
    for key in _PERSON_LISTS:
        for path, person in paths.mappings_at(data, key):
            orcid = person.get("orcid")
            if isinstance(orcid, str) and orcid.strip():
                yield from _orcid(paths.join(path, "orcid"), orcid)
            gnd = person.get("gnd")
            if isinstance(gnd, str) and gnd.strip() and identifiers.stored_gnd(gnd) is None:
                message = (
                    f"{quote_value(gnd)} is not a GND number (e.g. 118540238 or 4022153-2, "
                    "optionally after gnd: or https://d-nb.info/gnd/); Zenodo fails on it "
                    "with an internal error"
                )
                yield ERROR, paths.join(path, "gnd"), message, "gnd-format"


def _orcid(path: str, orcid: str) -> Iterator[Finding]:
    """An error when Zenodo would refuse the iD, a warning when it repairs it
    (zenodo-api.md §11.1)."""
    stored = identifiers.stored_orcid(orcid)
    if stored is None:
        bare = identifiers.bare_orcid(orcid)
        if _ORCID_SHAPE.match(bare):
            message = (
                f"{quote_value(orcid)} fails the ORCID checksum; check the last digit (copy "
                "the iD from the person's ORCID page)"
            )
            yield ERROR, path, message, "orcid-checksum"
        else:
            message = (
                f"{quote_value(orcid)} is not valid: an ORCID iD looks like "
                "0000-0002-1825-0097: four groups of four digits (the last may be X)"
            )
            yield ERROR, path, message, "orcid-format"
    elif stored != identifiers.ORCID_URL.sub("", orcid):  # as written, spaces and all
        message = f"{quote_value(orcid)} is repaired by Zenodo and stored as {stored}; write that"
        yield WARNING, path, message, "orcid-repaired"


def _calendar_date(text: str) -> date | None:
    """The date a well-formed YYYY[-MM[-DD]] names (first day of a month/year), or None."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_fields(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("embargo_date",):
        if isinstance(data.get(key), str):
            yield key, data[key]
    publication = data.get("publication_date")
    if isinstance(publication, str):
        for part in publication.split("/", 1):
            yield "publication_date", part
    for path, item in paths.mappings_at(data, "dates"):
        for key in ("start", "end"):
            if isinstance(item.get(key), str):
                yield paths.join(path, key), item[key]


def _dates(data: dict[str, Any], today: date) -> Iterator[Finding]:
    for path, text in _date_fields(data):
        if _DATE.match(text) and _calendar_date(text) is None:
            message = f"{quote_value(text)} is not a real date; check the month and day"
            yield ERROR, path, message, "date-invalid"
    intervals = []
    publication = data.get("publication_date")
    if isinstance(publication, str) and "/" in publication:
        intervals.append(("publication_date", *publication.split("/", 1)))
    for path, item in paths.mappings_at(data, "dates"):
        if isinstance(item.get("start"), str) and isinstance(item.get("end"), str):
            intervals.append((path, item["start"], item["end"]))
    for path, start, end in intervals:
        first, last = _calendar_date(start), _calendar_date(end)
        if first and last and first > last:
            yield ERROR, path, f"start {start} is after end {end}", "date-order"


def _license(data: dict[str, Any], today: date) -> Iterator[Finding]:
    value = data.get("license")
    license_id = value.get("id") if isinstance(value, dict) else value
    path = "license.id" if isinstance(value, dict) else "license"
    if not isinstance(license_id, str) or not license_id.strip():
        return
    if not vocabularies.is_known_license(license_id):
        url_advice = suggest.license_url_advice(license_id)
        if url_advice:
            yield ERROR, path, url_advice, "license-unknown"
            return
        expression = suggest.license_expression(license_id)
        if expression:
            advice = suggest.license_expression_advice(license_id, expression)
            yield ERROR, path, advice, "license-unknown"
            return
        message = f"{quote_value(license_id)} is not a license id Zenodo knows"
        similar = suggest.licenses_like(license_id)
        if similar:
            message += "; did you mean " + " or ".join(f"'{s}'" for s in similar) + "?"
        else:
            message += "; use an SPDX id such as MIT, Apache-2.0, CC-BY-4.0 or CC0-1.0"
        yield ERROR, path, message, "license-unknown"


def _access(data: dict[str, Any], today: date) -> Iterator[Finding]:
    access = data.get("access_right", "open")
    embargo = data.get("embargo_date")
    if access == "embargoed" and isinstance(embargo, str):
        until = _calendar_date(embargo) if len(embargo) == 10 else None
        if until is not None and until <= today:
            message = (
                f"embargo date {embargo} is not in the future (today is {today.isoformat()}); "
                "Zenodo refuses to publish it: move the date or set access_right: open"
            )
            yield ERROR, "embargo_date", message, "embargo-past"
    if embargo is not None and access != "embargoed":
        message = f"is ignored because access_right is {quote_value(access)}, not 'embargoed'"
        yield WARNING, "embargo_date", message, "ignored-field"
    if "access_conditions" in data:
        message = (
            "is not stored by Zenodo today (its legacy API drops it); say how to ask for the "
            "files in the description"
        )
        yield WARNING, "access_conditions", message, "ignored-field"
    if "license" not in data and access in ("open", "embargoed"):
        default = "CC0-1.0" if data.get("upload_type") == "dataset" else "CC-BY-4.0"
        message = (
            f"no license: Zenodo will record {default}; set license (e.g. the one in your "
            "LICENSE file)"
        )
        yield WARNING, "license", message, "default-license"


def _subtypes(data: dict[str, Any], today: date) -> Iterator[Finding]:
    upload_type = data.get("upload_type")
    if not isinstance(upload_type, str):
        return
    for kind in ("publication", "image"):
        key = f"{kind}_type"
        if key in data and upload_type != kind:
            message = f"is ignored because upload_type is {quote_value(upload_type)}"
            yield WARNING, key, message, "ignored-field"
        if upload_type == kind and key not in data:
            message = f"upload_type is {kind!r} but {key} is missing; set it to be specific"
            yield WARNING, key, message, "missing-subtype"


def _relations(data: dict[str, Any], today: date) -> Iterator[Finding]:
    alternates: set[str] = set()  # Zenodo refuses one alternate identifier given twice
    for path, item in paths.mappings_at(data, "related_identifiers"):
        if item.get("relation") == "isAlternateIdentifier" and isinstance(
            item.get("identifier"), str
        ):
            stored = identifiers.stored_identifier(item["identifier"])
            if stored in alternates:
                message = (
                    f"{quote_value(item['identifier'])} is an alternate identifier already; "
                    "Zenodo refuses it twice ('Duplicated identifier entry is not allowed.')"
                )
                yield ERROR, paths.join(path, "identifier"), message, "duplicate-identifier"
            alternates.add(stored)
        relation = item.get("relation")
        if isinstance(relation, str) and relation in _TYPOS:  # a list is unhashable
            message = f"{relation!r} is a misspelling; write {_TYPOS[relation]!r}"
            yield WARNING, paths.join(path, "relation"), message, "misspelled"
        identifier = item.get("identifier")
        if not isinstance(identifier, str) or not identifier.strip():
            continue  # the schema says so
        where = paths.join(path, "identifier")
        if identifier.startswith("10.") and not _DOI.match(identifier.strip()):
            message = f"{quote_value(identifier)} is not a valid DOI (10.1234/abc, no spaces)"
            yield ERROR, where, message, "doi-syntax"
        elif not identifiers.has_zenodo_scheme(identifier):
            yield ERROR, where, _no_scheme_message(identifier), "identifier-scheme"


def _no_scheme_message(identifier: str) -> str:
    """Zenodo detects the scheme of a related identifier and refuses one without any it
    takes, with "No valid scheme recognized for identifier." (zenodo-deposit-rules.md §3)."""
    archived = identifiers.swh_archive_url(identifier)
    if archived:
        return (
            f"{quote_value(identifier)}: Zenodo takes no Software Heritage identifier "
            f"(it answers 'No valid scheme recognized for identifier.'); link the "
            f"archive's page: {archived}"
        )
    if identifiers.is_number_like(identifier):
        return (
            f"{quote_value(identifier)}: no check digit fits: it is no ISBN, ISSN or ISNI "
            "Zenodo recognises (it answers 'No valid scheme recognized for identifier.'); "
            "check the number, or the spaces around it"
        )
    return (
        f"{quote_value(identifier)}: Zenodo recognises no identifier scheme in it (it "
        "answers 'No valid scheme recognized for identifier.'); give a DOI, a full URL "
        "(https://...), a handle, an arXiv or PubMed id, an ISBN or a URN"
    )


# HTML fields: Zenodo sanitises them (zenodo-deposit-rules.md §5) and then wants 3 characters,
# markup and all, of a description, notes or method it stores (an empty notes or method it drops).
_HTML_FIELDS = ("description", "notes", "method")


def _texts(data: dict[str, Any], today: date) -> Iterator[Finding]:
    """What Zenodo would refuse or change in text as written: too short once trimmed and
    sanitised, blank keywords, and HTML it removes."""
    for key in _HTML_FIELDS:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            continue  # an empty description is the schema's to report
        stored = markup.as_zenodo_stores(value)
        if len(stored) < 3:
            message = (
                f"{quote_value(value)} is {len(stored)} characters as Zenodo keeps it; it "
                "refuses fewer than 3: write more, or remove it"
            )
            yield ERROR, key, message, "too-short"
        removed = markup.removed_tags(value)
        if removed:
            message = (
                f"Zenodo removes {', '.join(removed)} from the HTML it stores (their text "
                "stays); use the tags it keeps, such as <p>, <a>, <ul>, <em>, <strong>"
            )
            yield WARNING, key, message, "html-removed"
    title = data.get("title")
    if isinstance(title, str) and len(title) >= 3 and len(title.strip()) < 3:
        message = "is shorter than 3 characters without its spaces; Zenodo refuses it"
        yield ERROR, "title", message, "too-short"
    keywords = data.get("keywords")
    for index, keyword in enumerate(keywords if isinstance(keywords, list) else []):
        if isinstance(keyword, str) and keyword and not keyword.strip():
            message = "is blank; Zenodo refuses a blank keyword: remove it"
            yield ERROR, paths.join("keywords", index), message, "empty-value"


def _warnings(data: dict[str, Any], today: date) -> Iterator[Finding]:
    if isinstance(data.get("doi"), str):
        message = (
            "a DOI is committed in the file; each new version gets its own DOI from Zenodo, "
            "and reusing this one makes publishing fail: remove it"
        )
        yield WARNING, "doi", message, "doi-in-file"
    if "prereserve_doi" in data:
        message = "is ignored: Zenodo reserves the DOI itself; remove it"
        yield WARNING, "prereserve_doi", message, "ignored-field"
    if "version" in data:
        message = "is hard-coded and will go stale; leave it out, the release tag fills it in"
        yield WARNING, "version", message, "hard-coded-version"
    if "publication_date" in data:
        message = "is hard-coded and will go stale; leave it out, the release date fills it in"
        yield WARNING, "publication_date", message, "hard-coded-date"
    if "description" not in data:
        message = (
            "no description: Zenodo accepts the record, but it is hard to find; add a short "
            "abstract"
        )
        yield WARNING, "description", message, "missing-description"
    for path, creator in paths.mappings_at(data, "creators"):
        name = creator.get("name")
        if isinstance(name, str) and len(name.split()) > 1 and not _family_given(name):
            if name.count(",") == 1 and not name.split(",")[0].strip():
                continue  # no family name at all: `_names` reports it
            message = (  # one word (a handle) has nothing to split: no warning
                f"{quote_value(name)} is not in 'Family, Given' form (e.g. 'Doe, Jane'); "
                "Zenodo stores the whole name as the family name otherwise"
            )
            yield WARNING, paths.join(path, "name"), message, "name-format"


def _family_given(name: str) -> bool:
    if names.is_entity(name):
        return True  # an organisation: no family name to split
    parts = name.split(",")
    return len(parts) == 2 and all(part.strip() for part in parts)


Rule = Callable[[dict[str, Any], date], Iterator[Finding]]
_RULES: tuple[Rule, ...] = (
    _names,
    _language,
    _orcids,
    _dates,
    _license,
    _access,
    _subtypes,
    _relations,
    _texts,
    _warnings,
)
