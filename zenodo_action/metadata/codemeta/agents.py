"""The people and organizations a codemeta.json names, as Zenodo creators.

A term's entries are Persons, Organizations, plain names, references to a node written
out elsewhere, or Roles (codemeta 3) standing for the agent they qualify. Names, the first
affiliation and the ORCID are gathered into a `people.Person`, which people.py makes the
creator Zenodo stores, as it does for CITATION.cff.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from zenodo_action.metadata import identifiers, paths
from zenodo_action.metadata.codemeta.jsonld import (
    Index,
    Located,
    is_a,
    key_of,
    literal,
    node_id,
    property_value,
    resolve,
    text,
    values,
)
from zenodo_action.metadata.people import Person, zenodo_creator

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


def affiliations_of(node: Mapping[str, Any], path: str, index: Index) -> list[Located[str]]:
    """The names of a Person's affiliations, written as text or as Organizations."""
    names = []
    for item in values(node, "affiliation", path):
        found = literal(resolve(item, index))
        if isinstance(found.value, dict):
            name = name_part(found.value, "name", found.path)
            if name:
                names.append(name)
        elif isinstance(found.value, str) and _is_name(found.value):
            names.append(Located(found.value.strip(), found.path))
    return names


def orcid_of(node: Mapping[str, Any], path: str) -> Located[str] | None:
    """The ORCID a Person is identified by: the `@id` when it is an ORCID, else the first
    ORCID among its `identifier`s (codemeta: "ideally an ORCID ID")."""
    key = key_of(node, "id")
    if key and isinstance(node[key], str) and _orcid_like(node[key]):
        return Located(node[key], paths.join(path, key))
    for item in values(node, "identifier", path):
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
