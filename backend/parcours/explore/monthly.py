"""Distinct contacts by UTC month and type (`explore_monthly`), which answer the exploration's
"how many contacts did this, month by month" at any size. A distinct count does not add up across
days, so each (contact, month, type) met is kept once (`explore_monthly_contacts`) and a month's
count goes up only when its row is first written.

A consumer of the interaction stream writes each batch's (contact, month, type) in the batch's
transaction, as the daily counts are (explore.rollup). A merge gives the other contact's rows to
the survivor, counting only those the survivor did not have; an erasure takes a contact's rows
out; `rebuild` recounts whole months from the raw rows the stream has handed on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Date, Table, cast, delete, func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import Sessions, dialect_insert, dialect_name, transaction
from parcours.explore.models import ExploreMonthly, ExploreMonthlyContact
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer, Stored
from parcours.partitions import first_of_month, next_month

Met = tuple[int, date, str]  # (contact, month, type)
Cell = tuple[date, str]  # (month, type)


def table() -> Table:
    return ExploreMonthly.metadata.tables["explore_monthly"]


def met_table() -> Table:
    return ExploreMonthlyContact.metadata.tables["explore_monthly_contacts"]


def met(rows: Iterable[Stored]) -> set[Met]:
    """Which contact did which type of thing in which month, in these interactions (pure)."""
    return {(row.contact_id, first_of_month(row.occurred_at.astimezone(UTC)), row.type) for row in rows}


def _month(dialect: str, at: Any) -> Any:
    """The first day of a stored timestamp's UTC month, in SQL."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", func.timezone("UTC", at)), Date)
    return func.date(at, "start of month")


async def _write(session: AsyncSession, rows: Iterable[Met]) -> Counter[Cell]:
    """Write these rows, those already there left alone; the cells of those written."""
    ordered, written, t = sorted(rows), Counter[Cell](), met_table()
    if not ordered:
        return written
    # Many rows to one cached statement: SQLAlchemy batches them into multi-row INSERTs itself.
    insert = dialect_insert(await dialect_name(session), t).on_conflict_do_nothing()
    values = [{"contact_id": c, "month": m, "type": k} for c, m, k in ordered]
    written.update((m, k) for m, k in await session.execute(insert.returning(t.c.month, t.c.type), values))
    return written


async def _count(session: AsyncSession, changes: Counter[Cell]) -> None:
    """Add each cell's change to its count of contacts."""
    records = [{"month": m, "type": k, "contacts": n} for (m, k), n in sorted(changes.items()) if n]
    if not records:
        return
    t = table()
    upsert = dialect_insert(await dialect_name(session), t)
    statement = upsert.on_conflict_do_update(
        index_elements=["month", "type"], set_={"contacts": t.c.contacts + upsert.excluded.contacts}
    )
    await session.execute(statement, records)


async def _take(session: AsyncSession, contact_id: int) -> list[Cell]:
    """Delete a contact's rows; the cells they were in."""
    t = met_table()
    statement = delete(t).where(t.c.contact_id == contact_id).returning(t.c.month, t.c.type)
    return [(m, k) for m, k in await session.execute(statement)]


async def add(session: AsyncSession, rows: Sequence[Stored]) -> None:
    if rows:
        await _count(session, await _write(session, met(rows)))


def stream_consumer() -> Consumer:
    async def consume(batch: Batch) -> None:
        await add(batch.session, batch.rows)

    return consume


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """The other's months become the survivor's: a cell both had loses one contact."""
    taken = await _take(session, other_id)
    written = await _write(session, [(survivor_id, m, k) for m, k in taken])
    changes = written.copy()
    changes.subtract(taken)
    await _count(session, changes)
    return {"explore_monthly_contacts": written.total()}


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """An erased contact leaves the months it was counted in."""
    changes = Counter[Cell]()
    changes.subtract(await _take(session, contact_id))
    await _count(session, changes)


async def rebuild(sessions: Sessions, start: date | None = None, end: date | None = None) -> int:
    """Recount the months from `start`'s to `end`'s (included; every month without them) from
    the raw interactions the stream has handed on, in one transaction that holds the stream's
    cursor. Returns how many (month, type) counts were written."""
    async with transaction(sessions) as session:
        cursor = await interactions.stream_cursor(session)
        raw, t, kept = interactions.table(), table(), met_table()
        counted, months, kept_months = interactions.handed_on(cursor), [], []
        if start is not None:
            first = first_of_month(start)
            counted = counted & (raw.c.occurred_at >= datetime.combine(first, time(), UTC))
            months.append(t.c.month >= first)
            kept_months.append(kept.c.month >= first)
        if end is not None:
            after = next_month(first_of_month(end))
            counted = counted & (raw.c.occurred_at < datetime.combine(after, time(), UTC))
            months.append(t.c.month < after)
            kept_months.append(kept.c.month < after)
        month = _month(await dialect_name(session), raw.c.occurred_at)
        await session.execute(delete(kept).where(*kept_months))
        await session.execute(delete(t).where(*months))
        distinct = select(raw.c.contact_id, month, raw.c.type).where(counted).distinct()
        await session.execute(insert(kept).from_select(["contact_id", "month", "type"], distinct))
        cells = select(kept.c.month, kept.c.type, func.count()).where(*kept_months).group_by(kept.c.month, kept.c.type)
        written = await session.execute(insert(t).from_select(["month", "type", "contacts"], cells))
        return int(getattr(written, "rowcount", 0) or 0)
