"""One email for one contact: personalized subject, HTML and text, with tracked links."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from parcours.emails import render
from parcours.tracking.tokens import Links

# Who previews and thumbnails are addressed to when no contact is chosen: never a raw {{ … }} on screen.
SAMPLE_CONTACT: dict[str, Any] = {
    "first_name": "Camille",
    "last_name": "Martin",
    "email": "camille.martin@example.com",
    "city": "Lyon",
    "country": "FR",
    "language": "fr",
    "custom": {},
}
SAMPLE_ACCOUNT: dict[str, Any] = {"name": "Atelier Lumière", "domain": "atelier-lumiere.example", "custom": {}}


class Content(msgspec.Struct, kw_only=True):
    subject: str
    preheader: str
    html: str
    text: str


class Composed(msgspec.Struct):
    subject: str
    html: str
    text: str


def context(
    contact: Mapping[str, Any] | None,
    account: Mapping[str, Any] | None,
    links: Links | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a template can name: contact.<field>, contact.custom.<name>, account.<field>,
    unsubscribe_url, preferences_url, and anything the sender adds (event fields...)."""
    values: dict[str, Any] = {
        "contact": dict(contact or {}),
        "account": dict(account or {}),
        "unsubscribe_url": links.unsubscribe if links else "#unsubscribe",
        "preferences_url": links.preferences if links else "#preferences",
    }
    values.update(extra or {})
    return values


def compose(
    content: Content, values: Mapping[str, Any], rule: Callable[[str], bool] | None, links: Links | None
) -> Composed:
    subject = render.personalize(content.subject, values, rule=rule).strip()
    html = render.personalize(content.html, {**values, "preheader": content.preheader}, html=True, rule=rule)
    text = render.personalize(content.text, values, rule=rule)
    if links is not None:
        # Unsubscribe and preference links go straight to their page: one click, no detour.
        html = render.rewrite_links(html, links.click, frozenset({links.unsubscribe, links.preferences}))
        pixel = f'<img src="{links.open_pixel}" width="1" height="1" alt="" style="display:none">'
        html = html.replace("</body>", pixel + "</body>", 1) if "</body>" in html else html + pixel
    return Composed(subject=subject or content.subject, html=html, text=text)
