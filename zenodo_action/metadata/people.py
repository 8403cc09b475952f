"""A person or organization as a Zenodo creator, whichever file describes them.

CITATION.cff and codemeta.json name people with keys of their own (`family-names`,
`familyName`); each reader gathers them into a `Person`, and `zenodo_creator` makes the
creator Zenodo stores, so both files name the same person alike. The ORCID check both
readers make is here too, so it says the same in both. (A name given as one text, such as
a GitHub display name, is read in names.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from zenodo_action.metadata import identifiers
from zenodo_action.metadata.problems import ERROR, WARNING, Problem, quote_value


@dataclass(frozen=True)
class Person:
    """The parts of a creator as a file writes them ("" where it gives none). `name` is an
    organization's name (or anyone's written whole); the other name parts are a person's."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der", written before the family names
    suffix: str = ""  # "Jr.", written after them
    name: str = ""
    affiliation: str = ""
    orcid: str = ""  # as written: a URL or a bare iD


def zenodo_creator(person: Person) -> dict[str, Any] | None:
    """A person as a Zenodo creator: "Family, Given" with the particle and suffix on the
    family side (Zenodo splits the name at its only comma, so neither may add one), an
    organization's name as is; the ORCID as the bare iD Zenodo stores. None without a name."""
    name = _creator_name(person)
    if not name:
        return None
    creator: dict[str, Any] = {"name": name}
    if person.affiliation.strip():
        creator["affiliation"] = person.affiliation.strip()
    if person.orcid.strip():
        orcid = person.orcid
        creator["orcid"] = identifiers.read_orcid(orcid) or identifiers.bare_orcid(orcid)
    return creator


def _creator_name(person: Person) -> str:
    if person.name.strip():
        return person.name.strip()
    parts = (person.particle, person.family, person.suffix)
    family = " ".join(part.strip() for part in parts if part.strip())
    given = person.given.strip()
    if family and given:
        return f"{family}, {given}"
    return family or given  # given names alone: what Zenodo's own CFF reader does


def orcid_problem(written: str, path: str, *, any_url: bool, convention: str) -> Problem | None:
    """An ORCID as Zenodo reads it: one it would refuse is an error; one it reads, but not
    written as the file's `convention` says (e.g. "CFF wants the URL"), a warning showing
    the URL to write. With `any_url` every spelling of the iD's URL passes (http or https,
    www, any case); without, only `https://orcid.org/<iD>`, the one CFF's schema allows.
    The problem has no position yet: the reader places it in its file."""
    stored = identifiers.read_orcid(written)
    if stored is None:
        message = (
            f"{quote_value(written)} is not an ORCID iD Zenodo accepts: check its digits "
            "(the last is a checksum); copy it from the person's ORCID page"
        )
        return Problem(ERROR, path, message, code="orcid-checksum")
    url = f"https://orcid.org/{stored}"
    if written == url or (any_url and _is_url_of(written, stored)):
        return None
    message = (
        f"{quote_value(written)} is read as {url}; write it that way "
        f"({convention}, Zenodo stores the bare iD)"
    )
    return Problem(WARNING, path, message, code="orcid-repaired")


def _is_url_of(written: str, stored: str) -> bool:
    """Any spelling of the iD's URL: http or https, with or without www, in any case."""
    url = re.fullmatch(r"https?://(?:www\.)?orcid\.org/" + stored, written, re.IGNORECASE)
    return url is not None
