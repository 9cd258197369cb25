"""From what a browser sent to what is stored, with no I/O: the events' properties (URL, path,
UTM), the types a website may not send, and the email click's contact token read off a URL."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec

from parcours.errors import InvalidInput
from parcours.visitors.schemas import EventIn

VISIT: Final = "page_visited"
# The query parameter carrying a tracked email click's signed contact token (tracking.service).
CONTACT_TOKEN: Final = "pc"
UTM: Final = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_PROPERTIES_BYTES: Final = 4096
# What the product records itself, or what only a proven source may say (a purchase's revenue, a
# form's consent): a public beacon cannot claim them.
RESERVED_PREFIXES: Final = ("email_", "form_", "segment_", "journey_", "event_", "contact_", "lifecycle_", "score")
RESERVED: Final = frozenset({"purchase", "sms_sent", "webhook_called"})


def refused_type(kind: str) -> bool:
    return kind in RESERVED or kind.startswith(RESERVED_PREFIXES)


def without_token(url: str) -> tuple[str, str | None]:
    """The URL without its contact token, and the token (None: there was none)."""
    parts = urlsplit(url)
    if CONTACT_TOKEN + "=" not in parts.query:
        return url, None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    token = next((value for key, value in pairs if key == CONTACT_TOKEN), None)
    kept = urlencode([(k, v) for k, v in pairs if k != CONTACT_TOKEN])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, kept, parts.fragment)), token


def properties(event: EventIn, url: str, anonymous_id: str) -> dict[str, Any]:
    """What a page view or event keeps: the site's own properties, then ours (which win)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    found: dict[str, Any] = {**event.properties, "url": url, "path": parts.path or "/", "anonymous_id": anonymous_id}
    if event.title:
        found["title"] = event.title
    if event.referrer:
        found["referrer"] = without_token(event.referrer)[0]
    for key in UTM:
        if query.get(key):
            found[key] = query[key][:200]
    return found


def checked_events(events: list[EventIn], anonymous_id: str) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """Each event's type and properties, and the contact token its pages carried; the first bad
    event refuses the whole beacon (InvalidInput naming it), so that nothing of it is stored."""
    rows: list[tuple[str, dict[str, Any]]] = []
    token = None
    for i, event in enumerate(events):
        where = f"events[{i}]."
        if refused_type(event.type):
            raise InvalidInput(f"A website cannot send '{event.type}' events: this type is reserved.", where + "type")
        if not event.url.startswith(("http://", "https://")):
            raise InvalidInput("The page's address must start with http:// or https://.", where + "url")
        if len(msgspec.json.encode(event.properties)) > MAX_PROPERTIES_BYTES:
            raise InvalidInput(f"Properties are limited to {MAX_PROPERTIES_BYTES} bytes.", where + "properties")
        url, found = without_token(event.url)
        token = token or found
        rows.append((event.type, properties(event, url, anonymous_id)))
    return rows, token
