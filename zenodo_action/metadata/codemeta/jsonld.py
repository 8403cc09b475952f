"""Reading codemeta's JSON-LD: a term's values, each with the path it is written at.

Every form JSON-LD allows around a value is read: one value or a list, `{"@list": [...]}`
and `{"@set": [...]}`, `{"@value": ...}`, `id`/`type` for `@id`/`@type`, a type with or
without its schema.org prefix, and a node given by reference (`{"@id": ...}`) to where the
same `@id` is written out in full. Paths are the loader's JSON paths (metadata/paths.py),
so every value read can be placed on its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from zenodo_action.metadata import paths
from zenodo_action.metadata.loader import Config

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
