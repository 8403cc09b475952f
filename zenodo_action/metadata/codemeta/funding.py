"""A codemeta.json's funding, as Zenodo grants where it names one, and warnings elsewhere."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zenodo_action.metadata import identifiers, paths
from zenodo_action.metadata.codemeta.agents import name_part
from zenodo_action.metadata.codemeta.jsonld import (
    Index,
    Located,
    key_of,
    literal,
    property_value,
    resolve,
    scalar_text,
    values,
)
from zenodo_action.metadata.loader import Config
from zenodo_action.metadata.mapped import Mapped
from zenodo_action.metadata.problems import WARNING, Problem, quote_value

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
    if grants:
        _set_grants(mapped, grants)
    for problem in unmapped:
        line, column = config.position(problem.path)
        mapped.problems.append(dataclasses.replace(problem, line=line, column=column))


def _set_grants(mapped: Mapped, grants: list[_Grant]) -> None:
    """Each grant id once, from the first entry naming it. The list is placed at the
    `funding` term itself, also when its entries sit in an `@list`."""
    unique: dict[str, _Grant] = {}
    for grant in grants:
        unique.setdefault(grant.id, grant)
    ids = [{"id": grant_id} for grant_id in unique]
    entries = [grant.entry for grant in unique.values()]
    awards = [{"id": grant.award} for grant in unique.values()]
    mapped.set_list("grants", ids, entries, awards, origin="funding")


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
