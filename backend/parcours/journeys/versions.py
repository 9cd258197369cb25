"""Published journey versions, ready to run: parsed once per process (a version never changes),
which of them take new entries, and journeys past their end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.journeys import graph
from parcours.journeys.models import Journey, JourneyRun, JourneyVersion
from parcours.journeys.schemas import JourneySettings, settings_of

LIVE = "published"


@dataclass(frozen=True)
class Version:
    """A published version, ready to run (immutable, hence cached by id)."""

    id: int
    journey_id: int
    name: str
    program: graph.Program
    settings: JourneySettings


# Parsed programs by version row; its publication time tells a reused id apart (after a restore,
# or in tests that start from an empty database).
_versions: dict[tuple[int, datetime], Version] = {}


async def version(session: AsyncSession, version_id: int) -> Version:
    row = await session.get(JourneyVersion, version_id)
    assert row is not None, "runs keep their version"
    key = (version_id, row.published_at)
    found = _versions.get(key)
    if found is None:
        journey = await session.get(Journey, row.journey_id)
        assert journey is not None, "a version goes with its journey"
        _problems, program = graph.check(graph.decode(row.definition))
        assert program is not None, "a published version is valid"
        found = Version(
            id=version_id,
            journey_id=row.journey_id,
            name=journey.name,
            program=program,
            settings=settings_of(row.settings),
        )
        _versions[key] = found
    return found


async def live_versions(session: AsyncSession) -> list[Version]:
    """The latest version of every published journey within its dates (those that take new entries)."""
    now = utcnow()
    rows = await session.execute(
        select(col(JourneyVersion.id))
        .join(
            Journey,
            and_(
                col(Journey.id) == col(JourneyVersion.journey_id), col(Journey.version) == col(JourneyVersion.version)
            ),
        )
        .where(col(Journey.status) == LIVE)
    )
    found = [await version(session, vid) for (vid,) in rows.all()]
    return [
        v
        for v in found
        if (v.settings.starts_at is None or v.settings.starts_at <= now)
        and (v.settings.ends_at is None or v.settings.ends_at > now)
    ]


async def versions_of(session: AsyncSession, version_ids: Iterable[int]) -> dict[int, Version]:
    """These versions: one query, the programs parsed once per process."""
    published = await session.execute(
        select(col(JourneyVersion.id), col(JourneyVersion.published_at)).where(
            col(JourneyVersion.id).in_(sorted(set(version_ids)))
        )
    )
    found: dict[int, Version] = {}
    for version_id, published_at in published.all():
        assert version_id is not None
        found[version_id] = _versions.get((version_id, published_at)) or await version(session, version_id)
    return found


async def finish_ended(session: AsyncSession) -> int:
    """Published journeys past their end date with nobody left inside are finished."""
    now = utcnow()
    finished = 0
    for journey in (await session.execute(select(Journey).where(col(Journey.status) == LIVE))).scalars().all():
        ends_at = settings_of(journey.settings).ends_at
        if ends_at is None or ends_at > now:
            continue
        inside = (
            await session.execute(
                select(func.count())
                .select_from(JourneyRun)
                .where(col(JourneyRun.journey_id) == journey.id, col(JourneyRun.status).in_(["active", "waiting"]))
            )
        ).scalar_one()
        if not inside:
            journey.status, journey.updated_at = "finished", now
            finished += 1
    return finished
