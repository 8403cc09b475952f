"""A codemeta.json's own problems: loading, the top level, @context, ORCIDs, dates, names.

The terms are read whatever the file's `@context` says (a warning when it is not
codemeta's); each problem is placed on its line and tied to the record's field its value
becomes, so sources.py can tell whether it matters.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any

from zenodo_action.metadata import identifiers, paths
from zenodo_action.metadata.codemeta.agents import (
    CREATOR_TERMS,
    PEOPLE_TERMS,
    mapped_person,
    orcid_of,
    people,
)
from zenodo_action.metadata.codemeta.jsonld import (
    Index,
    Located,
    index_nodes,
    literal,
    term_of,
    values,
)
from zenodo_action.metadata.loader import Config
from zenodo_action.metadata.people import orcid_problem
from zenodo_action.metadata.problems import ERROR, WARNING, Problem, quote_value, sort_problems

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
        # what is wrong with @graph is the key itself, not the nodes written under it
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
    if identifiers.DATE.match(value) is None:
        return Problem(severity, date.path, _date_format_message(value), code="date-format")
    if not _exists(value):
        message = f"{quote_value(value)} is not a date that exists"
        return Problem(severity, date.path, message, code="date-invalid")
    return None


def _date_format_message(value: str) -> str:
    prefix = _DATE_TIME.match(value)
    if prefix and _exists(prefix.group(1)):
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
