"""Queueing a job: the typed `Enqueue` every feature receives, and the one way to queue a job
once the transaction that makes it necessary has committed."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import after_commit
from parcours.jobs.names import JobName

SLOTS_PER_SECOND = 2


def slot_id(name: JobName, seconds: float) -> str:
    """The job id of `name` for the half-second around `seconds` (a timestamp): asking twice in the
    same moment queues one job, and asking while a run is under way queues the next one instead of
    being refused as a duplicate of it."""
    return f"{name}:{int(seconds * SLOTS_PER_SECOND)}"


class Enqueue(Protocol):
    """Queue `name(*args)`. With a job_id, a job already queued under that id is not queued twice
    (then False). arq's own options (`_defer_until`...) pass through `options`."""

    async def __call__(self, name: JobName, *args: Any, job_id: str | None = None, **options: Any) -> bool: ...


def queue_after_commit(
    session: AsyncSession, enqueue: Enqueue, name: JobName, *args: Any, job_id: str | None = None, **options: Any
) -> None:
    """Queue the job once this session commits: the worker then reads what was written (nothing
    is queued when the transaction rolls back)."""
    after_commit(session, lambda: enqueue(name, *args, job_id=job_id, **options))
