"""Cohorts and products over purchase lines: 1,000,000 contacts, 2,000,000+ purchases.

The data is bench.customers' (contacts, purchases over two years, other interactions), written
straight into the interactions table; then, measured: the backfill of purchase lines and
customers' firsts (what migrations 0033-0034 and `parcours rebuild-rollups` do), the stream's consumer
on a day of purchases, and each report `--samples` times after one unmeasured run (median, p95):
cohorts by first purchase and by creation (24 months), products over 30 and 365 days. Targets on
PostgreSQL at full size: cohorts <= 2 s, products <= 2 s. The naive baseline reads every purchase
interaction (and every contact's creation) into Python and counts there (timed once); the ratio is
baseline / ours.

Products before and after the lines' days and markers (migration 0040): the schema is taken back to
the revision before it and the report as it was then (`_old_lines` below: the lines of the period
grouped by product or category, buyer and order, then by buyer, then by name) is timed over both
periods (`--before-samples`); the schema is brought up again, its backfill timed, and the report as
it is timed. The naive products baseline reads every purchase interaction into Python and counts
the period's products, categories and first-time buyers there, once per period; the three answers
must agree.

`--reuse` keeps a PostgreSQL database that already holds the contacts (a second run skips the
loading): the schema is brought to the newest revision, which backfills the lines when it adds them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bench import common
from bench.common import log, print_table, verdict
from bench.customers import load

TARGETS_S = {"cohorts": 2.0, "cohorts_created": 2.0, "products_30d": 2.0, "products_365d": 2.0}
PERIODS = {"30d": 30, "365d": 365}


def _period(days: int) -> Any:
    from parcours.reports.filters import ReportFilters

    today = datetime.now(UTC).date()
    return ReportFilters(start=today - timedelta(days=days - 1), end=today)


async def _products_report(filters: Any, session: Any) -> Any:
    from parcours.reports import products

    return await products.report(session, filters)


def _reports() -> dict[str, Any]:
    from parcours.reports import value

    year = _period(365)
    return {
        "cohorts": lambda s: value.cohorts_report(s, year, "first_purchase", 24),
        "cohorts_created": lambda s: value.cohorts_report(s, year, "created", 24),
        **{f"products_{name}": partial(_products_report, _period(n)) for name, n in PERIODS.items()},
    }


async def _old_lines(session: Any, filters: Any, key: str) -> list[Any]:
    """The products report's lines as they were counted before migration 0040 (the baseline it
    replaces): the period's lines by the moment, grouped by name, buyer and order, then by name."""
    from sqlalchemy import case, func, select

    from parcours.reports import purchases
    from parcours.reports.customers_schemas import ProductLine
    from parcours.reports.sql import share

    lines = purchases.LINES
    name = lines.c[key]
    per_order = (
        select(
            name.label("name"),
            lines.c.contact_id,
            lines.c.order_key,
            func.sum(lines.c.amount).label("revenue"),
            func.sum(lines.c.quantity).label("quantity"),
        )
        .where(lines.c.occurred_at >= filters.since, lines.c.occurred_at < filters.until)
        .group_by(name, lines.c.contact_id, lines.c.order_key)
        .cte("per_order")
    )
    o = per_order.c
    keys = select(o.name, o.order_key).distinct().subquery("keys")
    orders = select(keys.c.name, func.count().label("orders")).group_by(keys.c.name).subquery("orders")
    per_buyer = (
        select(o.name, func.count().label("orders"), func.sum(o.revenue).label("revenue"))
        .add_columns(func.sum(o.quantity).label("quantity"))
        .group_by(o.name, o.contact_id)
        .subquery("per_buyer")
    )
    b = per_buyer.c
    per_name = (
        select(
            b.name,
            func.sum(b.revenue).label("revenue"),
            func.count().label("buyers"),
            func.sum(case((b.orders >= 2, 1), else_=0)).label("repeaters"),
            func.sum(b.quantity).label("quantity"),
        )
        .group_by(b.name)
        .subquery("per_name")
    )
    n = per_name.c
    rows = await session.execute(
        select(n.name, n.revenue, n.buyers, n.repeaters, n.quantity, orders.c.orders).join(
            orders, orders.c.name.is_not_distinct_from(n.name)
        )
    )
    found = [
        ProductLine(
            name=product,
            revenue=round(float(revenue or 0), 2),
            orders=int(count),
            buyers=int(buyers),
            quantity=float(quantity or 0),
            average_basket=round(float(revenue or 0) / count, 2) if count else None,
            repeat_rate=share(int(repeaters or 0), int(buyers)),
        )
        for product, revenue, buyers, repeaters, quantity, count in rows.all()
    ]
    return sorted(found, key=lambda line: (-line.revenue, line.name or ""))


async def _old_products(session: Any, filters: Any) -> dict[str, Any]:
    """The whole products report as before migration 0040 (its first-time buyers are unchanged)."""
    from parcours.reports import products

    return {
        "products": await _old_lines(session, filters, "product"),
        "categories": await _old_lines(session, filters, "category"),
        "starters": await products._starters(session, filters, "product"),
        "starter_categories": await products._starters(session, filters, "category"),
    }


async def _naive_products(sessions: Any, filters: Any) -> tuple[float, dict[str, Any]]:
    """Products, categories and first-time buyers of the period counted in Python from every
    purchase interaction (first purchases need them all); the seconds it took and the answer."""
    from sqlalchemy import select

    from parcours.db import transaction
    from parcours.interactions import service as interactions

    p = interactions.table()
    started = time.perf_counter()
    rows = []
    async with transaction(sessions) as session:
        result = await session.stream(
            select(p.c.id, p.c.contact_id, p.c.occurred_at, p.c.value, p.c.properties).where(p.c.type == "purchase")
        )
        async for row in result:
            rows.append(tuple(row))
    answer: dict[str, Any] = {}
    for key in ("product", "category"):
        per: dict[Any, dict[str, Any]] = defaultdict(
            lambda: {"revenue": 0.0, "orders": set(), "buyers": defaultdict(set)}
        )
        for iid, cid, at, amount, props in rows:
            if filters.since <= at < filters.until:
                line, order = per[(props or {}).get(key)], str((props or {}).get("order_id") or iid)
                line["revenue"] += amount or 0.0
                line["orders"].add(order)
                line["buyers"][cid].add(order)
        answer[key] = {
            name: {
                "revenue": round(v["revenue"], 2),
                "orders": len(v["orders"]),
                "buyers": len(v["buyers"]),
                "repeaters": sum(1 for orders in v["buyers"].values() if len(orders) >= 2),
            }
            for name, v in per.items()
        }
        firsts: dict[int, tuple[Any, ...]] = {}
        for row in rows:
            if row[1] not in firsts or (row[2], row[0]) < (firsts[row[1]][2], firsts[row[1]][0]):
                firsts[row[1]] = row
        starters: dict[Any, int] = defaultdict(int)
        for first in firsts.values():
            if filters.since <= first[2] < filters.until:
                starters[(first[4] or {}).get(key)] += 1
        answer[f"starters_{key}"] = dict(starters)
    return time.perf_counter() - started, answer


def _agrees(naive: dict[str, Any], answer: Any) -> bool:
    """The report's counts equal the naive ones (revenue to the cent: sums in another order)."""
    from parcours.reports.sql import share

    def get(obj: Any, name: str) -> Any:
        return obj[name] if isinstance(obj, dict) else getattr(obj, name)

    for key, kind in (("product", "products"), ("category", "categories")):
        shown = {line.name: (line.orders, line.buyers, line.repeat_rate, line.revenue) for line in get(answer, kind)}
        wanted = {
            name: (v["orders"], v["buyers"], share(v["repeaters"], v["buyers"]), v["revenue"])
            for name, v in naive[key].items()
        }
        if shown.keys() != wanted.keys():
            return False
        for name, (*counts, revenue) in wanted.items():
            *found, money = shown[name]
            if found != counts or abs(money - revenue) > 0.011:
                return False
        starters = {s.name: s.customers for s in get(answer, "starters" if key == "product" else "starter_categories")}
        if starters != naive[f"starters_{key}"]:
            return False
    return True


async def _schema_at(engine: Any, revision: str, down: bool) -> None:
    from alembic import command

    from parcours.db import alembic_config

    def run(connection: Any) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    async with engine.connect() as conn:  # each migration commits its own transaction
        await conn.run_sync(run)


async def _products_before_and_after(
    db: common.Database, engine: Any, sessions: Any, args: argparse.Namespace
) -> dict[str, Any]:
    """The products report before migration 0040 (the schema taken back before it), the migration's
    backfill, and the report after; the naive baseline; whether the three answers agree."""
    from alembic.script import ScriptDirectory

    from parcours.db import alembic_config, transaction
    from parcours.reports import products

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    before = str(ScriptDirectory.from_config(config).get_revision("0040").down_revision)
    await _schema_at(engine, before, down=True)
    await common.vacuum(db, engine, "purchase_lines", "customer_firsts", "created_cohort_months")
    found: dict[str, Any] = {}
    old_answers = {}
    for name, days in PERIODS.items():
        filters = _period(days)
        found[name] = {
            "before": await common.timed_in_transactions(
                sessions, lambda s, f=filters: _old_products(s, f), args.before_samples
            )
        }
        async with transaction(sessions) as session:
            old_answers[name] = await _old_products(session, filters)
        log(f"products {name} before: p95 {found[name]['before']['p95_ms']:.0f} ms")
    started = time.perf_counter()
    await _schema_at(engine, "head", down=False)
    found["migration_0040_s"] = round(time.perf_counter() - started, 1)
    log(f"migration 0040 (days and markers of every line) in {found['migration_0040_s']} s")
    await common.vacuum(db, engine, "purchase_lines", "customer_firsts", "created_cohort_months")
    for name, days in PERIODS.items():
        filters = _period(days)
        found[name]["after"] = await common.timed_in_transactions(
            sessions, lambda s, f=filters: products.report(s, f), args.samples
        )
        async with transaction(sessions) as session:
            answer = await products.report(session, filters)
        naive_s, naive = await _naive_products(sessions, filters)
        found[name]["naive_ms"] = round(naive_s * 1000)
        found[name]["agree"] = _agrees(naive, answer) and _agrees(naive, old_answers[name])
        log(f"products {name} after: p95 {found[name]['after']['p95_ms']:.0f} ms; naive {found[name]['naive_ms']} ms")
    return found


async def _baseline(sessions: Any, filters: Any) -> float:
    """Cohorts (by first purchase, by creation) and products counted in Python from every purchase
    interaction and every contact's creation, in one read each."""
    from sqlalchemy import select

    from parcours.contacts import service as contacts
    from parcours.db import transaction
    from parcours.interactions import service as interactions

    p, people = interactions.table(), contacts.contacts_table()
    started = time.perf_counter()
    async with transaction(sessions) as session:
        first: dict[int, datetime] = {}
        per_month: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        products: dict[Any, dict[str, Any]] = defaultdict(lambda: {"revenue": 0.0, "orders": set(), "buyers": set()})
        result = await session.stream(
            select(p.c.id, p.c.contact_id, p.c.occurred_at, p.c.value, p.c.properties).where(p.c.type == "purchase")
        )
        async for iid, cid, at, amount, properties in result:
            first[cid] = min(first.get(cid, at), at)
            per_month[cid][at.year * 12 + at.month - 1] += amount or 0.0
            if filters.since <= at < filters.until:
                line = products[(properties or {}).get("product")]
                line["revenue"] += amount or 0.0
                line["orders"].add((properties or {}).get("order_id") or iid)
                line["buyers"].add(cid)
        created = {
            cid: at.year * 12 + at.month - 1
            async for cid, at in await session.stream(select(people.c.id, people.c.created_at))
        }
        cells: dict[tuple[int, int], float] = defaultdict(float)
        by_creation: dict[tuple[int, int], float] = defaultdict(float)
        for cid, months in per_month.items():
            cohort = first[cid].year * 12 + first[cid].month - 1
            for month, amount in months.items():
                cells[(cohort, month - cohort)] += amount
                by_creation[(created[cid], max(0, month - created[cid]))] += amount
    return time.perf_counter() - started


async def _consumer_ms(sessions: Any) -> dict[str, float]:
    """The stream's purchases consumer on the last day's purchases, their lines removed first; all
    rolled back (their revenue is already in the kept cohorts: adding it again would count it twice).
    Then the consumer as it was before migration 0040, without the lines' markers (rolled back too)."""
    from sqlalchemy import delete

    from parcours.interactions import service as interactions
    from parcours.interactions.batch import Batch
    from parcours.reports import purchases
    from parcours.rules.cache import rules
    from parcours.stream import SOURCES

    now = datetime.now(UTC)
    async with sessions() as session:
        rows = await interactions.stored_between(session, now - timedelta(days=1), now, ["purchase"])
        lines = purchases.LINES
        await session.execute(delete(lines).where(lines.c.interaction_id.in_([r.id for r in rows])))
        started = time.perf_counter()
        await purchases.stream_consumer()(Batch(session, rows, SOURCES, rules))
        elapsed = time.perf_counter() - started
        await session.rollback()
    async with sessions() as session:
        ids, customers = [r.id for r in rows], {r.contact_id for r in rows}
        await session.execute(delete(lines).where(lines.c.interaction_id.in_(ids)))
        started = time.perf_counter()
        async with purchases._moving_cohorts(session, customers):
            await purchases.add_lines(session, interactions.table().c.id.in_(ids))
            await purchases.refresh_firsts(session, customers)
        unmarked_s = time.perf_counter() - started
        await session.rollback()
    return {
        "purchases": len(rows),
        "ms": round(elapsed * 1000, 1),
        "without_markers_ms": round(unmarked_s * 1000, 1),
    }


async def _held(engine: Any, contacts: int) -> bool:
    from sqlalchemy import text

    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM contacts"))).scalar_one()) >= contacts
    except Exception:
        return False


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import text

    from parcours.db import create_engine, migrate, session_factory, transaction
    from parcours.reports import purchases
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    try:
        sessions = session_factory(engine)
        data: dict[str, Any] = {"contacts": args.contacts}
        if not (args.reuse and await _held(engine, args.contacts)):
            await migrate(engine)
            data = await load(db, engine, args.contacts, args.per_contact)
        started = time.perf_counter()
        await migrate(engine)  # on data kept from before revisions 0033-0034: their backfill
        data["migrate_s"] = round(time.perf_counter() - started, 1)
        async with transaction(sessions) as session:
            data["purchases"] = (await session.execute(text("SELECT count(*) FROM purchase_lines"))).scalar_one()
        data["backfill_by"] = "migrations"
        if not data["purchases"]:  # loaded after the migration: the lines are made by a rebuild
            started = time.perf_counter()
            async with transaction(sessions) as session:
                data["purchases"] = await purchases.rebuild(session)
            data["migrate_s"] = round(time.perf_counter() - started, 1)
            data["backfill_by"] = "rebuild"
        log(f"{db.backend}: {data['purchases']:,} purchase lines backfilled in {data['migrate_s']} s")
        products = await _products_before_and_after(db, engine, sessions, args)
        data["consumer"] = await _consumer_ms(sessions)
        figures = {}
        for name, call in _reports().items():
            figures[name] = await common.timed_in_transactions(sessions, call, args.samples)
            log(f"{name}: p95 {figures[name]['p95_ms']:.0f} ms")
        baseline = await _baseline(sessions, _period(365))
    finally:
        await engine.dispose()
    machine_load = os.getloadavg()
    return {
        "backend": db.backend,
        "data": data,
        "reports": figures,
        "baseline_s": baseline,
        "products": products,
        "load_average": [round(v, 2) for v in machine_load],
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("purchases") as scratch:
        if args.reuse and backend == "postgresql":
            db = common.Database("postgresql", common.pg_url())
        else:
            db = common.prepare_database(backend, scratch)
        return asyncio.run(run_on(db, args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        scale = r["data"]["contacts"] / 1_000_000
        for name, figures in r["reports"].items():
            target = TARGETS_S[name] * max(scale, 0.01)
            rows.append(
                [
                    r["backend"],
                    name,
                    r["data"]["contacts"],
                    r["data"]["purchases"],
                    figures["median_ms"],
                    figures["p95_ms"],
                    f"<= {target * 1000:.0f} ms (pro rata)",
                    verdict(figures["p95_ms"] / 1000, target, higher_is_better=False),
                    round(r["baseline_s"] * 1000),
                    round(r["baseline_s"] * 1000 / figures["median_ms"], 1),
                ]
            )
    headers = ["backend", "report", "contacts", "purchases", "median ms", "p95 ms", "target", "", "baseline ms"]
    print_table("Cohorts and products", [*headers, "baseline / ours"], rows)
    rows = []
    for r in results:
        for name in PERIODS:
            p = r["products"][name]
            before, after = p["before"], p["after"]
            rows.append(
                [
                    r["backend"],
                    name,
                    before["median_ms"],
                    before["p95_ms"],
                    after["median_ms"],
                    after["p95_ms"],
                    round(before["median_ms"] / after["median_ms"], 1),
                    p["naive_ms"],
                    round(p["naive_ms"] / after["median_ms"], 1),
                    "yes" if p["agree"] else "NO",
                ]
            )
    headers = ["backend", "period", "before p50", "before p95", "after p50", "after p95", "before / after"]
    print_table("Products report (ms)", [*headers, "naive", "naive / after", "same answer"], rows)
    for r in results:
        print(
            f"{r['backend']}: migration 0040 in {r['products']['migration_0040_s']} s; load average {r['load_average']}"
        )
    for r in results:
        d = r["data"]
        print(
            f"{r['backend']}: {d['purchases']:,} lines backfilled in {d['migrate_s']} s (by {d['backfill_by']}); "
            f"consumer {d['consumer']['ms']} ms for {d['consumer']['purchases']:,} purchases (without the "
            f"lines' markers, as before migration 0040: {d['consumer']['without_markers_ms']} ms)"
        )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=None, help="contacts (default 1,000,000; 10,000 with --quick)")
    p.add_argument("--per-contact", type=float, default=8.0, help="other interactions per contact on average")
    p.add_argument("--samples", type=int, default=10, help="measured runs of each report")
    p.add_argument("--before-samples", type=int, default=5, help="measured runs of the products report before 0040")
    p.add_argument("--reuse", action="store_true", help="PostgreSQL: keep a database that holds the contacts already")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (10_000 if args.quick else 1_000_000)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    written = common.write_results(common.results_name("purchases", args), args, {"results": results})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(written.read_text())


if __name__ == "__main__":
    main()
