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
from zenodo_action.metadata import paths, values
from zenodo_action.metadata.problems import ERROR, Problem, quote_value

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
    record merged from several files (`record.Record`)."""

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


def readable_file(path: Path, *, shown: str | None = None, hint: str | None = None) -> Path:
    """`path`, when it is a regular file; else a UsageError naming it as `shown` (the path
    as the user wrote it), with `hint` (which setting named it) where the path is wrong."""
    name = short_path(shown or str(path))
    try:
        return _readable_file(path, name, hint or "check the path of the metadata file")
    except OSError as error:  # a name too long, a loop of symlinks, ...: not ours to fix
        raise UsageError(
            f"{name}: cannot use this path ({error.strerror or error})",
            hint=hint or "check the path given for the metadata file",
        ) from None


def short_path(text: str) -> str:
    """A path for a message: whole when short, its two ends when absurdly long."""
    return text if len(text) <= 120 else f"{text[:60]}...{text[-40:]} ({len(text)} characters)"


def _readable_file(path: Path, name: str, hint: str) -> Path:
    if not path.exists():
        # No file= on purpose: an annotation cannot point into a file that does not exist.
        raise UsageError(f"{name}: no such file", hint=hint)
    if path.is_dir():
        raise UsageError(f"{name} is a directory, not a metadata file", hint=hint)
    if not path.is_file():  # a FIFO or device could block or never end
        raise UsageError(f"{name} is not a regular file")
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
    except _BadEscape as error:
        if path.suffix.lower() == ".json":
            json_problem = _json_problem(text)
            if json_problem:
                return Config(path, None, [json_problem])
        message = "a \\U escape names no character (the largest is \\U0010FFFF); fix or remove it"
        return failed(message, "syntax", error.line, error.column)
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


class _BadEscape(Exception):
    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line = line
        self.column = column


def _compose(text: str) -> yaml.Node | None:
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except (ValueError, OverflowError):
        # PyYAML's scanner calls chr() on a "\UFFFFFFFF" escape unchecked; its reader sits
        # on the escape's digits.
        mark = loader.get_mark()
        raise _BadEscape(mark.line + 1, max(mark.column - 1, 1)) from None
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
        # Only the syntax matters here, so no integer is converted: a 5000-digit one would
        # pass Python's int/str limit (the builder reports it at its line).
        json.loads(text, parse_int=len)
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

    def error_here(self, path: str, message: str, code: str) -> None:
        """An error at the place recorded for `path`: where `validate` puts the same
        finding, so the two are one problem (see values.py)."""
        place = self.places.get(path) or self.places[""]
        self.problems.append(Problem(ERROR, path, message, place.line, place.column, code))

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
            key = values.joined(key_node.value)  # as written: `on`, `yes`, `2024` stay text
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
            unencodable = values.text_problem(key)
            if unencodable:
                self.error_here(key_path, f"the key {unencodable}", values.UNENCODABLE)
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
        value = self.typed(node, path)
        for message, code in (
            (values.text_problem(value), values.UNENCODABLE),
            (values.number_problem(value), values.NON_FINITE),
        ):
            if message:
                self.error_here(path, message, code)
        return value

    def typed(self, node: yaml.ScalarNode, path: str) -> Any:
        tag = node.tag
        if tag == _TAG + "str" and node.style is None and self.path.suffix.lower() == ".json":
            return _json_word(node.value)
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return values.joined(node.value)  # dates stay text, exactly as in a .zenodo.json
        if tag == _TAG + "null":
            return None
        constructors = {
            _TAG + "bool": self.scalars.construct_yaml_bool,
            _TAG + "int": self.scalars.construct_yaml_int,
            _TAG + "float": self.scalars.construct_yaml_float,
        }
        if tag not in constructors:
            message = f"YAML tag {quote_value(tag)} is not supported here; remove it"
            self.error(path, message, "yaml-tag", node.start_mark)
            return node.value
        try:
            return constructors[tag](node)
        # PyYAML's constructors trust the resolver: an explicit tag on an odd value (`!!bool`
        # alone, `!!int x`, `!!float ''`) fails in any of these ways.
        except (ConstructorError, ValueError, LookupError, ArithmeticError):
            self.error(path, *_unreadable(tag, node.value), node.start_mark)
            return node.value


def _json_word(word: str) -> Any:
    """A bare word in a `.zenodo.json` that YAML 1.1 reads as text (`NaN`, `Infinity`,
    `1e5`): what Python's json, like Zenodo's GitHub integration, makes of it."""
    try:
        return json.loads(word)
    except ValueError:  # not JSON: the strict JSON check has reported the file already
        return word


def _unreadable(tag: str, value: str) -> tuple[str, str]:
    """What to say about a scalar its tag's constructor cannot read, and the code."""
    kind = tag.removeprefix(_TAG)
    if kind == "bool":
        return f"{quote_value(value)} is not true or false; fix it or remove the tag", "bad-value"
    if len(value) > 1000:  # past Python's int/str conversion limit (4300 digits) too
        return f"a number of {len(value)} characters is too large for any field", "bad-number"
    return f"{quote_value(value)} is not a number YAML can read", "bad-number"
