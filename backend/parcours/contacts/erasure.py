"""GDPR: export everything held on a contact; erase a contact for good."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import to_out
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import accounts, service
from parcours.contacts.models import CONTACT_RFM, ErasureTombstone
from parcours.contacts.schemas import AccountOut, ConsentEventOut
from parcours.interactions import service as interactions
from parcours.reports import rollups
from parcours.webhooks import service as webhooks


async def export_contact(session: AsyncSession, contact_id: int) -> dict[str, Any]:
    contact = await service.get_contact(session, contact_id)
    account = await accounts.get_account(session, contact.account_id) if contact.account_id else None
    history = await service.consent_history(session, contact_id)
    return {
        "exported_at": utcnow().isoformat(),
        "contact": msgspec.to_builtins(await service.contact_out(session, contact)),
        "account": msgspec.to_builtins(to_out(account, AccountOut)) if account else None,
        "consent_history": [msgspec.to_builtins(to_out(e, ConsentEventOut)) for e in history],
        "interactions": [msgspec.to_builtins(i) for i in await interactions.all_for(session, contact_id)],
    }


async def erase_contact(session: AsyncSession, contact_id: int, actor: Actor) -> None:
    """The contact, its interactions, its consent history and the webhook deliveries about it go; a tombstone without identity
    keeps what aggregate reports count (how many interactions of each type, revenue)."""
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
    await interactions.delete_for(session, contact_id)
    await webhooks.forget_contact(session, contact_id)
    await session.execute(delete(CONTACT_RFM).where(CONTACT_RFM.c.contact_id == contact_id))
    await session.delete(contact)
    await session.flush()
