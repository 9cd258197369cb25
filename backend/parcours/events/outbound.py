"""Emails to registrants, queued as notices in the transaction that changed their registration:
the confirmation (with the calendar file) or the waitlist notice, the promotion, the reminders.
Each has its own idempotency key (registration, round, kind): a retried job never sends twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import notices
from parcours.channels import service as outbox
from parcours.channels.mime import Attachment
from parcours.contacts import service as contacts
from parcours.events import emails, registrations, reminders, seats
from parcours.events.models import Event, Registration
from parcours.events.service import calendar_text
from parcours.jobs.enqueue import Enqueue
from parcours.runtime import Runtime


@dataclass(frozen=True)
class Outbound:
    enqueue: Enqueue
    base_url: str
    secret: str


def outbound(runtime: Runtime) -> Outbound:
    return Outbound(enqueue=runtime.enqueue, base_url=runtime.settings.base_url, secret=runtime.secret_key)


def key(registration: Registration, kind: str) -> str:
    # The round: registering again after cancelling (even within the second) is a new round, with its own emails.
    round_ = registration.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"event:{registration.event_id}:registration:{registration.id}:{round_}:{kind}"


def _notice(
    out: Outbound,
    event: Event,
    registration: Registration,
    contact: Any,
    kind: str,
    position: int | None = None,
    offset: str | None = None,
) -> outbox.OutboxIn | None:
    if contact is None or not contact.email or registration.id is None or event.id is None:
        return None
    page = f"{out.base_url}/e/{event.slug}"
    with_calendar = kind in ("confirmed", "promoted")
    where = None if event.type == "webinar" else ", ".join(p for p in (event.venue_name, event.venue_address) if p)
    subject, text = emails.message(
        kind,
        emails.language(contact.language),
        name=event.name,
        when=emails.when(event.starts_at, event.ends_at, event.timezone),
        where=where or None,
        online_url=event.online_url if event.type != "in_person" else None,
        page_url=page,
        cancel_url=registrations.cancel_url(out.base_url, out.secret, event.slug, registration.id, event.id),
        position=position,
        offset=offset,
        with_calendar=with_calendar,
    )
    files = (
        (
            Attachment(
                filename=f"{event.slug}.ics",
                content_type="text/calendar; method=PUBLISH",
                content=calendar_text(event, page).encode(),
            ),
        )
        if with_calendar
        else ()
    )
    return notices.notice(
        key=key(registration, kind if offset is None else f"reminder:{offset}"),
        to=contact.email,
        subject=subject,
        text=text,
        contact_id=registration.contact_id,
        attachments=files,
        from_name=event.name[:100],
    )


async def _people(session: AsyncSession, rows: Sequence[Registration]) -> dict[int, Any]:
    return {c.id: c for c in await contacts.contacts_by_ids(session, [r.contact_id for r in rows])}


async def registered(
    session: AsyncSession, out: Outbound, event: Event, registration: Registration, position: int | None, contact: Any
) -> None:
    """A new registration: confirmed (with the calendar file) or on the waitlist (with its place)."""
    kind = "confirmed" if registration.status == seats.CONFIRMED else "waitlisted"
    notice = _notice(out, event, registration, contact, kind, position)
    if notice is not None:
        await outbox.queue(session, out.enqueue, [notice])


async def promoted(session: AsyncSession, out: Outbound, event: Event, rows: Sequence[Registration]) -> None:
    people = await _people(session, rows)
    found = [_notice(out, event, r, people.get(r.contact_id), "promoted") for r in rows]
    await outbox.queue(session, out.enqueue, [n for n in found if n is not None])


async def events_with_reminders(session: AsyncSession, now: datetime) -> list[int]:
    """Open events starting within the longest reminder offset that have a reminder due."""
    upcoming = (
        (
            await session.execute(
                select(Event).where(
                    col(Event.status).in_(seats.OPEN_TO_REGISTRATION),
                    col(Event.starts_at) > now,
                    col(Event.starts_at) <= now + reminders.LONGEST,
                )
            )
        )
        .scalars()
        .all()
    )
    return [
        e.id
        for e in upcoming
        if e.id is not None
        and any((d := reminders.offset(o)) is not None and e.starts_at - d <= now for o in e.reminders)
    ]


async def queue_reminders(session: AsyncSession, out: Outbound, event_id: int, now: datetime) -> int:
    """Queue the reminder due to each confirmed registrant not yet reminded. Returns how many."""
    event = await session.get(Event, event_id)
    if event is None or event.status not in seats.OPEN_TO_REGISTRATION:
        return 0
    rows = (
        (
            await session.execute(
                select(Registration).where(
                    col(Registration.event_id) == event_id, col(Registration.status) == seats.CONFIRMED
                )
            )
        )
        .scalars()
        .all()
    )
    due = [
        (r, offset)
        for r in rows
        if (offset := reminders.due(event.reminders, event.starts_at, r.confirmed_at or r.created_at, now))
    ]
    queued = 0
    for start in range(0, len(due), 500):
        chunk = due[start : start + 500]
        keys = [key(r, f"reminder:{offset}") for r, offset in chunk]
        done = set(await outbox.queued(session, keys))
        fresh = [(r, offset) for (r, offset), k in zip(chunk, keys, strict=True) if k not in done]
        people = await _people(session, [r for r, _ in fresh])
        found = [_notice(out, event, r, people.get(r.contact_id), "reminder", offset=offset) for r, offset in fresh]
        ready = [n for n in found if n is not None]
        await outbox.queue(session, out.enqueue, ready)
        queued += len(ready)
    return queued
