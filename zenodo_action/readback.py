"""Each edited file read back before it is written or proposed, and what a file holds.

`edit` runs the editor of edits.py for a kind of file, then parses the result again and
checks it: the watched values are the intended ones (the DOIs, the version as the file
writes it, the date) and every other value reads exactly as before. A file that fails is
an `EditError`, never a half-right file; so is every way of failing to read one (a file
nested too deeply for the parser, a number too long to convert).

`held` says which release a file on the default branch already describes: its version
and release date, which the write-back compares with the release it writes (never
backwards).
Scalars are read as the text they hold (no int, float or date conversion), so a number
of thousands of digits or a date like 2024-02-30 reads as text, not as an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from zenodo_action import edits
from zenodo_action.edits import DoiFacts, EditError
from zenodo_action.metadata import doi_of
from zenodo_action.versions import bare

EDITORS: Mapping[str, Callable[..., str]] = {
    "citation": edits.edit_citation,
    "codemeta": edits.edit_codemeta,
    "readme": edits.edit_readme,
}
# The largest CITATION.cff or codemeta.json read: the validator's own limit for metadata
# files (a real one is a few KiB), which keeps parsing time bounded (pure-Python PyYAML
# took 46 s to read a 6.3 MB CITATION.cff, 86 s to edit it); a default branch's copy is
# read only after the publish, so it is checked here.
LARGEST_METADATA = 1024 * 1024
_CFF_WATCHED = frozenset({"doi", "version", "date-released", "identifiers"})
_CODEMETA_WATCHED = frozenset(
    {"identifier", "version", "softwareVersion", "dateModified", "datePublished"}
)


@dataclass(frozen=True)
class Held:
    """What a file says about the release it describes (None: it does not say)."""

    version: str | None = None
    date: str | None = None


class _TextLoader(yaml.SafeLoader):
    """Every scalar as its text: nothing is converted, so nothing fails to convert."""


for _tag in ("int", "float", "bool", "timestamp"):
    _TextLoader.add_constructor(
        f"tag:yaml.org,2002:{_tag}",
        lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
    )


def edit(kind: str, text: str, facts: DoiFacts, *, path: str) -> str:
    """The edited text, proven: EditError (with the file and line) for anything else."""
    _not_too_large(kind, text, path)
    try:
        new = EDITORS[kind](text, facts, path=path)
        if new != text:
            _VERIFY[kind](text, new, facts, path)
    except RecursionError:
        raise edits.EditError(f"{path} line 1: {edits.TOO_DEEP}", file=path, line=1) from None
    return new


def held(kind: str, text: str, *, path: str) -> Held:
    """The version, date and DOIs `text` holds; EditError when it cannot be read."""
    _not_too_large(kind, text, path)
    try:
        if kind == "citation":
            return _held_citation(_cff(text, path))
        if kind == "codemeta":
            return _held_codemeta(_json(text, path))
    except RecursionError:
        raise edits.EditError(f"{path} line 1: {edits.TOO_DEEP}", file=path, line=1) from None
    return Held()  # a README names no version


# --- reading ------------------------------------------------------------------------------


def _not_too_large(kind: str, text: str, path: str) -> None:
    if kind == "readme" or len(text) * 4 <= LARGEST_METADATA:  # (a character: 4 bytes at most)
        return
    size = len(text.encode("utf-8"))
    if size > LARGEST_METADATA:
        raise EditError(
            f"{path} line 1: the file is {size // 1024} KiB, larger than the "
            f"{LARGEST_METADATA // 1024} KiB a metadata file may be; it is not read",
            hint="a metadata file is a few KiB: move long lists or texts out of it",
            file=path,
            line=1,
        )


def _cff(text: str, path: str) -> dict[str, Any]:
    edits.readable_cff(text, path)  # the editor's own checks: line breaks, YAML errors
    try:  # composing passed; building the values can still fail (a tag, a complex key)
        loaded = yaml.load(text.lstrip("\ufeff"), Loader=_TextLoader)  # noqa: S506  # safe loader
    except (yaml.YAMLError, ValueError, TypeError) as error:
        raise edits.yaml_failure(text, path, error) from None
    if not isinstance(loaded, dict):
        raise _mismatch(path, 1, "it no longer holds CFF keys")
    return loaded


def _json(text: str, path: str) -> dict[str, Any]:
    try:
        loaded = json.loads(text.lstrip("\ufeff"), parse_int=str, parse_float=str)
    except ValueError as error:
        raise _mismatch(path, 1, f"it is no longer valid JSON ({error})") from None
    if not isinstance(loaded, dict):
        raise _mismatch(path, 1, "it no longer holds an object")
    return loaded


def _held_citation(cff: Mapping[str, Any]) -> Held:
    return Held(_text(cff.get("version")), _text(cff.get("date-released")))


def _held_codemeta(data: Mapping[str, Any]) -> Held:
    version = data.get("version", data.get("softwareVersion"))
    date = data.get("datePublished") or data.get("dateModified")
    return Held(_text(version), _text(date))


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and str(value).strip() else None


# --- verifying ----------------------------------------------------------------------------


def _verify_citation(before: str, after: str, facts: DoiFacts, path: str) -> None:
    old, new = _cff(before, path), _cff(after, path)
    _others_unchanged(old, new, _CFF_WATCHED, before, path)
    wanted_doi = facts.concept_doi or facts.version_doi
    if str(new.get("doi", "")).casefold() != wanted_doi.casefold():
        raise _mismatch(path, _key_line(after, "doi"), "`doi` does not read as the DOI")
    _check_version(new.get("version"), facts.version, after, path)
    if facts.date is not None and str(new.get("date-released")) != facts.date:
        line = _key_line(after, "date-released")
        raise _mismatch(path, line, "`date-released` does not read as the release's date")
    if facts.concept_doi is None or _same(facts.concept_doi, facts.version_doi):
        if new.get("identifiers") != old.get("identifiers"):
            raise _mismatch(path, _key_line(after, "identifiers"), "`identifiers` changed")
        return
    _check_identifiers(old.get("identifiers"), new.get("identifiers"), facts, after, path)


def _check_identifiers(old: Any, new: Any, facts: DoiFacts, after: str, path: str) -> None:
    """The version DOI is listed; of the items before, at most one (the earlier version's
    DOI, updated in place) is gone."""
    line = _key_line(after, "identifiers")
    items = new if isinstance(new, list) else []
    if not any(_is_doi_item(item, facts.version_doi) for item in items):
        raise _mismatch(path, line, "`identifiers` does not list the version DOI")
    gone = [item for item in (old if isinstance(old, list) else []) if item not in items]
    if len(gone) > 1 or (gone and not _is_doi_item(gone[0], None)):
        raise _mismatch(path, line, "an item of `identifiers` other than a DOI changed")


def _is_doi_item(item: Any, doi: str | None) -> bool:
    if not isinstance(item, dict) or str(item.get("type", "")).casefold() != "doi":
        return False
    return doi is None or _same(str(item.get("value", "")), doi)


def _verify_codemeta(before: str, after: str, facts: DoiFacts, path: str) -> None:
    old, new = _json(before, path), _json(after, path)
    _others_unchanged(old, new, _CODEMETA_WATCHED, before, path)
    wanted = facts.concept_doi or facts.version_doi
    identifier = new.get("identifier")
    listed = identifier if isinstance(identifier, list) else [identifier]
    if not any(isinstance(item, str) and _same(item, wanted) for item in listed):
        line = _key_line(after, '"identifier"')
        raise _mismatch(path, line, '"identifier" does not read as the DOI')
    _check_version(new.get("version"), facts.version, after, path, key='"version"')
    if "softwareVersion" in old:
        _check_version(new["softwareVersion"], facts.version, after, path, key='"softwareVersion"')
    for key in ("dateModified", "datePublished"):
        if facts.date is not None and key in old and new.get(key) != facts.date:
            raise _mismatch(path, _key_line(after, f'"{key}"'), f'"{key}" is not the date')


def _verify_readme(before: str, after: str, facts: DoiFacts, path: str) -> None:
    """The same markers, the badge between each pair, and not a character changed
    outside them."""
    old, new = edits.marker_spans(before, path), edits.marker_spans(after, path)
    if len(old) != len(new):
        raise _mismatch(path, 1, "its badge markers no longer pair up as before")
    position_old = position_new = 0
    for (old_start, old_end), (new_start, new_end) in zip(old, new, strict=True):
        if before[position_old:old_start] != after[position_new:new_start]:
            raise _mismatch(
                path, edits.line_of(after, new_start), "text outside the markers changed"
            )
        if facts.badge not in after[new_start:new_end]:
            line = edits.line_of(after, new_start)  # counted only for the message
            raise _mismatch(path, line, "the badge is not between the markers")
        position_old, position_new = old_end, new_end
    if before[position_old:] != after[position_new:]:
        line = edits.line_of(after, position_new)
        raise _mismatch(path, line, "text after the last marker changed")


_VERIFY: Mapping[str, Callable[[str, str, DoiFacts, str], None]] = {
    "citation": _verify_citation,
    "codemeta": _verify_codemeta,
    "readme": _verify_readme,
}


def _others_unchanged(
    old: Mapping[str, Any], new: Mapping[str, Any], watched: frozenset[str], text: str, path: str
) -> None:
    for key in sorted(set(old) | set(new), key=str):
        if key not in watched and old.get(key) != new.get(key):
            raise _mismatch(path, _key_line(text, str(key)), f"`{key}` would change")


def _check_version(
    value: Any, version: str | None, after: str, path: str, *, key: str = "version"
) -> None:
    if version is None:
        return
    if bare(str(value)) != bare(version):
        raise _mismatch(path, _key_line(after, key), f"{key} does not read as {version}")


def _same(a: str, b: str) -> bool:
    return (doi_of(a) or a).casefold() == (doi_of(b) or b).casefold()


def _key_line(text: str, key: str) -> int:
    """The line where `key:` is first written, else 1 (for a message only)."""
    found = re.search(r"^[ \t-]*" + re.escape(key) + r"[ \t]*:", text, re.MULTILINE)
    return edits.line_of(text, found.start()) if found else 1


def _mismatch(path: str, line: int, what: str) -> EditError:
    return EditError(
        f"{path} line {line}: the edit was not written, as it would not read back as "
        f"intended: {what}",
        hint="this is a shape of file zenodo-action cannot edit safely; please report it, "
        "with the file",
        file=path,
        line=line,
    )
