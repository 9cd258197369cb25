"""Who gets a seat, who waits, what may change (pure: values in, values out)."""

from __future__ import annotations

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
ATTENDED, NO_SHOW = "attended", "no_show"
OPEN_TO_REGISTRATION = frozenset({"draft", "published"})


def place(capacity: int | None, confirmed: int) -> str:
    """A newcomer's status, given the seats and how many are taken."""
    return CONFIRMED if capacity is None or confirmed < capacity else WAITLISTED


def seats_to_promote(capacity: int | None, confirmed: int, waiting: int) -> int:
    """How many of the waitlist get a seat now (the first ones, in order)."""
    free = waiting if capacity is None else max(0, capacity - confirmed)
    return min(free, waiting)


def capacity_problem(capacity: int | None, confirmed: int) -> str | None:
    if capacity is not None and capacity < confirmed:
        return (
            f"{confirmed} registrations are confirmed: the capacity cannot go below {confirmed} "
            "(cancel registrations first)."
        )
    return None


def registration_problem(status: str, public: bool) -> str | None:
    """Why nobody can register now, or None. The back office may fill a draft event; the
    public side sees only published ones."""
    if status == "cancelled":
        return "This event is cancelled: registrations are closed."
    if status == "finished":
        return "This event is over: registrations are closed."
    if public and status != "published":
        return "Registrations for this event are not open yet."
    return None


def check_in_problem(status: str) -> str | None:
    if status == WAITLISTED:
        return "This person is on the waitlist, without a seat: confirm a seat before checking in."
    if status == CANCELLED:
        return "This registration is cancelled."
    return None
