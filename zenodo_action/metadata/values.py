"""Values that parse but cannot be sent: numbers JSON has no spelling for (NaN, infinity)
and text UTF-8 cannot encode (lone surrogates, from a `"\\udc80"` escape).

YAML's `.nan` and Python's json (which accepts `NaN`) let them into the data; the request
to Zenodo, the job summary and the log cannot carry them. The loader reports them where
they are written and `validate` checks any record (a merged one too) with the same words,
so a problem found twice is reported once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from zenodo_action.metadata import paths

NON_FINITE = "non-finite-number"
UNENCODABLE = "unencodable-text"


def number_problem(value: object) -> str | None:
    """Why a number cannot be sent, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"is {value}: not a finite number, and JSON (so Zenodo) has none; write a "
            "number, or quote it if it is text"
        )
    return None


def text_problem(value: object) -> str | None:
    """Why a text cannot be written as UTF-8, or None."""
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = value[error.start]
        return (
            f"contains {bad!a} at character {error.start + 1}: half of a UTF-16 "
            "surrogate pair, which is not a character and cannot be written as UTF-8; "
            "remove it or write the character itself"
        )
    return None


def joined(text: str) -> str:
    """`text` with each UTF-16 surrogate pair (`"\\ud83c\\udf0a"`, as JSON writes 🌊 in
    ASCII) made the one character it stands for, as JSON readers do; lone halves stay."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def unsendable(value: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, message, code) of every value and key below `value` that cannot be sent."""
    if isinstance(value, dict):
        for key, item in value.items():
            item_path = paths.join(path, key)
            message = text_problem(key)
            if message:
                yield item_path, f"the key {message}", UNENCODABLE
            yield from unsendable(item, item_path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unsendable(item, paths.join(path, index))
    else:
        number = number_problem(value)
        if number:
            yield path, number, NON_FINITE
        text = text_problem(value)
        if text:
            yield path, text, UNENCODABLE
