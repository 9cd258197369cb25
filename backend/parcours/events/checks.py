"""Checks and names for an event's own fields (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parcours.clock import as_utc

_NOT_WORD = re.compile(r"[^a-z0-9]+")
SLUG_LENGTH = 80


def slugify(name: str) -> str:
    """ "Café & Croissants 2025!" -> "cafe-croissants-2025" (never empty)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _NOT_WORD.sub("-", ascii_name).strip("-")[:SLUG_LENGTH].strip("-") or "event"


def numbered(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`... the first one not taken."""
    if slug not in taken:
        return slug
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


def dates_problem(starts_at: datetime, ends_at: datetime) -> str | None:
    if as_utc(ends_at) <= as_utc(starts_at):
        return "The event must end after it starts: ends_at is before (or at) starts_at."
    return None


class TimedSession(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def starts_at(self) -> datetime | None: ...
    @property
    def ends_at(self) -> datetime | None: ...


def sessions_problem(
    sessions: Sequence[TimedSession], starts_at: datetime, ends_at: datetime
) -> tuple[str, str] | None:
    """The first agenda problem as (field, message), the field named like the API's own errors
    ("sessions[2].ends_at"); None when every session has a title and fits within the event."""
    start, end = as_utc(starts_at), as_utc(ends_at)
    for index, session in enumerate(sessions):
        field = f"sessions[{index}]"
        if not session.title.strip():
            return f"{field}.title", f"Session {index + 1} needs a title."
        begins = as_utc(session.starts_at) if session.starts_at else None
        finishes = as_utc(session.ends_at) if session.ends_at else None
        if begins and finishes and finishes <= begins:
            return f"{field}.ends_at", f"Session {index + 1} must end after it starts."
        if begins and not start <= begins <= end:
            return f"{field}.starts_at", f"Session {index + 1} must start within the event (between its start and end)."
        if finishes and not start <= finishes <= end:
            return f"{field}.ends_at", f"Session {index + 1} must end within the event (between its start and end)."
    return None


def timezone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"Unknown time zone '{name}': use a name such as Europe/Paris or UTC."
    return None


CONSENT_ORDER = ("none", "transactional", "marketing", "profiling")


def public_changes(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """What a public form may change on a contact that already exists: it fills empty fields
    and adds consent, but never overwrites or withdraws (whoever types an email is not
    necessarily its owner)."""
    out = {}
    for field, value in given.items():
        now = current.get(field)
        if field == "consent_level":
            if CONSENT_ORDER.index(value) > CONSENT_ORDER.index(now or "none"):
                out[field] = value
        elif field in ("email_opt_in", "sms_opt_in"):
            if value and not now:
                out[field] = True
        elif now in (None, ""):
            out[field] = value
    return out
