"""Worker jobs of the interactions: counts over the last 30 days rolled as time passes. (The
stream's own jobs, processing new interactions, are in parcours.stream.)"""

from __future__ import annotations

from typing import Any

from parcours.interactions import service


async def roll_windows(ctx: dict[str, Any]) -> int:
    return await service.roll_windows(ctx["runtime"].sessions)
