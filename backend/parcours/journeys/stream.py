"""Real time: new interactions start runs (interaction entries, segment entries for
include_later), resume runs waiting for them, and count as goals; the affected runs advance at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.interactions import recording
from parcours.interactions.batch import Batch, Consumer, Stored
from parcours.jobs.enqueue import Enqueue
from parcours.journeys import filters, graph, steps
from parcours.journeys.models import Journey, JourneyRun
from parcours.journeys.runner import LIVE, Version, advance, enrol, live_versions
from parcours.journeys.schemas import settings_of
from parcours.rules.context import context_values


def stream_consumer(enqueue: Enqueue) -> Consumer:
    """The journeys' consumer of the interaction stream."""

    async def consume(batch: Batch) -> None:
        events = [row for row in batch.rows if row.type != recording.JOURNEY_STEP]
        if not events:
            return
        session = batch.session
        live = await live_versions(session)
        touched: set[int] = set()
        touched |= await _start_from_events(batch, live, events, enqueue)
        touched |= await _resume_waiting(session, events)
        await _goals(session, events)
        if touched:
            await advance(session, enqueue, sorted(touched), limit=len(touched), stream=batch)

    return consume


async def _start_from_events(batch: Batch, live: list[Version], events: Sequence[Stored], enqueue: Enqueue) -> set[int]:
    session = batch.session
    started: set[int] = set()
    for journey in live:
        entry = journey.program.entry
        config = journey.program.configs[entry.id]
        if isinstance(config, steps.InteractionEntryConfig):
            wanted = graph.about(config.type, config.event_id, config.form_id)
            matching = [
                e
                for e in events
                if wanted in graph.heard(e.type, e.properties) and filters.passes(config.filter, e.properties)
            ]
        elif isinstance(config, steps.SegmentEntryConfig) and config.include_later:
            matching = [
                e
                for e in events
                if e.type == "segment_entered" and (e.properties or {}).get("segment_id") == config.segment_id
            ]
        else:
            continue
        if not matching:
            continue
        if isinstance(config, steps.InteractionEntryConfig) and config.rule:
            schema, rows = await batch.schema(), await batch.people()
            matching = [
                e
                for e in matching
                if e.contact_id in rows
                and batch.rules.matcher(
                    schema, context_values(rows[e.contact_id][0], rows[e.contact_id][1], set(), schema.fields)
                )(config.rule)
            ]
        for event in matching:
            if await enrol(session, journey, contacts.ids_among([event.contact_id]), f"event:{event.id}", enqueue):
                started.add(event.contact_id)
    if not started:
        return set()
    found = await session.execute(
        select(col(JourneyRun.id)).where(
            col(JourneyRun.contact_id).in_(started),
            col(JourneyRun.status) == "active",
            col(JourneyRun.journey_id).in_([v.journey_id for v in live]),
        )
    )
    return set(found.scalars())


async def _resume_waiting(session: AsyncSession, events: Sequence[Stored]) -> set[int]:
    """Runs waiting for one of these interactions are due now, with the interaction noted."""
    happened = {(event.contact_id, key) for event in events for key in graph.heard(event.type, event.properties)}
    contact_ids = sorted({contact_id for contact_id, _ in happened})
    types = sorted({kind for _, kind in happened})
    by_kind: dict[str, set[int]] = defaultdict(set)
    for start in range(0, len(contact_ids), 1000):
        # By contact first (its index): the waiting runs of everyone would be a scan of the table.
        rows = await session.execute(
            select(col(JourneyRun.id), col(JourneyRun.contact_id), col(JourneyRun.waiting_for)).where(
                col(JourneyRun.contact_id).in_(contact_ids[start : start + 1000]),
                col(JourneyRun.status) == "waiting",
                col(JourneyRun.waiting_for).in_(types),
            )
        )
        for run_id, contact_id, kind in rows.all():
            if (contact_id, kind) in happened:
                by_kind[kind].add(run_id)
    now = utcnow()
    for kind, ids in by_kind.items():
        await session.execute(
            update(JourneyRun).where(col(JourneyRun.id).in_(sorted(ids))).values(event=kind, wake_at=now)
        )
    return set().union(*by_kind.values()) if by_kind else set()


async def _goals(session: AsyncSession, events: Sequence[Stored]) -> None:
    """A journey whose goal is an interaction: contacts inside who did it have converted."""
    journeys = (
        await session.execute(select(col(Journey.id), col(Journey.settings)).where(col(Journey.status) == LIVE))
    ).all()
    now = utcnow()
    for journey_id, raw in journeys:
        goal = settings_of(raw).goal
        if goal is None or not goal.type:
            continue
        who = sorted({e.contact_id for e in events if e.type == goal.type})
        if not who:
            continue
        since = now - graph.duration(goal.window)
        where = [
            col(JourneyRun.journey_id) == journey_id,
            col(JourneyRun.contact_id).in_(who),
            col(JourneyRun.converted_at).is_(None),
            col(JourneyRun.entered_at) >= since,
        ]
        values: dict[str, Any] = {"converted_at": now}
        if goal.exit:
            where.append(col(JourneyRun.status).in_(["active", "waiting"]))
            values.update(status="exited", wake_at=None)
        converted = await session.execute(
            update(JourneyRun).where(*where).values(**values).returning(col(JourneyRun.contact_id))
        )
        # On the timeline and in the stream: the reports count conversions from it.
        await recording.record(
            session,
            [
                {
                    "contact_id": contact_id,
                    "type": "journey_converted",
                    "occurred_at": now,
                    "properties": {"journey_id": journey_id},
                }
                for contact_id in sorted(set(converted.scalars().all()))
            ],
        )
