"""Interaction ingestion through the HTTP API (POST /api/interactions), one API process.

(a) batches of 100 interactions per request   target >= 10,000 interactions/s
(b) one interaction per request                target >= 2,000 requests/s

The product runs as `parcours serve` (embedded Redis, in-process worker that keeps the
computed fields current: that work competes with ingestion, as it does in production).
Load comes from a separate process: wrk (Lua script cycling through pre-built bodies)
or, when wrk is not installed, the asyncio client of bench/loadgen.py.

Baseline: the naive way, in one process: a SQLModel Interaction(...) per row, session.add,
commit per row, on the same kind of database. The ratio ours/baseline is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any

from bench import common
from bench.common import Database, Product, log, print_table, verdict
from bench.loadgen import choose_tool, run_load

BATCH_TARGET = 10_000  # interactions/s
SINGLE_TARGET = 2_000  # requests/s
BATCH_SIZE = 100
PAGES = ["/", "/pricing", "/features", "/blog/lead-scoring", "/contact", "/webinars"]


def bodies(rng: random.Random, ids: tuple[int, int], count: int, batch: int | None) -> list[bytes]:
    """Distinct request bodies for the load generator to cycle through."""
    low, high = ids

    def item() -> dict[str, Any]:
        return {"type": "page_visited", "contact_id": rng.randint(low, high), "properties": {"url": rng.choice(PAGES)}}

    if batch is None:
        return [json.dumps(item()).encode() for _ in range(count)]
    return [json.dumps({"batch": [item() for _ in range(batch)]}).encode() for _ in range(count)]


def measure(
    product: Product,
    db: Database,
    *,
    name: str,
    payloads: list[bytes],
    per_request: int,
    connections: int,
    seconds: float,
    warmup: float,
    tool: str,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {product.api_key}"}
    if warmup:
        run_load(
            port=product.port,
            path="/api/interactions",
            bodies=payloads,
            headers=headers,
            connections=connections,
            seconds=warmup,
            tool=tool,
        )
    time.sleep(0.5)
    before_rows = db.count("interactions")
    cpu_before = product.cpu_seconds()
    log(f"{db.backend}: {name}, {connections} connections, {seconds:g}s ({tool})")
    result = run_load(
        port=product.port,
        path="/api/interactions",
        bodies=payloads,
        headers=headers,
        connections=connections,
        seconds=seconds,
        tool=tool,
    )
    cpu = product.cpu_seconds() - cpu_before
    time.sleep(0.5)  # let requests in flight when the load stopped commit
    stored = db.count("interactions") - before_rows
    return {
        "mode": name,
        "per_request": per_request,
        "load": result.as_dict(),
        "requests_per_s": result.ok / result.seconds,
        "interactions_per_s": result.ok * per_request / result.seconds,
        "stored_rows": stored,
        "stored_per_s": stored / result.seconds,
        "server_cpu_percent": round(100 * cpu / result.seconds, 1),
    }


async def _baseline(db: Database, ids: tuple[int, int], max_rows: int, max_seconds: float) -> dict[str, Any]:
    """The naive loop: one ORM object and one commit per interaction."""
    from sqlmodel.ext.asyncio.session import AsyncSession

    import parcours.models  # noqa: F401  (every table, so that the foreign keys resolve)
    from parcours import db as product_db
    from parcours.clock import utcnow
    from parcours.interactions.models import Interaction
    from parcours.settings import async_url

    engine = product_db.create_engine(async_url(db.url))
    rng = random.Random(11)
    rows = 0
    try:
        async with AsyncSession(engine) as session:
            started = time.perf_counter()
            deadline = started + max_seconds
            while rows < max_rows and time.perf_counter() < deadline:
                session.add(
                    Interaction(
                        contact_id=rng.randint(*ids),
                        type="page_visited",
                        occurred_at=utcnow(),
                        properties={"url": rng.choice(PAGES)},
                    )
                )
                await session.commit()
                rows += 1
            elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {"rows": rows, "seconds": round(elapsed, 3), "interactions_per_s": rows / elapsed}


def run_backend(backend: str, args: argparse.Namespace, tool: str) -> dict[str, Any]:
    with common.workdir("ingest") as tmp:
        db = common.prepare_database(backend, tmp)
        env = common.product_env(db, tmp / "data")
        log(f"{backend}: seeding {args.contacts:,} contacts with `parcours seed`")
        watch = common.Stopwatch()
        common.parcours_cli(["seed", "--contacts", str(args.contacts), "--interactions", "0"], env)
        seed_seconds = watch.seconds
        low, high = (int(v) for v in db.execute("SELECT min(id), max(id) FROM contacts")[0][0])
        rng = random.Random(42)
        runs = []
        with Product(db, tmp / "data") as product:
            runs.append(
                measure(
                    product,
                    db,
                    name="batch of 100",
                    payloads=bodies(rng, (low, high), 200, BATCH_SIZE),
                    per_request=BATCH_SIZE,
                    connections=args.batch_connections,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    tool=tool,
                )
            )
            runs.append(
                measure(
                    product,
                    db,
                    name="single",
                    payloads=bodies(rng, (low, high), 5000, None),
                    per_request=1,
                    connections=args.single_connections,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    tool=tool,
                )
            )
            server_log = product.log_tail(10)
        log(f"{backend}: naive baseline (ORM object + commit per row)")
        baseline = asyncio.run(_baseline(db, (low, high), args.baseline_rows, args.seconds))
        return {
            "backend": backend,
            "contacts": args.contacts,
            "seed_seconds": round(seed_seconds, 2),
            "runs": runs,
            "baseline": baseline,
            "server_log_tail": server_log,
        }


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        for run in r["runs"]:
            load = run["load"]
            single = run["per_request"] == 1
            target = SINGLE_TARGET if single else BATCH_TARGET
            value = run["requests_per_s"] if single else run["interactions_per_s"]
            rows.append(
                [
                    r["backend"],
                    run["mode"],
                    f"{load['tool']} c={load['connections']}",
                    run["requests_per_s"],
                    run["interactions_per_s"],
                    run["stored_per_s"],
                    load["median_ms"],
                    load["p95_ms"],
                    load["failed"],
                    f"{run['server_cpu_percent']}%",
                    f">= {target:,} {'req' if single else 'int'}/s",
                    verdict(value, target),
                ]
            )
        b = r["baseline"]
        rows.append(
            [
                r["backend"],
                "naive ORM loop",
                "in-process",
                b["interactions_per_s"],
                b["interactions_per_s"],
                b["interactions_per_s"],
                "",
                "",
                0,
                "",
                "",
                "",
            ]
        )
    print_table(
        "Interaction ingestion (POST /api/interactions)",
        [
            "backend",
            "mode",
            "load",
            "requests/s",
            "interactions/s",
            "stored/s",
            "p50 ms",
            "p95 ms",
            "failed",
            "server CPU",
            "target",
            "verdict",
        ],
        rows,
    )
    ratios = []
    for r in results:
        base = r["baseline"]["interactions_per_s"]
        by_mode = {run["mode"]: run for run in r["runs"]}
        ratios.append(
            [
                r["backend"],
                base,
                by_mode["batch of 100"]["interactions_per_s"] / base,
                by_mode["single"]["interactions_per_s"] / base,
            ]
        )
    print_table(
        "Ours / naive baseline (interactions per second, same run)",
        ["backend", "baseline int/s", "batch / baseline", "single / baseline"],
        ratios,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, help="contacts to create first (default 10,000; quick 1,000)")
    p.add_argument("--seconds", type=float, help="measured seconds per run (default 15; quick 3)")
    p.add_argument("--warmup", type=float, help="unmeasured seconds before each run (default 3; quick 1)")
    p.add_argument("--batch-connections", type=int, default=16, help="concurrent connections, batches")
    p.add_argument("--single-connections", type=int, default=64, help="concurrent connections, singles")
    p.add_argument("--baseline-rows", type=int, help="rows of the naive loop at most (default 5,000)")
    p.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "asyncio"),
        default="auto",
        help="load generator (auto: wrk when installed)",
    )
    args = p.parse_args(argv)
    quick = args.quick
    args.contacts = args.contacts or (1_000 if quick else 10_000)
    args.seconds = args.seconds or (3 if quick else 15)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.baseline_rows = args.baseline_rows or (500 if quick else 5_000)
    tool = choose_tool(args.loadgen)
    results = [run_backend(b, args, tool) for b in common.selected_backends(args.backend)]
    report(results)
    common.write_results(
        "ingest",
        args,
        {
            "load_generator": tool,
            "targets": {"batch_interactions_per_s": BATCH_TARGET, "single_requests_per_s": SINGLE_TARGET},
            "backends": results,
        },
    )


if __name__ == "__main__":
    main()
