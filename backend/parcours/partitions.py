"""On PostgreSQL, the large append-only tables are partitioned by month of a moment column: one
table per month (`interactions_2026_12`), plus a default partition for moments no month table
covers yet (a history imported from long ago, a clock far ahead). Months are created ahead of time
by a daily job; retention drops whole months instead of deleting rows. SQLite has one plain table
per name: every method here does nothing there.

A month created after rows for it already reached the default partition takes them along: they
are moved in the same transaction before the month is attached.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import dialect_name

MONTHS_AHEAD = 3
# A migration's tries at locking a busy table, and the pause between them (a minute in all).
LOCK_ATTEMPTS = 600
LOCK_PAUSE_SECONDS = 0.1
LOCK_NOT_AVAILABLE = "55P03"
# How long the daily job waits for the tables whose months it adds (it tries again at the next start
# or the next day; months are made MONTHS_AHEAD ahead): a longer wait would hold up everyone
# queued behind it.
MONTHS_LOCK_TIMEOUT = "5s"
# Older moments than this many years before today stay in the default partition when a table is
# first partitioned (one table per month of a long-imported history would be thousands).
YEARS_OF_MONTHS = 5


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


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


class MonthlyPartitions:
    """The month partitions of one table, by its moment column."""

    def __init__(self, parent: str, column: str) -> None:
        self.parent, self.column = parent, column
        self.default = f"{parent}_default"
        self._month_table = re.compile(rf"^{re.escape(parent)}_(\d{{4}})_(\d{{2}})$")

    def table_of(self, month: date) -> str:
        return f"{self.parent}_{month.year:04d}_{month.month:02d}"

    def month_of(self, table: str) -> date | None:
        found = self._month_table.match(table)
        return date(int(found[1]), int(found[2]), 1) if found else None

    def is_partitioned(self, connection: Connection) -> bool:
        if connection.dialect.name != "postgresql":
            return False
        kind = connection.execute(
            text("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(:t)"), {"t": self.parent}
        )
        return kind.scalar_one_or_none() == "p"

    def month_tables(self, connection: Connection) -> dict[date, str]:
        """The month partitions that exist, by month."""
        rows = connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = to_regclass(:t)"
            ),
            {"t": self.parent},
        )
        return {month: name for (name,) in rows if (month := self.month_of(name)) is not None}

    def create_months(self, connection: Connection, months: Iterable[date]) -> list[date]:
        """Create the month partitions missing among `months`; returns those created."""
        if not self.is_partitioned(connection):
            return []
        existing, created = self.month_tables(connection), []
        missing = sorted({first_of_month(m) for m in months} - set(existing))
        if missing:
            # The table with its partitions, before anything else: in the order readers and writers
            # take them (the table first), so that waiting for them cannot deadlock with those, as
            # taking them one statement at a time (a partition, then the table) could.
            connection.execute(text(f"LOCK TABLE {self.parent} IN ACCESS EXCLUSIVE MODE"))
        for month in missing:
            table, period = self.table_of(month), {"lower": _start(month), "upper": _start(next_month(month))}
            bounds = f"FOR VALUES FROM ('{period['lower'].isoformat()}') TO ('{period['upper'].isoformat()}')"
            within = f"{self.column} >= :lower AND {self.column} < :upper"
            waiting = connection.execute(text(f"SELECT 1 FROM {self.default} WHERE {within} LIMIT 1"), period).first()
            if waiting is None:
                connection.execute(text(f"CREATE TABLE {table} PARTITION OF {self.parent} {bounds}"))
            else:
                connection.execute(
                    text(f"CREATE TABLE {table} (LIKE {self.parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                )
                connection.execute(
                    text(
                        f"WITH moved AS (DELETE FROM {self.default} WHERE {within} RETURNING *) "
                        f"INSERT INTO {table} SELECT * FROM moved"
                    ),
                    period,
                )
                connection.execute(text(f"ALTER TABLE {self.parent} ATTACH PARTITION {table} {bounds}"))
            created.append(month)
        return created

    def create_for_rows(self, connection: Connection, source: str, today: date) -> None:
        """The default partition, and one per month of `source`'s rows (from YEARS_OF_MONTHS ago
        at most) up to MONTHS_AHEAD after today: what a table just partitioned needs."""
        connection.execute(text(f"CREATE TABLE {self.default} PARTITION OF {self.parent} DEFAULT"))
        first, last = connection.execute(text(f"SELECT min({self.column}), max({self.column}) FROM {source}")).one()
        earliest = date(today.year - YEARS_OF_MONTHS, today.month, 1)
        first = max(first_of_month(first), earliest) if first else today
        last = max(first_of_month(last), today) if last else today
        for _ in range(MONTHS_AHEAD):
            last = next_month(last)
        self.create_months(connection, months_between(first, last))

    def drop_months_before(self, connection: Connection, cutoff: datetime, unless: str = "") -> list[date]:
        """Drop every month partition that ends on or before `cutoff` (retention), except one holding
        a row that meets the SQL condition `unless`; returns their months."""
        if not self.is_partitioned(connection):
            return []
        dropped = []
        for month, table in sorted(self.month_tables(connection).items()):
            if _start(next_month(month)) > cutoff:
                continue
            if unless and connection.execute(text(f"SELECT 1 FROM {table} WHERE {unless} LIMIT 1")).first():
                continue
            connection.execute(text(f"DROP TABLE {table}"))
            dropped.append(month)
        return dropped

    async def prepare_months(self, session: AsyncSession, today: date) -> list[date]:
        """This month and the next MONTHS_AHEAD, created if missing (a daily job)."""
        months = [first_of_month(today)]
        for _ in range(MONTHS_AHEAD):
            months.append(next_month(months[-1]))
        if await dialect_name(session) == "postgresql":
            await session.execute(text(f"SET LOCAL lock_timeout = '{MONTHS_LOCK_TIMEOUT}'"))
        return await session.run_sync(lambda s: self.create_months(s.connection(), months))

    async def drop_before(self, session: AsyncSession, cutoff: datetime, unless: str = "") -> list[date]:
        return await session.run_sync(lambda s: self.drop_months_before(s.connection(), cutoff, unless))


def partition_by_month(connection: Connection, partitions: MonthlyPartitions, today: date) -> None:
    """In a migration: replace the table by one partitioned by month of its moment column, keeping
    its rows, indexes, foreign keys and id sequence (the primary key becomes (id, moment), as
    PostgreSQL requires the partition key in every unique index)."""
    _swap(connection, partitions, partitioned=True, today=today)


def unpartition(connection: Connection, partitions: MonthlyPartitions) -> None:
    """The reverse of partition_by_month (a downgrade): one plain table, its primary key id."""
    _swap(connection, partitions, partitioned=False, today=None)


def lock_for_swap(connection: Connection, partitions: MonthlyPartitions) -> None:
    """The table and those its foreign keys reference (dropping a foreign key locks both), all at
    once or none: a running product's transactions take them in either order, so waiting for one
    while holding another can deadlock. A migration that changes the table before swapping it
    calls this first: a lock it already held on the table while asking for the others would make
    the product's transactions that hold one of those wait on it, and the ask would never succeed."""
    foreign_keys = _foreign_keys(connection, partitions.parent)
    _lock_all(connection, [partitions.parent, *sorted({name for _, _, name in foreign_keys})])


def _foreign_keys(connection: Connection, table: str) -> list[Any]:
    """(name, definition, referenced table) of each foreign key of the table."""
    return list(
        connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid), confrelid::regclass::text FROM pg_constraint "
                "WHERE conrelid = to_regclass(:t) AND contype = 'f'"
            ),
            {"t": table},
        ).all()
    )


def _lock_all(connection: Connection, tables: list[str]) -> None:
    """Each try asks without waiting and lets go of all on a refusal."""
    for attempt in range(LOCK_ATTEMPTS):
        savepoint = connection.begin_nested()
        try:
            connection.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE NOWAIT"))
        except DBAPIError as refused:
            savepoint.rollback()
            if getattr(refused.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE or attempt == LOCK_ATTEMPTS - 1:
                raise
            time.sleep(LOCK_PAUSE_SECONDS)
            continue
        savepoint.commit()  # the locks stay with the migration's transaction
        return


def _swap(connection: Connection, partitions: MonthlyPartitions, *, partitioned: bool, today: date | None) -> None:
    table, old = partitions.parent, f"{partitions.parent}_swapped"

    def run(sql: str) -> None:
        connection.execute(text(sql))

    indexes = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = :t AND indexname <> :pkey"
        ),
        {"t": table, "pkey": f"{table}_pkey"},
    ).all()
    foreign_keys = _foreign_keys(connection, table)
    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
    lock_for_swap(connection, partitions)  # at once or none (held already if the migration took them first)
    run(f"ALTER TABLE {table} RENAME TO {old}")
    for name, _ in indexes:
        run(f'DROP INDEX "{name}"')
    for name, _, _ in foreign_keys:
        run(f'ALTER TABLE {old} DROP CONSTRAINT "{name}"')
    run(f"ALTER TABLE {old} DROP CONSTRAINT {table}_pkey")
    if sequence:
        run(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    by_month = f" PARTITION BY RANGE ({partitions.column})" if partitioned else ""
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS){by_month}")
    key = f"id, {partitions.column}" if partitioned else "id"
    run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")
    for name, definition, _ in foreign_keys:
        run(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    if partitioned:
        assert today is not None
        partitions.create_for_rows(connection, old, today)
    run(f"INSERT INTO {table} SELECT * FROM {old}")
    for _, definition in indexes:
        run(definition)
    run(f"DROP TABLE {old}")
    if sequence:
        run(f"ALTER SEQUENCE {sequence} OWNED BY {table}.id")
    run(f"ANALYZE {table}")
