"""A source's metadata in Zenodo's terms, remembering where in the source each value came from.

CITATION.cff and codemeta.json speak other vocabularies; their mappers fill a `Mapped`
with Zenodo fields and, for every value, the JSON path it was read from, so a problem
found in the merged record is annotated on the line of the source that holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zenodo_action.metadata import identifiers, paths
from zenodo_action.metadata.problems import NOTICE, Problem, quote_value

Link = tuple[dict[str, Any], str]  # a related identifier, and where it is written


def work_link(identifier: str, origin: str) -> list[Link]:
    """An identifier a file gives for the work itself: never the record's own DOI (Zenodo
    mints that). A Zenodo DOI names an earlier version or the concept (isVersionOf); a
    Software Heritage id archives the same code (isIdenticalTo), sent as the archive's
    page, since Zenodo recognises no scheme in a bare SWHID (one that is no SWHID is left
    out; CITATION.cff's schema warns about it). Any other DOI or URL is, in real files,
    mostly the paper about the software: the record supplements it (isSupplementTo),
    which stays true if it is the same software registered elsewhere."""
    if identifiers.is_zenodo_doi(identifier):
        return [({"identifier": identifier, "relation": "isVersionOf"}, origin)]
    if identifier.lower().startswith("swh:"):
        archived = identifiers.swh_archive_url(identifier)
        return [({"identifier": archived, "relation": "isIdenticalTo"}, origin)] if archived else []
    return [({"identifier": identifier, "relation": "isSupplementTo"}, origin)]


def repository_link(url: str, origin: str) -> Link:
    """The code repository, as a browser opens it: the record supplements it."""
    link = {"identifier": identifiers.web_url(url), "relation": "isSupplementTo"}
    return {**link, "resource_type": "software"}, origin


# When a file names one identifier twice, the more telling relation stays.
_GENERIC_RELATIONS = ("isSupplementTo", "isIdenticalTo")


@dataclass
class Mapped:
    data: dict[str, Any] = field(default_factory=dict)
    # Zenodo JSON path -> the source's JSON path it came from
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # noticed while mapping
    # Values the source gives that Zenodo cannot take (a licence URL naming no licence it
    # knows): an error each, about the field, unless another file gives it (record.py).
    unusable: list[Problem] = field(default_factory=list)

    def set(self, key: str, value: Any, origin: str) -> None:
        self.data[key] = value
        self.origins[key] = origin

    def set_list(
        self,
        key: str,
        items: Sequence[Any],
        origins: Sequence[str],
        suborigins: Sequence[Mapping[str, str]] = (),
        *,
        origin: str | None = None,
    ) -> None:
        """A list field whose items came from `origins`; `suborigins[i]` says where item
        i's own keys came from (Zenodo key -> source path); `origin` is where the list as
        a whole is written (default: the list holding the first item)."""
        self.data[key] = list(items)
        self.origins[key] = origin if origin is not None else _parent(origins[0]) if origins else ""
        for index, origin in enumerate(origins):
            target = paths.join(key, index)
            self.origins[target] = origin
            if index < len(suborigins):
                for name, source in suborigins[index].items():
                    self.origins[paths.join(target, name)] = source

    def set_license(
        self,
        chosen: str,
        origin: str,
        dropped: Sequence[Any],
        place: tuple[int | None, int | None],
    ) -> None:
        """The licence, the first a file names; a record has one, so any others are
        `dropped`, with a notice at `place` (where the file lists them)."""
        self.set("license", chosen, origin)
        if not dropped:
            return
        others = ", ".join(quote_value(item) for item in dropped)
        message = (
            f"{len(dropped) + 1} licences: a Zenodo record has one, so {quote_value(chosen)} "
            f"(the first) is used, not {others}; to choose another, set license in .zenodo.yml"
        )
        self.problems.append(
            Problem(NOTICE, "license", message, *place, "several-licenses", "license")
        )

    def set_related(self, related: Sequence[Link], *, origin: str | None = None) -> None:
        """Related identifiers with their origins, each identifier once: a specific
        relation (isDocumentedBy, references) wins over a generic one."""
        chosen: dict[str, Link] = {}
        for item, where in related:
            key = str(item["identifier"]).lower()
            kept = chosen.get(key)
            if kept is None or (
                kept[0]["relation"] in _GENERIC_RELATIONS
                and item["relation"] not in _GENERIC_RELATIONS
            ):
                chosen[key] = (item, where)
        if chosen:
            unique = list(chosen.values())
            items, origins = [i for i, _ in unique], [o for _, o in unique]
            self.set_list("related_identifiers", items, origins, origin=origin)

    def origin(self, zenodo_path: str) -> str | None:
        """The source path of a Zenodo path, or of its nearest mapped ancestor."""
        found = (self.origins.get(p) for p in paths.ancestors(zenodo_path) if p)
        return next((origin for origin in found if origin is not None), None)


def _parent(path: str) -> str:
    return paths.build(paths.split(path)[:-1])
