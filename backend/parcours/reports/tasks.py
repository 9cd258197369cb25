"""The reports' worker side: counting the whole base again for the audience report's snapshot,
every few minutes and on demand (as a job the page can follow), and the Home overview's."""

from __future__ import annotations

from parcours.db import retried
from parcours.jobs.service import JobProgress
from parcours.jobs.tasks import tracked
from parcours.reports import audience, overview
from parcours.runtime import WorkerContext


@tracked
async def refresh_audience(ctx: WorkerContext, job_id: str) -> None:
    runtime = ctx["runtime"]
    progress = JobProgress(runtime.sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    await progress.start("Counting the contacts")
    snapshot = await retried(runtime.sessions, audience.refresh)
    contacts = snapshot.figures["contacts"]
    await progress.finish({"contacts": contacts}, f"{contacts} contacts counted")


async def refresh_audience_snapshot(ctx: WorkerContext) -> None:
    """The periodic count (not a job of its own: it would fill the job list every few minutes)."""
    await retried(ctx["runtime"].sessions, audience.refresh)


async def refresh_overview_snapshot(ctx: WorkerContext) -> None:
    """The Home's daily counts of the closed days, counted again every few minutes."""
    await retried(ctx["runtime"].sessions, overview.refresh)
