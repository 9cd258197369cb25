"""Finding contacts: by id, by email, in bulk, and counts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import to_out
from parcours.contacts import accounts
from parcours.contacts.models import Contact
from parcours.contacts.schemas import ContactOut
from parcours.db import dialect_name
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
    return out


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
    return outs([found[cid] for cid in ids if cid in found], names)


async def find_by_email(session: AsyncSession, email: str) -> Contact | None:
    return (await session.execute(select(Contact).where(col(Contact.email) == email))).scalar_one_or_none()


async def find_by_emails(session: AsyncSession, emails: Collection[str]) -> dict[str, Contact]:
    """The contacts of these (normalized) emails, by email, in one query."""
    if not emails:
        return {}
    rows = await session.execute(select(Contact).where(col(Contact.email).in_(sorted(emails))))
    return {c.email: c for c in rows.scalars()}


async def email_among(session: AsyncSession, emails: list[str]) -> ColumnElement[bool]:
    """Contact.email IN emails, written so that PostgreSQL looks each email up in the index.

    With an IN list of 1,000 parameters, PostgreSQL's generic plan for the statement (used from
    its sixth run on) becomes, once the table has some 30,000 contacts, a sequential scan that
    compares every row with every value: an import then spends most of its time there (0.7 to
    1.3 s per batch of 1,000 at 40,000 to 90,000 contacts). One array parameter keeps it an
    index lookup (a few ms).
    """
    if await dialect_name(session) == "postgresql":
        return col(Contact.email) == any_(bindparam("emails", emails, type_=ARRAY(String)))
    return col(Contact.email).in_(emails)


async def ids_by_email(session: AsyncSession, emails: Iterable[str]) -> dict[str, int]:
    wanted = list(set(emails))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        match = await email_among(session, wanted[start : start + 1000])
        rows = await session.execute(select(col(Contact.email), col(Contact.id)).where(match))
        found.update({email: cid for email, cid in rows.all()})
    return found


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
