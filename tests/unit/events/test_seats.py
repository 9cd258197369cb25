"""Seats, waitlist and what may change: the pure rules under the registration service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from parcours.events import checks, figures, seats


def test_place_gives_seats_until_full_then_the_waitlist() -> None:
    assert seats.place(2, 0) == seats.place(2, 1) == "confirmed"
    assert seats.place(2, 2) == seats.place(2, 5) == "waitlisted"
    assert seats.place(0, 0) == "waitlisted"
    assert seats.place(None, 10_000) == "confirmed"


def test_seats_to_promote() -> None:
    assert seats.seats_to_promote(10, 8, 5) == 2
    assert seats.seats_to_promote(10, 8, 1) == 1
    assert seats.seats_to_promote(10, 10, 5) == 0
    assert seats.seats_to_promote(10, 12, 5) == 0  # never negative
    assert seats.seats_to_promote(None, 50, 7) == 7


def test_capacity_below_the_confirmed_count_is_refused_with_the_number() -> None:
    assert seats.capacity_problem(5, 5) is None and seats.capacity_problem(None, 99) is None
    problem = seats.capacity_problem(3, 7)
    assert problem is not None and "7" in problem


def test_who_may_register() -> None:
    assert seats.registration_problem("published", public=True) is None
    assert seats.registration_problem("draft", public=False) is None
    assert seats.registration_problem("draft", public=True) is not None
    for closed in ("cancelled", "finished"):
        assert seats.registration_problem(closed, public=False) is not None
    assert seats.check_in_problem("confirmed") is None
    assert seats.check_in_problem("waitlisted") and seats.check_in_problem("cancelled")


def test_slugs() -> None:
    assert checks.slugify("Café & Croissants 2030!") == "cafe-croissants-2030"
    assert checks.slugify("   ") == checks.slugify("!!!") == "event"
    assert len(checks.slugify("x" * 500)) == checks.SLUG_LENGTH
    assert checks.numbered("a", set()) == "a"
    assert checks.numbered("a", {"a", "a-2"}) == "a-3"


def test_dates_and_time_zones() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    assert checks.dates_problem(start, start + timedelta(minutes=1)) is None
    problem = checks.dates_problem(start, start)
    assert problem is not None and "ends_at" in problem
    assert checks.timezone_problem("Europe/Paris") is None
    assert checks.timezone_problem("Mars/Olympus") and checks.timezone_problem("../../etc/passwd")


def test_a_public_form_fills_and_adds_consent_but_never_overwrites() -> None:
    current = {
        "first_name": "Ada",
        "last_name": None,
        "consent_level": "marketing",
        "email_opt_in": True,
        "sms_opt_in": False,
    }
    given = {
        "first_name": "Eve",
        "last_name": "Lovelace",
        "consent_level": "transactional",
        "email_opt_in": False,
        "sms_opt_in": True,
    }
    assert checks.public_changes(current, given) == {"last_name": "Lovelace", "sms_opt_in": True}
    assert checks.public_changes({"consent_level": "none"}, {"consent_level": "profiling"}) == {
        "consent_level": "profiling"
    }


def test_dashboard_figures() -> None:
    out = figures.dashboard(
        {"confirmed": 40, "waitlisted": 7, "cancelled": 3},
        {"attended": 30, "no_show": 10},
        capacity=50,
        budget=2000.0,
        costs=1500.0,
        revenue=800.0,
    )
    assert out["registered"] == 47 and out["capacity_used"] == 0.8 and out["waitlist_length"] == 7
    assert out["attendance_rate"] == 0.75 and out["cost_per_attendee"] == 50.0 and out["budget_left"] == 500.0
    empty = figures.dashboard({}, {}, capacity=None, budget=None, costs=0.0, revenue=0.0)
    assert empty["capacity_used"] is None and empty["attendance_rate"] is None and empty["cost_per_attendee"] is None
    assert figures.dashboard({}, {}, capacity=0, budget=None, costs=0, revenue=0)["capacity_used"] is None


def test_registrations_per_day_in_the_event_time_zone() -> None:
    late_evening_utc = datetime(2030, 3, 1, 23, 30, tzinfo=UTC)  # already March 2nd in Paris
    times = [late_evening_utc, late_evening_utc - timedelta(hours=2), late_evening_utc + timedelta(days=1)]
    assert figures.per_day(times, "Europe/Paris") == [
        (date(2030, 3, 1), 1),
        (date(2030, 3, 2), 1),
        (date(2030, 3, 3), 1),
    ]
    assert figures.per_day(times, "UTC") == [(date(2030, 3, 1), 2), (date(2030, 3, 2), 1)]
