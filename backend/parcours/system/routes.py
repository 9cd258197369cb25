"""/api/system: the System screen (administrators only)."""

from __future__ import annotations

from litestar import Controller, get, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.jobs import service as jobs
from parcours.jobs.schemas import JobOut, job_out
from parcours.runtime import Runtime
from parcours.system import service
from parcours.system.schemas import SystemStatus


class SystemController(Controller):
    path = "/system"
    tags = ["system"]
    opt = {"role": "admin"}

    @get("/", summary="Workers, queue, interaction stream, failed jobs and messages, storage")
    async def get_status(self, db: AsyncSession, runtime: Runtime) -> SystemStatus:
        return await service.status(runtime, db)

    @post(
        "/jobs/{job_id:str}/retry", status_code=202, summary="Run a failed job again; follow it at /api/jobs/{job_id}"
    )
    async def retry_job(self, job_id: str, db: AsyncSession, runtime: Runtime) -> JobOut:
        return job_out(await jobs.retry(db, runtime.enqueue, job_id))
