"""Events: create, change, list, delete; cost lines, the organizing team, the dashboard."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.clock import as_utc, utcnow
from parcours.db import after_commit, move_rows, rows_about
from parcours.errors import Conflict, InvalidInput, NotFound, Unprocessable
from parcours.events import checks, figures, ics, reminders, seats
from parcours.events.models import Event, EventCost, EventTeamMember, Registration
from parcours.events.schemas import (
    DayCount,
    EventOut,
    EventPage,
    EventStats,
    PublicEventOut,
    SessionOut,
    VenueOut,
)
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.organization import service as organization

log = logging.getLogger(__name__)


# ---- reading --------------------------------------------------------------------------------------


async def get_event(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound("This event does not exist (it may have been deleted).", "event_id")
    return event


async def lock_event(session: AsyncSession, event_id: int) -> Event:
    """The event, its row locked until this transaction ends: everything that counts seats and
    then writes takes this lock first, so two writers never count the same free seat. (SQLite
    needs no lock: its write transactions begin IMMEDIATE and run one at a time.)"""
    query = select(Event).where(col(Event.id) == event_id).with_for_update().execution_options(populate_existing=True)
    event: Event | None = (await session.execute(query)).scalar_one_or_none()
    if event is None:
        raise NotFound("This event does not exist (it may have been deleted).", "event_id")
    return event


async def find_by_slug(session: AsyncSession, slug: str) -> Event:
    event: Event | None = (await session.execute(select(Event).where(col(Event.slug) == slug))).scalar_one_or_none()
    if event is None:
        raise NotFound("There is no such event.", "slug")
    return event


async def status_counts(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    rows = await session.execute(
        select(col(Registration.event_id), col(Registration.status), func.count())
        .where(col(Registration.event_id).in_(event_ids))
        .group_by(col(Registration.event_id), col(Registration.status))
    )
    counts: dict[int, dict[str, int]] = {}
    for event_id, status, n in rows.all():
        counts.setdefault(event_id, {})[status] = int(n)
    return counts


async def confirmed_count(session: AsyncSession, event_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(col(Registration.event_id) == event_id, col(Registration.status) == seats.CONFIRMED)
    )
    return int((await session.execute(query)).scalar_one())


def event_out(event: Event, counts: dict[str, int] | None = None) -> EventOut:
    assert event.id is not None  # a saved event
    counts = counts or {}
    return EventOut(
        id=event.id,
        name=event.name,
        slug=event.slug,
        type=event.type,
        status=event.status,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        capacity=event.capacity,
        description=event.description,
        venue=VenueOut(name=event.venue_name, address=event.venue_address),
        online_url=event.online_url,
        sessions=[SessionOut(**s) for s in event.sessions],
        reminders=list(event.reminders or []),
        budget=event.budget,
        registration_fee=event.registration_fee,
        confirmed=counts.get(seats.CONFIRMED, 0),
        waitlisted=counts.get(seats.WAITLISTED, 0),
        created_by=event.created_by,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def public_out(event: Event, counts: dict[str, int]) -> PublicEventOut:
    confirmed = counts.get(seats.CONFIRMED, 0)
    return PublicEventOut(
        name=event.name,
        slug=event.slug,
        type=event.type,
        status=event.status,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        description=event.description,
        venue=VenueOut(name=event.venue_name, address=event.venue_address),
        sessions=[SessionOut(**s) for s in event.sessions],
        registration_fee=event.registration_fee,
        seats_left=None if event.capacity is None else max(0, event.capacity - confirmed),
    )


async def list_events(
    session: AsyncSession, status: str | None, q: str | None, limit: int, cursor: str | None
) -> EventPage:
    """Latest start first: a page of events and the cursor of the next one."""
    where: list[ColumnElement[bool]] = []
    if status is not None:
        where.append(col(Event.status) == status)
    if q:
        where.append(func.lower(Event.name).contains(q.strip().lower(), autoescape=True))
    order = [(col(Event.starts_at), True), (col(Event.id), True)]
    query = select(Event).where(*where)
    last = read_cursor(cursor, datetime, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(*(c.desc() for c, _ in order)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda e: [e.starts_at, e.id])
    total = (await session.execute(select(func.count()).select_from(Event).where(*where))).scalar_one()
    counts = await status_counts(session, [e.id for e in page if e.id is not None])
    return EventPage(
        items=[event_out(e, counts.get(e.id) if e.id is not None else None) for e in page],
        next_cursor=next_cursor,
        total=int(total),
    )


# ---- writing ----------------------------------------------------------------------------------------


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """API fields to columns: the venue is two columns, sessions are stored as JSON."""
    out = dict(values)
    if "venue" in out:
        venue = out.pop("venue")
        out["venue_name"] = venue.name if venue else None
        out["venue_address"] = venue.address if venue else None
    if "sessions" in out:
        out["sessions"] = [_session_json(s) for s in out["sessions"]]
    if "reminders" in out:
        out["reminders"] = reminders.normalized(out["reminders"])
    return out


def _session_json(session: Any) -> dict[str, Any]:
    return {
        "title": session.title,
        "speaker": session.speaker,
        "starts_at": as_utc(session.starts_at).isoformat() if session.starts_at else None,
        "ends_at": as_utc(session.ends_at).isoformat() if session.ends_at else None,
    }


def _saved_sessions(event: Event) -> list[SessionOut]:
    return [msgspec.convert(s, SessionOut) for s in event.sessions]


def _check(values: dict[str, Any]) -> None:
    problem = checks.dates_problem(values["starts_at"], values["ends_at"])
    if problem:
        raise Unprocessable(problem, "ends_at")
    problem = checks.timezone_problem(values["timezone"])
    if problem:
        raise InvalidInput(problem, "timezone")
    problem = reminders.problem(values.get("reminders") or [])
    if problem:
        raise InvalidInput(problem, "reminders")
    problem_at = checks.sessions_problem(values.get("sessions") or [], values["starts_at"], values["ends_at"])
    if problem_at:
        field, message = problem_at
        raise Unprocessable(message, field)


async def _free_slug(session: AsyncSession, wanted: str, event_id: int | None = None) -> str:
    query = select(col(Event.slug)).where(col(Event.slug).like(f"{wanted}%"))
    if event_id is not None:
        query = query.where(col(Event.id) != event_id)
    return checks.numbered(wanted, set((await session.execute(query)).scalars().all()))


async def create_event(session: AsyncSession, values: dict[str, Any], by: str) -> Event:
    if values.get("timezone") is None:
        values["timezone"] = await organization.timezone(session)
    _check(values)
    given = values.pop("slug", None)
    slug = await _free_slug(session, given or checks.slugify(values["name"]))
    if given and slug != given:
        raise Conflict(f"Another event already has the address /e/{given}.", "slug")
    event = Event(**_columns(values), slug=slug, created_by=by)
    session.add(event)
    await session.flush()
    return event


async def update_event(session: AsyncSession, event_id: int, changes: dict[str, Any], enqueue: Enqueue) -> Event:
    event = await lock_event(session, event_id)
    if event.status == "finished" and set(changes) - {"description", "budget"}:
        raise Conflict("This event is over: only its description and budget can still change.", "status")
    merged = {"starts_at": event.starts_at, "ends_at": event.ends_at, "timezone": event.timezone, **changes}
    if "sessions" not in changes and {"starts_at", "ends_at"} & changes.keys():
        # New dates must still hold the saved agenda (an untouched agenda is not checked again).
        merged["sessions"] = _saved_sessions(event)
    _check(merged)
    if "capacity" in changes:
        confirmed = await confirmed_count(session, event_id)
        problem = seats.capacity_problem(changes["capacity"], confirmed)
        if problem:
            raise Unprocessable(problem, "capacity", confirmed=confirmed)
    if (
        "slug" in changes
        and changes["slug"] != event.slug
        and await _free_slug(session, changes["slug"], event_id) != changes["slug"]
    ):
        raise Conflict(f"Another event already has the address /e/{changes['slug']}.", "slug")
    if changes.get("status") == "finished" and event.status != "finished":
        raise InvalidInput("An event becomes finished by itself once it has ended.", "status")
    more_seats = "capacity" in changes and (
        changes["capacity"] is None or (event.capacity is not None and changes["capacity"] > event.capacity)
    )
    for field, value in _columns(changes).items():
        setattr(event, field, value)
    event.updated_at = utcnow()
    await session.flush()
    if more_seats:
        promote_soon(session, enqueue, event_id)
    return event


def promote_soon(session: AsyncSession, enqueue: Enqueue, event_id: int) -> None:
    """Once this transaction is committed, a job gives the freed seats to the waitlist."""

    async def queue() -> None:
        try:
            await enqueue(JobName.PROMOTE_WAITLIST, event_id)
        except Exception:  # the sweep promotes within seconds anyway
            log.warning("could not queue the promotion of event %s", event_id, exc_info=True)

    after_commit(session, queue)


async def delete_event(session: AsyncSession, event_id: int) -> None:
    event = await get_event(session, event_id)
    await session.delete(event)
    await session.flush()


# ---- costs and team -------------------------------------------------------------------------------


async def list_costs(session: AsyncSession, event_id: int) -> Sequence[EventCost]:
    await get_event(session, event_id)
    query = select(EventCost).where(col(EventCost.event_id) == event_id).order_by(col(EventCost.id))
    return (await session.execute(query)).scalars().all()


async def add_cost(session: AsyncSession, event_id: int, values: dict[str, Any]) -> EventCost:
    await get_event(session, event_id)
    cost = EventCost(event_id=event_id, **values)
    session.add(cost)
    await session.flush()
    return cost


async def remove_cost(session: AsyncSession, event_id: int, cost_id: int) -> EventCost:
    """The cost line removed (what it was, for the audit log)."""
    cost = await session.get(EventCost, cost_id)
    if cost is None or cost.event_id != event_id:
        raise NotFound("This cost line does not exist.", "cost_id")
    await session.exec(delete(EventCost).where(col(EventCost.id) == cost_id))
    return cost


async def list_team(session: AsyncSession, event_id: int) -> Sequence[EventTeamMember]:
    await get_event(session, event_id)
    query = select(EventTeamMember).where(col(EventTeamMember.event_id) == event_id).order_by(col(EventTeamMember.id))
    return (await session.execute(query)).scalars().all()


async def add_team_member(session: AsyncSession, event_id: int, values: dict[str, Any]) -> EventTeamMember:
    await get_event(session, event_id)
    member = EventTeamMember(event_id=event_id, **values)
    session.add(member)
    await session.flush()
    return member


async def remove_team_member(session: AsyncSession, event_id: int, member_id: int) -> EventTeamMember:
    """The member removed (who it was, for the audit log)."""
    member = await session.get(EventTeamMember, member_id)
    if member is None or member.event_id != event_id:
        raise NotFound("This team member does not exist.", "member_id")
    await session.exec(delete(EventTeamMember).where(col(EventTeamMember.id) == member_id))
    return member


# ---- dashboard and calendar -----------------------------------------------------------------------


async def costs_by_month(session: AsyncSession, first: str, last: str) -> dict[str, float]:
    """month ("2026-11") -> the cost lines of the events starting that month (UTC), for the months
    from `first` to `last` included (a cohort's acquisition cost)."""
    rows = await session.execute(
        select(col(Event.starts_at), col(EventCost.amount)).join(Event, col(Event.id) == col(EventCost.event_id))
    )
    found: dict[str, float] = {}
    for starts_at, amount in rows.all():
        month = as_utc(starts_at).strftime("%Y-%m")
        if first <= month <= last:
            found[month] = round(found.get(month, 0.0) + float(amount or 0), 2)
    return found


async def stats(session: AsyncSession, event_id: int) -> EventStats:
    event = await get_event(session, event_id)
    counts = (await status_counts(session, [event_id])).get(event_id, {})
    marks = await session.execute(
        select(col(Registration.attendance), func.count())
        .where(
            col(Registration.event_id) == event_id,
            col(Registration.status) == seats.CONFIRMED,
            col(Registration.attendance).is_not(None),
        )
        .group_by(Registration.attendance)
    )
    attendance = {mark: int(n) for mark, n in marks.all() if mark is not None}
    costs = (
        await session.execute(
            select(func.coalesce(func.sum(EventCost.amount), 0.0)).where(col(EventCost.event_id) == event_id)
        )
    ).scalar_one()
    revenue = (
        await session.execute(
            select(func.coalesce(func.sum(Registration.amount), 0.0)).where(
                col(Registration.event_id) == event_id, col(Registration.status) == seats.CONFIRMED
            )
        )
    ).scalar_one()
    created = (
        await session.execute(select(col(Registration.created_at)).where(col(Registration.event_id) == event_id))
    ).scalars()
    values = figures.dashboard(counts, attendance, event.capacity, event.budget, float(costs), float(revenue))
    days = figures.per_day(list(created), event.timezone)
    return EventStats(**values, registrations_over_time=[DayCount(date=d, count=n) for d, n in days])


def calendar_text(event: Event, url: str | None, now: datetime | None = None) -> str:
    return ics.calendar(
        uid=f"event-{event.id}@parcours",
        name=event.name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        now=now or utcnow(),
        description=event.description,
        url=url or event.online_url,
        location=(event.venue_name, event.venue_address) if event.type != "webinar" else (event.online_url,),
        cancelled=event.status == "cancelled",
        sequence=int(event.updated_at.timestamp()) % 2_000_000_000,
    )


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its registrations become the survivor's. At an event both
    registered to, the survivor's stands, unless it was cancelled and the other's was not."""
    theirs = select(col(Registration.event_id)).where(
        col(Registration.contact_id) == other_id, col(Registration.status) != "cancelled"
    )
    await session.execute(
        delete(Registration).where(
            col(Registration.contact_id) == survivor_id,
            col(Registration.status) == "cancelled",
            col(Registration.event_id).in_(theirs),
        )
    )
    moved = await move_rows(session, Registration, "contact_id", other_id, survivor_id, unique_with=("event_id",))
    return {"event_registrations": moved}


# ---- for reports (the Home) ----------------------------------------------------------------------


async def near_capacity(session: AsyncSession, share: float, now: datetime) -> list[tuple[Event, int]]:
    """Published events still to come whose confirmed seats reach `share` of their capacity:
    (event, confirmed seats), soonest first."""
    upcoming = (
        (
            await session.execute(
                select(Event)
                .where(col(Event.status) == "published", col(Event.ends_at) > now, col(Event.capacity) > 0)
                .order_by(col(Event.starts_at))
            )
        )
        .scalars()
        .all()
    )
    counts = await status_counts(session, [e.id for e in upcoming if e.id is not None])
    found = []
    for event in upcoming:
        confirmed = counts.get(event.id or 0, {}).get(seats.CONFIRMED, 0)
        if event.capacity and confirmed >= share * event.capacity:
            found.append((event, confirmed))
    return found


async def recently_created(session: AsyncSession, limit: int) -> list[tuple[datetime, int, str]]:
    """The events created last: (created_at, id, name)."""
    query = select(col(Event.created_at), col(Event.id), col(Event.name)).order_by(col(Event.created_at).desc())
    return [(at, eid, name) for at, eid, name in (await session.execute(query.limit(limit))).all()]


async def costs_between(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[int, str, datetime, float]]:
    """The events starting in [since, until) that have costs: (id, name, starts_at, total cost)."""
    query = (
        select(col(Event.id), col(Event.name), col(Event.starts_at), func.sum(col(EventCost.amount)))
        .join(EventCost, col(EventCost.event_id) == col(Event.id))
        .where(col(Event.starts_at) >= since, col(Event.starts_at) < until)
        .group_by(col(Event.id), col(Event.name), col(Event.starts_at))
        .order_by(col(Event.starts_at))
    )
    return [(int(i), n, at, float(total or 0)) for i, n, at, total in (await session.execute(query)).all()]


async def on_plan(session: AsyncSession, since: datetime, until: datetime) -> list[Event]:
    """The events (published or over, not drafts nor cancelled) taking place in [since, until)."""
    query = select(Event).where(
        col(Event.status).in_(["published", "finished"]), col(Event.starts_at) < until, col(Event.ends_at) >= since
    )
    return list((await session.execute(query.order_by(col(Event.starts_at), col(Event.id)))).scalars())


async def timelines(
    session: AsyncSession, event_ids: Sequence[int]
) -> list[tuple[int, str, str, datetime, datetime, datetime]]:
    """(id, name, status, starts, ends, created) of the events that exist among these ids, for the plan."""
    if not event_ids:
        return []
    rows = (await session.execute(select(Event).where(col(Event.id).in_(event_ids)))).scalars().all()
    return [(int(e.id or 0), e.name, e.status, e.starts_at, e.ends_at, e.created_at) for e in rows]


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The contact's registrations to events, for its data export."""
    return {"event_registrations": await rows_about(session, Registration, "contact_id", contact_id)}
