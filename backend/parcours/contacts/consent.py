"""A contact's consent history: one line per change of a consent field, saying who and how."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.contacts.lookup import get_contact
from parcours.contacts.models import ConsentEvent


def how(actor: Actor) -> str:
    """How a change was made, as the consent history says it."""
    return {"user": "back_office", "api_key": "api"}.get(actor.kind, actor.name)


def record_consent(
    session: AsyncSession,
    contact_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    actor: Actor,
    method: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> int:
    """Append a history line for every consent field whose value changes. Returns how many.
    `evidence`: what proves a consent given on a form, by field (wording, wording_version,
    form_id, ip), or for every field under the key "*"."""
    evidence = evidence or {}
    events = [
        ConsentEvent(
            contact_id=contact_id,
            field=field,
            old_value=_text(before.get(field)),
            new_value=_text(value),
            changed_by=actor.label,
            how=method or how(actor),
            **{**evidence.get("*", {}), **evidence.get(field, {})},
        )
        for field, value in after.items()
        if _text(before.get(field)) != _text(value)
    ]
    session.add_all(events)
    return len(events)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


async def consent_history(session: AsyncSession, contact_id: int) -> Sequence[ConsentEvent]:
    await get_contact(session, contact_id)
    query = select(ConsentEvent).where(col(ConsentEvent.contact_id) == contact_id)
    return (await session.execute(query.order_by(col(ConsentEvent.id).desc()))).scalars().all()


async def insert_consent_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:  # render_nulls: see bulk.insert_many
        await session.execute(insert(ConsentEvent), rows, execution_options={"render_nulls": True})
