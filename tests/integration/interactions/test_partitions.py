"""On PostgreSQL the interactions are a table partitioned by month: new moments go to their month,
moments no month covers to the default partition, a month made later takes its rows from there,
and retention drops whole months. The timeline reads across them all. On SQLite, one plain table
and nothing to do."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from parcours.clock import utcnow
from parcours.db import transaction
from parcours.interactions.models import INTERACTIONS
from parcours.partitions import first_of_month, next_month
from tests.conftest import Api
from tests.database import Database
from tests.factories import unique_email


def _run(api: Api, work: Any) -> Any:
    runtime = api.app.state.runtime

    async def run() -> Any:
        async with transaction(runtime.sessions) as session:
            return await work(session)

    return api.blocking_portal.call(run)


def _timeline(api: Api, contact_id: int) -> list[str]:
    items = api.get(f"/api/contacts/{contact_id}/interactions", params={"limit": 50}).json()["items"]
    return sorted(i["properties"].get("url", "") for i in items if i["type"] == "page_view")


def _where(api: Api, url: str) -> str:
    async def find(session: Any) -> str:
        query = "SELECT tableoid::regclass::text FROM interactions WHERE properties->>'url' = :url"
        return str((await session.execute(text(query), {"url": url})).scalar_one())

    return str(_run(api, find))


def test_months_default_partition_and_retention(api: Api, backend: str) -> None:
    contact = api.post("/api/contacts", json={"email": unique_email("parts")}).json()
    now = utcnow()
    long_ago = datetime(now.year - 7, 3, 15, 12, tzinfo=UTC)
    for url, moment in (("/now", now), ("/long-ago", long_ago)):
        posted = api.post(
            "/api/interactions",
            json={
                "contact_id": contact["id"],
                "type": "page_view",
                "occurred_at": moment.isoformat(),
                "properties": {"url": url},
            },
        )
        assert posted.status_code in (201, 202), posted.text
    assert _timeline(api, contact["id"]) == ["/long-ago", "/now"]

    if backend == "sqlite":
        assert _run(api, lambda s: INTERACTIONS.prepare_months(s, now.date())) == []
        return

    kind = _run(api, lambda s: s.execute(text("SELECT relkind::text FROM pg_class WHERE relname = 'interactions'")))
    assert kind.scalar_one() == "p"
    assert _where(api, "/now") == INTERACTIONS.table_of(now.date())
    assert _where(api, "/long-ago") == INTERACTIONS.default

    # The daily job makes the months ahead; a month made late takes its rows from the default.
    ahead = _run(api, lambda s: INTERACTIONS.prepare_months(s, (now + timedelta(days=200)).date()))
    assert ahead and all(m > now.date() for m in ahead)
    old_month = date(long_ago.year, long_ago.month, 1)
    made = _run(api, lambda s: s.run_sync(lambda sync: INTERACTIONS.create_months(sync.connection(), [old_month])))
    assert made == [old_month]
    assert _where(api, "/long-ago") == INTERACTIONS.table_of(old_month)
    assert _timeline(api, contact["id"]) == ["/long-ago", "/now"]

    # Retention drops whole months that ended before the cutoff, and only those.
    dropped = _run(api, lambda s: INTERACTIONS.drop_before(s, datetime(long_ago.year, 6, 1, tzinfo=UTC)))
    assert dropped == [old_month]
    assert _timeline(api, contact["id"]) == ["/now"]
    later = api.post(
        "/api/interactions", json={"contact_id": contact["id"], "type": "page_view", "properties": {"url": "/later"}}
    )
    assert later.status_code in (201, 202) and _timeline(api, contact["id"]) == ["/later", "/now"]


def test_months_added_while_the_product_reads_wait_for_it_and_do_not_deadlock(
    api: Api, backend: str, database_url: str
) -> None:
    """The daily job adding months (one taking its rows from the default partition, one empty)
    while a report's transaction reads this month, then everything: the job waits for the report
    and both end, where taking the tables one statement at a time made a deadlock that PostgreSQL
    broke by cancelling one of them."""
    if backend == "sqlite":
        return
    now = utcnow()
    this_month = first_of_month(now)
    year_ago = date(now.year - 1, now.month, 1)  # no month table: its rows wait in the default one
    contact = api.post("/api/contacts", json={"email": unique_email("parts-read")}).json()
    posted = api.post(
        "/api/interactions",
        json={
            "contact_id": contact["id"],
            "type": "page_view",
            "occurred_at": datetime(year_ago.year, year_ago.month, 10, tzinfo=UTC).isoformat(),
            "properties": {"url": "/a-year-ago"},
        },
    )
    assert posted.status_code in (201, 202), posted.text
    assert api.eventually(lambda: _timeline(api, contact["id"]) == ["/a-year-ago"])
    assert _where(api, "/a-year-ago") == INTERACTIONS.default

    reader = Database(database_url)
    report = reader.run(reader.engine.connect())
    background = ThreadPoolExecutor(max_workers=1)
    try:
        # This month alone (literal bounds: the other months are left out when the query is planned).
        within = f"occurred_at >= '{_start_of(this_month)}' AND occurred_at < '{_start_of(next_month(this_month))}'"
        reader.run(report.execute(text(f"SELECT count(*) FROM interactions WHERE {within}")))
        adding = background.submit(_run, api, lambda s: INTERACTIONS.prepare_months(s, year_ago))
        waiting = (
            "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE NOT l.granted AND c.relname = 'interactions'"
        )
        assert api.eventually(lambda: reader.rows(waiting), timeout=10), "the job never waited"
        everything = reader.run(report.execute(text("SELECT count(*) FROM interactions")))
        assert everything.scalar() >= 1
        reader.run(report.commit())
        assert adding.result(timeout=30)[:2] == [year_ago, next_month(year_ago)]
        assert _where(api, "/a-year-ago") == INTERACTIONS.table_of(year_ago)
    finally:
        reader.run(report.close())
        background.shutdown(wait=True)
        reader.close()


def _start_of(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()
