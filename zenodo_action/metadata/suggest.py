"""What to say about a key or value a format does not accept, so the advice helps.

- "did you mean" only for a guess that is close and valid at that very place;
- a key the format has elsewhere says where it belongs (CFF's `journal` goes under
  `preferred-citation`), since no spelling near it would fit where it is;
- a long list of allowed values becomes the few nearest ones and where to read them all;
- a licence expression (`MIT OR Apache-2.0`) is explained: Zenodo records one licence;
- a licence URL (`https://opensource.org/licenses/MIT`) gives the id to write instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from zenodo_action.metadata import identifiers, vocabularies

CLOSE = 0.75  # difflib's ratio: `authros`/`authors` 0.86, `titel`/`title` 0.8, `journal`/`url` 0.6
SHOWN_WHOLE = 8  # lists of allowed values up to this long are shown whole
NEAREST = 3  # else this many, the nearest first
_DEPTH = 4  # how deep `places_of` looks: enough for CFF's references and Zenodo's entries


def close(word: str, choices: Iterable[str]) -> str | None:
    """The choice someone writing `word` surely meant: the same but for letter case, or a
    near spelling; None when nothing is that near."""
    lowered = {choice.lower(): choice for choice in choices}
    found = difflib.get_close_matches(word.lower(), lowered, n=1, cutoff=CLOSE)
    return lowered[found[0]] if found else None


def nearest(word: str, choices: Iterable[str], n: int = NEAREST) -> list[str]:
    """The `n` choices most like `word`, most alike first."""
    ratio = difflib.SequenceMatcher(a=word.lower())

    def likeness(choice: str) -> float:
        ratio.set_seq2(choice.lower())
        return ratio.ratio()

    return sorted(choices, key=likeness, reverse=True)[:n]


def choices_text(word: str, choices: list[str], everything: str) -> str:
    """`a, b, c` when the list is short; else the few nearest `word` and where
    `everything` is listed (the schema command, a format's guide)."""
    if len(choices) <= SHOWN_WHOLE:
        return ", ".join(choices)
    shown = nearest(word, choices)
    return f"{', '.join(shown)} and {len(choices) - len(shown)} more ({everything})"


def places_of(key: str, schema: Mapping[str, Any], here: str = "") -> list[str]:
    """Where else in documents of `schema` the mapping key `key` is allowed, nearest to
    the top first: `preferred-citation`, `references[]` (an entry of the list), ..."""
    found: list[str] = []
    for place in _places(key, schema, schema, "", 0, frozenset()):
        if place != here and place not in found:
            found.append(place)
    return sorted(found, key=lambda place: place.count(".") + place.count("[]"))


def _places(
    key: str, node: Any, root: Mapping[str, Any], place: str, depth: int, refs: frozenset[str]
) -> Iterator[str]:
    if not isinstance(node, Mapping) or depth > _DEPTH:
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in refs:
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        yield from _places(key, target, root, place, depth, refs | {ref})
    for name, sub in (node.get("properties") or {}).items():
        if name == key:
            yield place
        yield from _places(key, sub, root, f"{place}.{name}".lstrip("."), depth + 1, refs)
    for word in ("items", "additionalItems"):
        yield from _places(key, node.get(word), root, f"{place}[]", depth + 1, refs)
    for word in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(word) or []:
            yield from _places(key, sub, root, place, depth, refs)


def belongs(places: list[str]) -> str:
    """`under preferred-citation, or in an entry of references`; `in an entry of
    creators, contributors or thesis_supervisors`."""
    shown = [place.replace("[]", "") for place in places[:NEAREST] if not place.endswith("[]")]
    entries = [place[:-2].replace("[]", "") for place in places[:NEAREST] if place.endswith("[]")]
    said = []
    if "" in shown:
        said.append("at the top level")
    if [place for place in shown if place]:
        said.append("under " + _either([place for place in shown if place]))
    if entries:
        said.append("in an entry of " + _either(entries))
    return ", or ".join(said)


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_EXPRESSION = re.compile(r"\s+(?:OR|AND)\s+|\s*[|/,;&]\s*|\s*\+\s+", re.IGNORECASE)
_EXCEPTION = re.compile(r"\s+WITH\s+", re.IGNORECASE)


def license_expression(value: str) -> list[str] | None:
    """The licence ids an SPDX expression or list in one string names (`MIT OR
    Apache-2.0`, `MIT | Apache-2.0`, `GPL-2.0-only WITH Classpath-exception-2.0`), as SPDX
    spells them; None for anything else (one id, a misspelt one)."""
    text = value.strip().strip("()")
    if _URL.match(text):
        return None  # its slashes separate no licences
    parts = [part.strip("() ") for part in _EXPRESSION.split(text) if part.strip("() ")]
    if len(parts) < 2 and not _EXCEPTION.search(text):
        return None
    ids = [_EXCEPTION.split(part)[0] for part in parts]
    known = [vocabularies.spdx_case(part) for part in ids if vocabularies.is_known_license(part)]
    return known or None


def license_expression_advice(value: str, ids: list[str], *, listed: bool = False) -> str:
    """Why a licence expression cannot be the licence, and what to write instead. `listed`:
    the format can list licences (CFF), of which Zenodo takes the first."""
    said = f"{value!r} is a licence expression, and a Zenodo record has one licence"
    if _EXCEPTION.search(value) and len(ids) == 1:
        return f"{said}, without exceptions: write {ids[0]} and name the exception in the notes"
    if listed:
        choice = ", ".join(ids)
        return f"{said}: CFF lists the choice as license: [{choice}], and Zenodo records the first"
    return (
        f"{said}: choose one of {', '.join(ids)} for license, and name the others in the "
        "description or notes"
    )


def license_url_advice(value: str) -> str | None:
    """For a licence written as a URL, the id to write instead: the URL rule the readers
    map licence URLs by (`identifiers.spdx_of`: spdx.org, opensource.org,
    choosealicense.com, creativecommons.org, the URLs of Zenodo's vocabulary); None for a
    value that is no URL."""
    if not _URL.match(value.strip()):
        return None
    found = identifiers.spdx_of(value)
    if found != value.strip() and vocabularies.is_known_license(found):
        return f"{value!r} is a licence URL; write the id {vocabularies.spdx_case(found)}"
    return (
        f"{value!r} is a URL that names no licence Zenodo knows; write the licence's SPDX id "
        "(https://spdx.org/licenses/)"
    )


def licenses_like(value: str, *, spdx_only: bool = False) -> list[str]:
    """The ids someone writing `value` most likely meant, one spelling of each licence
    (`apache2.0`, Zenodo's legacy spelling, is not offered beside `Apache-2.0`), each one
    the field takes (`spdx_only`: CFF's list)."""
    return vocabularies.similar_licenses(value, spdx_only=spdx_only)
