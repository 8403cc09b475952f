"""CITATION.cff as a source of the record: its own checks, and its fields in Zenodo's terms.

The file is read by the same loader as `.zenodo.yml` (positions, duplicate keys, alias
bombs, encodings). `check` validates it against the official CFF JSON Schema of its
`cff-version` (shipped in data/, see data/README.md) and adds the rules that make Zenodo's
publish fail: an author without a family or entity name, an ORCID Zenodo cannot read, a
date that does not exist. `to_zenodo` maps it; the README's mapping table documents every
key, including the ones dropped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from zenodo_action.metadata import identifiers, markup, paths, suggest
from zenodo_action.metadata.loader import Config
from zenodo_action.metadata.mapped import Link, Mapped, repository_link, work_link
from zenodo_action.metadata.people import Person, orcid_problem, zenodo_creator
from zenodo_action.metadata.problems import (
    ERROR,
    NOTICE,
    WARNING,
    Problem,
    quote_value,
    sort_problems,
)
from zenodo_action.metadata.validate import expected, subschema

if TYPE_CHECKING:
    from jsonschema import Draft7Validator, ValidationError

FILE_NAME = "CITATION.cff"
SCHEMA_VERSION = "1.2.0"
# Every key and value of CFF 1.2.0, explained (a long list of them is shortened to a few).
GUIDE = "https://github.com/citation-file-format/citation-file-format/blob/1.2.0/schema-guide.md"
# CFF 1.3.0 is unreleased (its schema exists only on the project's development branch):
# such files are checked against 1.2.0, with the 1.3 additions accepted where they sit.
ACCEPTED_1_3_KEYS = {"": ("contributors",), "entity": ("affiliation", "ror")}
_PERSON_KEYS = ("authors", "contact", "contributors")

# CFF keys -> the record's field their values become (the README's mapping table). A
# problem in a key that feeds none, or in a part of an entry no field comes from (a
# reference's authors), changes nothing on Zenodo: a warning (docs/reference/
# zenodo-deposit-rules.md §1: the webhook's own CFF reader ignores every other key).
_FEEDS = {
    "title": "title",
    "authors": "creators",
    "abstract": "description",
    "keywords": "keywords",
    "license": "license",
    "type": "upload_type",
    "version": "version",
    "date-released": "publication_date",
    "doi": "related_identifiers",
    "identifiers": "related_identifiers",
    "repository-code": "related_identifiers",
    "references": "related_identifiers",
    "preferred-citation": "related_identifiers",
    "contact": "contributors",
    "contributors": "contributors",
}
_ENTRY_KEYS = {  # inside the entries of these lists, the keys a field comes from
    "authors": {"family-names", "given-names", "name", "name-particle", "name-suffix"}
    | {"orcid", "affiliation"},
    "references": {"doi", "identifiers", "type"},
    "preferred-citation": {"doi", "identifiers", "type"},
    "identifiers": {"type", "value"},
}
_ENTRY_KEYS["contact"] = _ENTRY_KEYS["contributors"] = _ENTRY_KEYS["authors"]
# Where a problem stops the run when CITATION.cff gives the field: what Zenodo would
# refuse, or store otherwise than written. A related identifier the tool cannot use is
# left out (and what it sends is checked on the merged record), so its problems warn.
_DECISIVE = frozenset(
    {"title", "creators", "contributors", "description", "license", "publication_date", "version"}
)

# CFF reference types -> Zenodo resource types, for related identifiers.
_RESOURCE_TYPES = {
    "article": "publication-article",
    "magazine-article": "publication-article",
    "newspaper-article": "publication-article",
    "book": "publication-book",
    "conference-paper": "publication-conferencepaper",
    "proceedings": "publication-conferencepaper",
    "report": "publication-report",
    "thesis": "publication-dissertation",  # Zenodo's vocabulary has no publication-thesis
    "manual": "publication-softwaredocumentation",
    "patent": "publication-patent",
    "software": "software",
    "software-code": "software",
    "software-container": "software",
    "software-executable": "software",
    "software-virtual-machine": "software",
    "data": "dataset",
    "database": "dataset",
}


# --- checking the file -----------------------------------------------------------------


def check(config: Config, *, today: date | None = None) -> list[Problem]:
    """The file's own problems: loading, the CFF schema, and Zenodo's failure causes."""
    problems = list(config.problems)
    if isinstance(config.data, dict):
        version = str(config.data.get("cff-version") or "")
        problems += _version_problems(config, version)
        problems += _schema_problems(config, version)
        problems += _rule_problems(config)
    return sort_problems(problems)


def zenodo_field(path: str) -> str:
    """The record's top-level field the value at a CFF path becomes, "" for none."""
    parts = paths.split(path)
    top = str(parts[0]) if parts else ""
    field = _FEEDS.get(top, "")
    keys = [part for part in parts[1:] if isinstance(part, str)]
    if field and keys and top in _ENTRY_KEYS and keys[0] not in _ENTRY_KEYS[top]:
        return ""
    return field


def _settle(problem: Problem, decisive: bool = True) -> Problem:
    """The problem about the field its value feeds; an error only where that matters."""
    field = zenodo_field(problem.path)
    severity = problem.severity
    if severity == ERROR and not (decisive and field in _DECISIVE):
        severity = WARNING
    return dataclasses.replace(problem, severity=severity, about=field)


def _version_problems(config: Config, version: str) -> list[Problem]:
    line, column = config.position("cff-version")
    if version == SCHEMA_VERSION or not version:
        return []  # a missing cff-version is the schema's error
    if version == "1.3.0":
        message = (
            "1.3.0 is not released yet; checked against 1.2.0, with the 1.3 keys "
            "contributors, and affiliation and ror on entities, accepted"
        )
        return [Problem(NOTICE, "cff-version", message, line, column, "cff-version")]
    message = (
        f"{quote_value(version)}: this tool checks CFF {SCHEMA_VERSION} (the current "
        "release, and the one GitHub's 'Cite this repository' reads); the file is checked "
        f"as {SCHEMA_VERSION}: update cff-version"
    )
    return [Problem(WARNING, "cff-version", message, line, column, "cff-version")]


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    import json

    text = resources.files(__package__).joinpath("data/cff-1.2.0.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    # jsonschema is imported only when a CFF file is validated (see validate.py).
    from jsonschema import Draft7Validator

    return Draft7Validator(schema())


def _schema_problems(config: Config, version: str) -> list[Problem]:
    data = dict(config.data or {})
    data["cff-version"] = SCHEMA_VERSION  # the version itself was judged above
    found: dict[tuple[str, str], Problem] = {}
    for error in _validator().iter_errors(data):
        for problem in _translate(_most_relevant(error), config, version):
            found.setdefault((problem.path, problem.code), problem)
    return list(found.values())


def _most_relevant(error: ValidationError) -> ValidationError:
    """For a value valid under none of several shapes (a person or an entity; one licence
    or a list), the error of the shape that was meant: the one of the value's JSON type,
    and for an author with a `name`, the entity."""
    branches = subschema(error).get(str(error.validator))
    if error.validator not in ("anyOf", "oneOf") or not error.context or not branches:
        return error
    meant = _meant_branch([_resolve(branch) for branch in branches], error.instance)
    chosen = [sub for sub in error.context if sub.relative_schema_path[0] == meant]
    if not chosen:
        return error
    from jsonschema.exceptions import best_match

    return _most_relevant(best_match(chosen))


def _meant_branch(branches: list[Mapping[str, Any]], instance: Any) -> int:
    definitions = schema()["definitions"]
    kind = "entity" if isinstance(instance, dict) and "name" in instance else "person"
    fitting = [i for i, branch in enumerate(branches) if _fits_type(branch, instance)]
    for index in fitting:
        if branches[index] is definitions.get(kind):
            return index
    return fitting[0] if fitting else 0


def _resolve(branch: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = str(branch.get("$ref", ""))
    if ref.startswith("#/definitions/"):
        resolved: Mapping[str, Any] = schema()["definitions"][ref.rsplit("/", 1)[1]]
        return resolved
    return branch


def _fits_type(branch: Mapping[str, Any], instance: Any) -> bool:
    kinds = {"object": dict, "array": list, "string": str}
    declared = branch.get("type")
    return declared not in kinds or isinstance(instance, kinds[declared])


def _branch_is(error: ValidationError, kind: str) -> bool:
    """Whether an error is about an object checked against `person` or `entity`."""
    properties = schema()["definitions"].get(kind, {}).get("properties", {})
    return bool(properties) and subschema(error).get("properties") == properties


def _translate(error: ValidationError, config: Config, version: str) -> list[Problem]:
    path = paths.build(list(error.absolute_path))
    keyword = error.validator
    if keyword == "additionalProperties":
        return _unknown_keys(error, config, path, version)
    line, column = config.position(path)
    if keyword == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        # A field missing from the file is judged on the merged record (another file or a
        # release may give it), a key missing inside an entry changes nothing on Zenodo.
        return [
            _settle(
                Problem(
                    ERROR,
                    paths.join(path, name),
                    f"missing: {_required_hint(name)}",
                    line,
                    column,
                    "required",
                ),
                decisive=False,
            )
            for name in expected(error)
            if name not in present
        ]
    if _field(path) == "orcid" and _looks_like_orcid(error.instance):
        return []  # `_orcids` says how Zenodo reads it
    message = _message(error, config, path)
    problem = Problem(ERROR, path, message, line, column, f"cff-{keyword}")
    return [_settle(problem, decisive=not _tolerated(path, str(keyword), error.instance))]


def _tolerated(path: str, keyword: str, value: Any) -> bool:
    """What breaks the CFF schema but reaches Zenodo as meant: Zenodo reads a bare ORCID
    (idutils), the tool turns a `git+https://` repository into its web page, finds the
    DOI in a doi.org URL, sends numbers among keywords as text, and Zenodo knows more
    licence ids than SPDX's list. An empty value is simply not sent."""
    field = _field(path)
    if keyword == "minLength" or (isinstance(value, str) and not value.strip()):
        return True  # an empty value is not sent
    if not isinstance(value, str):
        return keyword == "type" and _field_of_list(path) == "keywords" and _is_number(value)
    if field == "repository-code":
        return identifiers.web_url(value).startswith(("https://", "http://"))
    if field in ("doi", "value"):
        return identifiers.doi_of(value) is not None
    if field == "license" or _field_of_list(path) == "license":
        from zenodo_action.metadata.vocabularies import is_known_license

        return is_known_license(identifiers.spdx_of(value))
    return False


def _field_of_list(path: str) -> str:
    """The key of the list an item belongs to (`keywords[2]` -> keywords)."""
    parts = paths.split(path)
    return str(parts[-2]) if len(parts) > 1 and isinstance(parts[-1], int) else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unknown_keys(error: ValidationError, config: Config, path: str, version: str) -> list[Problem]:
    allowed = sorted(subschema(error).get("properties", {}))
    present = error.instance if isinstance(error.instance, dict) else {}
    extra = [key for key in present if key not in allowed]
    return [
        _unknown_key(config, path, key, allowed)
        for key in extra
        if not _accepted_in_1_3(path, key, version, error)
    ]


def _unknown_key(config: Config, parent: str, key: str, allowed: list[str]) -> Problem:
    """Zenodo never reads an unknown key: a warning, unless it is a misspelling of a key a
    field comes from (`licence`), whose value the record then lacks."""
    path = paths.join(parent, key)
    line, column = config.key_position(path)
    here = re.sub(r"\[\d+\]", "[]", parent)  # `references[2]` -> `references[]`
    meant = suggest.close(key, allowed)
    elsewhere = suggest.places_of(key, schema(), here)
    if meant:
        advice = f"did you mean '{meant}'?"
    elif elsewhere:
        where = "at the top level" if not here else "here"
        advice = f"not a key {where}: it belongs {suggest.belongs(elsewhere)}"
    else:
        advice = "allowed here: " + suggest.choices_text(key, allowed, GUIDE)
    message = f"unknown key in CFF {SCHEMA_VERSION}; {advice}"
    field = zenodo_field(paths.join(parent, meant)) if meant else ""
    severity = ERROR if field in _DECISIVE else WARNING
    return Problem(severity, path, message, line, column, "cff-unknown-key", field)


def _accepted_in_1_3(path: str, key: str, version: str, error: ValidationError) -> bool:
    if version != "1.3.0":
        return False
    if path == "":
        return key in ACCEPTED_1_3_KEYS[""]
    return _branch_is(error, "entity") and key in ACCEPTED_1_3_KEYS["entity"]


def _required_hint(name: str) -> str:
    hints = {
        "authors": "list the authors, e.g. `- family-names: Doe` / `given-names: Jane`",
        "title": "the title of the software or data set",
        "message": "a sentence asking users to cite, e.g. 'If you use this software, please "
        "cite it using these metadata.'",
        "cff-version": "add `cff-version: 1.2.0` as the first line",
    }
    return hints.get(name, f"{name} is required")


def _message(error: ValidationError, config: Config, path: str) -> str:
    keyword = error.validator
    value = error.instance
    field = _field(path)
    if keyword == "pattern" and field == "orcid" and isinstance(value, str):
        return f"{quote_value(value)} is not valid: {_orcid_hint(value)}"
    if keyword == "pattern":
        return f"{quote_value(value)} is not valid: {_pattern_hint(field, str(expected(error)))}"
    if keyword in ("enum", "oneOf") and field == "license":
        written = value if isinstance(value, str) else ""
        expression = suggest.license_expression(written)
        if expression:
            return suggest.license_expression_advice(written, expression, listed=True)
        return f"{quote_value(value)} is not an SPDX license id{_license_advice(value)}"
    if keyword == "enum":
        choices = [str(choice) for choice in expected(error)]
        meant = suggest.close(str(value), choices)
        if meant:
            return f"{quote_value(value)} is not an allowed value; did you mean '{meant}'?"
        allowed = suggest.choices_text(str(value), choices, GUIDE)
        return f"{quote_value(value)} is not one of: {allowed}"
    if keyword == "type":
        raw = config.raw_text(path)
        quotable = raw is not None and "string" in str(expected(error))
        quote = f"; put it in quotes: {quote_value(raw)}" if quotable else ""
        return f"must be {expected(error)}, not {_json_kind(value)}{quote}"
    if keyword == "minLength":
        return "is empty; fill it in or remove the key"
    if keyword == "minItems":
        return "is an empty list; add at least one entry or remove the key"
    if keyword == "uniqueItems":
        return f"lists the same entry twice: {_repeated(value)}"
    return error.message


def _json_kind(value: Any) -> str:
    if value is None:  # `key:` or `key: ~`, YAML's null
        return "null"
    kinds = {dict: "a mapping", list: "a list", str: "text", bool: "true/false"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), "a number")


def _repeated(items: Any) -> str:
    """Which entries of a list repeat an earlier one (1-based, as people count)."""
    if not isinstance(items, list):
        return "an entry"
    seen: list[Any] = []
    repeats = []
    for number, item in enumerate(items, start=1):
        if item in seen:
            repeats.append(f"entry {number} repeats entry {seen.index(item) + 1}")
        seen.append(item)
    return ", ".join(repeats[:5]) + (f" and {len(repeats) - 5} more" if len(repeats) > 5 else "")


def _field(path: str) -> str:
    parts = [part for part in paths.split(path) if isinstance(part, str)]
    return parts[-1] if parts else ""


def _orcid_hint(value: str) -> str:
    """CFF writes an ORCID as a URL: the user's own iD as that URL, when it is one."""
    stored = identifiers.stored_orcid(value)
    if stored:
        return f"an ORCID in CFF is a URL: write https://orcid.org/{stored}"
    return (
        "an ORCID in CFF is a URL with four groups of four digits (the last may be X), "
        "such as https://orcid.org/0000-0002-1825-0097"
    )


def _pattern_hint(field: str, pattern: str) -> str:
    hints = {
        "doi": "a bare DOI such as 10.5281/zenodo.1003150, without https://doi.org/",
        "date-released": "a date such as 2021-07-18",
        "date-start": "a date such as 2021-07-18",
        "date-end": "a date such as 2021-07-18",
        "url": "a URL starting with https://",
        "repository-code": "a URL starting with https://",
        "repository": "a URL starting with https://",
        "repository-artifact": "a URL starting with https://",
        "license-url": "a URL starting with https://",
        "cff-version": "write cff-version: 1.2.0",
    }
    return hints.get(field, f"must match {pattern}")


def _license_advice(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    similar = suggest.licenses_like(value)
    return f"; did you mean {similar[0]}?" if similar else " (see https://spdx.org/licenses/)"


def _rule_problems(config: Config) -> list[Problem]:
    data = config.data or {}
    found = list(_authors_have_names(data))
    found += list(_orcids(data))
    found += list(_dates(data))
    problems = []
    for problem in found:
        line, column = config.position(problem.path)
        problems.append(_settle(dataclasses.replace(problem, line=line, column=column)))
    return problems


def _people(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key in _PERSON_KEYS:
        yield from paths.mappings_at(data, key)


def _authors_have_names(data: Mapping[str, Any]) -> Iterator[Problem]:
    for path, person in _people(data):
        if not path.startswith("authors"):
            continue
        if _text(person.get("family-names")) or _text(person.get("name")):
            continue
        given = _text(person.get("given-names"))
        if given:
            # Zenodo's own CFF reader takes the given names as the name (family or given)
            message = (
                f"has given-names only: Zenodo stores {quote_value(given)} as the family name; "
                "add family-names (or name, for an entity)"
            )
            yield Problem(WARNING, path, message, code="given-names-only")
        else:
            message = (
                "has neither family-names (a person) nor name (an entity, e.g. a team); "
                "Zenodo refuses it with 'Family name cannot be blank'"
            )
            yield Problem(ERROR, path, message, code="author-name")


def _orcids(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Every person's ORCID as Zenodo reads it (the schema's pattern only knows the URL):
    a bare or spaced iD is a warning showing the URL to write, a wrong one an error."""
    for path, person in _people(data):
        orcid = person.get("orcid")
        if not isinstance(orcid, str) or not _looks_like_orcid(orcid):
            continue  # none, or something else entirely: the schema's pattern says so
        where = paths.join(path, "orcid")
        if problem := orcid_problem(orcid, where, any_url=False, convention="CFF wants the URL"):
            yield problem


def _looks_like_orcid(value: Any) -> bool:
    """16 digits (the last may be X), with any ORCID URL prefix, hyphens and spaces."""
    if not isinstance(value, str):
        return False
    compact = identifiers.ANY_ORCID_URL.sub("", value.strip()).replace("-", "").replace(" ", "")
    return re.fullmatch(r"[0-9]{15}[0-9Xx]", compact) is not None


def _dates(data: Mapping[str, Any]) -> Iterator[Problem]:
    for path, value in _date_values(data):
        # a date of another shape is the schema's to report
        if identifiers.DATE.match(value) and identifiers.real_date(value) is None:
            message = f"{quote_value(value)} is not a date that exists"
            yield Problem(ERROR, path, message, code="date-invalid")


def _date_values(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if isinstance(data.get("date-released"), str):
        yield "date-released", data["date-released"]
    for key in ("preferred-citation",):
        item = data.get(key)
        if isinstance(item, dict):
            for name in ("date-released", "date-published", "date-accessed"):
                if isinstance(item.get(name), str):
                    yield paths.join(key, name), item[name]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- mapping to Zenodo -----------------------------------------------------------------


def to_zenodo(config: Config) -> Mapped:
    """The record's fields the file sets, with the CFF path each value came from."""
    mapped = Mapped()
    if not isinstance(config.data, dict):
        return mapped
    data = config.data
    if _text(data.get("title")):
        mapped.set("title", data["title"].strip(), "title")
    _map_people(mapped, data, "authors", "creators")
    if _text(data.get("abstract")):
        mapped.set("description", markup.paragraphs(data["abstract"]), "abstract")
    _map_keywords(mapped, data)
    _map_license(mapped, config, data)
    if data.get("type") in ("software", "dataset"):
        mapped.set("upload_type", data["type"], "type")
    elif "type" not in data:
        mapped.set("upload_type", "software", "")  # CFF's default type
    version = config.raw_text("version") if data.get("version") is not None else None
    if version and version.strip():
        mapped.set("version", version.strip(), "version")
    if isinstance(data.get("date-released"), str) and identifiers.real_date(data["date-released"]):
        mapped.set("publication_date", data["date-released"], "date-released")
    _map_related(mapped, data)
    _map_contacts(mapped, data)
    return mapped


def _map_people(mapped: Mapped, data: Mapping[str, Any], key: str, target: str) -> None:
    creators: list[dict[str, Any]] = []
    origins: list[str] = []
    for path, person in paths.mappings_at(data, key):
        if creator := zenodo_creator(_person(person)):
            creators.append(creator)
            origins.append(path)
    if creators:
        mapped.set_list(target, creators, origins, [_person_origins(data, o) for o in origins])


def _person_origins(data: Mapping[str, Any], path: str) -> dict[str, str]:
    """Where a creator's name, ORCID and affiliation are written in the CFF."""
    key, index = paths.split(path)
    person = data[str(key)][int(index)]
    name_key = "family-names" if "family-names" in person else "name"
    sources = (("name", name_key), ("orcid", "orcid"), ("affiliation", "affiliation"))
    return {name: paths.join(path, source) for name, source in sources if source in person}


def _person(entry: Mapping[str, Any]) -> Person:
    """A CFF person or entity (an entity has `name`), in the parts a creator is made of."""
    orcid = entry.get("orcid")
    return Person(
        family=_text(entry.get("family-names")),
        given=_text(entry.get("given-names")),
        particle=_text(entry.get("name-particle")),
        suffix=_text(entry.get("name-suffix")),
        name=_text(entry.get("name")),
        affiliation=_text(entry.get("affiliation")),
        orcid=orcid if isinstance(orcid, str) else "",
    )


def _map_keywords(mapped: Mapped, data: Mapping[str, Any]) -> None:
    keywords = data.get("keywords")
    if isinstance(keywords, list):
        kept = [
            (str(k).strip(), i)
            for i, k in enumerate(keywords)
            if isinstance(k, (str, int, float)) and not isinstance(k, bool) and str(k).strip()
        ]
        if kept:
            origins = [paths.join("keywords", i) for _, i in kept]
            mapped.set_list("keywords", [k for k, _ in kept], origins)


def _map_license(mapped: Mapped, config: Config, data: Mapping[str, Any]) -> None:
    """The SPDX id, also from a licence URL written where the id belongs."""
    value = data.get("license")
    if isinstance(value, str) and value.strip():
        mapped.set("license", identifiers.spdx_of(value), "license")
    elif isinstance(value, list) and value and isinstance(value[0], str):
        first = identifiers.spdx_of(value[0])
        mapped.set_license(first, "license[0]", value[1:], config.position("license"))


def _map_related(mapped: Mapped, data: Mapping[str, Any]) -> None:
    """The work's own DOIs and identifiers (see `mapped.work_link`), the code repository,
    the works it references, and the one it asks to be cited instead."""
    related: list[tuple[dict[str, Any], str]] = []
    if isinstance(data.get("doi"), str):
        related += _work_identifier(data["doi"], "doi", "doi")
    for index, item in enumerate(_list(data.get("identifiers"))):
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            origin = paths.join(paths.join("identifiers", index), "value")
            related += _work_identifier(item["value"], str(item.get("type", "")), origin)
    if _text(data.get("repository-code")):
        related.append(repository_link(data["repository-code"], "repository-code"))
    for index, reference in enumerate(_list(data.get("references"))):
        related += _cited(reference, "references", paths.join("references", index))
    related += _cited(data.get("preferred-citation"), "isDocumentedBy", "preferred-citation")
    mapped.set_related(related)


def _work_identifier(value: str, kind: str, origin: str) -> list[Link]:
    if kind == "doi":
        doi = identifiers.doi_of(value)
        return work_link(doi, origin) if doi else []
    if kind in ("url", "swh") and value.strip():
        return work_link(value.strip(), origin)
    return []  # `other`: no scheme Zenodo could resolve


def _cited(reference: Any, relation: str, origin: str) -> list[tuple[dict[str, Any], str]]:
    if not isinstance(reference, dict):
        return []
    doi = reference.get("doi")
    where = paths.join(origin, "doi")
    if not isinstance(doi, str):
        doi, where = _identifier_doi(reference, origin)
    doi = identifiers.doi_of(doi) if isinstance(doi, str) else None
    if doi is None:
        return []
    item: dict[str, Any] = {"identifier": doi, "relation": relation}
    resource_type = _RESOURCE_TYPES.get(str(reference.get("type", "")))
    if resource_type:
        item["resource_type"] = resource_type
    return [(item, where)]


def _identifier_doi(reference: Mapping[str, Any], origin: str) -> tuple[str | None, str]:
    for index, item in enumerate(_list(reference.get("identifiers"))):
        if isinstance(item, dict) and item.get("type") == "doi":
            return item.get("value"), paths.join(
                paths.join(paths.join(origin, "identifiers"), index), "value"
            )
    return None, origin


def _map_contacts(mapped: Mapped, data: Mapping[str, Any]) -> None:
    """`contact` becomes contributors of type ContactPerson; 1.3's `contributors` become
    contributors of type Other (CFF gives them no role)."""
    contributors: list[dict[str, Any]] = []
    origins: list[str] = []
    for key, role in (("contact", "ContactPerson"), ("contributors", "Other")):
        for path, person in paths.mappings_at(data, key):
            if entry := zenodo_creator(_person(person)):
                contributors.append({**entry, "type": role})
                origins.append(path)
    if contributors:
        suborigins = [_person_origins(data, origin) for origin in origins]
        mapped.set_list("contributors", contributors, origins, suborigins)
