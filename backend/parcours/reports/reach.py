"""Journey reach: the contacts who entered a journey in the period, what its emails did with
them (delivered, opened, clicked, unsubscribed), who reached its goal, and each one's path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import encode_cursor, read_cursor
from parcours.channels import service as outbox
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.emails import service as emails
from parcours.errors import InvalidInput, NotFound
from parcours.journeys import service as journeys
from parcours.reports.filters import ReportFilters
from parcours.reports.journey_schemas import (
    ContactPath,
    JourneyReach,
    ReachItem,
    ReachMessage,
    ReachTotals,
    ReceivedMessage,
)

# A search's entrants up to this many are found once and then named by id: the report's three
# queries no longer search the whole base each (a broad word matches tens of thousands of people).
FEW_FOUND = 5_000
CSV_HEADER = ["contact_id", "name", "email", "delivered", "opened", "clicked", "converted", "unsubscribed", "emails"]
# What a CSV answer holds at most (read page by page).
CSV_MOST = 50_000


def _name(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


async def report(
    session: AsyncSession, journey_id: int, filters: ReportFilters, q: str | None, cursor: str | None, limit: int
) -> JourneyReach:
    journey = await _journey(session, journey_id)
    among = await _searched_entrants(session, journey_id, filters, q)
    last = read_cursor(cursor, int)
    page, total, converted = await journeys.entrant_page(
        session, journey_id, filters.since, filters.until, among, last[0] if last else None, limit
    )
    entered = journeys.entrants(journey_id, filters.since, filters.until, among)
    everyone, per_email = await outbox.journey_reach_totals(session, journey_id, entered)
    shown = page[:limit]
    received = await outbox.journey_messages_of(session, journey_id, [c for c, _ in shown])
    names = await emails.names(session, set(per_email) | {r[1] for r in received})
    people = {c.id: c for c in await contacts.contacts_by_ids(session, [c for c, _ in shown])}
    by_contact: dict[int, list[ReceivedMessage]] = {}
    for contact_id, email_id, sent_at, delivered, opened, clicked, unsubscribed in received:
        by_contact.setdefault(contact_id, []).append(
            ReceivedMessage(
                email_id=email_id,
                name=names.get(email_id, ""),
                sent_at=sent_at,
                delivered=delivered,
                opened=opened,
                clicked=clicked,
                unsubscribed=unsubscribed,
            )
        )
    items = []
    for contact_id, reached_goal in shown:
        person = people.get(contact_id)
        mine = by_contact.get(contact_id, [])
        items.append(
            ReachItem(
                contact_id=contact_id,
                name=_name(person.first_name, person.last_name) if person else "",
                email=person.email if person else "",
                delivered=sum(m.delivered for m in mine),
                opened=sum(m.opened for m in mine),
                clicked=sum(m.clicked for m in mine),
                converted=reached_goal,
                unsubscribed=sum(m.unsubscribed for m in mine),
                messages=mine,
            )
        )
    return JourneyReach(
        as_of=utcnow(),
        journey_id=journey_id,
        journey_name=journey.name,
        totals=ReachTotals(
            entered=total,
            converted=converted,
            **everyone,
            messages=sorted(
                (ReachMessage(email_id=e, name=names.get(e, ""), **counts) for e, counts in per_email.items()),
                key=lambda m: (-m.delivered, m.email_id),
            ),
        ),
        items=items,
        next_cursor=encode_cursor([shown[-1][0]]) if len(page) > limit else None,
        total=total,
    )


async def _searched_entrants(
    session: AsyncSession, journey_id: int, filters: ReportFilters, q: str | None
) -> Select[Any] | None:
    """The contacts the search names (None: no search), as their ids when the journey's entrants
    among them are few."""
    among = contacts.searched(q or "")
    if among is None:
        return None
    entered = journeys.entrants(journey_id, filters.since, filters.until, among)
    found = list((await session.execute(entered.limit(FEW_FOUND + 1))).scalars())
    return contacts.ids_among(found) if len(found) <= FEW_FOUND else among


async def _journey(session: AsyncSession, journey_id: int) -> Any:
    """The journey the report is asked about: one that does not exist is a 400 naming journey_id
    (a query parameter, not the path)."""
    try:
        return await journeys.get_journey(session, journey_id)
    except NotFound:
        raise InvalidInput(f"There is no journey with id {journey_id}.", "journey_id") from None


async def csv_rows(session: AsyncSession, journey_id: int, filters: ReportFilters, q: str | None) -> list[list[Any]]:
    """Every contact of the report (up to CSV_MOST), one line each."""
    lines: list[list[Any]] = []
    cursor = None
    while len(lines) < CSV_MOST:
        found = await report(session, journey_id, filters, q, cursor, 1000)
        lines += [
            [
                i.contact_id,
                i.name,
                i.email,
                i.delivered,
                i.opened,
                i.clicked,
                "yes" if i.converted else "no",
                i.unsubscribed,
                "; ".join(m.name for m in i.messages),
            ]
            for i in found.items
        ]
        cursor = found.next_cursor
        if cursor is None:
            break
    return lines


async def path(session: AsyncSession, journey_id: int, contact_id: int) -> ContactPath:
    await _journey(session, journey_id)
    person = await contacts.get_contact(session, contact_id)
    return ContactPath(
        as_of=utcnow(),
        journey_id=journey_id,
        contact_id=contact_id,
        name=_name(person.first_name, person.last_name),
        email=person.email,
        runs=await journeys.path_of(session, journey_id, contact_id),
    )
