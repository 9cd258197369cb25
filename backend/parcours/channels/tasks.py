"""Worker jobs of the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from parcours.channels import delivery
from parcours.channels.models import OutboxMessage
from parcours.clock import utcnow
from parcours.db import transaction


async def deliver_messages(ctx: dict[str, Any]) -> int:
    return await delivery.deliver_due(ctx["runtime"])


async def sweep_outbox(ctx: dict[str, Any]) -> None:
    """Due messages are sent even when the job that should have sent them was lost."""
    runtime = ctx["runtime"]
    async with transaction(runtime.read_sessions) as session:
        due = (await session.execute(select(OutboxMessage.id).where(
            OutboxMessage.status.in_(["queued", "sending"]), OutboxMessage.send_after <= utcnow()).limit(1))).first()  # type: ignore[attr-defined,operator]
    if due is not None:
        await runtime.enqueue("deliver_messages", job_id=f"deliver_messages:{int(utcnow().timestamp() * 2)}")
