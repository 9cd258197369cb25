"""The outbox split by month (PostgreSQL): what naming a message's month costs and saves when the
delivery loop records outcomes.

`python -m bench.outbox_months [--quick]`: PostgreSQL only (PARCOURS_BENCH_DATABASE_URL). The schema
is migrated, MESSAGES messages of this month are written, then outcomes are recorded by batches of
BATCH with the delivery loop's statement (`channels.store`, by id and creation: only the month's
table is searched) and with the same statement by id alone (every month's table is searched),
alternating, ROUNDS times: first with the months a new installation has (this one, the next three,
the default), then with six years of months more (a product running for years).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import date
from typing import Any

from sqlalchemy import bindparam, text, update

from bench import common
from parcours.channels import store
from parcours.channels.models import OUTBOX
from parcours.db import create_engine, migrate
from parcours.partitions import first_of_month, months_between
from parcours.settings import async_url

MESSAGES = 60_000
BATCH = 5_000
ROUNDS = 3
YEARS_BACK = 6

# The delivery loop's statement before messages named their month: by id alone.
BY_ID = (
    update(store.TABLE)
    .where(store.TABLE.c.id == bindparam("_id"))
    .values(status=bindparam("_status"), reason=bindparam("_reason"), reason_code=bindparam("_code"))
)


async def _measure(url: str, messages: int, rounds: int) -> dict[str, Any]:
    engine = create_engine(async_url(url))
    await migrate(engine)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO outbox (idempotency_key, channel, kind, to_address, status, reason, reason_code, "
                    "attempts, send_after, subject, opens, clicks, message_id, data, created_at) "
                    "SELECT 'bench:' || i, 'email', 'promotional', 'x' || i || '@example.com', 'sending', '', '', 1, "
                    "now(), '', 0, 0, '', '{}', now() FROM generate_series(1, :n) AS i"
                ),
                {"n": messages},
            )
            await connection.execute(text("ANALYZE outbox"))
        rows = (await _rows(engine))[:messages]
        results: dict[str, Any] = {}
        for label in ("new installation", f"{YEARS_BACK} years of months"):
            if label != "new installation":
                today = date.today()
                past = months_between(date(today.year - YEARS_BACK, today.month, 1), first_of_month(today))
                async with engine.begin() as connection:
                    await connection.run_sync(OUTBOX.create_months, past)
            async with engine.begin() as connection:
                tables = await connection.run_sync(lambda c: len(OUTBOX.month_tables(c)) + 1)
            timings: dict[str, list[float]] = {"by id and month": [], "by id alone": []}
            batches = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
            for round_number in range(rounds):
                for name, statement, with_month in (
                    ("by id and month", store._NOT_SENT, True),
                    ("by id alone", BY_ID, False),
                ):
                    batch = batches[(round_number * 2 + (0 if with_month else 1)) % len(batches)]
                    params = [
                        {
                            "_id": message_id,
                            "_status": "failed",
                            "_reason": f"round {round_number}",
                            "_code": "bench",
                            **({"_created": created} if with_month else {}),
                        }
                        for message_id, created in batch
                    ]
                    async with engine.begin() as connection:
                        started = time.perf_counter()
                        await connection.execute(statement, params)
                        timings[name].append((time.perf_counter() - started) * 1000)
            results[label] = {
                "tables": tables,
                **{name: {"median_ms": statistics.median(ms), "runs_ms": ms} for name, ms in timings.items()},
            }
            common.log(f"{label}: {tables} tables, {results[label]}")
        return results
    finally:
        await engine.dispose()


async def _rows(engine: Any) -> list[tuple[int, Any]]:
    async with engine.connect() as connection:
        found = await connection.execute(text("SELECT id, created_at FROM outbox ORDER BY id"))
        return [(row[0], row[1]) for row in found.all()]


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    args = p.parse_args(argv)
    if args.backend == "sqlite":
        common.log("outbox_months: PostgreSQL only (SQLite has one plain table)")
        return
    problem = common.postgres_reachable(common.pg_url())
    if problem:
        common.log(f"outbox_months: skipped, {problem}")
        return
    messages, rounds = (10_000, 1) if args.quick else (MESSAGES, ROUNDS)
    with common.workdir("outbox_months") as wd:
        db = common.prepare_database("postgresql", wd)
        results = asyncio.run(_measure(db.url, messages, rounds))
    rows = [
        [label, r["tables"], common.fmt(r["by id and month"]["median_ms"]), common.fmt(r["by id alone"]["median_ms"])]
        for label, r in results.items()
    ]
    common.print_table(
        f"Recording {BATCH:,} outcomes (median of {rounds} runs, ms)",
        ["outbox", "month tables", "by id and month", "by id alone"],
        rows,
    )
    common.write_results(common.results_name("outbox_months", args), args, {"batch": BATCH, "results": results})


if __name__ == "__main__":
    main()
