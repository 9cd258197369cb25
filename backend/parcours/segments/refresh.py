"""Full refreshes in SQL: a dynamic segment's members recomputed by the database (on creation, on
a change of its rule, hourly, and when too many contacts changed at once for real time)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    delete,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import UTCDateTime, dialect_name, serialize
from parcours.interactions import recording
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.rules import service as rules
from parcours.rules.language import Checked, Schema, compile_rule
from parcours.segments import members
from parcours.segments.definitions import dependents, evaluation_order
from parcours.segments.models import Segment, SegmentMember
from parcours.segments.reading import all_definitions, definition, get_segment

REFRESH_KIND = "segment_refresh"


def target(
    schema: Schema, dialect: str, checked: Checked | None, include: Iterable[int], exclude: Iterable[int], now: datetime
) -> Select[tuple[int]]:
    """The ids of the contacts a definition selects, as one query."""
    columns = contacts.RuleColumns(dialect, members.member_of)
    parts = [compile_rule(checked, schema, columns, now)] if checked else []
    parts += [columns.member_of(i) for i in include]
    where = and_(or_(*parts) if parts else true(), *[not_(columns.member_of(e)) for e in exclude])
    return contacts.matching_ids(columns, where)


async def refresh_in_sql(session: AsyncSession, schema: Schema, segment: Segment) -> tuple[int, int]:
    """Recompute a dynamic segment's members in the database; record who entered and who left."""
    assert segment.id is not None
    await serialize(session, members.MEMBERSHIP_LOCK)
    dialect = await dialect_name(session)
    now = utcnow()
    wanted = definition(schema, segment)
    suffix = uuid.uuid4().hex[:12]
    # On SQLite the key is the rowid: free to fill, and what the joins below look up. PostgreSQL
    # fills the table faster without an index (a third of a refresh at 1M contacts) and hashes it.
    scratch = Table(
        f"segment_target_{suffix}",
        MetaData(),
        Column("contact_id", Integer, primary_key=dialect == "sqlite", autoincrement=False),
        prefixes=["TEMPORARY"],
    )
    # Who enters and who leaves, each compared with the current members once: every statement
    # below reads these few rows instead of joining the target with the members again (four times
    # before, half of a refresh on PostgreSQL).
    changes = Table(
        f"segment_changes_{suffix}",
        MetaData(),
        Column("contact_id", Integer),
        Column("entering", Boolean),
        prefixes=["TEMPORARY"],
    )
    connection = await session.connection()
    await connection.run_sync(scratch.create)
    await connection.run_sync(changes.create)
    try:
        await session.execute(
            scratch.insert().from_select(
                ["contact_id"], target(schema, dialect, wanted.rule, wanted.include, wanted.exclude, now)
            )
        )
        target_id = scratch.c.contact_id
        mine = col(SegmentMember.segment_id) == segment.id
        await session.execute(
            changes.insert().from_select(
                ["contact_id", "entering"],
                select(target_id, literal(True)).where(
                    ~exists().where(mine, col(SegmentMember.contact_id) == target_id)
                ),
            )
        )
        await session.execute(
            changes.insert().from_select(
                ["contact_id", "entering"],
                select(col(SegmentMember.contact_id), literal(False)).where(
                    mine, ~exists().where(target_id == col(SegmentMember.contact_id))
                ),
            )
        )
        entering = select(changes.c.contact_id).where(changes.c.entering)
        leaving = select(changes.c.contact_id).where(not_(changes.c.entering))
        about = {"segment_id": segment.id, "segment": segment.name}
        exited = await recording.record_for_select(session, leaving, "segment_exited", about, now)
        entered = await recording.record_for_select(session, entering, "segment_entered", about, now)
        await session.execute(delete(SegmentMember).where(mine, col(SegmentMember.contact_id).in_(leaving)))
        await session.execute(
            members.insert_members(dialect).from_select(
                ["segment_id", "contact_id", "added_at"],
                select(literal(segment.id), changes.c.contact_id, literal(now, UTCDateTime())).where(
                    changes.c.entering
                ),
            )
        )
        count = (await session.execute(select(func.count()).select_from(scratch))).scalar_one()
    finally:
        await connection.run_sync(changes.drop)
        await connection.run_sync(scratch.drop)
    segment.member_count, segment.last_refreshed_at = int(count), now
    await session.flush()
    return entered, exited


async def refresh_with_dependents(session: AsyncSession, segment_id: int) -> dict[str, int]:
    schema = await rules.current_schema(session)
    segment = await get_segment(session, segment_id)
    totals = {"entered": 0, "exited": 0, "segments": 0}
    order = [segment_id] if segment.kind == "dynamic" else []
    order += dependents((await all_definitions(session, schema)).values(), segment_id)
    for sid in order:
        entered, exited = await refresh_in_sql(session, schema, await get_segment(session, sid))
        totals["entered"] += entered
        totals["exited"] += exited
        totals["segments"] += 1
    return totals


async def refresh_all(session: AsyncSession) -> int:
    schema = await rules.current_schema(session)
    ordered = evaluation_order((await all_definitions(session, schema)).values())
    for wanted in ordered:
        await refresh_in_sql(session, schema, await get_segment(session, wanted.id))
    return len(ordered)


async def start_refresh(session: AsyncSession, segment: Segment, actor: Actor, enqueue: Enqueue) -> str:
    job = await jobs.create_job(
        session,
        kind=REFRESH_KIND,
        task=JobName.REFRESH_SEGMENT,
        params={"segment_id": segment.id},
        created_by=actor.label,
        enqueue=enqueue,
    )
    return job.id
