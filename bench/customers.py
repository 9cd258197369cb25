"""Customer reports: audience, RFM, cohorts (24 months) and products over a large base.

Measured, in-process against a real database (the reports' service functions, no HTTP): each
report `--samples` times after one unmeasured run; median and p95. Targets at 1,000,000 contacts,
10,000,000 interactions (2,000,000 purchases) on PostgreSQL: audience <= 1 s, RFM <= 1 s, cohorts
(24 months) <= 2 s, products <= 2 s. The naive baseline: every contact (audience) or every purchase
(the others) read into Python and counted there, timed once; the ratio baseline / ours.

Setup (not measured): N contacts with gender, birth date, country, city (200 cities), language,
source, opt-ins and a creation date over two years; 40% of them customers with purchases over two
years (product among 30 in 6 categories, quantity, an order_id of one or two lines); other
interactions (opens, visits) up to --per-contact per contact on average; written with COPY
(PostgreSQL) or executemany (SQLite); then one RFM recompute.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import common
from bench.common import latency_summary, log, print_table, verdict
from bench.scoring import _write

TARGETS_S = {"audience": 1.0, "rfm": 1.0, "cohorts": 2.0, "products": 2.0}
CUSTOMER_SHARE = 0.4
PRODUCTS = [(f"product-{n:02d}", f"category-{n % 6}") for n in range(30)]
CITIES = [f"City {n}" for n in range(200)]


async def load(db: common.Database, engine: Any, contacts: int, per_contact: float, seed: int = 7) -> dict[str, Any]:
    from sqlalchemy import text

    from parcours.contacts.models import Contact
    from parcours.interactions.models import Interaction

    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    batch, written, purchases, others, order = 20_000, 0, 0, 0, 0
    for start in range(0, contacts, batch):
        rows, events = [], []
        for cid in range(start + 1, min(contacts, start + batch) + 1):
            created = now - timedelta(seconds=rng.randrange(730 * 86400))
            rows.append(
                {
                    "id": cid,
                    "email": f"c{cid}@bench.example",
                    "first_name": "Ada" if rng.random() < 0.9 else None,
                    "phone": "+33612345678" if rng.random() < 0.3 else None,
                    "gender": rng.choice(["female", "male", None]),
                    "birth_date": date(1950 + rng.randrange(60), 1 + rng.randrange(12), 1)
                    if rng.random() < 0.5
                    else None,
                    "country": rng.choice(["FR", "FR", "BE", "DE", "ES", None]),
                    "city": rng.choice(CITIES),
                    "language": rng.choice(["fr", "en", "de"]),
                    "source": rng.choice(["webinar", "fair", "website", None]),
                    "lead_origin": rng.choice(["inbound", "outbound", None]),
                    "lifecycle_stage": rng.choice(["subscriber", "lead", "customer"]),
                    "consent_level": "marketing",
                    "email_opt_in": rng.random() < 0.7,
                    "sms_opt_in": rng.random() < 0.2,
                    "unsubscribed": rng.random() < 0.05,
                    "bounced": False,
                    "custom": {},
                    "scores": {},
                    "search_text": f"c {cid}",
                    "opens_30d": 0,
                    "clicks_30d": 0,
                    "visits_30d": 0,
                    "purchases": 0,
                    "total_revenue": 0.0,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for _ in range(int(rng.expovariate(1 / per_contact))):
                at = now - timedelta(seconds=rng.randrange(120 * 86400))
                events.append((cid, rng.choice(["email_opened", "page_visited"]), at, None, {}, at))
            if rng.random() >= CUSTOMER_SHARE:
                continue
            for _ in range(1 + int(rng.expovariate(1 / 4))):
                order += 1
                at = now - timedelta(seconds=rng.randrange(730 * 86400))
                for _line in range(1 if rng.random() < 0.7 else 2):
                    product, category = rng.choice(PRODUCTS)
                    amount = round(rng.lognormvariate(3.5, 0.8), 2)
                    properties = {
                        "amount": amount,
                        "product": product,
                        "category": category,
                        "quantity": 1 + rng.randrange(3),
                        "order_id": f"O{order}",
                    }
                    events.append((cid, "purchase", at, amount, properties, at))
                    purchases += 1
        await _write(db, engine, Contact, rows, Interaction, events)
        written += len(rows)
        others += len(events)
        if written % 100_000 == 0 or written == contacts:
            log(f"loaded {written:,} contacts, {others:,} interactions ({purchases:,} purchases)")
    if db.backend == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("SELECT setval('contacts_id_seq', :n)"), {"n": contacts})
    await common.vacuum(db, engine)
    return {
        "contacts": contacts,
        "interactions": others,
        "purchases": purchases,
        "setup_s": round(time.perf_counter() - started, 1),
    }


def _reports(filters: Any) -> dict[str, Any]:
    from parcours.reports import audience, products, value

    return {
        "audience": lambda s: audience.report(s, filters),
        "rfm": lambda s: value.rfm_report(s, filters),
        "cohorts": lambda s: value.cohorts_report(s, filters, "first_purchase", 24),
        "products": lambda s: products.report(s, filters),
    }


async def _baselines(sessions: Any, filters: Any) -> dict[str, float]:
    """Every row read into Python and counted there: what the reports would cost without SQL."""
    from sqlalchemy import select

    from parcours.contacts import service as contacts
    from parcours.db import transaction
    from parcours.interactions import service as interactions

    out: dict[str, float] = {}
    async with transaction(sessions) as session:
        table = contacts.contacts_table()
        started = time.perf_counter()
        counts: dict[str, Counter[Any]] = defaultdict(Counter)
        names = ["gender", "country", "city", "language", "lifecycle_stage", "source", "lead_origin", "birth_date"]
        result = await session.stream(select(*(table.c[n] for n in names), table.c.email_opt_in, table.c.unsubscribed))
        async for row in result:
            for name, value in zip(names, row, strict=False):
                counts[name][value] += 1
        out["audience"] = time.perf_counter() - started
        p = interactions.table()
        started = time.perf_counter()
        per_product: dict[Any, list[float]] = defaultdict(list)
        first: dict[int, datetime] = {}
        result = await session.stream(
            select(p.c.contact_id, p.c.occurred_at, p.c.value, p.c.properties).where(p.c.type == "purchase")
        )
        async for cid, at, amount, properties in result:
            per_product[(properties or {}).get("product")].append(amount or 0)
            first[cid] = min(first.get(cid, at), at)
        elapsed = time.perf_counter() - started
        # One read of every purchase serves each of the other three reports.
        out.update(rfm=elapsed, cohorts=elapsed, products=elapsed)
    return out


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from parcours.db import create_engine, migrate, session_factory, transaction
    from parcours.reports.filters import ReportFilters
    from parcours.rfm import service as rfm
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    await migrate(engine)
    try:
        sessions = session_factory(engine)
        data = await load(db, engine, args.contacts, args.per_contact)
        log(f"{db.backend}: data loaded in {data['setup_s']} s; RFM recompute")
        async with transaction(sessions) as session:
            await rfm.recompute(session, datetime.now(UTC), 365)
        today = datetime.now(UTC).date()
        filters = ReportFilters(start=today - timedelta(days=364), end=today)
        figures = {}
        for name, call in _reports(filters).items():
            samples = []
            for n in range(args.samples + 1):
                async with transaction(sessions) as session:
                    started = time.perf_counter()
                    await call(session)
                    if n:
                        samples.append(time.perf_counter() - started)
            figures[name] = latency_summary(samples)
            log(f"{name}: p95 {figures[name]['p95_ms']:.0f} ms")
        baselines = await _baselines(sessions, filters)
    finally:
        await engine.dispose()
    return {"backend": db.backend, "data": data, "reports": figures, "baseline_s": baselines}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("customers") as scratch:
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        scale = r["data"]["contacts"] / 1_000_000
        for name, figures in r["reports"].items():
            target = TARGETS_S[name] * max(scale, 0.01)
            baseline = r["baseline_s"][name]
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
                    round(baseline * 1000),
                    round(baseline * 1000 / figures["median_ms"], 1),
                ]
            )
    print_table(
        "Customer reports",
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
    args = p.parse_args(argv)
    args.contacts = args.contacts or (10_000 if args.quick else 1_000_000)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("customers", args), args, {"results": results})


if __name__ == "__main__":
    main()
