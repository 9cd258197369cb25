"""What rules need to know of scoring models (score_<key>, grade_<key>), read without the rest
of scoring, so that the rule language's edge can list them."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.rules.fields import ScoreInfo
from parcours.rules.usage import HeldRule
from parcours.scoring.models import ScoringModel


def grades_high_to_low(grades: list[dict[str, object]]) -> tuple[str, ...]:
    return tuple(str(g["grade"]) for g in sorted(grades, key=lambda g: -int(cast(float, g["min"]))))


async def score_infos(session: AsyncSession) -> list[ScoreInfo]:
    """Every model, active or not: a rule keeps working while its model is paused."""
    rows = await session.execute(
        select(col(ScoringModel.key), col(ScoringModel.name), col(ScoringModel.grades)).order_by(col(ScoringModel.id))
    )
    return [ScoreInfo(key=key, name=name, grades=grades_high_to_low(grades)) for key, name, grades in rows.all()]


async def held_rules(session: AsyncSession) -> list[HeldRule]:
    """The models' attribute rules (rules.usage: a field a rule reads is not deleted)."""
    rows = await session.execute(select(col(ScoringModel.id), col(ScoringModel.name), col(ScoringModel.rules)))
    return [
        HeldRule("scoring model", mid, name, r["rule"])
        for mid, name, model_rules in rows.all()
        if mid is not None
        for r in model_rules
        if r.get("kind") == "attribute" and isinstance(r.get("rule"), str)
    ]
