"""The words of the public pages, in every language they speak (catalog.json), read once."""

from __future__ import annotations

from importlib.resources import files

import msgspec

Language = str  # "en" or "fr"


class Words(msgspec.Struct, frozen=True):
    words: dict[str, str]  # "feature.key" -> text, with {placeholders}
    days: list[str]  # Monday first
    months: list[str]  # January first


CATALOG: dict[Language, Words] = msgspec.json.decode(
    files("parcours.web").joinpath("catalog.json").read_bytes(), type=dict[Language, Words]
)
LANGUAGES = tuple(CATALOG)


def text(language: Language, key: str, **values: object) -> str:
    """A sentence of the catalog with its {placeholders} filled (plain text: templates escape it)."""
    return CATALOG[language].words[key].format(**values)
