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


class _Sanitiser(HTMLParser):
    def __init__(self, *, escape: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.escape = escape  # markup of other tags: shown as text (True) or removed
        self.out: list[str] = []
        self.open: list[str] = []
        self.removed: list[str] = []  # tags Zenodo would remove, in order of appearance

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._other(f"<{tag}>")
            return
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

    def handle_endtag(self, tag: str) -> None:
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
    parser = _Sanitiser(escape=False)
    parser.feed(text if "<" in text else html.unescape(text))
    return parser.result().strip()


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
