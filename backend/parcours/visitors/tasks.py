"""Website tracking in the API process (the beacons' group commit) and in the worker (the purge
of anonymous visitors never identified)."""

from __future__ import annotations

from parcours.db import in_batches, transaction
from parcours.groupcommit import GroupCommit
from parcours.runtime import Runtime, WorkerContext
from parcours.visitors import service
from parcours.visitors.service import Beacon

MAX_BEACONS_PER_TRANSACTION = 500
Beacons = GroupCommit[Beacon, int]


def group_commit(runtime: Runtime) -> Beacons:
    """The process's beacon queue (one per process, built by parcours.assembly)."""
    return GroupCommit(runtime.sessions, service.store, MAX_BEACONS_PER_TRANSACTION)


async def purge_visitors(ctx: WorkerContext) -> int:
    """Hourly: anonymous visitors never identified, unseen for PARCOURS_ANONYMOUS_RETENTION_DAYS,
    then the page views older than that of those who came back. Returns the visitors purged."""
    runtime = ctx["runtime"]
    days = runtime.settings.anonymous_retention_days
    purged = await in_batches(runtime.sessions, lambda session: service.purge(session, days), service.PURGE_BATCH)
    async with transaction(runtime.sessions) as session:
        await service.purge_old_page_views(session, days)
    return purged
