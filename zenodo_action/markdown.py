"""Markdown table cells that stay one cell and render the text as text.

Values in job summaries come from users' files, release assets and servers: they must not
break the table, start HTML, or close a code span.
"""

from __future__ import annotations

_CELL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "'", "\r": " ", "\n": " "}
# Inside a code span HTML is shown, not read, and entities stay literal: only the pipe (GFM
# splits cells on it even there), the backtick and line breaks need care.
_CODE = {"|": "\\|", "`": "'", "\r": " ", "\n": " "}


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no HTML, no column breaks, one line."""
    return "".join(_CELL.get(char, char) for char in str(text))


def code_cell(text: object) -> str:
    """A code span safe inside a table cell."""
    return "`" + "".join(_CODE.get(char, char) for char in str(text)) + "`"
