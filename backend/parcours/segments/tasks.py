"""Worker jobs of segments: refreshes on demand (tracked) and on schedule."""

from __future__ import annotations

from parcours.db import transaction
from parcours.jobs.service import JobProgress
from parcours.jobs.tasks import tracked
from parcours.runtime import WorkerContext
from parcours.segments import refresh


@tracked
async def refresh_segment(ctx: WorkerContext, job_id: str) -> None:
    sessions = ctx["runtime"].sessions
    progress = JobProgress(sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    await progress.start("Refreshing")
    async with transaction(sessions) as session:
        totals = await refresh.refresh_with_dependents(session, job.params["segment_id"])
    await progress.finish(totals, f"{totals['entered']} entered, {totals['exited']} left")


async def refresh_all_segments(ctx: WorkerContext) -> int:
    async with transaction(ctx["runtime"].sessions) as session:
        return await refresh.refresh_all(session)
