"""codemeta.json as a source of the record: its own checks, and its terms in Zenodo's terms.

codemeta 2.0 and 3.x are JSON-LD documents with schema.org and codemeta terms. The file is
read by the same loader as `.zenodo.json` (strict JSON, positions for every value, size
and depth limits); its terms are read by name, as the codemeta contexts define them, with
the forms JSON-LD allows around a value: one value or a list, `{"@list": [...]}` and
`{"@set": [...]}`, `{"@value": ...}`, `id`/`type` for `@id`/`@type`, and a node given
by reference (`{"@id": ...}`) to where the same `@id` is written out in full.

`check` reports the file's own problems: loading, a top level that is not an object, a
`@context` that is not codemeta's, ORCIDs Zenodo cannot read, dates that are not dates,
people without a name. `to_zenodo` maps the terms Zenodo has a field for and notes what
the mapping could not carry (several licences or affiliations, funding that is not a
Zenodo grant). docs/codemeta-mapping.md documents every term read and every term dropped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from zenodo_action.metadata import identifiers, markup, paths
from zenodo_action.metadata.loader import Config
from zenodo_action.metadata.mapped import Mapped, repository_link, work_link
from zenodo_action.metadata.people import Person, orcid_problem, zenodo_creator
from zenodo_action.metadata.problems import (
    ERROR,
    NOTICE,
    WARNING,
    Problem,
    quote_value,
    sort_problems,
)

FILE_NAME = "codemeta.json"
# The contexts read, as codemeta publishes them; other spellings of the same documents
# are in _CONTEXT_SPELLINGS.
CONTEXTS = (
    "https://doi.org/10.5063/schema/codemeta-2.0",
    "https://w3id.org/codemeta/3.0",
    "https://w3id.org/codemeta/3.1",
)
_CONTEXT_SPELLINGS = {
    "doi.org/10.5063/schema/codemeta-2.0": "2.0",
    "dx.doi.org/10.5063/schema/codemeta-2.0": "2.0",
    "raw.githubusercontent.com/codemeta/codemeta/2.0/codemeta.jsonld": "2.0",
    "w3id.org/codemeta/3.0": "3.0",
    "raw.githubusercontent.com/codemeta/codemeta/3.0/codemeta.jsonld": "3.0",
    "w3id.org/codemeta/3.1": "3.1",
    "raw.githubusercontent.com/codemeta/codemeta/3.1/codemeta.jsonld": "3.1",
}
_CONTEXT = paths.join("", "@context")  # ["@context"]
_FUNDER_PREFIX = "10.13039/"  # Crossref Funder Registry: the funder ids Zenodo's grants use
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DATE_TIME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]")
_BARE_ORCID = re.compile(r"^[0-9]{4}-?[0-9]{4}-?[0-9]{4}-?[0-9]{3}[0-9Xx]$")
_GRANT_ID = re.compile(r"^(\S+?)::(.+)$")
_SCHEMA_PREFIX = re.compile(r"^(?:schema:|sdo:|codemeta:|https?://schema\.org/)", re.IGNORECASE)

# Terms naming people or organizations, and what they become. `creator` (codemeta 2.0)
# is read only when there is no `author`.
_CREATOR_TERMS = ("author", "creator")
_CONTRIBUTOR_TERMS = (
    ("contributor", "Other"),
    ("maintainer", "ContactPerson"),
    ("copyrightHolder", "RightsHolder"),
    ("editor", "Editor"),
    ("producer", "Producer"),
    ("sponsor", "Sponsor"),
)
_PEOPLE_TERMS = _CREATOR_TERMS + tuple(term for term, _ in _CONTRIBUTOR_TERMS)
_UPLOAD_TYPES = {
    "SoftwareSourceCode": "software",
    "SoftwareApplication": "software",
    "Dataset": "dataset",
}
# schema.org types of cited works -> Zenodo resource types, for related identifiers.
_RESOURCE_TYPES = {
    "ScholarlyArticle": "publication-article",
    "Article": "publication-article",
    "Book": "publication-book",
    "Chapter": "publication-section",
    "Thesis": "publication-dissertation",  # Zenodo's vocabulary has no publication-thesis
    "Report": "publication-report",
    "SoftwareSourceCode": "software",
    "SoftwareApplication": "software",
    "Dataset": "dataset",
}

Found = tuple[str, str, str, str]  # severity, path, message, code
Index = dict[str, tuple[str, dict[str, Any]]]  # @id -> (path, node) where it is written out


# --- reading JSON-LD values --------------------------------------------------------------


def _items(value: Any, path: str) -> list[tuple[str, Any]]:
    """A term's values with their paths: one value, a list, `{"@list": [...]}` (codemeta
    2.0's ordered lists) or `{"@set": [...]}`; a list item that is itself such a wrapper
    is opened too."""
    if value is None:
        return []
    if isinstance(value, list):
        found: list[tuple[str, Any]] = []
        for index, item in enumerate(value):
            item_path = paths.join(path, index)
            if _wrapper(item):
                found += _unwrapped(item, item_path)
            elif item is not None:
                found.append((item_path, item))
        return found
    if _wrapper(value):
        return _unwrapped(value, path)
    return [(path, value)]


def _wrapper(value: Any) -> bool:
    return isinstance(value, dict) and ("@list" in value or "@set" in value)


def _unwrapped(value: dict[str, Any], path: str) -> list[tuple[str, Any]]:
    key = "@list" if "@list" in value else "@set"
    inner, inner_path = value[key], paths.join(path, key)
    if isinstance(inner, list):
        return [(paths.join(inner_path, i), v) for i, v in enumerate(inner) if v is not None]
    return [] if inner is None else [(inner_path, inner)]


def _literal(value: Any, path: str) -> tuple[Any, str]:
    """`{"@value": x}` as x (with its path); any other value as it is."""
    if isinstance(value, dict) and "@value" in value:
        return value["@value"], paths.join(path, "@value")
    return value, path


def _property_value(value: Any, path: str) -> tuple[Any, str]:
    """A PropertyValue (`{"propertyID": "DOI", "value": ...}`) as its value; else as is."""
    if isinstance(value, dict) and "@value" not in value and "value" in value:
        return value["value"], paths.join(path, "value")
    return value, path


def _text(value: Any) -> str:
    value, _ = _literal(value, "")
    return value.strip() if isinstance(value, str) else ""


def _first_text(data: Mapping[str, Any], key: str) -> tuple[str, str] | None:
    """The first text value of a term, and its path."""
    for path, item in _items(data.get(key), key):
        value, where = _literal(item, path)
        if isinstance(value, str) and value.strip():
            return value.strip(), where
    return None


def _scalar_text(config: Config, value: Any, path: str) -> str:
    """Text or a number as written (a version 1.10 stays "1.10")."""
    value, path = _literal(value, path)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = config.raw_text(path)
        return raw.strip() if raw and raw.strip() else str(value)
    return ""


def _key(node: Mapping[str, Any], name: str) -> str | None:
    """`@id`/`@type` or their codemeta aliases `id`/`type`: the key the node uses."""
    for key in (f"@{name}", name):
        if key in node:
            return key
    return None


def _node_id(node: Mapping[str, Any]) -> str:
    key = _key(node, "id")
    return _text(node[key]) if key else ""


def _types(node: Mapping[str, Any], path: str = "") -> list[tuple[str, str]]:
    """The node's types without their schema.org prefix, with the path of each."""
    key = _key(node, "type")
    if key is None:
        return []
    found = []
    for where, value in _items(node[key], paths.join(path, key)):
        if isinstance(value, str) and value.strip():
            found.append((_SCHEMA_PREFIX.sub("", value.strip()), where))
    return found


def _is(node: Mapping[str, Any], kind: str) -> bool:
    return any(name == kind for name, _ in _types(node))


def _index(data: Mapping[str, Any]) -> Index:
    """Every node written out with an `@id` (more than a bare reference), first one wins:
    JSON-LD lets a file name a node by its `@id` anywhere else."""
    index: Index = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            node_id = _node_id(value)
            content = [key for key in value if key not in ("@id", "id", "@type", "type")]
            if node_id and content and node_id not in index:
                index[node_id] = (path, value)
            children = [(paths.join(path, str(k)), v) for k, v in value.items()]
        elif isinstance(value, list):
            children = [(paths.join(path, i), v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))  # document order: the first definition wins
    return index


def _resolve(value: Any, path: str, index: Index) -> tuple[str, Any]:
    """A reference (`"@id"` string or `{"@id": ...}` alone) as the node it names, with
    the path where that node is written; any other value as it is."""
    if isinstance(value, str):
        found = index.get(value.strip())
        return found if found else (path, value)
    if isinstance(value, dict):
        content = [key for key in value if key not in ("@id", "id", "@type", "type")]
        found = index.get(_node_id(value)) if not content else None
        if found:
            return found
    return path, value


# --- people ------------------------------------------------------------------------------


def _agents(data: Mapping[str, Any], term: str, index: Index) -> list[tuple[str, str, Any]]:
    """The people and organizations of a term: (path of the entry, path where the agent is
    written, the agent). A Role (codemeta 3) stands for the agent it qualifies; an agent
    listed twice under the same term (a person, then a Role naming them) counts once."""
    found: list[tuple[str, str, Any]] = []
    seen: set[str] = set()
    for entry_path, item in _items(data.get(term), term):
        where, agent = _resolve(item, entry_path, index)
        agent, where = _literal(agent, where)
        if isinstance(agent, dict) and _is(agent, "Role"):
            where, agent = _role_agent(agent, where, term, index)
            if agent is None:
                continue
        agent_id = _node_id(agent) if isinstance(agent, dict) else ""
        if agent_id and agent_id in seen:
            continue
        if agent_id:
            seen.add(agent_id)
        found.append((entry_path, where, agent))
    return found


def _role_agent(role: Mapping[str, Any], path: str, term: str, index: Index) -> tuple[str, Any]:
    for key in (term, f"schema:{term}", f"codemeta:{term}", f"http://schema.org/{term}"):
        if key in role:
            items = _items(role[key], paths.join(path, key))
            if items:
                where, value = items[0]
                return _resolve(value, where, index)
    return path, None


def _is_url(text: str) -> bool:
    return "://" in text or text.startswith(("_:", "/", "#"))


def _orcid_of(person: Mapping[str, Any], path: str) -> tuple[str, str] | None:
    """The ORCID a person is identified by, and its path: the `@id` when it is an ORCID,
    else the first ORCID among its `identifier`s (codemeta: "ideally an ORCID ID")."""
    key = _key(person, "id")
    if key and isinstance(person[key], str) and _orcid_like(person[key]):
        return person[key], paths.join(path, key)
    for where, item in _items(person.get("identifier"), paths.join(path, "identifier")):
        item, where = _literal(*_property_value(item, where))
        if isinstance(item, str) and _orcid_like(item):
            return item, where
    return None


def _orcid_like(value: str) -> bool:
    text = value.strip()
    return bool(identifiers.ANY_ORCID_URL.match(text) or _BARE_ORCID.match(text))


def _name_part(node: Mapping[str, Any], key: str, path: str) -> tuple[str, str] | None:
    """A name property as text: a string, `{"@value": ...}`, or a list of them (several
    given names) joined with spaces."""
    parts, where = [], paths.join(path, key)
    for item_path, item in _items(node.get(key), where):
        value, _ = _literal(item, item_path)
        if isinstance(value, str) and value.strip():
            parts.append(value.strip())
    return (" ".join(parts), where) if parts else None


def _affiliations(person: Mapping[str, Any], path: str, index: Index) -> list[tuple[str, str]]:
    """The names of a person's affiliations (text or Organizations), with their paths."""
    names = []
    for item_path, item in _items(person.get("affiliation"), paths.join(path, "affiliation")):
        where, value = _resolve(item, item_path, index)
        value, where = _literal(value, where)
        if isinstance(value, dict):
            found = _name_part(value, "name", where)
            if found:
                names.append(found)
        elif isinstance(value, str) and value.strip() and not _is_url(value.strip()):
            names.append((value.strip(), where))
    return names


def _person(
    agent: Any, path: str, index: Index
) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str]]] | None:
    """A codemeta Person or Organization as a Zenodo creator (through people.py, so both
    sources name people alike), where its keys came from, and its affiliations."""
    if isinstance(agent, str):
        # a plain name; an unresolved @id names no one
        text = agent.strip()
        if not text or _is_url(text):
            return None
        return {"name": text}, {"name": path}, []
    if not isinstance(agent, dict):
        return None
    shaped: dict[str, str] = {}
    origins: dict[str, str] = {}
    family = _name_part(agent, "familyName", path)
    given = _name_part(agent, "givenName", path)
    middle = _name_part(agent, "additionalName", path)
    name = _name_part(agent, "name", path)
    if family:
        shaped["family"], origins["name"] = family
        shaped["given"] = " ".join(found[0] for found in (given, middle) if found)
    elif name:
        shaped["name"], origins["name"] = name
    affiliations = _affiliations(agent, path, index)
    if affiliations:
        shaped["affiliation"], origins["affiliation"] = affiliations[0]
    orcid = _orcid_of(agent, path)
    if orcid:
        shaped["orcid"], origins["orcid"] = orcid
    creator = zenodo_creator(Person(**shaped))
    if creator is None:
        return None
    return creator, {key: origins[key] for key in creator if key in origins}, affiliations


# --- checking the file -------------------------------------------------------------------


def check(config: Config) -> list[Problem]:
    """The file's own problems: loading, the top level, @context, ORCIDs, dates, names."""
    problems = [_reworded(problem) for problem in config.problems]
    data = config.data
    if not isinstance(data, dict):
        if not any(problem.severity == ERROR for problem in problems):
            message = "the file must hold one JSON object, as codemeta.json does"
            problems.append(Problem(ERROR, "", message, code="not-a-mapping"))
        return sort_problems(problems)
    index = _index(data)
    found = list(_context_problems(data))
    found += _orcid_problems(data, index)
    found += list(_date_problems(data))
    found += list(_name_problems(data, index))
    seen: set[tuple[str, str, str]] = set()
    for severity, path, message, code in found:
        if (severity, path, code) in seen:
            continue  # a person named by reference from several terms
        seen.add((severity, path, code))
        line, column = config.key_position(path) if code == "graph" else config.position(path)
        problems.append(Problem(severity, path, message, line, column, code, zenodo_field(path)))
    return sort_problems(problems)


def zenodo_field(path: str) -> str:
    """The record's top-level field the value at a codemeta path becomes, "" for none or
    unknown (a person written out in @graph is judged wherever it is used)."""
    parts = paths.split(path)
    top = str(parts[0]) if parts else ""
    if top in _CREATOR_TERMS:
        return "creators"
    if top in _PEOPLE_TERMS:
        return "contributors"
    return "publication_date" if top == "datePublished" else ""


def _reworded(problem: Problem) -> Problem:
    """The loader speaks of .zenodo.yml's fields; say what a codemeta.json holds instead."""
    shape = '{"@context": "https://w3id.org/codemeta/3.0", "@type": "SoftwareSourceCode", ...}'
    if problem.code == "not-a-mapping":
        what = problem.message.split(";")[0]
        message = f"{what}; codemeta.json must be one JSON object: {shape}"
    elif problem.code == "empty":
        message = f"the file is empty; codemeta.json is one JSON object: {shape}"
    else:
        return problem
    return dataclasses.replace(problem, message=message)


def context_version(data: Mapping[str, Any]) -> str | None:
    """The codemeta version the file's `@context` names ("2.0", "3.0", "3.1"), or None."""
    for _, value in _items(data.get("@context"), _CONTEXT):
        if isinstance(value, str):
            version = _CONTEXT_SPELLINGS.get(_context_key(value))
            if version:
                return version
    return None


def _context_key(value: str) -> str:
    text = re.sub(r"^https?://", "", value.strip().lower())
    return text.rstrip("/#")


def _context_problems(data: Mapping[str, Any]) -> Iterator[Found]:
    read = ", ".join(CONTEXTS)
    if "@context" not in data:
        message = (
            f'missing: add "@context": "{CONTEXTS[1]}", which says the terms are '
            f"codemeta's (contexts read: {read})"
        )
        yield WARNING, _CONTEXT, message, "codemeta-context"
    elif context_version(data) is None:
        values = [v for _, v in _items(data["@context"], _CONTEXT) if isinstance(v, str)]
        shown = quote_value(values[0]) if len(values) == 1 else "it"
        message = (
            f"{shown} is not a codemeta context; this tool reads {read}, and reads the "
            "terms by their codemeta names whatever the context: set @context to one of them"
        )
        yield WARNING, _CONTEXT, message, "codemeta-context"
    if "@graph" in data:
        message = (
            "only the top-level object is read, not the nodes under @graph: write the "
            "software's terms at the top level, as codemeta's generators do"
        )
        yield WARNING, paths.join("", "@graph"), message, "graph"


def _people(data: Mapping[str, Any], index: Index) -> Iterator[tuple[str, str, Any]]:
    for term in _PEOPLE_TERMS:
        yield from _agents(data, term, index)


def _orcid_problems(data: Mapping[str, Any], index: Index) -> list[Found]:
    found: list[Found] = []
    for _, where, agent in _people(data, index):
        orcid = _orcid_of(agent, where) if isinstance(agent, dict) else None
        if orcid:
            found += _orcid_problem(*orcid)
    return found


def _orcid_problem(value: str, where: str) -> list[Found]:
    convention = "in codemeta a person's ORCID is the URL"
    problem = orcid_problem(value, where, any_url=True, convention=convention)
    return [(problem.severity, where, problem.message, problem.code)] if problem else []


def _date_problems(data: Mapping[str, Any]) -> Iterator[Found]:
    """Codemeta's dates, checked though not sent (a version is dated by its release or
    today): a bad datePublished is an error, a dateModified only warns, since tools write
    date-times into it (codemetapy does)."""
    for key, severity in (("datePublished", ERROR), ("dateModified", WARNING)):
        if key not in data:
            continue
        value, where = _literal(data[key], key)
        problem = _date_problem(value)
        if problem:
            yield severity, where, problem[0], problem[1]


def _date_problem(value: Any) -> tuple[str, str] | None:
    example = "e.g. 2024-05-17"
    if not isinstance(value, str):
        kind = "a list" if isinstance(value, list) else quote_value(value)
        return f"must be one date written as text, YYYY-MM-DD ({example}), not {kind}", "date"
    if not value.strip():
        return "is empty; write the date as YYYY-MM-DD or remove the key", "date"
    match = _DATE.match(value)
    if match is None:
        prefix = _DATE_TIME.match(value)
        if prefix and _DATE.match(prefix.group(1)) and _exists(prefix.group(1)):
            message = (
                f"{quote_value(value)} is a date and time; codemeta's dates are dates: "
                f"write {quote_value(prefix.group(1))}"
            )
            return message, "date-format"
        return f"{quote_value(value)} is not a date written YYYY-MM-DD ({example})", "date-format"
    if not _exists(value):
        return f"{quote_value(value)} is not a date that exists", "date-invalid"
    return None


def _exists(value: str) -> bool:
    return identifiers.real_date(value) is not None


def _name_problems(data: Mapping[str, Any], index: Index) -> Iterator[Found]:
    for entry_path, where, agent in _people(data, index):
        if _person(agent, where, index) is not None:
            continue
        if isinstance(agent, dict):
            message = (
                "has neither familyName (a person) nor name (an organization), so it is left "
                "out of the Zenodo record; add givenName and familyName, or name"
            )
        elif isinstance(agent, str) and agent.strip():
            message = (
                f"{quote_value(agent)} names no person or organization written out in this "
                "file, so it is left out of the Zenodo record; write the Person with "
                "givenName, familyName and this @id"
            )
        else:
            message = "is not a Person or Organization, so it is left out of the Zenodo record"
        yield WARNING, entry_path, message, "codemeta-person"


# --- mapping to Zenodo -------------------------------------------------------------------


def _set_list(
    mapped: Mapped,
    key: str,
    items: list[Any],
    origins: list[str],
    suborigins: list[dict[str, str]] | None = None,
) -> None:
    """`Mapped.set_list` with the list placed at the term of its first item: a term
    written as one value has no list of its own, and a list drawn from several terms
    starts at the first."""
    origin = paths.build(paths.split(origins[0])[:1])
    mapped.set_list(key, items, origins, suborigins or (), origin=origin)


def to_zenodo(config: Config) -> Mapped:
    """The record's fields the file sets, with the codemeta path each value came from."""
    mapped = Mapped()
    data = config.data if isinstance(config.data, dict) else {}
    index = _index(data)
    title = _first_text(data, "name") or _first_text(data, "title")
    if title:
        mapped.set("title", *title)
    _map_people(mapped, config, data, index)
    description = _first_text(data, "description")
    if description:
        mapped.set("description", markup.paragraphs(description[0]), description[1])
    _map_keywords(mapped, data)
    _map_license(mapped, config, data)
    for name, where in _types(data):
        if name in _UPLOAD_TYPES:
            mapped.set("upload_type", _UPLOAD_TYPES[name], where)
            break
    _map_version(mapped, config, data)
    # datePublished is not the new version's date: codemeta means the software's first
    # publication, and a version is dated by its release or today (docs/reference/
    # zenodo-metadata-defaults.md §2).
    _map_related(mapped, data, index)
    _map_grants(mapped, config, data, index)
    return mapped


def _map_people(mapped: Mapped, config: Config, data: Mapping[str, Any], index: Index) -> None:
    noted: set[str] = set()  # a person named under several terms is noted about once
    creators, origins, suborigins = [], [], []
    for term in _CREATOR_TERMS:
        for entry_path, where, agent in _agents(data, term, index):
            person = _person(agent, where, index)
            if person:
                creators.append(person[0])
                origins.append(entry_path)
                suborigins.append(person[1])
                _note_affiliations(mapped, config, person[2], entry_path, noted)
        if creators:
            break  # `creator` only stands in for a missing `author`
    if creators:
        _set_list(mapped, "creators", creators, origins, suborigins)
    contributors, origins, suborigins = [], [], []
    for term, role in _CONTRIBUTOR_TERMS:
        for entry_path, where, agent in _agents(data, term, index):
            person = _person(agent, where, index)
            if person:
                contributors.append({**person[0], "type": role})
                origins.append(entry_path)
                suborigins.append(person[1])
                _note_affiliations(mapped, config, person[2], entry_path, noted)
    if contributors:
        _set_list(mapped, "contributors", contributors, origins, suborigins)


def _note_affiliations(
    mapped: Mapped,
    config: Config,
    affiliations: list[tuple[str, str]],
    entry_path: str,
    noted: set[str],
) -> None:
    if len(affiliations) < 2 or affiliations[0][1] in noted:
        return
    first, where = affiliations[0]
    noted.add(where)
    message = (
        f"{len(affiliations)} affiliations: a Zenodo creator has one, so "
        f"{quote_value(first)} (the first) is used and the others are dropped"
    )
    line, column = config.position(where)
    mapped.problems.append(
        Problem(NOTICE, entry_path, message, line, column, "several-affiliations", "creators")
    )


def _map_keywords(mapped: Mapped, data: Mapping[str, Any]) -> None:
    value, where = _literal(data.get("keywords"), "keywords")
    if isinstance(value, str):
        # one text: schema.org's "delimited by commas"
        words = [word.strip() for word in value.split(",") if word.strip()]
        if words:
            _set_list(mapped, "keywords", words, [where] * len(words))
        return
    keywords, origins = [], []
    for path, item in _items(value, where):
        if isinstance(item, dict) and "@value" not in item:
            found = _name_part(item, "name", path)  # a DefinedTerm
            word, path = found if found else ("", path)
        else:
            item, path = _literal(item, path)
            word = str(item).strip() if isinstance(item, (str, int, float)) else ""
            word = "" if isinstance(item, bool) else word
        if word:
            keywords.append(word)
            origins.append(path)
    if keywords:
        _set_list(mapped, "keywords", keywords, origins)


def _map_license(mapped: Mapped, config: Config, data: Mapping[str, Any]) -> None:
    """The first licence Zenodo knows; one it does not know (a URL naming no licence in its
    vocabulary) is left to the next file that names one (sources.py), with a warning."""
    from zenodo_action.metadata.vocabularies import is_known_license

    licenses = [
        found
        for path, item in _items(data.get("license"), "license")
        if (found := _license_id(item, path))
    ]
    known = [found for found in licenses if is_known_license(found[0])]
    if known:
        first, where = known[0]
        others = [value for value, path in licenses if path != where]
        mapped.set_license(first, where, others, config.position("license"))
    elif licenses:
        value, where = licenses[0]
        message = (
            f"{quote_value(value)} names no licence Zenodo knows; write an SPDX id "
            '("license": "https://spdx.org/licenses/MIT")'
        )
        line, column = config.position(where)
        mapped.unusable.append(
            Problem(ERROR, where, message, line, column, "license-unknown", "license")
        )


def _license_id(item: Any, path: str) -> tuple[str, str] | None:
    """An SPDX id from a licence URL, an id, or a CreativeWork naming either."""
    item, path = _literal(item, path)
    if isinstance(item, str):
        return (identifiers.spdx_of(item), path) if item.strip() else None
    if not isinstance(item, dict):
        return None
    from zenodo_action.metadata.vocabularies import is_known_license

    candidates = []
    for key in ("identifier", "@id", "id", "url"):
        value, where = _literal(item.get(key), paths.join(path, key))
        if isinstance(value, str) and value.strip():
            candidates.append((identifiers.spdx_of(value), where))
    known = [found for found in candidates if is_known_license(found[0])]
    if known:
        return known[0]
    return candidates[0] if candidates else None


def _map_version(mapped: Mapped, config: Config, data: Mapping[str, Any]) -> None:
    for key in ("version", "softwareVersion"):
        for path, item in _items(data.get(key), key):
            text = _scalar_text(config, item, path)
            if text:
                mapped.set("version", text, _literal(item, path)[1])
                return


def _map_related(mapped: Mapped, data: Mapping[str, Any], index: Index) -> None:
    """The work's own DOIs (see `mapped.work_link`, as for CITATION.cff), the repository,
    the publication describing the software (isDocumentedBy), the works it cites."""
    related: list[tuple[dict[str, Any], str]] = []
    own = [(path, item) for path, item in _items(data.get("identifier"), "identifier")]
    id_key = _key(data, "id")
    if id_key:
        own.append((paths.join("", id_key), data[id_key]))
    for path, item in own:
        related += _work_identifier(item, path)
    for path, item in _items(data.get("codeRepository"), "codeRepository"):
        where, value = _url_of(item, path)
        value, where = _literal(value, where)
        if isinstance(value, str) and value.strip():
            related.append(repository_link(value, where))
    for term, relation in (("referencePublication", "isDocumentedBy"), ("citation", "references")):
        for path, item in _items(data.get(term), term):
            related += _cited(item, path, relation, index)
    if related:
        mapped.set_related(related, origin=paths.build(paths.split(related[0][1])[:1]))


def _url_of(item: Any, path: str) -> tuple[str, Any]:
    """A URL written as text or as `{"@id": ...}`: (path, value)."""
    if isinstance(item, dict):
        key = _key(item, "id")
        if key:
            return paths.join(path, key), item[key]
    return path, item


def _doi_in(item: Any, path: str) -> tuple[str, str] | None:
    """A DOI written as text, a doi.org URL, a PropertyValue, or a node's @id/identifier."""
    item, path = _literal(item, path)
    if isinstance(item, str):
        doi = identifiers.doi_of(item)
        return (doi, path) if doi else None
    if not isinstance(item, dict):
        return None
    for key in ("value", "@id", "id", "url", "identifier"):
        for where, value in _items(item.get(key), paths.join(path, key)):
            value, where = _literal(*_property_value(value, where))
            if isinstance(value, str) and (doi := identifiers.doi_of(value)):
                return doi, where
    return None


def _work_identifier(item: Any, path: str) -> list[tuple[dict[str, Any], str]]:
    found = _doi_in(item, path)
    if found:
        return work_link(*found)
    value, where = _literal(item, path)
    if isinstance(value, str) and value.strip().lower().startswith("swh:1:"):
        return work_link(value.strip(), where)
    return []  # a name ("codemetapy") or a URL: codeRepository and url say where it lives


def _cited(item: Any, path: str, relation: str, index: Index) -> list[tuple[dict[str, Any], str]]:
    where, work = _resolve(item, path, index)
    found = _doi_in(work, where)
    if found is None:
        return []
    related: dict[str, Any] = {"identifier": found[0], "relation": relation}
    if isinstance(work, dict):
        for name, _ in _types(work):
            if name in _RESOURCE_TYPES:
                related["resource_type"] = _RESOURCE_TYPES[name]
                break
    elif relation == "isDocumentedBy":
        related["resource_type"] = "publication-article"
    return [(related, found[1])]


# --- funding -----------------------------------------------------------------------------


def _map_grants(mapped: Mapped, config: Config, data: Mapping[str, Any], index: Index) -> None:
    """Only what names a Zenodo grant is mapped: "<funder DOI>::<award>" as written, or an
    award number whose funder's @id is a Crossref Funder DOI. The rest is a warning saying
    how to write it as `grants` in .zenodo.yml: guessing would link the wrong grant."""
    funders = _funder_dois(data, index)
    grants: list[tuple[str, str, str]] = []  # id, entry path, where the id came from
    unmapped: list[tuple[str, str]] = []
    for path, item in _items(data.get("funding"), "funding"):
        grant, message = _grant(config, item, path, index, funders)
        if grant:
            grants.append((grant[0], path, grant[1]))
        else:
            unmapped.append((path, message))
    granted = {grant.split("::")[0] for grant, _, _ in grants}
    funding_unmapped = bool(unmapped)
    for path, item in _items(data.get("funder"), "funder"):
        where, funder = _resolve(item, path, index)
        doi = _funder_doi(funder, where)
        if doi and doi[0] in granted:
            continue  # named by a grant already
        if funding_unmapped:  # one cause, one warning: the funding's says what to write
            continue
        unmapped.append((path, _funder_message(funder, doi)))
    unique: dict[str, tuple[str, str]] = {}
    for grant_id, path, where in grants:
        unique.setdefault(grant_id, (path, where))
    if unique:
        _set_list(
            mapped,
            "grants",
            [{"id": grant_id} for grant_id in unique],
            [path for path, _ in unique.values()],
            [{"id": where} for _, where in unique.values()],
        )
    for path, message in unmapped:
        line, column = config.position(path)
        problem = Problem(WARNING, path, message, line, column, "funding-not-mapped", "grants")
        mapped.problems.append(problem)


def _grant(
    config: Config, item: Any, path: str, index: Index, funders: list[str]
) -> tuple[tuple[str, str] | None, str]:
    """A funding entry as (Zenodo grant id, where its award is written), or the warning."""
    where, entry = _resolve(item, path, index)
    awards = _awards(config, entry, where)
    for award, award_path in awards:
        grant_id = _grant_id(award)
        if grant_id:
            return (grant_id, award_path), ""
    if isinstance(entry, dict):
        grant_funders = []
        for funder_path, funder in _items(entry.get("funder"), paths.join(where, "funder")):
            funder_where, funder = _resolve(funder, funder_path, index)
            grant_funders.append((funder, _funder_doi(funder, funder_where)))
        dois = [doi[0] for _, doi in grant_funders if doi]
        if awards and dois:
            return (f"{dois[0]}::{awards[0][0]}", awards[0][1]), ""
        if grant_funders:
            return None, _grant_message(awards, True, dois)
    return None, _grant_message(awards, False, funders)


def _awards(config: Config, entry: Any, path: str) -> list[tuple[str, str]]:
    """The award numbers (or grant ids) of a funding entry: its text, or a Grant's
    identifier(s) as text, numbers or PropertyValues."""
    if not isinstance(entry, dict) or "@value" in entry:
        text = _scalar_text(config, entry, path)
        return [(text, _literal(entry, path)[1])] if text else []
    found = []
    for where, value in _items(entry.get("identifier"), paths.join(path, "identifier")):
        value, where = _property_value(value, where)
        text = _scalar_text(config, value, where)
        if text:
            found.append((text, _literal(value, where)[1]))
    return found


def _grant_id(text: str) -> str | None:
    """ "<funder DOI>::<award>" with a Crossref Funder DOI, as Zenodo writes grant ids."""
    match = _GRANT_ID.match(text.strip())
    if match is None:
        return None
    doi = identifiers.doi_of(match.group(1))
    award = match.group(2).strip()
    if doi is None or not doi.startswith(_FUNDER_PREFIX) or not award:
        return None
    return f"{doi}::{award}"


def _funder_doi(funder: Any, path: str) -> tuple[str, str] | None:
    """A funder's Crossref Funder DOI (its @id, or an identifier), and where it is."""
    if isinstance(funder, str):
        doi = identifiers.doi_of(funder)
        return (doi, path) if doi and doi.startswith(_FUNDER_PREFIX) else None
    if not isinstance(funder, dict):
        return None
    candidates: list[tuple[Any, str]] = []
    key = _key(funder, "id")
    if key:
        candidates.append((funder[key], paths.join(path, key)))
    for where, value in _items(funder.get("identifier"), paths.join(path, "identifier")):
        candidates.append(_property_value(value, where))
    for value, where in candidates:
        value, where = _literal(value, where)
        if isinstance(value, str):
            doi = identifiers.doi_of(value)
            if doi and doi.startswith(_FUNDER_PREFIX):
                return doi, where
    return None


def _funder_dois(data: Mapping[str, Any], index: Index) -> list[str]:
    dois = []
    for path, item in _items(data.get("funder"), "funder"):
        where, funder = _resolve(item, path, index)
        doi = _funder_doi(funder, where)
        if doi and doi[0] not in dois:
            dois.append(doi[0])
    return dois


_HOW_TO = "add it to .zenodo.yml as grants: [{id: '<funder DOI>::<award number>'}]"
_FUNDER_HINT = (
    "the funder DOI is the funder's Crossref Funder Registry id, e.g. 10.13039/501100000780 "
    "for the European Commission (https://search.crossref.org/funding)"
)


def _grant_message(awards: list[tuple[str, str]], has_funder: bool, dois: list[str]) -> str:
    """Why a funding entry is not a grant, with the grant id to write when it can be told."""
    start = "not mapped to a Zenodo grant"
    if not awards and len(dois) == 1:
        return (
            f"{start}: it has no award number (identifier); write the award number as its "
            f"identifier, or add grants: [{{id: '{dois[0]}::<award number>'}}] to .zenodo.yml"
        )
    if not awards:
        return f"{start}: it has no award number (identifier); {_HOW_TO}; {_FUNDER_HINT}"
    award = awards[0][0]
    if len(dois) == 1 and " " not in award:
        suggestion = f"{dois[0]}::{award}"
        return (
            f"{start}: {quote_value(award)} is not written as <funder DOI>::<award number>; "
            f"if it is an award number of the funder {dois[0]}, write it as "
            f"{quote_value(suggestion)} here, or add grants: [{{id: {quote_value(suggestion)}}}] "
            "to .zenodo.yml"
        )
    why = (
        "its funder has no Crossref Funder DOI as @id"
        if has_funder
        else "Zenodo names a grant by funder DOI and award number"
    )
    return f"{start}: {quote_value(award)}: {why}; {_HOW_TO}; {_FUNDER_HINT}"


def _funder_message(funder: Any, doi: tuple[str, str] | None) -> str:
    name = _name_part(funder, "name", "") if isinstance(funder, dict) else None
    who = quote_value(name[0]) if name else "this funder"
    if doi:
        return (
            f"not mapped to a Zenodo grant: a Zenodo grant is a funder and an award number, "
            f"and {who} comes with no award; add it to .zenodo.yml as "
            f"grants: [{{id: '{doi[0]}::<award number>'}}]"
        )
    return (
        f"not mapped to a Zenodo grant: a Zenodo grant is a funder and an award number, and "
        f"{who} comes with neither a Crossref Funder DOI nor an award; {_HOW_TO}; {_FUNDER_HINT}"
    )
