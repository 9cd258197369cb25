"""What a page's designer may put on a public page: an allow-list of elements and attributes,
re-written from the parsed document (nothing the parser did not understand passes through).

No <script>, <iframe>, <object>, <form> or event handler (on*) survives; links and images keep
only http(s), mailto:, tel: and relative addresses. The page is also served with a Content
Security Policy that refuses inline scripts, so a fault here is not enough on its own.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

TAGS = frozenset(
    [
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "main",
        "mark",
        "nav",
        "ol",
        "p",
        "picture",
        "pre",
        "q",
        "s",
        "section",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
    ]
)
VOID = frozenset({"br", "col", "hr", "img", "source"})
# Dropped with everything inside them.
DROPPED = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "title"})
ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "title",
        "alt",
        "src",
        "href",
        "srcset",
        "width",
        "height",
        "style",
        "target",
        "rel",
        "lang",
        "dir",
        "colspan",
        "rowspan",
        "datetime",
        "cite",
        "align",
        "role",
        "aria-label",
        "aria-hidden",
        "data-parcours-form",
    ]
)
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_BAD_STYLE = re.compile(r"expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|@import|<|\\", re.IGNORECASE)


def safe_url(value: str) -> bool:
    """http(s), mailto:, tel:, or an address on this site (relative, #anchor)."""
    compact = _CONTROL.sub("", value)
    scheme = _SCHEME.match(compact)
    return scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.dropping:
            if tag == self.dropping[-1] and not closed:
                self.dropping.append(tag)
            return
        if tag in DROPPED:
            if not closed:
                self.dropping.append(tag)
            return
        if tag not in TAGS:
            return
        kept: list[str] = []
        for name, value in attrs:
            value = value or ""
            if name not in ATTRIBUTES:
                continue
            if name in URL_ATTRIBUTES and not safe_url(value):
                continue
            if name == "srcset" and not all(safe_url(part.strip()) for part in value.split(",")):
                continue
            if name == "style" and _BAD_STYLE.search(value):
                continue
            if name == "target" and value not in ("_blank", "_self"):
                continue
            kept.append(f' {name}="{escape(value, quote=True)}"')
        if tag == "a" and any(k.startswith(' target="_blank"') for k in kept):
            kept = [k for k in kept if not k.startswith(" rel=")] + [' rel="noopener noreferrer"']
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def clean_html(html: str) -> str:
    """The page's HTML with only what the allow-list keeps, well formed."""
    cleaner = _Cleaner()
    cleaner.feed(html)
    return cleaner.result()


def clean_css(css: str) -> str:
    """The page's style sheet, unable to close its <style> element or load a script."""
    css = css.replace("<", "").replace("\\", "")
    return re.sub(
        r"expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|@import[^;]*;?", "", css, flags=re.IGNORECASE
    )
