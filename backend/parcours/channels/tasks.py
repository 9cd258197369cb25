"""Worker jobs of the outbox: one per delivery lane (see delivery.LANES), and the sweeper."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from parcours.channels import store
from parcours.channels.delivery import Delivery
from parcours.channels.sending import JOBS
from parcours.clock import utcnow
from parcours.db import transaction


def _delivery(ctx: dict[str, Any]) -> Delivery:
    delivery = ctx["delivery"]
    assert isinstance(delivery, Delivery), "the worker's context is made with a Delivery (runtime.worker_context)"
    return delivery


async def deliver_messages(ctx: dict[str, Any]) -> int:
    return await _delivery(ctx).run("deliver_messages")


async def deliver_other_messages(ctx: dict[str, Any]) -> int:
    return await _delivery(ctx).run("deliver_other_messages")


async def deliver_notices(ctx: dict[str, Any]) -> int:
    return await _delivery(ctx).run("deliver_notices")


async def sweep_outbox(ctx: dict[str, Any]) -> None:
    """Due messages are sent even when the job that should have sent them was lost."""
    delivery = _delivery(ctx)
    t = store.TABLE.c
    async with transaction(delivery.read_sessions) as session:
        channels = set((await session.execute(select(t.channel).where(
            t.status.in_(["queued", "sending"]), t.send_after <= utcnow()).distinct())).scalars())
    for job in sorted({JOBS[c] for c in channels if c in JOBS}):
        await delivery.enqueue(job, job_id=f"{job}:{int(utcnow().timestamp() * 2)}")
