"""RFM's worker side: the recompute job, and the nightly run that queues it."""

from __future__ import annotations

from parcours.clock import utcnow
from parcours.db import retried, transaction
from parcours.jobs.names import JobName
from parcours.jobs.service import JobProgress
from parcours.jobs.tasks import tracked
from parcours.rfm import service
from parcours.runtime import WorkerContext

NIGHTLY_BY = "Nightly RFM"


@tracked
async def recompute_rfm(ctx: WorkerContext, job_id: str) -> None:
    runtime = ctx["runtime"]
    progress = JobProgress(runtime.sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    period_days = int(job.params.get("period_days", runtime.settings.rfm_period_days))
    await progress.start("Reading purchases")
    # SQLite writes one transaction at a time: a progress report would wait for the recompute's.
    report = None if runtime.settings.is_sqlite else progress.report
    run = await retried(runtime.sessions, service.recompute, utcnow(), period_days, job_id, report)
    if run.changed:
        # Segments on RFM fields follow now rather than at their hourly refresh.
        await runtime.enqueue(JobName.REFRESH_ALL_SEGMENTS, job_id=JobName.REFRESH_ALL_SEGMENTS)
    await progress.finish(
        {"customers": run.customers, "changed": run.changed},
        f"{run.customers} customers scored, {run.changed} contacts changed",
    )


async def nightly_rfm(ctx: WorkerContext) -> str:
    """Queue the nightly recompute (recency moves every day even when nobody buys)."""
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        return await service.start_recompute(session, runtime.enqueue, NIGHTLY_BY, runtime.settings.rfm_period_days)
