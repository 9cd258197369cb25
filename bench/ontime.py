"""Journeys on time under bulk work: one queue against the urgent queue, in the same run.

For each mode (PARCOURS_URGENT_QUEUE=false: every job on one queue, as before; true: the urgent
queue beside the bulk one in each worker process; with `--modes ... "urgent process"`, also one
more worker process reading the urgent queue alone, the others the bulk queue alone), on a fresh
PostgreSQL database, in production mode (a Redis server of
its own, `parcours serve` without its worker, --workers `parcours worker` processes, an SMTP
sink as the mail relay). Setup, not measured: --contacts opted-in contacts (the product's bulk
path), a static segment of them, an email, --segments dynamic segments, a journey
entry.interaction `ontime_trigger` -> flow.wait --wait -> action.email.

Then for --minutes, at once:
  entries   --entry-rate contacts a second enter the journey (POST /api/interactions), so that
            runs wake all along the load, each --wait after it entered
  campaign  the email to every contact, sent --campaign-after seconds in (its preparation is
            bulk work, its sending urgent)
  imports   --imports CSV imports of --import-rows rows (bench.import_csv's messy file), one
            every --import-every seconds from --import-after
  refresh   every dynamic segment refreshed every --refresh-every seconds (reports' and
            segments' maintenance)

Measured: each run's lateness, from the journey's own steps: when its step after the wait ran,
minus the moment it entered plus the wait (a run still waiting at the end counts as late as it
then was); p50 / p95 / max and how many were more than 5 s late. Every 2 s from /metrics: each
queue's depth and lag, the interaction stream's lag. And what the bulk work took: each import's
time, the campaign's messages sent during the load. Results in bench/results/ontime.json.

    .venv/bin/python -m bench.ontime            # both modes, ~10 min
    .venv/bin/python -m bench.ontime --quick    # both modes, ~4 min
"""

from __future__ import annotations

import argparse
import os
import re
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from typing import Any

from bench import common, import_csv, journeys, production
from bench.common import Product, log, print_table

LATE_SECONDS = 5.0
TRIGGER = "ontime_trigger"
# Each mode: PARCOURS_URGENT_QUEUE, and whether one more worker process reads the urgent queue
# alone (`parcours worker --queue urgent`) while the --workers others read the bulk queue alone.
MODES = {"one queue": ("false", False), "urgent queue": ("true", False), "urgent process": ("true", True)}


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = common.parser(__doc__ or "")
    p.add_argument("--minutes", type=float, default=2.5, help="how long the load lasts, per mode")
    p.add_argument("--contacts", type=int, default=30_000, help="the campaign's audience")
    p.add_argument("--workers", type=int, default=1, help="worker processes (slots are fewest with one)")
    p.add_argument("--wait", type=int, default=30, help="seconds each run waits")
    p.add_argument("--entry-rate", type=float, default=4.0, help="contacts entering the journey per second")
    p.add_argument("--campaign-after", type=float, default=10.0)
    p.add_argument("--imports", type=int, default=12, help="more than the bulk slots (10 a process)")
    p.add_argument("--import-rows", type=int, default=10_000)
    p.add_argument("--import-after", type=float, default=20.0)
    p.add_argument("--import-every", type=float, default=1.0)
    p.add_argument("--segments", type=int, default=10, help="dynamic segments refreshed all along")
    p.add_argument("--refresh-every", type=float, default=10.0)
    p.add_argument(
        "--modes",
        nargs="+",
        choices=list(MODES),
        default=["one queue", "urgent queue"],
        help="which to measure; 'urgent process' adds a worker process reading the urgent queue alone",
    )
    p.add_argument("--drain", type=float, default=90.0, help="seconds to wait after the load for the last runs")
    args = p.parse_args(argv)
    args.backend = "postgresql"
    if args.quick:
        args.minutes, args.contacts, args.import_rows, args.imports, args.wait = 1.0, 5_000, 5_000, 2, 15
    return args


# ---- what the system does ---------------------------------------------------------------------


def by_label(text: str, name: str, label: str) -> dict[str, float]:
    """The samples of `name` by the value of its `label` ({"urgent": 3.0, "bulk": 12.0})."""
    found: dict[str, float] = defaultdict(float)
    for line in text.splitlines():
        match = re.match(rf"{re.escape(name)}{{(.*)}} (\S+)$", line)
        if match:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            found[labels.get(label, "")] += float(match.group(2))
    return dict(found)


def plain(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


class Watch:
    """Every 2 s: each queue's depth and lag, the stream's lag."""

    def __init__(self, product: Product) -> None:
        self.http = common.Http(product.base_url, production.METRICS_TOKEN)
        self.samples: list[dict[str, Any]] = []
        self.started = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(2.0):
            try:
                text = self.http.get("/metrics").body.decode()
            except Exception as exc:  # a sample lost is reported, the run goes on
                log(f"sample failed: {exc}")
                continue
            self.samples.append(
                {
                    "at": round(time.monotonic() - self.started, 1),
                    "queue_jobs": by_label(text, "parcours_queue_jobs", "queue"),
                    "queue_lag_seconds": by_label(text, "parcours_queue_lag_seconds", "queue"),
                    "stream_lag_seconds": plain(text, "parcours_stream_lag_seconds"),
                }
            )

    def summary(self) -> dict[str, Any]:
        queues = sorted({q for s in self.samples for q in s["queue_jobs"]})
        return {
            "queue_jobs_max": {q: max(s["queue_jobs"].get(q, 0) for s in self.samples) for q in queues},
            "queue_lag_seconds_max": {
                q: round(max(s["queue_lag_seconds"].get(q, 0) for s in self.samples), 1) for q in queues
            },
            "stream_lag_seconds_max": round(max((s["stream_lag_seconds"] for s in self.samples), default=0.0), 1),
        }


def lateness(db: common.Database, journey_id: int, wait: int) -> list[float]:
    """Seconds each run went on after its timer: its step after the wait, against the moment it
    entered plus the wait (entry and wait are one step of the engine, at one moment). A run still
    waiting past its time counts as late as it is now."""
    rows = db.execute(
        f"""
        SELECT extract(epoch FROM coalesce(mail.at, now()) - entry.at) - {wait}
        FROM journey_steps entry
        LEFT JOIN journey_steps mail ON mail.run_id = entry.run_id AND mail.node_id = 'mail'
        WHERE entry.journey_id = {journey_id} AND entry.node_id = 'start'
          AND (mail.at IS NOT NULL OR entry.at + interval '{wait} seconds' < now())
        """
    )[0]
    return [max(0.0, float(r[0])) for r in rows]


# ---- one mode -----------------------------------------------------------------------------------


def prepare(product: Product, db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    ids = journeys.insert_contacts(db, args.contacts)
    client = product.client()
    segment_id = journeys.static_segment(client, ids)
    email_id = journeys.make_email(client)
    nodes = [
        {"id": "start", "type": "entry.interaction", "config": {"type": TRIGGER}},
        {"id": "pause", "type": "flow.wait", "config": {"duration": f"PT{args.wait}S"}},
        {"id": "mail", "type": "action.email", "config": {"email_id": email_id}},
    ]
    edges = [{"source": "start", "target": "pause"}, {"source": "pause", "target": "mail"}]
    journey_id = journeys.create_journey(client, "On time", nodes, edges)
    journeys.expect_ok(client.request("POST", f"/api/journeys/{journey_id}/publish"), "publish the journey")
    countries = ["FR", "DE", "ES", "IT", "BE", "CH"]
    segments = [
        journeys.expect_ok(
            client.post_json(
                "/api/segments",
                {"name": f"Maintained {i}", "kind": "dynamic", "rule": f'country == "{countries[i % len(countries)]}"'},
            ),
            "POST /api/segments",
        )["id"]
        for i in range(args.segments)
    ]
    client.close()
    product.wait_for_jobs()
    return {"ids": ids, "segment_id": segment_id, "email_id": email_id, "journey_id": journey_id, "segments": segments}


def run_mode(mode: str, args: argparse.Namespace, csv: bytes) -> dict[str, Any]:
    with common.workdir("ontime") as tmp, ExitStack() as cleanup:
        dedicated = [["--queue", "urgent"]] + [["--queue", "bulk"]] * args.workers if MODES[mode][1] else []
        stack = production.start(
            "ontime", tmp, cleanup, {"PARCOURS_URGENT_QUEUE": MODES[mode][0]}, args.workers, dedicated
        )
        db, product, workers = stack.db, stack.product, stack.workers
        watch_setup = common.Stopwatch()
        setup = prepare(product, db, args)
        log(f"{mode}: setup done in {watch_setup.seconds:.0f} s; load for {args.minutes:g} min")

        load_before = os.getloadavg()
        seconds = args.minutes * 60
        stop = threading.Event()
        watch = Watch(product)
        entered: list[int] = []
        people = setup["ids"]

        def enter_all() -> None:
            http, start, n = product.client(), time.monotonic(), 0
            while not stop.is_set() and time.monotonic() - start < seconds:
                due = int((time.monotonic() - start) * args.entry_rate) + 1
                batch = people[n : min(due, len(people))]
                if batch:
                    body = {"batch": [{"contact_id": c, "type": TRIGGER} for c in batch]}
                    journeys.expect_ok(http.post_json("/api/interactions", body), "POST /api/interactions")
                    entered.extend(batch)
                    n += len(batch)
                stop.wait(0.25)

        def refresh_all() -> None:
            http = product.client()
            while not stop.wait(args.refresh_every):
                for segment_id in setup["segments"]:
                    http.request("POST", f"/api/segments/{segment_id}/refresh")

        imports: list[str] = []

        def import_files() -> None:
            http = product.client()
            if stop.wait(args.import_after):
                return
            for i in range(args.imports):
                reply = http.post_file("/api/contacts/import", "file", f"export-{i}.csv", csv)
                imports.append(journeys.expect_ok(reply, "POST /api/contacts/import")["job_id"])
                if stop.wait(args.import_every):
                    return

        threads = [threading.Thread(target=f, daemon=True) for f in (enter_all, refresh_all, import_files)] + [
            threading.Thread(target=watch.run, args=(stop,), daemon=True)
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        client = product.client()
        time.sleep(args.campaign_after)
        campaign = journeys.expect_ok(
            client.post_json(
                "/api/campaigns",
                {"email_id": setup["email_id"], "segment_ids": [setup["segment_id"]], "name": "Campaign"},
            ),
            "POST /api/campaigns",
        )
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
        campaign_sent_during_load = journeys.expect_ok(client.get(f"/api/campaigns/{campaign['id']}"), "campaign")[
            "totals"
        ]["sent"]
        log(f"{mode}: load over; waiting up to {args.drain:g} s for the last runs to wake")
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline:
            waiting = int(
                db.scalar(
                    f"SELECT count(*) FROM journey_runs WHERE journey_id = {setup['journey_id']} AND status <> 'completed'"
                )
            )
            if waiting == 0 and len(lateness(db, setup["journey_id"], args.wait)) >= len(entered):
                break
            time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        late = lateness(db, setup["journey_id"], args.wait)
        jobs = [client.get(f"/api/jobs/{job_id}").json() for job_id in imports]
        client.close()
        load_after = os.getloadavg()

    def took(job: dict[str, Any]) -> float | None:
        if not job.get("finished_at") or not job.get("created_at"):
            return None
        from datetime import datetime

        return round(
            (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["created_at"])).total_seconds(), 1
        )

    return {
        "mode": mode,
        "urgent_queue": MODES[mode][0],
        "worker_processes": len(workers.arguments),
        "runs_entered": len(entered),
        "runs_measured": len(late),
        "lateness_p50_s": round(common.percentile(late, 50), 2) if late else None,
        "lateness_p95_s": round(common.percentile(late, 95), 2) if late else None,
        "lateness_max_s": round(max(late), 2) if late else None,
        "runs_late_over_5s": sum(1 for s in late if s > LATE_SECONDS),
        **watch.summary(),
        "imports_seconds": [took(j) for j in jobs],
        "imports_status": [j.get("status") for j in jobs],
        "campaign_sent_during_load": campaign_sent_during_load,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "samples": watch.samples,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    problem = common.postgres_reachable(common.pg_url())
    if problem:
        raise SystemExit(f"bench.ontime needs PostgreSQL (PARCOURS_BENCH_DATABASE_URL): {problem}")
    csv, _expected = import_csv.generate(args.import_rows)
    results = []
    for mode in args.modes:
        log(f"=== {mode}")
        results.append(run_mode(mode, args, csv))
    common.write_results("ontime" + ("-quick" if args.quick else ""), args, {"modes": results})
    print_table(
        f"Journey runs waking during a campaign to {args.contacts:,}, {args.imports} imports of "
        f"{args.import_rows:,} rows and segment refreshes ({args.workers} workers, wait {args.wait} s)",
        ["mode", "runs", "late p50 s", "late p95 s", "late max s", "> 5 s", "stream lag max s", "queue lag max s"],
        [
            [
                r["mode"],
                r["runs_measured"],
                r["lateness_p50_s"],
                r["lateness_p95_s"],
                r["lateness_max_s"],
                r["runs_late_over_5s"],
                r["stream_lag_seconds_max"],
                ", ".join(f"{q} {v:g}" for q, v in r["queue_lag_seconds_max"].items()),
            ]
            for r in results
        ],
    )
    for r in results:
        log(
            f"{r['mode']}: imports took {r['imports_seconds']} s; campaign sent {r['campaign_sent_during_load']:,} "
            f"during the load; load average {r['load_before'][0]} -> {r['load_after'][0]}"
        )


if __name__ == "__main__":
    main()
