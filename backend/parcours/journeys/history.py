"""What journeys did, for reports: when each ran, who entered, and the path each contact took."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Select, case, delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.journeys import graph
from parcours.journeys.models import Journey, JourneyRun, JourneyStep, JourneyVersion

# A journey in these states runs no more: it ended when it was last changed.
ENDED = ("stopped", "finished")
PURGE_BATCH = 5_000  # steps deleted per transaction by the retention


class Span(msgspec.Struct, kw_only=True):
    """A journey's time on the plan: from its first publication to its end (None while it runs)."""

    id: int
    name: str
    status: str
    starts_at: datetime
    ends_at: datetime | None


async def spans(session: AsyncSession, since: datetime, until: datetime, journey_ids: Sequence[int] = ()) -> list[Span]:
    """The journeys published at some time in [since, until), earliest first."""
    first = (
        select(col(JourneyVersion.journey_id), func.min(col(JourneyVersion.published_at)).label("first"))
        .group_by(col(JourneyVersion.journey_id))
        .subquery()
    )
    query = select(Journey, first.c.first).join(first, first.c.journey_id == col(Journey.id))
    if journey_ids:
        query = query.where(col(Journey.id).in_(list(journey_ids)))
    found = []
    for journey, started in (await session.execute(query.where(first.c.first < until))).all():
        ended = journey.updated_at if journey.status in ENDED else None
        if ended is not None and ended < since:
            continue
        found.append(
            Span(id=journey.id or 0, name=journey.name, status=journey.status, starts_at=started, ends_at=ended)
        )
    return sorted(found, key=lambda s: (s.starts_at, s.id))


def entrants(journey_id: int, since: datetime, until: datetime, among: Select[Any] | None = None) -> Select[Any]:
    """The contacts who entered the journey in [since, until) (among `among` if given), as SQL,
    whatever version they followed."""
    query = select(col(JourneyRun.contact_id)).where(
        col(JourneyRun.journey_id) == journey_id,
        col(JourneyRun.entered_at) >= since,
        col(JourneyRun.entered_at) < until,
    )
    if among is not None:
        query = query.where(col(JourneyRun.contact_id).in_(among))
    return query.distinct()


async def entrant_page(
    session: AsyncSession,
    journey_id: int,
    since: datetime,
    until: datetime,
    among: Select[Any] | None,
    after_id: int | None,
    limit: int,
) -> tuple[list[tuple[int, bool]], int, int]:
    """A page of those contacts by id (among `among` if given): (contact_id, converted) each, then
    how many match and how many of them converted."""
    where = [
        col(JourneyRun.journey_id) == journey_id,
        col(JourneyRun.entered_at) >= since,
        col(JourneyRun.entered_at) < until,
    ]
    if among is not None:
        where.append(col(JourneyRun.contact_id).in_(among))
    # A contact converted if one of its runs (it may have entered several times) reached the goal.
    converted = func.count(col(JourneyRun.converted_at))
    per_contact: Any = (
        select(col(JourneyRun.contact_id).label("contact_id"), converted.label("converted"))
        .where(*where)
        .group_by(col(JourneyRun.contact_id))
    )
    page_query = per_contact if after_id is None else per_contact.where(col(JourneyRun.contact_id) > after_id)
    rows = (await session.execute(page_query.order_by(col(JourneyRun.contact_id)).limit(limit + 1))).all()
    grouped = per_contact.subquery()
    count, converted_count = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((grouped.c.converted > 0, 1), else_=0)), 0)).select_from(
                grouped
            )
        )
    ).one()
    return [(int(c), bool(v)) for c, v in rows], int(count), int(converted_count)


class PathStep(msgspec.Struct, kw_only=True):
    node_id: str
    type: str  # the step's type in the version the run followed ("" if the step is gone)
    outcome: str  # completed | exited | error
    label: str | None
    at: datetime


class RunPath(msgspec.Struct, kw_only=True):
    """One way a contact went through a journey: the version it followed and its steps, in order."""

    run_id: int
    version: int
    status: str
    entered_at: datetime
    converted_at: datetime | None
    node_id: str  # where the run is now (or ended)
    steps: list[PathStep]


async def path_of(session: AsyncSession, journey_id: int, contact_id: int) -> list[RunPath]:
    """Every run of this contact in this journey, oldest first, with the steps it went through."""
    runs = (
        await session.execute(
            select(JourneyRun, JourneyVersion)
            .join(JourneyVersion, col(JourneyVersion.id) == col(JourneyRun.version_id))
            .where(col(JourneyRun.journey_id) == journey_id, col(JourneyRun.contact_id) == contact_id)
            .order_by(col(JourneyRun.entered_at), col(JourneyRun.id))
        )
    ).all()
    run_ids = [run.id for run, _version in runs]
    steps: dict[int, list[JourneyStep]] = {}
    if run_ids:
        found = await session.execute(
            select(JourneyStep)
            .where(col(JourneyStep.run_id).in_(run_ids))
            .order_by(col(JourneyStep.at), col(JourneyStep.id))
        )
        for step in found.scalars():
            steps.setdefault(step.run_id, []).append(step)
    paths = []
    for run, version in runs:
        types = {node.id: node.type for node in graph.decode(version.definition).nodes}
        paths.append(
            RunPath(
                run_id=run.id or 0,
                version=version.version,
                status=run.status,
                entered_at=run.entered_at,
                converted_at=run.converted_at,
                node_id=run.node_id,
                steps=[
                    PathStep(
                        node_id=s.node_id, type=types.get(s.node_id, ""), outcome=s.outcome, label=s.label, at=s.at
                    )
                    for s in steps.get(run.id or 0, [])
                ],
            )
        )
    return paths


async def purge_steps_before(session: AsyncSession, cutoff: datetime) -> int:
    """Steps taken before `cutoff`, up to PURGE_BATCH of them, oldest first; returns how many were deleted."""
    ids = (
        (
            await session.execute(
                select(col(JourneyStep.id))
                .where(col(JourneyStep.at) < cutoff)
                .order_by(col(JourneyStep.at))
                .limit(PURGE_BATCH)
            )
        )
        .scalars()
        .all()
    )
    if ids:
        await session.execute(delete(JourneyStep).where(col(JourneyStep.id).in_(ids)))
    return len(ids)
