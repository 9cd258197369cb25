"""Worker jobs of events: promote the waitlist when seats free up, the sweep that trusts only the
database, and finishing events that have ended (no-shows)."""

from __future__ import annotations

from typing import Any

from parcours.db import transaction
from parcours.events import registrations


async def promote_waitlist(ctx: dict[str, Any], event_id: int) -> int:
    """Free seats to the first waitlisted, in order. Safe to run any number of times."""
    async with transaction(ctx["runtime"].sessions) as session:
        return await registrations.promote(session, event_id)


async def sweep_events(ctx: dict[str, Any]) -> int:
    """Promotions a lost job left undone (Redis flushed, a worker killed)."""
    runtime = ctx["runtime"]
    async with transaction(runtime.read_sessions) as session:
        due = await registrations.events_to_promote(session)
    promoted = 0
    for event_id in due:
        async with transaction(runtime.sessions) as session:
            promoted += await registrations.promote(session, event_id)
    return promoted


async def finish_events(ctx: dict[str, Any]) -> int:
    async with transaction(ctx["runtime"].sessions) as session:
        return await registrations.finish_ended(session)
