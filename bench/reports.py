"""Email reports on the daily rollups: the rollups' cost on the interaction stream, and the report
endpoints' latency at size against the naive baseline (the same figures from the raw rows).

Measured (in-process, against a real PostgreSQL database, the product's own functions):
  a. the stream's throughput (interactions/s through `stream.process_new_interactions` with the
     product's consumers), with and without the rollups consumer (daily rollups and the emails'
     breakdowns by hour, domain and link): equal slices of new email interactions (sent, opened,
     clicked, bounced, purchases) alternately without and with it, the median of each.
                                                                          target: cost <= 15%
  b. the email reports as their routes compute them (`reports.emails.report` for the last 30 days
     and for 120 days, `reports.emails.email_report` of the most sent email), median and p95 over
     --requests calls after 3 unmeasured ones; the naive baselines compute the same figures from
     the raw interactions by SQL: the list (GROUP BY email over the period), one email (its
     figures, and GROUP BY hour of sending, domain and link); ratio baseline / ours.
                                                                          target: p95 <= 1 s
Setup (timed, not measured): contacts as bench.contact_list loads them; then --interactions email
interactions over 120 days (each message: sent; 2% bounced; ~35% opened, a third of them first by
a privacy proxy; ~8% clicked; some purchases after a click) and the outbox row of each message,
written with COPY; the stream cursors moved past them; the rollups filled by
`reports.recount.rebuild` (timed: the `parcours rebuild-rollups` speed, interactions/s).
With --backend sqlite the data is loaded the same way into PostgreSQL, rebuilt there, then copied
into a new SQLite file (`common.copy_to_sqlite`) where (b) is measured without the naive baseline
(its SQL is PostgreSQL's); (a) is not measured then.
Use PARCOURS_BENCH_DATABASE_URL to pick a database of your own (its schema is dropped).
`--stream-only` measures (a) only (no rebuild); `--keep-data` reuses the data an earlier run of the
same --contacts left (migrate it first) and measures (a) only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import common, contact_list
from bench.common import Database, log, print_table, verdict
from bench.segments import set_stream_cursors

DAYS = 120
EMAILS = 60
REPORT_TARGET_S = 1.0
COST_TARGET = 0.15
CHUNK = 200_000
DOMAINS = ("gmail.com", "orange.fr", "outlook.com", "yahoo.fr", "free.fr", "example.com")


class MailMaker:
    """Messages and what became of them, as interaction rows and outbox rows."""

    def __init__(self, contacts: list[int], start: float, end: float, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.contacts = contacts
        self.start, self.end = start, end
        self.message_id = 0

    def messages(self, count: int, start: float, end: float) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(interactions: contact_id, type, at, value, properties) and (outbox rows) of `count` messages."""
        rng = self.rng
        interactions: list[tuple[Any, ...]] = []
        outbox: list[tuple[Any, ...]] = []
        for _ in range(count):
            self.message_id += 1
            mid = self.message_id
            contact = rng.choice(self.contacts)
            email = 1 + min(EMAILS - 1, int(rng.expovariate(1 / 12)))
            sent = start + rng.random() * (end - start)
            domain = DOMAINS[mid % len(DOMAINS)]
            about = {"email_id": email, "campaign_id": email, "variant": None, "message_id": mid, "domain": domain}
            interactions.append((contact, "email_sent", sent, None, json.dumps({**about, "subject": "Offer"})))
            # What tracking adds to the events of a message: its hour of sending.
            about["sent_hour"] = datetime.fromtimestamp(sent, UTC).hour
            row = {"opened": None, "clicked": None, "human_opened": None, "human_clicked": None, "bounced": None}
            if rng.random() < 0.02:
                row["bounced"] = sent + 60
                interactions.append((contact, "email_bounced", sent + 60, None, json.dumps({**about, "hard": True})))
            elif rng.random() < 0.35:
                machine = rng.random() < 0.33
                at = sent + (2 if machine else rng.random() * 86400)
                first = {"machine": machine, "first_open": True, **({} if machine else {"first_human_open": True})}
                interactions.append((contact, "email_opened", at, None, json.dumps({**about, **first})))
                row["opened"] = at
                row["human_opened"] = None if machine else at
                if rng.random() < 0.23:
                    click = at + rng.random() * 600
                    flags = {"machine": False, "first_click": True, "first_human_click": True}
                    if machine:
                        flags["first_human_open"] = True
                    url = f"https://shop.example.fr/{rng.randint(1, 4)}"
                    interactions.append(
                        (contact, "email_clicked", click, None, json.dumps({**about, **flags, "url": url}))
                    )
                    row["clicked"] = row["human_clicked"] = click
                    row["human_opened"] = row["human_opened"] or click
                    if rng.random() < 0.1:
                        amount = round(rng.lognormvariate(4, 0.8), 2)
                        interactions.append((contact, "purchase", click + 3600, amount, json.dumps({"amount": amount})))
            outbox.append((mid, f"bench-{mid}", contact, email, email, f"c{contact}@{domain}", sent, row))
        return interactions, outbox


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


async def _copy(db: Database, interactions: list[tuple[Any, ...]], outbox: list[tuple[Any, ...]]) -> None:
    import asyncpg

    conn = await asyncpg.connect(common._plain_pg(db.url))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.copy_records_to_table(
            "interactions",
            records=[(c, k, _moment(at), v, p, _moment(at)) for c, k, at, v, p in interactions],
            columns=["contact_id", "type", "occurred_at", "value", "properties", "received_at"],
        )
        await conn.copy_records_to_table(
            "outbox",
            records=[
                (
                    mid,
                    key,
                    "email",
                    "promotional",
                    contact,
                    email,
                    campaign,
                    address,
                    "sent",
                    "",
                    "",
                    1,
                    _moment(sent),
                    _moment(sent),
                    "Offer",
                    _moment(r["opened"]),
                    int(r["opened"] is not None),
                    _moment(r["clicked"]),
                    int(r["clicked"] is not None),
                    _moment(r["human_opened"]),
                    _moment(r["human_clicked"]),
                    _moment(r["bounced"]),
                    "",
                    "{}",
                    _moment(sent),
                )
                for mid, key, contact, email, campaign, address, sent, r in outbox
            ],
            columns=[
                "id",
                "idempotency_key",
                "channel",
                "kind",
                "contact_id",
                "email_id",
                "campaign_id",
                "to_address",
                "status",
                "reason",
                "reason_code",
                "attempts",
                "send_after",
                "sent_at",
                "subject",
                "opened_at",
                "opens",
                "clicked_at",
                "clicks",
                "human_opened_at",
                "human_clicked_at",
                "bounced_at",
                "message_id",
                "data",
                "created_at",
            ],
        )
    finally:
        await conn.close()


def create_emails(db: Database) -> None:
    db.execute(
        *[
            "INSERT INTO emails (id, name, subject, preheader, mjml, html, text, from_name, from_email, kind, language,"
            f" version, warnings, archived, created_by, created_at, updated_at) VALUES ({i}, 'Newsletter {i}', 'Offer',"
            " '', '', '', '', 'Parcours', 'news@example.fr', 'promotional', 'en', 1, '[]', false, 'bench', now(), now())"
            for i in range(1, EMAILS + 1)
        ],
        f"SELECT setval('emails_id_seq', {EMAILS})",
    )


def load_mail(db: Database, maker: MailMaker, total: int) -> int:
    """About `total` interactions over DAYS days, in time slices; returns how many were written."""
    create_emails(db)
    written, per_message = 0, 1.5
    slices = max(1, int(total / per_message) // CHUNK + 1)
    width = (maker.end - maker.start) / slices
    for index in range(slices):
        count = int(total / per_message / slices)
        interactions, outbox = maker.messages(count, maker.start + index * width, maker.start + (index + 1) * width)
        asyncio.run(_copy(db, interactions, outbox))
        written += len(interactions)
        log(f"  {written:,} interactions, {maker.message_id:,} messages written")
    db.execute(f"SELECT setval('outbox_id_seq', {maker.message_id})")
    return written


# ---- in-process measurements ------------------------------------------------------------------------


async def _noop(*_args: Any, **_kwargs: Any) -> None:
    return None


async def stream_cost(db: Database, maker: MailMaker, slice_size: int, rounds: int) -> dict[str, Any]:
    from parcours import stream
    from parcours.db import create_engine, session_factory
    from parcours.reports import rollups
    from parcours.settings import load_settings

    settings = load_settings({}, database_url=db.url)
    engine = create_engine(settings.sqlalchemy_url)
    sessions = session_factory(engine)
    every = stream.consumers(_noop, "http://localhost:8000")  # type: ignore[arg-type]
    # The product's consumers but the reports' rollups (not the last one: others came after it).
    without = [c for c in every if c.__module__ != rollups.__name__]
    assert len(without) == len(every) - 1, "the rollups consumer was not found"
    rates: dict[str, list[float]] = {"without": [], "with": []}
    try:
        for round_ in range(rounds):
            for name, consumers in (("without", without), ("with", every)):
                now = time.time()
                interactions, outbox = maker.messages(int(slice_size / 1.5), now - 3600, now - 60)
                await _copy(db, interactions, outbox)
                started = time.perf_counter()
                processed = await stream.process_new_interactions(sessions, consumers)
                seconds = time.perf_counter() - started
                rates[name].append(processed / seconds)
                log(f"  round {round_ + 1} {name} rollups: {processed:,} interactions in {seconds:.2f}s")
    finally:
        await engine.dispose()
    without_rate, with_rate = statistics.median(rates["without"]), statistics.median(rates["with"])
    return {
        "slice": slice_size,
        "rounds": rounds,
        "without_per_s": round(without_rate),
        "with_per_s": round(with_rate),
        "cost": round(1 - with_rate / without_rate, 3),
        "all": rates,
    }


NAIVE = """
SELECT properties->>'email_id' AS email, type, count(*),
       count(DISTINCT properties->>'message_id') FILTER (WHERE type IN ('email_opened', 'email_clicked')),
       count(DISTINCT properties->>'message_id') FILTER (WHERE type IN ('email_opened', 'email_clicked')
                                                         AND NOT coalesce((properties->>'machine')::boolean, false))
FROM interactions
WHERE type IN ('email_sent', 'email_bounced', 'email_opened', 'email_clicked', 'email_unsubscribed',
               'email_complained') AND occurred_at >= :since AND occurred_at < :until
GROUP BY 1, 2
"""
# One email from the raw rows: its figures, then by hour of sending, by domain and by link.
NAIVE_ONE = [
    NAIVE.replace("AND occurred_at", "AND properties->>'email_id' = :email AND occurred_at"),
    """
SELECT coalesce(properties->>'sent_hour', extract(hour FROM occurred_at AT TIME ZONE 'UTC')::text), type,
       count(DISTINCT properties->>'message_id')
FROM interactions
WHERE type IN ('email_sent', 'email_opened', 'email_clicked') AND properties->>'email_id' = :email
  AND occurred_at >= :since AND occurred_at < :until
GROUP BY 1, 2
""",
    """
SELECT properties->>'domain', type, count(DISTINCT properties->>'message_id')
FROM interactions
WHERE type IN ('email_sent', 'email_bounced', 'email_opened', 'email_clicked')
  AND properties->>'email_id' = :email AND occurred_at >= :since AND occurred_at < :until
GROUP BY 1, 2
""",
    """
SELECT properties->>'url', count(*), count(DISTINCT properties->>'message_id')
FROM interactions
WHERE type = 'email_clicked' AND properties->>'email_id' = :email AND occurred_at >= :since AND occurred_at < :until
GROUP BY 1
""",
]


async def reports_latency(db: Database, requests: int, naive: bool = True) -> dict[str, Any]:
    from sqlalchemy import text

    from parcours.db import create_engine, session_factory
    from parcours.reports import emails
    from parcours.reports.filters import ReportFilters
    from parcours.settings import load_settings

    settings = load_settings({}, database_url=db.url)
    engine = create_engine(settings.sqlalchemy_url)
    sessions = session_factory(engine, read_only=True)
    today = datetime.now(UTC).date()
    periods = {
        "30 days": ReportFilters(start=today - timedelta(days=29), end=today),
        "120 days": ReportFilters(start=today - timedelta(days=DAYS - 1), end=today),
    }
    out: dict[str, Any] = {}
    try:
        async with sessions() as session:
            top = (await emails.report(session, periods["120 days"])).items[0].email_id
            for label, filters in periods.items():

                async def listing(filters: ReportFilters = filters) -> Any:
                    return await emails.report(session, filters)

                async def one(filters: ReportFilters = filters) -> Any:
                    return await emails.email_report(session, top, filters)

                async def from_raw_rows(filters: ReportFilters = filters) -> Any:
                    connection = await session.connection()
                    rows = await connection.execute(text(NAIVE), {"since": filters.since, "until": filters.until})
                    return rows.all()

                async def one_from_raw_rows(filters: ReportFilters = filters) -> Any:
                    connection = await session.connection()
                    wanted = {"since": filters.since, "until": filters.until, "email": str(top)}
                    return [(await connection.execute(text(sql), wanted)).all() for sql in NAIVE_ONE]

                out[label] = {
                    "emails": await common.timed(listing, requests),
                    "email": await common.timed(one, requests),
                }
                if naive:  # its SQL is PostgreSQL's
                    out[label]["naive"] = await common.timed(from_raw_rows, max(3, requests // 4))
                    out[label]["naive_one"] = await common.timed(one_from_raw_rows, max(3, requests // 4))
                log(f"  {label}: {out[label]}")
    finally:
        await engine.dispose()
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from parcours.db import create_engine, session_factory
    from parcours.reports import recount
    from parcours.settings import load_settings

    steps: dict[str, float] = {}
    with common.workdir("reports") as work:
        if args.keep_data and (kept := _kept(args.contacts)):
            return _stream_only(kept[0], kept[1], args)
        db = common.prepare_database("postgresql", work)
        env = common.product_env(db, work / "data")
        watch = common.Stopwatch()
        contact_list.load(db, env, argparse.Namespace(contacts=args.contacts, seed_sample=min(10_000, args.contacts)))
        steps["contacts"] = round(watch.seconds, 1)
        ids = [int(r[0]) for r in db.execute("SELECT id FROM contacts")[0]]
        now = time.time()
        maker = MailMaker(ids, now - DAYS * 86400, now - 7200)
        watch = common.Stopwatch()
        written = load_mail(db, maker, args.interactions)
        db.execute("VACUUM ANALYZE interactions", "VACUUM ANALYZE outbox")
        steps["interactions"] = round(watch.seconds, 1)
        set_stream_cursors(db, datetime.now(UTC))

        async def rebuild() -> int:
            engine = create_engine(load_settings({}, database_url=db.url).sqlalchemy_url)
            try:
                today = datetime.now(UTC).date()
                return await recount.rebuild(session_factory(engine), today - timedelta(days=DAYS + 1), today)
            finally:
                await engine.dispose()

        watch = common.Stopwatch()
        read = 0 if args.stream_only else asyncio.run(rebuild())
        steps["rebuild_rollups"] = round(watch.seconds, 1)
        db.execute("VACUUM ANALYZE report_daily", "VACUUM ANALYZE report_email_daily")
        log(f"rollups rebuilt from {read:,} interactions in {steps['rebuild_rollups']}s")
        if args.backend == "sqlite":  # the same data, copied into SQLite: (b) measured there
            watch = common.Stopwatch()
            copy = asyncio.run(common.copy_to_sqlite(db, work / "parcours.db"))
            steps["copied to SQLite"] = round(watch.seconds, 1)
            latency = asyncio.run(reports_latency(copy, args.requests, naive=False))
            cost = None
        else:
            latency = {} if args.stream_only else asyncio.run(reports_latency(db, args.requests))
            cost = asyncio.run(stream_cost(db, maker, args.slice, args.rounds))
        rows = int(db.scalar("SELECT count(*) FROM report_daily"))
        email_rows = int(db.scalar("SELECT count(*) FROM report_email_daily"))
    return {
        "backend": "sqlite" if args.backend == "sqlite" else "postgresql",
        "contacts": args.contacts,
        "interactions": written,
        "messages": maker.message_id,
        "report_daily_rows": rows,
        "report_email_daily_rows": email_rows,
        "setup_seconds": steps,
        "rebuild_per_s": round(read / steps["rebuild_rollups"]) if steps["rebuild_rollups"] else None,
        "latency": latency,
        "stream": cost,
    }


def _kept(contacts: int) -> tuple[Database, MailMaker] | None:
    """The data of an earlier run (--keep-data) when it has as many contacts, else None."""
    db = Database("postgresql", common.pg_url())
    try:
        ids = [int(r[0]) for r in db.execute("SELECT id FROM contacts")[0]]
        last = int(db.scalar("SELECT coalesce(max(id), 0) FROM outbox"))
    except Exception:  # no schema yet: the data is loaded
        return None
    if len(ids) != contacts or not last:
        return None
    now = time.time()
    maker = MailMaker(ids, now - DAYS * 86400, now - 7200)
    maker.message_id = last
    return db, maker


def _stream_only(db: Database, maker: MailMaker, args: argparse.Namespace) -> dict[str, Any]:
    """On kept data: the stream's cost only (the rollups and reports are as the earlier run left them)."""
    log(f"kept data: {len(maker.contacts):,} contacts, {maker.message_id:,} messages")
    return {
        "backend": "sqlite" if args.backend == "sqlite" else "postgresql",
        "contacts": args.contacts,
        "interactions": int(db.scalar("SELECT count(*) FROM interactions")),
        "messages": maker.message_id,
        "kept_data": True,
        "latency": {},
        "stream": asyncio.run(stream_cost(db, maker, args.slice, args.rounds)),
    }


def report(results: dict[str, Any]) -> None:
    rows = []
    for label, figures in results["latency"].items():
        for name, baseline in (("emails", "naive"), ("email", "naive_one")):
            p95, naive = figures[name]["p95_ms"], figures.get(baseline, {}).get("p95_ms")
            rows.append(
                [
                    f"{name} ({label})",
                    f"{figures[name]['median_ms']:.0f}",
                    f"{p95:.0f}",
                    f"{naive:.0f}" if naive is not None else "",
                    f"{naive / p95:.1f}x" if naive is not None else "",
                    verdict(p95, REPORT_TARGET_S * 1000, False),
                ]
            )
    print_table(
        f"Email reports at {results['contacts']:,} contacts / {results['interactions']:,} interactions "
        f"({'SQLite' if results.get('backend') == 'sqlite' else 'PostgreSQL'}, in-process)",
        ["report", "median ms", "p95 ms", "naive p95 ms", "naive / ours", "target p95 <= 1 s"],
        rows,
    )
    s = results["stream"]
    if s is None:
        return
    print_table(
        "The rollups' cost on the interaction stream",
        ["without (int/s)", "with (int/s)", "cost", "target <= 15%"],
        [[s["without_per_s"], s["with_per_s"], f"{s['cost'] * 100:.1f}%", verdict(s["cost"], COST_TARGET, False)]],
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=1_000_000)
    p.add_argument("--interactions", type=int, default=10_000_000)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--slice", type=int, default=20_000, help="interactions per stream measurement")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", help="also write the results to this path")
    p.add_argument(
        "--keep-data", action="store_true", help="reuse the data of an earlier run of the same size: (a) only"
    )
    p.add_argument("--stream-only", action="store_true", help="measure (a) only")
    args = p.parse_args(argv)
    if args.quick:
        args.contacts, args.interactions, args.requests, args.slice, args.rounds = 5_000, 50_000, 5, 5_000, 1
    if problem := common.postgres_reachable(common.pg_url()):
        raise SystemExit(f"PostgreSQL is needed: {problem}")
    results = run(args)
    report(results)
    written = common.write_results(common.results_name("reports", args), args, results)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(written.read_text())


if __name__ == "__main__":
    main()
