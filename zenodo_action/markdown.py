"""Markdown table cells that stay one cell, and code blocks that stay one block, that
render the text as text.

Values in job summaries come from users' files, release assets and servers: they must not
break the table, start HTML, or close a code span.
"""

from __future__ import annotations

import re

_CELL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "'", "\r": " ", "\n": " "}
# Inside a code span HTML is shown, not read, and entities stay literal: only the pipe (GFM
# splits cells on it even there), the backtick and line breaks need care.
_CODE = {"|": "\\|", "`": "'", "\r": " ", "\n": " "}
_PARAGRAPH = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": " ", "\n": " "}


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no HTML, no column breaks, one line."""
    return "".join(_CELL.get(char, char) for char in str(text))


def paragraph(text: object) -> str:
    """Our own words, with values in them, as one line of a paragraph: no HTML; the code
    spans of a hint (`concept: 10.5281/zenodo.1`) render as code."""
    return "".join(_PARAGRAPH.get(char, char) for char in str(text))


def code_cell(text: object) -> str:
    """A code span safe inside a table cell."""
    return "`" + "".join(_CODE.get(char, char) for char in str(text)) + "`"


def fenced(text: str, info: str = "text") -> str:
    """A fenced code block that shows `text` as it is: its fence is longer than any run of
    backticks inside, so no line of the text can close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"
