"""Attendance imported from a webinar platform's export (Zoom, Teams, GoTo...): every row with an
email address is someone who attended; confirmed registrants among them are checked in."""

from __future__ import annotations

import msgspec
from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.csvfile import CsvError, read_table, suggest_mapping
from parcours.errors import InvalidInput
from parcours.events import seats
from parcours.events.models import Registration
from parcours.events.registrations import record
from parcours.events.service import lock_event


class AttendanceImport(msgspec.Struct, kw_only=True):
    rows: int  # rows with an email address
    checked_in: int  # confirmed registrants marked present now
    already_checked_in: int
    not_confirmed: list[str]  # registered but waitlisted or cancelled: left as they are
    not_registered: list[str]  # attended without a registration (first 50)


def attendee_emails(content: bytes) -> list[str]:
    """The distinct email addresses of the file, lower-cased, in file order."""
    try:
        table = read_table(content)
    except CsvError as exc:
        raise InvalidInput(str(exc), "file") from None
    mapping = suggest_mapping(table.header, {})  # the column names the contact import knows
    column = next((i for i, name in enumerate(table.header) if mapping.get(name) == "email"), None)
    if column is None:
        column = next((i for i, name in enumerate(table.header) if "mail" in name.lower()), None)
    if column is None:
        raise InvalidInput("The file has no email column: name one 'Email'.", "file")
    found = dict.fromkeys(cells[column].strip().lower() for _, cells in table.rows if "@" in cells[column])
    return list(found)


async def import_attendance(session: AsyncSession, event_id: int, content: bytes) -> AttendanceImport:
    emails = attendee_emails(content)  # before any write: a bad file changes nothing
    event = await lock_event(session, event_id)
    contact_ids = await contacts.ids_by_email(session, emails)  # addresses are stored lower-cased
    email_of = {cid: email for email, cid in contact_ids.items()}
    found = (
        (
            await session.execute(
                select(Registration).where(
                    col(Registration.event_id) == event_id, col(Registration.contact_id).in_(list(email_of))
                )
            )
        )
        .scalars()
        .all()
    )
    registered = {email_of[registration.contact_id]: registration for registration in found}
    now, present, already, not_confirmed = utcnow(), [], 0, []
    for email in emails:
        registration = registered.get(email)
        if registration is None:
            continue
        if registration.status != seats.CONFIRMED:
            not_confirmed.append(email)
        elif registration.attendance == seats.ATTENDED:
            already += 1
        else:
            registration.attendance, registration.checked_in_at = seats.ATTENDED, now
            present.append(registration)
    await session.flush()
    await record(session, event, [(r, "attended") for r in present], now)
    return AttendanceImport(
        rows=len(emails),
        checked_in=len(present),
        already_checked_in=already,
        not_confirmed=not_confirmed,
        not_registered=[e for e in emails if e not in registered][:50],
    )
