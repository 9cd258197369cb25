"""Worker jobs of the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from parcours.channels import delivery, notices, other
from parcours.channels.models import OutboxMessage
from parcours.channels.service import DELIVER_JOB, OTHER_JOB
from parcours.clock import utcnow
from parcours.db import transaction


async def _one_at_a_time(runtime: Any, name: str, work: Callable[[Any], Awaitable[int]]) -> int:
    """One delivery loop per worker process: it sends until the outbox is empty, so more would
    only take the worker's job slots from journeys and the interaction stream. A job arriving
    while the loop runs asks it to look once more instead."""
    state = runtime.extras.setdefault(name, {"busy": False, "again": False})
    if state["busy"]:
        state["again"] = True
        return 0
    state["busy"] = True
    handled = 0
    try:
        while True:
            state["again"] = False
            handled += await work(runtime)
            if not state["again"]:
                return handled
    finally:
        state["busy"] = False


async def deliver_messages(ctx: dict[str, Any]) -> int:
    return await _one_at_a_time(ctx["runtime"], "delivering_email", delivery.deliver_due)


async def deliver_other_messages(ctx: dict[str, Any]) -> int:
    return await _one_at_a_time(ctx["runtime"], "delivering_other", other.deliver_due)


async def deliver_notices(ctx: dict[str, Any]) -> int:
    return await _one_at_a_time(ctx["runtime"], "delivering_notices", notices.deliver_due)


async def sweep_outbox(ctx: dict[str, Any]) -> None:
    """Due messages are sent even when the job that should have sent them was lost."""
    runtime = ctx["runtime"]
    async with transaction(runtime.read_sessions) as session:
        channels = set((await session.execute(select(OutboxMessage.channel).where(
            OutboxMessage.status.in_(["queued", "sending"]), OutboxMessage.send_after <= utcnow()).distinct())).scalars())  # type: ignore[attr-defined,operator]
    for job, wanted in ((DELIVER_JOB, {"email"}), (OTHER_JOB, set(other.CHANNELS)),
                        (notices.DELIVER_JOB, {notices.CHANNEL})):
        if channels & wanted:
            await runtime.enqueue(job, job_id=f"{job}:{int(utcnow().timestamp() * 2)}")
