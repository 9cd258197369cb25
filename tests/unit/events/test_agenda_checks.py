"""The agenda check: titles, order within a session, and sessions within the event (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcours.events import checks
from parcours.events.schemas import SessionOut

START = datetime(2030, 5, 1, 9, tzinfo=UTC)
END = START + timedelta(hours=8)


def s(title: str = "Talk", starts: float | None = None, ends: float | None = None) -> SessionOut:
    return SessionOut(
        title=title,
        starts_at=None if starts is None else START + timedelta(hours=starts),
        ends_at=None if ends is None else START + timedelta(hours=ends),
    )


def field_of(*sessions: SessionOut) -> str | None:
    problem = checks.sessions_problem(sessions, START, END)
    return problem[0] if problem else None


def test_a_fitting_agenda_has_no_problem() -> None:
    assert field_of() is None
    assert field_of(s(starts=0, ends=8), s(), s(starts=3), s(ends=4)) is None


def test_the_first_problem_names_the_session_field() -> None:
    assert field_of(s(starts=0, ends=1), s(" ")) == "sessions[1].title"
    assert field_of(s(starts=3, ends=2)) == "sessions[0].ends_at"
    assert field_of(s(starts=2, ends=2)) == "sessions[0].ends_at"
    assert field_of(s(starts=-0.5)) == "sessions[0].starts_at"
    assert field_of(s(starts=8.5)) == "sessions[0].starts_at"
    assert field_of(s(ends=9)) == "sessions[0].ends_at"
    assert field_of(s(ends=-1)) == "sessions[0].ends_at"


def test_times_without_a_zone_are_read_as_utc() -> None:
    naive = SessionOut(title="Naive", starts_at=datetime(2030, 5, 1, 9), ends_at=datetime(2030, 5, 1, 10))
    assert checks.sessions_problem([naive], START, END) is None
    assert checks.sessions_problem([naive], START.replace(tzinfo=None) + timedelta(hours=1), END) is not None
