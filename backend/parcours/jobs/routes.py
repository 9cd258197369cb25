"""/api/jobs: follow long-running work."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.jobs import service
from parcours.jobs.schemas import JobOut, job_out


class JobsController(Controller):
    path = "/jobs"
    tags = ["jobs"]

    @get("/{job_id:str}", summary="A job's status, progress (0..1) and result")
    async def get_job(self, job_id: str, db: AsyncSession) -> JobOut:
        return job_out(await service.get_job(db, job_id))

    @get("/", summary="Recent jobs, newest first")
    async def list_jobs(
        self, db: AsyncSession, kind: str | None = None, limit: int = Parameter(default=20, ge=1, le=100)
    ) -> list[JobOut]:
        return [job_out(j) for j in await service.recent_jobs(db, kind, limit)]
