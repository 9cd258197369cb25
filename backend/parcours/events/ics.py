"""An event as an iCalendar file (RFC 5545), for calendars and confirmation emails (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

PRODUCT = "-//Parcours//Events//EN"
_FOLD_AT = 75  # octets per line, before the CRLF


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon and comma escaped, newlines as \\n."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never inside a
    UTF-8 character)."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        limit = _FOLD_AT if not out else _FOLD_AT - 1  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    *,
    uid: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    description: str = "",
    location: Sequence[str | None] = (),
    url: str | None = None,
    cancelled: bool = False,
    sequence: int = 0,
) -> str:
    """One VEVENT in a VCALENDAR. Times are written in UTC, which every calendar shows in the
    reader's own time zone."""
    where = ", ".join(part for part in location if part)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(starts_at)}",
        f"DTEND:{stamp(ends_at)}",
        f"SUMMARY:{escape(name)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if where:
        lines.append(f"LOCATION:{escape(where)}")
    if url:
        lines.append(f"URL:{url}")
    lines += [f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
