"""Jobs: a row per long-running task, so that progress and results outlive Redis and workers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.db import Sessions, transaction
from parcours.errors import Conflict, NotFound
from parcours.jobs.enqueue import Enqueue, queue_after_commit
from parcours.jobs.models import Job
from parcours.jobs.names import JobName


def queue_key(job_id: str) -> str:
    """The arq job id: while a job is queued or running, queueing it again does nothing."""
    return f"job:{job_id}"


async def create_job(
    session: AsyncSession, *, kind: str, task: JobName, params: dict[str, Any], created_by: str, enqueue: Enqueue
) -> Job:
    """Record a job and queue `task(job_id)` once the record is committed."""
    job = Job(id=uuid.uuid4().hex, kind=kind, task=task, params=params, created_by=created_by)
    session.add(job)
    await session.flush()
    queue_after_commit(session, enqueue, task, job.id, job_id=queue_key(job.id))
    return job


async def unfinished_jobs(session: AsyncSession) -> Sequence[Job]:
    return (await session.execute(select(Job).where(col(Job.status).in_(["queued", "running"])))).scalars().all()


async def get_job(session: AsyncSession, job_id: str) -> Job:
    job = await session.get(Job, job_id)
    if job is None:
        raise NotFound("This job does not exist.", "job_id")
    return job


async def recent_jobs(session: AsyncSession, kind: str | None, limit: int) -> Sequence[Job]:
    query = select(Job).order_by(col(Job.created_at).desc()).limit(limit)
    if kind:
        query = query.where(col(Job.kind) == kind)
    return (await session.execute(query)).scalars().all()


class JobProgress:
    """What a running task uses to report: each call is its own short transaction."""

    def __init__(self, sessions: Sessions, job_id: str) -> None:
        self.sessions, self.job_id = sessions, job_id

    async def _set(self, **values: Any) -> None:
        async with transaction(self.sessions) as session:
            await session.execute(update(Job).where(col(Job.id) == self.job_id).values(**values))

    async def load(self) -> Job:
        async with transaction(self.sessions) as session:
            return await get_job(session, self.job_id)

    async def start(self, message: str = "") -> None:
        await self._set(status="running", started_at=utcnow(), message=message, progress=0.0)

    async def report(self, progress: float, message: str | None = None) -> None:
        values: dict[str, Any] = {"progress": max(0.0, min(1.0, progress))}
        if message is not None:
            values["message"] = message[:500]
        await self._set(**values)

    async def finish(self, result: dict[str, Any], message: str = "") -> None:
        await self._set(status="done", progress=1.0, result=result, message=message[:500], finished_at=utcnow())

    async def fail(self, message: str, result: dict[str, Any] | None = None) -> None:
        await self._set(status="failed", message=message[:500], result=result, finished_at=utcnow())


async def recently_finished(session: AsyncSession, kind: str, limit: int) -> Sequence[Job]:
    """The jobs of one kind that ended last (done or failed)."""
    query = (
        select(Job)
        .where(col(Job.kind) == kind, col(Job.finished_at).is_not(None))
        .order_by(col(Job.finished_at).desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def failed_jobs(session: AsyncSession, limit: int) -> Sequence[Job]:
    """The jobs that failed last, newest first."""
    query = select(Job).where(col(Job.status) == "failed").order_by(col(Job.finished_at).desc()).limit(limit)
    return (await session.execute(query)).scalars().all()


async def retry(session: AsyncSession, enqueue: Enqueue, job_id: str) -> Job:
    """Run a failed job again from the start with the same parameters (its task is idempotent)."""
    job = await get_job(session, job_id)
    if job.status != "failed":
        raise Conflict("Only a failed job can be run again.", "job_id")
    # Its own queue id: the failed run's id stays taken while the queue keeps its result.
    retry_key = f"{queue_key(job.id)}:retry:{job.finished_at.timestamp() if job.finished_at else 0:.0f}"
    job.status, job.progress, job.message, job.result = "queued", 0.0, "", None
    job.started_at = job.finished_at = None
    session.add(job)
    await session.flush()
    queue_after_commit(session, enqueue, JobName(job.task), job.id, job_id=retry_key)
    return job
