"""Registrations: register (a seat or the waitlist, never more seats than the event has),
cancel, check in, promote from the waitlist, and mark no-shows after the event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.addresses import normalize_email
from parcours.api import after, cut, read_cursor
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.schemas import ContactFilters, ContactIn
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.events import checks, seats
from parcours.events.models import Event, Registration
from parcours.events.schemas import RegistrationOut, RegistrationPage
from parcours.events.service import confirmed_count, lock_event, promote_soon
from parcours.interactions import recording
from parcours.jobs.enqueue import Enqueue
from parcours.tracking import tokens

CANCEL_PURPOSE = "event_cancel"
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "company",
    "job_title",
    "country",
    "language",
    "consent_level",
    "email_opt_in",
    "sms_opt_in",
)


def _id(registration: Registration) -> int:
    """Every registration handled here is saved (loaded, or flushed), so it has its id."""
    assert registration.id is not None
    return registration.id


# ---- cancel links -----------------------------------------------------------------------------------


def cancel_token(secret: str, registration_id: int, event_id: int) -> str:
    """Signed like the unsubscribe links, for its own purpose."""
    return tokens.sign(secret, CANCEL_PURPOSE, {"r": registration_id, "e": event_id})


def cancel_url(base_url: str, secret: str, slug: str, registration_id: int, event_id: int) -> str:
    return f"{base_url}/e/{slug}/cancel/{cancel_token(secret, registration_id, event_id)}"


async def from_cancel_token(session: AsyncSession, secret: str, slug: str, token: str) -> tuple[Event, Registration]:
    payload = tokens.verify(secret, CANCEL_PURPOSE, token)
    registration = await session.get(Registration, payload.get("r"))
    event = await session.get(Event, payload.get("e"))
    if registration is None or event is None or event.slug != slug or registration.event_id != event.id:
        raise InvalidInput("This link is not valid: the registration no longer exists.", "token")
    return event, registration


# ---- interactions ---------------------------------------------------------------------------------


async def record(
    session: AsyncSession, event: Event, rows: Sequence[tuple[Registration, str]], at: datetime | None = None
) -> None:
    """Each (registration, what happened) as an `event_<what>` interaction on the contact."""
    await recording.record(
        session,
        [
            {
                "contact_id": r.contact_id,
                "type": f"event_{kind}",
                "occurred_at": at or utcnow(),
                "properties": {"event_id": event.id, "event": event.name, "registration_id": r.id},
            }
            for r, kind in rows
        ],
    )


# ---- registering ----------------------------------------------------------------------------------


async def _contact(
    session: AsyncSession, values: dict[str, Any], actor: Actor, source: str, public: bool
) -> tuple[Any, bool]:
    """The registrant's contact, and whether it is new: by id, or by email (created, or updated
    with what was given). A contact another process creates meanwhile is a Conflict: the caller
    tries again (admission)."""
    if values.get("contact_id") is not None:
        if values.get("email"):
            raise InvalidInput("Give contact_id or email, not both.", "email")
        return await contacts.get_contact(session, values["contact_id"]), False
    if not values.get("email"):
        raise InvalidInput("Give the registrant's contact_id or email.", "email")
    try:
        email = normalize_email(values["email"])
    except ValueError as exc:
        raise InvalidInput(str(exc), "email") from None
    given = {f: values[f] for f in CONTACT_FIELDS if values.get(f) is not None}
    existing = await contacts.find_by_email(session, email)
    if existing is None:
        return await contacts.create_contact(
            session, ContactIn(email=email, source=source[:100], **given), actor, looked_up=True
        ), True
    if public:
        current = {f: getattr(existing, "account_id" if f == "company" else f, None) for f in given}
        given = checks.public_changes(current, given)
    if not given:
        return existing, False
    assert existing.id is not None  # a stored contact
    return await contacts.update_contact(session, existing.id, given, actor), False


@dataclass(frozen=True)
class Tally:
    """An event's seats as one transaction sees them. The transaction holds the event's lock, so
    nothing else changes them until it ends: registrations of one transaction count once."""

    event: Event
    confirmed: int
    waiting: int  # waitlisted now
    last_position: int  # the highest waitlist position given so far (positions only grow)


async def tally(session: AsyncSession, event_id: int) -> Tally:
    event = await lock_event(session, event_id)
    rows = (
        await session.execute(
            select(
                func.count().filter(col(Registration.status) == seats.CONFIRMED),
                func.count().filter(col(Registration.status) == seats.WAITLISTED),
                func.coalesce(func.max(col(Registration.waitlist_position)), 0),
            ).where(col(Registration.event_id) == event_id)
        )
    ).one()
    return Tally(event=event, confirmed=int(rows[0]), waiting=int(rows[1]), last_position=int(rows[2]))


@dataclass(frozen=True)
class Placed:
    """What registering did: the registration (`new` False when it already was), its contact, its
    place in line when waitlisted, and the event's tally after it."""

    registration: Registration
    contact: Any
    new: bool
    position: int | None
    tally: Tally


async def register(
    session: AsyncSession,
    event_id: int,
    values: dict[str, Any],
    actor: Actor,
    *,
    public: bool = False,
    source: str = "api",
    counted: Tally | None = None,
) -> Placed:
    """A seat when one is free, else the end of the waitlist; registering again is the same
    registration. `counted`: the event's tally earlier in this transaction, if any."""
    counted = counted or await tally(session, event_id)
    event = counted.event
    problem = seats.registration_problem(event.status, public)
    if problem:
        raise Conflict(problem, "status", status=event.status)
    contact, new_contact = await _contact(session, values, actor, f"event: {event.name}", public)
    registration: Registration | None = (
        None
        if new_contact
        else (
            await session.execute(
                select(Registration).where(
                    col(Registration.event_id) == event_id, col(Registration.contact_id) == contact.id
                )
            )
        ).scalar_one_or_none()
    )
    if registration is not None and registration.status != seats.CANCELLED:
        place = (await positions(session, event_id, [registration])).get(_id(registration))
        return Placed(registration=registration, contact=contact, new=False, position=place, tally=counted)
    now = utcnow()
    status = seats.place(event.capacity, counted.confirmed)
    confirmed = status == seats.CONFIRMED
    after = Tally(
        event=event,
        confirmed=counted.confirmed + confirmed,
        waiting=counted.waiting + (not confirmed),
        last_position=counted.last_position + (not confirmed),
    )
    if registration is None:
        registration = Registration(event_id=event_id, contact_id=contact.id, status=status, created_at=now)
        session.add(registration)
    else:  # registering again after cancelling: a new place, at the end of the line if full
        registration.status, registration.cancelled_at, registration.created_at = status, None, now
        registration.promoted_at = registration.confirmed_at = None
    registration.waitlist_position = registration.waitlist_position if confirmed else after.last_position
    registration.source = source
    if confirmed:
        registration.confirmed_at, registration.amount = now, event.registration_fee or 0.0
    try:
        await session.flush()
    except IntegrityError:  # the constraints hold even if the lock were bypassed
        raise Conflict("Someone registered at the same moment: try again.", "contact_id") from None
    kinds = [(registration, "registered")] + ([] if confirmed else [(registration, "waitlisted")])
    await record(session, event, kinds, now)
    return Placed(
        registration=registration, contact=contact, new=True, position=None if confirmed else after.waiting, tally=after
    )


async def get_registration(session: AsyncSession, event_id: int, registration_id: int) -> Registration:
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        raise NotFound("This registration does not exist.", "registration_id")
    return registration


async def cancel(session: AsyncSession, event_id: int, registration_id: int, enqueue: Enqueue) -> Registration:
    """Cancel a registration (again: nothing more happens). A freed seat goes to the waitlist."""
    event = await lock_event(session, event_id)
    registration = await get_registration(session, event_id, registration_id)
    if registration.status == seats.CANCELLED:
        return registration
    if event.status == "finished":
        raise Conflict("This event is over: its registrations can no longer be cancelled.", "status")
    freed = registration.status == seats.CONFIRMED
    registration.status, registration.cancelled_at = seats.CANCELLED, utcnow()
    await session.flush()
    await record(session, event, [(registration, "cancelled")])
    if freed:
        promote_soon(session, enqueue, event_id)
    return registration


async def check_in(session: AsyncSession, event_id: int, registration_id: int) -> Registration:
    event = await lock_event(session, event_id)
    registration = await get_registration(session, event_id, registration_id)
    problem = seats.check_in_problem(registration.status)
    if problem:
        raise Conflict(problem, "status", status=registration.status)
    if registration.attendance == seats.ATTENDED:
        return registration
    if event.status == "cancelled":
        raise Conflict("This event is cancelled.", "status")
    registration.attendance, registration.checked_in_at = seats.ATTENDED, utcnow()
    await session.flush()
    await record(session, event, [(registration, "attended")])
    return registration


async def promote(session: AsyncSession, event_id: int) -> tuple[Event | None, list[Registration]]:
    """Give every free seat to the first of the waitlist, in their order. Returns the event and
    who got a seat."""
    try:
        event = await lock_event(session, event_id)
    except NotFound:
        return None, []
    if event.status not in seats.OPEN_TO_REGISTRATION:
        return event, []
    confirmed = await confirmed_count(session, event_id)
    waiting = int(
        (
            await session.execute(
                select(func.count())
                .select_from(Registration)
                .where(col(Registration.event_id) == event_id, col(Registration.status) == seats.WAITLISTED)
            )
        ).scalar_one()
    )
    count = seats.seats_to_promote(event.capacity, confirmed, waiting)
    if not count:
        return event, []
    first = (
        (
            await session.execute(
                select(Registration)
                .where(col(Registration.event_id) == event_id, col(Registration.status) == seats.WAITLISTED)
                .order_by(col(Registration.waitlist_position))
                .limit(count)
            )
        )
        .scalars()
        .all()
    )
    now = utcnow()
    for registration in first:
        registration.status, registration.promoted_at, registration.confirmed_at = seats.CONFIRMED, now, now
        registration.amount = event.registration_fee or 0.0
    await session.flush()
    await record(session, event, [(r, "promoted") for r in first], now)
    return event, list(first)


async def events_to_promote(session: AsyncSession) -> list[int]:
    """Open events with someone waiting and a free seat (what a lost job left undone)."""
    waiting = (
        select(col(Registration.event_id)).where(col(Registration.status) == seats.WAITLISTED).distinct().subquery()
    )
    confirmed = (
        select(col(Registration.event_id), func.count().label("n"))
        .where(col(Registration.status) == seats.CONFIRMED)
        .group_by(col(Registration.event_id))
        .subquery()
    )
    query = (
        select(col(Event.id))
        .join(waiting, waiting.c.event_id == col(Event.id))
        .outerjoin(confirmed, confirmed.c.event_id == col(Event.id))
        .where(
            col(Event.status).in_(seats.OPEN_TO_REGISTRATION),
            col(Event.capacity).is_(None) | (func.coalesce(confirmed.c.n, 0) < col(Event.capacity)),
        )
    )
    return list((await session.execute(query)).scalars().all())


async def finish_ended(session: AsyncSession, now: datetime | None = None) -> int:
    """Published events past their end become finished; who had a seat and was not checked in
    is a no-show. Returns how many events finished."""
    now = now or utcnow()
    ended = (
        (await session.execute(select(col(Event.id)).where(col(Event.status) == "published", col(Event.ends_at) < now)))
        .scalars()
        .all()
    )
    for event_id in ended:
        event = await lock_event(session, event_id)
        if event.status != "published":
            continue
        absent = (
            (
                await session.execute(
                    select(Registration).where(
                        col(Registration.event_id) == event_id,
                        col(Registration.status) == seats.CONFIRMED,
                        col(Registration.attendance).is_(None),
                    )
                )
            )
            .scalars()
            .all()
        )
        if absent:
            await session.execute(
                update(Registration)
                .where(col(Registration.id).in_([_id(r) for r in absent]))
                .values(attendance=seats.NO_SHOW)
            )
        event.status, event.updated_at = "finished", now
        await session.flush()
        await record(session, event, [(r, "no_show") for r in absent], event.ends_at)
    return len(ended)


# ---- listing ----------------------------------------------------------------------------------------


async def positions(session: AsyncSession, event_id: int, registrations: Sequence[Registration]) -> dict[int, int]:
    """Each waitlisted registration's place in line now (1: the next to get a seat)."""
    waiting = [r for r in registrations if r.status == seats.WAITLISTED]
    if not waiting:
        return {}
    if len(waiting) == 1:  # one registrant (just registered): count who is ahead
        ahead = await session.execute(
            select(func.count())
            .select_from(Registration)
            .where(
                col(Registration.event_id) == event_id,
                col(Registration.status) == seats.WAITLISTED,
                col(Registration.waitlist_position) <= waiting[0].waitlist_position,
            )
        )
        return {_id(waiting[0]): int(ahead.scalar_one())}
    line = (
        (
            await session.execute(
                select(col(Registration.id))
                .where(col(Registration.event_id) == event_id, col(Registration.status) == seats.WAITLISTED)
                .order_by(col(Registration.waitlist_position))
            )
        )
        .scalars()
        .all()
    )
    place = {rid: index + 1 for index, rid in enumerate(line)}
    return {_id(r): place[_id(r)] for r in waiting if r.id in place}


async def list_registrations(
    session: AsyncSession, event_id: int, status: str | None, q: str | None, limit: int, cursor: str | None
) -> RegistrationPage:
    """The check-in list in the order people registered: filtered by status, searched by name or email."""
    where: list[ColumnElement[bool]] = [col(Registration.event_id) == event_id]
    if status is not None:
        where.append(col(Registration.status) == status)
    if q and q.strip():
        ids = select(col(Registration.contact_id)).where(*where)
        found = await contacts.list_contacts(session, ContactFilters(q=q), limit=contacts.MAX_PAGE, among=ids)
        where.append(col(Registration.contact_id).in_([c.id for c in found.items]))
    order = [(col(Registration.id), False)]
    query = select(Registration).where(*where)
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(col(Registration.id)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda r: [r.id])
    total = (await session.execute(select(func.count()).select_from(Registration).where(*where))).scalar_one()
    return RegistrationPage(
        items=await registrations_out(session, event_id, page), next_cursor=next_cursor, total=int(total)
    )


async def registrations_out(
    session: AsyncSession, event_id: int, rows: Sequence[Registration], cancel_urls: dict[int, str] | None = None
) -> list[RegistrationOut]:
    people = {c.id: c for c in await contacts.contacts_by_ids(session, [r.contact_id for r in rows])}
    places = await positions(session, event_id, rows)
    return [
        registration_out(r, people.get(r.contact_id), places.get(_id(r)), (cancel_urls or {}).get(_id(r))) for r in rows
    ]


def registration_out(
    r: Registration, person: Any, position: int | None, cancel_url: str | None = None
) -> RegistrationOut:
    return RegistrationOut(
        id=_id(r),
        event_id=r.event_id,
        contact_id=r.contact_id,
        status=r.status,
        position=position,
        attendance=r.attendance,
        email=person.email if person else None,
        first_name=person.first_name if person else None,
        last_name=person.last_name if person else None,
        amount=r.amount,
        source=r.source,
        created_at=r.created_at,
        confirmed_at=r.confirmed_at,
        promoted_at=r.promoted_at,
        cancelled_at=r.cancelled_at,
        checked_in_at=r.checked_in_at,
        cancel_url=cancel_url,
    )
