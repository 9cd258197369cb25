"""Duplicate detection over 1,000,000 contacts: every probable pair found, target <= 60 s.

The base: contacts with names drawn from common French first and last names, addresses at the usual
providers (Gmail, Outlook, Orange...), 60% with a phone number, half at one of 20,000 accounts.
Planted among them, a known number of pairs of one person: the same Gmail mailbox written another
way (dots, a +tag, googlemail.com), the same phone number, the same name at the same account; and
one switchboard number shared by 2% of the base (its contacts are not one person).

Measured, in this process with the product's own code against the database (no HTTP):
  detection    contacts.duplicates.count_pairs: every pair of the base found set-wise     <= 60 s
  first page   contacts.duplicates.find_pairs(limit 50): what the review screen asks first
  next page    the same from the first page's cursor
Loading the base is setup, not the measured part (multi-row INSERTs, then VACUUM ANALYZE on
PostgreSQL as autovacuum would do).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench import common
from bench.common import log, print_table, verdict

TARGET_S = 60.0
BATCH = 10_000
FIRST = ["jean", "marie", "pierre", "sophie", "luc", "anne", "paul", "julie", "marc", "claire", "louis", "emma"]
LAST = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau"]
DOMAINS = ["gmail.com", "outlook.com", "orange.fr", "free.fr", "yahoo.fr", "laposte.net", "hotmail.fr", "acme.example"]
ACCOUNTS = 20_000
SWITCHBOARD = "+33100000000"


def _people(contacts: int, seed: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The rows, and how many pairs of each kind were planted."""
    rng = random.Random(seed)
    firsts = [f"{f}{i}" if i else f for f in FIRST for i in range(40)]  # 480 first names
    lasts = [f"{name}{i}" if i else name for name in LAST for i in range(200)]  # 2,000 last names
    rows: list[dict[str, Any]] = []
    planted = {"email": 0, "phone": 0, "name_company": 0}
    while len(rows) < contacts:
        n = len(rows)
        first, last = rng.choice(firsts), rng.choice(lasts)
        row = {
            "email": f"{first}.{last}.{n}@{rng.choice(DOMAINS)}",
            "first_name": first.capitalize(),
            "last_name": last.capitalize(),
            "phone": f"+336{n:08d}" if rng.random() < 0.6 else (SWITCHBOARD if rng.random() < 0.05 else None),
            "account_id": rng.randrange(1, ACCOUNTS + 1) if rng.random() < 0.5 else None,
        }
        rows.append(row)
        kind = rng.random()
        if len(rows) < contacts and kind < 0.02:  # one in fifty people is known twice
            twin = dict(row)
            if kind < 0.008:
                twin["email"] = f"{first}{last}{n}+news@googlemail.com"
                row["email"] = f"{first}.{last}.{n}@gmail.com"
                twin["phone"] = None
                planted["email"] += 1
            elif kind < 0.014 and row["phone"] and row["phone"] != SWITCHBOARD:
                twin["email"] = f"{last}.{first}.{n}@{rng.choice(DOMAINS)}"
                twin["account_id"] = None
                planted["phone"] += 1
            elif row["account_id"] is not None:
                twin["email"] = f"{first[0]}.{last}.{n}@acme{row['account_id']}.example"
                twin["phone"] = None
                planted["name_company"] += 1
            else:
                continue
            rows.append(twin)
    return rows, planted


async def load(db: common.Database, engine: Any, contacts: int) -> dict[str, Any]:
    from sqlalchemy import insert, text

    from parcours.contacts.matching import email_key, person_key
    from parcours.contacts.models import ACCOUNTS as ACCOUNT_TABLE
    from parcours.contacts.models import CONTACTS
    from parcours.contacts.normalize import search_text

    started = time.perf_counter()
    now = datetime.now(UTC)
    rows, planted = _people(contacts, seed=16)
    async with engine.begin() as conn:
        await conn.execute(
            insert(ACCOUNT_TABLE),
            [
                {"name": f"Company {i}", "name_key": f"company {i}", "created_at": now, "updated_at": now}
                for i in range(1, ACCOUNTS + 1)
            ],
        )
    for start in range(0, len(rows), BATCH):
        batch = [
            {
                **row,
                "email_key": email_key(row["email"]),
                "person_key": person_key(row["first_name"], row["last_name"]),
                "search_text": search_text(row["first_name"], row["last_name"], row["email"]),
                "lifecycle_stage": "subscriber",
                "consent_level": "none",
                "email_opt_in": False,
                "sms_opt_in": False,
                "unsubscribed": False,
                "bounced": False,
                "custom": {},
                "scores": {},
                "opens_30d": 0,
                "clicks_30d": 0,
                "visits_30d": 0,
                "purchases": 0,
                "total_revenue": 0.0,
                "created_at": now,
                "updated_at": now,
            }
            for row in rows[start : start + BATCH]
        ]
        async with engine.begin() as conn:
            await conn.execute(insert(CONTACTS), batch)
        if (start // BATCH) % 20 == 0:
            log(f"{db.backend}: loaded {start + len(batch):,} contacts")
    if db.backend == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    return {"contacts": len(rows), "planted": planted, "setup_s": round(time.perf_counter() - started, 1)}


async def measure(sessions: Any, repeats: int) -> dict[str, Any]:
    from parcours.contacts import duplicates
    from parcours.db import transaction

    detection, found = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        async with transaction(sessions) as session:
            found = await duplicates.count_pairs(session)
        detection.append(time.perf_counter() - started)
        log(f"detection: {found:,} pairs in {detection[-1]:.2f} s")
    started = time.perf_counter()
    async with transaction(sessions) as session:
        first = await duplicates.find_pairs(session, 50, None)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    async with transaction(sessions) as session:
        second = await duplicates.find_pairs(session, 50, first.next_cursor)
    second_s = time.perf_counter() - started
    reasons: dict[str, int] = {}
    for pair in first.items + second.items:
        for reason in pair.reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
    return {
        "pairs_found": found,
        "detection_s": [round(s, 2) for s in detection],
        "detection_median_s": round(statistics.median(detection), 2),
        "first_page_s": round(first_s, 2),
        "next_page_s": round(second_s, 2),
        "reasons_on_two_pages": reasons,
    }


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from parcours.db import create_engine, migrate, session_factory
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    await migrate(engine)
    try:
        data = await load(db, engine, args.contacts)
        log(f"{db.backend}: {data['contacts']:,} contacts in {data['setup_s']} s, planted {data['planted']}")
        figures = await measure(session_factory(engine), args.repeats)
    finally:
        await engine.dispose()
    return {"backend": db.backend, **data, **figures}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("duplicates") as scratch:
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        target = TARGET_S * r["contacts"] / 1_000_000
        planted = sum(r["planted"].values())
        rows.append(
            [
                r["backend"],
                r["contacts"],
                planted,
                r["pairs_found"],
                r["detection_median_s"],
                f"<= {target:.1f} s (pro rata)",
                verdict(r["detection_median_s"], target, higher_is_better=False),
                r["first_page_s"],
                r["next_page_s"],
            ]
        )
    print_table(
        "Duplicate detection",
        [
            "backend",
            "contacts",
            "planted pairs",
            "pairs found",
            "detection s",
            "target",
            "",
            "first page s",
            "next page s",
        ],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=None, help="contacts (default 1,000,000; 20,000 with --quick)")
    p.add_argument("--repeats", type=int, default=3, help="detections measured (the median is reported)")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (20_000 if args.quick else 1_000_000)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("duplicates", args), args, {"results": results})


if __name__ == "__main__":
    main()
