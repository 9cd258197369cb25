"""Worker jobs of the contact base."""

from __future__ import annotations

from typing import Any

from parcours.contacts import import_service
from parcours.jobs.tasks import tracked


@tracked
async def import_contacts(ctx: dict[str, Any], job_id: str) -> None:
    await import_service.run_import(ctx["runtime"].sessions, job_id)
