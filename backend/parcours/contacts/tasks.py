"""Worker jobs of the contact base."""

from __future__ import annotations

from parcours.contacts import import_service
from parcours.jobs.tasks import tracked
from parcours.runtime import WorkerContext


@tracked
async def import_contacts(ctx: WorkerContext, job_id: str) -> None:
    await import_service.run_import(ctx["runtime"].sessions, job_id)
