"""The rules journeys keep over contact fields (conditions, filtered waits, goals), for
rules.usage: a field a rule reads is not deleted while a journey that is not over reads it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.journeys.models import Journey
from parcours.rules.usage import HeldRule

ENDED_JOURNEYS = ("stopped", "finished")


def _journey_rules(definition: dict[str, Any], settings: dict[str, Any]) -> Iterator[str]:
    for node in definition.get("nodes") or ():
        rule = (node.get("config") or {}).get("rule")
        if isinstance(rule, str):
            yield rule
    goal = (settings or {}).get("goal") or {}
    if isinstance(goal.get("rule"), str):
        yield goal["rule"]


async def held_rules(session: AsyncSession) -> list[HeldRule]:
    rows = await session.execute(
        select(col(Journey.id), col(Journey.name), col(Journey.definition), col(Journey.settings)).where(
            col(Journey.status).not_in(ENDED_JOURNEYS)
        )
    )
    return [
        HeldRule("journey", jid, name, rule)
        for jid, name, definition, settings in rows.all()
        if jid is not None
        for rule in _journey_rules(definition, settings)
    ]
