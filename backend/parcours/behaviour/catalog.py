"""What rules need to know of behavioural fields (computed_<name>), read without the rest of
behaviour, so that the rule language's edge can list them."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.behaviour.definition import Definition, info
from parcours.behaviour.models import ComputedField
from parcours.rules.fields import ComputedInfo


def definition_of(row: ComputedField) -> Definition:
    return Definition(
        name=row.name,
        label=row.label,
        aggregate=row.aggregate,
        interaction_type=row.interaction_type,
        property=row.property,
        filter=row.filter,
        window_days=row.window_days,
    )


async def definitions(session: AsyncSession) -> list[tuple[int, Definition]]:
    rows = (await session.execute(select(ComputedField).order_by(col(ComputedField.id)))).scalars().all()
    return [(row.id or 0, definition_of(row)) for row in rows]


async def computed_infos(session: AsyncSession) -> list[ComputedInfo]:
    return [info(definition) for _, definition in await definitions(session)]
