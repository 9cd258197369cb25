"""A published page as the visitor's browser receives it: a full document (title, description,
Open Graph, viewport) around the page's sanitised HTML, with each form block replaced by the form
itself. Pure: the forms' markup is handed in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import msgspec
from jinja2 import Environment, StrictUndefined

# A form block as the designer saves it: <div data-parcours-form="12">…</div> (no nested div).
FORM_BLOCK = re.compile(r'<div\b[^>]*\bdata-parcours-form="([^"]*)"[^>]*>(?:(?!<div\b).)*?</div>', re.DOTALL)
FORM_ID = re.compile(r"^[1-9][0-9]{0,9}$")

# Scripts only from this site (a form's proof-of-work widget, the tracking script), never inline.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
    "font-src 'self' https: data:; worker-src 'self' blob:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class Shown(msgspec.Struct, frozen=True, kw_only=True):
    """What a visitor is shown: the page's words for search engines and the variant's body."""

    language: str
    url: str
    seo_title: str
    seo_description: str
    social_image: str
    html: str
    css: str


def form_ids(html: str) -> list[str]:
    """The form ids the page's form blocks name, as written (checked by the caller)."""
    return [m.group(1) for m in FORM_BLOCK.finditer(html)]


def place_forms(html: str, forms: Mapping[int, str | None], missing: str) -> str:
    """Each form block replaced by its form's markup (or `missing` when the form is gone)."""

    def form(match: re.Match[str]) -> str:
        found = forms.get(int(match.group(1))) if FORM_ID.match(match.group(1)) else None
        return f'<div class="parcours-form-block">{found}</div>' if found else missing

    return FORM_BLOCK.sub(form, html)


_ANONYMOUS_ID = re.compile(r'(<input type="hidden" name="anonymous_id" value=")(")')
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def with_visitor(markup: str, visitor: str) -> str:
    """The form's empty anonymous id filled with the visitor's (the tracking script, when on the
    page, fills it with the same id: it reads the same cookie)."""
    if not _SAFE_ID.match(visitor):
        return markup
    return _ANONYMOUS_ID.sub(lambda m: f"{m.group(1)}{visitor}{m.group(2)}", markup, count=1)


def arm(visitor: str, page_id: int, keys: Sequence[str]) -> str:
    """The variant a visitor sees: the same one each time (a hash of the visitor and the page)."""
    if len(keys) <= 1:
        return keys[0] if keys else "A"
    digest = hashlib.sha256(f"{page_id}:{visitor}".encode()).digest()
    return keys[int.from_bytes(digest[:8], "big") % len(keys)]


_environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_DOCUMENT = _environment.from_string(
    """<!doctype html>
<html lang="{{ page.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ page.seo_title }}</title>
{% if page.seo_description %}
<meta name="description" content="{{ page.seo_description }}">
{% endif %}
{% if noindex %}
<meta name="robots" content="noindex, nofollow">
{% endif %}
<link rel="canonical" href="{{ page.url }}">
<meta property="og:type" content="website">
<meta property="og:url" content="{{ page.url }}">
<meta property="og:title" content="{{ page.seo_title }}">
<meta property="og:locale" content="{{ 'fr_FR' if page.language == 'fr' else 'en_US' }}">
{% if page.seo_description %}
<meta property="og:description" content="{{ page.seo_description }}">
{% endif %}
{% if page.social_image %}
<meta property="og:image" content="{{ page.social_image }}">
<meta name="twitter:card" content="summary_large_image">
{% endif %}
<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1f2933}
img{max-width:100%;height:auto}
{{ page.css | safe }}
</style>
</head>
<body>
{% if banner %}
<p role="status" style="margin:0;padding:8px 16px;background:#fff3bf;color:#1f2933;text-align:center">{{ banner }}</p>
{% endif %}
{{ body | safe }}
{% if not noindex %}<script src="/t.js" async></script>{% endif %}
</body>
</html>
"""
)


def document(page: Shown, body: str, *, banner: str = "", noindex: bool = False) -> str:
    """The whole HTML document; `body` is the page's sanitised HTML with its forms placed."""
    return _DOCUMENT.render(page=page, body=body, banner=banner, noindex=noindex)
