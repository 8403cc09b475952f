"""HTML in descriptions, as Zenodo keeps it.

Zenodo stores a description (and notes, method) through its HTML sanitiser: the tags and
attributes in the lists below stay, a link keeps only an http, https or mailto target,
and every other tag is removed, its text kept (docs/reference/zenodo-deposit-rules.md §5).
Two uses here, one parser (the standard library's; a dependency would buy nothing the
lists do not already say):

- `escape_unknown`: an abstract from CITATION.cff or codemeta.json is text that may hold
  some HTML on purpose (a link, emphasis). The tags Zenodo keeps are kept; anything else
  that looks like markup is shown as the text it is, so nothing the author wrote is lost.
  `paragraphs` makes such an abstract the description, both readers alike.
- `as_zenodo_stores`: what Zenodo makes of HTML sent to it, for comparing a record with
  what a run would send (the dry-run plan) and for telling users what it would remove.
"""

from __future__ import annotations

import html
import html.entities
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

# invenio-config's ALLOWED_HTML_TAGS and ALLOWED_HTML_ATTRS, which Zenodo runs with.
ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "blockquote",
        "br",
        "code",
        "div",
        "table",
        "tbody",
        "td",
        "th",
        "tr",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "title", "name", "class", "rel"}),
    "abbr": frozenset({"title", "class"}),
    "acronym": frozenset({"title", "class"}),
}
ANY_TAG_ATTRIBUTES = frozenset({"class"})
LINK_PROTOCOLS = ("http", "https", "mailto")  # the sanitiser's default for href
_VOID = frozenset({"br"})
BLOCK_TAGS = frozenset(
    ["p", "div", "ul", "ol", "pre", "blockquote", "table", "h1", "h2", "h3", "h4", "h5"]
)
# Block-level tags the sanitiser removes: each becomes a line break after the first tag
# (bleach's `HTML_TAGS_BLOCK_LEVEL`, as a browser would lay them out).
_REMOVED_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "details",
        "dialog",
        "dd",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h6",
        "header",
        "hgroup",
        "hr",
        "main",
        "nav",
        "section",
    ]
)
# What the HTML parser behind the sanitiser (html5lib) closes or adds by itself: an open
# <p> ends where a block starts, an <li> where the next one starts, and rows sit in a
# <tbody>. Zenodo stores the tree it built, so the plan compares that tree.
_ENDS_PARAGRAPH = BLOCK_TAGS | _REMOVED_BLOCKS | {"li"}
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_KEPT_ENTITY = ("\ue000", "\ue001")  # brackets, in private-use characters, of one kept


class _Sanitiser(HTMLParser):
    def __init__(self, *, escape: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.escape = escape  # markup of other tags: shown as text (True) or removed
        self.out: list[str] = []
        self.open: list[str] = []
        self.removed: list[str] = []  # tags Zenodo would remove, in order of appearance
        self.tag_seen = False  # a tag came before: a removed block then leaves a line break

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        after_a_tag, self.tag_seen = self.tag_seen, True
        if tag not in ALLOWED_TAGS:
            if tag in _REMOVED_BLOCKS and after_a_tag and not self.escape:
                self.out.append("\n")
            self._other(f"<{tag}>")
            return
        self._implied_ends(tag)
        kept = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"'
            for name, value in attrs
            if _allowed_attribute(tag, name, value or "")
        )
        self.out.append(f"<{tag}{kept}>")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self.open and tag not in _VOID:
            self.handle_endtag(tag)

    def _implied_ends(self, tag: str) -> None:
        """Close what a start tag closes by itself, and add the <tbody> a row needs."""
        if tag in _ENDS_PARAGRAPH and "p" in self.open[-1:]:
            self.handle_endtag("p")
        if tag == "li" and "li" in self.open:
            last = len(self.open) - 1 - self.open[::-1].index("li")
            if not {"ul", "ol"} & set(self.open[last:]):
                self.handle_endtag("li")
        if tag == "tr" and self.open[-1:] == ["table"]:
            self.out.append("<tbody>")
            self.open.append("tbody")

    def handle_endtag(self, tag: str) -> None:
        self.tag_seen = True
        if tag == "p" and tag not in self.open and not self.escape:
            self.out.append("<p></p>")  # a stray </p> makes an empty paragraph (HTML5)
            return
        if tag not in self.open:
            if tag not in ALLOWED_TAGS:  # a stray end of a kept tag is dropped, as Zenodo does
                self._other(f"</{tag}>", f"</{tag}>")
            return
        while self.open:
            closing = self.open.pop()
            self.out.append(f"</{closing}>")
            if closing == tag:
                break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self._other("<!--", f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._other("<!", f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self._other("<!", f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self._other("<?", f"<?{data}>")

    def _other(self, name: str, text: str | None = None) -> None:
        self.removed.append(name)
        if self.escape:
            written = self.get_starttag_text() if text is None else text
            self.out.append(html.escape(written or name, quote=False))

    def result(self) -> str:
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        self.open.clear()
        return "".join(self.out)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ANY_TAG_ATTRIBUTES):
        return False
    if name == "href":
        scheme = urlsplit(value.strip()).scheme.lower() if ":" in value else ""
        return scheme in ("", *LINK_PROTOCOLS)
    return True


def escape_unknown(text: str) -> str:
    """`text` with the tags Zenodo keeps kept (their attributes sanitised) and all other
    markup escaped into the text it is. Zenodo keeps the escapes only in HTML that has a
    tag (see `as_zenodo_stores`): the caller wraps the result in one."""
    parser = _Sanitiser(escape=True)
    parser.feed(text)
    return parser.result()


def as_zenodo_stores(text: str) -> str:
    """What Zenodo stores for HTML sent as `text`: other tags removed, text kept. Text
    without a `<` has its entities unescaped first (Zenodo's text cleaning, ftfy, takes
    it for plain text), so escaped markup with no tag around it becomes markup."""
    if "<" not in text:
        text = html.unescape(text)
        parser = _Sanitiser(escape=False)
        parser.feed(text)
        return parser.result().strip()
    # In HTML, the sanitiser keeps a complete character reference as written (`&copy;`)
    # and escapes any other "&" (`&copy` without its ";" too)
    open_, close = _KEPT_ENTITY
    protected = _ENTITY.sub(lambda m: _kept(m, open_, close), text).replace("&", "&amp;")
    parser = _Sanitiser(escape=False)
    parser.feed(protected)
    stored = parser.result().strip()
    return re.sub(f"{open_}(#?[A-Za-z0-9]+){close}", r"&\1;", stored)


def _kept(match: re.Match[str], open_: str, close: str) -> str:
    name = match.group(1)
    known = name.startswith("#") or f"{name};" in html.entities.html5
    return f"{open_}{name}{close}" if known else match.group(0)


def removed_tags(text: str) -> list[str]:
    """The tags (and comments) in `text` that Zenodo would remove, each name once."""
    parser = _Sanitiser(escape=False)
    parser.feed(text)
    parser.result()
    return list(dict.fromkeys(name for name in parser.removed if not name.startswith("</")))


def starts_with_block(text: str) -> bool:
    """Whether HTML text begins with a block element (then it needs no <p> around it)."""
    head = text.lstrip().lower()
    return any(
        head.startswith(f"<{tag}") and head[len(tag) + 1 : len(tag) + 2] in (">", " ")
        for tag in BLOCK_TAGS
    )


def paragraphs(text: str) -> str:
    """An abstract (CITATION.cff's, codemeta.json's description) as the HTML Zenodo's
    description is: each block of text (blank lines separate them) a paragraph, unless it
    starts with a block element of its own. HTML the author wrote on purpose (a link)
    stays where Zenodo keeps it; any other markup is escaped into the text it is. An
    abstract that is HTML from its first tag is taken whole."""
    if starts_with_block(text):
        return escape_unknown(text.strip())
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    html_blocks = [escape_unknown(" ".join(block.split())) for block in blocks]
    return "".join(
        block if starts_with_block(block) else f"<p>{block}</p>" for block in html_blocks
    )
