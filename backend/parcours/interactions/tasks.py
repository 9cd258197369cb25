"""Worker jobs of the interactions: counts over the last 30 days rolled as time passes. (The
stream's own jobs, processing new interactions, are in parcours.stream.)"""

from __future__ import annotations

from parcours.interactions import service
from parcours.runtime import WorkerContext


async def roll_windows(ctx: WorkerContext) -> int:
    return await service.roll_windows(ctx["runtime"].sessions)
