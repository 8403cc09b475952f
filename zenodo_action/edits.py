"""Writing a new Zenodo DOI back into a repository's own files, and changing nothing else.

Pure text in, text out: no I/O, no network. A file is never re-serialised: the parsers are
used only to find *where* each value is written (PyYAML's node marks for CITATION.cff,
`json.JSONDecoder.raw_decode` spans for codemeta.json), then exactly those characters are
replaced, or new lines are inserted in the file's own indentation. Comments, key order,
quoting, line endings (\\n, \\r\\n or a lone \\r), a byte-order mark and the presence or
absence of a final newline all survive. Every edit is idempotent: a value already right is
not touched, so a second run with the same facts changes nothing. readback.py proves each
result by parsing it again before it is written anywhere.

Decisions
---------
CITATION.cff
  * `doi` gets the concept DOI: it is right in every tree forever (a release's tagged tree
    cannot contain its own version DOI unless it was reserved first, and the concept DOI
    always resolves to the latest version). The version DOI goes into `identifiers` as
    `{type: doi, value: <version DOI>, description: The versioned DOI for version <v> on
    Zenodo}`, the common practice. If the concept DOI is unknown, `doi` gets the version
    DOI and `identifiers` is left alone (which entry is "the old version" cannot be told).
    `doi` is compared case-insensitively, and a doi.org URL there (not valid CFF) is
    replaced by the bare DOI.
  * The identifiers entry updated on the next release is: the `type: doi` entry whose value
    is already the new version DOI, else the first `type: doi` entry with a Zenodo DOI that
    is not the concept DOI. Nothing is ever deleted or duplicated; other entries stay. Its
    description is rewritten only when its value changes, so a description the user wrote
    for the current DOI is kept.
  * `version` follows the file's convention about a leading "v" (file `1.1.0`, release
    `v1.2.0` -> `1.2.0`); equal but for the "v" means untouched.
  * A replaced scalar keeps its style (plain, 'single', "double"). Plain is kept only if
    YAML reads the text back as the same string (`1.10` would be a float, so it gets
    double quotes); `date-released` stays a plain date when it was one.
  * Missing keys are appended after the last value of the top-level mapping (so trailing
    comments stay last), at the top level's column. A missing `identifiers` list copies
    the item layout of `authors` (`- ` at column 0 or indented), default 2 spaces.
  * An `identifiers` list in flow style (`[{...}]`) is refused with the line, asking for
    block style: rewriting a flow node cleanly would mean re-serialising user content. An
    empty one (`identifiers: []`, `identifiers:`) is replaced by a block list.
  * `preferred-citation` is left alone: it describes the work to cite instead (often a
    paper), whose DOI is not the software's.
  * A value we must change that is an alias (`*x`), has an anchor or tag, or is a block
    scalar (`|`, `>`) is refused with its line rather than guessed at.
  * New lines after a `|+`/`>+` block scalar go after its trailing line breaks, which are
    part of its value; one that ends the file without a line break is refused (any line
    after it would add one). A file holding U+0085, U+2028 or U+2029 is refused with the
    line: YAML 1.1 readers (PyYAML) take them as line breaks, YAML 1.2 readers do not.
  * A file nested too deeply for the parser is an EditError, never a RecursionError.
codemeta.json
  * `identifier` gets `https://doi.org/<concept DOI>` when absent or null, or when it is a
    string holding some other DOI in any form; the same DOI in another form (`doi:...`) is
    kept. A non-DOI string (or number, object) becomes `[<as written>, <DOI URL>]`. In an
    array, a Zenodo version-DOI URL is replaced by the new version's and the concept DOI's
    URL is appended when missing; other items stay.
  * `version` is set (inserted when absent); `softwareVersion`, `dateModified` and
    `datePublished` are updated only where present. New members go after the last member
    in the object's own indentation and separators.
  * Numbers are read as the text they are written as, never converted: a number of
    thousands of digits (which Python refuses to convert) is kept as it is.
README
  * Only text between `<!-- zenodo-badge -->` and `<!-- /zenodo-badge -->` changes; no
    markers, no change. Markers in code (fenced and indented code blocks, code spans, as
    CommonMark places them: markdown_code.py) are ignored, so a README that documents the
    markers is not edited. Extra spaces inside the comment (`<!--zenodo-badge-->`) are
    accepted. The scan takes time linear in the README's size.

Known limits: a codemeta `identifier` object (PropertyValue) holding the DOI is not looked
into, so the URL is added beside it; a CFF flow-style item gets a new value but no
description line.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from zenodo_action.errors import ActionError
from zenodo_action.markdown_code import in_code
from zenodo_action.metadata import doi_of
from zenodo_action.versions import bare, leading_v

MARKER_OPEN = "<!-- zenodo-badge -->"
MARKER_CLOSE = "<!-- /zenodo-badge -->"

_BOM = "\ufeff"
_ZENODO_DOI = re.compile(r"10\.[0-9]{4,9}/zenodo\.[0-9]+", re.IGNORECASE)
_ALIAS = "tag:zenodo-action,2024:alias"  # the tag of the node standing in for `*name`
_NULL = "tag:yaml.org,2002:null"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_Edit = tuple[int, int, str]  # replace text[start:end] by the string


@dataclass(frozen=True)
class DoiFacts:
    """What was just published (or reserved), as written into the files."""

    version_doi: str
    concept_doi: str | None
    version: str | None
    date: str | None
    badge: str


class EditError(ActionError):
    """A file that cannot be edited without guessing; the message names the file and line."""


def _fail(path: str, line: int, message: str, hint: str | None = None) -> EditError:
    return EditError(f"{path} line {line}: {message}", hint=hint, file=path, line=line)


# --- text helpers ---------------------------------------------------------------------------


def _split_bom(text: str) -> tuple[str, str]:
    return (_BOM, text[1:]) if text.startswith(_BOM) else ("", text)


def _newline(text: str) -> str:
    """The file's own line ending, taken from its first line: \\n, \\r\\n or a lone \\r."""
    first = _LINE_BREAK.search(text)
    return first.group() if first else "\n"


def line_of(text: str, index: int) -> int:
    """The line number of `index`, counting \\n, \\r\\n and a lone \\r as line ends."""
    return len(_LINE_BREAK.findall(text, 0, index)) + 1


def _line_start(text: str, index: int) -> int:
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends, before its line break."""
    found = _LINE_BREAK.search(text, index)
    return found.start() if found else len(text)


def _has_break(text: str) -> bool:
    return "\n" in text or "\r" in text


def _apply(text: str, edits: Sequence[_Edit]) -> str:
    # A stable sort keeps insertions at one place in the order they were made.
    out: list[str] = []
    position = 0
    for start, end, new in sorted(edits, key=lambda edit: edit[0]):
        assert start >= position, "overlapping edits"
        out += [text[position:start], new]
        position = end
    out.append(text[position:])
    return "".join(out)


def _same_doi(a: str, b: str) -> bool:
    """DOIs are case-insensitive; either may be written as a URL or with `doi:`."""
    return (doi_of(a) or a.strip()).casefold() == (doi_of(b) or b.strip()).casefold()


def _same_case_aside(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _is_version_doi(value: str, concept: str) -> bool:
    """A Zenodo DOI other than the concept's: the DOI of some earlier version."""
    doi = doi_of(value)
    return doi is not None and bool(_ZENODO_DOI.fullmatch(doi)) and not _same_doi(doi, concept)


def _follow_v(current: str | None, new: str) -> str:
    """`new`, with or without a leading "v" as the file's `current` version has it."""
    if current is None:
        return new
    current_v, new_v = leading_v(current), leading_v(new)
    if current_v and not new_v and new[:1].isdigit():
        return current_v + new
    if new_v and not current_v and current[:1].isdigit():
        return bare(new)
    return new


def _description(version: str | None) -> str:
    if version is None:
        return "The versioned DOI on Zenodo"
    return f"The versioned DOI for version {version} on Zenodo"


# --- YAML scalars -----------------------------------------------------------------------------


def _load_scalar(text: str) -> object:
    """What YAML reads `key: <text>` as (None when it cannot)."""
    try:
        loaded = yaml.safe_load("k: " + text)
    except (yaml.YAMLError, ValueError):  # ValueError: a date like 2024-02-30
        return None
    return loaded.get("k") if isinstance(loaded, dict) and len(loaded) == 1 else None


def _plain_ok(value: str, *, as_date: bool, flow: bool) -> bool:
    if not value or value != value.strip() or (flow and any(c in value for c in ",[]{}")):
        return False
    loaded = _load_scalar(value)
    if as_date:  # a plain date stays a YAML date, as it was
        return isinstance(loaded, datetime.date) and loaded.isoformat() == value
    return isinstance(loaded, str) and loaded == value


def _render(value: str, style: str | None, *, as_date: bool = False, flow: bool = False) -> str:
    """`value` as a YAML scalar in the file's style, when that style can hold it."""
    if style is None and _plain_ok(value, as_date=as_date, flow=flow):
        return value
    if style == "'":
        single = "'" + value.replace("'", "''") + "'"
        if _load_scalar(single) == value:
            return single
    return json.dumps(value)  # a JSON string is also a YAML double-quoted scalar


def _scalar_edit(
    text: str, path: str, key: str, node: yaml.Node, value: str, *, as_date: bool = False
) -> _Edit:
    """Replace the characters of one scalar, keeping its style."""
    line = node.start_mark.line + 1
    if node.tag == _ALIAS:
        raise _fail(path, line, f"`{key}` is an alias ({node.value}); write the value itself")
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(path, line, f"`{key}` must be a single value, not a list or a mapping")
    if node.style in ("|", ">"):
        raise _fail(path, line, f"`{key}` is a block scalar ({node.style}); write it on one line")
    start, end = node.start_mark.index, node.end_mark.index
    if text.startswith(("&", "!"), start):  # the span would take the anchor or tag with it
        raise _fail(path, line, f"`{key}` has an anchor or a tag; remove it so it can be updated")
    rendered = _render(value, node.style, as_date=as_date, flow=_in_flow(text, start))
    # `key:` with no value: the empty scalar's mark is right after the colon.
    return (start, end, rendered if end > start else " " + rendered)


def _in_flow(text: str, index: int) -> bool:
    """Whether `index` is inside `{...}` or `[...]` on its line (enough for one-line items)."""
    before = text[_line_start(text, index) : index]
    return before.count("{") + before.count("[") > before.count("}") + before.count("]")


# --- CITATION.cff -----------------------------------------------------------------------------


# YAML 1.1 (PyYAML, ruamel's 1.1 mode) reads these as line breaks, YAML 1.2 does not: the
# same file would have two structures, and an edit placed by one would land elsewhere.
_OTHER_BREAKS = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}
TOO_DEEP = "the file is nested too deeply to be metadata"


def _refuse_other_breaks(text: str, path: str) -> None:
    for char, name in _OTHER_BREAKS.items():
        at = text.find(char)
        if at >= 0:
            raise _fail(
                path,
                line_of(text, at),
                f"holds U+{ord(char):04X} {name}, a line break to some YAML readers and not "
                "to others",
                hint="replace it by a normal line break (or, inside a double-quoted string, "
                f"by the escape \\u{ord(char):04x})",
            )


class _Loader(yaml.SafeLoader):
    """Composes without sharing nodes: an alias becomes a placeholder at its own place, so
    every node's marks say where its own text is (a shared node's marks are the anchor's)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()  # type: ignore[no-untyped-call]  # untyped in the stubs
            if event.anchor not in self.anchors:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            return yaml.ScalarNode(_ALIAS, f"*{event.anchor}", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


def _compose_cff(text: str, path: str) -> yaml.MappingNode:
    _refuse_other_breaks(text, path)
    try:
        loader = _Loader(text)  # checks the characters already
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise yaml_failure(text, path, error) from None
    except RecursionError:
        raise _fail(path, 1, TOO_DEEP) from None
    if node is None:
        raise _fail(path, 1, "the file is empty; it must be a mapping of CFF keys")
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise _fail(path, node.start_mark.line + 1, f"the file holds {kind}, not CFF keys")
    if node.flow_style:
        raise _fail(path, node.start_mark.line + 1, "the file is one {...}; write key: value lines")
    return node


def yaml_failure(text: str, path: str, error: Exception) -> EditError:
    """The EditError, with its line, for any way PyYAML fails to read `text`: not YAML at
    all, or YAML whose values the safe loader will not build (a local tag like `!custom`,
    `!!binary` that is not base64, a list as a key, a merge key `<<` without a mapping)."""
    if isinstance(error, yaml.constructor.ConstructorError):
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        return _fail(
            path,
            line,
            f"holds a value that is not plain YAML data ({error.problem})",
            hint="write it without the tag, anchor merge or complex key: a CFF file holds "
            "plain keys, text, numbers, lists and mappings",
        )
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return _fail(path, line, f"not valid YAML ({error.problem or error.context})")
    # ReaderError (a character YAML does not allow) has a position; anything else, line 1
    line = line_of(text, getattr(error, "position", 0) or 0)
    return _fail(path, line, f"not valid YAML ({error})")


def readable_cff(text: str, path: str = "CITATION.cff") -> None:
    """EditError, with the line, when `text` is no YAML mapping the editor can work on."""
    _compose_cff(_split_bom(text)[1], path)


def _fields(
    mapping: yaml.MappingNode, path: str, watched: frozenset[str]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping's entries by key; a key we edit may not appear twice (which one is meant?)."""
    found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in mapping.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _ALIAS:
            continue
        name = str(key.value)
        if name in found and name in watched:
            first = found[name][0].start_mark.line + 1
            raise _fail(
                path, key.start_mark.line + 1, f"`{name}` appears twice (also line {first})"
            )
        found[name] = (key, value)
    return found


def _last_value(node: yaml.Node) -> yaml.Node:
    """The node written last inside a block collection (itself for anything else)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _keeps_breaks(text: str, node: yaml.ScalarNode) -> bool:
    """A block scalar with the keep indicator (`|+`, `>2+`): its trailing breaks are its."""
    if node.style not in ("|", ">"):
        return False
    header = text[node.start_mark.index + 1 : node.start_mark.index + 3]
    return "+" in header


def _content_end(text: str, node: yaml.Node) -> int:
    """Where the last character written for `node` is (a block collection's own end mark is
    at the next token, past comments and blank lines, so descend to its last value)."""
    node = _last_value(node)
    end = node.end_mark.index
    while end > 0 and text[end - 1] in " \t\r\n":  # a block scalar ends after its breaks
        end -= 1
    return end


def _item_layout(text: str, seq: yaml.Node) -> tuple[int, int] | None:
    """(column of the `-`, column of the item's keys) of a block list's first item."""
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        return None
    item = seq.value[0]
    dash = item.start_mark.index
    while dash > 0 and text[dash - 1] in " \t":
        dash -= 1
    if dash == 0 or text[dash - 1] != "-":
        return None
    dash_column = dash - 1 - _line_start(text, dash - 1)
    block_mapping = isinstance(item, yaml.MappingNode) and not item.flow_style
    key_column = item.value[0][0].start_mark.column if block_mapping else item.start_mark.column
    return (dash_column, key_column) if key_column > dash_column else None


def _item_lines(
    layout: tuple[int, int], pairs: list[tuple[str, str]], styles: dict[str, str | None]
) -> list[str]:
    dash, column = layout
    lines = []
    for number, (key, value) in enumerate(pairs):
        lead = " " * dash + "-" + " " * (column - dash - 1) if number == 0 else " " * column
        lines.append(f"{lead}{key}: {_render(value, styles.get(key))}")
    return lines


_CFF_KEYS = frozenset({"doi", "version", "date-released", "identifiers", "authors"})
_ITEM_KEYS = frozenset({"type", "value", "description"})


class _Cff:
    """The edits to one CITATION.cff, collected, then applied at once."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        self.root = _compose_cff(text, path)
        self.fields = _fields(self.root, path, _CFF_KEYS)
        self.nl = _newline(text)
        self.column = self.root.value[0][0].start_mark.column  # of top-level keys
        self.edits: list[_Edit] = []
        self.new_lines: list[str] = []  # top-level lines to append

    def result(self) -> str:
        if self.new_lines:
            self.edits.append(self._lines_after(self.root, self.new_lines))
        return _apply(self.text, self.edits)

    def _lines_after(self, node: yaml.Node, lines: list[str]) -> _Edit:
        """New lines right after what is written for `node`. After a block scalar that
        keeps its trailing line breaks (`|+`, `>+`) they go after those breaks, which are
        part of its value; otherwise after its last character, before any blank lines and
        comments that follow."""
        last = _last_value(node)
        if isinstance(last, yaml.ScalarNode) and _keeps_breaks(self.text, last):
            at = last.end_mark.index
            if at > 0 and self.text[at - 1] not in "\r\n":  # no break to keep: a line
                raise _fail(  # after it would add one to its value
                    self.path,
                    last.start_mark.line + 1,
                    f"the block scalar here keeps its line breaks ({last.style}+) and ends "
                    "the file without one, so nothing can be added after it unchanged",
                    hint="end the file with a line break, or move another key last",
                )
            return (at, at, "".join(line + self.nl for line in lines))
        at = _line_end(self.text, _content_end(self.text, node))
        return (at, at, "".join(self.nl + line for line in lines))

    def set_scalar(
        self,
        key: str,
        value: str,
        *,
        same: Callable[[str, str], bool] = str.__eq__,
        as_date: bool = False,
    ) -> None:
        if key not in self.fields:
            rendered = _render(value, None, as_date=as_date)
            self.new_lines.append(f"{' ' * self.column}{key}: {rendered}")
            return
        node = self.fields[key][1]
        if isinstance(node, yaml.ScalarNode) and node.tag != _ALIAS and same(node.value, value):
            return
        self.edits.append(_scalar_edit(self.text, self.path, key, node, value, as_date=as_date))

    def set_version(self, version: str | None) -> str | None:
        """Sets `version`; returns the version as written (None: not known)."""
        if version is None:
            return None
        node = self.fields.get("version", (None, None))[1]
        plain = isinstance(node, yaml.ScalarNode) and node.tag != _ALIAS
        written = _follow_v(str(node.value) if plain and node else None, version)
        self.set_scalar("version", written)
        return written

    def set_identifiers(self, facts: DoiFacts, version: str | None) -> None:
        concept = facts.concept_doi
        if concept is None or _same_doi(concept, facts.version_doi):
            return
        description = _description(version)
        wanted = [("type", "doi"), ("value", facts.version_doi), ("description", description)]
        if "identifiers" not in self.fields:
            layout = self._layout(self.fields.get("authors", (None, None))[1])
            self.new_lines += [f"{' ' * self.column}identifiers:"]
            self.new_lines += _item_lines(layout, wanted, {})
            return
        node = self.fields["identifiers"][1]
        if isinstance(node, yaml.SequenceNode) and not node.flow_style:
            entry = _version_entry(node, facts.version_doi, concept)
            if entry is None:
                self._append_item(node, wanted)
            else:
                self._update_entry(entry, facts.version_doi, description)
        elif _is_empty(node):
            self._fill_empty(node, wanted)
        else:
            self._refuse_identifiers(node)

    def _layout(self, model: yaml.Node | None) -> tuple[int, int]:
        default = (self.column + 2, self.column + 4)
        return (_item_layout(self.text, model) if model else None) or default

    def _append_item(self, seq: yaml.SequenceNode, wanted: list[tuple[str, str]]) -> None:
        """A new item like its siblings: their indentation, key order and quoting."""
        sibling = _sibling(seq, self.path)
        order = {name: n for n, name in enumerate(sibling)} if sibling else {}
        pairs = sorted(wanted, key=lambda pair: order.get(pair[0], len(order)))
        styles = {name: node.style for name, node in sibling.items()} if sibling else {}
        lines = _item_lines(self._layout(seq), pairs, styles)
        self.edits.append(self._lines_after(seq, lines))

    def _update_entry(self, entry: yaml.MappingNode, doi: str, description: str) -> None:
        fields = _fields(entry, self.path, _ITEM_KEYS)
        value = fields["value"][1]
        if _same_doi(str(value.value), doi):
            return  # already this version's: a description the user wrote stays
        self.edits.append(_scalar_edit(self.text, self.path, "value", value, doi))
        if "description" in fields:
            node = fields["description"][1]
            self.edits.append(_scalar_edit(self.text, self.path, "description", node, description))
        elif not entry.flow_style:
            column = entry.value[0][0].start_mark.column
            line = f"{' ' * column}description: {_render(description, None)}"
            self.edits.append(self._lines_after(entry, [line]))

    def _fill_empty(self, node: yaml.Node, wanted: list[tuple[str, str]]) -> None:
        """`identifiers:`, `identifiers: ~` or `identifiers: []` becomes a block list."""
        start, end = node.start_mark.index, node.end_mark.index
        if end > start:  # drop `~`/`[]` and the spaces before it; a comment after it stays
            while self.text[start - 1] in " \t":
                start -= 1
            self.edits.append((start, end, ""))
        lines = _item_lines(self._layout(self.fields.get("authors", (None, None))[1]), wanted, {})
        at = _line_end(self.text, end)
        self.edits.append((at, at, "".join(self.nl + line for line in lines)))

    def _refuse_identifiers(self, node: yaml.Node) -> None:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode):
            raise _fail(
                self.path,
                line,
                "`identifiers` is written in flow style ([...]); the version DOI cannot be "
                "added to it without rewriting it",
                hint="write it in block style, one `- type: ...` item per entry",
            )
        raise _fail(self.path, line, "`identifiers` must be a list")


def _is_empty(node: yaml.Node) -> bool:
    if isinstance(node, yaml.ScalarNode):
        return node.tag == _NULL
    return isinstance(node, yaml.SequenceNode) and not node.value


def _scalar_value(entry: yaml.Node, key: str) -> str | None:
    if not isinstance(entry, yaml.MappingNode):
        return None
    for name, value in entry.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            ok = isinstance(value, yaml.ScalarNode) and value.tag != _ALIAS
            return str(value.value) if ok else None
    return None


def _version_entry(seq: yaml.SequenceNode, doi: str, concept: str) -> yaml.MappingNode | None:
    """The `type: doi` item for a version: this one's if there, else an earlier one's."""
    candidates: list[yaml.MappingNode] = []
    for item in seq.value:
        value = _scalar_value(item, "value")
        if not isinstance(item, yaml.MappingNode) or value is None:
            continue
        if (_scalar_value(item, "type") or "").casefold() != "doi":
            continue
        if _same_doi(value, doi):
            return item
        if _is_version_doi(value, concept):
            candidates.append(item)
    return candidates[0] if candidates else None


def _sibling(seq: yaml.SequenceNode, path: str) -> dict[str, yaml.ScalarNode] | None:
    """The scalar values, in written order, of the item a new one should look like."""
    items = [i for i in seq.value if isinstance(i, yaml.MappingNode) and not i.flow_style]
    items.sort(key=lambda item: (_scalar_value(item, "type") or "").casefold() != "doi")
    if not items:
        return None
    fields = _fields(items[0], path, _ITEM_KEYS).items()
    return {k: v for k, (_, v) in fields if isinstance(v, yaml.ScalarNode) and v.tag != _ALIAS}


def edit_citation(text: str, facts: DoiFacts, *, path: str = "CITATION.cff") -> str:
    """CITATION.cff with `doi`, `version`, `date-released` and the version's identifier set."""
    bom, body = _split_bom(text)
    cff = _Cff(body, path)
    # Case aside, the DOI must be written bare: a doi.org URL there is not valid CFF.
    cff.set_scalar("doi", facts.concept_doi or facts.version_doi, same=_same_case_aside)
    version = cff.set_version(facts.version)
    if facts.date is not None:
        cff.set_scalar("date-released", facts.date, as_date=True)
    cff.set_identifiers(facts, version)
    return bom + cff.result()


# --- codemeta.json ----------------------------------------------------------------------------

# Numbers stay the text they are written as: never converted, so a number of thousands of
# digits (which Python refuses to convert, sys.int_info) is no problem, and `1.10` stays 1.10.
_DECODER = json.JSONDecoder(parse_int=str, parse_float=str)
_JSON_SPACE = " \t\r\n"


@dataclass(frozen=True)
class _Span:
    """One JSON value: where its text starts and ends, and what it decodes to."""

    start: int
    end: int
    value: Any


@dataclass(frozen=True)
class _Member:
    key: str
    key_start: int
    key_end: int
    value: _Span


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _JSON_SPACE:
        index += 1
    return index


def _value_at(text: str, index: int) -> _Span:
    value, end = _DECODER.raw_decode(text, index)
    return _Span(index, end, value)


def _members(text: str, open_at: int) -> list[_Member]:
    """The members of the object whose `{` is at `open_at` (the text is valid JSON)."""
    members: list[_Member] = []
    index = _skip(text, open_at + 1)
    while text[index] != "}":
        key = _value_at(text, index)
        value = _value_at(text, _skip(text, _skip(text, key.end) + 1))  # past the colon
        members.append(_Member(key.value, key.start, key.end, value))
        index = _skip(text, value.end)
        index = _skip(text, index + 1) if text[index] == "," else index
    return members


def _items(text: str, open_at: int) -> list[_Span]:
    """The items of the array whose `[` is at `open_at` (the text is valid JSON)."""
    items: list[_Span] = []
    index = _skip(text, open_at + 1)
    while text[index] != "]":
        items.append(_value_at(text, index))
        index = _skip(text, items[-1].end)
        index = _skip(text, index + 1) if text[index] == "," else index
    return items


def _separator(text: str, open_at: int, spans: list[tuple[int, int]], nl: str) -> str:
    """What goes between two members/items of this object/array: `,` and the newline and
    indentation of the first one when it is on its own line, else what is written between
    the first two (`, ` when there is only one)."""
    before = text[open_at + 1 : spans[0][0]]
    if _has_break(before):
        return "," + nl + before[_line_start(before, len(before)) :]
    between = text[spans[0][1] : spans[1][0]] if len(spans) > 1 else ", "
    return between if not _has_break(between) else ", "


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_CODEMETA_KEYS = frozenset(
    {"identifier", "version", "softwareVersion", "dateModified", "datePublished"}
)


class _CodeMeta:
    """The edits to one codemeta.json, collected, then applied at once."""

    def __init__(self, text: str, path: str) -> None:
        self.text, self.path, self.nl = text, path, _newline(text)
        self.open_at = _json_object_start(text, path)
        self.members = _members(text, self.open_at)
        self.fields: dict[str, _Member] = {}
        for member in self.members:
            if member.key in self.fields and member.key in _CODEMETA_KEYS:
                first = line_of(text, self.fields[member.key].key_start)
                line = line_of(text, member.key_start)
                raise _fail(path, line, f'"{member.key}" appears twice (also line {first})')
            self.fields[member.key] = member
        self.edits: list[_Edit] = []
        self.new: list[tuple[str, Any]] = []  # members to insert

    def replace(self, span: _Span, rendered: str) -> None:
        self.edits.append((span.start, span.end, rendered))

    def set_identifier(self, facts: DoiFacts) -> None:
        target = facts.concept_doi or facts.version_doi
        url = "https://doi.org/" + target
        member = self.fields.get("identifier")
        if member is None:
            self.new.append(("identifier", url))
            return
        span = member.value
        if span.value is None:
            self.replace(span, _dumps(url))
        elif isinstance(span.value, list):
            self._identifier_list(span, facts)
        elif not isinstance(span.value, str) or doi_of(span.value) is None:
            self.replace(span, f"[{self.text[span.start : span.end]}, {_dumps(url)}]")
        elif not _same_doi(span.value, target):
            self.replace(span, _dumps(url))

    def _identifier_list(self, span: _Span, facts: DoiFacts) -> None:
        items = _items(self.text, span.start)
        strings = [item for item in items if isinstance(item.value, str)]
        concept = facts.concept_doi
        if concept is not None and not any(_same_doi(s.value, facts.version_doi) for s in strings):
            old = next((s for s in strings if _is_version_doi(s.value, concept)), None)
            if old is not None:
                self.replace(old, _dumps("https://doi.org/" + facts.version_doi))
        target = concept or facts.version_doi
        if any(_same_doi(s.value, target) for s in strings):
            return
        rendered = _dumps("https://doi.org/" + target)
        if not items:
            self.replace(span, f"[{rendered}]")
            return
        separator = _separator(self.text, span.start, [(i.start, i.end) for i in items], self.nl)
        self.edits.append((items[-1].end, items[-1].end, separator + rendered))

    def set_value(self, key: str, value: str, *, insert: bool, version: bool = False) -> None:
        """Sets a string member; a version follows the file's leading-"v" convention."""
        member = self.fields.get(key)
        if member is None:
            if insert:
                self.new.append((key, value))
            return
        current = member.value.value  # `"version": 1.2` reads as the text "1.2"
        if version:
            value = _follow_v(current if isinstance(current, str) else None, value)
        if value != current:
            self.replace(member.value, _dumps(value))

    def result(self) -> str:
        if self.new:
            self.edits.append(self._insertion())
        return _apply(self.text, self.edits)

    def _insertion(self) -> _Edit:
        """New members after the last one, laid out like the existing ones."""
        if not self.members:  # `{}`: nothing to copy, so two spaces when it spans lines
            close = _skip(self.text, self.open_at + 1)
            multiline = _has_break(self.text[self.open_at : close])
            lead, colon = (self.nl + "  " if multiline else ""), ": "
            rendered = [lead + _dumps(k) + colon + _dumps(v) for k, v in self.new]
            return (self.open_at + 1, self.open_at + 1, ("," if multiline else ", ").join(rendered))
        first = self.members[0]
        colon = self.text[first.key_end : first.value.start]
        colon = colon if not _has_break(colon) else ": "
        spans = [(m.key_start, m.value.end) for m in self.members]
        separator = _separator(self.text, self.open_at, spans, self.nl)
        at = self.members[-1].value.end
        return (at, at, "".join(separator + _dumps(k) + colon + _dumps(v) for k, v in self.new))


def _json_object_start(text: str, path: str) -> int:
    """Where the top-level `{` is; the text must parse as JSON with an object on top."""
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise _fail(path, error.lineno, f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise _fail(path, 1, TOO_DEEP) from None
    start = _skip(text, 0)
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else "a single value"
        raise _fail(path, line_of(text, start), f"the file holds {kind}, not an object")
    return start


def edit_codemeta(text: str, facts: DoiFacts, *, path: str = "codemeta.json") -> str:
    """codemeta.json with `identifier`, `version` and its dates set."""
    bom, body = _split_bom(text)
    codemeta = _CodeMeta(body, path)
    codemeta.set_identifier(facts)
    if facts.version is not None:
        codemeta.set_value("version", facts.version, insert=True, version=True)
        codemeta.set_value("softwareVersion", facts.version, insert=False, version=True)
    if facts.date is not None:
        codemeta.set_value("dateModified", facts.date, insert=False)
        codemeta.set_value("datePublished", facts.date, insert=False)
    return bom + codemeta.result()


# --- README -----------------------------------------------------------------------------------

# A badge marker: blanks allowed around the name and the slash. Each run of blanks is taken
# whole (a lookahead's match is never tried shorter), so a `<!--` that is no marker costs
# one read of the blanks after it: linear in the text.
_MARKER = re.compile(r"<!--(?=(\s*))\1(?:(/)(?=(\s*))\3)?zenodo-badge(?=(\s*))\4-->")


def _outside_code(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, closing?) of each marker that is not in code (markdown_code.py): a
    README documenting the markers shows them there."""
    found = list(_MARKER.finditer(text))
    code = in_code(text, [marker.start() for marker in found])  # nothing to do without one
    return [
        (marker.start(), marker.end(), bool(marker.group(2)))
        for marker, shown in zip(found, code, strict=True)
        if not shown
    ]


@functools.lru_cache(maxsize=4)
def _marker_pairs(text: str, path: str) -> tuple[tuple[int, int], ...]:
    """(end of the opening marker, start of the closing one) for every pair. Kept for the
    last few texts: the check before publishing (writeback.check_targets), the edit and its
    read-back ask about the same README."""
    pairs: list[tuple[int, int]] = []
    opened: tuple[int, int] | None = None
    for start, end, closing in _outside_code(text):
        if closing:
            if opened is None:
                line = line_of(text, start)
                raise _fail(path, line, f"{MARKER_CLOSE} with no {MARKER_OPEN} before it")
            pairs.append((opened[1], start))
            opened = None
        elif opened is not None:
            line, next_line = line_of(text, opened[0]), line_of(text, start)
            message = f"{MARKER_OPEN} is not closed before the next one (line {next_line})"
            raise _fail(path, line, message, hint=f"end the badge's place with {MARKER_CLOSE}")
        else:
            opened = (start, end)
    if opened is not None:
        line = line_of(text, opened[0])
        raise _fail(path, line, f"{MARKER_OPEN} has no {MARKER_CLOSE} after it")
    return tuple(pairs)


def _between(current: str, badge: str) -> str:
    """The new text between two markers: just the badge on their line, or on its own line
    (with the indentation of the line it replaces) when the markers are on separate lines."""
    breaks = list(_LINE_BREAK.finditer(current))
    if not breaks:
        return badge
    head = current[: breaks[0].end()]
    tail = current[breaks[-1].start() :]
    middle = current[breaks[0].end() : breaks[-1].start()]
    lines = [line for line in _LINE_BREAK.split(middle) if line.strip()]
    model = lines[0] if lines else tail[len(breaks[-1].group()) :]
    return head + model[: len(model) - len(model.lstrip())] + badge + tail


def marker_spans(text: str, path: str = "README.md") -> tuple[tuple[int, int], ...]:
    """(start, end) of the text between each marker pair; EditError when they do not pair."""
    return _marker_pairs(text, path)


def readme_markers(text: str, *, path: str = "README.md") -> int:
    """How many badge marker pairs `text` has; EditError when they do not pair up."""
    return len(_marker_pairs(text, path))


def edit_readme(text: str, facts: DoiFacts, *, path: str = "README.md") -> str:
    """The README with the badge between every marker pair; unchanged when there are none."""
    edits: list[_Edit] = []
    for start, end in _marker_pairs(text, path):
        new = _between(text[start:end], facts.badge)
        if new != text[start:end]:
            edits.append((start, end, new))
    return _apply(text, edits) if edits else text
