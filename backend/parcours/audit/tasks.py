"""The audit log's retention, in the worker."""

from __future__ import annotations

from parcours.audit import service
from parcours.db import in_batches
from parcours.runtime import WorkerContext


async def purge_audit_log(ctx: WorkerContext) -> int:
    """Daily: entries older than PARCOURS_AUDIT_RETENTION_DAYS leave the log."""
    runtime = ctx["runtime"]
    return await in_batches(
        runtime.sessions,
        lambda session: service.purge(session, runtime.settings.audit_retention_days),
        service.PURGE_BATCH,
    )
