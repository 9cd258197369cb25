"""The reports that read live tables (Home overview, lead generation, pipeline, ROI, marketing plan,
journey reach and a contact's path, leaderboards) at 1,000,000 contacts, against naive baselines.

Measured (in-process, against a real PostgreSQL database, each report as its route computes it):
median and p95 over --requests calls after 3 unmeasured ones, for the last 30 days and for the
last 365 days. The naive baseline computes the same figures from the raw rows by SQL at request
time (no rollup, no index made for it: journeys ranked from the outbox, the Home's figures counted
over the whole tables); ratio naive / ours.                               target: p95 <= 1 s

Setup (timed, not measured), written by SQL on the server (generate_series) as fast as it goes:
--contacts contacts (created over two years; ~20% leads, their lead_at over the last year, origin
inbound / outbound / sales with the form, page, journey or campaign), 60 emails, 50 journeys (one
published version each) with runs for ~30% of the contacts (entered over the year, ~10%
converted), three steps and three journey emails per run (outbox rows, ~35% opened, ~8% clicked),
--opportunities opportunities across stages, --interactions interactions (email events and
lifecycle moves), and the daily rollups of journeys, steps and emails over the year written
directly (what the stream would have added up). Use PARCOURS_BENCH_DATABASE_URL to pick a database
of your own (its schema is dropped); --reuse measures again on the data of the previous run
(after `parcours migrate`, so that a new migration's indexes are there); --only measures the
reports whose names start with one of its values.

Before and after the messages sent per day (outbox_sent_daily) and the journey reach index
(ix_outbox_journey_reach): "plan (before)" and "journey-reach (before)" are the same reports with
the outbox read as it was before them (kept here as the baseline: the plan's messages grouped
from the outbox's rows, journey reach's totals in two passes over the messages, a search run again
by each of its queries) and without the index (dropped for that measure, made again afterwards); ratio before / after. The daily counts
are filled by the product's own recount (`channels.sent_daily.recount`, what `parcours
rebuild-rollups` runs), timed as the setup step "messages sent per day".

With --backend sqlite the data is loaded the same way into PostgreSQL, then copied into a new
SQLite file (`common.copy_to_sqlite`, timed) and measured there, without the naive baseline (its
SQL is PostgreSQL's) and without "before" (it drops a PostgreSQL index); PostgreSQL is still needed.

The Home overview is measured twice: "overview (counted live)" without its snapshot (the days
before today counted from the raw rows, as before the snapshot existed), then "overview" after
the worker's refresh of the snapshot (timed as the setup step "overview snapshot").
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import common
from bench.common import Database, log, print_table, verdict
from bench.reports import create_emails

TARGET_S = 1.0
JOURNEYS = 50
EMAILS = 60
STEPS = 3  # email steps per journey
YEAR = "interval '365 days'"


# ---- loading ---------------------------------------------------------------------------------------


def _contacts(n: int) -> str:
    # g % 5 = 0: a lead (20%), its origin by g % 3; stages and sources spread by other moduli.
    return f"""
INSERT INTO contacts (email, first_name, last_name, country, language, lifecycle_stage, source,
  lead_origin, lead_origin_form_id, lead_origin_page_id, lead_origin_journey_id, lead_origin_campaign_id, lead_at,
  consent_level, email_opt_in, sms_opt_in, unsubscribed, bounced, custom, scores, search_text,
  opens_30d, clicks_30d, visits_30d, purchases, total_revenue, created_at, updated_at)
SELECT 'c' || g || '@example.fr', 'First' || (g % 997), 'Last' || (g % 1999), 'FR', 'fr',
  (ARRAY['subscriber','lead','marketing_qualified','sales_ready','opportunity','customer','disqualified'])[1 + g % 7],
  (ARRAY['website','webinar','trade_show','import','referral','linkedin'])[1 + g % 6],
  CASE WHEN g % 5 = 0 THEN (ARRAY['inbound','outbound','sales'])[1 + (g / 5) % 3] END,
  CASE WHEN g % 5 = 0 AND (g / 5) % 3 = 0 THEN 1 + g % 20 END,
  CASE WHEN g % 5 = 0 AND (g / 5) % 3 = 0 AND g % 2 = 0 THEN 1 + g % 10 END,
  CASE WHEN g % 5 = 0 AND (g / 5) % 3 = 1 THEN 1 + g % {JOURNEYS} END,
  CASE WHEN g % 5 = 0 AND (g / 5) % 3 = 1 AND g % 4 = 0 THEN 1 + g % 30 END,
  CASE WHEN g % 5 = 0 THEN now() - random() * {YEAR} END,
  'marketing', true, false, false, false, '{{}}', '{{}}', 'first' || (g % 997) || ' last' || (g % 1999) || ' c' || g,
  0, 0, 0, 0, 0, now() - random() * interval '730 days', now()
FROM generate_series(1, {n}) g"""


def _journeys() -> list[str]:
    nodes = ",".join(f'{{"id": "e{i}", "type": "send_email", "config": {{}}}}' for i in range(1, STEPS + 1))
    definition = f'{{"nodes": [{nodes}], "edges": []}}'
    return [
        f"""INSERT INTO journeys (id, name, description, status, definition, settings, version, has_changes,
  enrolled_version, created_by, created_at, updated_at, published_at)
SELECT j, 'Journey ' || j, '', CASE WHEN j % 10 = 0 THEN 'stopped' ELSE 'published' END, '{definition}', '{{}}', 1,
  false, 1, 'bench', now() - interval '400 days', now() - (j % 10) * interval '1 day', now() - interval '380 days' + j * interval '1 day'
FROM generate_series(1, {JOURNEYS}) j""",
        f"SELECT setval('journeys_id_seq', {JOURNEYS})",
        f"""INSERT INTO journey_versions (id, journey_id, version, definition, settings, published_by, published_at)
SELECT j, j, 1, '{definition}', '{{}}', 'bench', now() - interval '380 days' + j * interval '1 day'
FROM generate_series(1, {JOURNEYS}) j""",
        f"SELECT setval('journey_versions_id_seq', {JOURNEYS})",
    ]


def _runs(contacts: int) -> list[str]:
    # Contacts with g % 10 in (1, 4, 7) enter one journey (30%).
    return [
        f"""INSERT INTO journey_runs (journey_id, version_id, contact_id, entry_key, node_id, status, entered_at,
  updated_at, converted_at, error)
SELECT 1 + g % {JOURNEYS}, 1 + g % {JOURNEYS}, g, 'once', 'e{STEPS}',
  (ARRAY['active','waiting','completed','completed','exited'])[1 + g % 5], e, e,
  CASE WHEN g % 10 = 7 AND g % 3 = 0 THEN e + interval '2 days' END, ''
FROM (SELECT g, now() - random() * {YEAR} AS e FROM generate_series(1, {contacts}) g WHERE g % 10 IN (1, 4, 7)) r""",
        f"""INSERT INTO journey_steps (journey_id, run_id, node_id, outcome, at)
SELECT r.journey_id, r.id, 'e' || s, CASE WHEN r.id % 500 = 0 AND s = {STEPS} THEN 'error' ELSE 'done' END,
  r.entered_at + s * interval '1 day'
FROM journey_runs r, generate_series(1, {STEPS}) s""",
        # One email per step: email (journey - 1) % 20 * 3 + step, so journeys share some emails.
        f"""INSERT INTO outbox (idempotency_key, channel, kind, contact_id, email_id, journey_id, node_id, to_address,
  status, reason, reason_code, attempts, send_after, sent_at, subject, opened_at, opens, clicked_at, clicks,
  human_opened_at, human_clicked_at, bounced_at, unsubscribed_at, message_id, data, created_at)
SELECT 'j-' || r.id || '-' || s, 'email', 'promotional', r.contact_id, ((r.journey_id - 1) % 20) * 3 + s,
  r.journey_id, 'e' || s, 'c' || r.contact_id || '@example.fr', 'sent', '', '', 1, t, t, 'Offer',
  CASE WHEN o < 0.35 THEN t + interval '1 hour' END, (o < 0.35)::int,
  CASE WHEN o < 0.08 THEN t + interval '2 hours' END, (o < 0.08)::int,
  CASE WHEN o < 0.25 THEN t + interval '1 hour' END, CASE WHEN o < 0.08 THEN t + interval '2 hours' END,
  CASE WHEN o > 0.98 THEN t + interval '1 minute' END, CASE WHEN o BETWEEN 0.5 AND 0.505 THEN t + interval '3 hours' END,
  '', '{{}}', t
FROM (SELECT r.*, s, r.entered_at + s * interval '1 day' AS t, random() AS o
      FROM journey_runs r, generate_series(1, {STEPS}) s) r""",
    ]


def _opportunities(n: int, contacts: int) -> str:
    return f"""
INSERT INTO opportunities (name, contact_id, budget, estimated_revenue, actual_revenue, stage, close_date,
  created_at, updated_at, origin_kind, origin_journey_id, origin_campaign_id, origin_form_id)
SELECT 'Deal ' || g, 1 + (g * 7919) % {contacts}, 1000 + g % 5000, 2000 + g % 9000,
  CASE WHEN g % 6 = 4 THEN 1500 + g % 8000 END,
  (ARRAY['qualify','develop','propose','close','won','lost'])[1 + g % 6],
  (now() - random() * {YEAR})::date, c, c,
  (ARRAY['inbound','outbound','sales', NULL])[1 + g % 4],
  CASE WHEN g % 4 = 1 THEN 1 + g % {JOURNEYS} END, CASE WHEN g % 8 = 5 THEN 1 + g % 30 END,
  CASE WHEN g % 4 = 0 THEN 1 + g % 20 END
FROM (SELECT g, now() - random() * {YEAR} AS c FROM generate_series(1, {n}) g) o"""


def _interactions(n: int, contacts: int) -> str:
    # 2% are lifecycle moves out of subscriber (the Home's new leads), the rest email events.
    return f"""
INSERT INTO interactions (contact_id, type, occurred_at, value, properties, received_at)
SELECT (1 + (g::bigint * 104729) % {contacts})::int,
  CASE WHEN g % 50 = 0 THEN 'lifecycle_stage_changed'
       ELSE (ARRAY['email_sent','email_sent','email_opened','email_clicked','page_viewed'])[1 + g % 5] END,
  t, NULL,
  CASE WHEN g % 50 = 0 THEN jsonb_build_object('from', 'subscriber', 'to', 'lead')
       ELSE jsonb_build_object('email_id', 1 + g % {EMAILS}, 'message_id', g) END,
  t
FROM (SELECT g, now() - random() * {YEAR} AS t FROM generate_series(1, {n}) g) i"""


def _rollups() -> list[str]:
    # What the stream adds up per day: per journey, per journey step and per email, for a year.
    metrics = {
        "sent": "40 + (h % 60)",
        "bounced_hard": "h % 2",
        "bounced_soft": "h % 3 / 2",
        "unique_opens": "10 + h % 20",
        "unique_opens_human": "8 + h % 15",
        "unique_clicks": "2 + h % 6",
        "unique_clicks_human": "1 + h % 5",
        "revenue": "(h % 7) * 12.5",
    }
    journey_only = {"entered": "20 + h % 30", "conversions": "h % 4", "submissions": "h % 3", "leads": "h % 5"}

    def rows(subject: str, ids: str, chosen: dict[str, str]) -> str:
        values = ", ".join(f"('{m}', {expr})" for m, expr in chosen.items())
        return f"""INSERT INTO report_daily (day, subject, subject_id, metric, value)
SELECT d::date, '{subject}', s.id, m.metric, m.value
FROM generate_series(current_date - 364, current_date, interval '1 day') d, ({ids}) s,
LATERAL (SELECT abs(hashtext(s.id || d::text)) AS h) x, LATERAL (VALUES {values}) m(metric, value)"""

    return [
        rows("journey", f"SELECT j::text AS id FROM generate_series(1, {JOURNEYS}) j", metrics | journey_only),
        rows(
            "node",
            f"SELECT j || ':e' || s AS id FROM generate_series(1, {JOURNEYS}) j, generate_series(1, {STEPS}) s",
            metrics,
        ),
        rows("email", f"SELECT e::text AS id FROM generate_series(1, {EMAILS}) e", metrics),
    ]


def load(db: Database, args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    """Each step fills one table; with --resume, a step whose table has rows already is skipped
    (a load cut short goes on where it stopped)."""
    steps: dict[str, float] = {}

    def step(name: str, table: str, *statements: str) -> None:
        if args.resume and db.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            log(f"  {name}: already there")
            return
        watch = common.Stopwatch()
        db.execute(*statements)
        steps[name] = round(watch.seconds, 1)
        log(f"  {name}: {steps[name]}s")

    common.parcours_cli(["migrate"], env)
    step("contacts", "contacts", _contacts(args.contacts))
    if not args.resume or not db.scalar("SELECT EXISTS (SELECT 1 FROM emails)"):
        create_emails(db)
    step("journeys", "journeys", *_journeys())
    step("runs, steps and journey emails", "outbox", *_runs(args.contacts))
    step("opportunities", "opportunities", _opportunities(args.opportunities, args.contacts))
    # FK checks off while loading (every contact_id exists): as COPY with triggers disabled would.
    step(
        "interactions",
        "interactions",
        "SET session_replication_role = replica",
        _interactions(args.interactions, args.contacts),
    )
    step("rollups", "report_daily", *_rollups())
    if not args.resume or not db.scalar("SELECT EXISTS (SELECT 1 FROM outbox_sent_daily)"):
        steps["messages sent per day"] = round(asyncio.run(recount_sent_daily(db)), 1)
        log(f"  messages sent per day: {steps['messages sent per day']}s")
    step("vacuum analyze", "contacts WHERE false", "VACUUM ANALYZE")
    return steps


async def recount_sent_daily(db: Database) -> float:
    """The messages sent per day counted from the outbox by the product (as rebuild-rollups does)."""
    import parcours.models  # noqa: F401  (every table)
    from parcours.channels import service as outbox
    from parcours.db import create_engine, session_factory, transaction
    from parcours.settings import load_settings

    engine = create_engine(load_settings({}, database_url=db.url).sqlalchemy_url)
    try:
        started = time.perf_counter()
        today = datetime.now(UTC).date()
        async with transaction(session_factory(engine)) as session:
            await outbox.recount_sent_daily(session, today - timedelta(days=800), today + timedelta(days=30))
        return time.perf_counter() - started
    finally:
        await engine.dispose()


# ---- the baseline of "before": the outbox read as it was before outbox_sent_daily ----------------------

REACH_INDEX = "ix_outbox_journey_reach"


async def _sends_by_email_from_outbox(session: Any, by: str, ids: Any, start: Any, end: Any) -> list[Any]:
    """The plan's messages as they were read before: grouped from the outbox's rows of the period."""
    from sqlalchemy import func, select

    from parcours.channels.store import TABLE

    if not ids:
        return []
    since = datetime.combine(start, datetime.min.time(), UTC)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    t = TABLE.c
    owner = t.journey_id if by == "journey" else t.campaign_id
    rows = await session.execute(
        select(owner, t.email_id, func.min(t.sent_at), func.max(t.sent_at), func.count())
        .where(
            owner.in_(list(ids)),
            t.channel == "email",
            t.email_id.is_not(None),
            t.status.in_(("sent", "captured")),
            t.sent_at >= since,
            t.sent_at < until,
        )
        .group_by(owner, t.email_id)
    )
    return [(int(o), int(e), first, last, int(n)) for o, e, first, last, n in rows.all()]


async def _reach_totals_two_passes(session: Any, journey_id: int, contacts: Any) -> Any:
    """Journey reach's totals as they were read before: every message read twice, each pass
    counting distinct contacts."""
    from sqlalchemy import case, func, select

    from parcours.channels.stats import REACH, SENT
    from parcours.channels.store import TABLE

    t = TABLE.c

    def people(condition: Any) -> Any:
        return func.count(func.distinct(case((condition, t.contact_id))))

    columns = [
        people(t.status.in_(SENT) & t.bounced_at.is_(None)),
        people(t.opened_at.is_not(None)),
        people(t.clicked_at.is_not(None)),
        people(t.unsubscribed_at.is_not(None)),
    ]
    where = [t.journey_id == journey_id, t.channel == "email", t.email_id.is_not(None), t.contact_id.in_(contacts)]
    everything = (await session.execute(select(*columns).where(*where))).one()
    per_email = await session.execute(select(t.email_id, *columns).where(*where).group_by(t.email_id))
    return (
        dict(zip(REACH, (int(v or 0) for v in everything), strict=True)),
        {int(row[0]): dict(zip(REACH, (int(v or 0) for v in row[1:]), strict=True)) for row in per_email.all()},
    )


def measure_before(db: Database, requests: int, journey_id: int, contact_id: int) -> dict[str, Any]:
    """The plan and journey reach as they were read before (the baseline above, the reach index
    dropped), then the index made again as its migration makes it."""
    from parcours.channels import service as outbox
    from parcours.contacts import service as contacts
    from parcours.reports import reach

    async def searched_as_before(_session: Any, _journey_id: int, _filters: Any, q: str | None) -> Any:
        return contacts.searched(q or "")  # searched again by each of the report's queries

    index = db.execute(f"SELECT indexdef FROM pg_indexes WHERE indexname = '{REACH_INDEX}'")[0]
    db.execute(f"DROP INDEX IF EXISTS {REACH_INDEX}", "ANALYZE outbox")
    kept = outbox.sends_by_email, outbox.journey_reach_totals, reach._searched_entrants
    outbox.sends_by_email, outbox.journey_reach_totals = _sends_by_email_from_outbox, _reach_totals_two_passes  # type: ignore[assignment]
    reach._searched_entrants = searched_as_before  # type: ignore[assignment]
    try:
        return asyncio.run(measure(db, requests, journey_id, contact_id, ["plan", "journey-reach"], naive=False))
    finally:
        outbox.sends_by_email, outbox.journey_reach_totals, reach._searched_entrants = kept  # type: ignore[assignment]
        if index:
            watch = common.Stopwatch()
            db.execute(index[0][0], "VACUUM ANALYZE outbox")
            log(f"  {REACH_INDEX} made again: {watch.seconds:.1f}s")


# ---- measuring -------------------------------------------------------------------------------------


# The naive baselines: the same figures, from the raw rows, by SQL at request time.
NAIVE = {
    "overview": [
        "SELECT count(*) FROM contacts WHERE created_at < :until",
        "SELECT date(created_at), count(*) FROM contacts WHERE created_at >= :since AND created_at < :until GROUP BY 1",
        "SELECT count(*) FROM journey_runs WHERE status IN ('active', 'waiting')",
        "SELECT date(entered_at), count(*) FROM journey_runs WHERE entered_at >= :since AND entered_at < :until GROUP BY 1",
        (
            "SELECT date(occurred_at), count(*) FROM interactions WHERE type = 'lifecycle_stage_changed'"
            " AND properties->>'from' = 'subscriber' AND occurred_at >= :since AND occurred_at < :until GROUP BY 1"
        ),
        "SELECT date(created_at), count(*) FROM opportunities WHERE created_at >= :since AND created_at < :until GROUP BY 1",
        (
            "SELECT j.id, count(*) FROM journeys j JOIN journey_steps s ON s.journey_id = j.id"
            " WHERE s.outcome = 'error' AND s.at >= :since GROUP BY j.id"
        ),
    ],
    "lead-generation": [
        (
            "SELECT lead_origin, lead_origin_form_id, lead_origin_page_id, lead_origin_journey_id, lead_origin_campaign_id,"
            " source, lifecycle_stage, date(lead_at), count(*) FROM contacts"
            " WHERE lead_at + interval '0 s' >= :since AND lead_at + interval '0 s' < :until GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        ),
    ],
    "pipeline": [
        (
            "SELECT lifecycle_stage, lead_origin, count(*) FROM contacts"
            " WHERE lead_at + interval '0 s' >= :since AND lead_at + interval '0 s' < :until GROUP BY 1, 2"
        ),
    ],
    "roi": [
        (
            "SELECT o.origin_kind, o.origin_journey_id, o.origin_campaign_id, count(*), sum(budget),"
            " sum(estimated_revenue), sum(actual_revenue) FROM opportunities o JOIN contacts c ON c.id = o.contact_id"
            " WHERE o.created_at >= :since AND o.created_at < :until GROUP BY 1, 2, 3"
        ),
    ],
    "plan": [
        (
            "SELECT journey_id, email_id, min(sent_at), max(sent_at), count(*) FROM outbox WHERE journey_id IS NOT NULL"
            " AND sent_at >= :since AND sent_at < :until GROUP BY 1, 2"
        ),
    ],
    "journey-reach": [
        (
            "SELECT r.contact_id, count(o.id), count(o.opened_at), count(o.clicked_at), count(r.converted_at)"
            " FROM journey_runs r LEFT JOIN outbox o ON o.journey_id = r.journey_id AND o.contact_id = r.contact_id"
            " WHERE r.journey_id = :journey_id AND r.entered_at >= :since AND r.entered_at < :until GROUP BY r.contact_id"
        ),
    ],
    "leaderboard journeys": [
        (
            "SELECT journey_id, count(*), count(bounced_at), count(opened_at), count(human_opened_at), count(clicked_at),"
            " count(human_clicked_at) FROM outbox WHERE journey_id IS NOT NULL AND sent_at >= :since AND sent_at < :until"
            " GROUP BY journey_id"
        ),
        (
            "SELECT journey_id, count(*), count(converted_at) FROM journey_runs"
            " WHERE entered_at >= :since AND entered_at < :until GROUP BY journey_id"
        ),
    ],
    "leaderboard emails": [
        (
            "SELECT properties->>'email_id', type, count(*) FROM interactions WHERE type LIKE 'email_%'"
            " AND occurred_at >= :since AND occurred_at < :until GROUP BY 1, 2"
        ),
    ],
}


async def refresh_overview(db: Database) -> float:
    """What the worker does every few minutes: the Home's snapshot of the closed days."""
    import parcours.models  # noqa: F401  (every table)
    from parcours.db import create_engine, retried, session_factory
    from parcours.reports import overview
    from parcours.settings import load_settings

    engine = create_engine(load_settings({}, database_url=db.url).sqlalchemy_url)
    try:
        started = time.perf_counter()
        await retried(session_factory(engine), overview.refresh)
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def measure(
    db: Database, requests: int, journey_id: int, contact_id: int, only: list[str] | None = None, naive: bool = True
) -> dict[str, Any]:
    from sqlalchemy import text

    import parcours.models  # noqa: F401  (every table)
    from parcours.db import create_engine, session_factory
    from parcours.reports import leaderboard, overview, plan, reach
    from parcours.reports.filters import ReportFilters
    from parcours.reports.lead_generation import lead_generation
    from parcours.reports.pipeline import pipeline_report
    from parcours.reports.roi import roi
    from parcours.settings import load_settings

    engine = create_engine(load_settings({}, database_url=db.url).sqlalchemy_url)
    sessions = session_factory(engine, read_only=True)
    today = datetime.now(UTC).date()
    periods = {
        "30 days": ReportFilters(start=today - timedelta(days=29), end=today),
        "365 days": ReportFilters(start=today - timedelta(days=364), end=today),
    }
    out: dict[str, Any] = {}
    try:
        async with sessions() as session:
            for label, f in periods.items():
                calls: dict[str, Callable[[], Awaitable[Any]]] = {
                    "overview": lambda f=f: overview.report(session, f),
                    "lead-generation": lambda f=f: lead_generation(session, f),
                    "pipeline": lambda f=f: pipeline_report(session, f),
                    "roi": lambda f=f: roi(session, f),
                    "plan": lambda f=f: plan.report(session, f),
                    "journey-reach": lambda f=f: reach.report(session, journey_id, f, None, None, 50),
                    "journey-reach q": lambda f=f: reach.report(session, journey_id, f, "last12", None, 50),
                    "journey-reach path": lambda: reach.path(session, journey_id, contact_id),
                    "leaderboard journeys": lambda f=f: leaderboard.report(session, f, "journeys", "revenue"),
                    "leaderboard emails": lambda f=f: leaderboard.report(session, f, "emails", "unique_clicks"),
                    "leaderboard emails of journeys": lambda f=f: leaderboard.report(
                        session, msgspec_replace(f, journey_ids=(1, 2, 3)), "emails", "unique_clicks"
                    ),
                }
                figures: dict[str, Any] = {}
                for name, call in calls.items():
                    if only and not any(name.startswith(prefix) for prefix in only):
                        continue
                    figures[name] = {"ours": await common.timed(call, requests)}
                    statements = NAIVE.get(name) if naive else None
                    if statements:

                        async def naive(statements: list[str] = statements, f: ReportFilters = f) -> None:
                            for statement in statements:
                                await session.execute(
                                    text(statement), {"since": f.since, "until": f.until, "journey_id": journey_id}
                                )

                        figures[name]["naive"] = await common.timed(naive, max(3, requests // 4))
                    log(f"  {label} {name}: {figures[name]}")
                out[label] = figures
    finally:
        await engine.dispose()
    return out


def msgspec_replace(filters: Any, **changes: Any) -> Any:
    import msgspec

    return msgspec.structs.replace(filters, **changes)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("reports-live") as work:
        steps: dict[str, float] = {}
        if args.reuse or args.resume:
            db = Database("postgresql", common.pg_url())
        else:
            db = common.prepare_database("postgresql", work)
        if args.reuse:
            common.parcours_cli(["migrate"], common.product_env(db, work / "data"))
            db.execute("ANALYZE")
        else:
            steps = load(db, args, common.product_env(db, work / "data"))
        sizes = {
            t: db.count(t)
            for t in ("contacts", "journey_runs", "journey_steps", "outbox", "opportunities", "interactions")
        }
        sizes["report_daily"] = db.count("report_daily")
        sizes["leads"] = int(db.scalar("SELECT count(*) FROM contacts WHERE lead_at IS NOT NULL"))
        log(f"sizes: {sizes}")
        # The journey with the most entrants, and one of its contacts.
        journey_id = int(db.scalar("SELECT journey_id FROM journey_runs GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"))
        contact_id = int(db.scalar(f"SELECT min(contact_id) FROM journey_runs WHERE journey_id = {journey_id}"))
        if args.backend == "sqlite":  # the same data, copied into SQLite and measured there
            watch = common.Stopwatch()
            db = asyncio.run(common.copy_to_sqlite(db, work / "parcours.db"))
            steps["copied to SQLite"] = round(watch.seconds, 1)
        on_postgresql = db.backend == "postgresql"
        # Without the Home's snapshot first, then with it.
        db.execute("DELETE FROM report_overview_snapshot")
        before = {}
        wanted = not args.only or any(name.startswith(tuple(args.only)) for name in ("plan", "journey-reach"))
        if wanted and on_postgresql:
            before = measure_before(db, args.requests, journey_id, contact_id)
        live = {}
        if not args.only or any("overview".startswith(prefix) for prefix in args.only):
            live = asyncio.run(measure(db, args.requests, journey_id, contact_id, ["overview"], on_postgresql))
        steps["overview snapshot"] = round(asyncio.run(refresh_overview(db)), 2)
        log(f"overview snapshot: {steps['overview snapshot']} s")
        latency = asyncio.run(measure(db, args.requests, journey_id, contact_id, args.only, on_postgresql))
        for label, figures in live.items():
            latency[label] = {"overview (counted live)": figures["overview"], **latency[label]}
        for label, figures in before.items():
            for name, f in figures.items():
                if name in latency.get(label, {}):
                    latency[label][name]["before"] = f["ours"]
        sizes["outbox_sent_daily"] = db.count("outbox_sent_daily")
    load_average = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "backend": db.backend,
        "sizes": sizes,
        "setup_seconds": steps,
        "load_average": load_average,
        "latency": latency,
    }


def report(results: dict[str, Any]) -> None:
    rows = []
    for label, figures in results["latency"].items():
        for name, f in figures.items():
            p95 = f["ours"]["p95_ms"]
            naive = f.get("naive", {}).get("p95_ms")
            before = f.get("before")
            rows.append(
                [
                    f"{name} ({label})",
                    f"{f['ours']['median_ms']:.0f}",
                    f"{p95:.0f}",
                    f"{before['median_ms']:.0f} / {before['p95_ms']:.0f}" if before else "",
                    f"{before['median_ms'] / f['ours']['median_ms']:.1f}x / {before['p95_ms'] / p95:.1f}x"
                    if before
                    else "",
                    f"{naive:.0f}" if naive is not None else "",
                    f"{naive / p95:.1f}x" if naive is not None else "",
                    verdict(p95, TARGET_S * 1000, False),
                ]
            )
    sizes = results["sizes"]
    print_table(
        f"Live-table reports at {sizes['contacts']:,} contacts / {sizes['interactions']:,} interactions "
        f"({'SQLite' if results['backend'] == 'sqlite' else 'PostgreSQL'}, in-process, "
        f"load average {' '.join(results['load_average'])})",
        [
            "report",
            "median ms",
            "p95 ms",
            "before median / p95 ms",
            "before / after (median / p95)",
            "naive p95 ms",
            "naive / ours",
            "target p95 <= 1 s",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=1_000_000)
    p.add_argument("--opportunities", type=int, default=100_000)
    p.add_argument("--interactions", type=int, default=10_000_000)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--reuse", action="store_true", help="measure again on the data of the previous run")
    p.add_argument("--resume", action="store_true", help="go on with a load cut short, then measure")
    p.add_argument("--json", type=Path, help="also write the figures there")
    p.add_argument("--only", nargs="+", help="only the reports whose names start with these")
    args = p.parse_args(argv)
    if args.quick:
        args.contacts, args.opportunities, args.interactions, args.requests = 20_000, 2_000, 100_000, 5
    if problem := common.postgres_reachable(common.pg_url()):
        raise SystemExit(f"PostgreSQL is needed: {problem}")
    results = run(args)
    report(results)
    path = common.write_results(common.results_name("reports_live", args), args, results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(path.read_text())


if __name__ == "__main__":
    main()
