"""Worker jobs of the interactions: counts over the last 30 days rolled as time passes, the
month partitions made ahead on PostgreSQL, and the retention of old interactions. (The stream's
own jobs, processing new interactions, are in parcours.stream.)"""

from __future__ import annotations

from datetime import timedelta

from parcours.clock import utcnow
from parcours.db import in_batches, transaction
from parcours.interactions import service
from parcours.interactions.models import INTERACTIONS
from parcours.runtime import WorkerContext


async def roll_windows(ctx: WorkerContext) -> int:
    return await service.roll_windows(ctx["runtime"].sessions)


async def purge_interactions(ctx: WorkerContext) -> int:
    """Daily: interactions older than PARCOURS_INTERACTION_RETENTION_DAYS (0: none) are removed.
    On PostgreSQL the months that ended before the cutoff are dropped whole first; what is left
    (the default partition, SQLite) is deleted by batches. Returns the rows deleted by batches."""
    runtime = ctx["runtime"]
    days = runtime.settings.interaction_retention_days
    if days <= 0:
        return 0
    async with transaction(runtime.sessions) as session:
        await INTERACTIONS.drop_before(session, utcnow() - timedelta(days=days))
    return await in_batches(
        runtime.sessions, lambda session: service.purge_older_than(session, days), service.PURGE_BATCH
    )
