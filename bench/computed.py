"""Behavioural (computed) fields: backfill, the stream's cost of keeping them, segments on them.

Measured, in-process against a real database (the product's own functions, no HTTP):
  1. backfill: a new field ("clicked a pricing link, last 90 days": count, filter, window) computed
     for every contact by its job (behaviour.tasks.backfill_computed_field), set-wise by chunks;
                                                    target <= 60 s at 1,000,000 contacts and
                                                    10,000,000 interactions (PostgreSQL)
  2. stream throughput: --stream interactions recorded after the cursor, then the stream run over
     them (stream.process_new_interactions, its own computed counters and the behavioural fields,
     no consumer), with 0 behavioural fields and with 20 (spread over the interaction types);
                                                    target: 20 fields cost at most 20%
  3. a dynamic segment on two computed fields: its first fill and a refresh with nothing changed
     (segments.refresh.refresh_with_dependents), against the naive evaluator (every contact read
     and the rule evaluated in Python, bench.segments' baseline, extrapolated from --naive-limit).
                                                    target <= 1 s refresh at 1,000,000 (PostgreSQL),
                                                    >= 30x the naive evaluator
Setup (not measured): bench.scoring's data (N contacts, --per-contact interactions each over 120
days: opens, clicks with a fifth on pricing links, visits, forms, events); the stream cursor past them.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from bench import common
from bench.common import log, print_table, verdict
from bench.scoring import TYPES, load

BACKFILL_TARGET_S = 60.0
STREAM_COST_TARGET = 0.20
REFRESH_TARGET_S = 1.0
NAIVE_RATIO_TARGET = 30.0
FIRST_FILL_TARGET_S = 5.0
SEGMENT_RULE = "computed_pricing_clicks_90d >= 1 and computed_visits_7d >= 1"
# About 30% of the generated base: a large first fill.
LARGE_RULE = "computed_pricing_clicks_90d >= 1 or computed_visits_7d >= 1"


def twenty_fields() -> list[dict[str, Any]]:
    """20 definitions over the generated types: counts, windows, filters, sums, last times."""
    out: list[dict[str, Any]] = []
    for kind, _ in TYPES:
        out.append({"name": f"n_{kind}", "aggregate": "count", "interaction_type": kind})
        out.append({"name": f"n_{kind}_30d", "aggregate": "count", "interaction_type": kind, "window_days": 30})
        out.append({"name": f"last_{kind}", "aggregate": "last", "interaction_type": kind})
    out.append(
        {
            "name": "pricing_7d",
            "aggregate": "count",
            "interaction_type": "email_clicked",
            "filter": 'url =~~ "pricing"',
            "window_days": 7,
        }
    )
    out.append(
        {"name": "demo_pages", "aggregate": "exists", "interaction_type": "page_visited", "filter": 'path == "/demo"'}
    )
    return [{"label": f["name"], **f} for f in out[:20]]


async def no_queue(*_a: Any, **_k: Any) -> bool:
    return True


async def define(sessions: Any, read_sessions: Any, body: dict[str, Any], backfill: bool) -> dict[str, Any]:
    """Create a field; with `backfill`, run its job and time it."""
    from parcours.behaviour import service, tasks
    from parcours.db import transaction

    async with transaction(sessions) as session:
        row = await service.create_field(session, no_queue, body, "bench")
        job_id = row.backfill_job_id
    if not backfill:
        return {"name": body["name"]}
    started = time.perf_counter()
    runtime = SimpleNamespace(sessions=sessions, read_sessions=read_sessions, enqueue=no_queue)
    written = await tasks.backfill_computed_field({"runtime": runtime}, job_id)  # type: ignore[arg-type]
    return {"name": body["name"], "seconds": round(time.perf_counter() - started, 2), "contacts_with_value": written}


async def drop_all_fields(sessions: Any, values: bool = False) -> None:
    """Every behavioural field gone; with `values`, their values too (and an earlier run's
    segments, for --keep-data)."""
    from sqlalchemy import delete, inspect, text

    from parcours.behaviour.models import ComputedField
    from parcours.db import transaction

    async with transaction(sessions) as session:
        await session.execute(delete(ComputedField))
        if not values:
            return
        await session.execute(text("DELETE FROM segments WHERE created_by = 'bench'"))
        await session.execute(text("UPDATE contacts SET scores = '{}' WHERE scores <> '{}'"))
        tables = await (await session.connection()).run_sync(lambda c: inspect(c).get_table_names())
        if "contact_computed" in tables:
            await session.execute(text("DELETE FROM contact_computed"))


async def stream_rate(sessions: Any, contacts: int, count: int, seed: int) -> dict[str, Any]:
    """`count` new interactions of random contacts, then the stream over them: interactions/s."""
    from parcours import stream
    from parcours.db import transaction
    from parcours.interactions import service as interactions

    # What the stream has not handed on yet (e.g. the segments' segment_entered) is not measured.
    await stream.process_new_interactions(sessions, [])
    rng = random.Random(seed)
    now = datetime.now(UTC)
    kinds, weights = [t for t, _ in TYPES], [w for _, w in TYPES]
    rows = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        properties: dict[str, Any] = {}
        if kind == "email_clicked":
            properties = {"url": "https://example.com/" + ("pricing" if rng.random() < 0.2 else "blog/post")}
        elif kind == "page_visited":
            properties = {"path": rng.choice(["/pricing", "/demo", "/blog/a"])}
        at = now - timedelta(seconds=rng.randrange(3600))
        rows.append(
            {"contact_id": rng.randrange(1, contacts + 1), "type": kind, "occurred_at": at, "properties": properties}
        )
    for start in range(0, len(rows), 5000):
        async with transaction(sessions) as session:
            await interactions.insert_many(session, rows[start : start + 5000])
    started = time.perf_counter()
    processed = await stream.process_new_interactions(sessions, [])
    seconds = time.perf_counter() - started
    return {
        "interactions": processed,
        "seconds": round(seconds, 2),
        "per_second": round(processed / max(seconds, 1e-9)),
    }


async def segment_refresh(sessions: Any, rule: str, name: str) -> dict[str, Any]:
    from parcours.db import transaction
    from parcours.segments.models import Segment
    from parcours.segments.refresh import refresh_with_dependents

    async with transaction(sessions) as session:
        segment = Segment(name=name, kind="dynamic", rule=rule, created_by="bench")
        session.add(segment)
        await session.flush()
        segment_id = segment.id
    timings = []
    for label in ("first fill", "refresh, nothing changed"):
        started = time.perf_counter()
        async with transaction(sessions) as session:
            totals = await refresh_with_dependents(session, segment_id)
        timings.append({"what": label, "seconds": round(time.perf_counter() - started, 2), **totals})
    return {"rule": rule, "runs": timings}


async def run_on(db: common.Database, args: Any) -> dict[str, Any]:
    from parcours.db import create_engine, migrate, session_factory
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    await migrate(engine)
    try:
        sessions, read_sessions = session_factory(engine), session_factory(engine, read_only=True)
        data = await kept_data(engine, args.contacts) if args.keep_data else None
        if data is None:
            data = await load(db, engine, args.contacts, args.per_contact)
        await drop_all_fields(sessions, values=args.keep_data)
        if args.keep_data:
            await vacuum(db, engine, "contacts", "contact_computed", "interactions")
        if args.load_only:
            return {"backend": db.backend, "data": data}
        log(f"{db.backend}: data loaded in {data['setup_s']} s ({data['interactions']:,} interactions); backfill")
        backfill = await define(
            sessions,
            read_sessions,
            {
                "name": "pricing_clicks_90d",
                "label": "Pricing clicks (90 days)",
                "aggregate": "count",
                "interaction_type": "email_clicked",
                "filter": 'url =~~ "pricing"',
                "window_days": 90,
            },
            backfill=True,
        )
        visits = await define(
            sessions,
            read_sessions,
            {
                "name": "visits_7d",
                "label": "Visits (7 days)",
                "aggregate": "count",
                "interaction_type": "page_visited",
                "window_days": 7,
            },
            backfill=True,
        )
        # Statistics of the new values, as autovacuum gathers them soon after (not measured).
        await vacuum(db, engine, "contact_computed")
        log(f"{db.backend}: backfill {backfill['seconds']} s; segment on two computed fields")
        segment = await segment_refresh(sessions, SEGMENT_RULE, "Pricing clickers visiting this week")
        large = await segment_refresh(sessions, LARGE_RULE, "Pricing clickers or visitors this week")
        log(f"{db.backend}: naive evaluator over {args.naive_limit:,} contacts")
        from bench.segments import _baseline

        naive = await _baseline(db, SEGMENT_RULE, args.naive_limit)
        naive["seconds_for_all"] = round(naive["seconds"] * args.contacts / max(naive["contacts"], 1), 1)
        log(f"{db.backend}: stream with 0 then 20 behavioural fields")
        await drop_all_fields(sessions)
        without = await stream_rate(sessions, args.contacts, args.stream, seed=21)
        for body in twenty_fields():
            await define(sessions, read_sessions, body, backfill=False)
        with_twenty = await stream_rate(sessions, args.contacts, args.stream, seed=22)
    finally:
        await engine.dispose()
    return {
        "backend": db.backend,
        "data": data,
        "backfill": [backfill, visits],
        "segment": segment,
        "large_segment": large,
        "naive": naive,
        "stream": {"0 fields": without, "20 fields": with_twenty},
    }


async def vacuum(db: common.Database, engine: Any, *tables: str) -> None:
    """VACUUM ANALYZE on PostgreSQL, as autovacuum would after large writes (setup, not measured)."""
    from sqlalchemy import text

    if db.backend != "postgresql":
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for name in tables:
            await conn.execute(text(f"VACUUM ANALYZE {name}"))


async def kept_data(engine: Any, contacts: int) -> dict[str, Any] | None:
    """The data of an earlier run (--keep-data) when it has as many contacts, else None."""
    from sqlalchemy import text

    async with engine.connect() as conn:
        found = (await conn.execute(text("SELECT count(*) FROM contacts"))).scalar()
        if found != contacts:
            return None
        interactions = (await conn.execute(text("SELECT count(*) FROM interactions"))).scalar()
    log(f"kept the earlier run's {contacts:,} contacts and {interactions:,} interactions")
    return {"contacts": contacts, "interactions": interactions, "setup_s": 0.0}


def run_backend(backend: str, args: Any) -> dict[str, Any]:
    with common.workdir("computed") as scratch:
        if args.keep_data and backend == "postgresql":
            return asyncio.run(run_on(common.Database("postgresql", common.pg_url()), args))
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        target = BACKFILL_TARGET_S * r["data"]["contacts"] / 1_000_000
        for b in r["backfill"]:
            rows.append(
                [
                    r["backend"],
                    b["name"],
                    r["data"]["contacts"],
                    r["data"]["interactions"],
                    b["seconds"],
                    f"<= {target:.1f} s (pro rata)",
                    verdict(b["seconds"], target, higher_is_better=False),
                ]
            )
    print_table(
        "Backfill of a new behavioural field", ["backend", "field", "contacts", "interactions", "s", "target", ""], rows
    )
    rows = []
    for r in results:
        base, twenty = r["stream"]["0 fields"]["per_second"], r["stream"]["20 fields"]["per_second"]
        cost = 1 - twenty / max(base, 1)
        rows.append(
            [
                r["backend"],
                base,
                twenty,
                f"{cost:.0%}",
                f"<= {STREAM_COST_TARGET:.0%}",
                verdict(cost, STREAM_COST_TARGET, higher_is_better=False),
            ]
        )
    print_table("Stream throughput (interactions/s)", ["backend", "0 fields", "20 fields", "cost", "target", ""], rows)
    rows = []
    for r in results:
        refresh = r["segment"]["runs"][1]["seconds"]
        naive = r["naive"]["seconds_for_all"]
        target = REFRESH_TARGET_S * r["data"]["contacts"] / 1_000_000
        for run in r["segment"]["runs"]:
            rows.append([r["backend"], run["what"], run["seconds"], run["entered"], "-", "-"])
        rows.append([r["backend"], "naive evaluator (all contacts)", naive, r["naive"]["matched"], "-", "-"])
        ratio = naive / max(refresh, 1e-9)
        rows.append(
            [
                r["backend"],
                "naive / refresh",
                round(ratio, 1),
                "-",
                f">= {NAIVE_RATIO_TARGET:.0f}x",
                verdict(ratio, NAIVE_RATIO_TARGET),
            ]
        )
        rows.append(
            [
                r["backend"],
                "refresh vs target",
                refresh,
                "-",
                f"<= {target:.2f} s (pro rata)",
                verdict(refresh, max(target, 0.05), higher_is_better=False),
            ]
        )
    print_table("Segment on two computed fields", ["backend", "what", "s", "members", "target", ""], rows)
    rows = []
    for r in results:
        target = FIRST_FILL_TARGET_S * r["data"]["contacts"] / 1_000_000
        for run in r["large_segment"]["runs"]:
            met = verdict(run["seconds"], target, higher_is_better=False) if run["what"] == "first fill" else "-"
            rows.append([r["backend"], run["what"], run["seconds"], run["entered"], f"<= {target:.1f} s", met])
    print_table(f"A large segment's first fill ({LARGE_RULE})", ["backend", "what", "s", "members", "target", ""], rows)


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__ or "")
    p.add_argument("--contacts", type=int, default=None)
    p.add_argument("--per-contact", type=float, default=10.0)
    p.add_argument("--stream", type=int, default=None, help="interactions per stream run")
    p.add_argument("--naive-limit", type=int, default=None, help="contacts the naive evaluator reads")
    p.add_argument("--keep-data", action="store_true", help="reuse the data of an earlier run of the same size")
    p.add_argument("--load-only", action="store_true", help="load the data, measure nothing (for --keep-data)")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (20_000 if args.quick else 1_000_000)
    args.stream = args.stream or (5_000 if args.quick else 50_000)
    args.naive_limit = args.naive_limit or (20_000 if args.quick else 100_000)
    results = []
    for backend in common.selected_backends(args.backend):
        log(f"=== {backend}: {args.contacts:,} contacts")
        results.append(run_backend(backend, args))
    if args.load_only:
        return
    report(results)
    common.write_results("computed", args, {"results": results})


if __name__ == "__main__":
    main()
