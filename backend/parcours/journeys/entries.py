"""Entering journeys: who may enter, starting runs (a whole segment at once, in SQL), the
starting population of a newly published version, and stopping everyone inside."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, insert, literal, not_, select, true, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.vocabulary import CONSENT_LEVELS
from parcours.db import UTCDateTime, dialect_name
from parcours.jobs.enqueue import Enqueue
from parcours.journeys import engine, graph, steps
from parcours.journeys.batch import insert_runs
from parcours.journeys.due import wake
from parcours.journeys.models import Journey, JourneyRun, JourneyStep, JourneyVersion
from parcours.journeys.schemas import JourneySettings
from parcours.journeys.versions import LIVE, Version, version
from parcours.segments import service as segments


def _entry_key(settings: JourneySettings, trigger: str) -> str:
    return "once" if settings.reentry == "once" else trigger


def _eligible(ids: Select[Any], settings: JourneySettings, journey_id: int) -> Select[Any]:
    """Of these contact ids, those who may enter: consent high enough, not in the suppression
    segment, and (re-entry after N days) not entered too recently."""
    allowed = CONSENT_LEVELS[CONSENT_LEVELS.index(settings.min_consent) :]
    query = contacts.with_consent(ids, allowed)
    column = query.selected_columns[0]
    if settings.suppression_segment_id is not None:
        query = query.where(not_(column.in_(segments.member_ids(settings.suppression_segment_id))))
    if settings.reentry == "after_days":
        recent = utcnow() - timedelta(days=settings.reentry_days or 1)
        query = query.where(
            not_(
                column.in_(
                    select(col(JourneyRun.contact_id)).where(
                        col(JourneyRun.journey_id) == journey_id, col(JourneyRun.entered_at) > recent
                    )
                )
            )
        )
    return query


async def enrol(session: AsyncSession, live: Version, ids: Select[Any], trigger: str, enqueue: Enqueue) -> int:
    """Start a run for every eligible contact of `ids` (in SQL: a whole segment at once)."""
    now = utcnow()
    chosen = _eligible(ids, live.settings, live.journey_id).subquery()
    rows = select(
        literal(live.journey_id),
        literal(live.id),
        chosen.c[0],
        literal(_entry_key(live.settings, trigger)),
        literal(live.program.entry.id),
        literal("active"),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
        literal(""),
    )
    # SQLite reads INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE clause.
    statement = (
        insert_runs(await dialect_name(session))
        .from_select(
            [
                "journey_id",
                "version_id",
                "contact_id",
                "entry_key",
                "node_id",
                "status",
                "wake_at",
                "entered_at",
                "updated_at",
                "error",
            ],
            rows.where(true()),
        )
        .on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    entered = int(cast("CursorResult[Any]", result).rowcount or 0)
    if entered:
        wake(session, enqueue)
    return entered


async def enrol_segment(session: AsyncSession, live: Version, enqueue: Enqueue) -> int:
    config = live.program.configs[live.program.entry.id]
    assert isinstance(config, steps.SegmentEntryConfig) and config.segment_id is not None, "checked at publication"
    return await enrol(session, live, segments.member_ids(config.segment_id), "start", enqueue)


async def enrol_dates(session: AsyncSession, live: Version, enqueue: Enqueue) -> int:
    """`entry.date`: contacts whose date (birthday, renewal...) shifted by the offset is today."""
    config = live.program.configs[live.program.entry.id]
    assert isinstance(config, steps.DateEntryConfig), "enrol_dates is for entry.date"
    today = utcnow().astimezone(engine.zone_of(live.settings.timezone, "UTC")).date()
    day = today - graph.duration(config.offset)
    ids = [
        cid
        for cid, value in await contacts.date_values(session, config.field)
        if value is not None and ((value.month, value.day) == (day.month, day.day) if config.yearly else value == day)
    ]
    if not ids:
        return 0
    return await enrol(session, live, contacts.ids_among(ids), f"date:{today.isoformat()}", enqueue)


async def start_entries(session: AsyncSession, journey: Journey, enqueue: Enqueue) -> int:
    """Enrol a published version's starting population (a segment's members, today's dates)
    once its start time has come. Idempotent: run at publication and by the sweeper."""
    if journey.status != LIVE or journey.enrolled_version >= journey.version:
        return 0
    version_id = (
        await session.execute(
            select(col(JourneyVersion.id)).where(
                col(JourneyVersion.journey_id) == journey.id, col(JourneyVersion.version) == journey.version
            )
        )
    ).scalar_one()
    live = await version(session, version_id)
    if live.settings.starts_at is not None and live.settings.starts_at > utcnow():
        return 0
    journey.enrolled_version = journey.version
    entry = live.program.entry
    if entry.type == "entry.segment":
        return await enrol_segment(session, live, enqueue)
    if entry.type == "entry.date":
        return await enrol_dates(session, live, enqueue)
    return 0


async def stop_runs(session: AsyncSession, journey_id: int) -> int:
    """Every contact still inside leaves now (recorded as an exit at the step it was on)."""
    inside = select(
        col(JourneyRun.journey_id),
        col(JourneyRun.id),
        col(JourneyRun.node_id),
        literal("exited"),
        literal("stopped"),
        literal(utcnow(), UTCDateTime()),
    ).where(col(JourneyRun.journey_id) == journey_id, col(JourneyRun.status).in_(["active", "waiting"]))
    await session.execute(
        insert(JourneyStep).from_select(["journey_id", "run_id", "node_id", "outcome", "label", "at"], inside)
    )
    result = await session.execute(
        update(JourneyRun)
        .where(col(JourneyRun.journey_id) == journey_id, col(JourneyRun.status).in_(["active", "waiting"]))
        .values(status="exited", wake_at=None, updated_at=utcnow())
    )
    return int(cast("CursorResult[Any]", result).rowcount or 0)
