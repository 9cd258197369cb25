"""Retention of the steps journeys' runs went through (PARCOURS_JOURNEY_STEP_RETENTION_DAYS): the
daily job removes those older than the setting and keeps the others; the journey's counts per step
then count the steps kept. On PostgreSQL a month that ended before the cutoff goes as a whole table;
older steps in the default partition (and every step on SQLite) are deleted by batches."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import msgspec

from parcours.clock import utcnow
from parcours.db import transaction
from parcours.journeys.models import JOURNEY_STEPS
from parcours.journeys.tasks import purge_journey_steps
from parcours.partitions import first_of_month
from tests import factories
from tests.conftest import Api
from tests.database import Database

RETENTION_DAYS = 400


def _errors(api: Api, journey_id: int) -> int:
    return int(api.get(f"/api/journeys/{journey_id}/stats").json()["nodes"]["wait"]["errors"])


def _purge(api: Api, days: int) -> int:
    runtime = api.app.state.runtime
    keeping = dataclasses.replace(
        runtime, settings=msgspec.structs.replace(runtime.settings, journey_step_retention_days=days)
    )

    async def purge() -> int:
        return await purge_journey_steps({"runtime": keeping})  # type: ignore[typeddict-item]

    return api.blocking_portal.call(purge)


def test_old_steps_leave_and_recent_ones_stay(api: Api, backend: str, database_url: str) -> None:
    journey, run = factories.waiting_run(api)
    now = utcnow()
    two_years_ago = datetime(now.year - 2, now.month, 10, 12, tzinfo=UTC)
    ten_years_ago = datetime(now.year - 10, 1, 10, 12, tzinfo=UTC)
    database = Database(database_url)
    _purge(api, RETENTION_DAYS)  # old steps other tests left
    try:
        if backend == "postgresql":
            # The month two years ago has a table of its own (a product running for years), the one
            # ten years ago none: its step is in the default partition.
            api.blocking_portal.call(_create_month, api, two_years_ago)
        for moment in (now, two_years_ago, ten_years_ago):
            database.execute(
                "insert into journey_steps (journey_id, run_id, node_id, outcome, at) "
                "values (:journey, :run, 'wait', 'error', :at)",
                journey=journey["id"],
                run=run["id"],
                at=moment if backend == "postgresql" else moment.replace(tzinfo=None).isoformat(sep=" "),
            )
        assert _errors(api, journey["id"]) == 3
        # Without a retention (the default), every step stays.
        assert _purge(api, 0) == 0
        assert _errors(api, journey["id"]) == 3

        deleted = _purge(api, RETENTION_DAYS)
        assert _errors(api, journey["id"]) == 1
        if backend == "postgresql":
            assert deleted == 1  # the default partition's; the month's went with its table
            month_table = JOURNEY_STEPS.table_of(first_of_month(two_years_ago))
            assert database.rows("select to_regclass(:t)::text", t=month_table) == [(None,)]
        else:
            assert deleted == 2
        # Nothing older is left: a second run deletes nothing.
        assert _purge(api, RETENTION_DAYS) == 0
        assert _errors(api, journey["id"]) == 1
    finally:
        database.close()


async def _create_month(api: Api, moment: datetime) -> None:
    async with transaction(api.app.state.runtime.sessions) as session:
        await session.run_sync(lambda s: JOURNEY_STEPS.create_months(s.connection(), [moment]))
