"""The few pages a recipient sees (unsubscribe, preferences), in their language. Their HTML is
in web/templates/tracking/, their words in web/catalog.json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from parcours.web.render import render


class Topic(Protocol):
    """A subscription topic as the preference center shows it (emails.topics)."""

    key: str
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str


def language_of(contact: dict[str, Any] | None, accept_language: str | None) -> str:
    preferred = (contact or {}).get("language") or (accept_language or "")[:2]
    return "fr" if str(preferred).lower().startswith("fr") else "en"


def unsubscribe_form(language: str, address: str, preferences_url: str) -> str:
    return render("tracking/unsubscribe.html", language, address=address, preferences_url=preferences_url)


def unsubscribed(language: str, address: str) -> str:
    return render("tracking/unsubscribed.html", language, address=address)


def preferences_form(
    language: str, address: str, topics: Sequence[Topic], opted_out: set[str], everything: bool, saved: bool
) -> str:
    return render(
        "tracking/preferences.html",
        language,
        address=address,
        topics=topics,
        opted_out=opted_out,
        everything=everything,
        saved=saved,
    )


def invalid(language: str) -> str:
    return render("tracking/invalid.html", language)
