"""Database plumbing: the async engine, sessions, and Alembic migrations."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    Table,
    event,
    exists,
    func,
    inspect,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.errors import connection_lost, database_busy

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a real BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back time-zone aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SQLITE_EXTRA_CONNECTIONS = 25


def create_engine(url: str, *, pool_size: int = 10, busy_timeout: float = 30.0) -> AsyncEngine:
    """`busy_timeout`: seconds a SQLite write waits for the write lock before failing (the API
    answers that 503, try again)."""
    if url.startswith("sqlite"):
        # Connections to the file are cheap (WAL readers run side by side): room for the embedded
        # product's requests and its worker's 15 jobs at once (5 urgent, 10 bulk), where
        # SQLAlchemy's default pool (5 and 10 more) would keep a job waiting for a connection.
        engine = create_async_engine(
            url, connect_args={"timeout": busy_timeout}, pool_size=5, max_overflow=SQLITE_EXTRA_CONNECTIONS
        )
        _tune_sqlite(engine, busy_timeout)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _tune_sqlite(engine: AsyncEngine, busy_timeout: float) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event open transactions so that we can make them IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: concurrent writers queue on busy_timeout
        # instead of failing with "database is locked" when a read upgrades to a write.
        # Read-only sessions (see read_only) begin deferred and never block each other.
        deferred = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


READ_ONLY = "parcours_read_only"
Sessions = async_sessionmaker[AsyncSession]


def session_factory(engine: AsyncEngine, *, read_only: bool = False) -> async_sessionmaker[AsyncSession]:
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return async_sessionmaker(bind, class_=AsyncSession, expire_on_commit=False)


class transaction:  # used like the function it reads as: `async with transaction(...)`
    """One unit of work: committed when the block ends, rolled back on any error.

    Actions registered with after_commit run once the commit has succeeded. A class rather than an
    @asynccontextmanager: a request refused while its dependencies are resolved abandons the
    request's session generator, and the event loop then closes that generator and any generator
    inside it each on its own, the outer one still running the inner one ("aclose(): asynchronous
    generator is already running"). The connection is taken on the first statement, so an
    abandoned unit of work holds none.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.session = sessions()

    async def __aenter__(self) -> AsyncSession:
        await self.session.begin()
        return self.session

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        session = self.session
        try:
            if error is None:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
        if error is None:
            for action in session.info.pop(AFTER_COMMIT, []):
                await action()
        session.info.clear()


AFTER_COMMIT = "parcours_after_commit"
# Times a unit of work runs before its last busy error is raised, and the first pause (doubled
# after each try, jittered so that the transactions that collided do not meet again).
ATTEMPTS = 5
FIRST_PAUSE = 0.1


async def retried(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`work(session, *args, **kwargs)` in a transaction of its own; when the database gives it up
    (a deadlock victim, a serialization failure, a lock or busy timeout, a connection lost), run it
    again in a new one, up to ATTEMPTS times.

    `work` must be safe to run again: what it wrote was rolled back, what it changed in memory
    (counters, lists) was not.
    """
    attempt = 1
    while True:
        try:
            async with transaction(sessions) as session:
                return await work(session, *args, **kwargs)
        except DBAPIError as exc:
            if attempt >= ATTEMPTS or not (database_busy(exc) or connection_lost(exc)):
                raise
            pause = FIRST_PAUSE * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            log.warning("database busy (%s): trying again in %.2fs", str(exc.orig or exc).splitlines()[0], pause)
            await asyncio.sleep(pause)
        attempt += 1


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[object]]) -> None:
    """Run `action` after this session commits (e.g. queue a job that reads what was written)."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


async def dialect_name(session: AsyncSession) -> str:
    return (await session.connection()).dialect.name


async def serialize(session: AsyncSession, name: str) -> None:
    """Hold a named lock until this transaction ends, so writers of one kind take turns.
    SQLite transactions already write one at a time (BEGIN IMMEDIATE)."""
    if await dialect_name(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    def upgrade(connection: Connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as conn:  # each migration begins and commits its own transaction
        await conn.run_sync(upgrade)


# ---- insert or ignore, upsert: one statement on both dialects -------------------------------------

Target = type[SQLModel] | Table


def table_of(target: Target) -> Table:
    return target if isinstance(target, Table) else cast(Table, inspect(target).local_table)


def dialect_insert(dialect: str, target: Target) -> sqlite.Insert | postgresql.Insert:
    """INSERT for the database at hand: both dialects know ON CONFLICT, each with its own class."""
    table = table_of(target)
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


async def insert_ignoring_duplicates(
    session: AsyncSession,
    target: Target,
    rows: Sequence[Mapping[str, Any]] | Select[Any],
    *,
    columns: Sequence[str] = (),
    index_elements: Sequence[str] | None = None,
) -> int:
    """INSERT ... ON CONFLICT DO NOTHING: `rows` as dicts (one statement for all), or a SELECT
    whose columns are `columns` (INSERT ... SELECT). Returns how many rows were written, when the
    driver says (-1 counts as 0)."""
    insert = dialect_insert(await dialect_name(session), target)
    if isinstance(rows, Select):
        # SQLite reads INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE clause.
        statement = insert.from_select(list(columns), rows.where(true())).on_conflict_do_nothing(
            index_elements=index_elements
        )
        return max(0, rowcount(await session.execute(statement)))
    if not rows:
        return 0
    result = await session.execute(insert.on_conflict_do_nothing(index_elements=index_elements), list(rows))
    return max(0, rowcount(result))


async def insert_returning_ids(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]], constants: Mapping[str, Any]
) -> list[int]:
    """Insert `rows` (dicts with the same keys), each with the values `constants` too; returns their
    new ids in the rows' order. On PostgreSQL by COPY, the ids taken from the table's sequence first:
    a multi-row INSERT sends and parses one parameter per value (200,000 for 5,000 contacts), COPY
    streams the rows in the binary format, in half the time. Values are bound as SQLAlchemy binds
    them (JSON serialized, times in UTC)."""
    if not rows:
        return []
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        created = await session.execute(
            table.insert().values(dict(constants)).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return [int(cid) for (cid,) in created.all()]
    sequence = (await session.execute(select(func.pg_get_serial_sequence(table.name, "id")))).scalar_one()
    ids = list(
        (await session.execute(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
        .scalars()
        .all()
    )
    given = list(rows[0])
    columns = ["id", *given, *constants]
    bind = [table.c[name].type.bind_processor(connection.dialect) for name in columns]
    records = [
        tuple(
            process(value) if process is not None else value
            for process, value in zip(bind, (cid, *(row[name] for name in given), *constants.values()), strict=True)
        )
        for cid, row in zip(ids, rows, strict=True)
    ]
    raw = await connection.get_raw_connection()
    await cast(Any, raw.driver_connection).copy_records_to_table(table.name, records=records, columns=columns)
    return [int(cid) for cid in ids]


async def upsert(
    session: AsyncSession,
    target: Target,
    rows: Sequence[Mapping[str, Any]],
    *,
    index_elements: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT ... ON CONFLICT (index_elements) DO UPDATE: the columns `update` take the new values."""
    if not rows:
        return
    insert = dialect_insert(await dialect_name(session), target)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=list(index_elements), set_={name: insert.excluded[name] for name in update}
        ),
        list(rows),
    )


def rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def move_rows(
    session: AsyncSession,
    target: Target,
    column: str,
    from_id: int,
    to_id: int,
    *,
    unique_with: Sequence[str] = (),
    where: Any = None,
) -> int:
    """Give the rows of `target` whose `column` is `from_id` to `to_id` (a contact merged into
    another): those that would repeat one `to_id` already has on `unique_with` are dropped, the
    target's own row standing for both. Returns how many moved."""
    table = table_of(target)
    own = table.c[column] == from_id
    if where is not None:
        own = own & where
    if unique_with:
        theirs = table.alias("theirs")
        same = [theirs.c[column] == to_id, *(theirs.c[name] == table.c[name] for name in unique_with)]
        await session.execute(table.delete().where(own, exists().where(*same).select_from(theirs)))
    return rowcount(await session.execute(table.update().where(own).values({column: to_id})))


def utc_day(dialect: str, at: Any) -> ColumnElement[Any]:
    """The UTC day of a stored timestamp, in SQL. PostgreSQL's date() follows the session's time
    zone: the day is taken in UTC explicitly; SQLite keeps UTC text."""
    return func.date(func.timezone("UTC", at)) if dialect == "postgresql" else func.date(at)


async def per_day(
    session: AsyncSession, at: Any, measure: ColumnElement[Any], *where: ColumnElement[bool]
) -> dict[date, float]:
    """A measure (a count, a sum) per UTC day of the timestamp `at`, over the rows `where`."""
    day = utc_day(await dialect_name(session), at)
    rows = (await session.execute(select(day, measure).where(*where).group_by(day))).all()
    return {
        (value if isinstance(value, date) else date.fromisoformat(str(value))): float(total or 0)
        for value, total in rows
    }


async def names_of(session: AsyncSession, target: Target, ids: Iterable[int]) -> dict[int, str]:
    """The `name` of these rows by id (those that still exist), in one query: reports label ids."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = table_of(target)
    rows = await session.execute(select(table.c.id, table.c.name).where(table.c.id.in_(wanted)))
    return {int(i): str(n) for i, n in rows.all()}


async def rows_about(
    session: AsyncSession, target: Target, column: str, contact_id: int, *, leave_out: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Every row of `target` whose `column` is this contact's id, as plain JSON values (what a
    contact's data export shows of a feature's table)."""
    table = table_of(target)
    columns = [c for c in table.c if c.name not in leave_out]
    rows = await session.execute(select(*columns).where(table.c[column] == contact_id))
    return [{name: _plain(value) for name, value in row.items()} for row in rows.mappings().all()]


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


async def in_batches(sessions: Sessions, step: Callable[[AsyncSession], Awaitable[int]], batch: int) -> int:
    """Run `step` (a bounded deletion, say) each in its own transaction until it does fewer than
    `batch` rows: long purges never hold one long transaction. Returns the rows done in all."""
    done = 0
    while True:
        async with transaction(sessions) as session:
            count = await step(session)
        done += count
        if count < batch:
            return done
