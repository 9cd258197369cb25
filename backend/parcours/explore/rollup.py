"""The daily counts of interactions by type (`explore_daily`), which answer the exploration's
questions that only cut by time and type and add things up, at any size.

A consumer of the interaction stream adds each batch's counts in the batch's transaction (the
stream's cursor moves in that same transaction: each interaction is counted once). An erased
contact's counted interactions are subtracted before they go; a merge moves interactions between
contacts and changes no count. `rebuild` recounts a period from the raw rows the stream has
handed on (`parcours rebuild-rollups`)."""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import CursorResult, Table, delete, func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import Sessions, dialect_insert, dialect_name, transaction, utc_day
from parcours.explore.models import ExploreDaily
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer, Stored

Key = tuple[date, str]
# Rows of one upsert statement: 5 parameters each, under both databases' limits.
_CHUNK = 5_000


def table() -> Table:
    return ExploreDaily.metadata.tables["explore_daily"]


def counts(rows: Sequence[Stored], values: dict[int, float]) -> dict[Key, list[float]]:
    """What these interactions add per (UTC day, type): [count, value sum, values counted] (pure)."""
    found: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in rows:
        added = found[(row.occurred_at.astimezone(UTC).date(), row.type)]
        added[0] += 1
        if row.id in values:
            added[1] += values[row.id]
            added[2] += 1
    return found


async def _values(session: AsyncSession, ids: list[int]) -> dict[int, float]:
    """The `value` of those of these interactions that have one (the stream does not carry it)."""
    raw = interactions.table()
    found: dict[int, float] = {}
    for start in range(0, len(ids), _CHUNK):
        statement = select(raw.c.id, raw.c.value).where(raw.c.id.in_(ids[start : start + _CHUNK]))
        found.update({i: float(v) for i, v in (await session.execute(statement.where(raw.c.value.is_not(None))))})
    return found


async def add(session: AsyncSession, rows: Sequence[Stored], sign: int = 1) -> None:
    """Add (or subtract) these interactions' counts: one upsert per few thousand (day, type)."""
    if not rows:
        return
    changes = counts(rows, await _values(session, [r.id for r in rows]))
    t = table()
    records = [
        {"day": d, "type": k[:64], "count": sign * int(c), "value_sum": sign * s, "value_count": sign * int(n)}
        for (d, k), (c, s, n) in sorted(changes.items())
    ]
    dialect = await dialect_name(session)
    for start in range(0, len(records), _CHUNK):
        upsert = dialect_insert(dialect, ExploreDaily)
        statement = upsert.values(records[start : start + _CHUNK]).on_conflict_do_update(
            index_elements=["day", "type"],
            set_={
                "count": t.c.count + upsert.excluded.count,
                "value_sum": t.c.value_sum + upsert.excluded.value_sum,
                "value_count": t.c.value_count + upsert.excluded.value_count,
            },
        )
        await session.execute(statement)


def stream_consumer() -> Consumer:
    async def consume(batch: Batch) -> None:
        await add(batch.session, batch.rows)

    return consume


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """Before a contact's interactions are erased: take those the stream has counted out. The
    stream's cursor stays locked until the transaction ends: no batch counts them meanwhile."""
    cursor = await interactions.stream_cursor(session)
    gaps = {int(k) for k in cursor.gaps}
    rows = await interactions.stored_of(session, contact_id)
    await add(session, [r for r in rows if r.id <= cursor.position and r.id not in gaps], sign=-1)


async def rebuild(sessions: Sessions, start: date | None = None, end: date | None = None) -> int:
    """Recount the days from `start` to `end` (included; every day without them) from the raw
    interactions the stream has handed on, in one transaction that holds the stream's cursor.
    Returns how many (day, type) rows were written."""
    async with transaction(sessions) as session:
        cursor = await interactions.stream_cursor(session)
        raw, t = interactions.table(), table()
        day = utc_day(await dialect_name(session), raw.c.occurred_at)
        counted, days = interactions.handed_on(cursor), []
        if start is not None:
            counted = counted & (raw.c.occurred_at >= datetime.combine(start, time(), UTC))
            days.append(t.c.day >= start)
        if end is not None:
            counted = counted & (raw.c.occurred_at < datetime.combine(end + timedelta(days=1), time(), UTC))
            days.append(t.c.day <= end)
        grouped = (
            select(day, raw.c.type, func.count(), func.coalesce(func.sum(raw.c.value), 0.0), func.count(raw.c.value))
            .where(counted)
            .group_by(day, raw.c.type)
        )
        await session.execute(delete(t).where(*days))
        written = await session.execute(
            insert(t).from_select(["day", "type", "count", "value_sum", "value_count"], grouped)
        )
        return int(typing.cast(CursorResult[Any], written).rowcount or 0)


async def freshness(session: AsyncSession) -> Any:
    """Up to when every interaction is counted (now when the stream has caught up)."""
    return await interactions.stream_freshness(session)
