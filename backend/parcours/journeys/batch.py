"""The writes of a batch of runs, in as few statements as the database allows: the runs' new
states, the steps they took (the journey's counts) and those steps on the contacts' timelines. On PostgreSQL each write is one statement over
arrays (unnest), so a run costs the database a row, not Python a parameter set; SQLite gets the
same rows through executemany."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.interactions import recording
from parcours.journeys.models import JourneyRun, JourneyStep

RUNS = JourneyRun.metadata.tables["journey_runs"]
_STEPS = JourneyStep.metadata.tables["journey_steps"]

# The columns a step changes: written back for every run of a batch.
WRITTEN = ("node_id", "status", "wake_at", "waiting_for", "event", "converted_at", "error")

_UPDATE_RUNS = text("""
UPDATE journey_runs AS r
SET node_id = v.node_id, status = v.status, wake_at = v.wake_at, waiting_for = v.waiting_for, event = v.event,
    converted_at = v.converted_at, error = v.error, updated_at = :now
FROM unnest(CAST(:id AS bigint[]), CAST(:node_id AS text[]), CAST(:status AS text[]), CAST(:wake_at AS timestamptz[]),
            CAST(:waiting_for AS text[]), CAST(:event AS text[]), CAST(:converted_at AS timestamptz[]),
            CAST(:error AS text[]))
     AS v(id, node_id, status, wake_at, waiting_for, event, converted_at, error)
WHERE r.id = v.id""")

# The steps and their timeline entries (interactions of type journey_step) from the same arrays.
_RECORD_STEPS = text(f"""
WITH v AS (
    SELECT * FROM unnest(CAST(:journey_id AS integer[]), CAST(:run_id AS bigint[]), CAST(:contact_id AS integer[]),
                         CAST(:node_id AS text[]), CAST(:node_type AS text[]), CAST(:outcome AS text[]),
                         CAST(:label AS text[]), CAST(:detail AS text[]), CAST(:journey AS text[]),
                         CAST(:at AS timestamptz[]))
        AS v(journey_id, run_id, contact_id, node_id, node_type, outcome, label, detail, journey, at)
), steps AS (
    INSERT INTO journey_steps (journey_id, run_id, node_id, outcome, label, at)
    SELECT journey_id, run_id, node_id, outcome, label, at FROM v
)
INSERT INTO interactions (contact_id, type, occurred_at, value, properties, received_at)
SELECT contact_id, '{recording.JOURNEY_STEP}', at, NULL,
       jsonb_build_object('journey_id', journey_id, 'journey', journey, 'node_id', node_id, 'node_type', node_type,
                          'outcome', outcome, 'label', label, 'detail', detail),
       :now
FROM v""")


@dataclass(slots=True)
class Claimed:
    """A run taken by this batch, as plain values: changed in memory, written back in one
    statement (no ORM object, no flush per run)."""

    id: int
    journey_id: int
    version_id: int
    contact_id: int
    node_id: str
    status: str
    wake_at: datetime | None
    waiting_for: str | None
    event: str | None
    converted_at: datetime | None
    error: str
    changed: bool = False


# The columns a claim reads, in Claimed's order.
CLAIMED = [
    RUNS.c[name]
    for name in (
        "id",
        "journey_id",
        "version_id",
        "contact_id",
        "node_id",
        "status",
        "wake_at",
        "waiting_for",
        "event",
        "converted_at",
        "error",
    )
]


def insert_runs(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """INSERT into journey_runs in the dialect's own form (ON CONFLICT available)."""
    return postgresql.insert(RUNS) if dialect == "postgresql" else sqlite.insert(RUNS)


class Taken(NamedTuple):
    """A step taken by a run, as the journey's counts and the contact's timeline show it."""

    journey_id: int
    journey: str  # the journey's name
    run_id: int
    contact_id: int
    node_id: str
    node_type: str
    outcome: str
    label: str | None
    detail: str
    at: datetime


async def write_runs(session: AsyncSession, dialect: str, runs: list[Claimed], now: datetime) -> None:
    """Each run where its step left it (its WRITTEN attributes)."""
    if not runs:
        return
    if dialect == "postgresql":
        await session.execute(
            _UPDATE_RUNS,
            {
                "now": now,
                "id": [run.id for run in runs],
                **{name: [getattr(run, name) for run in runs] for name in WRITTEN},
            },
        )
        return
    await session.execute(
        update(RUNS).where(RUNS.c.id == bindparam("run_id")),
        [{"run_id": run.id, "updated_at": now, **{name: getattr(run, name) for name in WRITTEN}} for run in runs],
    )


async def record_steps(session: AsyncSession, dialect: str, taken: list[Taken], now: datetime) -> None:
    """The steps, for the journey's counts, and on each contact's timeline."""
    if not taken:
        return
    if dialect == "postgresql":
        # Written by the database itself; the interaction stream is not woken for them: its
        # consumers pass over journey steps, and its cursor moves past them on its next run.
        await session.execute(
            _RECORD_STEPS, {"now": now, **dict(zip(Taken._fields, map(list, zip(*taken)), strict=True))}
        )
        return
    await session.execute(
        insert(_STEPS),
        [
            {
                "journey_id": t.journey_id,
                "run_id": t.run_id,
                "node_id": t.node_id,
                "outcome": t.outcome,
                "label": t.label,
                "at": t.at,
            }
            for t in taken
        ],
    )
    await recording.record(
        session,
        [
            {
                "contact_id": t.contact_id,
                "type": recording.JOURNEY_STEP,
                "occurred_at": t.at,
                "properties": {
                    "journey_id": t.journey_id,
                    "journey": t.journey,
                    "node_id": t.node_id,
                    "node_type": t.node_type,
                    "outcome": t.outcome,
                    "label": t.label,
                    "detail": t.detail,
                },
            }
            for t in taken
        ],
    )
