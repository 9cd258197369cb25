"""RFM: the nightly recompute over the whole base.

Measured, in-process against a real database (the product's job function, no HTTP): the job
(rfm.tasks.recompute_rfm) run three times over every contact: (1) the first run, when every
customer's fields are written; (2) the next night, when nothing was bought (recency still
moves some customers); (3) after --new-purchases more purchases, as after a day of sales.
Each figure is the job's duration.                        target <= 30 s at 1,000,000 contacts
                                                                         (PostgreSQL; pro rata)
Setup (not measured): N contacts, 40% of them customers with a few purchases each over two
years (amount, currency, category, an order_id; 2% of the purchases sent twice with the same
order_id), and as many other interactions (opens, visits) to read past; written with COPY
(PostgreSQL) or executemany (SQLite).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from bench import common
from bench.common import log, print_table, verdict
from bench.scoring import _write

TARGET_S = 30.0
CUSTOMER_SHARE = 0.4
CATEGORIES = ["shoes", "bags", "shirts", "coats", "hats"]


async def load(db: common.Database, engine: Any, contacts: int, seed: int = 5) -> dict[str, Any]:
    from sqlalchemy import text

    from parcours.contacts.models import Contact
    from parcours.interactions.models import Interaction

    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    batch, written, purchases, others, order = 20_000, 0, 0, 0, 0
    for start in range(0, contacts, batch):
        rows, events = [], []
        for cid in range(start + 1, min(contacts, start + batch) + 1):
            rows.append(
                {
                    "id": cid,
                    "email": f"buyer{cid}@bench.example",
                    "lifecycle_stage": "lead",
                    "consent_level": "marketing",
                    "email_opt_in": True,
                    "sms_opt_in": False,
                    "unsubscribed": False,
                    "bounced": False,
                    "custom": {},
                    "scores": {},
                    "search_text": f"buyer {cid}",
                    "opens_30d": 0,
                    "clicks_30d": 0,
                    "visits_30d": 0,
                    "purchases": 0,
                    "total_revenue": 0.0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for _ in range(1 + int(rng.expovariate(1 / 2))):
                at = now - timedelta(seconds=rng.randrange(120 * 86400))
                events.append((cid, rng.choice(["email_opened", "page_visited"]), at, None, {}, at))
            if rng.random() >= CUSTOMER_SHARE:
                continue
            for _ in range(1 + int(rng.expovariate(1 / 1.5))):
                order += 1
                at = now - timedelta(seconds=rng.randrange(730 * 86400))
                amount = round(rng.lognormvariate(4, 0.8), 2)
                properties = {
                    "amount": amount,
                    "currency": "EUR",
                    "category": rng.choice(CATEGORIES),
                    "order_id": f"O{order}",
                }
                copies = 2 if rng.random() < 0.02 else 1
                events += [(cid, "purchase", at, amount, properties, at)] * copies
                purchases += copies
        await _write(db, engine, Contact, rows, Interaction, events)
        written += len(rows)
        others += len(events)
        log(f"loaded {written:,} contacts, {others:,} interactions ({purchases:,} purchases)")
    if db.backend == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("SELECT setval('contacts_id_seq', :n)"), {"n": contacts})
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    return {
        "contacts": contacts,
        "interactions": others,
        "purchases": purchases,
        "setup_s": round(time.perf_counter() - started, 1),
    }


async def add_purchases(engine: Any, contacts: int, count: int, seed: int = 9) -> None:
    from sqlalchemy import insert

    from parcours.interactions.models import Interaction

    rng = random.Random(seed)
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        amount = round(rng.lognormvariate(4, 0.8), 2)
        rows.append(
            {
                "contact_id": rng.randrange(1, contacts + 1),
                "type": "purchase",
                "occurred_at": now,
                "value": amount,
                "properties": {
                    "amount": amount,
                    "currency": "EUR",
                    "category": rng.choice(CATEGORIES),
                    "order_id": f"N{i}",
                },
                "received_at": now,
            }
        )
    async with engine.begin() as conn:
        await conn.execute(insert(Interaction), rows)


async def recompute(sessions: Any, read_sessions: Any, settings: Any, label: str) -> dict[str, Any]:
    from parcours.db import transaction
    from parcours.jobs import service as jobs
    from parcours.rfm import service, tasks

    async def no_queue(*_a: Any, **_k: Any) -> None:
        return None

    async with transaction(sessions) as session:
        job_id = await service.start_recompute(session, no_queue, "bench", settings.rfm_period_days)
    runtime = SimpleNamespace(sessions=sessions, read_sessions=read_sessions, enqueue=no_queue, settings=settings)
    started = time.perf_counter()
    await tasks.recompute_rfm({"runtime": runtime}, job_id)  # type: ignore[typeddict-item]
    elapsed = time.perf_counter() - started
    async with transaction(read_sessions) as session:
        job = await jobs.get_job(session, job_id)
    log(f"{label}: {elapsed:.1f} s, {job.status}: {job.message}")
    return {"run": label, "seconds": round(elapsed, 2), "status": job.status, "result": job.result}


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from parcours.db import create_engine, migrate, session_factory
    from parcours.settings import async_url, load_settings

    engine = create_engine(async_url(db.url))
    await migrate(engine)
    settings = load_settings({}, database_url=db.url)
    try:
        sessions, read_sessions = session_factory(engine), session_factory(engine, read_only=True)
        data = await load(db, engine, args.contacts)
        log(f"{db.backend}: data loaded in {data['setup_s']} s; recomputing")
        runs = [await recompute(sessions, read_sessions, settings, "first run (every customer written)")]
        runs.append(await recompute(sessions, read_sessions, settings, "next run (nothing bought)"))
        await add_purchases(engine, args.contacts, args.new_purchases)
        runs.append(await recompute(sessions, read_sessions, settings, f"after {args.new_purchases:,} purchases"))
    finally:
        await engine.dispose()
    return {"backend": db.backend, "data": data, "runs": runs}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("rfm") as scratch:
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        target = TARGET_S * r["data"]["contacts"] / 1_000_000
        for run in r["runs"]:
            result = run["result"] or {}
            rows.append(
                [
                    r["backend"],
                    run["run"],
                    r["data"]["contacts"],
                    r["data"]["purchases"],
                    result.get("customers"),
                    result.get("changed"),
                    run["seconds"],
                    f"<= {target:.1f} s (pro rata)",
                    verdict(run["seconds"], target, higher_is_better=False),
                ]
            )
    print_table(
        "RFM recompute",
        ["backend", "run", "contacts", "purchases", "customers", "changed", "seconds", "target", ""],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=None, help="contacts (default 1,000,000; 10,000 with --quick)")
    p.add_argument("--new-purchases", type=int, default=None, help="purchases added before the third run")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (10_000 if args.quick else 1_000_000)
    args.new_purchases = args.new_purchases or max(10, args.contacts // 100)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("rfm", args), args, {"results": results})


if __name__ == "__main__":
    main()
