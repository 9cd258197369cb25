"""Shipped page templates: templates/pages/<language>/<key>.json (name, description, SEO words),
<key>.html and <key>.css, English and French twins under one key. Read from the files, not stored."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import msgspec

from parcours.errors import Unprocessable
from parcours.landing.render import form_ids

LANGUAGES = ("en", "fr")


class PageTemplate(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    language: str
    name: str
    description: str = ""
    seo_title: str = ""
    seo_description: str = ""
    html: str = ""
    css: str = ""

    @property
    def has_form(self) -> bool:
        return bool(form_ids(self.html))


@lru_cache(maxsize=8)
def _load(root: str) -> tuple[PageTemplate, ...]:
    found: list[PageTemplate] = []
    for language in LANGUAGES:
        folder = Path(root) / "pages" / language
        for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            template = msgspec.json.decode(meta.read_bytes(), type=PageTemplate)
            html, css = meta.with_suffix(".html"), meta.with_suffix(".css")
            found.append(
                msgspec.structs.replace(
                    template,
                    html=html.read_text() if html.is_file() else "",
                    css=css.read_text() if css.is_file() else "",
                )
            )
    return tuple(found)


def list_templates(root: Path, language: str) -> list[PageTemplate]:
    return [t for t in _load(str(root)) if t.language == language]


def get_template(root: Path, key: str, language: str) -> PageTemplate:
    for template in _load(str(root)):
        if template.key == key and template.language == language:
            return template
    raise Unprocessable(f"There is no page template '{key}' in this language.", "template")
