"""Worker jobs of the interaction stream: computed fields, kept current and rolled daily."""

from __future__ import annotations

import time
from typing import Any

from parcours.interactions import service

PROCESS_JOB_ID = "process_interactions"
# Ingestion asks for processing at most this often per process; the sweeper covers the rest.
_TRIGGER_EVERY = 0.25
_last_trigger = 0.0


async def process_interactions(ctx: dict[str, Any]) -> int:
    return await service.process_new_interactions(ctx["runtime"].sessions)


async def sweep_interactions(ctx: dict[str, Any]) -> None:
    await ctx["runtime"].enqueue("process_interactions", job_id=PROCESS_JOB_ID)


async def roll_windows(ctx: dict[str, Any]) -> int:
    return await service.roll_windows(ctx["runtime"].sessions)


async def trigger_processing(runtime: Any) -> None:
    global _last_trigger
    now = time.monotonic()
    if now - _last_trigger >= _TRIGGER_EVERY:
        _last_trigger = now
        await runtime.enqueue("process_interactions", job_id=PROCESS_JOB_ID)
