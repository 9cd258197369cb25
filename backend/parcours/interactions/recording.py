"""Writing to the interaction stream. Used by every feature that records what happened to a
contact, so it depends on nothing but the table (contacts import it without a cycle)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Select, insert, literal, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.db import UTCDateTime, after_commit
from parcours.interactions.models import Interaction

# What the product itself records, as opposed to what a contact did: shown on the timeline and
# usable as journey triggers, but never counted as activity (last_interaction_at, opens...).
JOURNEY_STEP = "journey_step"
SYSTEM_TYPES = frozenset(
    {
        "contact_created",
        "contact_updated",
        "contacts_merged",
        "lifecycle_stage_changed",
        "segment_entered",
        "segment_exited",
        "event_promoted",
        "event_no_show",
        "journey_converted",
        JOURNEY_STEP,
    }
)
# Of those, the ones that change nothing a rule can read (segments need not look again).
UNCHANGING_TYPES = frozenset({"segment_entered", "segment_exited", JOURNEY_STEP})

_TABLE = Interaction.metadata.tables["interactions"]
_WAKER = "parcours_stream_waker"
_WOKEN = "parcours_stream_woken"
log = logging.getLogger(__name__)


class Waker(Protocol):
    """What processes new interactions once they are committed (parcours.stream.Waker)."""

    async def __call__(self) -> None: ...


def wake_with(sessions: async_sessionmaker[AsyncSession], waker: Waker) -> None:
    """Sessions of this factory wake `waker` once a transaction that recorded interactions commits."""
    sessions.configure(info={**sessions.kw.get("info", {}), _WAKER: waker})


def _wake_after_commit(session: AsyncSession) -> None:
    waker: Waker | None = session.info.get(_WAKER)
    if waker is None or session.info.get(_WOKEN):
        return
    session.info[_WOKEN] = True

    async def wake() -> None:
        try:
            await waker()
        except Exception:  # the sweeper processes the stream anyway within seconds
            log.warning("could not wake the interaction stream", exc_info=True)

    after_commit(session, wake)


async def record(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> int:
    """Store interactions given as {contact_id, type, occurred_at?, value?, properties?}."""
    now = utcnow()
    full = [{"occurred_at": now, "value": None, "properties": {}, "received_at": now, **row} for row in rows]
    if full:
        # A Core insert of plain dicts: one multi-row INSERT, no ORM bookkeeping.
        await session.execute(insert(_TABLE), full)
        _wake_after_commit(session)
    return len(full)


async def record_for_select(
    session: AsyncSession, contact_ids: Select[Any], kind: str, properties: dict[str, Any], at: datetime | None = None
) -> int:
    """One interaction of `kind` for every contact id the query yields, written by the database."""
    at = at or utcnow()
    rows = select(
        contact_ids.subquery().c[0],
        literal(kind),
        literal(at, UTCDateTime()),
        literal(properties, _TABLE.c.properties.type),
        literal(at, UTCDateTime()),
    )
    result = await session.execute(
        insert(_TABLE).from_select(["contact_id", "type", "occurred_at", "properties", "received_at"], rows)
    )
    _wake_after_commit(session)
    return int(cast("CursorResult[Any]", result).rowcount or 0)
