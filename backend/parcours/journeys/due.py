"""What is due to advance, and waking a worker to advance it: the database is the truth (a run
is due when its `wake_at` has passed, whatever Redis remembers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.jobs.enqueue import Enqueue, queue_after_commit, slot_id
from parcours.jobs.names import JobName
from parcours.journeys.batch import RUNS
from parcours.journeys.models import Journey
from parcours.journeys.versions import LIVE


def wake(session: AsyncSession, enqueue: Enqueue, at: datetime | None = None) -> None:
    """After commit, have a worker advance what is due (at `at`, or now). The job id is the time
    bucket: asking twice for the same moment queues one job."""
    moment = at or utcnow()
    job_id = slot_id(JobName.ADVANCE_JOURNEYS, moment.timestamp())
    queue_after_commit(session, enqueue, JobName.ADVANCE_JOURNEYS, job_id=job_id, _defer_until=at)


async def live_ids(session: AsyncSession) -> list[int]:
    return list((await session.execute(select(col(Journey.id)).where(col(Journey.status) == LIVE))).scalars())


def due(columns: Sequence[Any], status: str, live: list[int], limit: int) -> Select[Any]:
    """Due runs of one status, oldest first. One status at a time, the (status, wake_at) index
    is walked in order and the walk stops at `limit`; with `status IN (...)`, or a join on the
    journeys, the database sorts every due run on each call."""
    return (
        select(*columns)
        .where(RUNS.c.status == status, RUNS.c.wake_at <= utcnow(), RUNS.c.journey_id.in_(live))
        .order_by(RUNS.c.wake_at)
        .limit(limit)
    )


async def any_due(session: AsyncSession) -> bool:
    live = await live_ids(session)
    for status in ("waiting", "active"):
        if (await session.execute(due([RUNS.c.id], status, live, 1))).first() is not None:
            return True
    return False
