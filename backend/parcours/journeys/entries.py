"""Entering journeys: who may enter, starting runs (a whole segment at once, in SQL), the
starting population of a newly published version, and stopping everyone inside."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    case,
    exists,
    func,
    insert,
    literal,
    not_,
    null,
    select,
    true,
    update,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.vocabulary import CONSENT_LEVELS
from parcours.db import UTCDateTime, dialect_name, insert_ignoring_duplicates, move_rows, table_of
from parcours.jobs.enqueue import Enqueue
from parcours.journeys import engine, graph, steps
from parcours.journeys.batch import insert_runs
from parcours.journeys.due import wake
from parcours.journeys.models import Journey, JourneyLeftOut, JourneyRun, JourneyStep, JourneyVersion
from parcours.journeys.schemas import JourneySettings
from parcours.journeys.versions import LIVE, Version, version
from parcours.segments import service as segments


def entry_key(settings: JourneySettings, trigger: str) -> str:
    return "once" if settings.reentry == "once" else trigger


# Why a contact of an entry's audience does not enter, in the order each contact is counted (under
# the first that applies). Only these are recorded (JourneyLeftOut): a contact already inside is in.
LEFT_OUT = ("consent_below_minimum", "suppression_segment", "entered_recently")
ALREADY_IN = "already_in_journey"


def left_out_rules(
    column: ColumnElement[Any], ids: Select[Any], settings: JourneySettings, journey_id: int, entry_key: str
) -> list[tuple[str, ColumnElement[bool]]]:
    """The conditions under which the contact whose id is `column` (one of `ids`) does not enter,
    each with its reason: the one definition enrolment and its preview both apply."""
    allowed = CONSENT_LEVELS[CONSENT_LEVELS.index(settings.min_consent) :]
    rules: list[tuple[str, ColumnElement[bool]]] = [
        ("consent_below_minimum", not_(column.in_(contacts.with_consent(ids, allowed))))
    ]
    if settings.suppression_segment_id is not None:
        rules.append(("suppression_segment", column.in_(segments.member_ids(settings.suppression_segment_id))))
    if settings.reentry == "after_days":
        recent = utcnow() - timedelta(days=settings.reentry_days or 1)
        entered = select(col(JourneyRun.contact_id)).where(
            col(JourneyRun.journey_id) == journey_id, col(JourneyRun.entered_at) > recent
        )
        rules.append(("entered_recently", column.in_(entered)))
    # Entering twice by the same way is one run (the runs' unique key).
    inside = select(col(JourneyRun.contact_id)).where(
        col(JourneyRun.journey_id) == journey_id, col(JourneyRun.entry_key) == entry_key
    )
    rules.append((ALREADY_IN, column.in_(inside)))
    return rules


def _first_reason(rules: list[tuple[str, ColumnElement[bool]]]) -> ColumnElement[Any]:
    """The first reason that applies (NULL: the contact enters)."""
    return case(*[(condition, literal(reason)) for reason, condition in rules], else_=null())


def _judged(ids: Select[Any], settings: JourneySettings, journey_id: int, entry_key: str) -> Select[Any]:
    """Each of these contact ids with the reason it may not enter (NULL: it may)."""
    chosen = ids.subquery()
    column = chosen.c[0]
    return select(column, _first_reason(left_out_rules(column, ids, settings, journey_id, entry_key)).label("reason"))


async def left_out_counts(
    session: AsyncSession, ids: Select[Any], settings: JourneySettings, journey_id: int, entry_key: str
) -> tuple[int, dict[str, int]]:
    """How many of `ids` there are, and how many would not enter by reason (LEFT_OUT, then ALREADY_IN order)."""
    found = _judged(ids, settings, journey_id, entry_key).subquery()
    rows = (await session.execute(select(found.c.reason, func.count()).group_by(found.c.reason))).all()
    counts = {reason: int(count) for reason, count in rows}
    total = sum(counts.values())
    return total, {r: counts[r] for r in (*LEFT_OUT, ALREADY_IN) if counts.get(r)}


def entering(ids: Select[Any], settings: JourneySettings, journey_id: int, entry_key: str) -> Select[Any]:
    found = _judged(ids, settings, journey_id, entry_key).subquery()
    return select(found.c[0]).where(found.c.reason.is_(None))


async def enrol(session: AsyncSession, live: Version, ids: Select[Any], trigger: str, enqueue: Enqueue) -> int:
    """Start a run for every eligible contact of `ids` (in SQL: a whole segment at once)."""
    now = utcnow()
    key = entry_key(live.settings, trigger)
    judged = _judged(ids, live.settings, live.journey_id, key).subquery()
    # Those left out first (the runs inserted next would read as "already in").
    await insert_ignoring_duplicates(
        session,
        JourneyLeftOut,
        select(literal(live.journey_id), judged.c[0], judged.c.reason, literal(now, UTCDateTime())).where(
            judged.c.reason.in_(LEFT_OUT)
        ),
        columns=["journey_id", "contact_id", "reason", "at"],
    )
    chosen = select(judged.c[0]).where(judged.c.reason.is_(None)).subquery()
    rows = select(
        literal(live.journey_id),
        literal(live.id),
        chosen.c[0],
        literal(key),
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


async def starting_audience(
    session: AsyncSession, program: graph.Program, settings: JourneySettings
) -> tuple[Select[Any], str] | None:
    """The contacts a version starts with, and their trigger: a segment's members, or the contacts
    whose date (birthday, renewal...) shifted by the offset is today. None: entries come over time."""
    config = program.configs[program.entry.id]
    if isinstance(config, steps.SegmentEntryConfig):
        assert config.segment_id is not None, "checked at publication"
        return segments.member_ids(config.segment_id), "start"
    if isinstance(config, steps.DateEntryConfig):
        today = utcnow().astimezone(engine.zone_of(settings.timezone, "UTC")).date()
        day = today - graph.duration(config.offset)
        ids = [
            cid
            for cid, value in await contacts.date_values(session, config.field)
            if value is not None
            and ((value.month, value.day) == (day.month, day.day) if config.yearly else value == day)
        ]
        return contacts.ids_among(ids), f"date:{today.isoformat()}"
    return None


async def enrol_dates(session: AsyncSession, live: Version, enqueue: Enqueue) -> int:
    """`entry.date`: today's contacts enter (run at publication and by the daily sweeper)."""
    assert live.program.entry.type == "entry.date", "enrol_dates is for entry.date"
    starting = await starting_audience(session, live.program, live.settings)
    return await enrol(session, live, *starting, enqueue) if starting else 0


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
    starting = await starting_audience(session, live.program, live.settings)
    return await enrol(session, live, *starting, enqueue) if starting else 0


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


async def end_merged_runs(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its runs still inside end (an exit at the step each was on,
    labelled "merged", the reason on the run); the survivor's own runs go on. The ended runs and
    the contact's left-out lines become the survivor's history."""
    now = utcnow()
    inside = col(JourneyRun.contact_id) == other_id, col(JourneyRun.status).in_(["active", "waiting"])
    steps = select(
        col(JourneyRun.journey_id),
        col(JourneyRun.id),
        col(JourneyRun.node_id),
        literal("exited"),
        literal("merged"),
        literal(now, UTCDateTime()),
    ).where(*inside)
    await session.execute(
        insert(JourneyStep).from_select(["journey_id", "run_id", "node_id", "outcome", "label", "at"], steps)
    )
    ended = await session.execute(
        update(JourneyRun)
        .where(*inside)
        .values(status="exited", wake_at=None, updated_at=now, error=f"Merged into contact #{survivor_id}.")
    )
    # A run entered by the same way as one of the survivor's keeps its own entry under a new key.
    survivor_runs = table_of(JourneyRun).alias("survivor_runs")
    clashing = select(col(JourneyRun.id), col(JourneyRun.entry_key)).where(
        col(JourneyRun.contact_id) == other_id,
        exists().where(
            survivor_runs.c.contact_id == survivor_id,
            survivor_runs.c.journey_id == col(JourneyRun.journey_id),
            survivor_runs.c.entry_key == col(JourneyRun.entry_key),
        ),
    )
    for run_id, entry_key in (await session.execute(clashing)).tuples().all():
        await session.execute(
            update(JourneyRun)
            .where(col(JourneyRun.id) == run_id)
            .values(entry_key=f"merged {other_id} {entry_key}"[:64])
        )
    moved = await move_rows(session, JourneyRun, "contact_id", other_id, survivor_id)
    await move_rows(session, JourneyLeftOut, "contact_id", other_id, survivor_id, unique_with=("journey_id", "reason"))
    return {"journey_runs": moved, "journey_runs_ended": int(cast("CursorResult[Any]", ended).rowcount or 0)}
