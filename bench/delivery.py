"""Campaign delivery: render and send a shipped template to N contacts over SMTP, 1 then 2 workers.

What is timed: from `POST /api/campaigns` until a local SMTP server has received all N messages.
That covers everything the product does for a campaign: the start job queuing one outbox row per
contact, the workers claiming them 200 at a time, loading each contact, checking consent,
rendering the newsletter (subject, HTML, text, tracked links), building the MIME message, sending
it over SMTP, recording the outcome and an `email_sent` interaction (whose processing, computed
fields and real-time segments, runs in the same workers).

Setup, not timed, on a fresh database for each worker count (nothing can be deduplicated):
`parcours serve` with PARCOURS_IN_PROCESS_WORKER=false, a redis-server of our own, an SMTP sink
(bench/smtp_sink.py, in its own process; it counts messages and keeps a random sample: by default
its lean server, with PIPELINING like a real relay and little CPU, since it shares the machine with
the worker measured; `--sink aiosmtpd` for aiosmtpd), PARCOURS_SMTP_DOMAIN_RATE=0 (no pacing) and
PARCOURS_FREQUENCY_CAP=0; then `parcours worker` processes. N opted-in contacts (`email_opt_in`,
consent `marketing`) are created with POST /api/contacts, put in a static segment
(POST /api/segments/{id}/members by 10,000), an email is made from the shipped newsletter template
(POST /api/emails with its template_id, subject personalized), and the campaign is created once the
workers are idle.

Target: >= 1,000 messages/s with one worker. Reported: messages/s per worker count, the ratio
2 workers / 1 worker, and a MIME check of the sampled messages (multipart/alternative, text and
HTML parts, the contact's own first name in subject, text and HTML).
"""

from __future__ import annotations

import argparse
import html
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from bench import common, production
from bench.common import Database, Product, log, print_table, verdict
from bench.smtp_sink import SINKS, SmtpSink

TARGET = 1_000.0  # messages/s with one worker
MEMBERS_CHUNK = 10_000  # the API's maximum per POST /api/segments/{id}/members
TEMPLATE_KEY = "newsletter"
SUBJECT = '{{ contact.first_name | default("Hello") }}, what changed this month'
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Élodie",
    "François",
    "Jérôme",
    "Zoé",
    "Noémie",
    "Chloé",
    "Hugo",
    "Lucas",
    "Inès",
    "Théo",
    "Maëlle",
    "Anaïs",
    "Benoît",
    "Gaëlle",
    "Océane",
    "Loïc",
    "Hélène",
    "Raphaël",
    "Olivia",
    "George",
    "Amelia",
    "Harry",
    "Emily",
    "Jack",
    "Sophie",
    "Oliver",
    "Grace",
    "Thomas",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Lefèvre",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Müller",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "García",
    "Rossi",
    "Moreau",
    "Faure",
]
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "outlook.com", "yahoo.fr", "laposte.net", "hotmail.com"]
# The worker runs these hourly (minute 7: rolling windows, minute 17: every segment refreshed).
HOURLY_MINUTES = (7, 17)


# ---- redis and workers -------------------------------------------------------------------------


def due_jobs(client: Any) -> list[str]:
    """Jobs queued for now or running: arq keeps a job in its queue (scored by when it is due)
    until it finishes. Not the `arq:in-progress:*` keys: arq keeps those of a finished cron job
    for 60 s (against running it twice), and a cron job runs every few seconds, so there always
    are some."""
    from parcours.queue import QUEUES

    now_ms = int(time.time() * 1000)
    return [j.decode() for name in QUEUES.values() for j in client.zrangebyscore(name, "-inf", now_ms)]


def wait_idle(db: Database, redis_url: str, timeout: float = 300.0) -> float:
    """Until the interaction stream is processed and no job is due or running (three polls in a row)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    started = time.perf_counter()
    calm = 0
    state = "not polled yet"
    try:
        while time.perf_counter() - started < timeout:
            top = int(db.scalar("SELECT coalesce(max(id), 0) FROM interactions") or 0)
            rows = db.execute("SELECT position FROM stream_cursors WHERE name = 'contact_stats'")[0]
            position = int(rows[0][0]) if rows else 0
            due = due_jobs(client)
            state = f"interaction stream at {position:,} of {top:,}; jobs due or running: {due[:10] or 'none'}"
            calm = calm + 1 if position >= top and not due else 0
            if calm >= 3:
                return time.perf_counter() - started
            time.sleep(0.3)
    finally:
        client.close()
    raise RuntimeError(f"the workers did not become idle in {timeout:g}s ({state})")


def hourly_jobs_between(start: float, end: float) -> list[str]:
    """The worker's hourly jobs due between two moments (time.time()), as HH:MM.

    Reported rather than waited for: on this benchmark's database they have next to nothing to do
    (no dynamic segment to refresh, no opens, clicks or visits leaving a 30-day window), and waiting
    for a clear window could cost up to an hour on long runs."""
    found = []
    moment = datetime.fromtimestamp(start).replace(second=0, microsecond=0)
    while moment.timestamp() <= end:
        if moment.minute in HOURLY_MINUTES:
            found.append(f"{moment:%H:%M}")
        moment += timedelta(minutes=1)
    return found


# ---- setup through the API ---------------------------------------------------------------------


def contact_rows(count: int, offset: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    from parcours.contacts.normalize import fold

    rows = []
    for i in range(offset, offset + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        # Dots, not hyphens: Yahoo reads what follows a hyphen as a disposable address of the same
        # mailbox, which the product refuses as a second contact.
        local = fold(f"{first}.{last}").replace(" ", ".")
        rows.append(
            {
                "email": f"{local}.d{i}@{rng.choice(DOMAINS)}",
                "first_name": first,
                "last_name": last,
                "country": rng.choice(["FR", "FR", "FR", "BE", "GB"]),
                "source": "bench",
                "email_opt_in": True,
                "consent_level": "marketing",
            }
        )
    return rows


def create_contacts(product: Product, rows: list[dict[str, Any]], threads: int) -> list[int]:
    """POST /api/contacts, one per request, from `threads` keep-alive connections."""
    ids: list[int] = [0] * len(rows)
    errors: list[str] = []

    def work(part: int) -> None:
        client = product.client()
        try:
            for i in range(part, len(rows), threads):
                reply = client.post_json("/api/contacts", rows[i])
                if reply.status not in (200, 201):
                    errors.append(f"{reply.status} {reply.body[:200]!r}")
                    return
                ids[i] = int(reply.json()["id"])
        finally:
            client.close()

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise RuntimeError(f"POST /api/contacts failed: {errors[0]}")
    return ids


def expect_ok(reply: common.Reply, what: str) -> Any:
    if reply.status not in (200, 201, 202):
        raise RuntimeError(f"{what} failed: {reply.status} {reply.body[:500]!r}")
    return reply.json()


def make_email(client: common.Http) -> tuple[int, dict[str, Any]]:
    shipped = expect_ok(client.get("/api/templates?kind=email"), "GET /api/templates")
    template = next((t for t in shipped if t["key"] == TEMPLATE_KEY), None)
    if template is None:
        raise RuntimeError(f"no shipped template '{TEMPLATE_KEY}' among {[t['key'] for t in shipped]}")
    email = expect_ok(
        client.post_json(
            "/api/emails",
            {
                "name": "Delivery benchmark",
                "subject": SUBJECT,
                "from_name": "Parcours bench",
                "from_email": "news@parcours.example",
                "template_id": template["id"],
                "kind": "promotional",
            },
        ),
        "POST /api/emails",
    )
    return int(email["id"]), {
        "id": template["id"],
        "key": template["key"],
        "name": template["name"],
        "html_bytes": len(email["html"].encode()),
        "text_bytes": len(email["text"].encode()),
        "warnings": email["warnings"],
    }


# ---- checking what was received ----------------------------------------------------------------


def check_mime(samples_dir: Path, first_names: dict[str, str]) -> dict[str, Any]:
    """Each sampled message: multipart/alternative with text and HTML, personalized for its contact."""
    problems: list[str] = []
    checked = 0
    sizes = []
    for path in sorted(samples_dir.glob("*.eml")):
        raw = path.read_bytes()
        sizes.append(len(raw))
        checked += 1
        message = message_from_bytes(raw, policy=policy.default)
        to = str(message["To"] or "")
        first = first_names.get(to.lower())
        found: list[str] = []
        if message.get_content_type() != "multipart/alternative":
            found.append(f"content type {message.get_content_type()}")
        parts = [part.get_content_type() for part in message.iter_parts()]  # type: ignore[attr-defined]
        if parts != ["text/plain", "text/html"]:
            found.append(f"parts {parts}")
        defects = list(message.defects) + [d for part in message.walk() for d in part.defects]
        if defects:
            found.append(f"defects {defects}")
        for header in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe"):
            if not message[header]:
                found.append(f"no {header}")
        if first is None:
            found.append(f"unknown recipient {to!r}")
        else:
            text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))  # type: ignore[attr-defined]
            text = text_part.get_content() if text_part else ""
            body = html_part.get_content() if html_part else ""
            if not str(message["Subject"]).startswith(first + ","):
                found.append(f"subject {str(message['Subject'])!r} is not for {first}")
            if f"Hello {first}," not in text:
                found.append(f"text part does not greet {first}")
            if f"Hello {html.escape(first)}," not in body or to not in body:
                found.append(f"HTML part does not greet {first} or lacks {to}")
        if found:
            problems.append(f"{path.name}: " + "; ".join(found))
    return {
        "checked": checked,
        "valid": checked - len(problems),
        "problems": problems[:10],
        "mean_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
    }


# ---- profiling ---------------------------------------------------------------------------------


def start_profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """py-spy (collapsed stacks, non-blocking: the worker is not paused) on one worker."""
    return subprocess.Popen(
        [
            common.executable("py-spy"),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "100",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summarize_profile(path: Path, top: int = 25) -> dict[str, Any]:
    """Share of samples each function is on the stack of (inclusive), and at the top of (self)."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [f.rsplit(" (", 1)[0] + " (" + f.rsplit("/", 1)[-1] if "(" in f else f for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        own[frames[-1]] = own.get(frames[-1], 0) + count

    def share(table: dict[str, int]) -> list[tuple[str, float]]:
        return [(k, round(100 * v / total, 1)) for k, v in sorted(table.items(), key=lambda kv: -kv[1])[:top]]

    return {"samples": total, "inclusive_percent": share(inclusive), "self_percent": share(own)}


# ---- one run -----------------------------------------------------------------------------------


@contextmanager
def running_stack(backend: str, workers_count: int, args: argparse.Namespace, tmp: Path) -> Iterator[production.Stack]:
    with ExitStack() as cleanup:
        sink = SmtpSink(tmp, args.sink, expect=args.messages, samples=args.samples)
        yield production.start("delivery", tmp, cleanup, {}, workers_count, backend=backend, sink=sink)


@dataclass
class Audience:
    """The campaign's recipients and content, made through the API (setup, not measured)."""

    rows: list[dict[str, Any]]
    segment_id: int
    email_id: int
    template: dict[str, Any]
    seconds: float


def make_audience(stack: production.Stack, client: common.Http, args: argparse.Namespace) -> Audience:
    rows = contact_rows(args.messages, 0, seed=17)
    log(
        f"{stack.db.backend}, {stack.workers.count} worker(s): creating {len(rows):,} opted-in contacts "
        f"(POST /api/contacts, {args.seed_threads} connections)"
    )
    watch = common.Stopwatch()
    ids = create_contacts(stack.product, rows, args.seed_threads)
    seconds = watch.seconds
    segment = expect_ok(
        client.post_json("/api/segments", {"name": "Delivery bench", "kind": "static"}), "POST /api/segments"
    )
    for start in range(0, len(ids), MEMBERS_CHUNK):
        expect_ok(
            client.post_json(
                f"/api/segments/{segment['id']}/members", {"contact_ids": ids[start : start + MEMBERS_CHUNK]}
            ),
            "add members",
        )
    email_id, template = make_email(client)
    return Audience(rows, int(segment["id"]), email_id, template, seconds)


def wait_delivered(
    stack: production.Stack, before: dict[str, Any], started: float, args: argparse.Namespace
) -> tuple[dict[str, Any], list[tuple[float, int]]]:
    """Poll the sink until it has every message: its last status and (seconds, received) along the way.
    Fails after --stall seconds without a new message, or --timeout seconds in all."""
    progress: list[tuple[float, int]] = []
    last_change, last_count = time.time(), before["count"]
    while True:
        status = stack.sink.status()
        now = time.time()
        received = status["count"] - before["count"]
        progress.append((now - started, received))
        if received >= args.messages:
            return status, progress
        if status["count"] != last_count:
            last_change, last_count = now, status["count"]
        problem = (
            f"stalled for {args.stall:g}s"
            if now - last_change > args.stall
            else f"not done after {args.timeout:g}s"
            if now - started > args.timeout
            else None
        )
        if problem:
            raise RuntimeError(
                f"delivery {problem}: the sink has {received:,} of {args.messages:,} messages\n"
                f"worker 1 log:\n{stack.workers.log_tail(0)}\nserver log:\n{stack.product.log_tail()}"
            )
        time.sleep(0.05)


def wait_recorded(
    client: common.Http, campaign_id: int, expected: int, started: float, timeout: float = 120
) -> tuple[dict[str, Any], float | None]:
    """The campaign's totals once the outbox says every message is done (the last batch is recorded
    after it is sent), and when; None if that does not happen in `timeout` seconds (reported as such)."""
    deadline = time.time() + timeout
    detail: dict[str, Any] = {}
    while time.time() < deadline:
        detail = expect_ok(client.get(f"/api/campaigns/{campaign_id}"), "GET /api/campaigns/{id}")
        totals = detail["totals"]
        if totals["sent"] + totals["failed"] + totals["suppressed"] >= expected:
            return detail, time.time() - started
        time.sleep(0.2)
    log(f"the campaign's totals did not reach {expected:,} in {timeout:g}s: {detail.get('totals')}")
    return detail, None


def steady_rate(progress: list[tuple[float, int]], total: int, low: float = 0.1, high: float = 0.9) -> float | None:
    """Messages/s between `low` and `high` of the messages (start-up and tail left out)."""
    a = next((p for p in progress if p[1] >= low * total), None)
    b = next((p for p in progress if p[1] >= high * total), None)
    if a is None or b is None or b[0] <= a[0]:
        return None
    return (b[1] - a[1]) / (b[0] - a[0])


def cpu_percent(after: float, before: float, elapsed: float) -> float:
    return round(100 * (after - before) / max(elapsed, 1e-9), 1)


def run_once(backend: str, workers_count: int, args: argparse.Namespace) -> dict[str, Any]:
    with (
        common.workdir(f"delivery-{backend}-{workers_count}w") as tmp,
        running_stack(backend, workers_count, args, tmp) as stack,
    ):
        client = stack.product.client()
        audience = make_audience(stack, client, args)
        log(
            f"{backend}: {len(audience.rows):,} contacts in {audience.seconds:.1f}s; waiting for the workers to be idle"
        )
        idle_seconds = wait_idle(stack.db, stack.redis_url)
        time.sleep(1.0)

        # The measurement: from the campaign's creation until the sink has every message.
        before = stack.sink.status()
        cpu_before = (stack.workers.cpu_seconds(), stack.product.cpu_seconds(), before["cpu_seconds"])
        profile_path = common.RESULTS_DIR / f"delivery-{backend}-{workers_count}w-worker1.collapsed.txt"
        log(f"{backend}, {workers_count} worker(s): campaign of {args.messages:,} messages")
        started = time.time()
        campaign = expect_ok(
            client.post_json(
                "/api/campaigns",
                {
                    "email_id": audience.email_id,
                    "segment_ids": [audience.segment_id],
                    "name": f"bench {workers_count}w",
                },
            ),
            "POST /api/campaigns",
        )
        created_seconds = time.time() - started
        profiler = None
        if args.profile and workers_count == 1:
            common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            profiler = start_profile(stack.workers.pids[0], args.profile, profile_path)
        status, progress = wait_delivered(stack, before, started, args)
        elapsed = time.time() - started
        cpu_after = (stack.workers.cpu_seconds(), stack.product.cpu_seconds(), status["cpu_seconds"])
        detail, recorded_seconds = wait_recorded(client, campaign["id"], args.messages, started)
        client.close()
        if profiler is not None:
            profiler.wait(timeout=args.profile + 30)

        seconds = status["last"] - started
        first_after = status["first"] - started if before["count"] == 0 else None
        worker_cpu = [cpu_percent(a, b, elapsed) for a, b in zip(cpu_after[0], cpu_before[0], strict=True)]
        result = {
            "backend": backend,
            "workers": workers_count,
            "messages": args.messages,
            "sink": args.sink,
            "seconds": round(seconds, 3),
            "messages_per_s": args.messages / seconds,
            "steady_messages_per_s": steady_rate(progress, args.messages),
            "campaign_post_seconds": round(created_seconds, 3),
            "hourly_jobs_during": hourly_jobs_between(started, started + elapsed),
            "first_message_after_s": round(first_after, 3) if first_after is not None else None,
            "recorded_after_s": round(recorded_seconds, 3) if recorded_seconds is not None else None,
            "campaign_status": detail.get("status"),
            "totals": detail.get("totals"),
            "worker_cpu_percent": worker_cpu,
            "server_cpu_percent": cpu_percent(cpu_after[1], cpu_before[1], elapsed),
            "sink_cpu_percent": cpu_percent(cpu_after[2], cpu_before[2], elapsed),
            "sink_connections": status["connections"],
            "received_bytes": status["bytes"] - before["bytes"],
            "mime": check_mime(stack.sink.samples_dir, {r["email"].lower(): r["first_name"] for r in audience.rows}),
            "template": audience.template,
            "setup": {
                "contacts": len(audience.rows),
                "create_contacts_seconds": round(audience.seconds, 2),
                "contacts_per_s": round(len(audience.rows) / audience.seconds, 1),
                "idle_wait_seconds": round(idle_seconds, 2),
            },
            "progress": [(round(t, 2), n) for t, n in progress[:: max(1, len(progress) // 200)]],
            "worker_log_tail": stack.workers.log_tail(0, 10),
        }
        if profiler is not None and profile_path.exists():
            result["profile"] = {
                "worker_pid": stack.workers.pids[0],
                "seconds": args.profile,
                "file": str(profile_path.relative_to(common.ROOT)),
                **summarize_profile(profile_path),
            }
        log(
            f"{backend}, {workers_count} worker(s): {args.messages:,} messages in {seconds:.2f}s "
            f"= {args.messages / seconds:,.0f}/s (workers CPU {worker_cpu}%, sink {result['sink_cpu_percent']}%)"
        )
        return result


# ---- report ------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    ratios = {}
    for r in results:
        one = next((o for o in results if o["backend"] == r["backend"] and o["workers"] == 1), None)
        ratio = r["messages_per_s"] / one["messages_per_s"] if one and r["workers"] != 1 else None
        if ratio is not None:
            ratios[f"{r['backend']} {r['workers']}w/1w"] = round(ratio, 2)
        rows.append(
            [
                r["backend"]
                + (" (one file, writes serialized)" if r["backend"] == "sqlite" and r["workers"] > 1 else ""),
                r["workers"],
                r["messages"],
                r["seconds"],
                r["messages_per_s"],
                r["steady_messages_per_s"] or "-",
                r["first_message_after_s"] if r["first_message_after_s"] is not None else "-",
                "/".join(f"{c:.0f}" for c in r["worker_cpu_percent"]) + "%",
                f"{r['sink_cpu_percent']:.0f}%",
                f"{ratio:.2f}" if ratio is not None else "-",
                f">= {TARGET:,.0f}/s" if r["workers"] == 1 else "",
                verdict(r["messages_per_s"], TARGET) if r["workers"] == 1 else "",
            ]
        )
    sinks = sorted({r.get("sink", "aiosmtpd") for r in results})
    print_table(
        f"Campaign delivery: POST /api/campaigns until the SMTP sink ({', '.join(sinks)}) has every message",
        [
            "backend",
            "workers",
            "messages",
            "seconds",
            "messages/s",
            "steady msg/s",
            "1st msg s",
            "worker CPU",
            "sink CPU",
            "ratio vs 1w",
            "target",
            "verdict",
        ],
        rows,
    )
    checks = []
    for r in results:
        totals = r["totals"] or {}
        m = r["mime"]
        checks.append(
            [
                r["backend"],
                r["workers"],
                totals.get("sent", "?"),
                totals.get("failed", "?"),
                totals.get("suppressed", "?"),
                r["recorded_after_s"] or "-",
                f"{m['valid']}/{m['checked']}",
                m["mean_bytes"],
                "; ".join(m["problems"][:2]) or "ok",
            ]
        )
    print_table(
        "Outcome (campaign totals) and MIME check of sampled messages (multipart/alternative, "
        "first name in subject, text and HTML)",
        ["backend", "workers", "sent", "failed", "suppressed", "all recorded s", "MIME valid", "bytes", "problems"],
        checks,
    )
    for r in results:
        if "profile" in r:
            prof = r["profile"]
            print_table(
                f"py-spy, worker 1 ({r['backend']}, {prof['seconds']}s, {prof['samples']} samples): "
                f"share of samples on the stack",
                ["function", "inclusive %"],
                [[name[:110], pct] for name, pct in prof["inclusive_percent"]],
            )
    return ratios


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--messages", type=int, help="contacts, hence messages, per run (default 20,000; quick 1,000)")
    p.add_argument("--workers-list", default="1,2", help="worker counts to run, each on a fresh database (default 1,2)")
    p.add_argument("--seed-threads", type=int, default=8, help="connections creating the contacts (setup)")
    p.add_argument("--samples", type=int, default=20, help="received messages kept for the MIME check")
    p.add_argument(
        "--sink",
        choices=SINKS,
        default="lean",
        help="the SMTP server receiving the mail: lean (default: a minimal SMTP server with "
        "PIPELINING, as relays have, cheap on CPU) or aiosmtpd (line by line, no PIPELINING)",
    )
    p.add_argument("--stall", type=float, default=60.0, help="give up after this many seconds without progress")
    p.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="give up when a campaign's delivery takes longer than this many seconds",
    )
    p.add_argument(
        "--profile",
        type=float,
        default=0,
        help="py-spy the worker of the 1-worker run for this many seconds (collapsed stacks "
        "in bench/results/; the run is slightly slowed)",
    )
    args = p.parse_args(argv)
    args.messages = args.messages or (1_000 if args.quick else 20_000)
    if args.profile:
        common.executable("py-spy")  # missing: say so now rather than after the setup
    worker_counts = [int(w) for w in args.workers_list.split(",") if w.strip()]
    results, failures = [], []
    for backend in common.selected_backends(args.backend):
        for count in worker_counts:
            try:
                results.append(run_once(backend, count, args))
            except Exception as exc:  # a failed run must not lose the figures of the others
                log(f"{backend}, {count} worker(s) FAILED: {exc}")
                failures.append({"backend": backend, "workers": count, "error": str(exc)})
    ratios = report(results) if results else {}
    import parcours

    common.write_results(
        common.results_name("delivery", args),
        args,
        {
            "product_source": str(Path(parcours.__file__).parent),
            "target_messages_per_s_one_worker": TARGET,
            "ratios": ratios,
            "runs": results,
            "failures": failures,
        },
    )
    if failures:
        raise SystemExit(
            f"{len(failures)} run(s) failed: "
            + "; ".join(f"{f['backend']} {f['workers']}w: {f['error'].splitlines()[0]}" for f in failures)
        )


if __name__ == "__main__":
    main()
