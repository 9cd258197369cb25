"""What a page's designer may put on a public page: an allow-list of elements and attributes,
cleaned by nh3 (html5ever parses, ammonia keeps only what is listed).

No <script>, <iframe>, <object>, <form> or event handler (on*) survives; links and images keep
only http(s), mailto:, tel: and relative addresses. The page is also served with a Content
Security Policy that refuses inline scripts, so a fault here is not enough on its own.
"""

from __future__ import annotations

import re

import nh3

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


def _attribute(tag: str, name: str, value: str) -> str | None:
    """What nh3's allow-list cannot say alone: safe styles, srcset addresses, link targets."""
    if name == "srcset" and not all(safe_url(part.strip()) for part in value.split(",")):
        return None
    if name == "style" and _BAD_STYLE.search(value):
        return None
    if name == "target" and value not in ("_blank", "_self"):
        return None
    return value


def clean_html(html: str) -> str:
    """The page's HTML with only what the allow-list keeps, well formed (nh3: html5ever + ammonia)."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED),
        attributes={"*": set(ATTRIBUTES)},
        attribute_filter=_attribute,
        url_schemes=set(_SAFE_SCHEMES),
        link_rel="noopener noreferrer",
    )


def clean_css(css: str) -> str:
    """The page's style sheet, unable to close its <style> element or load a script."""
    css = css.replace("<", "").replace("\\", "")
    return re.sub(
        r"expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|@import[^;]*;?", "", css, flags=re.IGNORECASE
    )
