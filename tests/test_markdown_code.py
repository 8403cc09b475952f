"""markdown_code.py: where a README holds code, as CommonMark says, checked case by case
and against the reference implementation (commonmark.js, in its Python port) on
generated documents."""

from __future__ import annotations

import re
import sys

import commonmark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zenodo_action import markdown_code
from zenodo_action.markdown_code import in_code


def word_in_code(text: str, word: str) -> bool:
    return in_code(text, [text.index(word)]) == [True]


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # a closing fence indented 4 spaces is content: the block goes on (CommonMark 0.31.2 §4.5)
        ("```\nx\n    ```\nHERE\n```\n", "HERE", True),
        ("```\nx\n   ```\nHERE\n", "HERE", False),
        # shorter, or other characters, do not close; longer does
        ("````\n```\nHERE\n````\n", "HERE", True),
        ("~~~\n```\nHERE\n", "HERE", True),
        ("```\nx\n`````\nHERE\n", "HERE", False),
        ("``` ```\nHERE\n", "HERE", False),  # a backtick fence's info has no backtick
        # fences in list items, at their content's column
        ("- item\n\n  ```md\n  HERE\n  ```\n", "HERE", True),
        ("10. item\n\n    ```\n    HERE\n    ```\n", "HERE", True),
        ("- a\n  - b\n\n    ```\n    HERE\n    ```\n", "HERE", True),
        # the fence ends with its list item
        ("- ```\n  x\nHERE\n", "HERE", False),
        # fences in block quotes, ended by a line without `>`
        ("> ```\n> HERE\n> ```\n", "HERE", True),
        ("> ```\n> x\nHERE\n", "HERE", False),
        # indented code, not where a paragraph goes on
        ("para\n\n    HERE\n", "HERE", True),
        ("para\n    HERE\n", "HERE", False),
        ("- item\n\n      HERE\n", "HERE", True),
        ("\tHERE\n", "HERE", True),  # a tab is 4 columns
        # code spans, across the lines of one paragraph, not across paragraphs
        ("a `x\nHERE` b\n", "HERE", True),
        ("a `x\n\nHERE` b\n", "HERE", False),
        ("a ``x ` HERE`` b\n", "HERE", True),
        ("a \\`x HERE` b\n", "HERE", False),  # an escaped backtick opens nothing
        ("# a `HERE` b\n", "HERE", True),
        # an ordered item from 2 does not interrupt a paragraph, so the span goes on
        ("a `x\n2. HERE`\n", "HERE", True),
        ("a `x\n1. HERE`\n", "HERE", False),
        # \r alone is a line end too
        ("x\r```\rHERE\r```\r", "HERE", True),
        # lines read many at a time: a list of one-line items, a quote's and an item's
        # paragraph across lines (lazy ones too), a fence outside any container
        ("- a\n- b\n* c\n1. `HERE`\n- d\n", "HERE", True),
        ("- a\n- b\n  ```\nHERE\n", "HERE", False),
        ("> a\n> b `x\n> HERE` c\n", "HERE", True),
        ("> a `x\nlazy\n>> HERE`\n", "HERE", False),
        ("- a `x\nlazy\n  HERE` b\n", "HERE", True),
        ("```\na\n  ```x\n    ```\nHERE\n", "HERE", True),
        # a blank line (after a quote's marker) ends only the innermost item that began
        # blank, not the items around it: HERE is 3 columns into the outer item's content
        ("> -\n>   -\n>\n>      HERE\n", "HERE", False),
        ("- -\n\n      HERE\n", "HERE", True),
        # items opened many on a line, up to the one that would be a thematic break
        ("- - - x\n\n          HERE\n", "HERE", True),
        ("- - - x\n\n        HERE\n", "HERE", False),
        ("- * - - -\n\n        HERE\n", "HERE", True),  # `- - -` is a break, in 2 items
        ("- * - - -\n\n      HERE\n", "HERE", False),
        ("- - * * *\n\n      HERE\n", "HERE", False),
        # an item after those opened at once is one more, not one in their place
        ("* - -     x\n        HERE\n", "HERE", False),
        ("* - -     x\n          HERE\n", "HERE", True),
        # block quotes among them: one space after a marker at most, no tab
        ("- > - >     HERE\n", "HERE", True),
        ("- > - >    HERE\n", "HERE", False),
        ("- > ->\tHERE\n", "HERE", False),
        ("- > - >\t  HERE\n", "HERE", False),
        ("- > - > - - -\n>     HERE\n", "HERE", True),
        ("- > - > - - -\n  >     HERE\n", "HERE", False),
        # blank quote lines in the only quote change nothing, after the first
        ("> - a\n>\n>\n>     HERE\n", "HERE", False),
        ("> -\n>\n>\n>     HERE\n", "HERE", True),
        ("> - > a\n>\n>       HERE\n", "HERE", True),
        ("> - > - ***\n>\n>   >     HERE\n", "HERE", True),  # the inner quote ends
        ("> - a\n>\n> \r\n>\n\n>     HERE\n", "HERE", True),
        # HTML blocks (CommonMark 0.31.2 §4.6): indented lines after one that has ended
        # start indented code, as no paragraph is open; inside one, nothing is code
        ("# Tool\n<!-- managed by CI -->\n    HERE\n", "HERE", True),
        ("<!-- zenodo-badge -->\n    HERE\n", "HERE", True),
        ("<!--\n\n    HERE\n-->\n", "HERE", False),
        ("<!-- a\n-->\n    HERE\n", "HERE", True),
        ("<div>\n    HERE\n", "HERE", False),
        ("<div>\n\n    HERE\n", "HERE", True),
        ("<pre>\n\n    HERE\n</pre>\n", "HERE", False),
        ("<TEXTAREA x>\n\n    HERE\n", "HERE", False),
        ("<?php\n\n    HERE\n", "HERE", False),
        ("<!doctype html>\n    HERE\n", "HERE", True),
        ("<![CDATA[\n\n    HERE\n]]>\n    x\n", "HERE", False),
        ("<a href='x' title=\"y\" b/>\n    HERE\n", "HERE", False),
        ("<a href='x'>\n\n    HERE\n", "HERE", True),
        ("<div>\n```\nHERE\n", "HERE", False),  # a fence inside is HTML too
        ("    <div>\n    HERE\n", "HERE", True),  # indented 4: code, no HTML block
        # kinds 1-6 interrupt a paragraph and stop a lazy line; a lone tag (kind 7) does not
        ("a `x\n<div>\nHERE`\n", "HERE", False),
        ("a `x\n<span>\nHERE`\n", "HERE", True),
        ("> a `x\n<span>\n> HERE`\n", "HERE", True),
        ("> a\n<!-- x -->\n    HERE\n", "HERE", True),
        # in containers: it ends with them, not lazily
        ("> <div>\n>     HERE\n", "HERE", False),
        ("> <div>\n    HERE\n", "HERE", True),
        ("- <!--\n\n      HERE\n", "HERE", False),
        ("- <!--\n  -->\n\n      HERE\n", "HERE", True),
        ("> <div>\n>\n>     HERE\n", "HERE", True),
        ("> <pre>\n>\n>     HERE\n", "HERE", False),
        # outside containers, a block's lines are passed in one search, whatever the breaks
        ("<!--\r\n\r\n    x\r\n-->\r\n    HERE\r\n", "HERE", True),
        ("<div>\r    x\r\r    HERE\r", "HERE", True),
        ("<div>\r\n  \r\n    HERE\r\n", "HERE", True),
        ("<?\n?\n>?>\n    HERE\n", "HERE", True),
        # thematic breaks and paragraphs under setext underlines, taken many at once
        ("***\n===\n    HERE\n", "HERE", False),  # no paragraph to underline: text
        ("***\n--\n    HERE\n", "HERE", False),
        ("***\na\n==\n- - -\n    HERE\n", "HERE", True),
        ("***\na\n    ---\n    HERE\n", "HERE", False),
        ("---\na\r\nb\r--\n\n\n***\n\tHERE\n", "HERE", True),
        ("***\na `x\nHERE`\n---\n", "HERE", True),
        ("***\n\ta\n---\nHERE\n", "HERE", False),
        ("<!-- a -->\n<!-->\nb\n<!-- c -->\n    HERE\n", "HERE", True),
        ("<!-- a -->\n<!-- b\n    HERE\n", "HERE", False),
        ("<!-- a -->\nb\n<!-- c\n-->\n    HERE\n", "HERE", True),
        # blocks of kinds 6 and 7 up to their blank line, many at a match; a lone tag
        # does not interrupt a paragraph, a block tag does
        ("<div>\n  x\n\n<DIV class=a>\n\n    HERE\n", "HERE", True),
        ("<div>\n  x\n\n<div>\n    HERE\n", "HERE", False),
        ("<a x='1'>\n\n    HERE\n", "HERE", True),
        ("<pre>\n\n    HERE\n", "HERE", False),
        ("<pre/>\n\n    HERE\n", "HERE", True),
        ("a\n<span>\n\n    HERE\n", "HERE", True),
        ("a\n<span>\nb `x\n\n    HERE`\n", "HERE", True),
        ("***\na\n<div>\n\n    HERE\n", "HERE", True),
        ("***\na\n<span>\n    HERE\n", "HERE", False),
        ("***\n<div>\r\n \t\r\n    HERE\n", "HERE", True),
        ("***\n<div>\nHERE\n\n", "HERE", False),
        ("</textarea>\r\n    <!-- HERE -->\n", "HERE", False),  # (no blank line in \r\n)
        # lines of lone tags go on with a paragraph many at a match, up to one of kinds 1-6
        ("a `x\n<span>\n</em>\n<b c='d'/>\nHERE`\n", "HERE", True),
        ("a `x\n<span>\n<Div>\nHERE`\n", "HERE", False),
        ("a `x\n<span>\n<textarea\nHERE`\n", "HERE", False),
        ("a `x\n<span>\n<textareas>\nHERE`\n", "HERE", True),
        ("a `x\n<span>\n<!x\nHERE`\n", "HERE", False),
        ("> a `x\n> <span>\n<i>\n> <?\n> HERE`\n", "HERE", False),
        ("> a `x\n> <span>\n<i>\n> <i\n> HERE`\n", "HERE", True),
        ("<a b=c d='e'\n    HERE\n", "HERE", False),  # no `>`: a paragraph
    ],
)
def test_commonmark_cases(text, word, expected):
    assert word_in_code(text, word) is expected


class _Reads:
    """A compiled pattern that counts the characters its full matches were given."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.read = pattern, 0

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> object:
        self.read += min(endpos, len(text)) - pos
        return self.pattern.fullmatch(text, pos, endpos)

    def __getattr__(self, name: str) -> object:
        return getattr(self.pattern, name)


@pytest.mark.parametrize(
    "text",
    [
        "- " * 3000 + "x\n",  # each item asked whether the line's rest is a thematic break
        "- " * 3000 + "x\n" + " \n" * 3000,  # each blank line matched against every item
        "> " + "- " * 3000 + "x\n" + ">\n" * 3000,
        ("- " * 100 + "x\n") * 30,
        "> - " * 3000 + "x\n",
    ],
)
def test_deep_nesting_costs_work_in_proportion_to_the_text(monkeypatch, text):
    """No timing: the work counted is the lines' leads worked out and the characters
    read for thematic breaks, which grew with the square of the depth."""
    leads = 0
    indent = markdown_code._Scanner._indent

    def counted(self, pos, col):
        nonlocal leads
        leads += 1
        return indent(self, pos, col)

    monkeypatch.setattr(markdown_code._Scanner, "_indent", counted)
    thematic = _Reads(markdown_code._THEMATIC)
    monkeypatch.setattr(markdown_code, "_THEMATIC", thematic)
    text += "HERE\n"

    assert in_code(text, [text.index("HERE")]) == [False]
    assert leads + thematic.read <= len(text)


def test_every_place_asked_about_is_answered_in_order():
    text = "`a` b ``c``\n\n```\nd\n```\n\n    e\n\n> `f` g\n\nh `i` ```j```\n"
    places = [text.index(letter) for letter in "abcdefghij"]
    assert in_code(text, places) == [True, False, True, True, True, True, False, False, True, True]
    assert in_code(text, []) == []


# -- against the reference implementation -------------------------------------------

PREFIXES = ["", "", "> ", ">", "> > ", "- ", "* ", "+ ", "1. ", "10. ", "2) ", "  ", "   "]
PREFIXES += ["    ", "\t", " \t", "> - ", "- > ", "-   ", "-      ", "\t- ", "- \t", "> \t"]
PREFIXES += ["- - ", "* - - ", "> - - ", "- -  - "]
CONTENTS = ["```", "~~~", "````", "```x", "``` `y`", "```   ", "~~~ x", "`````", "  ```"]
CONTENTS += ["text W", "`x W`", "``", "`", "\\`", "W", "# h W", "***", "---", "", "-"]
CONTENTS += ["2. W", "1. W", "===", "a `b", "c` W d", "    W", "``a W``", "\\\\`W`", "W\t"]


def _document(lines: list[tuple[str, str, str]]) -> tuple[str, list[str]]:
    words: list[str] = []
    out = []
    for prefix, content, end in lines:
        while "W" in content:
            words.append(f"word{len(words)}x")
            content = content.replace("W", words[-1], 1)
        out.append(prefix + content + end)
    return "".join(out), words


def _in_rendered_code(html: str, word: str) -> bool | None:
    at = html.find(word)
    if at < 0:
        return None
    return html.rfind("<code", 0, at) > html.rfind("</code>", 0, at)


LINES = st.lists(
    st.tuples(
        st.sampled_from(PREFIXES),
        st.sampled_from(CONTENTS),
        st.sampled_from(["\n", "\n", "\r\n", "\r", "\n\n", "\n\r", "\r\n\r\n"]),
    ),
    max_size=12,
)


@pytest.fixture(scope="module", autouse=True)
def _reference_at_spec_0_31_2():
    """The Python port (commonmark 0.9.1) follows CommonMark 0.29; its HTML-block starts
    are brought to 0.31.2 (docs/reference/
    commonmark-html-blocks.md §3): `textarea` is a raw tag, `<!` takes a lower-case
    letter too, `search` is a block tag and `source` no longer, and a lone tag does not
    stop a lazy line."""
    blocks = commonmark.blocks
    opens, closes = list(blocks.reHtmlBlockOpen), list(blocks.reHtmlBlockClose)
    opens[1] = re.compile(r"^<(?:script|pre|style|textarea)(?:\s|>|$)", re.I)
    closes[1] = re.compile(r"</(?:script|pre|style|textarea)>", re.I)
    opens[4] = re.compile(r"^<![A-Za-z]")
    block_tags = opens[6].pattern.replace("|source|", "|search|")
    opens[6] = re.compile(block_tags, re.I)
    plain = blocks.BlockStarts.html_block

    def html_block(parser, container=None):
        lazy = not parser.all_closed and not parser.blank and parser.tip.t == "paragraph"
        if lazy and not any(
            opens[kind].search(parser.current_line[parser.next_nonspace :]) for kind in range(1, 7)
        ):
            return 0
        return plain(parser, container)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blocks, "reHtmlBlockOpen", opens)
        patch.setattr(blocks, "reHtmlBlockClose", closes)
        patch.setattr(blocks.BlockStarts, "html_block", staticmethod(html_block))
        yield


def test_the_reference_follows_spec_0_31_2_on_html_blocks():
    assert commonmark.commonmark("<textarea>\n\n    x\n") == "<textarea>\n\n    x\n"
    assert commonmark.commonmark("<!doctype html>\n    x\n").endswith(
        "<pre><code>x\n</code></pre>\n"
    )
    assert commonmark.commonmark("<search>\n    x\n") == "<search>\n    x\n"
    assert commonmark.commonmark("> a\n<span>\n").startswith("<blockquote>\n<p>a\n<span>")


def _check_against_the_reference(text: str, words: list[str]) -> None:
    html = commonmark.commonmark(text)
    answers = in_code(text, [text.index(word) for word in words])  # all at once
    for word, answer in zip(words, answers, strict=True):
        rendered = _in_rendered_code(html, word)
        if rendered is not None:
            assert answer is rendered, (text, word, html)


@settings(max_examples=400, deadline=None)
@given(LINES)
def test_code_is_where_the_reference_implementation_renders_code(lines):
    _check_against_the_reference(*_document(lines))


# HTML blocks of every kind, their ends, lines of one tag (some too odd to be one), text
# and what makes code without backticks: inside an inline tag or comment a backtick opens no
# code span, which the scan does not model, so no line here has one.
HTML = ["<!-- W -->", "<!--", "<!-- W", "-->", "W -->", "<!-->", "<pre>", "<PRE x", "</pre>"]
HTML += ["<script>", "</script> W", "<style", "<textarea>", "</textarea>", "<?x W", "?>"]
HTML += ["<!X W", "<!d W", "> W", "<![CDATA[ W", "]]>", "<div>", "</DIV>", "<div/>", "<p W"]
HTML += ["<search>", "<source>", "<ul x=1>", "<span>", "</a>", "<a href='x' b>", "<a x=>"]
HTML += ['<b c="d" />', "<x-y>  ", "<span> W", "<1>", "< a>", "<!-- zenodo-badge -->"]
PLAIN = ["~~~", "~~~~", "~~~ x", "text W", "W", "# h W", "***", "---", "", "-", "===", "    W"]
PLAIN += ["2. W", "1. W", "W\t", "> W"]
HTML_LINES = st.lists(
    st.tuples(
        st.sampled_from(PREFIXES),
        st.sampled_from(HTML + PLAIN),
        st.sampled_from(["\n", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n"]),
    ),
    max_size=12,
)


@settings(max_examples=600, deadline=None)
@given(HTML_LINES)
def test_html_blocks_are_where_the_reference_implementation_puts_them(lines):
    _check_against_the_reference(*_document(lines))


# Inline text that takes the code-span scan off its fast path: a span with more runs
# inside than one match reads, runs of lengths that never pair, backslashes before runs.
INLINE = ["`", "``", "```", "\\", "\\\\", "a", " ", "W", "\n", "x`y", "\\`", "\\``"]
INLINE += ["`" + " ``" * 40 + " ", " ".join("`" * length for length in range(2, 9)), "\n\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(INLINE), max_size=40))
def test_code_spans_are_where_the_reference_implementation_renders_them(pieces):
    _check_against_the_reference(*_document([("", "".join(pieces), "\n")]))


@settings(max_examples=300, deadline=None)
@given(LINES, st.data())
def test_asking_about_fewer_places_changes_no_answer(lines, data):
    """Only what the places asked about need is worked out (the scan stops after the
    block of the last one, and pairs code spans only where one is): the answers for
    some places are those they get when every place is asked about."""
    text, words = _document(lines)
    places = [text.index(word) for word in words]
    every = in_code(text, places)
    some = data.draw(st.sets(st.sampled_from(range(len(places))) if places else st.nothing()))
    chosen = sorted(some)
    assert in_code(text, [places[index] for index in chosen]) == [every[i] for i in chosen]
