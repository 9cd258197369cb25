"""The iCalendar text of an event (RFC 5545): structure, escaping, folding, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from parcours.events.ics import calendar, escape, fold

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_a_calendar_with_one_event_in_utc() -> None:
    text = calendar(
        uid="event-7@parcours",
        name="Launch",
        starts_at=datetime(2030, 6, 1, 18, 30, tzinfo=PARIS_SUMMER),
        ends_at=datetime(2030, 6, 1, 20, 0, tzinfo=PARIS_SUMMER),
        now=datetime(2030, 5, 1, tzinfo=UTC),
        location=("Hall", None, "Paris"),
        url="https://example.org/e/launch",
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20300601T163000Z" in lines and "DTEND:20300601T180000Z" in lines
    assert "DTSTAMP:20300501T000000Z" in lines and "UID:event-7@parcours" in lines
    assert "LOCATION:Hall\\, Paris" in lines and "METHOD:PUBLISH" in lines and "STATUS:CONFIRMED" in lines
    assert not any(line.startswith("DESCRIPTION") for line in lines)
    assert lines.index("BEGIN:VEVENT") < lines.index("SUMMARY:Launch") < lines.index("END:VEVENT")


def test_cancelled_event() -> None:
    text = calendar(
        uid="u",
        name="x",
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        ends_at=datetime(2030, 1, 2, tzinfo=UTC),
        now=datetime(2030, 1, 1, tzinfo=UTC),
        cancelled=True,
    )
    assert "METHOD:CANCEL\r\n" in text and "STATUS:CANCELLED\r\n" in text


def test_text_is_escaped() -> None:
    assert escape("a, b; c\\d\ne") == "a\\, b\\; c\\\\d\\ne"
    text = calendar(
        uid="u",
        name="Q&A; live, now",
        starts_at=datetime(2030, 1, 1, tzinfo=UTC),
        ends_at=datetime(2030, 1, 2, tzinfo=UTC),
        now=datetime(2030, 1, 1, tzinfo=UTC),
        description="Line 1\nLine 2",
    )
    assert "SUMMARY:Q&A\\; live\\, now\r\n" in text and "DESCRIPTION:Line 1\\nLine 2\r\n" in text


def test_long_lines_fold_at_75_octets_without_cutting_characters() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert fold("SHORT:x") == "SHORT:x"
