"""On PostgreSQL, `interactions` is partitioned by month of `occurred_at`: one table per month
(`interactions_2026_12`), plus a default partition for moments no month table covers yet (a
history imported from long ago, a clock far ahead). Months are created ahead of time by a daily
job; retention drops whole months instead of deleting rows. SQLite has one plain table: every
function here does nothing there.

A month created after rows for it already reached the default partition takes them along: they
are moved in the same transaction before the month is attached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text
from sqlmodel.ext.asyncio.session import AsyncSession

PARENT = "interactions"
DEFAULT = "interactions_default"
MONTHS_AHEAD = 3
_MONTH_TABLE = re.compile(r"^interactions_(\d{4})_(\d{2})$")


def first_of_month(moment: date | datetime) -> date:
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first`'s to `last`'s, both included."""
    months, month = [], first_of_month(first)
    while month <= first_of_month(last):
        months.append(month)
        month = next_month(month)
    return months


def table_of(month: date) -> str:
    return f"interactions_{month.year:04d}_{month.month:02d}"


def month_of(table: str) -> date | None:
    found = _MONTH_TABLE.match(table)
    return date(int(found[1]), int(found[2]), 1) if found else None


def _bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


def is_partitioned(connection: Connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(text("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(:t)"), {"t": PARENT})
    return kind.scalar_one_or_none() == "p"


def month_tables(connection: Connection) -> dict[date, str]:
    """The month partitions that exist, by month."""
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": PARENT},
    )
    return {month: name for (name,) in rows if (month := month_of(name)) is not None}


def create_months(connection: Connection, months: Iterable[date]) -> list[date]:
    """Create the month partitions missing among `months`; returns those created."""
    if not is_partitioned(connection):
        return []
    existing, created = month_tables(connection), []
    for month in sorted({first_of_month(m) for m in months}):
        if month in existing:
            continue
        table, lower, upper = table_of(month), _bound(month), _bound(next_month(month))
        bounds = f"FOR VALUES FROM ('{lower}') TO ('{upper}')"
        waiting = connection.execute(
            text(f"SELECT 1 FROM {DEFAULT} WHERE occurred_at >= :lower AND occurred_at < :upper LIMIT 1"),
            {"lower": datetime.fromisoformat(lower), "upper": datetime.fromisoformat(upper)},
        ).first()
        if waiting is None:
            connection.execute(text(f"CREATE TABLE {table} PARTITION OF {PARENT} {bounds}"))
        else:
            connection.execute(text(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
            connection.execute(
                text(
                    f"WITH moved AS (DELETE FROM {DEFAULT} WHERE occurred_at >= :lower AND occurred_at < :upper "
                    f"RETURNING *) INSERT INTO {table} SELECT * FROM moved"
                ),
                {"lower": datetime.fromisoformat(lower), "upper": datetime.fromisoformat(upper)},
            )
            connection.execute(text(f"ALTER TABLE {PARENT} ATTACH PARTITION {table} {bounds}"))
        created.append(month)
    return created


def drop_months_before(connection: Connection, cutoff: datetime) -> list[date]:
    """Drop every month partition that ends on or before `cutoff` (retention); returns their months."""
    if not is_partitioned(connection):
        return []
    dropped = []
    for month, table in sorted(month_tables(connection).items()):
        if datetime(*next_month(month).timetuple()[:3], tzinfo=UTC) <= cutoff:
            connection.execute(text(f"DROP TABLE {table}"))
            dropped.append(month)
    return dropped


async def prepare_months(session: AsyncSession, today: date) -> list[date]:
    """This month and the next MONTHS_AHEAD, created if missing (a daily job)."""
    months = [first_of_month(today)]
    for _ in range(MONTHS_AHEAD):
        months.append(next_month(months[-1]))
    return await session.run_sync(lambda s: create_months(s.connection(), months))


async def drop_before(session: AsyncSession, cutoff: datetime) -> list[date]:
    return await session.run_sync(lambda s: drop_months_before(s.connection(), cutoff))
