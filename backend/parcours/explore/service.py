"""Free exploration: questions answered on the read sessions, read-only, with their own statement
timeout and row limit, one at a time per user (a Redis lock, so that it holds across the API's
processes); the contacts behind an answer's row kept as a static segment; saved questions."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.db import dialect_name, transaction
from parcours.errors import Forbidden, InvalidInput, NotFound, TooManyRequests, Unprocessable
from parcours.explore import monthly, query, rollup
from parcours.explore.models import Exploration
from parcours.explore.schemas import CellSegmentOut, ExplorationOut, ExploreAnswer, ExploreQuestion
from parcours.interactions import service as interactions
from parcours.pipeline import service as pipeline
from parcours.rules import service as rules
from parcours.runtime import Runtime
from parcours.segments import service as segments

MOST_SEGMENT_MEMBERS = 50_000  # contacts a segment made from a row may hold
_ADD_CHUNK = 5_000
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def tables(counted: bool = True) -> query.Tables:
    return query.Tables(
        interactions=interactions.table(),
        opportunities=pipeline.opportunities_table(),
        member_ids=segments.member_ids,
        daily=rollup.table() if counted else None,
        monthly=monthly.table() if counted else None,
    )


@asynccontextmanager
async def one_at_a_time(runtime: Runtime, actor: Actor, timeout: float) -> AsyncIterator[None]:
    """A user's questions run one after the other: a second one while the first runs is refused
    (the lock expires on its own shortly after the timeout, should a process die holding it)."""
    key, token = f"parcours:explore:{actor.kind}:{actor.id}", secrets.token_hex(8)
    if not await runtime.redis.set(key, token, nx=True, px=int((timeout + 5) * 1000)):
        raise TooManyRequests("Your previous question is still running: wait for its answer.")
    try:
        yield
    finally:
        await runtime.redis.eval(_RELEASE, 1, key, token)  # type: ignore[misc]


@asynccontextmanager
async def read_only(runtime: Runtime, timeout: float) -> AsyncIterator[AsyncSession]:
    """A read session that may not write and gives up after `timeout` seconds."""
    async with transaction(runtime.report_sessions) as session:
        if await dialect_name(session) == "postgresql":
            await session.execute(text("SET TRANSACTION READ ONLY"))
            await session.execute(text(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}"))
            yield session
            return
        # SQLite: the read sessions begin deferred and never write; a progress handler interrupts
        # the statement once the deadline has passed.
        raw = await (await session.connection()).get_raw_connection()
        driver: Any = raw.driver_connection
        deadline = time.monotonic() + timeout
        await driver.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
        try:
            yield session
        finally:
            await driver.set_progress_handler(None, 1000)


def _timed_out(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "statement timeout" in message or "interrupted" in message


async def _check_segments(session: AsyncSession, wanted: dict[int, str]) -> None:
    for segment_id, where in wanted.items():
        try:
            await segments.get_segment(session, segment_id)
        except NotFound:
            raise InvalidInput(f"There is no segment with id {segment_id}.", where) from None


async def _built(session: AsyncSession, question: ExploreQuestion) -> tuple[query.Built, datetime]:
    """The question's statement, and up to when its figures go: the daily and monthly counts are
    as fresh as the stream that feeds them (read the raw rows instead while it has never run), the
    raw rows are current."""
    schema, dialect = await rules.current_schema(session), await dialect_name(session)
    built = query.build(question, schema, dialect, tables(), utcnow())
    as_of = await rollup.freshness(session) if built.source != "interactions" else utcnow()
    if as_of is None:
        built, as_of = query.build(question, schema, dialect, tables(counted=False), utcnow()), utcnow()
    await _check_segments(session, built.segment_ids)
    return built, as_of


async def explore(runtime: Runtime, actor: Actor, question: ExploreQuestion) -> ExploreAnswer:
    timeout = runtime.settings.explore_timeout
    async with one_at_a_time(runtime, actor, timeout), read_only(runtime, timeout) as session:
        try:
            built, as_of = await _built(session, question)
            rows = (await session.execute(built.statement)).all()
        except DBAPIError as exc:
            if _timed_out(exc):
                raise Unprocessable(
                    f"This question takes longer than {timeout:g} s: narrow the period or the filter."
                ) from None
            raise
    groups = len(question.group_by)
    answer = [query.finish(row, built.medians, groups) for row in rows[: query.ROW_LIMIT]]
    truncated = len(rows) > query.ROW_LIMIT
    return ExploreAnswer(columns=built.columns, rows=answer, truncated=truncated, source=built.source, as_of=as_of)


async def contacts_behind(
    runtime: Runtime, actor: Actor, question: ExploreQuestion, values: list[Any], most: int
) -> list[int]:
    """The ids of the contacts of one row of the answer (up to `most` + 1, to tell too many)."""
    timeout = runtime.settings.explore_timeout
    async with one_at_a_time(runtime, actor, timeout), read_only(runtime, timeout) as session:
        schema = await rules.current_schema(session)
        ids, segment_ids = query.contacts_behind(
            question, values, schema, await dialect_name(session), tables(), utcnow()
        )
        await _check_segments(session, segment_ids)
        try:
            return list((await session.execute(ids.limit(most + 1))).scalars())
        except DBAPIError as exc:
            if _timed_out(exc):
                raise Unprocessable(f"Finding these contacts takes longer than {timeout:g} s.") from None
            raise


async def count_behind(runtime: Runtime, actor: Actor, question: ExploreQuestion, values: list[Any]) -> int:
    timeout = runtime.settings.explore_timeout
    async with one_at_a_time(runtime, actor, timeout), read_only(runtime, timeout) as session:
        schema = await rules.current_schema(session)
        ids, segment_ids = query.contacts_behind(
            question, values, schema, await dialect_name(session), tables(), utcnow()
        )
        await _check_segments(session, segment_ids)
        return int((await session.execute(select(func.count()).select_from(ids.subquery()))).scalar_one())


async def segment_from_row(
    db: AsyncSession, runtime: Runtime, actor: Actor, question: ExploreQuestion, values: list[Any], name: str
) -> CellSegmentOut:
    """A static segment holding the contacts behind one row, through segments' own service."""
    ids = await contacts_behind(runtime, actor, question, values, MOST_SEGMENT_MEMBERS)
    if len(ids) > MOST_SEGMENT_MEMBERS:
        raise InvalidInput(
            f"More than {MOST_SEGMENT_MEMBERS:,} contacts are behind this row: make a dynamic segment with a rule.",
            "values",
        )
    description = "Made from an exploration."
    segment = await segments.create_segment(
        db, {"name": name, "kind": "static", "description": description}, actor, runtime.enqueue
    )
    assert segment.id is not None
    size = 0
    for start in range(0, len(ids), _ADD_CHUNK):
        _, size = await segments.add_members(db, segment.id, ids[start : start + _ADD_CHUNK])
    return CellSegmentOut(segment_id=segment.id, name=segment.name, size=size)


# ---- saved questions -----------------------------------------------------------------------------


def owner_key(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id}"


def exploration_out(row: Exploration, actor: Actor) -> ExplorationOut:
    assert row.id is not None
    return ExplorationOut(
        id=row.id,
        name=row.name,
        question=msgspec.convert(row.question, ExploreQuestion),
        chart=row.chart,
        owner=row.owner,
        shared=row.shared,
        mine=row.owner_key == owner_key(actor),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _visible(actor: Actor) -> Any:
    return or_(col(Exploration.owner_key) == owner_key(actor), col(Exploration.shared).is_(True))


async def list_explorations(
    session: AsyncSession, actor: Actor, limit: int, cursor: str | None
) -> tuple[Sequence[Exploration], str | None, int]:
    """Mine and the shared ones, newest first."""
    order = [(col(Exploration.id), True)]
    query_ = select(Exploration).where(_visible(actor)).order_by(col(Exploration.id).desc())
    start = read_cursor(cursor, int)
    if start is not None:
        query_ = query_.where(after(order, start))
    rows = (await session.execute(query_.limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(Exploration).where(_visible(actor)))).scalar_one()
    page, next_cursor = cut(rows, limit, lambda e: [e.id])
    return page, next_cursor, int(total)


async def get_exploration(session: AsyncSession, actor: Actor, exploration_id: int) -> Exploration:
    row = await session.get(Exploration, exploration_id)
    if row is None or not (row.shared or row.owner_key == owner_key(actor) or actor.at_least("admin")):
        raise NotFound("This saved question does not exist (it may have been deleted).", "exploration_id")
    return row


async def _owned(session: AsyncSession, actor: Actor, exploration_id: int) -> Exploration:
    row = await get_exploration(session, actor, exploration_id)
    if row.owner_key != owner_key(actor) and not actor.at_least("admin"):
        raise Forbidden("Only the person who saved this question may change it.", "exploration_id")
    return row


async def create_exploration(session: AsyncSession, actor: Actor, values: dict[str, Any]) -> Exploration:
    values["question"] = msgspec.to_builtins(values["question"])
    row = Exploration(**values, owner_key=owner_key(actor), owner=actor.label)
    session.add(row)
    await session.flush()
    return row


async def update_exploration(
    session: AsyncSession, actor: Actor, exploration_id: int, changes: dict[str, Any]
) -> Exploration:
    row = await _owned(session, actor, exploration_id)
    if "question" in changes:
        changes["question"] = msgspec.to_builtins(changes["question"])
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    await session.flush()
    return row


async def delete_exploration(session: AsyncSession, actor: Actor, exploration_id: int) -> None:
    await session.delete(await _owned(session, actor, exploration_id))


# ---- one figure of a saved question, tracked by a program's KPI -------------------------------------


async def saved_question(session: AsyncSession, exploration_id: int) -> ExploreQuestion:
    """A saved question, whoever saved it (a program shows only its one figure)."""
    row = await session.get(Exploration, exploration_id)
    if row is None:
        raise NotFound("This saved exploration does not exist (it may have been deleted).", "exploration_id")
    return msgspec.convert(row.question, ExploreQuestion)


def check_figure(question: ExploreQuestion, cell: list[Any] | None, measure: int | None) -> None:
    """A question gives one figure: its only row, or the row `cell` names when it groups."""
    if question.group_by and cell is None:
        raise InvalidInput("This exploration groups its rows: pick the row to track.", "cell")
    if cell is not None and len(cell) != len(question.group_by):
        raise InvalidInput("Give one value per group of the exploration.", "cell")
    if (measure or 0) >= len(question.measures):
        raise InvalidInput(f"This exploration has {len(question.measures)} measure(s).", "measure")


async def figure(
    session: AsyncSession,
    question: ExploreQuestion,
    cell: list[Any] | None,
    measure: int | None,
    start: date,
    end: date,
) -> float | None:
    """The figure of a question asked over the days from `start` to `end` (both included; its own
    period narrowed to them): the measure of its only row, or of the row `cell` names. A row that
    is missing counted nothing (0), except for averages and medians (None)."""
    f = question.filters
    since, until = max(filter(None, (f.from_, start))), min(filter(None, (f.to, end)))
    index = measure or 0
    empty = 0.0 if question.measures[index].kind in ("count", "contacts", "sum") else None
    if since > until:
        return empty
    narrowed = msgspec.structs.replace(question, filters=msgspec.structs.replace(f, from_=since, to=until))
    built, _ = await _built(session, narrowed)
    groups = len(question.group_by)
    for row in (await session.execute(built.statement)).all():
        values = query.finish(row, built.medians, groups)
        if cell is None or _same(values[:groups], cell):
            found = values[groups + index]
            return float(found) if found is not None else None
    return empty


def _same(values: list[Any], cell: list[Any]) -> bool:
    """A row's group values against the ones saved (numbers may come back as text from JSON)."""
    return all(
        v == c or (v is not None and c is not None and str(v) == str(c)) for v, c in zip(values, cell, strict=True)
    )
