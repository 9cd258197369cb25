"""Set-wise writes of many contacts at once (imports, tracked behaviour, demo data, journeys),
in a lock order that keeps concurrent bulk writers from deadlocking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import normalize as n
from parcours.contacts.editing import STAGE_CHANGED
from parcours.contacts.matching import email_key, person_key
from parcours.contacts.models import CONTACTS, Contact
from parcours.db import dialect_name
from parcours.interactions import recording


async def create_minimal(session: AsyncSession, emails: list[str], source: str) -> dict[str, int]:
    """Create contacts known only by their email (e.g. from tracked behaviour). Returns email -> id."""
    if not emails:
        return {}
    now = utcnow()
    # Known first from their own behaviour (a form, a page, a tracked visit): inbound leads.
    rows = [
        {
            "email": e,
            "source": source,
            "lead_origin": "inbound",
            "lead_origin_detail": source,
            "custom": {},
            "search_text": n.search_text(None, None, e),
            "email_key": email_key(e),
            "lead_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for e in emails
    ]
    result = await session.execute(insert(Contact).returning(CONTACTS.c.email, CONTACTS.c.id), rows)
    return {email: cid for email, cid in result.all()}


async def insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk-create contacts from already clean values (demo data, benchmarks). Returns their ids."""
    if not rows:
        return []
    now = utcnow()
    full = [
        {
            "custom": {},
            "created_at": now,
            "updated_at": now,
            **row,
            # A lead written in bulk became one when it was created.
            "lead_at": row.get("lead_at") or (row.get("created_at") or now if row.get("lead_origin") else None),
            "search_text": n.search_text(row.get("first_name"), row.get("last_name"), row["email"]),
            "email_key": email_key(row["email"]),
            "person_key": person_key(row.get("first_name"), row.get("last_name")),
        }
        for row in rows
    ]
    # render_nulls: None stays an explicit NULL, so that rows with different empty fields still go out
    # as one multi-row INSERT instead of one statement per run of rows with the same empty fields.
    result = await session.execute(
        insert(Contact).returning(CONTACTS.c.id, sort_by_parameter_order=True),
        full,
        execution_options={"render_nulls": True},
    )
    return list(result.scalars().all())


async def lock_in_id_order(session: AsyncSession, ids: Select[Any]) -> None:
    """Lock the contacts of `ids` for writing, in id order, before a bulk write of them.

    An UPDATE locks rows in the order its plan reaches them (a join's, a file's): two bulk writers
    of the same contacts (a score recompute, an import) could then each hold a contact the other
    waits for, and PostgreSQL cancels one of them (a deadlock). Writers that all lock in id order
    wait for each other instead. FOR NO KEY UPDATE is the lock the UPDATE takes anyway: it does
    not hold back other transactions' foreign-key checks. SQLite writes one transaction at a time.
    """
    if await dialect_name(session) == "postgresql":
        await session.execute(
            select(col(Contact.id))
            .where(col(Contact.id).in_(ids))
            .order_by(col(Contact.id))
            .with_for_update(key_share=True)
        )


async def move_stage_for_select(session: AsyncSession, ids: Select[Any], to: str, among: Sequence[str], by: str) -> int:
    """Move the contacts of `ids` whose stage is one of `among` to `to`, set-wise, each move on
    the timeline and in the stream (lifecycle_stage_changed) as for one contact."""
    moved = 0
    for stage in among:
        which = select(col(Contact.id)).where(col(Contact.id).in_(ids), col(Contact.lifecycle_stage) == stage)
        moved += await recording.record_for_select(session, which, STAGE_CHANGED, {"from": stage, "to": to, "by": by})
    await session.execute(
        update(CONTACTS)
        .where(CONTACTS.c.id.in_(ids), CONTACTS.c.lifecycle_stage.in_(list(among)))
        .values(lifecycle_stage=to, updated_at=utcnow())
    )
    return moved
