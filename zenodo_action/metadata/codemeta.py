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
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from zenodo_action.metadata import identifiers, markup, paths
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

# --- reading JSON-LD values --------------------------------------------------------------

T = TypeVar("T")

_SCHEMA_PREFIX = re.compile(r"^(?:schema:|sdo:|codemeta:|https?://schema\.org/)", re.IGNORECASE)
_NODE_KEYWORDS = ("@id", "id", "@type", "type")  # a node holding nothing else is a reference


@dataclass(frozen=True)
class Located(Generic[T]):
    """A value read from the file and the JSON path it is written at: where a problem
    about it is shown, and the origin recorded for the field it becomes."""

    value: T
    path: str


Index = dict[str, Located[dict[str, Any]]]  # @id -> the node written out with it


def values(node: Mapping[str, Any], term: str, path: str = "") -> list[Located[Any]]:
    """The values of a term of the node at `path`, opened as `unpack` opens them."""
    return unpack(Located(node.get(term), paths.join(path, term)))


def unpack(found: Located[Any]) -> list[Located[Any]]:
    """A term's values: one value, a list, `{"@list": [...]}` (codemeta 2.0's ordered
    lists) or `{"@set": [...]}`; a list item that is itself such a wrapper is opened too.
    A null is no value."""
    if not isinstance(found.value, list):
        return _opened(found)
    opened: list[Located[Any]] = []
    for index, item in enumerate(found.value):
        opened += _opened(Located(item, paths.join(found.path, index)))
    return opened


def _opened(found: Located[Any]) -> list[Located[Any]]:
    value = found.value
    if value is None:
        return []
    if not (isinstance(value, dict) and ("@list" in value or "@set" in value)):
        return [found]
    key = "@list" if "@list" in value else "@set"
    inner = Located(value[key], paths.join(found.path, key))
    if isinstance(inner.value, list):
        return [
            Located(item, paths.join(inner.path, index))
            for index, item in enumerate(inner.value)
            if item is not None
        ]
    return [] if inner.value is None else [inner]


def literal(found: Located[Any]) -> Located[Any]:
    """`{"@value": x}` as x, at its own path; any other value as it is."""
    if isinstance(found.value, dict) and "@value" in found.value:
        return Located(found.value["@value"], paths.join(found.path, "@value"))
    return found


def property_value(found: Located[Any]) -> Located[Any]:
    """A PropertyValue (`{"propertyID": "DOI", "value": ...}`) as its value; else as is."""
    value = found.value
    if isinstance(value, dict) and "@value" not in value and "value" in value:
        return Located(value["value"], paths.join(found.path, "value"))
    return found


def text(value: Any) -> str:
    """A text, or `{"@value": text}`, stripped; "" for anything else."""
    inner = literal(Located(value, "")).value
    return inner.strip() if isinstance(inner, str) else ""


def first_text(data: Mapping[str, Any], term: str) -> Located[str] | None:
    """The first text value of a term, stripped."""
    for item in values(data, term):
        found = literal(item)
        if isinstance(found.value, str) and found.value.strip():
            return Located(found.value.strip(), found.path)
    return None


def scalar_text(config: Config, found: Located[Any]) -> Located[str] | None:
    """Text, or a number as written (a version 1.10 stays "1.10"); None when empty."""
    found = literal(found)
    written = ""
    if isinstance(found.value, str):
        written = found.value.strip()
    elif isinstance(found.value, (int, float)) and not isinstance(found.value, bool):
        raw = config.raw_text(found.path)
        written = raw.strip() if raw and raw.strip() else str(found.value)
    return Located(written, found.path) if written else None


def key_of(node: Mapping[str, Any], keyword: str) -> str | None:
    """The key the node writes `@id` or `@type` under (`keyword` "id" or "type"): the
    keyword itself, or codemeta's alias without the `@`."""
    for key in (f"@{keyword}", keyword):
        if key in node:
            return key
    return None


def node_id(node: Mapping[str, Any]) -> str:
    key = key_of(node, "id")
    return text(node[key]) if key else ""


def types(node: Mapping[str, Any], path: str = "") -> list[Located[str]]:
    """The node's types, without their schema.org prefix."""
    key = key_of(node, "type")
    if key is None:
        return []
    found = []
    for item in values(node, key, path):
        if isinstance(item.value, str) and item.value.strip():
            found.append(Located(_SCHEMA_PREFIX.sub("", item.value.strip()), item.path))
    return found


def is_a(node: Mapping[str, Any], kind: str) -> bool:
    return any(found.value == kind for found in types(node))


def term_of(path: str) -> str:
    """The top-level term a path is under (`author[0].name` -> `author`)."""
    return paths.build(paths.split(path)[:1])


def index_nodes(data: Mapping[str, Any]) -> Index:
    """Every node written out with an `@id` (more than a reference), the first one of an
    `@id` winning: JSON-LD lets a file name such a node by its `@id` anywhere else."""
    index: Index = {}
    stack: list[Located[Any]] = [Located(data, "")]
    while stack:
        found = stack.pop()
        value, path = found.value, found.path
        if isinstance(value, dict):
            written_id = node_id(value)
            if written_id and not _is_reference(value) and written_id not in index:
                index[written_id] = found
            children = [Located(v, paths.join(path, str(k))) for k, v in value.items()]
        elif isinstance(value, list):
            children = [Located(v, paths.join(path, i)) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))  # document order: the first definition wins
    return index


def resolve(found: Located[Any], index: Index) -> Located[Any]:
    """A reference (an `@id` text, or `{"@id": ...}` alone) as the node it names, where
    that node is written out; any other value, or a reference to no node, as it is."""
    value = found.value
    if isinstance(value, str):
        return index.get(value.strip(), found)
    if isinstance(value, dict) and _is_reference(value):
        return index.get(node_id(value), found)
    return found


def _is_reference(node: Mapping[str, Any]) -> bool:
    return all(key in _NODE_KEYWORDS for key in node)


# --- people and organizations ------------------------------------------------------------

# Terms naming people or organizations, and what they become. `creator` (codemeta 2.0)
# is read only when there is no `author`.
CREATOR_TERMS = ("author", "creator")
CONTRIBUTOR_TERMS = (
    ("contributor", "Other"),
    ("maintainer", "ContactPerson"),
    ("copyrightHolder", "RightsHolder"),
    ("editor", "Editor"),
    ("producer", "Producer"),
    ("sponsor", "Sponsor"),
)
PEOPLE_TERMS = CREATOR_TERMS + tuple(term for term, _ in CONTRIBUTOR_TERMS)
_BARE_ORCID = re.compile(r"^[0-9]{4}-?[0-9]{4}-?[0-9]{4}-?[0-9]{3}[0-9Xx]$")


@dataclass(frozen=True)
class Agent:
    """A person or organization a term names."""

    entry: str  # the term's entry (perhaps a reference or a Role): where problems are shown
    node: Any  # the Person or Organization (a reference's target), or a plain name
    path: str  # where `node` is written


@dataclass(frozen=True)
class MappedPerson:
    """An agent as a Zenodo creator, where each of the creator's keys came from, and
    every affiliation the file gives (a creator keeps the first)."""

    entry: str  # the term's entry: the creator's origin
    creator: dict[str, Any]
    origins: dict[str, str]
    affiliations: list[Located[str]]


def agents(data: Mapping[str, Any], term: str, index: Index) -> list[Agent]:
    """The people and organizations of a term. A Role (codemeta 3) stands for the agent
    it qualifies; an agent listed twice under the same term (a person, then a Role naming
    them) counts once."""
    found: list[Agent] = []
    seen: set[str] = set()
    for entry in values(data, term):
        agent = literal(resolve(entry, index))
        if isinstance(agent.value, dict) and is_a(agent.value, "Role"):
            qualified = _role_agent(agent, term, index)
            if qualified is None:
                continue
            agent = qualified
        agent_id = node_id(agent.value) if isinstance(agent.value, dict) else ""
        if agent_id in seen:
            continue
        if agent_id:
            seen.add(agent_id)
        found.append(Agent(entry.path, agent.value, agent.path))
    return found


def _role_agent(role: Located[Any], term: str, index: Index) -> Located[Any] | None:
    for key in (term, f"schema:{term}", f"codemeta:{term}", f"http://schema.org/{term}"):
        if key in role.value:
            named = values(role.value, key, role.path)
            if named:
                return resolve(named[0], index)
    return None


def people(data: Mapping[str, Any], index: Index) -> Iterator[Agent]:
    for term in PEOPLE_TERMS:
        yield from agents(data, term, index)


def mapped_person(agent: Agent, index: Index) -> MappedPerson | None:
    """A Person or Organization as a Zenodo creator, named as CITATION.cff's people are
    (people.py). A plain name is taken as written; an `@id` of no node in the file, or a
    node without a name, names no one."""
    if isinstance(agent.node, str):
        if not _is_name(agent.node):
            return None
        name = agent.node.strip()
        return MappedPerson(agent.entry, {"name": name}, {"name": agent.path}, [])
    named = _named(agent.node, agent.path) if isinstance(agent.node, dict) else None
    if named is None:
        return None
    affiliations = affiliations_of(agent.node, agent.path, index)
    orcid = orcid_of(agent.node, agent.path)
    origins = {"name": named.path}
    person = named.value
    if affiliations:
        person = dataclasses.replace(person, affiliation=affiliations[0].value)
        origins["affiliation"] = affiliations[0].path
    if orcid:
        person = dataclasses.replace(person, orcid=orcid.value)
        origins["orcid"] = orcid.path
    creator = zenodo_creator(person)
    if creator is None:
        return None
    origins = {key: where for key, where in origins.items() if key in creator}
    return MappedPerson(agent.entry, creator, origins, affiliations)


def _named(node: Mapping[str, Any], path: str) -> Located[Person] | None:
    """A Person's names, at its familyName (givenName and additionalName, codemeta's
    middle names, are its given names), or else an Organization's name."""
    family = name_part(node, "familyName", path)
    if family:
        parts = (name_part(node, key, path) for key in ("givenName", "additionalName"))
        given = " ".join(part.value for part in parts if part)
        return Located(Person(family=family.value, given=given), family.path)
    name = name_part(node, "name", path)
    return Located(Person(name=name.value), name.path) if name else None


def name_part(node: Mapping[str, Any], key: str, path: str) -> Located[str] | None:
    """A name property as text: a text, `{"@value": ...}`, or a list of them (several
    given names) joined with spaces."""
    parts = [part for item in values(node, key, path) if (part := text(item.value))]
    return Located(" ".join(parts), paths.join(path, key)) if parts else None


def affiliations_of(person: Mapping[str, Any], path: str, index: Index) -> list[Located[str]]:
    """The names of a person's affiliations, written as text or as Organizations."""
    names = []
    for item in values(person, "affiliation", path):
        found = literal(resolve(item, index))
        if isinstance(found.value, dict):
            name = name_part(found.value, "name", found.path)
            if name:
                names.append(name)
        elif isinstance(found.value, str) and _is_name(found.value):
            names.append(Located(found.value.strip(), found.path))
    return names


def orcid_of(person: Mapping[str, Any], path: str) -> Located[str] | None:
    """The ORCID a person is identified by: the `@id` when it is an ORCID, else the first
    ORCID among its `identifier`s (codemeta: "ideally an ORCID ID")."""
    key = key_of(person, "id")
    if key and isinstance(person[key], str) and _orcid_like(person[key]):
        return Located(person[key], paths.join(path, key))
    for item in values(person, "identifier", path):
        found = literal(property_value(item))
        if isinstance(found.value, str) and _orcid_like(found.value):
            return found
    return None


def _orcid_like(value: str) -> bool:
    written = value.strip()
    return bool(identifiers.ANY_ORCID_URL.match(written) or _BARE_ORCID.match(written))


def _is_name(written: str) -> bool:
    """Whether a text names someone: it is not empty, and not an IRI (an `@id` of no node
    written out in the file: `resolve` has put the others' nodes in their place)."""
    name = written.strip()
    return bool(name) and not ("://" in name or name.startswith(("_:", "/", "#")))


# --- checking the file -------------------------------------------------------------------

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
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DATE_TIME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]")


def check(config: Config) -> list[Problem]:
    """The file's own problems: loading, the top level, @context, ORCIDs, dates, names."""
    problems = [_reworded(problem) for problem in config.problems]
    data = config.data
    if not isinstance(data, dict):
        if not any(problem.severity == ERROR for problem in problems):
            message = "the file must hold one JSON object, as codemeta.json does"
            problems.append(Problem(ERROR, "", message, code="not-a-mapping"))
        return sort_problems(problems)
    index = index_nodes(data)
    found = [*_context_problems(data), *_orcid_problems(data, index)]
    found += [*_date_problems(data), *_name_problems(data, index)]
    return sort_problems(problems + _placed(config, found))


def _placed(config: Config, found: list[Problem]) -> list[Problem]:
    """Each problem once (a person named by reference from several terms is judged once),
    at its place in the file, about the field its value becomes."""
    placed = []
    seen: set[tuple[str, str, str]] = set()
    for problem in found:
        if (problem.severity, problem.path, problem.code) in seen:
            continue
        seen.add((problem.severity, problem.path, problem.code))
        place = config.key_position if problem.code == "graph" else config.position
        line, column = place(problem.path)
        about = zenodo_field(problem.path)
        placed.append(dataclasses.replace(problem, line=line, column=column, about=about))
    return placed


def zenodo_field(path: str) -> str:
    """The record's top-level field the value at a codemeta path becomes, "" for none or
    unknown (a person written out in @graph is judged wherever it is used)."""
    top = term_of(path)
    if top in CREATOR_TERMS:
        return "creators"
    if top in PEOPLE_TERMS:
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
    for item in values(data, "@context"):
        if isinstance(item.value, str):
            version = _CONTEXT_SPELLINGS.get(_context_key(item.value))
            if version:
                return version
    return None


def _context_key(value: str) -> str:
    written = re.sub(r"^https?://", "", value.strip().lower())
    return written.rstrip("/#")


def _context_problems(data: Mapping[str, Any]) -> Iterator[Problem]:
    read = ", ".join(CONTEXTS)
    if "@context" not in data:
        message = (
            f'missing: add "@context": "{CONTEXTS[1]}", which says the terms are '
            f"codemeta's (contexts read: {read})"
        )
        yield Problem(WARNING, _CONTEXT, message, code="codemeta-context")
    elif context_version(data) is None:
        written = [item.value for item in values(data, "@context") if isinstance(item.value, str)]
        shown = quote_value(written[0]) if len(written) == 1 else "it"
        message = (
            f"{shown} is not a codemeta context; this tool reads {read}, and reads the "
            "terms by their codemeta names whatever the context: set @context to one of them"
        )
        yield Problem(WARNING, _CONTEXT, message, code="codemeta-context")
    if "@graph" in data:
        message = (
            "only the top-level object is read, not the nodes under @graph: write the "
            "software's terms at the top level, as codemeta's generators do"
        )
        yield Problem(WARNING, paths.join("", "@graph"), message, code="graph")


def _orcid_problems(data: Mapping[str, Any], index: Index) -> Iterator[Problem]:
    convention = "in codemeta a person's ORCID is the URL"
    for agent in people(data, index):
        orcid = orcid_of(agent.node, agent.path) if isinstance(agent.node, dict) else None
        if orcid:
            problem = orcid_problem(orcid.value, orcid.path, any_url=True, convention=convention)
            if problem:
                yield problem


def _date_problems(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Codemeta's dates, checked though not sent (a version is dated by its release or
    today): a bad datePublished is an error, a dateModified only warns, since tools write
    date-times into it (codemetapy does)."""
    for term, severity in (("datePublished", ERROR), ("dateModified", WARNING)):
        if term in data:
            problem = _date_problem(literal(Located(data[term], term)), severity)
            if problem:
                yield problem


def _date_problem(date: Located[Any], severity: str) -> Problem | None:
    value, example = date.value, "e.g. 2024-05-17"
    if not isinstance(value, str):
        kind = "a list" if isinstance(value, list) else quote_value(value)
        message = f"must be one date written as text, YYYY-MM-DD ({example}), not {kind}"
        return Problem(severity, date.path, message, code="date")
    if not value.strip():
        message = "is empty; write the date as YYYY-MM-DD or remove the key"
        return Problem(severity, date.path, message, code="date")
    if _DATE.match(value) is None:
        return Problem(severity, date.path, _date_format_message(value), code="date-format")
    if not _exists(value):
        message = f"{quote_value(value)} is not a date that exists"
        return Problem(severity, date.path, message, code="date-invalid")
    return None


def _date_format_message(value: str) -> str:
    prefix = _DATE_TIME.match(value)
    if prefix and _DATE.match(prefix.group(1)) and _exists(prefix.group(1)):
        return (
            f"{quote_value(value)} is a date and time; codemeta's dates are dates: "
            f"write {quote_value(prefix.group(1))}"
        )
    return f"{quote_value(value)} is not a date written YYYY-MM-DD (e.g. 2024-05-17)"


def _exists(value: str) -> bool:
    return identifiers.real_date(value) is not None


def _name_problems(data: Mapping[str, Any], index: Index) -> Iterator[Problem]:
    for agent in people(data, index):
        if mapped_person(agent, index) is None:
            message = _nameless(agent.node)
            yield Problem(WARNING, agent.entry, message, code="codemeta-person")


def _nameless(node: Any) -> str:
    """Why an agent is left out of the record, and what to write instead."""
    if isinstance(node, dict):
        return (
            "has neither familyName (a person) nor name (an organization), so it is left "
            "out of the Zenodo record; add givenName and familyName, or name"
        )
    if isinstance(node, str) and node.strip():
        return (
            f"{quote_value(node)} names no person or organization written out in this "
            "file, so it is left out of the Zenodo record; write the Person with "
            "givenName, familyName and this @id"
        )
    return "is not a Person or Organization, so it is left out of the Zenodo record"


# --- mapping to Zenodo -------------------------------------------------------------------

_UPLOAD_TYPES = {
    "SoftwareSourceCode": "software",
    "SoftwareApplication": "software",
    "Dataset": "dataset",
}


def to_zenodo(config: Config) -> Mapped:
    """The record's fields the file sets, with the codemeta path each value came from."""
    mapped = Mapped()
    data = config.data if isinstance(config.data, dict) else {}
    index = index_nodes(data)
    title = first_text(data, "name") or first_text(data, "title")
    if title:
        mapped.set("title", title.value, title.path)
    _map_people(mapped, config, data, index)
    description = first_text(data, "description")
    if description:
        mapped.set("description", markup.paragraphs(description.value), description.path)
    _map_keywords(mapped, data)
    map_license(mapped, config, data)
    _map_upload_type(mapped, data)
    _map_version(mapped, config, data)
    # datePublished is not the new version's date: codemeta means the software's first
    # publication, and a version is dated by its release or today (docs/reference/
    # zenodo-metadata-defaults.md §2).
    map_related(mapped, data, index)
    map_grants(mapped, config, data, index)
    return mapped


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
    mapped.set_list(key, items, origins, suborigins or (), origin=term_of(origins[0]))


def _map_people(mapped: Mapped, config: Config, data: Mapping[str, Any], index: Index) -> None:
    creators: list[MappedPerson] = []
    for term in CREATOR_TERMS:
        creators = _mapped_people(data, term, index)
        if creators:
            break  # `creator` only stands in for a missing `author`
    contributors = [
        dataclasses.replace(person, creator={**person.creator, "type": role})
        for term, role in CONTRIBUTOR_TERMS
        for person in _mapped_people(data, term, index)
    ]
    noted: set[str] = set()  # a person named under several terms is noted about once
    for person in creators + contributors:
        _note_affiliations(mapped, config, person, noted)
    for key, found in (("creators", creators), ("contributors", contributors)):
        if found:
            creator_list = [person.creator for person in found]
            entries = [person.entry for person in found]
            _set_list(mapped, key, creator_list, entries, [person.origins for person in found])


def _mapped_people(data: Mapping[str, Any], term: str, index: Index) -> list[MappedPerson]:
    found = (mapped_person(agent, index) for agent in agents(data, term, index))
    return [person for person in found if person]


def _note_affiliations(
    mapped: Mapped, config: Config, person: MappedPerson, noted: set[str]
) -> None:
    if len(person.affiliations) < 2 or person.affiliations[0].path in noted:
        return
    first = person.affiliations[0]
    noted.add(first.path)
    message = (
        f"{len(person.affiliations)} affiliations: a Zenodo creator has one, so "
        f"{quote_value(first.value)} (the first) is used and the others are dropped"
    )
    line, column = config.position(first.path)
    mapped.problems.append(
        Problem(NOTICE, person.entry, message, line, column, "several-affiliations", "creators")
    )


def _map_keywords(mapped: Mapped, data: Mapping[str, Any]) -> None:
    keywords = literal(Located(data.get("keywords"), "keywords"))
    if isinstance(keywords.value, str):
        # one text: schema.org's "delimited by commas"
        words = [word.strip() for word in keywords.value.split(",") if word.strip()]
        if words:
            _set_list(mapped, "keywords", words, [keywords.path] * len(words))
        return
    found = [word for item in unpack(keywords) if (word := _keyword(item))]
    if found:
        _set_list(mapped, "keywords", [word.value for word in found], [w.path for w in found])


def _keyword(item: Located[Any]) -> Located[str] | None:
    """A keyword: a DefinedTerm's name, or a text or number as text."""
    if isinstance(item.value, dict) and "@value" not in item.value:
        return name_part(item.value, "name", item.path)  # a DefinedTerm
    found = literal(item)
    if isinstance(found.value, bool) or not isinstance(found.value, (str, int, float)):
        return None
    word = str(found.value).strip()
    return Located(word, found.path) if word else None


def _map_upload_type(mapped: Mapped, data: Mapping[str, Any]) -> None:
    for found in types(data):
        if found.value in _UPLOAD_TYPES:
            mapped.set("upload_type", _UPLOAD_TYPES[found.value], found.path)
            return


def _map_version(mapped: Mapped, config: Config, data: Mapping[str, Any]) -> None:
    for term in ("version", "softwareVersion"):
        for item in values(data, term):
            version = scalar_text(config, item)
            if version:
                mapped.set("version", version.value, version.path)
                return


# --- licences ----------------------------------------------------------------------------


def map_license(mapped: Mapped, config: Config, data: Mapping[str, Any]) -> None:
    """The first licence Zenodo knows; one it does not know (a URL naming no licence in its
    vocabulary) is left to the next file that names one (sources.py), with a warning."""
    from zenodo_action.metadata.vocabularies import is_known_license

    licenses = [found for item in values(data, "license") if (found := _license_id(item))]
    known = [found for found in licenses if is_known_license(found.value)]
    if known:
        first = known[0]
        others = [found.value for found in licenses if found.path != first.path]
        mapped.set_license(first.value, first.path, others, config.position("license"))
    elif licenses:
        unknown = licenses[0]
        message = (
            f"{quote_value(unknown.value)} names no licence Zenodo knows; write an SPDX id "
            '("license": "https://spdx.org/licenses/MIT")'
        )
        line, column = config.position(unknown.path)
        mapped.unusable.append(
            Problem(ERROR, unknown.path, message, line, column, "license-unknown", "license")
        )


def _license_id(item: Located[Any]) -> Located[str] | None:
    """An SPDX id from a licence URL, an id, or a CreativeWork naming either (of the
    ones it names, the first Zenodo knows, else the first)."""
    found = literal(item)
    if isinstance(found.value, str):
        return (
            Located(identifiers.spdx_of(found.value), found.path) if found.value.strip() else None
        )
    if not isinstance(found.value, dict):
        return None
    from zenodo_action.metadata.vocabularies import is_known_license

    candidates = []
    for key in ("identifier", "@id", "id", "url"):
        named = literal(Located(found.value.get(key), paths.join(found.path, key)))
        if isinstance(named.value, str) and named.value.strip():
            candidates.append(Located(identifiers.spdx_of(named.value), named.path))
    known = [candidate for candidate in candidates if is_known_license(candidate.value)]
    if known:
        return known[0]
    return candidates[0] if candidates else None


# --- related works -----------------------------------------------------------------------

# schema.org types of cited works -> Zenodo resource types, for related identifiers.
RESOURCE_TYPES = {
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


def map_related(mapped: Mapped, data: Mapping[str, Any], index: Index) -> None:
    """The work's own DOIs (see `mapped.work_link`, as for CITATION.cff), the repository,
    the publication describing the software (isDocumentedBy), the works it cites."""
    related: list[Link] = []
    own = values(data, "identifier")
    id_key = key_of(data, "id")
    if id_key:
        own.append(Located(data[id_key], paths.join("", id_key)))
    for item in own:
        related += _work_identifier(item)
    for item in values(data, "codeRepository"):
        url = literal(_url_of(item))
        if isinstance(url.value, str) and url.value.strip():
            related.append(repository_link(url.value, url.path))
    for term, relation in (("referencePublication", "isDocumentedBy"), ("citation", "references")):
        for item in values(data, term):
            related += _cited(item, relation, index)
    if related:
        _, first_origin = related[0]
        mapped.set_related(related, origin=term_of(first_origin))


def _url_of(item: Located[Any]) -> Located[Any]:
    """A URL written as text or as `{"@id": ...}`."""
    if isinstance(item.value, dict):
        key = key_of(item.value, "id")
        if key:
            return Located(item.value[key], paths.join(item.path, key))
    return item


def _doi_in(item: Located[Any]) -> Located[str] | None:
    """A DOI written as text, a doi.org URL, a PropertyValue, or a node's @id/identifier."""
    found = literal(item)
    if isinstance(found.value, str):
        doi = identifiers.doi_of(found.value)
        return Located(doi, found.path) if doi else None
    if not isinstance(found.value, dict):
        return None
    for key in ("value", "@id", "id", "url", "identifier"):
        for named in values(found.value, key, found.path):
            written = literal(property_value(named))
            if isinstance(written.value, str) and (doi := identifiers.doi_of(written.value)):
                return Located(doi, written.path)
    return None


def _work_identifier(item: Located[Any]) -> list[Link]:
    doi = _doi_in(item)
    if doi:
        return work_link(doi.value, doi.path)
    found = literal(item)
    if isinstance(found.value, str) and found.value.strip().lower().startswith("swh:1:"):
        return work_link(found.value.strip(), found.path)
    return []  # a name ("codemetapy") or a URL: codeRepository and url say where it lives


def _cited(item: Located[Any], relation: str, index: Index) -> list[Link]:
    work = resolve(item, index)
    doi = _doi_in(work)
    if doi is None:
        return []
    related: dict[str, Any] = {"identifier": doi.value, "relation": relation}
    if isinstance(work.value, dict):
        kinds = [found.value for found in types(work.value) if found.value in RESOURCE_TYPES]
        if kinds:
            related["resource_type"] = RESOURCE_TYPES[kinds[0]]
    elif relation == "isDocumentedBy":
        related["resource_type"] = "publication-article"
    return [(related, doi.path)]


# --- funding -----------------------------------------------------------------------------

_FUNDER_PREFIX = "10.13039/"  # Crossref Funder Registry: the funder ids Zenodo's grants use
_GRANT_ID = re.compile(r"^(\S+?)::(.+)$")
_HOW_TO = "add it to .zenodo.yml as grants: [{id: '<funder DOI>::<award number>'}]"
_FUNDER_HINT = (
    "the funder DOI is the funder's Crossref Funder Registry id, e.g. 10.13039/501100000780 "
    "for the European Commission (https://search.crossref.org/funding)"
)


@dataclass(frozen=True)
class _Grant:
    """A funding entry that names a Zenodo grant."""

    id: str  # "<funder DOI>::<award>"
    entry: str  # the funding entry: the grant's origin
    award: str  # where the award (or the whole grant id) is written: the id's origin


def map_grants(mapped: Mapped, config: Config, data: Mapping[str, Any], index: Index) -> None:
    """Only what names a Zenodo grant is mapped: "<funder DOI>::<award>" as written, or an
    award number whose funder's @id is a Crossref Funder DOI. The rest is a warning saying
    how to write it as `grants` in .zenodo.yml: guessing would link the wrong grant."""
    funders = _funder_dois(data, index)
    grants: list[_Grant] = []
    unmapped: list[Problem] = []
    for entry in values(data, "funding"):
        found = _grant(config, entry, index, funders)
        if isinstance(found, Problem):
            unmapped.append(found)
        else:
            grants.append(_Grant(found.value, entry.path, found.path))
    if not unmapped:  # one cause, one warning: the funding's says what to write
        unmapped = _funders_without_grant(data, index, {grant.id for grant in grants})
    unique: dict[str, _Grant] = {}
    for grant in grants:
        unique.setdefault(grant.id, grant)
    if unique:
        ids = [{"id": grant_id} for grant_id in unique]
        entries = [grant.entry for grant in unique.values()]
        awards = [{"id": grant.award} for grant in unique.values()]
        mapped.set_list("grants", ids, entries, awards, origin="funding")
    for problem in unmapped:
        line, column = config.position(problem.path)
        mapped.problems.append(dataclasses.replace(problem, line=line, column=column))


def _grant(
    config: Config, entry: Located[Any], index: Index, funders: list[str]
) -> Located[str] | Problem:
    """A funding entry as a Zenodo grant id, at the award it is read from; or the warning
    saying why it names no grant. `funders` are the DOIs of the file's `funder`s."""
    found = resolve(entry, index)
    awards = _awards(config, found)
    for award in awards:
        grant_id = _grant_id(award.value)
        if grant_id:
            return Located(grant_id, award.path)
    if isinstance(found.value, dict):
        own_funders = [resolve(item, index) for item in values(found.value, "funder", found.path)]
        dois = [doi.value for funder in own_funders if (doi := _funder_doi(funder))]
        if awards and dois:
            return Located(f"{dois[0]}::{awards[0].value}", awards[0].path)
        if own_funders:
            return _not_a_grant(entry.path, _grant_message(awards, True, dois))
    return _not_a_grant(entry.path, _grant_message(awards, False, funders))


def _not_a_grant(path: str, message: str) -> Problem:
    return Problem(WARNING, path, message, code="funding-not-mapped", about="grants")


def _funders_without_grant(
    data: Mapping[str, Any], index: Index, grant_ids: set[str]
) -> list[Problem]:
    """A warning for each `funder` no grant names, saying how to write its grant."""
    granted = {grant_id.split("::")[0] for grant_id in grant_ids}
    found = []
    for item in values(data, "funder"):
        funder = resolve(item, index)
        doi = _funder_doi(funder)
        if doi is None or doi.value not in granted:
            found.append(_not_a_grant(item.path, _funder_message(funder.value, doi)))
    return found


def _awards(config: Config, entry: Located[Any]) -> list[Located[str]]:
    """The award numbers (or grant ids) of a funding entry: its text, or a Grant's
    identifier(s) as text, numbers or PropertyValues."""
    if not isinstance(entry.value, dict) or "@value" in entry.value:
        award = scalar_text(config, entry)
        return [award] if award else []
    found = []
    for item in values(entry.value, "identifier", entry.path):
        award = scalar_text(config, property_value(item))
        if award:
            found.append(award)
    return found


def _grant_id(written: str) -> str | None:
    """ "<funder DOI>::<award>" with a Crossref Funder DOI, as Zenodo writes grant ids."""
    match = _GRANT_ID.match(written.strip())
    if match is None:
        return None
    doi = _crossref_funder(match.group(1))
    award = match.group(2).strip()
    return f"{doi}::{award}" if doi and award else None


def _crossref_funder(written: str) -> str | None:
    doi = identifiers.doi_of(written)
    return doi if doi and doi.startswith(_FUNDER_PREFIX) else None


def _funder_doi(funder: Located[Any]) -> Located[str] | None:
    """A funder's Crossref Funder DOI: the funder written as one, its @id, or an identifier."""
    if isinstance(funder.value, str):
        candidates = [funder]
    elif isinstance(funder.value, dict):
        key = key_of(funder.value, "id")
        candidates = [Located(funder.value[key], paths.join(funder.path, key))] if key else []
        identifier = values(funder.value, "identifier", funder.path)
        candidates += [property_value(item) for item in identifier]
    else:
        return None
    for candidate in candidates:
        found = literal(candidate)
        if isinstance(found.value, str) and (doi := _crossref_funder(found.value)):
            return Located(doi, found.path)
    return None


def _funder_dois(data: Mapping[str, Any], index: Index) -> list[str]:
    dois = []
    for item in values(data, "funder"):
        doi = _funder_doi(resolve(item, index))
        if doi and doi.value not in dois:
            dois.append(doi.value)
    return dois


def _grant_message(awards: list[Located[str]], has_funder: bool, dois: list[str]) -> str:
    """Why a funding entry is not a grant, with the grant id to write when it can be told."""
    start = "not mapped to a Zenodo grant"
    if not awards and len(dois) == 1:
        return (
            f"{start}: it has no award number (identifier); write the award number as its "
            f"identifier, or add grants: [{{id: '{dois[0]}::<award number>'}}] to .zenodo.yml"
        )
    if not awards:
        return f"{start}: it has no award number (identifier); {_HOW_TO}; {_FUNDER_HINT}"
    award = awards[0].value
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


def _funder_message(funder: Any, doi: Located[str] | None) -> str:
    name = name_part(funder, "name", "") if isinstance(funder, dict) else None
    who = quote_value(name.value) if name else "this funder"
    if doi:
        return (
            f"not mapped to a Zenodo grant: a Zenodo grant is a funder and an award number, "
            f"and {who} comes with no award; add it to .zenodo.yml as "
            f"grants: [{{id: '{doi.value}::<award number>'}}]"
        )
    return (
        f"not mapped to a Zenodo grant: a Zenodo grant is a funder and an award number, and "
        f"{who} comes with neither a Crossref Funder DOI nor an award; {_HOW_TO}; {_FUNDER_HINT}"
    )
