"""Whether places in a Markdown file are code, by CommonMark's block and code-span rules.

The README write-back edits only between badge markers that are *not* code: a README that
documents the markers shows them in a fenced block, an indented block or a code span, and
those must stay as they are. This module tells, for the places asked about, whether they
are in code; it reads nothing else.

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
* HTML blocks (CommonMark 0.31.2 §4.6; docs/reference/commonmark-html-blocks.md): seven
  kinds of start, by the line's first characters; the first five end at the line holding their
  end mark (the start line too), the last two at a blank line; each ends with its container.
  Nothing in one is code, and while one is open no line starts anything else, indented ones
  included. The seventh kind (a lone tag) neither interrupts a paragraph nor stops a lazy line;
* what ends a paragraph: a blank line, a fence, a heading, a thematic break, a block quote,
  a list item (an ordered one only from 1, and not an empty one), an HTML block but the seventh
  kind. (A marker line `<!-- zenodo-badge -->` is an HTML block that ends on its line.)

Not modelled: link reference definitions, and inline precedence between code spans and raw
HTML or autolinks (a backtick inside an inline tag or comment opens no span there).

Every step only moves forward, so the time is linear in the size of the file, however
deep the nesting: nothing walks all open containers for a line that does not consume
their markers (where the block quotes are is kept as they open and close), and a line is
read for a thematic break only from where its last run of break characters starts. What no
place asked about depends on is not worked out: code spans only in the paragraphs that
hold such a place, nothing after the block of the last one. Where one match of a regular
expression can decide many lines or spans, it does, in C: lines that go on with a
paragraph, list items of a line each, the code spans before a place, and outside any
container fenced code, an HTML block's lines, and thematic breaks, HTML comments of one
line and the paragraphs these or setext underlines end. The rest goes line by line, at a
few microseconds a line, most for lines in block quotes and list items
(bench/bench_readme.py).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Sequence

# -- lines and blocks ----------------------------------------------------------------

# A line: its leading blanks (group 1 from the first tab on), the rest, then its break and
# any empty lines after it (group 2; not `(?:\r\n|\r|\n)*`: as long, 25 times faster).
_LINE = re.compile(r" *([ \t]*)[^\r\n]*([\r\n]*)")
# A line of text that can start no block (its first character is none of a block's, or
# one or two backticks or tildes: CommonMark 0.31.2 §4.5), followed by one line break, not an empty
# line.
_TEXT_START = r"[^ \t\r\n`~#*_=<>+0-9-]|`(?!``)|~(?!~~)"
_LINE_REST = r"[^\r\n]*(?:\r\n?|\n)(?![\r\n])"
_TEXT_LINE = r"[ \t]*(?:" + _TEXT_START + ")" + _LINE_REST
# List items one after another at the top level, each a line of text: each ends the one
# before, as a line indented 0 or 1 column goes on with no item (CommonMark 0.31.2 §5.2).
_NEXT_ITEMS = re.compile(
    r"( ?(?:[-+*]|[0-9]{1,9}[.)]) {1,4}(?=[^ \t\r\n])" + _TEXT_LINE + "){0,1000}"
)
_NOT_BLANK = re.compile(r"[^ \t]")
_SPACES = re.compile(r" *")
_BLANKS = re.compile(r"[ \t]*")
# A block quote's marker up to the one blank after it, when no tab is involved (a tab
# there is used in part, CommonMark 0.31.2 §2.2): a line with one goes the general way.
_QUOTE_MARKER = re.compile(r" {0,3}>(?: |(?!\t))")
_FENCE_RUN = re.compile(r"`+|~+")
# Bullets with one space, block quote markers with at most one, then content: _item_run
# (items first, then quotes each with items after it: as fast as items alone, where one
# alternation a piece took four times as long)
_ITEM_RUN = re.compile(r"(?:[-+*] (?=[^ \t\r\n]))*(?:> ?(?=[^ \t\r\n])(?:[-+*] (?=[^ \t\r\n]))*)*")
_RUN_PIECE = re.compile(r"[-+*] |> ?")
# Lines blank after one block quote marker (CommonMark 0.31.2 §5.1): see _lines_at_once.
_QUOTED_BLANK_LINES = re.compile(r"(?: {0,3}>[ \t]*(?:\r\n?|\n)){0,1000}")
_ORDERED = re.compile(r"[0-9]{1,9}[.)]")
_THEMATIC = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*")
_ATX = re.compile(r"#{1,6}(?:[ \t]|$)")
_MAY_END_PARAGRAPH = frozenset("`~#-*_=<")  # the first character of what can end one
_CONTAINER_MARKS = frozenset(">-+*0123456789")
_MAY_START_BLOCK = _MAY_END_PARAGRAPH | _CONTAINER_MARKS
# HTML blocks (docs/reference/commonmark-html-blocks.md §1-2): the starts of kinds 1 to 6,
# each with its end mark (None: a blank line ends it), then kind 7, a line of one whole tag.
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    "h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|"
    "noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|"
    "thead|title|tr|track|ul"
)
_RAW_TAGS = "pre|script|style|textarea"
_HTML_STARTS: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...] = (
    (re.compile(f"<(?:{_RAW_TAGS})(?:[ \\t>]|$)", re.I), re.compile(f"</(?:{_RAW_TAGS})>", re.I)),
    (re.compile("<!--"), re.compile("-->")),
    (re.compile(r"<\?"), re.compile(r"\?>")),
    (re.compile("<![A-Za-z]"), re.compile(">")),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
    (re.compile(f"</?(?:{_BLOCK_TAGS})(?:[ \\t]|/?>|$)", re.I), None),
)
_TAG_NAME = "[A-Za-z][A-Za-z0-9-]*"
_ATTRIBUTE = (
    r"[ \t]+[A-Za-z_:][A-Za-z0-9_.:-]*"
    r"(?:[ \t]*=[ \t]*(?:[^ \t\r\n\"'=<>`\x00-\x20]+|'[^']*'|\"[^\"]*\"))?"
)
_WHOLE_TAG = f"(?:<{_TAG_NAME}(?:{_ATTRIBUTE})*[ \\t]*/?>|</{_TAG_NAME}[ \\t]*>)[ \\t]*"
_WHOLE_TAG_LINE = re.compile(_WHOLE_TAG + "$")
# Outside any container, with no leaf open: paragraphs that a setext underline, a
# thematic break, an HTML comment of one line or an HTML block of kind 6 ends, and such
# breaks and blocks, and HTML blocks of kind 7 after no paragraph, each with the blank line
# that ends it (CommonMark 0.31.2 §4.1, §4.3; docs/reference/commonmark-html-blocks.md §1-2);
# each leaves no leaf open. The empty lines after them too. (A break is matched in a
# lookahead, which is never taken back, and only on a line of nothing else: `- - - … x`
# would be read again a dash at a time.)
# (its last line break whole: a \r\n cut after its \r would look like an empty line)
_UP_TO_A_BLANK_LINE = (
    r"[^\r\n]*(?:(?:\r\n?|\n)[ \t]*[^ \t\r\n][^\r\n]*)*(?:\r\n|\r(?!\n)|\n)(?=[ \t]*[\r\n])"
)
_LEAF_LINES = re.compile(
    r"(?:(?P<text> {0,3}(?=[^ \t])(?:" + _TEXT_LINE + r")+)?"
    r" {0,3}(?:(?=[-*_ \t]*[\r\n])(?=(?P<break>(?P<rule>[-*_])(?:[ \t]*(?P=rule)){2,}))(?P=break)"
    r"|(?(text)(?:=+|-+)|(?!))"
    r"|(?=<!--)[^\r\n]*?-->[^\r\n]*"
    f"|(?=</?(?i:{_BLOCK_TAGS})(?:[ \\t\\r\\n]|/?>|\\Z)){_UP_TO_A_BLANK_LINE}"
    f"|(?(text)(?!)|(?!<(?i:{_RAW_TAGS})(?:[ \\t>\\r\\n]|\\Z))"
    f"(?=[^\\r\\n]*>[ \\t]*[\\r\\n])(?={_WHOLE_TAG}[\\r\\n])){_UP_TO_A_BLANK_LINE}"
    r")[ \t]*[\r\n]+){0,1000}"
)
# A line that goes on with an open paragraph: a line of text, or one that starts with a tag
# that cannot interrupt it (an HTML block of kind 7 at most: docs/reference/
# commonmark-html-blocks.md §1).
_INTERRUPTING_HTML = (
    f"<(?:(?i:{_RAW_TAGS})(?=[ \\t>\\r\\n]|\\Z)|!--|\\?|![A-Za-z]|!\\[CDATA\\["
    f"|/?(?i:{_BLOCK_TAGS})(?=[ \\t\\r\\n]|/?>|\\Z))"
)
_GOING_ON_LINE = f"[ \\t]*(?:{_TEXT_START}|(?!{_INTERRUPTING_HTML})<){_LINE_REST}"
# A line of blanks only: after a line break or at the start, not between \r and \n.
_BLANK_LINE = re.compile(r"(?<![^\r\n])(?<!\r(?=\n))[ \t]*(?=[\r\n]|\Z)")
_QUOTE = 0  # in _Scanner.containers: a block quote (a list item's width is 2 or more)

# -- code spans ----------------------------------------------------------------------

# Inline text and the code spans that close in it, in one match: a single-backtick span
# with no backtick inside (most of them), or any span with at most 32 runs inside. It
# stops before a run it cannot pair so, or one after a backslash: the caller decides
# there. The bound keeps a run that pairs with nothing from being read to the end again.
_TEXT_AND_SPANS = re.compile(
    r"[^`]*(?:(?<!\\)(?:`[^`]+`(?!`)|(?=(`+))\1(?=((?:[^`]+|(?!\1(?!`))`+){0,64}))\2\1(?!`))"
    r"[^`]*){0,1000}"  # (at most 1000 a match, see _repeated: then _Pairs takes one run)
)
_BACKTICKS = re.compile(r"`+")
_SPLIT_AT_RUNS = re.compile(r"(`+)")


# (columns of blanks, position and column of the first other character) at some point of a
# line: what most block decisions look at; the first character is past the line's end when
# the rest of the line is blank.
_Lead = tuple[int, int, int]


class _Scanner:
    def __init__(self, text: str, positions: Sequence[int]) -> None:
        self.text = text
        self.positions = positions
        self.unpassed = 0  # the first position past the inline text looked at last
        # The open block quotes and list items, outermost first: _QUOTE, or the columns
        # from an item's container's content to its own.
        self.containers: list[int] = []
        # Where the block quotes are among them, kept as they change: a blank line and a
        # line of text ask, and a walk through all of them would cost the depth each time.
        self.quote_at: list[int] = []
        self.fresh_item = False  # the innermost is an item that began blank and is still
        self.leaf: str | None = None  # "paragraph", "fence", "code", "html" or None
        self.fence = ("`", 3, 0)  # an open fence's character, length and start
        self.code = (0, 0)  # an indented code block: its start and its last line's end
        self.html_end: re.Pattern[str] | None = None  # an HTML block's end mark, or a blank line
        self.inline = (0, 0)  # where the open paragraph's text starts and now ends
        self.answers = [False] * len(positions)  # whether each position is in code
        self.end = 0  # the current line's end, before its break
        self.first = 0  # where its first character other than a blank is (or its end)
        self.tabless = True  # whether its leading blanks are spaces only
        self.previous_end = 0
        self.run_end = 0  # where the list items _item_run opened end
        self.breaks = (-1, 0)  # a line's end: where its last run of `-*_` and blanks starts
        self.tail = (-1, "", 0)  # a line's end, a character: where the line's run of it starts

    # -- columns -----------------------------------------------------------------

    def _indent(self, pos: int, col: int) -> _Lead:
        if pos <= self.first and self.tabless:  # within the line's own leading spaces
            return self.first - pos, self.first, col + self.first - pos
        text = self.text
        spaces = _SPACES.match(text, pos, self.end).end()  # type: ignore[union-attr]
        if spaces == self.end or text[spaces] != "\t":  # spaces only: one column each
            return spaces - pos, spaces, col + spaces - pos
        blanks = _BLANKS.match(text, pos, self.end).end()  # type: ignore[union-attr]
        start = col
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

    def run(self) -> list[bool]:
        """Whether each position is in code: the lines up to the block of the last one."""
        pos, text, last = 0, self.text, self.positions[-1]
        while pos < len(text) and not (pos > last and self._past(last)):
            if self.leaf in ("paragraph", "fence", "html") or (
                self.leaf is None and text[pos] in "-*_<>"
            ):
                taken = self._lines_at_once(pos)
                if taken > pos:
                    pos = taken
                    continue
            line = _LINE.match(text, pos)  # a line, then its break and any empty lines
            tab, self.first = line.span(1)  # type: ignore[union-attr]
            self.end, after = line.span(2)  # type: ignore[union-attr]
            self.tabless = tab == self.first
            if self.first == self.end:
                self._blank_line()
            elif self.containers or self.leaf in ("fence", "code", "html") or not self._plain(pos):
                self._line(pos)
            self.previous_end, pos = self.end, after
            if after - self.end > 1:
                self._empty_lines(self.end, after)
        self._close_leaf()
        return self.answers

    def _past(self, last: int) -> bool:
        """Whether, with the lines up to the last position behind, nothing more can change
        what it is: only the paragraph that holds it can (a span closing later)."""
        return self.leaf != "paragraph" or self.inline[0] > last

    def _lines_at_once(self, pos: int) -> int:
        """Past the lines from `pos` that one match can take, not one by one: those that go
        on with an open paragraph, list items one after another, a fence's or an HTML
        block's content outside any container, and there, with no leaf open, thematic
        breaks and the paragraphs that they or setext underlines end. (The line's first
        character rules out what cannot match.)"""
        if self.leaf == "fence":
            return self._fence_lines(pos) if not self.containers else pos
        if self.leaf == "html":
            return self._html_lines(pos) if not self.containers else pos
        if self.leaf is None and not self.containers:
            return _repeated(_LEAF_LINES, self.text, pos, self._next_place_line(pos))
        if self.leaf is None:  # lines blank after the marker of the only, outermost quote
            quoted = self.quote_at == [0] and not self.fresh_item  # (they change nothing)
            return _repeated(_QUOTED_BLANK_LINES, self.text, pos, len(self.text)) if quoted else pos
        first, containers = self.text[pos], self.containers
        quotes = len(containers) if len(self.quote_at) == len(containers) else 0
        if first not in _MAY_START_BLOCK or first == "<" or (first == ">" and quotes):
            after = self._paragraph_lines(pos, quotes)
            if after > pos:
                return after
        if first in " -+*0123456789" and len(containers) == 1 and containers[0] != _QUOTE:
            return self._next_items(pos)
        return pos

    def _paragraph_lines(self, pos: int, quotes: int) -> int:
        """Past the lines from `pos` that go on with the open paragraph: lines of text,
        whatever the containers (as lazy lines if not theirs, CommonMark 0.31.2 §5.1), and when all
        of them are block quotes (`quotes`), with up to as many quote markers."""
        after = _repeated(_going_on(quotes), self.text, pos, len(self.text))
        if after > pos:
            end = after - (2 if self.text.endswith("\r\n", pos, after) else 1)
            self.end = self.previous_end = end
            self.inline = (self.inline[0], end)
        return after

    def _next_items(self, pos: int) -> int:
        """Past list items one after another, each a line of text, after the open one: but
        the last (left to _line, which opens it), and any line holding a position."""
        limit = self._next_place_line(pos)
        last = _NEXT_ITEMS.match(self.text, pos, limit).start(1)  # type: ignore[union-attr]
        if last <= pos:  # none, or one
            return pos
        self._close_leaf()  # (the items' paragraphs hold no position: nothing else to do)
        return last

    def _next_place_line(self, pos: int) -> int:
        """Where the line of the next position from `pos` starts (or the file's end): lines
        taken at once must stop there, as that position may need more than they keep."""
        text = self.text
        index = bisect.bisect_left(self.positions, pos, self.unpassed)
        if index == len(self.positions):
            return len(text)
        at = self.positions[index]
        newline = text.rfind("\n", pos, at)  # then a \r only after it: no read back to pos
        return max(newline, text.rfind("\r", max(newline, pos), at), pos - 1) + 1

    def _fence_lines(self, pos: int) -> int:
        """Past the content lines of a fence outside any container, in one search: only a
        closing fence ends it (that line is left to _line)."""
        text = self.text
        found = _closing_fence(*self.fence[:2]).search(text, pos)
        stop = len(text) if found is None else found.start()
        if stop > pos:  # where the line before ends: before its break, if it has one
            ending = 2 if text.endswith("\r\n", pos, stop) else 1 if text[stop - 1] in "\r\n" else 0
            self.previous_end = stop - ending
        return stop

    def _html_lines(self, pos: int) -> int:
        """Up to the line that ends an HTML block outside any container, in one search:
        the first holding its end mark, or the first blank one (that line is left to
        _line or _blank_line; docs/reference/commonmark-html-blocks.md §2)."""
        text = self.text
        found = (self.html_end or _BLANK_LINE).search(text, pos)
        if found is None:
            return len(text)
        at = found.start()
        return max(text.rfind("\n", pos, at), text.rfind("\r", pos, at), pos - 1) + 1

    def _empty_lines(self, start: int, end: int) -> None:
        """The empty lines between the line breaks at start..end (none in a lone \\r\\n): the
        first may end blocks, as a blank line does; the ones after it change nothing more."""
        text = self.text
        if end - start == 2 and text.startswith("\r\n", start):
            return
        self.end = self.first = start + (2 if text.startswith("\r\n", start) else 1)
        self._blank_line()
        self.previous_end = end - (2 if text.endswith("\r\n", start, end) else 1)

    def _blank_line(self) -> None:
        """A blank line goes on with the list items around it (not with one that began
        blank), up to the first block quote; it belongs to a fence or indented code whose
        containers all go on; anything else it ends."""
        containers = self.containers
        matched = len(containers) - 1 if self.fresh_item else len(containers)
        if self.quote_at:
            matched = min(matched, self.quote_at[0])
        if matched == len(containers) and (
            self.leaf in ("fence", "code") or (self.leaf == "html" and self.html_end)
        ):
            return
        self._close_containers(matched)
        if self.leaf in ("paragraph", "html"):
            self._close_leaf()

    def _plain(self, start: int) -> bool:
        """The common line outside any container, decided by its first character: text
        that can only go on with a paragraph or start one."""
        at = self.first
        char = self.text[at]
        if char in _MAY_START_BLOCK and not (
            char in "`~" and not self.text.startswith(char * 3, at)
        ):
            return False  # (one or two backticks start a code span, not a fence)
        if self.leaf == "paragraph":
            self.inline = (self.inline[0], self.end)
            return True
        if at - start < 4 and self.tabless:
            self.leaf, self.inline = "paragraph", (at, self.end)
            return True
        return False

    def _line(self, pos: int) -> None:
        """A line that is not blank, and not decided by _plain."""
        matched, pos, col = self._match_containers(pos) if self.containers else (0, pos, 0)
        lead = self._indent(pos, col)  # computed once, for the decisions below
        if matched == len(self.containers):
            if self.leaf == "fence":
                if self._closes_fence(lead):
                    self._close_leaf(self.end)
                return
            if self.leaf == "code" and self._continues_code(lead):
                return
            if self.leaf == "html":
                self._html_line(lead[1])
                return
        opened = False
        if lead[0] < 4 and lead[1] < self.end and self.text[lead[1]] in _CONTAINER_MARKS:
            opened, matched, pos, lead = self._open_containers(matched, pos, col, lead)
        if not opened and matched < len(self.containers):
            if self.leaf == "paragraph" and self._lazy(lead):
                # a lazy continuation line (CommonMark 0.31.2 §5.1)
                self.inline = (self.inline[0], self.end)
                return
            self._close_containers(matched)
        self._leaf(pos, lead, opened)

    def _match_containers(self, pos: int) -> tuple[int, int, int]:
        col, text, fresh = 0, self.text, self.fresh_item
        for number, width in enumerate(self.containers):
            if width == _QUOTE:
                marker = _QUOTE_MARKER.match(text, pos, self.end)  # without tabs, at once
                if marker is not None:
                    col, pos = col + marker.end() - pos, marker.end()
                    continue
                general = self._quote_marker(pos, col)
                if general is None:
                    return number, pos, col
                pos, col = general
            elif not fresh and text.startswith(" " * width, pos):  # the common item
                pos, col = pos + width, col + width
            else:
                indent, first, _ = self._indent(pos, col)
                if first >= self.end:
                    return self._blank_rest(number), pos, col
                if indent < width:
                    return number, pos, col
                pos, col = self._consume(pos, col, width)
        return len(self.containers), pos, col

    def _blank_rest(self, number: int) -> int:
        """How many containers a line matches whose rest is blank from the item `number` on:
        it goes on with every item up to the next block quote, which it cannot match (no
        marker), but not with an innermost item that began with a blank line already
        (CommonMark 0.31.2 §5.2). Found without a walk through the items, which would cost the
        depth."""
        later = bisect.bisect_left(self.quote_at, number)
        if later < len(self.quote_at):
            return self.quote_at[later]
        return len(self.containers) - 1 if self.fresh_item else len(self.containers)

    def _open_containers(
        self, matched: int, pos: int, col: int, lead: _Lead
    ) -> tuple[bool, int, int, _Lead]:
        """New block quotes and list items at the start of the rest of the line; any
        leaf open before them ends."""
        opened = False
        indent, first, first_col = lead
        while indent < 4 and first < self.end and self.text[first] in _CONTAINER_MARKS:
            if opened and indent == 0 and self._item_run(first):
                indent, first, first_col = lead = (
                    0,
                    self.run_end,
                    first_col + self.run_end - first,
                )
                pos, col = first, first_col
                matched = len(self.containers)  # (the next item closes none of them)
                continue
            if self.text[first] == ">":
                width, fresh = _QUOTE, False
                pos, col = self._consume(first + 1, first_col + 1, 1)
                lead = self._indent(pos, col)
            else:
                # Only the paragraph a line would continue is interrupted by an item
                # (CommonMark 0.31.2 §5.2).
                tip = not opened and matched == len(self.containers)
                item = self._item_marker(first, first_col, interrupting=tip)
                if item is None:
                    break
                fresh, content_pos, content_col, lead = item
                width, pos, col = content_col - col, content_pos, content_col
            self._close_containers(matched)
            if self.leaf is not None:
                self._close_leaf()
            self._push(width)
            self.fresh_item = fresh  # (the containers around it hold a block now)
            matched, opened = len(self.containers), True
            indent, first, first_col = lead
        return opened, matched, pos, lead

    def _item_run(self, first: int) -> bool:
        """Opens the list items `- - - x` (and block quotes, `> - > - x`) makes after a
        container opened on the line (no leaf open then, no paragraph to interrupt), at
        once: each item a bullet, one space and content, so 2 columns wide and not empty,
        as long as the line's rest from it cannot be a thematic break. Where they end:
        `run_end`. (Item by item, a line of 500,000 of them took 0.9 s.)"""
        # only before the line's last run of `-*_` and blanks is an item surely no break
        if self.breaks[0] != self.end:
            rest = self.text[first : self.end].rstrip("-*_ \t")
            self.breaks = (self.end, first + len(rest))
        if first >= self.breaks[1]:
            return False
        found = _ITEM_RUN.match(self.text, first, self.end)
        if found is None or found.end() == first:
            return False
        if self.text.find(">", first, found.end()) >= 0:
            return self._quote_and_item_run(first, found.end())
        count = min(found.end() - first, self.breaks[1] - first + 1) // 2
        self.containers.extend(itertools.repeat(2, count))
        self.fresh_item = False
        self.run_end = first + 2 * count
        return True

    def _quote_and_item_run(self, first: int, end: int) -> bool:
        """_item_run's work when the run holds block quotes: piece by piece, but each
        piece a few operations, not the whole of _open_containers."""
        containers, quote_at, stop = self.containers, self.quote_at, first
        for piece in _RUN_PIECE.finditer(self.text, first, end):
            if piece.start() >= self.breaks[1]:
                break  # (from here the rest of the line may be a thematic break)
            if piece.group().startswith(">"):
                quote_at.append(len(containers))
                containers.append(_QUOTE)
            else:
                containers.append(2)
            stop = piece.end()
        self.fresh_item = False
        self.run_end = stop
        return stop > first

    # -- markers -----------------------------------------------------------------

    def _quote_marker(self, pos: int, col: int) -> tuple[int, int] | None:
        indent, first, first_col = self._indent(pos, col)
        if indent >= 4 or first >= self.end or self.text[first] != ">":
            return None
        return self._consume(first + 1, first_col + 1, 1)

    def _item_marker(
        self, first: int, first_col: int, *, interrupting: bool
    ) -> tuple[bool, int, int, _Lead] | None:
        """(whether it is empty, the position and column where its content starts, and the
        lead there) of a list item whose marker is at `first`, or None."""
        text, end, char = self.text, self.end, self.text[first]
        if char in "-+*":
            marker_end = first + 1
        else:
            ordered = _ORDERED.match(text, first, end)
            if ordered is None:
                return None
            marker_end = ordered.end()
        if marker_end < end and text[marker_end] not in " \t":
            return None
        marker_col = first_col + marker_end - first
        spaces, content, content_col = self._indent(marker_end, marker_col)
        empty = content >= end
        thematic = char in "-*" and not empty and text[content] == char  # `- - -` may be
        if thematic and self._thematic(first):
            return None  # a thematic break (CommonMark 0.31.2 §4.1)
        ordered_one = char in "-+*" or int(text[first : marker_end - 1]) == 1
        if interrupting and self.leaf == "paragraph" and (empty or not ordered_one):
            return None  # cannot interrupt a paragraph (CommonMark 0.31.2 §5.2)
        if empty:  # its content would start one column after the marker
            return True, marker_end, marker_col + 1, self._indent(marker_end, marker_col + 1)
        if spaces >= 5:  # one column after the marker; the rest is indented code
            pos, col = self._consume(marker_end, marker_col, 1)
            return False, pos, col, (spaces - 1, content, content_col)
        return False, content, content_col, (0, content, content_col)

    def _thematic(self, first: int) -> bool:
        """Whether the rest of the line from `first` is a thematic break (CommonMark 0.31.2 §4.1).
        Only when that rest holds nothing but its character and blanks is it read: `- - - … x` asks
        once for every item it opens, and reading the line each time would cost the
        square of its length. Where that run of the line's end starts is found once a
        line and character."""
        char = self.text[first]
        if char not in "-*_":
            return False
        if self.tail[:2] != (self.end, char):
            rest = self.text[first : self.end].rstrip(char + " \t")
            self.tail = (self.end, char, first + len(rest))
        if first < self.tail[2]:
            return False
        return _THEMATIC.fullmatch(self.text, first, self.end) is not None

    def _closes_fence(self, lead: _Lead) -> bool:
        indent, first, _ = lead
        char, length, _ = self.fence
        if indent >= 4 or first >= self.end or self.text[first] != char:
            return False
        stop = _FENCE_RUN.match(self.text, first, self.end).end()  # type: ignore[union-attr]
        return stop - first >= length and self._blank(stop)

    def _fence_opener(self, first: int) -> tuple[str, int] | None:
        text = self.text
        char = text[first]
        if char not in "`~":
            return None
        stop = _FENCE_RUN.match(text, first, self.end).end()  # type: ignore[union-attr]
        if stop - first < 3 or (char == "`" and text.find("`", stop, self.end) >= 0):
            return None
        return char, stop - first

    def _lazy(self, lead: _Lead) -> bool:
        """Whether a line that leaves a container can go on with its paragraph
        (CommonMark 0.31.2 §5.1): not blank, and no fence, heading or thematic break (block quotes
        and list items are opened before this is asked; a setext underline cannot be a lazy
        line)."""
        indent, first, _ = lead
        if first >= self.end:
            return False
        return indent >= 4 or not self._ends_paragraph(first)

    def _ends_paragraph(self, first: int) -> bool:
        """Whether the line starting at `first` (indented less than 4 columns) is a fence,
        a heading or a thematic break."""
        text, char = self.text, self.text[first]
        if char in "`~":
            return self._fence_opener(first) is not None
        if char == "#":
            return _ATX.match(text, first, self.end) is not None
        if char == "<":
            return self._html_start(first, whole_tag=False) is not None
        return self._thematic(first)

    # -- leaf blocks -------------------------------------------------------------

    def _leaf(self, pos: int, lead: _Lead, opened: bool) -> None:
        indent, first, _ = lead
        if first >= self.end:  # the rest of the line is blank
            if self.leaf == "paragraph":
                self._close_leaf()
            return
        self.fresh_item = False
        if self.leaf == "paragraph" and not opened and self._paragraph_line(lead):
            return
        if indent >= 4 and self.leaf != "paragraph":
            self._close_leaf()
            self.leaf, self.code = "code", (pos, self.end)
            return
        self._close_leaf()
        char = self.text[first]
        fence = self._fence_opener(first) if char in "`~" else None
        if fence is not None:
            self.leaf, self.fence = "fence", (*fence, first)
        elif char == "#" and _ATX.match(self.text, first, self.end):
            self._code_spans(first, self.end)
        elif not (char == "<" and self._open_html(first)) and not self._thematic(first):
            self.leaf, self.inline = "paragraph", (first, self.end)

    def _paragraph_line(self, lead: _Lead) -> bool:
        """Whether the line belongs to the open paragraph: it goes on with it, or is the
        setext underline that makes it a heading (CommonMark 0.31.2 §4.3) and closes it."""
        indent, first, _ = lead
        if self.text[first] in _MAY_END_PARAGRAPH and indent < 4:
            if _SETEXT.fullmatch(self.text, first, self.end):
                self._close_leaf()
                return True
            if self._ends_paragraph(first):
                return False
        self.inline = (self.inline[0], self.end)  # the common case: one character decides
        return True

    def _html_start(self, first: int, *, whole_tag: bool) -> tuple[re.Pattern[str] | None] | None:
        """(the end mark of) the HTML block the line starting at `first` starts, indented
        less than 4 columns, or None; a line of one whole tag (kind 7) only if `whole_tag`:
        it cannot interrupt a paragraph (docs/reference/commonmark-html-blocks.md §1)."""
        for start, end_mark in _HTML_STARTS:
            if start.match(self.text, first, self.end):
                return (end_mark,)
        if (
            whole_tag
            and self.text.rfind(">", first, self.end) >= 0  # (attributes read only then)
            and _WHOLE_TAG_LINE.match(self.text, first, self.end)
        ):
            return (None,)
        return None

    def _open_html(self, first: int) -> bool:
        """Opens the HTML block the line starts, if it starts one (no paragraph is open):
        it ends on this line already if its end mark is on it."""
        started = self._html_start(first, whole_tag=True)
        if started is None:
            return False
        self.leaf, self.html_end = "html", started[0]
        self._html_line(first)
        return True

    def _html_line(self, first: int) -> None:
        """A line of an open HTML block, from `first`: its end mark ends it with this line,
        and a blank rest ends one that has none, before this line
        (docs/reference/commonmark-html-blocks.md §2)."""
        end_mark = self.html_end
        if first >= self.end:
            if end_mark is None:
                self.leaf = None
        elif end_mark is not None and end_mark.search(self.text, first, self.end):
            self.leaf = None

    def _continues_code(self, lead: _Lead) -> bool:
        indent, first, _ = lead
        if first >= self.end:
            return True  # blank lines inside indented code belong to it, if it goes on
        if indent < 4:
            return False
        self.code = (self.code[0], self.end)
        return True

    def _push(self, width: int) -> None:
        if width == _QUOTE:
            self.quote_at.append(len(self.containers))
        self.containers.append(width)

    def _close_containers(self, keep: int) -> None:
        if keep < len(self.containers):
            self._close_leaf()
            del self.quote_at[bisect.bisect_left(self.quote_at, keep) :]
            del self.containers[keep:]
            self.fresh_item = False  # (only the innermost can be)

    def _close_leaf(self, end: int | None = None) -> None:
        if self.leaf == "fence":
            self._code(self.fence[2], self.previous_end if end is None else end)
        elif self.leaf == "code":
            self._code(*self.code)
        elif self.leaf == "paragraph":
            self._code_spans(*self.inline)
        self.leaf = None

    def _code(self, start: int, end: int) -> None:
        """The positions in start..end are in code."""
        low = bisect.bisect_left(self.positions, start)
        high = bisect.bisect_left(self.positions, end, low)
        self.answers[low:high] = itertools.repeat(True, high - low)

    def _blank(self, pos: int) -> bool:
        return _NOT_BLANK.search(self.text, pos, self.end) is None

    # -- code spans --------------------------------------------------------------

    def _code_spans(self, start: int, end: int) -> None:
        """The code spans of one paragraph's or heading's text (CommonMark 0.31.2 §6.1) that hold a
        position asked about; its lines' container prefixes (`>`, blanks) hold no backticks, so the
        text is read in one piece. The spans before each position are passed over in one
        match (or a few), up to a run that it leaves, decided by _Pairs. (Paragraphs and
        headings come in order, so the positions before this one need no look.)"""
        low = bisect.bisect_left(self.positions, start, self.unpassed)
        high = self.unpassed = bisect.bisect_left(self.positions, end, low)
        if low == high or self.text.find("`", start, end) < 0:
            return
        pairs, pos = None, start
        for position in self.positions[low:high]:
            while pos < position:  # (past it: it is in the span found last)
                pos = _TEXT_AND_SPANS.match(self.text, pos, position).end()  # type: ignore[union-attr]
                if pos < position:  # at a run (after 1000 spans, maybe one it could pair)
                    pairs = pairs or _Pairs(self.text, start, end)
                    pos = pairs.past_run(pos, position, self._code)


def _repeated(pattern: re.Pattern[str], text: str, pos: int, end: int) -> int:
    """Where matches of `pattern` one after the other, from `pos`, stop before `end`. Each
    takes at most 1000 of what it repeats: a regex keeps what it may have to take back for
    every one of them, so one long match would cost memory (20 MB for 1 MB) and time."""
    while True:
        after = pattern.match(text, pos, end).end()  # type: ignore[union-attr]
        if after in (pos, end):
            return after
        pos = after


@functools.lru_cache(maxsize=16)
def _going_on(quotes: int) -> re.Pattern[str]:
    """Lines that go on with a paragraph, each after up to `quotes` block quote markers
    (without a tab after them: see _QUOTE_MARKER). At most 1000 a match: see _repeated."""
    markers = r"(?: {0,3}>(?: |(?!\t))){0," + str(quotes) + "}"
    return re.compile("(?:" + markers + _GOING_ON_LINE + "){0,1000}")


@functools.lru_cache(maxsize=16)
def _closing_fence(char: str, length: int) -> re.Pattern[str]:
    """A line that closes a fence of `length` `char`s outside any container
    (CommonMark 0.31.2 §4.5)."""
    run = re.escape(char) + "{" + str(length) + ",}"
    return re.compile(r"(?<![^\r\n]) {0,3}" + run + r"[ \t]*(?=[\r\n]|\Z)")


class _Pairs:
    """Where a run of backticks in one paragraph closes, when the fast match stopped."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self.last: dict[int, int] | None = None  # length -> where its last run starts
        self.unpaired = 0  # runs that opened no span

    def past_run(self, pos: int, position: int, code: Callable[[int, int], None]) -> int:
        """Past the run at `pos`: past its span, told to `code` when it holds `position`,
        or past the run alone if it opens none, and past the runs after it that are known
        to open none (each would cost the fast match a fruitless read)."""
        text = self.text
        while True:
            escaped = text[pos - 1] == "\\" and self._escaped(pos)  # its first backtick is text
            opening = pos + 1 if escaped else pos
            stop = _BACKTICKS.match(text, pos, self.end).end()  # type: ignore[union-attr]
            closed = self._span_end(opening, stop - opening) if stop > opening else None
            if closed is not None:
                if closed > position:
                    code(opening, closed)
                return closed
            following = None if self.last is None else _BACKTICKS.search(text, stop, position)
            if following is None:
                return stop
            pos = following.start()

    def _escaped(self, at: int) -> bool:
        """Whether an odd number of backslashes comes before `at`."""
        before = at
        while before > self.start and self.text[before - 1] == "\\":
            before -= 1
        return (at - before) % 2 == 1

    def _span_end(self, opening: int, length: int) -> int | None:
        """The end of the span that the run of `length` at `opening` opens (the next run
        of that length), or None. A run that pairs with nothing costs a read to the end:
        after two, the last run of each length is looked up instead (all the runs read
        once), so that no more do (one stray backtick does not cost that)."""
        if self.last is not None and self.last.get(length, -1) <= opening:
            return None
        found = _run_of(length).search(self.text, opening + length, self.end)
        if found is not None:
            return found.end()
        self.unpaired += 1
        if self.unpaired == 2:
            pieces = _SPLIT_AT_RUNS.split(self.text[opening : self.end])  # text, run, ..., text
            offsets = list(itertools.accumulate(map(len, pieces), initial=opening))
            self.last = dict(zip(map(len, pieces[1::2]), offsets[1:-1:2], strict=True))
        return None


@functools.lru_cache(maxsize=256)
def _run_of(length: int) -> re.Pattern[str]:
    """A run of exactly `length` backticks."""
    return re.compile("(?<!`)`{" + str(length) + "}(?!`)")


def in_code(text: str, positions: Sequence[int]) -> list[bool]:
    """For each of `positions`, whether it is in a fenced or indented code block or a code
    span. They come in increasing order, each at a character other than a blank, a line
    break or a backtick (as the start of a marker is)."""
    return _Scanner(text, positions).run() if positions else []
