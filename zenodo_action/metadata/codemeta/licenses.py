"""A codemeta.json's licence, as the one SPDX id a Zenodo record has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zenodo_action.metadata import identifiers, paths
from zenodo_action.metadata.codemeta.jsonld import Located, literal, values
from zenodo_action.metadata.loader import Config
from zenodo_action.metadata.mapped import Mapped
from zenodo_action.metadata.problems import ERROR, Problem, quote_value
from zenodo_action.metadata.vocabularies import is_known_license


def map_license(mapped: Mapped, config: Config, data: Mapping[str, Any]) -> None:
    """The first licence Zenodo knows; one it does not know (a URL naming no licence in its
    vocabulary) is left to the next file that names one (sources.py), with a warning."""
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
        if not found.value.strip():
            return None
        return Located(identifiers.spdx_of(found.value), found.path)
    if not isinstance(found.value, dict):
        return None
    candidates = []
    for key in ("identifier", "@id", "id", "url"):
        named = literal(Located(found.value.get(key), paths.join(found.path, key)))
        if isinstance(named.value, str) and named.value.strip():
            candidates.append(Located(identifiers.spdx_of(named.value), named.path))
    known = [candidate for candidate in candidates if is_known_license(candidate.value)]
    if known:
        return known[0]
    return candidates[0] if candidates else None
