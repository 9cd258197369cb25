"""Audience and RFM reports over a large base, for the whole base and for a segment.

Measured, in-process against a real database (the reports' service functions, no HTTP): each
report `--samples` times after one unmeasured run, median and p95: /api/reports/audience of the
whole base (read from its snapshot) and of a segment (`--segment-share` of the contacts, counted
live over its members); /api/reports/rfm of the whole base (read from the figures the RFM
recompute stored) and of that segment (counted from contact_rfm and rfm_monthly), and the whole
base's figures counted as the segment's are (what every request did before they were stored).
Also timed: the snapshot's refresh (reports.audience.refresh: every contact counted, what the
worker does every quarter of an hour), three times. Targets at
1,000,000 contacts, 10,000,000 interactions (2,000,000 purchases) on PostgreSQL: audience and RFM
p95 <= 1 s. The naive baseline: every contact (audience) or every purchase (RFM) read into Python
and counted there (bench.customers), timed once; the ratio baseline / ours.

Setup (not measured): bench.customers's base (N contacts with their fields, 40% customers with
~5 orders over two years, ~--per-contact other interactions each), then one RFM recompute (timed,
reported) and last month's groups kept as a recompute would have (a tenth of the customers in
another group, for moves), the static segment (every k-th contact), VACUUM ANALYZE on PostgreSQL.
`--keep-data` reuses the PostgreSQL data of an earlier run of the same size (`--load-only` to load
it once). `--contacts N` (default 1,000,000; 10,000 with `--quick`).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import common, customers
from bench.common import latency_summary, log, print_table, verdict
from bench.computed import kept_data, vacuum

TARGETS_S = {
    "audience": 1.0,
    "audience (segment)": None,
    "rfm": 1.0,
    "rfm (segment)": None,
    "rfm (whole base counted now)": None,
}


async def _last_month(engine: Any) -> str:
    """Last month's groups as a recompute then left them: this month's, a tenth of them elsewhere."""
    from sqlalchemy import text

    now = datetime.now(UTC)
    index = now.year * 12 + now.month - 2
    month = f"{index // 12:04d}-{index % 12 + 1:02d}"
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM rfm_monthly WHERE month < :m"), {"m": f"{now.year:04d}-{now.month:02d}"})
        await conn.execute(
            text(
                "INSERT INTO rfm_monthly (month, contact_id, rfm_segment) SELECT :m, contact_id, "
                "CASE WHEN contact_id % 10 = 0 THEN 'hibernating' ELSE rfm_segment END FROM contact_rfm"
            ),
            {"m": month},
        )
    return month


async def _segment(sessions: Any, engine: Any, every: int) -> int:
    """A static segment of every `every`-th contact."""
    from sqlalchemy import text

    from parcours.db import transaction
    from parcours.segments.models import Segment

    async with transaction(sessions) as session:
        segment = Segment(name=f"Every {every}th contact", kind="static")
        session.add(segment)
        await session.flush()
        segment_id = int(segment.id or 0)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO segment_members (segment_id, contact_id, added_at) SELECT :s, id, :t FROM contacts WHERE id % :k = 0"
            ),
            {"s": segment_id, "t": datetime.now(UTC), "k": every},
        )
    return segment_id


async def _rfm_counted(session: Any, as_of: datetime, previous: str) -> Any:
    from sqlalchemy import text

    from parcours.db import dialect_name
    from parcours.rfm import service as rfm

    if await dialect_name(session) == "postgresql":  # as the product's RFM counts set it
        await session.execute(text("SET LOCAL work_mem = '64MB'"))
    return await rfm.report_figures(session, as_of, previous)


def answer_grid(answer: Any) -> list[list[int]]:
    return [[c.recency, c.frequency, c.contacts] for c in answer.grid]


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import text

    from parcours.db import create_engine, migrate, session_factory, transaction
    from parcours.reports import audience, value
    from parcours.reports.filters import ReportFilters
    from parcours.rfm import service as rfm
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    await migrate(engine)
    try:
        sessions = session_factory(engine)
        data = await kept_data(engine, args.contacts) if args.keep_data else None
        if data is None:
            data = await customers.load(db, engine, args.contacts, args.per_contact)
        if args.load_only:
            return {"backend": db.backend, "data": data}
        async with engine.connect() as conn:
            scored = (await conn.execute(text("SELECT count(*) FROM contact_rfm"))).scalar()
        if not scored:
            # Last month's groups are made from this month's: a first recompute gives them.
            log(f"{db.backend}: first RFM recompute")
            async with transaction(sessions) as session:
                await rfm.recompute(session, datetime.now(UTC), 365)
        compared_with = await _last_month(engine)
        # The measured recompute compares with those groups, as the nightly one would.
        log(f"{db.backend}: RFM recompute")
        started = time.perf_counter()
        async with transaction(sessions) as session:
            run = await rfm.recompute(session, datetime.now(UTC), 365)
        recompute_s = round(time.perf_counter() - started, 1)
        every = max(1, round(1 / args.segment_share))
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM segments"))
        segment_id = await _segment(sessions, engine, every)
        await vacuum(db, engine, "contact_rfm", "rfm_monthly", "segment_members", "contacts")
        log(f"{db.backend}: {run.customers:,} customers scored in {recompute_s} s; refreshing the audience snapshot")
        refreshes = []
        for _ in range(3):
            async with transaction(sessions) as session:
                started = time.perf_counter()
                await audience.refresh(session)
                refreshes.append(time.perf_counter() - started)
        today = datetime.now(UTC).date()
        whole = ReportFilters(start=today - timedelta(days=364), end=today)
        part = ReportFilters(start=today - timedelta(days=364), end=today, segment_id=segment_id)
        calls = {
            "audience": lambda s: audience.report(s, whole),
            "audience (segment)": lambda s: audience.report(s, part),
            "rfm": lambda s: value.rfm_report(s, whole),
            "rfm (segment)": lambda s: value.rfm_report(s, part),
            # What the whole base's report did on every request before the recompute stored it.
            "rfm (whole base counted now)": lambda s: _rfm_counted(s, run.computed_at, compared_with),
        }
        figures = {}
        for name, call in calls.items():
            if name not in args.reports:
                continue
            figures[name] = await common.timed_in_transactions(sessions, call, args.samples)
            log(f"{name}: p95 {figures[name]['p95_ms']:.0f} ms")
        async with transaction(sessions) as session:
            answer = await value.rfm_report(session, whole)
        assert answer.compared_with == compared_with and answer.customers == run.customers
        async with transaction(sessions) as session:
            counted = await _rfm_counted(session, run.computed_at, compared_with)
        moves = ("contacts", "moved_in", "moved_out")
        assert counted["grid"] == answer_grid(answer) and all(
            getattr(g, k) == counted["groups"][g.group][k] for g in answer.groups for k in moves
        ), "the stored figures differ from the figures counted now"
        baselines = await customers._baselines(sessions, whole) if args.baseline else None
    finally:
        await engine.dispose()
    return {
        "backend": db.backend,
        "data": {**data, "customers": run.customers, "segment_members": args.contacts // every},
        "rfm_recompute_s": recompute_s,
        "audience_refresh": latency_summary(refreshes),
        "reports": figures,
        "baseline_s": {name: baselines[name.split(" ")[0]] for name in figures} if baselines else None,
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("audience") as scratch:
        if args.keep_data and backend == "postgresql":
            return asyncio.run(run_on(common.Database("postgresql", common.pg_url()), args))
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        if "reports" not in r:
            continue
        scale = r["data"]["contacts"] / 1_000_000
        for name, figures in r["reports"].items():
            target = TARGETS_S[name]
            target = target * max(scale, 0.01) if target else None
            baseline = r["baseline_s"][name] if r["baseline_s"] else None
            rows.append(
                [
                    r["backend"],
                    name,
                    r["data"]["contacts"],
                    r["data"].get("purchases", ""),
                    figures["median_ms"],
                    figures["p95_ms"],
                    f"<= {target * 1000:.0f} ms (pro rata)" if target else "(none)",
                    verdict(figures["p95_ms"] / 1000, target, higher_is_better=False) if target else "",
                    round(baseline * 1000) if baseline else "",
                    round(baseline * 1000 / figures["median_ms"], 1) if baseline else "",
                ]
            )
        refresh = r["audience_refresh"]
        log(
            f"{r['backend']}: audience snapshot refresh median {refresh['median_ms']:.0f} ms; "
            f"RFM recompute {r['rfm_recompute_s']} s"
        )
    print_table(
        "Audience and RFM reports",
        [
            "backend",
            "report",
            "contacts",
            "purchases",
            "median ms",
            "p95 ms",
            "target",
            "",
            "baseline ms",
            "baseline / ours",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=None, help="contacts (default 1,000,000; 10,000 with --quick)")
    p.add_argument("--per-contact", type=float, default=8.0, help="other interactions per contact on average")
    p.add_argument("--samples", type=int, default=10, help="measured runs of each report")
    p.add_argument("--segment-share", type=float, default=0.1, help="share of the contacts in the segment")
    p.add_argument(
        "--keep-data", action="store_true", help="reuse the PostgreSQL data of an earlier run of the same size"
    )
    p.add_argument("--load-only", action="store_true", help="load the data, measure nothing (for --keep-data)")
    p.add_argument(
        "--reports",
        type=lambda v: set(v.split(",")),
        default=set(TARGETS_S),
        help=f"the reports to measure, comma-separated among: {', '.join(TARGETS_S)} (default: all)",
    )
    p.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the naive baseline")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (10_000 if args.quick else 1_000_000)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    path = common.write_results(common.results_name("audience", args), args, {"results": results})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(path.read_text())


if __name__ == "__main__":
    main()
