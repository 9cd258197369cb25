"""Journeys: contact-steps/s through a published journey (1 then 2 workers), and trigger latency.

Measured: how fast contacts move through a journey whose population enters at publication, and
how soon an interaction-triggered journey acts under a background load of interactions.

(1) Throughput. N contacts (default 100,000; quick 5,000) in a static segment enter, at
publication, a journey of five steps a contact goes through:

    entry.segment -> action.email -> flow.wait (--wait, default PT1M: a real minute)
                  -> flow.condition `country == "FR"` -> action.email (yes) / action.email (no)

on a fresh database with one `parcours worker` process, then on another fresh database with two.
Timed from `POST /api/journeys/{id}/publish` (which enrols the whole segment in one INSERT ...
SELECT) until every run is completed (journey_runs polled every --poll seconds; confirmed by
GET /api/journeys/{id}/stats, completed == N), and until the local SMTP sink has received every
message (2 per contact). Contact-steps are counted in journey_steps (one row per node a contact
went through: 5 N). Reported raw (steps / seconds from publish to the last run completed) and
excluding the wait: the seconds during which the workers had nothing to do because every run left
was waiting for its minute (no run active, none due) are subtracted. Target: >= 2,000
contact-steps/s per worker (wait excluded); ratio 2 workers / 1 worker. Also from the polls: the
first leg's rate (entry and first email for everyone, 2 N steps, before any wait can end) and the
wake delay (from the first run due again until the first run completed: how long due runs waited
for a worker). The wait for the sink stops --mail-timeout seconds after the runs completed (the
count received by then is reported): at tens of messages/s, 2 N messages can take far longer than
the journey itself.

The rule is over a plain contact field: `opens_30d` would not hold still, since the first email's
`email_sent` interaction makes the worker recompute it from the contact's interactions (there are
no opens here, so it would be 0 for all).

(2) Latency, one worker: a published journey entry.interaction {"type": "bench_trigger"} ->
action.email. A separate process posts a background load of --rate interactions/s (default 500,
page visits and the like, in batches of 50 every 0.1 s on one keep-alive connection) for
--load-seconds (default 30; quick 10); meanwhile --triggers (default 100; quick 20) bench_trigger
interactions, each for a different contact, are posted one at a time, spaced out; each one's
latency is from just before its POST until its outbox row exists (the outbox table polled
directly every 15 ms). Reported: p50, p95, max; target p95 <= 1 s; and the background rate
achieved (as sent, and as stored in the interactions table).

Setup, not timed: `parcours serve` without its in-process worker, a redis-server of our own, an
SMTP sink (bench/smtp_sink.py, in its own process, counting messages; by default its lean server
with PIPELINING, as relays have, `--sink aiosmtpd` for aiosmtpd), PARCOURS_SMTP_DOMAIN_RATE=0,
PARCOURS_FREQUENCY_CAP=0; contacts inserted in-process with contacts.service.insert_many
(opted-in, consent `marketing`, 40% in France), the static segment filled with
POST /api/segments/{id}/members, one email from the shipped `newsletter` template, then a wait
until the workers are idle (segment_entered interactions processed, no job due).

No naive baseline here (one contact per transaction through the ORM): not written, for lack of time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import common, production
from bench.common import Database, log, print_table, verdict
from bench.smtp_sink import SINKS, SmtpSink

STEPS_TARGET = 2_000.0  # contact-steps/s per worker, wait excluded
LATENCY_TARGET_MS = 1_000.0  # p95, trigger POST -> outbox row
STEPS_PER_CONTACT = 5
EMAILS_PER_CONTACT = 2
MEMBERS_CHUNK = 10_000  # the API's maximum per POST /api/segments/{id}/members
INSERT_CHUNK = 5_000
TRIGGER = "bench_trigger"
BACKGROUND_TYPES = ["page_visited", "page_visited", "page_visited", "form_submitted", "product_viewed"]
PAGES = ["/", "/pricing", "/features", "/blog/lead-scoring", "/contact", "/webinars"]
HOURLY_MINUTES = (7, 17)  # the worker's hourly jobs (rolling windows, every segment refreshed)
FIRST_NAMES = ["Camille", "Léa", "Élodie", "François", "Jérôme", "Zoé", "Hugo", "Inès", "Olivia", "George"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Lefèvre", "Girard", "Müller", "Smith", "Jones", "García"]
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "outlook.com", "yahoo.fr", "laposte.net"]
COUNTRIES = ["FR", "FR", "GB", "BE", "DE"]  # 40% take the "yes" branch


# ---- helper process: the background load ---------------------------------------------------------


def background_main(argv: Sequence[str]) -> None:
    """`python -m bench.journeys _background ...`: POST /api/interactions batches at a steady rate
    (a batch every --every seconds, on schedule: a late batch is sent at once, none is skipped),
    then print a JSON summary: batches, ok, failed, interactions sent, seconds."""
    p = argparse.ArgumentParser(prog="bench.journeys _background")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--contacts", required=True, help="low,high contact ids")
    p.add_argument("--every", type=float, default=0.1)
    args = p.parse_args(list(argv))
    low, high = (int(v) for v in args.contacts.split(","))
    per_batch = max(1, round(args.rate * args.every))
    rng = random.Random(3)
    client = common.Http(args.url, args.key)
    sent = ok = failed = batches = 0
    latencies: list[float] = []
    started = time.perf_counter()
    while (due := started + batches * args.every) < started + args.seconds:
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        batch = [
            {
                "type": rng.choice(BACKGROUND_TYPES),
                "contact_id": rng.randint(low, high),
                "properties": {"url": rng.choice(PAGES)},
            }
            for _ in range(per_batch)
        ]
        reply = client.post_json("/api/interactions", {"batch": batch})
        batches += 1
        sent += per_batch
        latencies.append(reply.seconds)
        if reply.status in (200, 201, 202):
            ok += 1
        else:
            failed += 1
    elapsed = time.perf_counter() - started
    client.close()
    print(
        json.dumps(
            {
                "batches": batches,
                "ok_batches": ok,
                "failed_batches": failed,
                "per_batch": per_batch,
                "interactions_sent": sent,
                "seconds": round(elapsed, 3),
                "rate": round(sent / elapsed, 1),
                "post": common.latency_summary(latencies) if latencies else {},
            }
        )
    )


def helper(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.journeys", *args]


# ---- the stack of one run ------------------------------------------------------------------------


@contextmanager
def running_stack(backend: str, workers_count: int, sink_kind: str, tmp: Path) -> Iterator[production.Stack]:
    """A fresh database, redis-server, SMTP sink, worker processes and the API (without worker)."""
    with ExitStack() as cleanup:
        sink = SmtpSink(tmp, sink_kind)
        yield production.start("journeys", tmp, cleanup, {}, workers_count, backend=backend, sink=sink)


# ---- setup (not timed) ---------------------------------------------------------------------------


def contact_rows(start: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(start)
    rows = []
    for i in range(start, start + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            {
                "email": f"contact.{i}@{rng.choice(DOMAINS)}",
                "first_name": first,
                "last_name": last,
                "country": COUNTRIES[i % len(COUNTRIES)],
                "source": "bench",
                "email_opt_in": True,
                "consent_level": "marketing",
            }
        )
    return rows


async def _insert_contacts(url: str, count: int) -> list[int]:
    import parcours.models  # noqa: F401  (every table, so that the foreign keys resolve)
    from parcours import db as product_db
    from parcours.contacts.service import insert_many
    from parcours.settings import async_url

    engine = product_db.create_engine(async_url(url))
    sessions = product_db.session_factory(engine)
    ids: list[int] = []
    try:
        for start in range(0, count, INSERT_CHUNK):
            async with product_db.transaction(sessions) as session:
                ids += await insert_many(session, contact_rows(start, min(INSERT_CHUNK, count - start)))
    finally:
        await engine.dispose()
    return ids


def insert_contacts(db: Database, count: int) -> list[int]:
    """The product's own bulk path, in this process (contacts.service.insert_many)."""
    return asyncio.run(_insert_contacts(db.url, count))


def expect_ok(reply: common.Reply, what: str) -> Any:
    if reply.status not in (200, 201, 202):
        raise RuntimeError(f"{what} failed: {reply.status} {reply.body[:500]!r}")
    return reply.json()


def static_segment(client: common.Http, ids: list[int]) -> int:
    segment = expect_ok(
        client.post_json("/api/segments", {"name": "Journey bench", "kind": "static"}), "POST /api/segments"
    )
    for start in range(0, len(ids), MEMBERS_CHUNK):
        expect_ok(
            client.post_json(
                f"/api/segments/{segment['id']}/members", {"contact_ids": ids[start : start + MEMBERS_CHUNK]}
            ),
            "add members",
        )
    return int(segment["id"])


def make_email(client: common.Http) -> int:
    shipped = expect_ok(client.get("/api/templates?kind=email"), "GET /api/templates")
    template = next((t for t in shipped if t["key"] == "newsletter"), None)
    if template is None:
        raise RuntimeError(f"no shipped template 'newsletter' among {[t['key'] for t in shipped]}")
    email = expect_ok(
        client.post_json(
            "/api/emails",
            {
                "name": "Journey benchmark",
                "subject": '{{ contact.first_name | default("Hello") }}, news',
                "from_name": "Parcours bench",
                "from_email": "news@parcours.example",
                "template_id": template["id"],
                "kind": "promotional",
            },
        ),
        "POST /api/emails",
    )
    return int(email["id"])


def create_journey(client: common.Http, name: str, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> int:
    journey = expect_ok(
        client.post_json("/api/journeys", {"name": name, "definition": {"nodes": nodes, "edges": edges}}),
        "POST /api/journeys",
    )
    return int(journey["id"])


def throughput_definition(
    segment_id: int, email_id: int, wait: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [
        {"id": "entry", "type": "entry.segment", "config": {"segment_id": segment_id}},
        {"id": "welcome", "type": "action.email", "config": {"email_id": email_id}},
        {"id": "wait", "type": "flow.wait", "config": {"duration": wait}},
        {"id": "french", "type": "flow.condition", "config": {"rule": 'country == "FR"'}},
        {"id": "yes_email", "type": "action.email", "config": {"email_id": email_id}},
        {"id": "no_email", "type": "action.email", "config": {"email_id": email_id}},
    ]
    edges = [
        {"source": "entry", "target": "welcome"},
        {"source": "welcome", "target": "wait"},
        {"source": "wait", "target": "french"},
        {"source": "french", "target": "yes_email", "label": "yes"},
        {"source": "french", "target": "no_email", "label": "no"},
    ]
    return nodes, edges


def due_jobs(redis_url: str) -> list[str]:
    """arq jobs due now or running (a job stays in the queue, scored by when it is due, until it ends)."""
    import redis

    from parcours.queue import QUEUES

    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    try:
        now_ms = int(time.time() * 1000)
        return [j.decode() for name in QUEUES.values() for j in client.zrangebyscore(name, "-inf", now_ms)]
    finally:
        client.close()


def wait_idle(stack: production.Stack, timeout: float = 600.0) -> float:
    """Until the interaction stream is processed and no job is due or running, three polls in a row."""
    started = time.perf_counter()
    calm, state = 0, "not polled yet"
    while time.perf_counter() - started < timeout:
        top = int(stack.db.scalar("SELECT coalesce(max(id), 0) FROM interactions") or 0)
        rows = stack.db.execute("SELECT position FROM stream_cursors WHERE name = 'contact_stats'")[0]
        position = int(rows[0][0]) if rows else 0
        due = due_jobs(stack.redis_url)
        state = f"interaction stream at {position:,} of {top:,}; jobs due or running: {due[:5] or 'none'}"
        calm = calm + 1 if position >= top and not due else 0
        if calm >= 3:
            return time.perf_counter() - started
        time.sleep(0.3)
    raise RuntimeError(f"the workers did not become idle in {timeout:g}s ({state})\n{stack.workers.log_tail()}")


def hourly_jobs_between(start: float, end: float) -> list[str]:
    found = []
    moment = datetime.fromtimestamp(start).replace(second=0, microsecond=0)
    while moment.timestamp() <= end:
        if moment.minute in HOURLY_MINUTES:
            found.append(f"{moment:%H:%M}")
        moment += timedelta(minutes=1)
    return found


def sql_now(db: Database) -> str:
    """Now, as a literal comparable with a UTCDateTime column (naive UTC text on SQLite)."""
    now = datetime.now(UTC)
    if db.backend == "sqlite":
        return f"'{now.replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}'"
    return f"'{now.isoformat()}'::timestamptz"


# ---- (1) throughput ------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float  # seconds since publish
    active: int
    waiting: int
    due: int
    completed: int
    other: int
    received: int


def sample_runs(stack: production.Stack, journey_id: int, at: float, received: int) -> Sample:
    row = stack.db.execute(
        "SELECT coalesce(sum(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END), 0), "
        f"coalesce(sum(CASE WHEN status = 'waiting' AND wake_at <= {sql_now(stack.db)} THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN status NOT IN ('active', 'waiting', 'completed') THEN 1 ELSE 0 END), 0) "
        f"FROM journey_runs WHERE journey_id = {journey_id}"
    )[0][0]
    return Sample(at, *(int(v) for v in row), received=received)


def idle_seconds(samples: list[Sample], contacts: int) -> float:
    """Time during which every run left was waiting for its wake time: nothing for a worker to do."""
    idle = 0.0
    for before, after in itertools.pairwise(samples):
        if before.active == 0 and before.due == 0 and 0 < before.waiting and before.completed < contacts:
            idle += after.at - before.at
    return idle


def phases(samples: list[Sample], contacts: int) -> dict[str, float | None]:
    """When every run had reached the wait (entry and first email done: 2 steps each, no waiting
    involved), when the first run was due again, and when the first run completed: the gap between
    the last two is how long due runs waited for a worker."""
    all_waiting = next((s.at for s in samples if s.active == 0 and s.waiting + s.completed + s.other >= contacts), None)
    first_due = next((s.at for s in samples if s.due > 0 or s.completed > 0), None)
    first_completed = next((s.at for s in samples if s.completed > 0), None)
    return {
        "all_waiting_s": all_waiting,
        "first_due_s": first_due,
        "first_completed_s": first_completed,
        "phase1_steps_per_s": round(2 * contacts / all_waiting, 1) if all_waiting else None,
        "wake_delay_s": round(first_completed - first_due, 2) if first_completed and first_due else None,
    }


def follow_runs(
    stack: production.Stack, journey_id: int, started: float, args: argparse.Namespace
) -> tuple[list[Sample], float | None, float | None, dict[str, Any]]:
    """Poll until every run is completed and the sink has every message (or the mail wait is over).
    Returns the samples, seconds to the runs' completion, to the last message, and the sink status."""
    contacts, messages = args.contacts, args.contacts * EMAILS_PER_CONTACT
    samples: list[Sample] = []
    runs_done: float | None = None
    last_progress, last_key = time.time(), None
    while True:
        status = stack.sink.status()
        now = time.time()
        sample = sample_runs(stack, journey_id, now - started, status["count"])
        samples.append(sample)
        if runs_done is None and sample.completed + sample.other >= contacts:
            runs_done = sample.at
            log(f"every run completed after {runs_done:.1f}s; the sink has {status['count']:,} of {messages:,}")
        if status["count"] >= messages:
            return samples, runs_done, status["last"] - started, status
        key = (sample.active, sample.waiting, sample.completed, status["count"])
        if key != last_key:
            last_progress, last_key = now, key
        stalled = now - last_progress > args.stall and sample.due + sample.active > 0
        if runs_done is not None and now - started - runs_done > args.mail_timeout:
            log(
                f"stopped waiting for the mail {args.mail_timeout:g}s after the runs: "
                f"{status['count']:,} of {messages:,} received"
            )
            return samples, runs_done, None, status
        if stalled or now - started > args.timeout:
            raise RuntimeError(
                f"journey {'stalled' if stalled else 'timed out'} after {now - started:.0f}s: {sample}\n"
                f"worker 1 log:\n{stack.workers.log_tail()}\nserver log:\n{stack.product.log_tail()}"
            )
        time.sleep(args.poll)


def stats_check(client: common.Http, journey_id: int) -> dict[str, Any]:
    stats = expect_ok(client.get(f"/api/journeys/{journey_id}/stats"), "GET /api/journeys/{id}/stats")
    nodes = stats["nodes"]
    return {
        "entered": stats["entered"],
        "active": stats["active"],
        "completed": stats["completed"],
        "exited": stats["exited"],
        "node_entered_sum": sum(n["entered"] for n in nodes.values()),
        "nodes": {
            k: {
                "entered": v["entered"],
                "waiting": v["waiting"],
                "completed": v["completed"],
                "errors": v["errors"],
                "branches": v["branches"],
                "email_sent": (v.get("email") or {}).get("sent"),
            }
            for k, v in nodes.items()
        },
    }


def setup_throughput(stack: production.Stack, client: common.Http, args: argparse.Namespace) -> dict[str, Any]:
    watch = common.Stopwatch()
    ids = insert_contacts(stack.db, args.contacts)
    inserted = watch.seconds
    segment_id = static_segment(client, ids)
    email_id = make_email(client)
    nodes, edges = throughput_definition(segment_id, email_id, args.wait)
    journey_id = create_journey(client, f"Throughput {stack.workers.count}w", nodes, edges)
    log(f"{args.contacts:,} contacts inserted in {inserted:.1f}s, segment filled; waiting for the workers to be idle")
    idle = wait_idle(stack)
    return {
        "journey_id": journey_id,
        "insert_seconds": round(inserted, 1),
        "setup_seconds": round(watch.seconds, 1),
        "idle_wait_seconds": round(idle, 1),
    }


def run_throughput(backend: str, workers_count: int, args: argparse.Namespace) -> dict[str, Any]:
    with (
        common.workdir(f"journeys-{backend}-{workers_count}w") as tmp,
        running_stack(backend, workers_count, args.sink, tmp) as stack,
    ):
        client = stack.product.client()
        log(f"{backend}, {workers_count} worker(s): setting up {args.contacts:,} contacts")
        setup = setup_throughput(stack, client, args)
        journey_id = setup["journey_id"]
        time.sleep(1.0)
        cpu_before = stack.workers.cpu_seconds()
        log(f"{backend}, {workers_count} worker(s): publishing (wait {args.wait})")
        started = time.time()
        published = expect_ok(client.request("POST", f"/api/journeys/{journey_id}/publish"), "publish")
        publish_seconds = time.time() - started
        samples, runs_done, mail_done, sink = follow_runs(stack, journey_id, started, args)
        elapsed = time.time() - started
        cpu = [round(100 * (a - b) / elapsed, 1) for a, b in zip(stack.workers.cpu_seconds(), cpu_before, strict=True)]
        steps = int(stack.db.scalar(f"SELECT count(*) FROM journey_steps WHERE journey_id = {journey_id}"))
        outbox = dict(
            stack.db.execute(f"SELECT status, count(*) FROM outbox WHERE journey_id = {journey_id} GROUP BY status")[0]
        )
        stats = stats_check(client, journey_id)
        client.close()
        idle = idle_seconds(samples, args.contacts)
        assert runs_done is not None
        busy = runs_done - idle
        result = {
            "backend": backend,
            "workers": workers_count,
            "contacts": args.contacts,
            "wait": args.wait,
            "sink": args.sink,
            "enrolled": published.get("enrolled"),
            "publish_seconds": round(publish_seconds, 3),
            "runs_completed_seconds": round(runs_done, 2),
            "mail_received_seconds": round(mail_done, 2) if mail_done is not None else None,
            "messages_expected": args.contacts * EMAILS_PER_CONTACT,
            "messages_received": sink["count"],
            "messages_per_s": round(sink["count"] / (sink["last"] - started), 1) if sink["last"] else None,
            "idle_seconds": round(idle, 2),
            "busy_seconds": round(busy, 2),
            **phases(samples, args.contacts),
            "contact_steps": steps,
            "expected_steps": args.contacts * STEPS_PER_CONTACT,
            "steps_per_s_raw": round(steps / runs_done, 1),
            "steps_per_s": round(steps / busy, 1),
            "steps_per_s_per_worker": round(steps / busy / workers_count, 1),
            "worker_cpu_percent": cpu,
            "outbox": outbox,
            "stats": stats,
            "setup": setup,
            "hourly_jobs_during": hourly_jobs_between(started, started + elapsed),
            "poll_seconds": args.poll,
            "samples": [vars(s) for s in samples[:: max(1, len(samples) // 300)]],
            "worker_log_tail": stack.workers.log_tail(0, 10),
        }
        log(
            f"{backend}, {workers_count} worker(s): {steps:,} steps, runs completed in {runs_done:.1f}s "
            f"(idle {idle:.1f}s): {result['steps_per_s']:,.0f} steps/s wait excluded; "
            f"every message received after {result['mail_received_seconds'] or '(not waited for)'}s; "
            f"wake delay {result['wake_delay_s']}s; workers CPU {cpu}%"
        )
        return result


# ---- (2) latency ---------------------------------------------------------------------------------


async def _poll_outbox(
    db: Database, journey_id: int, pending: dict[int, float], found: dict[int, float], stop: asyncio.Event, every: float
) -> None:
    """Every `every` seconds, which pending contacts have their outbox row: time.time() when seen."""
    query = f"SELECT contact_id FROM outbox WHERE journey_id = {journey_id} AND contact_id IN "
    conn: Any = None
    if db.backend == "postgresql":
        import asyncpg

        conn = await asyncpg.connect(common._plain_pg(db.url))
    else:
        import sqlite3

        assert db.sqlite_path is not None
        conn = sqlite3.connect(db.sqlite_path, timeout=30)
    try:
        while not stop.is_set() or pending:
            if pending:
                ids = ", ".join(str(c) for c in pending)
                if db.backend == "postgresql":
                    rows = [r[0] for r in await conn.fetch(query + f"({ids})")]
                else:
                    rows = [r[0] for r in conn.execute(query + f"({ids})").fetchall()]
                seen = time.time()
                for contact_id in rows:
                    if contact_id in pending:
                        found[contact_id] = seen - pending.pop(contact_id)
            await asyncio.sleep(every)
    finally:
        await conn.close() if db.backend == "postgresql" else conn.close()


async def _send_triggers(
    client: common.Http, contact_ids: list[int], spacing: float, pending: dict[int, float], errors: list[str]
) -> None:
    for contact_id in contact_ids:
        started = time.time()
        pending[contact_id] = started
        reply = await asyncio.to_thread(
            client.post_json, "/api/interactions", {"type": TRIGGER, "contact_id": contact_id}
        )
        if reply.status not in (200, 201, 202):
            errors.append(f"{reply.status} {reply.body[:200]!r}")
            pending.pop(contact_id, None)
        await asyncio.sleep(max(0.0, spacing - (time.time() - started)))


async def _measure_triggers(
    stack: production.Stack,
    client: common.Http,
    journey_id: int,
    contact_ids: list[int],
    spacing: float,
    timeout: float,
) -> tuple[dict[int, float], list[int], list[str]]:
    pending: dict[int, float] = {}
    found: dict[int, float] = {}
    errors: list[str] = []
    stop = asyncio.Event()
    poller = asyncio.create_task(_poll_outbox(stack.db, journey_id, pending, found, stop, 0.015))
    await _send_triggers(client, contact_ids, spacing, pending, errors)
    stop.set()
    try:
        await asyncio.wait_for(asyncio.shield(poller), timeout)
    except TimeoutError:
        poller.cancel()
    return found, sorted(pending), errors


def run_latency(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir(f"journeys-latency-{backend}") as tmp, running_stack(backend, 1, args.sink, tmp) as stack:
        client = stack.product.client()
        ids = insert_contacts(stack.db, args.latency_contacts)
        email_id = make_email(client)
        journey_id = create_journey(
            client,
            "Latency",
            [
                {"id": "entry", "type": "entry.interaction", "config": {"type": TRIGGER}},
                {"id": "mail", "type": "action.email", "config": {"email_id": email_id}},
            ],
            [{"source": "entry", "target": "mail"}],
        )
        expect_ok(client.request("POST", f"/api/journeys/{journey_id}/publish"), "publish")
        wait_idle(stack)
        triggers = ids[: args.triggers]
        warmup = 2.0
        spacing = max(0.05, (args.load_seconds - 2 * warmup) / args.triggers)
        top_before = int(stack.db.scalar("SELECT coalesce(max(id), 0) FROM interactions") or 0)
        log(
            f"{backend}: background load {args.rate:g}/s for {args.load_seconds:g}s; "
            f"{args.triggers} triggers, one every {spacing:.2f}s"
        )
        with open(tmp / "background.out", "wb") as out:
            load = subprocess.Popen(
                helper(
                    "_background",
                    "--url",
                    stack.product.base_url,
                    "--key",
                    stack.product.api_key,
                    "--rate",
                    str(args.rate),
                    "--seconds",
                    str(args.load_seconds),
                    "--contacts",
                    f"{min(ids)},{max(ids)}",
                ),
                cwd=common.ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        cpu_before = stack.workers.cpu_seconds()
        started = time.time()
        time.sleep(warmup)
        found, missing, errors = asyncio.run(_measure_triggers(stack, client, journey_id, triggers, spacing, 30.0))
        try:
            load.wait(timeout=args.load_seconds + 120)
        except subprocess.TimeoutExpired:
            load.kill()
            raise RuntimeError("the background load did not finish") from None
        elapsed = time.time() - started
        cpu = [round(100 * (a - b) / elapsed, 1) for a, b in zip(stack.workers.cpu_seconds(), cpu_before, strict=True)]
        background = json.loads((tmp / "background.out").read_text().strip().splitlines()[-1])
        stored = int(
            stack.db.scalar(
                f"SELECT count(*) FROM interactions WHERE id > {top_before} AND type <> '{TRIGGER}' "
                "AND type IN ('page_visited', 'form_submitted', 'product_viewed')"
            )
        )
        client.close()
        latencies = sorted(found.values())
        summary = common.latency_summary(latencies) if latencies else {}
        log(
            f"{backend}: {len(latencies)} of {len(triggers)} triggers reached the outbox; "
            f"p95 {summary.get('p95_ms')} ms; background {background['rate']}/s"
        )
        return {
            "backend": backend,
            "triggers": len(triggers),
            "measured": len(latencies),
            "missing": missing,
            "errors": errors[:5],
            "spacing_seconds": round(spacing, 3),
            "latency": summary,
            "background": background,
            "background_stored": stored,
            "background_stored_per_s": round(stored / background["seconds"], 1),
            "worker_cpu_percent": cpu,
            "poll_ms": 15,
            "hourly_jobs_during": hourly_jobs_between(started, started + elapsed),
            "worker_log_tail": stack.workers.log_tail(0, 10),
        }


# ---- report --------------------------------------------------------------------------------------


def report(throughput: list[dict[str, Any]], latency: list[dict[str, Any]]) -> dict[str, float]:
    ratios: dict[str, float] = {}
    rows = []
    for r in throughput:
        one = next((o for o in throughput if o["backend"] == r["backend"] and o["workers"] == 1), None)
        ratio = r["steps_per_s"] / one["steps_per_s"] if one and r["workers"] != 1 else None
        if ratio is not None:
            ratios[f"{r['backend']} {r['workers']}w/1w"] = round(ratio, 2)
        mail = r["mail_received_seconds"]
        rows.append(
            [
                r["backend"],
                r["workers"],
                r["contacts"],
                r["wait"],
                r["runs_completed_seconds"],
                r["idle_seconds"],
                r["phase1_steps_per_s"] or "-",
                r["wake_delay_s"] if r["wake_delay_s"] is not None else "-",
                r["contact_steps"],
                r["steps_per_s_raw"],
                r["steps_per_s"],
                r["steps_per_s_per_worker"],
                f"{ratio:.2f}" if ratio is not None else "-",
                mail if mail is not None else f"not all ({r['messages_received']:,}/{r['messages_expected']:,})",
                r["messages_per_s"] or "-",
                "/".join(f"{c:.0f}" for c in r["worker_cpu_percent"]) + "%",
                f">= {STEPS_TARGET:,.0f}/s/worker",
                verdict(r["steps_per_s_per_worker"], STEPS_TARGET),
            ]
        )
    if rows:
        sinks = ", ".join(sorted({r.get("sink", "aiosmtpd") for r in throughput}))
        print_table(
            "Journey throughput: publish (N enrolled) until every run is completed; 5 contact-steps per "
            f"contact; steps/s wait excluded = steps / (seconds - idle while every run waited); "
            f"mail to the SMTP sink ({sinks})",
            [
                "backend",
                "workers",
                "contacts",
                "wait",
                "runs done s",
                "idle s",
                "1st leg steps/s",
                "wake delay s",
                "steps",
                "steps/s raw",
                "steps/s",
                "steps/s/worker",
                "ratio vs 1w",
                "mail done s",
                "mail/s",
                "worker CPU",
                "target",
                "verdict",
            ],
            rows,
        )
        checks = [
            [
                r["backend"],
                r["workers"],
                r["enrolled"],
                r["stats"]["completed"],
                r["stats"]["node_entered_sum"],
                r["expected_steps"],
                ", ".join(f"{k} {v:,}" for k, v in sorted(r["outbox"].items())),
                json.dumps(r["stats"]["nodes"]["french"]["branches"]) if "french" in r["stats"]["nodes"] else "-",
                ", ".join(r["hourly_jobs_during"]) or "none",
            ]
            for r in throughput
        ]
        print_table(
            "Checks: GET /api/journeys/{id}/stats, the outbox, the hourly jobs that fell in the run",
            [
                "backend",
                "workers",
                "enrolled",
                "stats completed",
                "stats entered sum",
                "expected",
                "outbox",
                "branches",
                "hourly jobs",
            ],
            checks,
        )
    lat_rows = []
    for r in latency:
        s = r["latency"]
        lat_rows.append(
            [
                r["backend"],
                f"{r['measured']}/{r['triggers']}",
                s.get("median_ms", "-"),
                s.get("p95_ms", "-"),
                s.get("max_ms", "-"),
                r["background"]["rate"],
                r["background_stored_per_s"],
                r["background"]["failed_batches"],
                "/".join(f"{c:.0f}" for c in r["worker_cpu_percent"]) + "%",
                f"<= {LATENCY_TARGET_MS:,.0f} ms",
                verdict(s["p95_ms"], LATENCY_TARGET_MS, higher_is_better=False) if s else "MISSED",
            ]
        )
    if lat_rows:
        print_table(
            "Journey latency (1 worker): POST of a bench_trigger interaction until its outbox row exists, "
            "under a background load of other interactions",
            [
                "backend",
                "measured",
                "p50 ms",
                "p95 ms",
                "max ms",
                "background/s sent",
                "stored/s",
                "failed batches",
                "worker CPU",
                "target p95",
                "verdict",
            ],
            lat_rows,
        )
    return ratios


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_background"]:
        background_main(argv[1:])
        return
    # Stopped by a signal (even started in the background, where SIGINT is ignored): clean up the
    # worker, API, Redis and sink processes on the way out instead of leaving them running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    p = common.parser(__doc__.splitlines()[0])
    p.set_defaults(backend="postgresql")
    for action in p._actions:
        if "--backend" in action.option_strings:
            action.help = "database(s) to run on (default postgresql here; sqlite optional)"
    p.add_argument(
        "--contacts", type=int, help="contacts entering the throughput journey (default 100,000; quick 5,000)"
    )
    p.add_argument(
        "--wait", default="PT1M", help="the flow.wait step's duration, ISO 8601 (default PT1M, a real minute)"
    )
    p.add_argument("--workers-list", default="1,2", help="worker counts, each on a fresh database (default 1,2)")
    p.add_argument("--poll", type=float, default=0.5, help="seconds between polls of journey_runs and the sink")
    p.add_argument("--stall", type=float, default=120.0, help="give up after this many seconds without progress")
    p.add_argument("--timeout", type=float, default=3600.0, help="give up on a throughput run after this many seconds")
    p.add_argument(
        "--sink",
        choices=SINKS,
        default="lean",
        help="the SMTP server receiving the mail: lean (default: a minimal SMTP server with "
        "PIPELINING, as relays have, cheap on CPU) or aiosmtpd (line by line, no PIPELINING)",
    )
    p.add_argument(
        "--mail-timeout",
        type=float,
        default=900.0,
        help="stop waiting for the SMTP sink this many seconds after the runs completed (reported)",
    )
    p.add_argument("--rate", type=float, default=500.0, help="background interactions/s of the latency test")
    p.add_argument("--load-seconds", type=float, help="seconds of background load (default 30; quick 10)")
    p.add_argument("--triggers", type=int, help="bench_trigger interactions measured (default 100; quick 20)")
    p.add_argument("--latency-contacts", type=int, default=2_000, help="contacts of the latency test")
    p.add_argument("--only", choices=("throughput", "latency"), help="run one part only")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (5_000 if args.quick else 100_000)
    args.load_seconds = args.load_seconds or (10.0 if args.quick else 30.0)
    args.triggers = args.triggers or (20 if args.quick else 100)
    args.latency_contacts = max(args.latency_contacts, args.triggers)
    throughput: list[dict[str, Any]] = []
    latency: list[dict[str, Any]] = []
    for backend in common.selected_backends(args.backend):
        if args.only != "latency":
            for count in (int(w) for w in args.workers_list.split(",") if w.strip()):
                throughput.append(run_throughput(backend, count, args))
        if args.only != "throughput":
            latency.append(run_latency(backend, args))
    ratios = report(throughput, latency)
    import parcours

    common.write_results(
        common.results_name("journeys", args),
        args,
        {
            "product_source": str(Path(parcours.__file__).parent),
            "targets": {"steps_per_s_per_worker": STEPS_TARGET, "latency_p95_ms": LATENCY_TARGET_MS},
            "ratios": ratios,
            "throughput": throughput,
            "latency": latency,
        },
    )


if __name__ == "__main__":
    main()
