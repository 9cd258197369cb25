"""Event registrations: throughput under concurrent clients, zero overbooking, waitlist promotion.

Measured against `parcours serve` (one API process, its embedded Redis and in-process worker):
  1. registration throughput: --clients concurrent clients (default 200), each on its own
     keep-alive connection, register --registrations people by email (each a new contact) to
     one published event of --seats seats, all released at once by a barrier;
     registrations/s from the first request to the last answer, and the request latency.
     Then the database is read directly: exactly --seats confirmed, the rest waitlisted with
     positions 1..N, no duplicate, and the seats and waitlist in the order of the registrations'
     ids (their commit order); any error answer is counted.                   zero overbooking
  2. waitlist promotion latency: --promotions times, a confirmed registrant cancels
     (POST .../cancel) and the first on the waitlist is polled every 10 ms
     (GET .../registrations/{id}) until confirmed; from the cancel's answer to the first read
     that shows the seat.                                                    target p95 <= 1 s
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import common
from bench.common import latency_summary, log, print_table, verdict

PROMOTION_TARGET_S = 1.0


def create_event(http: common.Http, seats: int) -> int:
    start = datetime.now(UTC) + timedelta(days=10)
    reply = http.post_json(
        "/api/events",
        {
            "name": "Bench webinar",
            "type": "webinar",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "timezone": "Europe/Paris",
            "capacity": seats,
            "status": "published",
            "registration_fee": 10,
        },
    )
    assert reply.status == 201, reply.body
    return int(reply.json()["id"])


def register_all(product: common.Product, event_id: int, total: int, clients: int) -> dict[str, Any]:
    per_client = [list(range(i, total, clients)) for i in range(clients)]
    gate = threading.Barrier(clients + 1)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(numbers: list[int]) -> None:
        http = product.client()
        http.get("/health")  # connect before the start
        gate.wait()
        mine, bad = [], []
        for n in numbers:
            reply = http.post_json(
                f"/api/events/{event_id}/registrations",
                {"email": f"bench.{n}@example.org", "first_name": f"Person {n}"},
            )
            mine.append(reply.seconds)
            if reply.status != 201:
                bad.append(f"{reply.status} {reply.body[:200]!r}")
        http.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    cpu_before = product.cpu_seconds()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client, numbers) for numbers in per_client]
        gate.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        seconds = time.perf_counter() - started
    return {
        "registrations": total,
        "clients": clients,
        "seconds": round(seconds, 2),
        "registrations_per_s": round(total / seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        "server_cpu_percent": round(100 * (product.cpu_seconds() - cpu_before) / seconds, 1),
        "latency": latency_summary(latencies),
    }


def check_no_overbooking(db: common.Database, event_id: int, seats: int, total: int) -> dict[str, Any]:
    rows = db.execute(
        f"SELECT id, status, waitlist_position FROM event_registrations WHERE event_id = {event_id} ORDER BY id"
    )[0]
    statuses = [r[1] for r in rows]
    positions = [r[2] for r in rows if r[1] == "waitlisted"]
    confirmed, waitlisted = statuses.count("confirmed"), statuses.count("waitlisted")
    in_order = statuses == ["confirmed"] * confirmed + ["waitlisted"] * waitlisted and positions == sorted(positions)
    return {
        "rows": len(rows),
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "positions_1_to_n": positions == list(range(1, waitlisted + 1)),
        "arrival_order": in_order,
        "ok": len(rows) == total
        and confirmed == min(seats, total)
        and waitlisted == total - confirmed
        and positions == list(range(1, waitlisted + 1))
        and in_order,
    }


def promotions(product: common.Product, db: common.Database, event_id: int, count: int) -> list[float]:
    http = product.client()
    seconds = []
    for _ in range(count):
        confirmed = db.scalar(
            f"SELECT min(id) FROM event_registrations WHERE event_id = {event_id} AND status = 'confirmed'"
        )
        first_waiting = db.scalar(
            f"SELECT id FROM event_registrations WHERE event_id = {event_id} "
            "AND status = 'waitlisted' ORDER BY waitlist_position LIMIT 1"
        )
        reply = http.request("POST", f"/api/events/{event_id}/registrations/{confirmed}/cancel")
        assert reply.status == 200, reply.body
        cancelled = time.perf_counter()
        while True:
            now = http.get(f"/api/events/{event_id}/registrations/{first_waiting}").json()
            waited = time.perf_counter() - cancelled
            if now["status"] == "confirmed" or waited > 30:
                break
            time.sleep(0.01)
        seconds.append(waited if now["status"] == "confirmed" else float("inf"))
        time.sleep(0.3)  # apart, as cancellations come
    http.close()
    return seconds


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir(f"events-{backend}") as work:
        db = common.prepare_database(backend, work)
        with common.Product(db, work / "data") as product:
            http = product.client()
            event_id = create_event(http, args.seats)
            log(f"{backend}: {args.registrations} registrations from {args.clients} clients, {args.seats} seats")
            load = register_all(product, event_id, args.registrations, args.clients)
            check = check_no_overbooking(db, event_id, args.seats, args.registrations)
            log(
                f"{backend}: {load['registrations_per_s']} registrations/s, overbooking check "
                f"{'passed' if check['ok'] else 'FAILED'}; promotions..."
            )
            latency = promotions(product, db, event_id, args.promotions)
            stats = http.get(f"/api/events/{event_id}/stats").json()
            http.close()
    finite = [s for s in latency if s != float("inf")]
    promotion = (
        {**latency_summary(finite), "not_promoted": len(latency) - len(finite)}
        if finite
        else {"not_promoted": len(latency)}
    )
    return {
        "backend": backend,
        "load": load,
        "check": check,
        "promotion": promotion,
        "stats_after": {k: stats[k] for k in ("confirmed", "waitlisted", "cancelled", "revenue")},
    }


def report(results: list[dict[str, Any]]) -> None:
    print_table(
        "Registration throughput (one API process)",
        [
            "backend",
            "registrations",
            "clients",
            "reg/s",
            "p50 ms",
            "p95 ms",
            "errors",
            "server CPU %",
            "confirmed",
            "waitlisted",
            "no overbooking",
        ],
        [
            [
                r["backend"],
                r["load"]["registrations"],
                r["load"]["clients"],
                r["load"]["registrations_per_s"],
                r["load"]["latency"]["median_ms"],
                r["load"]["latency"]["p95_ms"],
                r["load"]["errors"],
                r["load"]["server_cpu_percent"],
                r["check"]["confirmed"],
                r["check"]["waitlisted"],
                "yes" if r["check"]["ok"] else "NO",
            ]
            for r in results
        ],
    )
    print_table(
        "Waitlist promotion after a cancellation",
        [
            "backend",
            "samples",
            "median ms",
            "p95 ms",
            "max ms",
            "not promoted",
            f"target p95 <= {PROMOTION_TARGET_S:g} s",
        ],
        [
            [
                r["backend"],
                r["promotion"].get("count", 0),
                r["promotion"].get("median_ms", "-"),
                r["promotion"].get("p95_ms", "-"),
                r["promotion"].get("max_ms", "-"),
                r["promotion"]["not_promoted"],
                verdict(r["promotion"].get("p95_ms", float("inf")) / 1000, PROMOTION_TARGET_S, higher_is_better=False),
            ]
            for r in results
        ],
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--registrations", type=int, default=None, help="people registering (default 10,000; 1,000 quick)")
    p.add_argument("--seats", type=int, default=None, help="the event's capacity (default a quarter of them)")
    p.add_argument("--clients", type=int, default=200, help="concurrent clients (default 200)")
    p.add_argument("--promotions", type=int, default=None, help="cancellations timed (default 20; 5 quick)")
    args = p.parse_args(argv)
    args.registrations = args.registrations or (1_000 if args.quick else 10_000)
    args.seats = args.seats or args.registrations // 4
    args.promotions = args.promotions or (5 if args.quick else 20)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("events", args), args, {"results": results})
    if not all(r["check"]["ok"] for r in results):
        raise SystemExit("overbooking check failed")


if __name__ == "__main__":
    main()
