"""One way to serve a server-rendered page: a template of templates/ (extending base.html, the
layout every public page shares), the visitor's language, and `t("key", name=...)` for words."""

from __future__ import annotations

from functools import partial

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from litestar import Response

from parcours.web.catalog import Language, text

NO_STORE = {"Cache-Control": "no-store, private"}  # personal pages: no shared or browser cache

# Autoescaped: names, addresses and descriptions come from visitors and contacts.
_environment = Environment(
    loader=PackageLoader("parcours.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, language: Language, **context: object) -> str:
    return _environment.get_template(name).render(language=language, t=partial(text, language), **context)


def html(body: str, status: int = 200) -> Response[str]:
    """A rendered page as an HTML answer nobody caches."""
    return Response(body, media_type="text/html", status_code=status, headers=NO_STORE)
