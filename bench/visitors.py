"""Website tracking, one API process.

(a) tracking beacons: POST /t/collect, 10 page views per beacon     target >= 5,000 page views/s
    (80% of visitors anonymous, 20% already identified: their views become interactions at once).
    Compared in the same run with one page view per beacon (what batching in the script saves).
(b) GET /t/profile for an identified visitor, 200 segments defined (all shared with the website,
    the contact in 50 of them)                                       target p95 <= 20 ms

The product runs as `parcours serve` (embedded Redis, in-process worker). Nothing may be lost:
stored rows are counted after the load.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from typing import Any

from bench import common
from bench.common import Database, Product, latency_summary, log, print_table, verdict
from bench.loadgen import choose_tool, run_load

VIEWS_TARGET = 5_000  # page views/s
PROFILE_P95_TARGET = 20.0  # ms
PER_BEACON = 10
SEGMENTS = 200
MEMBER_OF = 50
PAGES = ["/", "/pricing", "/features", "/blog/lead-scoring", "/contact", "/webinars?utm_source=newsletter"]
SITE = "https://www.example.com"


def beacons(rng: random.Random, visitors: list[str], count: int, per_beacon: int) -> list[bytes]:
    def event() -> dict[str, Any]:
        page = rng.choice(PAGES)
        return {"type": "page_visited", "url": SITE + page, "title": page, "referrer": SITE + "/"}

    return [
        json.dumps({"anonymous_id": rng.choice(visitors), "events": [event() for _ in range(per_beacon)]}).encode()
        for _ in range(count)
    ]


def stored(db: Database) -> int:
    return db.count("visitor_events") + int(db.scalar("SELECT count(*) FROM interactions WHERE type = 'page_visited'"))


def measure_beacons(
    product: Product, db: Database, name: str, payloads: list[bytes], per_beacon: int, args: Any, tool: str
) -> dict[str, Any]:
    headers = {"Content-Type": "text/plain"}
    if args.warmup:
        run_load(
            port=product.port,
            path="/t/collect",
            bodies=payloads,
            headers=headers,
            connections=args.connections,
            seconds=args.warmup,
            tool=tool,
        )
    time.sleep(1)
    before, cpu_before = stored(db), product.cpu_seconds()
    log(f"{db.backend}: {name}, {args.connections} connections, {args.seconds:g}s ({tool})")
    result = run_load(
        port=product.port,
        path="/t/collect",
        bodies=payloads,
        headers=headers,
        connections=args.connections,
        seconds=args.seconds,
        tool=tool,
    )
    cpu = product.cpu_seconds() - cpu_before
    time.sleep(1)
    rows = stored(db) - before
    return {
        "mode": name,
        "per_beacon": per_beacon,
        "load": result.as_dict(),
        "beacons_per_s": result.ok / result.seconds,
        "views_per_s": result.ok * per_beacon / result.seconds,
        "answered_views": result.ok * per_beacon,
        "stored_views": rows,
        "lost": result.ok * per_beacon - rows,
        "server_cpu_percent": round(100 * cpu / result.seconds, 1),
    }


def settle(product: Product, timeout: float = 300) -> float:
    """Wait until the worker has processed the stream (the beacons' interactions): the profile is
    measured on a quiet server, as a site's visitor would meet it between bursts."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        last = product.db.scalar("SELECT coalesce(max(id), 0) FROM interactions")
        rows = product.db.execute("SELECT position FROM stream_cursors WHERE name = 'contact_stats'")[0]
        if rows and int(rows[0][0]) >= int(last):
            break
        time.sleep(0.5)
    return round(time.perf_counter() - started, 1)


def measure_profile(product: Product, requests: int) -> dict[str, Any]:
    client = product.client()
    try:
        ids = [int(client.post_json("/api/contacts", {"email": f"vip.{i}@example.org"}).json()["id"]) for i in range(1)]
        contact = ids[0]
        segment_ids = []
        for i in range(SEGMENTS):
            made = client.post_json("/api/segments", {"name": f"Segment {i:03}", "kind": "static"}).json()
            segment_ids.append(int(made["id"]))
        for sid in segment_ids[-MEMBER_OF:]:
            client.post_json(f"/api/segments/{sid}/members", {"contact_ids": [contact]})
        shared = [{"segment_id": sid, "variant": f"v{sid}"} for sid in segment_ids]
        answer = client.request(
            "PUT",
            "/api/website/personalization",
            json.dumps({"segments": shared}).encode(),
            {"Content-Type": "application/json"},
        )
        assert answer.status == 200, answer.body
        visitor = secrets.token_hex(16)
        identified = client.post_json("/t/identify", {"anonymous_id": visitor, "email": "vip.0@example.org"})
        assert identified.status == 200, identified.body
        path = f"/t/profile?anonymous_id={visitor}"
        first = client.get(path).json()
        assert len(first["segments"]) == MEMBER_OF and first["variant"], first
        settle(product)
        for _ in range(50):  # warm
            client.get(path)
        latencies = []
        for _ in range(requests):
            reply = client.get(path)
            assert reply.status == 200, reply.body
            latencies.append(reply.seconds)
        unknown = [client.get(f"/t/profile?anonymous_id={secrets.token_hex(16)}").seconds for _ in range(requests // 4)]
    finally:
        client.close()
    return {"known": latency_summary(latencies), "unknown": latency_summary(unknown), "segments_in_answer": MEMBER_OF}


def run_backend(backend: str, args: Any, tool: str) -> dict[str, Any]:
    with common.workdir("visitors") as tmp:
        db = common.prepare_database(backend, tmp)
        rng = random.Random(7)
        product = Product(db, tmp / "data")
        # One load generator is one IP address: lift the per-IP limit meant for browsers.
        product.env["PARCOURS_TRACKING_RATE_LIMIT"] = "100000000"
        with product:
            client = product.client()
            anonymous = [secrets.token_hex(16) for _ in range(args.visitors)]
            known = [secrets.token_hex(16) for _ in range(args.visitors // 4)]
            log(f"{backend}: identifying {len(known):,} visitors")
            for i, visitor in enumerate(known):
                reply = client.post_json("/t/identify", {"anonymous_id": visitor, "email": f"known.{i}@example.org"})
                assert reply.status == 200, reply.body
            client.close()
            product.wait_for_jobs()
            everyone = anonymous + known
            runs = [
                measure_beacons(
                    product, db, "10 views per beacon", beacons(rng, everyone, 400, PER_BEACON), PER_BEACON, args, tool
                ),
                measure_beacons(product, db, "1 view per beacon", beacons(rng, everyone, 2000, 1), 1, args, tool),
            ]
            log(f"{backend}: /t/profile, {SEGMENTS} segments, {args.profile_requests:,} requests")
            profile = measure_profile(product, args.profile_requests)
            server_log = product.log_tail(10)
        return {"backend": backend, "runs": runs, "profile": profile, "server_log_tail": server_log}


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        for run in r["runs"]:
            load = run["load"]
            batched = run["per_beacon"] == PER_BEACON
            rows.append(
                [
                    r["backend"],
                    run["mode"],
                    f"{load['tool']} c={load['connections']}",
                    run["beacons_per_s"],
                    run["views_per_s"],
                    run["lost"],
                    load["median_ms"],
                    load["p95_ms"],
                    load["failed"],
                    f"{run['server_cpu_percent']}%",
                    f">= {VIEWS_TARGET:,} views/s" if batched else "",
                    verdict(run["views_per_s"], VIEWS_TARGET) if batched else "",
                ]
            )
    print_table(
        "Tracking beacons (POST /t/collect)",
        [
            "backend",
            "mode",
            "load",
            "beacons/s",
            "views/s",
            "lost",
            "p50 ms",
            "p95 ms",
            "failed",
            "CPU",
            "target",
            "verdict",
        ],
        rows,
    )
    ratios = []
    for r in results:
        by = {run["mode"]: run for run in r["runs"]}
        ratios.append([r["backend"], by["10 views per beacon"]["views_per_s"] / by["1 view per beacon"]["views_per_s"]])
    print_table("Batched / one view per beacon (views per second, same run)", ["backend", "ratio"], ratios)
    prow = []
    for r in results:
        known, unknown = r["profile"]["known"], r["profile"]["unknown"]
        prow.append(
            [
                r["backend"],
                known["median_ms"],
                known["p95_ms"],
                unknown["p95_ms"],
                f"<= {PROFILE_P95_TARGET:g} ms",
                verdict(known["p95_ms"], PROFILE_P95_TARGET, higher_is_better=False),
            ]
        )
    print_table(
        f"GET /t/profile, known contact, {SEGMENTS} segments",
        ["backend", "p50 ms", "p95 ms", "unknown id p95 ms", "target", "verdict"],
        prow,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--visitors", type=int, help="distinct anonymous visitors (default 20,000; quick 2,000)")
    p.add_argument("--seconds", type=float, help="measured seconds per run (default 15; quick 3)")
    p.add_argument("--warmup", type=float, help="unmeasured seconds before each run (default 3; quick 1)")
    p.add_argument("--connections", type=int, default=32, help="concurrent connections")
    p.add_argument("--profile-requests", type=int, help="profile reads measured (default 2,000; quick 300)")
    p.add_argument("--loadgen", choices=("auto", "wrk", "asyncio"), default="auto")
    args = p.parse_args(argv)
    quick = args.quick
    args.visitors = args.visitors or (2_000 if quick else 20_000)
    args.seconds = args.seconds or (3 if quick else 15)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.profile_requests = args.profile_requests or (300 if quick else 2_000)
    tool = choose_tool(args.loadgen)
    results = [run_backend(b, args, tool) for b in common.selected_backends(args.backend)]
    report(results)
    common.write_results(
        "visitors",
        args,
        {
            "load_generator": tool,
            "targets": {"views_per_s": VIEWS_TARGET, "profile_p95_ms": PROFILE_P95_TARGET},
            "backends": results,
        },
    )


if __name__ == "__main__":
    main()
