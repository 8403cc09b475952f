"""Finding and loading `.zenodo.yml` / `.zenodo.json` with a line and column for every value.

PyYAML composes the node graph (which carries source marks); we turn it into plain data
ourselves, so that we can record positions, catch duplicate keys (YAML loaders keep the
last silently), keep dates and `on`/`yes` keys as the text the user wrote, and refuse
alias bombs instead of expanding them. JSON is YAML, so `.zenodo.json` goes the same way.
"""

from __future__ import annotations

import codecs
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.reader import ReaderError

from zenodo_action.errors import UsageError
from zenodo_action.metadata import paths
from zenodo_action.metadata.problems import ERROR, Problem

MAX_BYTES = 1024 * 1024  # a real file is a few KiB; this keeps parsing time bounded
MAX_NODES = 100_000  # values after alias expansion: stops "billion laughs"
MAX_DEPTH = 64  # nesting of lists and mappings

_TAG = "tag:yaml.org,2002:"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class _Place:
    line: int
    column: int
    key_line: int | None = None
    key_column: int | None = None
    raw: str | None = None  # the scalar exactly as written, for hints like "quote it"


class Document(Protocol):
    """A metadata record with the places of its values: a loaded file (`Config`), or the
    record merged from several files (`sources.Record`)."""

    @property
    def data(self) -> dict[str, Any] | None: ...

    @property
    def problems(self) -> list[Problem]: ...

    def position(self, json_path: str) -> tuple[int | None, int | None]: ...

    def key_position(self, json_path: str) -> tuple[int | None, int | None]: ...

    def raw_text(self, json_path: str) -> str | None: ...


@dataclass
class Config:
    """A loaded metadata file: its data (None when unusable) and the problems met loading it."""

    path: Path
    data: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    _places: dict[str, _Place] = field(default_factory=dict, repr=False)

    def position(self, json_path: str) -> tuple[int | None, int | None]:
        """Line and column (1-based) of a value, else of its nearest existing ancestor."""
        place = self._nearest(json_path)
        return (place.line, place.column) if place else (None, None)

    def key_position(self, json_path: str) -> tuple[int | None, int | None]:
        """Where a mapping key is written (for unknown or duplicate keys)."""
        place = self._places.get(json_path)
        if place and place.key_line is not None:
            return place.key_line, place.key_column
        return self.position(json_path)

    def raw_text(self, json_path: str) -> str | None:
        """The scalar at `json_path` as written in the file (before YAML typed it)."""
        place = self._places.get(json_path)
        return place.raw if place else None

    def _nearest(self, json_path: str) -> _Place | None:
        return next(
            (self._places[p] for p in paths.ancestors(json_path) if p in self._places), None
        )


def readable_file(path: Path) -> Path:
    if not path.exists():
        # No file= on purpose: an annotation cannot point into a file that does not exist.
        raise UsageError(f"{path}: no such file", hint="check the --config path")
    if path.is_dir():
        raise UsageError(f"{path} is a directory", hint="pass the path of the metadata file itself")
    if not path.is_file():  # a FIFO or device could block or never end
        raise UsageError(f"{path} is not a regular file")
    return path


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and parse a metadata file.

    Raises UsageError when the file cannot be read; problems with its content (syntax,
    encoding, duplicate keys, ...) are returned in `Config.problems`, never raised.
    """
    path = readable_file(Path(path))
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_BYTES + 1)
    except PermissionError:
        raise UsageError(
            f"{path}: permission denied", hint="make the file readable", file=str(path)
        ) from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read the file ({error.strerror})") from None
    return _parse(path, content)


def _parse(path: Path, content: bytes) -> Config:
    def failed(
        message: str, code: str, line: int | None = None, column: int | None = None
    ) -> Config:
        return Config(path, None, [Problem(ERROR, "", message, line, column, code)])

    if len(content) > MAX_BYTES:
        return failed(
            f"the file is larger than {MAX_BYTES // 1024} KiB; a metadata file is a few KiB, "
            "so this is probably not the right file",
            "file-too-large",
        )
    text, decode_problem = _decode(content)
    if "\x00" in text or (decode_problem and b"\x00" in content):
        return failed("the file contains NUL bytes: it is a binary file, not YAML", "binary")
    if decode_problem:
        return Config(path, None, [decode_problem])
    if path.suffix.lower() == ".json":
        text = text.replace("\t", " ")  # tabs are JSON whitespace but not YAML; same width
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as error:
        return _syntax_failure(path, text, error)
    except ReaderError as error:
        line, column = _line_column(text, error.position)
        return failed(
            f"character {error.character!r} is not allowed in YAML; remove it",
            "bad-character",
            line,
            column,
        )
    except RecursionError:
        return failed("the file is nested too deeply to be metadata", "too-deep")
    except yaml.YAMLError as error:
        return failed(f"YAML error: {error}", "syntax")
    if path.suffix.lower() == ".json" and node is not None:
        json_problem = _json_problem(text)
        if json_problem:  # YAML is more forgiving (trailing commas, comments)
            return Config(path, None, [json_problem])
    if node is None:
        return failed(f"the file is empty; it needs at least {_needs(path)}", "empty")
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        return failed(
            f"the file holds {kind}; it must be a mapping of fields ({_needs(path)})",
            "not-a-mapping",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
    return _Builder(path).build_document(node)


def _decode(content: bytes) -> tuple[str, Problem | None]:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding), None
            except UnicodeDecodeError:
                break
    try:
        return content.decode("utf-8"), None
    except UnicodeDecodeError as error:
        before = content[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        byte = content[error.start]
        message = f"byte 0x{byte:02x} is not valid UTF-8; save the file as UTF-8"
        return "", Problem(ERROR, "", message, line, column, "encoding")


def _compose(text: str) -> yaml.Node | None:
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _line_column(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _syntax_failure(path: Path, text: str, error: yaml.MarkedYAMLError) -> Config:
    if path.suffix.lower() == ".json":
        json_problem = _json_problem(text)
        if json_problem:
            return Config(path, None, [json_problem])
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    what = " ".join(part for part in (error.context, error.problem) if part)
    message = f"YAML syntax error: {what or 'cannot parse the file'}" + _syntax_hint(text, line)
    return Config(path, None, [Problem(ERROR, "", message, line, column, "syntax")])


def _json_problem(text: str) -> Problem | None:
    """A `.zenodo.json` must be strict JSON: Zenodo's GitHub integration reads it as such."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        comma = _trailing_comma(text, error.pos)
        if comma is not None:
            line, column = _line_column(text, comma)
            message = (
                "JSON syntax error: a comma before the closing bracket (JSON allows no "
                "trailing comma, and Zenodo's GitHub integration fails on it); remove it"
            )
            return Problem(ERROR, "", message, line, column, "trailing-comma")
        message = f"JSON syntax error: {error.msg}"
        return Problem(ERROR, "", message, error.lineno, error.colno, "syntax")
    except RecursionError:
        return Problem(ERROR, "", "the file is nested too deeply to be metadata", code="too-deep")
    return None


def _needs(path: Path) -> str:
    """The fields a metadata file of this kind cannot do without, for messages."""
    if path.suffix.lower() == ".cff":
        return "cff-version, message, title and authors"
    return "title, upload_type and creators"


def _trailing_comma(text: str, position: int) -> int | None:
    """Where the comma is, when the parser stopped at `}` or `]` right after one."""
    if text[position : position + 1] not in ("}", "]"):
        return None
    before = text[:position].rstrip()
    return len(before) - 1 if before.endswith(",") else None


def _syntax_hint(text: str, line: int | None) -> str:
    if line is None:
        return ""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in source[: len(source) - len(source.lstrip())]:
        return "; indent with spaces, YAML does not allow tabs"
    return ""


class _TooLarge(Exception):
    pass


class _TooDeep(Exception):
    pass


class _Builder:
    """Node graph -> plain data, recording where each value came from."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.places: dict[str, _Place] = {}
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self.active: set[int] = set()  # nodes being built, to catch recursive aliases
        self.scalars = SafeConstructor()

    def build_document(self, node: yaml.MappingNode) -> Config:
        self.places[""] = _Place(node.start_mark.line + 1, node.start_mark.column + 1)
        try:
            data = self.value(node, "", 0)
        except _TooLarge:
            return self._refuse(
                f"the file holds more than {MAX_NODES} values (counting each use of a YAML "
                "alias *name); refusing to expand it",
                "too-many-values",
            )
        except _TooDeep:
            return self._refuse(f"values are nested more than {MAX_DEPTH} levels deep", "too-deep")
        return Config(self.path, data, self.problems, self.places)

    def _refuse(self, message: str, code: str) -> Config:
        return Config(self.path, None, [Problem(ERROR, "", message, code=code)])

    def error(self, path: str, message: str, code: str, mark: yaml.Mark) -> None:
        self.problems.append(Problem(ERROR, path, message, mark.line + 1, mark.column + 1, code))

    def value(self, node: yaml.Node, path: str, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge
        if depth > MAX_DEPTH:
            raise _TooDeep
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            message = "a YAML alias refers to itself; remove it"
            self.error(path, message, "recursive-alias", node.start_mark)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node, path, depth)
            assert isinstance(node, yaml.MappingNode)  # the composer makes no other kind
            return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def sequence(self, node: yaml.SequenceNode, path: str, depth: int) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            item_path = paths.join(path, index)
            self.places[item_path] = self.place_of(item)
            items.append(self.value(item, item_path, depth + 1))
        return items

    def mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.merge(result, value_node, path, depth)
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                message = "a key must be a plain name, not a list or mapping"
                self.error(path, message, "bad-key", key_node.start_mark)
                continue
            key = key_node.value  # as written: `on`, `yes`, `2024` stay text
            key_path = paths.join(path, key)
            if key in first_seen:
                first = first_seen[key].start_mark.line + 1
                message = (
                    f"duplicate key {key!r} (first on line {first}); YAML keeps only the last "
                    "one, so remove one of them"
                )
                self.error(key_path, message, "duplicate-key", key_node.start_mark)
            first_seen[key] = key_node
            self.places[key_path] = self.place_of(value_node, key_node)
            result[key] = self.value(value_node, key_path, depth + 1)
        return result

    def merge(self, result: dict[str, Any], node: yaml.Node, path: str, depth: int) -> None:
        """`<<: *defaults`; merged first, so keys written in the mapping itself win."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                message = "'<<' must refer to a mapping (or a list of them)"
                self.error(path, message, "bad-merge", source.start_mark)
                continue
            result.update(self.value(source, path, depth))

    def place_of(self, node: yaml.Node, key: yaml.Node | None = None) -> _Place:
        mark = node.start_mark
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        if key is None:
            return _Place(mark.line + 1, mark.column + 1, raw=raw)
        key_line, key_column = key.start_mark.line + 1, key.start_mark.column + 1
        if not raw or mark.line != key.start_mark.line:
            # a block list/mapping or an empty value starts below its key: point at the key
            return _Place(key_line, key_column, key_line, key_column, raw)
        return _Place(mark.line + 1, mark.column + 1, key_line, key_column, raw)

    def scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        tag = node.tag
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return node.value  # dates stay text, exactly as in a .zenodo.json
        if tag == _TAG + "null":
            return None
        constructors = {
            _TAG + "bool": self.scalars.construct_yaml_bool,
            _TAG + "int": self.scalars.construct_yaml_int,
            _TAG + "float": self.scalars.construct_yaml_float,
        }
        if tag not in constructors:
            message = f"YAML tag {tag!r} is not supported here; remove it"
            self.error(path, message, "yaml-tag", node.start_mark)
            return node.value
        try:
            return constructors[tag](node)
        except (ConstructorError, ValueError):
            message = f"{node.value[:40]!r} is not a number YAML can read"
            self.error(path, message, "bad-number", node.start_mark)
            return node.value
