"""Worker jobs of scheduled data flows."""

from __future__ import annotations

from parcours.dataflows import running, service
from parcours.db import transaction
from parcours.jobs.tasks import tracked
from parcours.runtime import WorkerContext


@tracked
async def run_import_source(ctx: WorkerContext, job_id: str) -> None:
    await running.run_source(ctx["runtime"], job_id)


@tracked
async def run_export(ctx: WorkerContext, job_id: str) -> None:
    await running.run_export(ctx["runtime"], job_id)


async def sweep_dataflows(ctx: WorkerContext) -> int:
    """Every minute: start the sources and exports whose schedule (or retry) is due."""
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        return await service.start_due(session, runtime.enqueue)
