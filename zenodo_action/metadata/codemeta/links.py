"""A codemeta.json's identifiers and the works it names, as related identifiers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zenodo_action.metadata import identifiers, paths
from zenodo_action.metadata.codemeta.jsonld import (
    Index,
    Located,
    key_of,
    literal,
    property_value,
    resolve,
    term_of,
    types,
    values,
)
from zenodo_action.metadata.mapped import Link, Mapped, repository_link, work_link

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
