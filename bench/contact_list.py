"""Listing contacts (GET /api/contacts) in a base of 1,000,000 contacts.

Measured, one request at a time from one client (median and p95 over --requests requests):
  first page            GET /api/contacts                                  target p95 <= 150 ms
  filtered page         GET /api/contacts?country=FR&lifecycle_stage=lead  target p95 <= 150 ms
  second page           GET /api/contacts?cursor=<next_cursor of the first page>
  search                GET /api/contacts?q=dupont

Loading the base is setup, not the measured part. `parcours seed` is timed on a sample (it
builds every contact with Faker, too slow for a million); the same goes for the product's
bulk `insert_many`; the rest is written with the fastest path: one executemany per 100,000
rows on SQLite, COPY on PostgreSQL (followed by VACUUM ANALYZE, as autovacuum would do).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import common
from bench.common import Database, Product, latency_summary, log, print_table, verdict

TARGET_MS = 150.0
CHUNK = 100_000
COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "account_id",
    "country",
    "city",
    "language",
    "birth_date",
    "gender",
    "lifecycle_stage",
    "source",
    "consent_level",
    "email_opt_in",
    "sms_opt_in",
    "unsubscribed",
    "bounced",
    "custom",
    "opens_30d",
    "clicks_30d",
    "visits_30d",
    "purchases",
    "total_revenue",
    "created_at",
    "updated_at",
]
# Columns derived from the others, written when the schema has them (the product fills them itself).
DERIVED = ["search_text"]
COUNTRIES = {"FR": 60, "GB": 12, "US": 10, "BE": 6, "DE": 6, "ES": 6}
STAGES = {
    "subscriber": 40,
    "lead": 25,
    "marketing_qualified": 12,
    "sales_ready": 6,
    "opportunity": 5,
    "customer": 10,
    "disqualified": 2,
}
SOURCES = {"website": 35, "webinar": 15, "trade_show": 10, "import": 20, "referral": 10, "linkedin": 10}
CONSENT = {"none": 10, "transactional": 20, "marketing": 55, "profiling": 15}
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "outlook.com", "yahoo.fr", "laposte.net", "hotmail.com"]
REQUESTS = {
    "first page": "/api/contacts",
    "filtered page": "/api/contacts?country=FR&lifecycle_stage=lead",
    "second page": "/api/contacts?cursor={cursor}",
    "search": "/api/contacts?q=dupont",
}
TARGETS = {"first page": TARGET_MS, "filtered page": TARGET_MS}


# ---- generating contacts ---------------------------------------------------------------------------


class Pools:
    """Names, cities and jobs drawn once with Faker; rows are then put together cheaply."""

    def __init__(self, seed: int) -> None:
        from faker import Faker
        from faker.providers.person.fr_FR import Provider as FrenchNames

        self.rng = random.Random(seed)
        fakers = {
            "FR": Faker("fr_FR"),
            "GB": Faker("en_GB"),
            "US": Faker("en_US"),
            "BE": Faker("fr_FR"),
            "DE": Faker("de_DE"),
            "ES": Faker("es_ES"),
        }
        for i, fake in enumerate(fakers.values()):
            fake.seed_instance(seed + i)
        self.first = {c: sorted({f.first_name() for _ in range(800)}) for c, f in fakers.items()}
        self.last = {c: sorted({f.last_name() for _ in range(1500)}) for c, f in fakers.items()}
        self.last["FR"] = sorted(set(self.last["FR"]) | set(FrenchNames.last_names))  # Dupont is one of them
        self.city = {c: sorted({f.city() for _ in range(300)}) for c, f in fakers.items()}
        self.jobs = sorted({fakers["FR"].job()[:200] for _ in range(400)})
        from parcours.contacts.normalize import fold

        self.fold = fold
        self.country_keys, self.country_weights = list(COUNTRIES), list(COUNTRIES.values())

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def rows(self, start: int, count: int, account_ids: list[int], now: datetime) -> list[dict[str, Any]]:
        rng = self.rng
        out = []
        for i in range(start, start + count):
            country = rng.choices(self.country_keys, weights=self.country_weights)[0]
            first, last = rng.choice(self.first[country]), rng.choice(self.last[country])
            local = self.fold(f"{first}.{last}").replace(" ", "-")
            consent = self.pick(CONSENT)
            created = now - timedelta(seconds=rng.uniform(0, 730 * 86400))
            out.append(
                {
                    "email": f"{local}.b{i}@{rng.choice(DOMAINS)}",
                    "first_name": first,
                    "last_name": last,
                    "phone": f"+336{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.7 else None,
                    "job_title": rng.choice(self.jobs) if rng.random() < 0.8 else None,
                    "account_id": rng.choice(account_ids) if account_ids and rng.random() < 0.75 else None,
                    "country": country,
                    "city": rng.choice(self.city[country])[:100],
                    "language": "fr" if country in ("FR", "BE") else "en",
                    "birth_date": date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
                    if rng.random() < 0.6
                    else None,
                    "gender": rng.choice(["female", "male", "undisclosed"]),
                    "lifecycle_stage": self.pick(STAGES),
                    "source": self.pick(SOURCES),
                    "consent_level": consent,
                    "email_opt_in": consent in ("marketing", "profiling"),
                    "sms_opt_in": rng.random() < 0.2,
                    "unsubscribed": rng.random() < 0.03,
                    "bounced": rng.random() < 0.01,
                    "custom": {},
                    "opens_30d": 0,
                    "clicks_30d": 0,
                    "visits_30d": 0,
                    "purchases": 0,
                    "total_revenue": 0.0,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        return out


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(size, total - start)


# ---- loading ---------------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # stored as SQLAlchemy stores UTCDateTime on SQLite: naive UTC text
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{}" if not value else __import__("json").dumps(value)
    return value


def _columns(db: Database) -> list[str]:
    """COLUMNS, plus the derived columns this version of the schema has (written as the product would)."""
    if db.sqlite_path is not None:
        present = {row[1] for row in db.execute("PRAGMA table_info(contacts)")[0]}
    else:
        present = {
            row[0]
            for row in db.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts'")[0]
        }
    return COLUMNS + [c for c in DERIVED if c in present]


def _derive(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if "search_text" in columns:
        from parcours.contacts.normalize import search_text

        for r in rows:
            r["search_text"] = search_text(r["first_name"], r["last_name"], r["email"])


def bulk_sqlite(db: Database, pools: Pools, start: int, count: int, account_ids: list[int], now: datetime) -> None:
    assert db.sqlite_path is not None
    columns = _columns(db)
    conn = sqlite3.connect(db.sqlite_path, timeout=60)
    statement = f"INSERT INTO contacts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    try:
        for offset, size in _chunks(count, CHUNK):
            rows = pools.rows(start + offset, size, account_ids, now)
            _derive(rows, columns)
            with conn:  # one transaction per chunk
                conn.executemany(statement, [tuple(_sqlite_value(r[c]) for c in columns) for r in rows])
    finally:
        conn.close()


async def bulk_postgres(
    db: Database, pools: Pools, start: int, count: int, account_ids: list[int], now: datetime, columns: list[str]
) -> None:
    import asyncpg

    conn = await asyncpg.connect(common._plain_pg(db.url))
    try:
        for offset, size in _chunks(count, CHUNK):
            rows = pools.rows(start + offset, size, account_ids, now)
            _derive(rows, columns)
            records = [tuple("{}" if c == "custom" else r[c] for c in columns) for r in rows]
            await conn.copy_records_to_table("contacts", records=records, columns=columns)
    finally:
        await conn.close()


async def with_insert_many(
    db: Database, pools: Pools, start: int, count: int, account_ids: list[int], now: datetime
) -> None:
    """The product's own bulk path (contacts.service.insert_many), 5,000 rows per transaction."""
    import parcours.models  # noqa: F401  (every table)
    from parcours import db as product_db
    from parcours.contacts.service import insert_many
    from parcours.settings import async_url

    engine = product_db.create_engine(async_url(db.url))
    sessions = product_db.session_factory(engine)
    try:
        for offset, size in _chunks(count, 5_000):
            rows = pools.rows(start + offset, size, account_ids, now)
            async with product_db.transaction(sessions) as session:
                await insert_many(session, rows)
    finally:
        await engine.dispose()


def load(db: Database, env: dict[str, str], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Fill the base with args.contacts contacts; returns how fast each way of loading went."""
    timings = []
    sample = min(args.seed_sample, args.contacts)
    log(f"{db.backend}: `parcours seed --contacts {sample:,}` (the product's demo seeder)")
    watch = common.Stopwatch()
    common.parcours_cli(["seed", "--contacts", str(sample), "--interactions", "0"], env)
    timings.append({"method": "parcours seed", "rows": sample, "seconds": watch.seconds})
    account_ids = [int(r[0]) for r in db.execute("SELECT id FROM accounts")[0]]
    pools = Pools(seed=99)
    now = datetime.now(UTC)
    done = sample
    sample = min(args.seed_sample, args.contacts - done)
    if sample > 0:
        log(f"{db.backend}: {sample:,} contacts with contacts.service.insert_many")
        watch = common.Stopwatch()
        asyncio.run(with_insert_many(db, pools, done, sample, account_ids, now))
        timings.append({"method": "service.insert_many", "rows": sample, "seconds": watch.seconds})
        done += sample
    rest = args.contacts - done
    if rest > 0:
        method = "sqlite3 executemany" if db.backend == "sqlite" else "COPY"
        log(f"{db.backend}: {rest:,} contacts with {method}")
        watch = common.Stopwatch()
        if db.backend == "sqlite":
            bulk_sqlite(db, pools, done, rest, account_ids, now)
        else:
            asyncio.run(bulk_postgres(db, pools, done, rest, account_ids, now, _columns(db)))
        timings.append({"method": method, "rows": rest, "seconds": watch.seconds})
    if db.backend == "postgresql":
        watch = common.Stopwatch()
        db.execute("VACUUM ANALYZE contacts")
        timings.append({"method": "VACUUM ANALYZE", "rows": 0, "seconds": watch.seconds})
    for t in timings:
        t["seconds"] = round(t["seconds"], 2)
        t["rows_per_s"] = round(t["rows"] / t["seconds"], 1) if t["rows"] else None
        t["extrapolated_seconds_for_all"] = round(args.contacts / t["rows_per_s"]) if t["rows"] else None
    return timings


# ---- measuring ------------------------------------------------------------------------------------


def measure(product: Product, requests: int, warmup: int) -> list[dict[str, Any]]:
    client = product.client()
    first = client.get(REQUESTS["first page"])
    if first.status != 200:
        raise RuntimeError(f"GET /api/contacts answered {first.status}: {first.body[:300]!r}")
    cursor = first.json()["next_cursor"]
    out = []
    for name, template in REQUESTS.items():
        path = template.format(cursor=cursor)
        for _ in range(warmup):
            client.get(path)
        seconds, statuses = [], set()
        body: dict[str, Any] = {}
        for _ in range(requests):
            reply = client.get(path)
            seconds.append(reply.seconds)
            statuses.add(reply.status)
            body = reply.json() if reply.status == 200 else {}
        summary = latency_summary(seconds)
        out.append(
            {
                "request": name,
                "path": path,
                "statuses": sorted(statuses),
                "total": body.get("total"),
                "items": len(body.get("items", [])),
                **summary,
            }
        )
        log(f"  {name}: median {summary['median_ms']} ms, p95 {summary['p95_ms']} ms")
    client.close()
    return out


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("contacts") as tmp:
        db = common.prepare_database(backend, tmp)
        env = common.product_env(db, tmp / "data")
        common.parcours_cli(["migrate"], env)
        loading = load(db, env, args)
        contacts = db.count("contacts")
        log(f"{backend}: {contacts:,} contacts loaded; measuring")
        with Product(db, tmp / "data") as product:
            time.sleep(1)
            log(
                f"{backend}: background jobs done after {product.wait_for_jobs()} s (the first start's score recompute)"
            )
            if backend == "postgresql":  # the recompute updated most contacts: what autovacuum does next
                db.execute("VACUUM ANALYZE contacts")
            results = measure(product, args.requests, args.warmup)
    return {"backend": backend, "contacts": contacts, "loading": loading, "requests": results}


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        for t in r["loading"]:
            rows.append(
                [
                    r["backend"],
                    t["method"],
                    t["rows"],
                    t["seconds"],
                    t["rows_per_s"] or "",
                    t["extrapolated_seconds_for_all"] or "",
                ]
            )
    print_table(
        "Loading the contacts (setup, not measured)",
        ["backend", "method", "rows", "seconds", "rows/s", f"seconds for all {results[0]['contacts']:,}"],
        rows,
    )
    rows = []
    for r in results:
        for q in r["requests"]:
            target = TARGETS.get(q["request"])
            rows.append(
                [
                    r["backend"],
                    q["request"],
                    q["path"][:60],
                    q["total"],
                    q["items"],
                    q["median_ms"],
                    q["p95_ms"],
                    q["max_ms"],
                    f"p95 <= {target:g} ms" if target else "",
                    verdict(q["p95_ms"], target, False) if target else "",
                ]
            )
    print_table(
        f"GET /api/contacts with {results[0]['contacts']:,} contacts (sequential requests)",
        ["backend", "request", "path", "total", "items", "median ms", "p95 ms", "max ms", "target", "verdict"],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, help="contacts in the base (default 1,000,000; quick 20,000)")
    p.add_argument("--requests", type=int, help="measured requests of each kind (default 30; quick 5)")
    p.add_argument("--warmup", type=int, default=3, help="unmeasured requests of each kind first")
    p.add_argument(
        "--seed-sample",
        type=int,
        help="contacts created by `parcours seed`, then as many by insert_many (default 10,000; quick 1,000)",
    )
    args = p.parse_args(argv)
    args.contacts = args.contacts or (20_000 if args.quick else 1_000_000)
    args.requests = args.requests or (5 if args.quick else 30)
    args.seed_sample = args.seed_sample or (1_000 if args.quick else 10_000)
    results = [run_backend(b, args) for b in common.selected_backends(args.backend)]
    report(results)
    common.write_results("contact_list", args, {"target_ms": TARGET_MS, "backends": results})


if __name__ == "__main__":
    main()
