"""A codemeta.json's terms as the record's fields, each with the path it came from.

The title, people, description, keywords, upload type and version are mapped here; the
licence, related identifiers and grants in modules of their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from zenodo_action.metadata import markup
from zenodo_action.metadata.codemeta.agents import (
    CONTRIBUTOR_TERMS,
    CREATOR_TERMS,
    MappedPerson,
    agents,
    mapped_person,
    name_part,
)
from zenodo_action.metadata.codemeta.funding import map_grants
from zenodo_action.metadata.codemeta.jsonld import (
    Index,
    Located,
    first_text,
    index_nodes,
    literal,
    scalar_text,
    term_of,
    types,
    unpack,
    values,
)
from zenodo_action.metadata.codemeta.licenses import map_license
from zenodo_action.metadata.codemeta.links import map_related
from zenodo_action.metadata.loader import Config
from zenodo_action.metadata.mapped import Mapped
from zenodo_action.metadata.problems import NOTICE, Problem, quote_value

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
    for field, found in (("creators", creators), ("contributors", contributors)):
        for person in found:
            _note_affiliations(mapped, config, person, field, noted)
        if found:
            creator_list = [person.creator for person in found]
            entries = [person.entry for person in found]
            _set_list(mapped, field, creator_list, entries, [person.origins for person in found])


def _mapped_people(data: Mapping[str, Any], term: str, index: Index) -> list[MappedPerson]:
    found = (mapped_person(agent, index) for agent in agents(data, term, index))
    return [person for person in found if person]


def _note_affiliations(
    mapped: Mapped, config: Config, person: MappedPerson, field: str, noted: set[str]
) -> None:
    """A notice when a person's other affiliations are dropped, about the `field` the
    person goes to (moot, and dropped, when a more specific file gives that field)."""
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
        Problem(NOTICE, person.entry, message, line, column, "several-affiliations", field)
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
