"""JSON paths (`creators[1].orcid`) for problems, and Zenodo's error fields mapped onto them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

# Plain names may hold hyphens: CITATION.cff's keys do (`authors[0].family-names`).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')

Part = str | int


def join(parent: str, part: Part) -> str:
    """`join("creators", 1)` -> `creators[1]`; odd keys are quoted: `custom["dwc:genus"]`."""
    if isinstance(part, int):
        return f"{parent}[{part}]"
    if _IDENTIFIER.match(part):
        return f"{parent}.{part}" if parent else part
    return f"{parent}[{json.dumps(part)}]"


def split(path: str) -> list[Part]:
    """The inverse of `join`; stops at the first piece it cannot read."""
    parts: list[Part] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            break
        name, index, quoted = match.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(json.loads(quoted))
        position = match.end()
    return parts


def build(parts: list[Part]) -> str:
    path = ""
    for part in parts:
        path = join(path, part)
    return path


def ancestors(path: str) -> Iterator[str]:
    """The path, its parent, ... up to the whole document ("")."""
    parts = split(path)
    while True:
        yield build(parts)
        if not parts:
            return
        parts.pop()


def mappings_at(data: Mapping[str, Any], key: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, item) for each mapping in the list at `key`, skipping malformed entries."""
    items = data.get(key)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield join(key, index), item


# Where today's Zenodo reports an error on a field that has another name in .zenodo.yml
# (its RDM-side names; reference zenodo-api.md §4.3 and §6).
_RDM_FIELDS = {
    "resource_type": "upload_type",
    "rights": "license",
    "subjects": "keywords",
    "languages": "language",
    "funding": "grants",
    "publisher": "imprint_publisher",
}
_RDM_TOP = {
    ("access", "embargo"): "embargo_date",
    ("pids", "doi"): "doi",
}


def path_from_zenodo_field(field: str) -> str:
    """Zenodo's error field (`metadata.creators.0.name`) as our JSON path (`creators[0].name`).

    Fields with no place in the file (`files.enabled`, `_schema`) give "" (the whole file).
    """
    pieces = [piece for piece in field.split(".") if piece]
    if pieces[:1] == ["metadata"]:
        pieces = pieces[1:]
    elif len(pieces) >= 2 and (pieces[0], pieces[1]) in _RDM_TOP:
        return _RDM_TOP[pieces[0], pieces[1]]
    else:
        return ""
    if not pieces:
        return ""
    if pieces[0] == "additional_descriptions":  # notes first, then method (the deserializer)
        return "method" if pieces[1:2] == ["1"] else "notes"
    pieces[0] = _RDM_FIELDS.get(pieces[0], pieces[0])
    parts: list[Part] = []
    for index, piece in enumerate(pieces):
        if piece == "person_or_org":  # RDM splits the name; the file has one `name`
            # its identifiers: the ORCID, which the deserializer puts first
            parts.append("orcid" if "identifiers" in pieces[index:] else "name")
            break
        if piece in ("scheme", "subjects") and index > 0:  # the detected scheme, a subject
            break
        if piece == "relation_type":
            parts.append("relation")
            break
        parts.append(int(piece) if piece.isdigit() else piece)
    return build(parts)
