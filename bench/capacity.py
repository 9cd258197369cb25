"""The capacity sheet: the product in production mode under a mixed load, and `docs/capacity.md`.

Production mode on this machine: PostgreSQL, a Redis server of its own, one API process
(`parcours serve --no-migrate`-like: no in-process worker) and --workers `parcours worker`
processes, an SMTP sink standing for the mail relay. Setup (timed, not measured): --contacts
opted-in contacts written by the product's bulk path, a static segment of them, an email, a
journey whose runs wait --journey-wait then get an email (--journey-contacts of them), a form.

Then for --minutes, all at once, each load paced at its rate (open loop: a late request is sent at
once, none is skipped):
  ingest    POST /api/interactions {batch: 10}        --ingest-rate requests/s
  beacon    POST /t/collect (5 page views)           --beacon-rate requests/s
  form      POST /f/{slug} (new and known people)    --form-rate requests/s
  browse    --marketers closed-loop users: the contact list, a segment preview, the Home's figures
            and the email report, one second of thought between clicks
  campaign  the email to every contact, sent --campaign-after seconds into the run
  journeys  runs waking from their wait all along

Measured: per class of request, throughput, p50/p95/p99 and 5xx; every 5 s from /metrics, the job
queue and the interaction stream's lag; journey runs overdue (wake time passed by more than 5 s);
CPU per process (API, each worker, PostgreSQL's processes, Redis, the sink); database size growth;
messages received by the sink against the campaign's audience (lost or doubled). The figures go
to bench/results/capacity.json and the sheet to docs/capacity.md (--sheet).

    .venv/bin/python -m bench.capacity                # 10 minutes, 100,000 contacts (~25 min)
    .venv/bin/python -m bench.capacity --quick        # 1 minute, 5,000 contacts
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common, forms, ingest, journeys, production, visitors
from bench.common import Product, log, print_table

LATE_SECONDS = 5.0
CLASSES = ("ingest", "beacon", "form", "browse")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = common.parser(__doc__ or "")
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--contacts", type=int, default=100_000, help="the campaign's audience")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--ingest-rate", type=float, default=50.0, help="requests/s of 10 interactions")
    p.add_argument("--beacon-rate", type=float, default=40.0, help="beacons/s of 5 page views")
    p.add_argument("--form-rate", type=float, default=5.0, help="form submissions/s")
    p.add_argument("--marketers", type=int, default=4)
    p.add_argument("--campaign-after", type=float, default=60.0)
    p.add_argument("--journey-contacts", type=int, default=10_000)
    p.add_argument("--journey-wait", default="PT3M")
    p.add_argument("--sheet", default=str(common.ROOT / "docs" / "capacity.md"))
    args = p.parse_args(argv)
    args.backend = "postgresql"
    if args.quick:
        args.minutes, args.contacts, args.journey_contacts, args.journey_wait = 1.0, 5_000, 1_000, "PT30S"
        args.campaign_after = 10.0
    return args


# ---- the load -----------------------------------------------------------------------------------


class Recorder:
    """(class, seconds, status) of every request, from every thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[str, list[tuple[float, int]]] = defaultdict(list)

    def add(self, kind: str, reply: common.Reply) -> None:
        with self.lock:
            self.rows[kind].append((reply.seconds, reply.status))


def paced(rate: float, seconds: float, stop: threading.Event, send: Any) -> None:
    """Call send() `rate` times a second for `seconds`, on schedule."""
    start, n = time.monotonic(), 0
    while not stop.is_set():
        due = start + n / rate
        if due - start >= seconds:
            return
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        send(n)
        n += 1


def clients_for(rate: float) -> int:
    """Connections enough to keep `rate` requests/s even when each takes half a second."""
    return max(2, int(rate / 2))


def load_threads(
    product: Product, args: argparse.Namespace, recorder: Recorder, stop: threading.Event, setup: dict[str, Any]
) -> list[threading.Thread]:
    seconds, rng = args.minutes * 60, random.Random(3)
    low, high = setup["contact_ids"]
    ingest_bodies = ingest.bodies(rng, (low, high), 500, 10)
    anonymous = [secrets.token_hex(16) for _ in range(2_000)]
    beacon_bodies = visitors.beacons(rng, anonymous, 500, 5)
    threads: list[threading.Thread] = []

    def spread(kind: str, rate: float, clients: int, one: Any) -> None:
        for c in range(clients):
            http = product.client()

            def send(n: int, http: common.Http = http, c: int = c) -> None:
                recorder.add(kind, one(http, n * clients + c))

            threads.append(threading.Thread(target=paced, args=(rate / clients, seconds, stop, send), daemon=True))

    spread(
        "ingest",
        args.ingest_rate,
        clients_for(args.ingest_rate),
        lambda h, n: h.request(
            "POST", "/api/interactions", ingest_bodies[n % len(ingest_bodies)], {"Content-Type": "application/json"}
        ),
    )
    spread(
        "beacon",
        args.beacon_rate,
        clients_for(args.beacon_rate),
        lambda h, n: h.request(
            "POST", "/t/collect", beacon_bodies[n % len(beacon_bodies)], {"Content-Type": "text/plain"}
        ),
    )
    stamp = forms.stamp_of(product.client(), setup["form_slug"])
    spread(
        "form",
        args.form_rate,
        clients_for(args.form_rate),
        lambda h, n: forms.post(h, setup["form_slug"], stamp, f"visitor.{n % (args.contacts * 2)}@example.org", n),
    )

    def marketer(index: int) -> None:
        http, deadline = product.client(), time.monotonic() + seconds
        clicks = [
            lambda: http.get("/api/contacts?limit=50"),
            lambda: http.post_json("/api/segments/preview", {"rule": 'country == "FR"'}),
            lambda: http.get("/api/reports/overview"),
            lambda: http.get("/api/reports/emails"),
        ]
        n = index
        while not stop.is_set() and time.monotonic() < deadline:
            recorder.add("browse", clicks[n % len(clicks)]())
            n += 1
            stop.wait(1.0)

    threads += [threading.Thread(target=marketer, args=(i,), daemon=True) for i in range(args.marketers)]
    return threads


# ---- what the system does --------------------------------------------------------------------------


def metric(text: str, name: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def postgres_cpu_seconds() -> float:
    """CPU used by PostgreSQL's processes so far: the postmaster's own and that of its children
    already ended (cutime, cstime), plus the children alive now. Every database of the server."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = _stat(int(entry.name))
            parent = Path(f"/proc/{fields[1]}/comm").read_text().strip()
        except OSError:
            continue
        own = int(fields[11]) + int(fields[12])
        total += own + (int(fields[13]) + int(fields[14]) if parent != "postgres" else 0)
    return total / tick


def cpu_of(pids: list[int]) -> float:
    return sum(common._cpu_seconds(pid) for pid in pids)


class Watch:
    """Samples every 5 s: queue, stream lag, overdue journey runs."""

    def __init__(self, product: Product, db: common.Database, journey_id: int) -> None:
        self.product, self.db, self.journey_id = product, db, journey_id
        self.samples: list[dict[str, float]] = []
        self.started = time.monotonic()

    def sample(self) -> None:
        reply = common.Http(self.product.base_url, production.METRICS_TOKEN).get("/metrics")
        text = reply.body.decode()
        overdue, late = self.db.execute(
            f"SELECT count(*) FILTER (WHERE wake_at < now() - interval '{LATE_SECONDS:g} seconds'), "
            "coalesce(extract(epoch FROM now() - min(wake_at)), 0) "
            f"FROM journey_runs WHERE status = 'waiting' AND wake_at < now() AND journey_id = {self.journey_id}"
        )[0][0]
        self.samples.append(
            {
                "at": round(time.monotonic() - self.started, 1),
                "queue_jobs": int(metric(text, "parcours_queue_jobs")),
                "stream_lag_seconds": round(metric(text, "parcours_stream_lag_seconds"), 1),
                "stream_lag_interactions": metric(text, "parcours_stream_lag_interactions"),
                "journey_runs_overdue": int(overdue or 0),
                "journey_most_late_seconds": round(float(late or 0), 1),
            }
        )

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(5.0):
            try:
                self.sample()
            except Exception as exc:  # a sample lost is reported, the run goes on
                log(f"sample failed: {exc}")


# ---- one run ---------------------------------------------------------------------------------------


def prepare(product: Product, db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    watch = common.Stopwatch()
    log(f"writing {args.contacts:,} opted-in contacts (the product's bulk path)")
    ids = journeys.insert_contacts(db, args.contacts)
    client = product.client()
    segment_id = journeys.static_segment(client, ids)
    email_id = journeys.make_email(client)
    journey_segment = journeys.static_segment(client, ids[: args.journey_contacts])
    nodes, edges = journeys.throughput_definition(journey_segment, email_id, args.journey_wait)
    journey_id = journeys.create_journey(client, "Capacity journey", nodes, edges)
    _form_id, slug = forms.create_form(client)
    client.close()
    product.wait_for_jobs()
    return {
        "contact_ids": (min(ids), max(ids)),
        "segment_id": segment_id,
        "email_id": email_id,
        "journey_id": journey_id,
        "form_slug": slug,
        "seconds": round(watch.seconds, 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    # One load generator is one address: lift the limits meant for one browser.
    unlimited = {
        "PARCOURS_TRACKING_RATE_LIMIT": "100000000",
        "PARCOURS_PUBLIC_POSTS_PER_IP_MINUTE": "10000000",
        "PARCOURS_PUBLIC_POSTS_PER_FORM_MINUTE": "10000000",
        "PARCOURS_PUBLIC_REQUESTS_PER_IP_MINUTE": "10000000",
    }
    with common.workdir("capacity") as tmp, ExitStack() as cleanup:
        stack = production.start("capacity", tmp, cleanup, unlimited, args.workers)
        db, redis_server, sink, product, workers = stack.db, stack.redis, stack.sink, stack.product, stack.workers
        setup = prepare(product, db, args)
        log(f"setup done in {setup['seconds']}s; load for {args.minutes:g} min")

        probe, autovacuum = common.cpu_probe(), str(db.scalar("SHOW autovacuum"))
        load_before = os.getloadavg()
        size_before = int(db.scalar("SELECT pg_database_size(current_database())"))
        sent_before = int(db.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'"))
        cpu_before = {
            "api": product.cpu_seconds(),
            "workers": workers.cpu_seconds(),
            "postgres": postgres_cpu_seconds(),
            "redis": cpu_of([redis_server.process.pid]) if redis_server.process else 0.0,
            "sink": cpu_of([sink.process.pid]) if sink.process else 0.0,
        }
        sink_before = sink.status()["count"]
        recorder, stop = Recorder(), threading.Event()
        watch = Watch(product, db, setup["journey_id"])
        threads = load_threads(product, args, recorder, stop, setup)
        threads.append(threading.Thread(target=watch.run, args=(stop,), daemon=True))
        journey_client = product.client()
        journeys.expect_ok(
            journey_client.request("POST", f"/api/journeys/{setup['journey_id']}/publish"), "publish the journey"
        )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.campaign_after)
        campaign = journeys.expect_ok(
            journey_client.post_json(
                "/api/campaigns",
                {"email_id": setup["email_id"], "segment_ids": [setup["segment_id"]], "name": "Capacity campaign"},
            ),
            "POST /api/campaigns",
        )
        campaign_started = time.monotonic()
        time.sleep(max(0.0, args.minutes * 60 - (time.monotonic() - started)))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        cpu_after = {
            "api": product.cpu_seconds(),
            "workers": workers.cpu_seconds(),
            "postgres": postgres_cpu_seconds(),
            "redis": cpu_of([redis_server.process.pid]) if redis_server.process else 0.0,
            "sink": cpu_of([sink.process.pid]) if sink.process else 0.0,
        }
        log("load over; waiting for the campaign to finish (up to 20 min)")
        deadline, totals = time.monotonic() + 1200, {}
        while time.monotonic() < deadline:
            totals = journey_client.get(f"/api/campaigns/{campaign['id']}").json()["totals"]
            if totals["sent"] + totals["failed"] + totals["suppressed"] >= args.contacts:
                break
            time.sleep(2)
        campaign_seconds = time.monotonic() - campaign_started
        time.sleep(5)  # the last messages' outcomes recorded
        received = sink.status()["count"] - sink_before
        sent = int(db.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'")) - sent_before
        size_after = int(db.scalar("SELECT pg_database_size(current_database())"))
        journey_client.close()

    def share(key: str, before: Any, after: Any) -> Any:
        if isinstance(before, list):
            return [round(100 * (a - b) / elapsed, 1) for a, b in zip(after, before, strict=True)]
        return round(100 * (after - before) / elapsed, 1)

    asked = {"ingest": args.ingest_rate, "beacon": args.beacon_rate, "form": args.form_rate, "browse": None}
    per_class = {}
    for kind in CLASSES:
        rows = recorder.rows.get(kind, [])
        per_class[kind] = {
            "requests": len(rows),
            "asked_per_second": asked[kind],
            "per_second": round(len(rows) / elapsed, 1),
            "errors_5xx": sum(1 for _, status in rows if status >= 500),
            "other_refusals": sum(1 for _, status in rows if 400 <= status < 500),
            **{f"p{p}_ms": round(common.percentile([s * 1000 for s, _ in rows], p), 1) for p in (50, 95, 99)},
        }
    samples = watch.samples
    return {
        "machine": {
            "cores": os.cpu_count(),
            "platform": platform.platform(),
            "load_before": load_before,
            "cpu_probe_seconds": probe,
            "autovacuum": autovacuum,
        },
        "settings": {k: v for k, v in vars(args).items() if k not in ("sheet",)},
        "setup": {k: v for k, v in setup.items() if k != "contact_ids"},
        "seconds": round(elapsed, 1),
        "classes": per_class,
        "cpu_percent": {k: share(k, cpu_before[k], cpu_after[k]) for k in cpu_before},
        "queue_jobs_max": max((s["queue_jobs"] for s in samples), default=None),
        "stream_lag_seconds_max": max((s["stream_lag_seconds"] for s in samples), default=None),
        "stream_lag_seconds_p95": round(common.percentile([s["stream_lag_seconds"] for s in samples], 95), 1)
        if samples
        else None,
        "journey_runs_overdue_max": max((s["journey_runs_overdue"] for s in samples), default=None),
        "journey_most_late_seconds": max((s["journey_most_late_seconds"] for s in samples), default=None),
        "database_growth_mb": round((size_after - size_before) / 1e6, 1),
        "campaign": {
            "audience": args.contacts,
            "totals": totals,
            "received_by_the_sink": received,
            "sent_by_the_outbox": sent,
            "seconds": round(campaign_seconds, 1),
        },
        "samples": samples,
        "load_after": os.getloadavg(),
    }


# ---- the sheet -------------------------------------------------------------------------------------


def saturation(result: dict[str, Any], cores: int) -> str:
    """Which process had the most of the machine, as a sentence."""
    cpu = result["cpu_percent"]
    parts = {"the API process": cpu["api"], "PostgreSQL": cpu["postgres"], "Redis": cpu["redis"]}
    for i, value in enumerate(cpu["workers"]):
        parts[f"worker {i + 1}"] = value
    top, value = max(parts.items(), key=lambda kv: kv[1])
    total = sum(parts.values()) + cpu["sink"]
    return (
        f"The busiest part was {top} at {value:.0f}% of one core; all of the product's processes together "
        f"used {total:.0f}% of the {cores} cores' {100 * cores}%."
    )


# What follows this line in the sheet is written by hand and kept when the sheet is produced again.
KEPT = "<!-- written by hand: kept when `make capacity` writes the sheet again -->"


def kept_part(path: Path) -> str:
    """The hand-written end of an existing sheet (from KEPT on), or nothing."""
    text = path.read_text("utf-8") if path.exists() else ""
    return text[text.index(KEPT) :] if KEPT in text else ""


def sheet(result: dict[str, Any], command: str) -> str:
    classes = result["classes"]
    rows = "\n".join(
        f"| {k} | {c['asked_per_second'] or 'closed loop'} | {c['requests']:,} | {c['per_second']:,} | {c['p50_ms']:.0f} | {c['p95_ms']:.0f} | "
        f"{c['p99_ms']:.0f} | {c['errors_5xx']} |"
        for k, c in classes.items()
    )
    cpu = result["cpu_percent"]
    campaign = result["campaign"]
    difference = campaign["received_by_the_sink"] - campaign["sent_by_the_outbox"]
    return f"""# Capacity

Produced by `{command}` on {datetime.now(UTC):%Y-%m-%d} ({result["machine"]["cores"]} cores,
{result["machine"]["platform"]}; load average before the run {result["machine"]["load_before"][0]:.1f};
a fixed Python loop, `bench.common.cpu_probe`, {result["machine"]["cpu_probe_seconds"]} s; PostgreSQL's
autovacuum {result["machine"]["autovacuum"]}).
The raw figures are in `bench/results/capacity.json`.

The product in production mode: PostgreSQL, Redis, one API process and
{len(cpu["workers"])} `parcours worker` processes, an SMTP sink as the mail relay. For
{result["seconds"] / 60:.1f} minutes, at once: interactions ingested, tracking beacons, form
submissions, {result["settings"]["marketers"]} marketers browsing (contact list, segment preview,
Home, email report), a campaign to {campaign["audience"]:,} contacts, and journeys waking from
their wait.

## Requests

| class | asked per second | requests | per second | p50 ms | p95 ms | p99 ms | 5xx |
|---|---|---|---|---|---|---|---|
{rows}

## The work behind them

- Campaign: {campaign["audience"]:,} contacts, done in {campaign["seconds"]:,} s while the rest of the
  load ran. Messages (campaign and journeys) sent by the outbox: {campaign["sent_by_the_outbox"]:,};
  received by the relay: {campaign["received_by_the_sink"]:,} ({difference:+,}: lost if negative,
  sent twice if positive).
- Job queue: at most {result["queue_jobs_max"]} jobs waiting.
- Interaction stream: lag at most {result["stream_lag_seconds_max"]} s (p95
  {result["stream_lag_seconds_p95"]} s).
- Journeys: at most {result["journey_runs_overdue_max"]} runs more than {LATE_SECONDS:g} s past their
  wake time; the latest was {result["journey_most_late_seconds"]} s late.
- Database growth: {result["database_growth_mb"]} MB.
- CPU (% of one core): API {cpu["api"]}, workers {", ".join(str(w) for w in cpu["workers"])},
  PostgreSQL {cpu["postgres"]} (every database of the server), Redis {cpu["redis"]}, SMTP sink
  {cpu["sink"]}.

## The ceiling

{saturation(result, result["machine"]["cores"])}

Beyond one database server, and how many servers 10 million contacts and a billion interactions a
year need: `docs/scale-out.md`.
"""


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    problem = common.postgres_reachable(common.pg_url())
    if problem:
        raise SystemExit(f"the capacity sheet needs PostgreSQL (PARCOURS_BENCH_DATABASE_URL): {problem}")
    result = run(args)
    path = common.write_results("capacity", args, result)
    for kind, c in result["classes"].items():
        log(f"{kind}: {json.dumps({k: c[k] for k in ('requests', 'per_second', 'p95_ms', 'errors_5xx')})}")
    print_table(
        "Capacity",
        ["class", "req/s", "p50 ms", "p95 ms", "p99 ms", "5xx"],
        [
            [k, c["per_second"], c["p50_ms"], c["p95_ms"], c["p99_ms"], c["errors_5xx"]]
            for k, c in result["classes"].items()
        ],
    )
    command = "make capacity" if not args.quick else "python -m bench.capacity --quick"
    sheet_path = Path(args.sheet) if not args.quick else common.RESULTS_DIR / "capacity-quick.md"
    sheet_path.parent.mkdir(parents=True, exist_ok=True)
    kept = kept_part(sheet_path)
    sheet_path.write_text(sheet(result, command) + ("\n" + kept if kept else ""), "utf-8")
    log(f"wrote {sheet_path}")
    log(f"figures in {path}")


if __name__ == "__main__":
    main()
