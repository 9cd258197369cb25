"""GDPR: export everything held on a contact; erase a contact for good.

Each feature that keeps rows about contacts gives them to the export through its own
`contact_data(session, contact_id)`, and, where deleting the contact does not take them with it
(no foreign key, or one that only unlinks the row), forgets them through its `forget_contact`.
The composition registers both (parcours.stream.wire): this module never reads their tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, Protocol

import msgspec
from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import to_out
from parcours.audit import service as audit
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import accounts, service
from parcours.contacts.models import CONTACT_RFM, ContactMerge, ErasureTombstone
from parcours.contacts.schemas import AccountOut, ConsentEventOut
from parcours.db import rows_about
from parcours.explore import monthly as explore_monthly
from parcours.explore import rollup as explore_rollup
from parcours.interactions import service as interactions
from parcours.reports import purchases, rollups


class ContactData(Protocol):
    """A feature's rows about a contact, by name ("form_submissions": [...]), for its export."""

    def __call__(self, session: AsyncSession, contact_id: int, /) -> Awaitable[dict[str, list[dict[str, Any]]]]: ...


class ContactForgetter(Protocol):
    """A feature deleting or anonymising what deleting the contact's row leaves of it."""

    def __call__(self, session: AsyncSession, contact_id: int, /) -> Awaitable[None]: ...


# Registered by the composition (parcours.stream.wire).
_exporters: list[ContactData] = []
_forgetters: list[ContactForgetter] = []


def register(exporters: Iterable[ContactData], forgetters: Iterable[ContactForgetter]) -> None:
    """The features keeping rows about contacts (all of them, replacing any registered before)."""
    _exporters[:] = exporters
    _forgetters[:] = forgetters


async def export_contact(session: AsyncSession, contact_id: int) -> dict[str, Any]:
    contact = await service.get_contact(session, contact_id)
    account = await accounts.get_account(session, contact.account_id) if contact.account_id else None
    history = await service.consent_history(session, contact_id)
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        # With its computed and behavioural values, scores and grades (scores).
        "contact": msgspec.to_builtins(await service.contact_out(session, contact)),
        "account": msgspec.to_builtins(to_out(account, AccountOut)) if account else None,
        "consent_history": [msgspec.to_builtins(to_out(e, ConsentEventOut)) for e in history],
        "interactions": [msgspec.to_builtins(i) for i in await interactions.all_for(session, contact_id)],
        # The records merged into this one: their ids and addresses lead here.
        "merged_records": await rows_about(session, ContactMerge, "survivor_id", contact_id),
        "rfm": await rows_about(session, CONTACT_RFM, "contact_id", contact_id),
    }
    for exporter in _exporters:
        data |= await exporter(session, contact_id)
    return data


async def erase_contact(session: AsyncSession, contact_id: int, actor: Actor) -> None:
    """The contact and everything about it go (or, where figures count it, lose what identifies
    it); a tombstone without identity keeps what aggregate reports count (how many interactions
    of each type, revenue)."""
    contact = await service.get_contact(session, contact_id)
    counts, revenue = await interactions.summary_for(session, contact_id)
    session.add(
        ErasureTombstone(
            erased_by=actor.label,
            contact_created_at=contact.created_at,
            lifecycle_stage=contact.lifecycle_stage,
            source=contact.source,
            country=contact.country,
            interaction_counts=counts,
            total_revenue=revenue,
        )
    )
    # The reports' rollups count only interactions that exist: theirs go out with them.
    await rollups.forget_contact(session, contact_id)
    await purchases.forget_contact(session, contact_id)
    await explore_rollup.forget_contact(session, contact_id)
    await explore_monthly.forget_contact(session, contact_id)
    await interactions.delete_for(session, contact_id)
    for forget in _forgetters:
        await forget(session, contact_id)
    await session.execute(delete(CONTACT_RFM).where(CONTACT_RFM.c.contact_id == contact_id))
    await service.forget_contact(session, contact_id)
    await session.delete(contact)
    await session.flush()
    # The entry names the contact by its id only: the log must not keep who was erased.
    await audit.record(
        session, actor, "contact.erased", audit.Target("contact", contact_id), after={"interactions": counts}
    )
