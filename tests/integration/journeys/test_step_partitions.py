"""On PostgreSQL the journey steps are a table partitioned by month of their time, as the
interactions are: a step goes to its month's table, one from a month no table covers to the
default partition, and the journey's counts per step read across them all, before and after the
schema is taken down to the plain table and up again. On SQLite, one plain table and nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from parcours.clock import utcnow
from parcours.db import transaction
from parcours.journeys.models import JOURNEY_STEPS
from tests import factories
from tests.conftest import Api
from tests.database import Database


def _errors(api: Api, journey_id: int) -> int:
    return int(api.get(f"/api/journeys/{journey_id}/stats").json()["nodes"]["wait"]["errors"])


def test_steps_by_month_and_back(api: Api, backend: str, database_url: str) -> None:
    journey, run = factories.waiting_run(api)
    now = utcnow()
    long_ago = datetime(now.year - 7, 3, 15, 12, tzinfo=UTC)
    database = Database(database_url)
    try:
        # Failed steps, as the engine writes them (e.g. a webhook refused): one now, one years ago.
        for moment in (now, long_ago):
            database.execute(
                "insert into journey_steps (journey_id, run_id, node_id, outcome, at) "
                "values (:journey, :run, 'wait', 'error', :at)",
                journey=journey["id"],
                run=run["id"],
                at=moment if backend == "postgresql" else moment.replace(tzinfo=None).isoformat(sep=" "),
            )
        assert _errors(api, journey["id"]) == 2

        def tables() -> list[str]:
            rows = database.rows(
                "select tableoid::regclass::text from journey_steps where journey_id = :j and outcome = 'error' "
                "order by at",
                j=journey["id"],
            )
            return [table for (table,) in rows]

        if backend == "sqlite":
            assert api.blocking_portal.call(_prepare, api, now) == []
            return

        (kind,) = database.rows("select relkind::text from pg_class where relname = 'journey_steps'")[0]
        assert kind == "p"
        assert tables() == [JOURNEY_STEPS.default, JOURNEY_STEPS.table_of(now.date())]
        # The daily job makes the months ahead.
        ahead = api.blocking_portal.call(_prepare, api, now + timedelta(days=200))
        assert ahead and all(month > now.date() for month in ahead)

        database.migrate("0042", down=True)
        (kind,) = database.rows("select relkind::text from pg_class where relname = 'journey_steps'")[0]
        assert kind == "r" and tables() == ["journey_steps", "journey_steps"]
        assert _errors(api, journey["id"]) == 2
        database.migrate("head")
        assert tables() == [JOURNEY_STEPS.default, JOURNEY_STEPS.table_of(now.date())]
        assert _errors(api, journey["id"]) == 2
    finally:
        database.close()


async def _prepare(api: Api, today: datetime) -> Any:
    async with transaction(api.app.state.runtime.sessions) as session:
        return await JOURNEY_STEPS.prepare_months(session, today.date())
