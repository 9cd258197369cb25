"""Finding contacts: by id, by email, in bulk, and counts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ARRAY, ColumnElement, Select, String, any_, bindparam, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import to_out
from parcours.contacts import accounts, behavioural
from parcours.contacts.matching import email_key
from parcours.contacts.models import CONTACT_MERGES, Contact
from parcours.contacts.schemas import ContactOut
from parcours.db import dialect_name, per_day
from parcours.errors import NotFound


async def get_contact(session: AsyncSession, contact_id: int) -> Contact:
    contact = await session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("This contact does not exist (it may have been deleted).", "contact_id")
    return contact


async def contact_out(session: AsyncSession, contact: Contact) -> ContactOut:
    out = to_out(contact, ContactOut)
    if contact.account_id is not None:
        out.account_name = (await accounts.names(session, [contact.account_id])).get(contact.account_id)
    await add_values(session, [out])
    return out


async def add_values(session: AsyncSession, items: Sequence[ContactOut]) -> None:
    """Behavioural values shown in each contact's scores, as computed_<name> (read in one query)."""
    found = await behavioural.values_of(session, [item.id for item in items])
    for item in items:
        if item.id in found:
            item.scores = behavioural.with_values(item.scores, found[item.id])


def outs(contacts: Sequence[Contact], names: dict[int, str]) -> list[ContactOut]:
    """Contacts as the API shows them, with their account's name (from accounts.names)."""
    found = []
    for contact in contacts:
        out = to_out(contact, ContactOut)
        out.account_name = names.get(contact.account_id) if contact.account_id else None
        found.append(out)
    return found


async def contacts_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[ContactOut]:
    """These contacts, in the order given."""
    found = {c.id: c for c in (await session.execute(select(Contact).where(col(Contact.id).in_(ids)))).scalars()}
    names = await accounts.names(session, {c.account_id for c in found.values() if c.account_id is not None})
    shown = outs([found[cid] for cid in ids if cid in found], names)
    await add_values(session, shown)
    return shown


async def find_by_email(session: AsyncSession, email: str) -> Contact | None:
    """The contact this (normalized) email reaches: the same address, else the same mailbox
    (contacts.matching.email_key), else the survivor of a contact merged away with it."""
    return (await find_by_emails(session, [email])).get(email)


async def find_by_emails(session: AsyncSession, emails: Collection[str]) -> dict[str, Contact]:
    """The contacts of these (normalized) emails, by email, as find_by_email finds each, in a
    query or two."""
    ids = await ids_by_email(session, emails)
    if not ids:
        return {}
    rows = await session.execute(select(Contact).where(col(Contact.id).in_(sorted(set(ids.values())))))
    by_id = {c.id: c for c in rows.scalars()}
    return {email: by_id[cid] for email, cid in ids.items() if cid in by_id}


async def email_among(session: AsyncSession, emails: list[str]) -> ColumnElement[bool]:
    """Contact.email IN emails, written so that PostgreSQL looks each email up in the index.

    With an IN list of 1,000 parameters, PostgreSQL's generic plan for the statement (used from
    its sixth run on) becomes, once the table has some 30,000 contacts, a sequential scan that
    compares every row with every value: an import then spends most of its time there (0.7 to
    1.3 s per batch of 1,000 at 40,000 to 90,000 contacts). One array parameter keeps it an
    index lookup (a few ms).
    """
    return await _among(session, col(Contact.email), emails, "emails")


async def same_person_among(session: AsyncSession, emails: list[str]) -> ColumnElement[bool]:
    """The contacts these emails reach: the same address or the same mailbox (email_key)."""
    keys = sorted({email_key(e) for e in emails})
    return or_(
        await _among(session, col(Contact.email), emails, "emails"),
        await _among(session, col(Contact.email_key), keys, "email_keys"),
    )


async def _among(session: AsyncSession, column: Any, values: list[str], name: str) -> ColumnElement[bool]:
    if await dialect_name(session) == "postgresql":
        return cast(ColumnElement[bool], column == any_(bindparam(name, values, type_=ARRAY(String))))
    return cast(ColumnElement[bool], column.in_(values))


def reached(emails: Iterable[str], rows: Iterable[tuple[int, str, str | None]]) -> dict[str, int]:
    """Each email's contact among (id, email, email_key) rows: its own address first, else the
    oldest contact with its mailbox."""
    by_email: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for cid, email, key in rows:
        by_email[email] = cid
        if key is not None and (key not in by_key or cid < by_key[key]):
            by_key[key] = cid
    found: dict[str, int] = {}
    for email in emails:
        reaches = by_email.get(email) or by_key.get(email_key(email))
        if reaches is not None:
            found[email] = reaches
    return found


async def ids_by_email(session: AsyncSession, emails: Iterable[str]) -> dict[str, int]:
    """The id of the contact each (normalized) email reaches, as find_by_email says."""
    wanted = list(set(emails))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        match = await same_person_among(session, chunk)
        query = select(col(Contact.id), col(Contact.email), col(Contact.email_key)).where(match)
        found.update(reached(chunk, (await session.execute(query)).tuples().all()))
    missing = [e for e in wanted if e not in found]
    if missing:
        found.update(await merged_into(session, missing))
    return found


async def merged_into(session: AsyncSession, emails: Collection[str]) -> dict[str, int]:
    """The survivors of contacts merged away with these emails (by mailbox), by email."""
    keys = {email_key(e): e for e in emails}
    survivors: dict[str, int] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), 1000):
        query = select(CONTACT_MERGES.c.other_email_key, CONTACT_MERGES.c.survivor_id).where(
            CONTACT_MERGES.c.other_email_key.in_(wanted[start : start + 1000])
        )
        for key, survivor in (await session.execute(query.order_by(CONTACT_MERGES.c.merged_at))).tuples():
            survivors[keys[key]] = survivor  # the latest merge wins
    return survivors


async def existing_ids(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    wanted = list(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(select(col(Contact.id)).where(col(Contact.id).in_(wanted[start : start + 1000])))
        found.update(rows.scalars().all())
    return found


async def count_contacts(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Contact))).scalar_one())


async def stage_counts(session: AsyncSession, origin: str | None) -> dict[tuple[str, str | None], int]:
    """Contacts per (stage, lead origin), in one grouped query."""
    query = select(col(Contact.lifecycle_stage), col(Contact.lead_origin), func.count()).group_by(
        col(Contact.lifecycle_stage), col(Contact.lead_origin)
    )
    if origin is not None:
        query = query.where(col(Contact.lead_origin) == origin)
    return {(stage, lead): int(n) for stage, lead, n in (await session.execute(query)).all()}


# ---- for reports --------------------------------------------------------------------------------


def _members_of(among: Select[Any] | None) -> list[ColumnElement[bool]]:
    return [] if among is None else [col(Contact.id).in_(among)]


async def count_created_before(session: AsyncSession, until: datetime, among: Select[Any] | None = None) -> int:
    """Contacts created before `until` that are still here (erased and merged ones are gone)."""
    query = select(func.count()).select_from(Contact).where(col(Contact.created_at) < until, *_members_of(among))
    return int((await session.execute(query)).scalar_one())


async def created_per_day(
    session: AsyncSession, since: datetime, until: datetime, among: Select[Any] | None = None
) -> dict[date, float]:
    """Contacts created per UTC day in [since, until) (among some contacts, e.g. a segment's)."""
    at = col(Contact.created_at)
    return await per_day(session, at, func.count(), at >= since, at < until, *_members_of(among))
