"""Where a Markdown file holds code, by CommonMark's block and code-span rules.

The README write-back edits only between badge markers that are *not* code: a README that
documents the markers shows them in a fenced block, an indented block or a code span, and
those must stay as they are. This module finds those places; it reads nothing else.

Followed (CommonMark 0.31.2, https://spec.commonmark.org/0.31.2/):

* line ends are \\n, \\r\\n or a lone \\r (CommonMark 0.31.2 §2.1); tabs stop every 4 columns
  (CommonMark 0.31.2 §2.2);
* block quotes (`>`, CommonMark 0.31.2 §5.1) and list items (`-`, `+`, `*`, `1.`, `1)`,
  CommonMark 0.31.2 §5.2) contain other blocks: a line belongs to them only with their marker or
  indentation, or as a lazy paragraph continuation; an item starting with a blank line ends at a
  second one;
* fenced code (CommonMark 0.31.2 §4.5): three or more backticks or tildes indented at most 3
  columns; a backtick fence's info string has no backtick; it closes at a fence of the same
  character, at least as long, indented at most 3 columns, with nothing but blanks after it, or
  where its container ends, or at the end of the file;
* indented code (CommonMark 0.31.2 §4.4): 4 or more columns of indentation where no paragraph is
  open;
* code spans (CommonMark 0.31.2 §6.1): a run of backticks up to the next run of exactly the same
  length within one paragraph or heading, across its lines; a backslash before the first backtick
  makes that one literal;
* what ends a paragraph: a blank line, a fence, a heading, a thematic break, a block quote,
  a list item (an ordered one only from 1, and not an empty one).

Not modelled: HTML blocks (a marker is HTML, so it is found whether or not its line starts
one), link reference definitions, and inline precedence between code spans and raw HTML or
autolinks on the same line. Every step only moves forward, so the time is linear in the
size of the file (bench/bench_readme.py).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

_BREAK = re.compile(r"\r\n|\r|\n")
_BREAKS = re.compile(r"(?:\r\n|\r|\n)+")
_NOT_BLANK = re.compile(r"[^ \t]")
_BLANKS = re.compile(r"[ \t]*")
_BACKTICKS = re.compile(r"`+")
_ORDERED = re.compile(r"[0-9]{1,9}[.)]")
_THEMATIC = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")
_MAY_END_PARAGRAPH = frozenset("`~#-*_=")  # the first character of what can end one
_CONTAINER_MARKS = frozenset(">-+*0123456789")
_MAY_START_BLOCK = _MAY_END_PARAGRAPH | _CONTAINER_MARKS


@dataclass
class _Container:
    kind: str  # "quote" or "item"
    width: int = 0  # an item's content column, from its container's
    empty: bool = False  # an item that has had no content yet


@dataclass
class _Fence:
    char: str
    length: int
    start: int


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.containers: list[_Container] = []
        self.leaf: str | None = None  # "paragraph", "fence", "code" or None
        self.fence = _Fence("`", 0, 0)
        self.code = (0, 0)  # an indented code block: its start and its last line's end
        self.inline = (0, 0)  # where the open paragraph's text starts and now ends
        self.spans: list[tuple[int, int]] = []
        self.end = 0  # the current line's end, before its break
        self.previous_end = 0

    # -- columns -----------------------------------------------------------------

    def _indent(self, pos: int, col: int) -> tuple[int, int, int]:
        """(columns of blanks, position and column of the first other character)."""
        blanks = _BLANKS.match(self.text, pos, self.end).end()  # type: ignore[union-attr]
        if "\t" not in self.text[pos:blanks]:  # spaces only: one column each
            return blanks - pos, blanks, col + blanks - pos
        start, text = col, self.text
        while pos < blanks:
            col += 1 if text[pos] == " " else 4 - col % 4
            pos += 1
        return col - start, pos, col

    def _consume(self, pos: int, col: int, columns: int) -> tuple[int, int]:
        """Past `columns` columns of blanks; a tab may be used in part (CommonMark 0.31.2 §2.2)."""
        text = self.text
        if text.startswith(" " * columns, pos):  # spaces only: the common case
            return pos + columns, col + columns
        while columns > 0 and pos < self.end and text[pos] in " \t":
            width = 1 if text[pos] == " " else 4 - col % 4
            if width > columns:
                return pos, col + columns  # the tab's rest stays as indentation
            pos, col, columns = pos + 1, col + width, columns - width
        return pos, col

    # -- the file ----------------------------------------------------------------

    def run(self) -> list[tuple[int, int]]:
        start, text = 0, self.text
        for breaks in _BREAKS.finditer(text):  # a line, then its break and any empty lines
            self._next_line(start, breaks.start())
            group = breaks.group()
            if len(group) > 1 and group != "\r\n":  # empty lines too
                self._empty_lines(breaks.start(), breaks.end())
            start = breaks.end()
        if start < len(text):
            self._next_line(start, len(text))
        self._close_leaf()
        return sorted(self.spans)

    def _empty_lines(self, start: int, end: int) -> None:
        """The empty lines between the line breaks at start..end: at the top level, with
        no fence or indented code open, any number of them does what one does."""
        if not self.containers and self.leaf in (None, "paragraph"):
            self._close_leaf()
            self.previous_end = end - (2 if self.text.endswith("\r\n", start, end) else 1)
            return
        for found in itertools.islice(_BREAK.finditer(self.text, start, end), 1, None):
            self._next_line(found.start(), found.start())

    def _next_line(self, start: int, end: int) -> None:
        self.end = end
        if not self.containers and self.leaf in (None, "paragraph") and self._plain(start):
            self.previous_end = end
            return
        self._line(start)
        self.previous_end = end

    def _plain(self, start: int) -> bool:
        """The common line outside any container, decided by its first character: empty,
        or text that can only go on with a paragraph or start one."""
        first = _NOT_BLANK.search(self.text, start, self.end)
        if first is None:
            self._close_leaf()
            return True
        at = first.start()
        char = self.text[at]
        if char in _MAY_START_BLOCK and not (
            char in "`~" and not self.text.startswith(char * 3, at)
        ):
            return False  # (one or two backticks start a code span, not a fence)
        if self.leaf == "paragraph":
            self.inline = (self.inline[0], self.end)
            return True
        if at - start < 4 and "\t" not in self.text[start:at]:
            self.leaf, self.inline = "paragraph", (at, self.end)
            return True
        return False

    def _line(self, pos: int) -> None:
        matched, pos, col = self._match_containers(pos)
        everything = matched == len(self.containers)
        if everything and self.leaf == "fence":
            if self._closes_fence(pos, col):
                self._close_leaf(self.end)
            return
        if everything and self.leaf == "code" and self._continues_code(pos, col):
            return
        opened, matched, pos, col = self._open_containers(matched, pos, col)
        if not opened and matched < len(self.containers):
            lazy = not self._blank(pos) and not self._ends_paragraph(pos, col)
            if self.leaf == "paragraph" and lazy:
                # a lazy continuation line (CommonMark 0.31.2 §5.1)
                self.inline = (self.inline[0], self.end)
                return
            self._close_containers(matched)
        self._leaf(pos, col, opened)

    def _match_containers(self, pos: int) -> tuple[int, int, int]:
        col = 0
        for number, container in enumerate(self.containers):
            if container.kind == "quote":
                marker = self._quote_marker(pos, col)
                if marker is None:
                    return number, pos, col
                pos, col = marker
            else:
                indent, first, _ = self._indent(pos, col)
                if first >= self.end:  # a blank line goes on with an item...
                    if container.empty:  # ...unless it began with one already
                        return number, pos, col
                elif indent < container.width:
                    return number, pos, col
                else:
                    pos, col = self._consume(pos, col, container.width)
        return len(self.containers), pos, col

    def _open_containers(self, matched: int, pos: int, col: int) -> tuple[bool, int, int, int]:
        """New block quotes and list items at the start of the rest of the line; any
        leaf open before them ends."""
        opened = False
        while True:
            indent, first, first_col = self._indent(pos, col)
            if indent >= 4 or first >= self.end:
                return opened, matched, pos, col
            if self.text[first] not in _CONTAINER_MARKS:
                return opened, matched, pos, col
            if self.text[first] == ">":
                new = _Container("quote")
                content_pos, content_col = self._consume(first + 1, first_col + 1, 1)
            else:
                # Only the paragraph a line would continue is interrupted by an item
                # (CommonMark 0.31.2 §5.2).
                tip = not opened and matched == len(self.containers)
                item = self._item_marker(first, first_col, interrupting=tip)
                if item is None:
                    return opened, matched, pos, col
                empty, content_pos, content_col = item
                new = _Container("item", content_col - col, empty)
            self._close_containers(matched)
            self._close_leaf()
            for container in self.containers:
                container.empty = False  # it holds a block now
            self.containers.append(new)
            pos, col = content_pos, content_col
            matched, opened = len(self.containers), True

    # -- markers -----------------------------------------------------------------

    def _quote_marker(self, pos: int, col: int) -> tuple[int, int] | None:
        indent, first, first_col = self._indent(pos, col)
        if indent >= 4 or first >= self.end or self.text[first] != ">":
            return None
        return self._consume(first + 1, first_col + 1, 1)

    def _item_marker(
        self, first: int, first_col: int, *, interrupting: bool
    ) -> tuple[bool, int, int] | None:
        """(whether it is empty, position and column where its content starts) of a list
        item whose marker is at `first`, or None."""
        text = self.text
        if text[first] in "-+*":
            marker_end, ordered_one = first + 1, True
            if _THEMATIC.fullmatch(text, first, self.end):
                return None
        else:
            ordered = _ORDERED.match(text, first, self.end)
            if ordered is None:
                return None
            marker_end = ordered.end()
            ordered_one = int(text[first : marker_end - 1]) == 1
        if marker_end < self.end and text[marker_end] not in " \t":
            return None
        marker_col = first_col + marker_end - first
        spaces, content, _ = self._indent(marker_end, marker_col)
        empty = content >= self.end
        if interrupting and self.leaf == "paragraph" and (empty or not ordered_one):
            return None  # cannot interrupt a paragraph (CommonMark 0.31.2 §5.2)
        if empty:  # its content would start one column after the marker
            return empty, marker_end, marker_col + 1
        if spaces >= 5:  # one column after the marker; the rest is indented code
            pos, col = self._consume(marker_end, marker_col, 1)
        else:
            pos, col = self._consume(marker_end, marker_col, spaces)
        return empty, pos, col

    def _closes_fence(self, pos: int, col: int) -> bool:
        indent, first, _ = self._indent(pos, col)
        fence, text = self.fence, self.text
        if indent >= 4:
            return False
        stop = first
        while stop < self.end and text[stop] == fence.char:
            stop += 1
        if stop - first < fence.length:
            return False
        return self._blank(stop)

    def _fence_opener(self, first: int) -> tuple[str, int] | None:
        text = self.text
        char = text[first]
        if char not in "`~":
            return None
        stop = first
        while stop < self.end and text[stop] == char:
            stop += 1
        if stop - first < 3 or (char == "`" and text.find("`", stop, self.end) >= 0):
            return None
        return char, stop - first

    def _ends_paragraph(self, pos: int, col: int) -> bool:
        """Whether the line starts a fence, a heading or a thematic break, and so cannot
        continue a paragraph (block quotes and list items are opened before this is
        asked; a setext underline is the caller's, as it cannot be a lazy line)."""
        indent, first, _ = self._indent(pos, col)
        if indent >= 4 or first >= self.end:
            return False
        text = self.text
        return (
            self._fence_opener(first) is not None
            or _ATX.match(text, first, self.end) is not None
            or _THEMATIC.fullmatch(text, first, self.end) is not None
        )

    # -- leaf blocks -------------------------------------------------------------

    def _leaf(self, pos: int, col: int, opened: bool) -> None:
        first_found = _NOT_BLANK.search(self.text, pos, self.end)
        if first_found is None:  # a blank line
            if self.leaf == "paragraph":
                self._close_leaf()
            return
        for container in self.containers:
            container.empty = False
        if self.leaf == "paragraph" and not opened and self._paragraph_line(pos, col):
            return
        indent, first, _ = self._indent(pos, col)
        if indent >= 4 and self.leaf != "paragraph":
            self._close_leaf()
            self.leaf, self.code = "code", (pos, self.end)
            return
        self._close_leaf()
        fence = self._fence_opener(first)
        if fence is not None:
            self.leaf, self.fence = "fence", _Fence(fence[0], fence[1], first)
        elif _ATX.match(self.text, first, self.end):
            self._pair_runs(first, self.end)
        elif not _THEMATIC.fullmatch(self.text, first, self.end):
            self.leaf, self.inline = "paragraph", (first, self.end)

    def _paragraph_line(self, pos: int, col: int) -> bool:
        """Whether the line belongs to the open paragraph: it goes on with it, or is the
        setext underline that makes it a heading (CommonMark 0.31.2 §4.3) and closes it."""
        first = _NOT_BLANK.search(self.text, pos, self.end)
        if first is not None and self.text[first.start()] in _MAY_END_PARAGRAPH:
            indent, start, _ = self._indent(pos, col)
            if indent < 4 and _SETEXT.fullmatch(self.text, start, self.end):
                self._close_leaf()
                return True
            if self._ends_paragraph(pos, col):
                return False
        self.inline = (self.inline[0], self.end)  # the common case: one character decides
        return True

    def _continues_code(self, pos: int, col: int) -> bool:
        if self._blank(pos):
            return True  # blank lines inside indented code belong to it, if it goes on
        indent, _, _ = self._indent(pos, col)
        if indent < 4:
            return False
        self.code = (self.code[0], self.end)
        return True

    def _close_containers(self, keep: int) -> None:
        if keep < len(self.containers):
            self._close_leaf()
            del self.containers[keep:]

    def _close_leaf(self, end: int | None = None) -> None:
        if self.leaf == "fence":
            self.spans.append((self.fence.start, self.previous_end if end is None else end))
        elif self.leaf == "code":
            self.spans.append(self.code)
        elif self.leaf == "paragraph":
            self._pair_runs(*self.inline)
        self.leaf = None

    # -- code spans --------------------------------------------------------------

    def _pair_runs(self, start: int, end: int) -> None:
        """The code spans of one paragraph's or heading's text (CommonMark 0.31.2 §6.1): each run of
        backticks up to the next run of the same length. Its lines' container prefixes
        (`>`, blanks) hold no backticks, so the text is read in one piece. One pass finds,
        for each run, the next run of its length; a backslash before a run makes its first
        backtick literal (an odd number of backslashes), so that run opens one shorter."""
        text = self.text
        runs = [match.span() for match in _BACKTICKS.finditer(text, start, end)]
        later: dict[int, int] = {}  # length -> index of the nearest run of it seen so far
        next_same = [0] * len(runs)
        for index in range(len(runs) - 1, -1, -1):
            length = runs[index][1] - runs[index][0]
            next_same[index] = later.get(length, -1)
            later[length] = index
        by_length: dict[int, list[int]] = {}  # filled only if a run is escaped
        index = 0
        while index < len(runs):
            opening, stop = runs[index]
            closing = next_same[index]
            if opening > start and text[opening - 1] == "\\" and self._escaped(start, opening):
                opening += 1
                closing = _next_of_length(runs, by_length, index, stop - opening)
            if closing < 0:
                index += 1
                continue
            self.spans.append((opening, runs[closing][1]))
            index = closing + 1

    def _escaped(self, start: int, at: int) -> bool:
        before = at
        while before > start and self.text[before - 1] == "\\":
            before -= 1
        return (at - before) % 2 == 1

    def _blank(self, pos: int) -> bool:
        return _NOT_BLANK.search(self.text, pos, self.end) is None


def _next_of_length(
    runs: list[tuple[int, int]], by_length: dict[int, list[int]], index: int, length: int
) -> int:
    """The index of the next run after `index` of `length`, or -1 (for an escaped run,
    which opens one backtick shorter): a binary search in the runs of each length."""
    if length == 0:
        return -1
    if not by_length:
        for number, (start, stop) in enumerate(runs):
            by_length.setdefault(stop - start, []).append(number)
    found = by_length.get(length, [])
    at = bisect.bisect_right(found, index)
    return found[at] if at < len(found) else -1


def code_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every fenced or indented code block and code span, in order."""
    return _Scanner(text).run()
