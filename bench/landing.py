"""A landing page's statistics at a million views, before and after migration 0041.

In-process against a real database (the product's functions, no HTTP), one run per backend:
  the schema at revision 0040 (a row per view, `landing_page_visits`); one published A/B page and
  --views views (default 1,000,000; 20,000 with --quick) by --visitors visitors (default 300,000,
  each always shown the same variant) over --days days (default 90), written by the database
  itself; the statistics read as they were then (the three groupings of every view of the period:
  by day, by variant, overall, each with its distinct visitors; that code kept here), over the
  last 30 and 90 days, --before-samples times (default 3) after one unmeasured run; the schema
  brought to head (0041 counts the views into days and visitors: timed); `landing.visits.stats`
  over the same periods, --samples times (default 10): median and p95, ratio before / after, and
  whether both say the same (visits, unique visitors, each day's, each variant's).
  A view's cost, before (one INSERT) and after (`landing.visits.count_visit`: two upserts), each
  in its own transaction, --writes times (default 2,000): median and p95.
                                                target: p95 <= 1 s at 1,000,000 views
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import common
from bench.common import latency_summary, log, print_table, verdict

TARGET_S = 1.0
PERIODS = (30, 90)

_PAGE = (
    "INSERT INTO landing_pages (name, slug, language, version, published_version, published_at, created_by,"
    " created_at, updated_at, html, css, seo_title, seo_description, social_image, variants)"
    " VALUES ('Spring offer', :slug, 'en', 1, 1, :now, '', :now, :now, '<h1>A</h1>', '', '', '', '',"
    """ '[{"key": "B", "name": "Short", "html": "<h1>B</h1>", "css": ""}]')"""
)

# Each view: a visitor drawn at random, a day of the period at random; visitors with an even
# number see A, the others B (a visitor always sees the same variant).
_VIEWS = {
    "postgresql": (
        "INSERT INTO landing_page_visits (page_id, variant, visitor, day, visited_at)"
        " SELECT :page, CASE WHEN v % 2 = 0 THEN 'A' ELSE 'B' END, 'visitor-' || v, d,"
        "  d::timestamp AT TIME ZONE 'UTC' + make_interval(secs => floor(random() * 86400))"
        " FROM (SELECT floor(random() * :visitors)::int AS v,"
        "  (now() AT TIME ZONE 'UTC')::date - floor(random() * :days)::int AS d"
        "  FROM generate_series(1, :views)) AS drawn"
    ),
    "sqlite": (
        # Drawn in the recursive rows themselves: SQLite would draw random() again at each use of
        # a column of a flattened subquery.
        "WITH RECURSIVE n(i, v, d, s) AS (SELECT 0, 0, 0, 0 UNION ALL"
        "  SELECT i + 1, abs(random()) % :visitors, abs(random()) % :days, abs(random()) % 86400 FROM n"
        "  WHERE i < :views)"
        " INSERT INTO landing_page_visits (page_id, variant, visitor, day, visited_at)"
        " SELECT :page, CASE WHEN v % 2 = 0 THEN 'A' ELSE 'B' END, 'visitor-' || v,"
        "  date('now', '-' || d || ' days'), datetime('now', '-' || d || ' days', 'start of day', '+' || s || ' seconds')"
        " FROM n WHERE i > 0"
    ),
}


async def _stats_before(session: Any, page_id: int, days: int) -> dict[str, Any]:
    """The statistics' reads as they were before 0041: every view of the period, three times."""
    from sqlalchemy import text

    since = datetime.now(UTC).date() - timedelta(days=days - 1)
    grouped: dict[str, dict[Any, tuple[int, int]]] = {}
    for key in ("day", "variant", "page_id"):
        rows = await session.execute(
            text(
                f"SELECT {key}, count(*), count(DISTINCT visitor) FROM landing_page_visits"
                f" WHERE page_id = :page AND day >= :since GROUP BY {key}"
            ),
            {"page": page_id, "since": since},
        )
        grouped[key] = {k: (int(t), int(u)) for k, t, u in rows.all()}
    overall = grouped["page_id"].get(page_id, (0, 0))
    return {
        "visits": overall[0],
        "unique_visitors": overall[1],
        "days": {_day(k): v for k, v in grouped["day"].items()},
        "variants": grouped["variant"],
    }


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _answer_after(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "visits": stats["visits"],
        "unique_visitors": stats["unique_visitors"],
        "days": {d["day"]: (d["visits"], d["unique_visitors"]) for d in stats["days"] if d["visits"]},
        "variants": {v["key"]: (v["visits"], v["unique_visitors"]) for v in stats["variants"] if v["visits"]},
    }


async def _writes(sessions: Any, write: Any, count: int, visitors: int) -> dict[str, float]:
    """`count` views, each in its own transaction: half by visitors already counted, half new."""
    from parcours.db import transaction

    measured = []
    for n in range(count):
        visitor = f"visitor-{random.randrange(visitors)}" if n % 2 else f"new-{n}-{random.randrange(10**9)}"
        variant = "A" if n % 4 < 2 else "B"
        async with transaction(sessions) as session:
            started = time.perf_counter()
            await write(session, visitor, variant)
            measured.append(time.perf_counter() - started)
    return latency_summary(measured)


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import text

    from parcours.db import create_engine, migrate, session_factory, transaction
    from parcours.landing import visits
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    try:
        sessions = session_factory(engine)
        await migrate(engine, "0040")
        now = datetime.now(UTC)
        async with transaction(sessions) as session:
            for slug in ("bench-spring-offer", "bench-written-to"):  # the views written one by one go to the second
                moment = now.replace(tzinfo=None) if db.backend == "sqlite" else now
                await session.execute(text(_PAGE), {"now": moment, "slug": slug})
            page_id, written_to = [
                int(i) for i in (await session.execute(text("SELECT id FROM landing_pages ORDER BY id"))).scalars()
            ]
        started = time.perf_counter()
        async with transaction(sessions) as session:
            await session.execute(
                text(_VIEWS[db.backend]),
                {"page": page_id, "views": args.views, "visitors": args.visitors, "days": args.days},
            )
        await common.vacuum(db, engine, "landing_page_visits")
        data: dict[str, Any] = {"views": args.views, "visitors": args.visitors, "days": args.days}
        data["load_s"] = round(time.perf_counter() - started, 1)
        log(f"{db.backend}: {args.views:,} views loaded in {data['load_s']} s")

        before: dict[int, dict[str, float]] = {}
        answers_before: dict[int, dict[str, Any]] = {}
        for days in PERIODS:
            before[days] = await common.timed_in_transactions(
                sessions, lambda s, d=days: _stats_before(s, page_id, d), args.before_samples
            )
            async with transaction(sessions) as session:
                answers_before[days] = await _stats_before(session, page_id, days)
            log(f"before, {days} days: p95 {before[days]['p95_ms']:.0f} ms")

        async def insert_view(session: Any, visitor: str, variant: str) -> None:
            at = datetime.now(UTC)
            await session.execute(
                text(
                    "INSERT INTO landing_page_visits (page_id, variant, visitor, day, visited_at)"
                    " VALUES (:page, :variant, :visitor, :day, :at)"
                ),
                {
                    "page": written_to,
                    "variant": variant,
                    "visitor": visitor,
                    "day": at.date(),
                    "at": at.replace(tzinfo=None) if db.backend == "sqlite" else at,
                },
            )

        write_before = await _writes(sessions, insert_view, args.writes, args.visitors)

        started = time.perf_counter()
        await migrate(engine)
        data["migrate_s"] = round(time.perf_counter() - started, 1)
        await common.vacuum(db, engine, "landing_page_visitors", "landing_page_days")
        async with transaction(sessions) as session:
            data["visitor_rows"] = (
                await session.execute(text("SELECT count(*) FROM landing_page_visitors"))
            ).scalar_one()
            data["day_rows"] = (await session.execute(text("SELECT count(*) FROM landing_page_days"))).scalar_one()
        log(f"{db.backend}: migration 0041 in {data['migrate_s']} s")

        after: dict[int, dict[str, float]] = {}
        same: dict[int, bool] = {}
        for days in PERIODS:
            after[days] = await common.timed_in_transactions(
                sessions, lambda s, d=days: visits.stats(s, page_id, d), args.samples
            )
            async with transaction(sessions) as session:
                answer = _answer_after(await visits.stats(session, page_id, days))
            same[days] = answer == answers_before[days]
            if not same[days]:
                for key in answer:
                    if answer[key] != answers_before[days][key]:
                        log(f"  {key} differs: before {answers_before[days][key]!r:.300}, after {answer[key]!r:.300}")
            log(f"after, {days} days: p95 {after[days]['p95_ms']:.0f} ms, same answer: {same[days]}")

        write_after = await _writes(
            sessions, lambda s, visitor, variant: visits.count_visit(s, written_to, variant, visitor), args.writes, 10
        )
    finally:
        await engine.dispose()
    return {
        "backend": db.backend,
        "data": data,
        "before": before,
        "after": after,
        "same_answer": same,
        "write_before": write_before,
        "write_after": write_after,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("landing") as scratch:
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        for days in PERIODS:
            b, a = r["before"][days], r["after"][days]
            rows.append(
                [
                    r["backend"],
                    f"{days} days",
                    r["data"]["views"],
                    f"{b['median_ms']:.0f} / {b['p95_ms']:.0f}",
                    f"{a['median_ms']:.1f} / {a['p95_ms']:.1f}",
                    f"{b['median_ms'] / a['median_ms']:.0f}x / {b['p95_ms'] / a['p95_ms']:.0f}x",
                    "yes" if r["same_answer"][days] else "NO",
                    verdict(a["p95_ms"] / 1000, TARGET_S, higher_is_better=False),
                ]
            )
    headers = ["backend", "period", "views", "before ms (p50 / p95)", "after ms", "before / after", "same answer"]
    print_table("A landing page's statistics", [*headers, "p95 <= 1 s"], rows)
    writes = [
        [
            r["backend"],
            f"{r['write_before']['median_ms']:.2f} / {r['write_before']['p95_ms']:.2f}",
            f"{r['write_after']['median_ms']:.2f} / {r['write_after']['p95_ms']:.2f}",
            r["data"]["migrate_s"],
            r["data"]["visitor_rows"],
            r["data"]["day_rows"],
            " ".join(str(x) for x in r["load_average"]),
        ]
        for r in results
    ]
    print_table(
        "A view's cost (ms, p50 / p95), and migration 0041",
        ["backend", "before: one INSERT", "after: two upserts", "0041 s", "visitors", "day rows", "load average"],
        writes,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--views", type=int, default=None, help="views (default 1,000,000; 20,000 with --quick)")
    p.add_argument("--visitors", type=int, default=None, help="visitors (default 300,000; 6,000 with --quick)")
    p.add_argument("--days", type=int, default=90, help="days the views are spread over")
    p.add_argument("--samples", type=int, default=10, help="measured runs of the statistics after 0041")
    p.add_argument("--before-samples", type=int, default=3, help="measured runs of the statistics before 0041")
    p.add_argument("--writes", type=int, default=2_000, help="views written one by one, before and after")
    args = p.parse_args(argv)
    args.views = args.views or (20_000 if args.quick else 1_000_000)
    args.visitors = args.visitors or (6_000 if args.quick else 300_000)
    if args.quick:
        args.writes = min(args.writes, 200)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("landing", args), args, {"results": results})


if __name__ == "__main__":
    main()
