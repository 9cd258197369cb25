"""Lead scoring: real-time scoring of one interaction, and the full recompute after a model change.

Measured, in-process against a real database (the product's own functions, no HTTP):
  1. real time, 3 active models with 50 rules in all (the shipped behavioural, demographic and
     firmographic models, each grown with more rules of the same kinds):
     a. the scoring function: points.score of one contact for the 3 models, on real rows (the
        contact's fields and its interactions of the models' types, read beforehand), median and
        p95 over --samples contacts;                                              target <= 5 ms
     b. with its I/O: service.score_contacts for one contact (read its fields, interactions and
        stored scores, write what changed);
     c. end to end through the stream: one interaction recorded and committed, then
        stream.process_new_interactions with the scoring consumer (computed fields,
        then scoring), median and p95 over --samples interactions.
  2. full recompute: the job (scoring.tasks.recompute_scores) for the behavioural model over
     every contact, as after a model change, its progress printed as it reports it; then the
     firmographic model (attribute rules with the account join).    target <= 60 s at 1,000,000
                                                                            contacts (PostgreSQL)
Setup (not measured): N contacts (a fifth with an account), --per-contact interactions each on
average over 120 days (opens, clicks, a fifth of them on pricing pages, visits, forms, events),
written with COPY (PostgreSQL) or executemany (SQLite); the stream cursor moved past them.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import msgspec

from bench import common
from bench.common import latency_summary, log, print_table, verdict

SCORE_TARGET_MS = 5.0
RECOMPUTE_TARGET_S = 60.0
TYPES = [
    ("email_opened", 40),
    ("email_clicked", 20),
    ("page_visited", 30),
    ("form_submitted", 4),
    ("event_registered", 3),
    ("event_attended", 3),
]
TITLES = ["Sales Director", "CEO", "Marketing Manager", "Engineer", "Student", "Head of Growth", "Consultant", None]
INDUSTRIES = ["Software", "Finance", "Retail", "Manufacturing", "Healthcare", "Education"]


def extra_rules() -> dict[str, list[dict[str, Any]]]:
    """Rules added to the shipped models: 20 + 15 + 15 = 50 in all."""
    behavioural = [
        {
            "id": f"page-{topic}",
            "label": f"Visited {topic}",
            "kind": "interaction",
            "interaction_type": "page_visited",
            "filter": f'path =~~ "{topic}"',
            "points": 3,
            "cap": 9,
            "cap_days": 7,
            "decay_days": 60,
        }
        for topic in ("pricing", "demo", "case-studies", "docs", "integrations", "security", "careers", "blog")
    ] + [
        {
            "id": "big-form",
            "label": "Contact form",
            "kind": "interaction",
            "interaction_type": "form_submitted",
            "filter": 'form == "contact"',
            "points": 30,
            "cap": None,
            "cap_days": None,
            "decay_days": 120,
        },
        {
            "id": "purchase",
            "label": "Purchase over 100",
            "kind": "interaction",
            "interaction_type": "purchase",
            "filter": "amount >= 100",
            "points": 20,
            "cap": 40,
            "cap_days": 30,
            "decay_days": 365,
        },
        {
            "id": "reply",
            "label": "Replied",
            "kind": "interaction",
            "interaction_type": "email_replied",
            "filter": None,
            "points": 10,
            "cap": None,
            "cap_days": None,
            "decay_days": 90,
        },
        {
            "id": "trial",
            "label": "Started a trial",
            "kind": "interaction",
            "interaction_type": "trial_started",
            "filter": None,
            "points": 40,
            "cap": None,
            "cap_days": None,
            "decay_days": 60,
        },
    ]
    demographic = [
        {"id": f"country-{c}", "label": f"In {c}", "kind": "attribute", "rule": f'country == "{c}"', "points": 2}
        for c in ("FR", "BE", "DE", "ES", "IT")
    ] + [
        {"id": "language-fr", "label": "Speaks French", "kind": "attribute", "rule": 'language == "fr"', "points": 1},
        {
            "id": "consent",
            "label": "Marketing consent",
            "kind": "attribute",
            "rule": 'consent_level in ["marketing", "profiling"]',
            "points": 3,
        },
        {"id": "active", "label": "Opened recently", "kind": "attribute", "rule": "opens_30d >= 3", "points": 5},
        {"id": "clicker", "label": "Clicks", "kind": "attribute", "rule": "clicks_30d >= 2", "points": 5},
    ]
    firmographic = [
        {
            "id": f"industry-{i.lower()}",
            "label": i,
            "kind": "attribute",
            "rule": f'(account_industry ?? "") == "{i}"',
            "points": 3,
        }
        for i in INDUSTRIES
    ] + [
        {
            "id": f"size-{n}",
            "label": f"{n}+ employees",
            "kind": "attribute",
            "rule": f"(account_size ?? 0) >= {n}",
            "points": 2,
        }
        for n in (10, 100, 1000, 5000)
    ]
    return {"behavioural": behavioural, "demographic": demographic, "firmographic": firmographic}


async def load(db: common.Database, engine: Any, contacts: int, per_contact: float, seed: int = 7) -> dict[str, Any]:
    from sqlalchemy import insert, text

    from parcours.contacts.models import Account, Contact
    from parcours.interactions.models import Interaction

    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    accounts = [
        {
            "id": i + 1,
            "name": f"Company {i}",
            "name_key": f"company {i}",
            "industry": rng.choice(INDUSTRIES),
            "size": rng.choice([5, 50, 200, 1500, 8000]),
            "created_at": now,
            "updated_at": now,
        }
        for i in range(max(1, contacts // 50))
    ]
    kinds = [t for t, _ in TYPES]
    weights = [w for _, w in TYPES]
    async with engine.begin() as conn:
        await conn.execute(insert(Account), accounts)
    batch, written, interactions = 20_000, 0, 0
    for start in range(0, contacts, batch):
        rows, events = [], []
        for cid in range(start + 1, min(contacts, start + batch) + 1):
            rows.append(
                {
                    "id": cid,
                    "email": f"lead{cid}@bench.example",
                    "first_name": "Lead",
                    "last_name": str(cid),
                    "job_title": rng.choice(TITLES),
                    "account_id": rng.randrange(1, len(accounts) + 1) if rng.random() < 0.2 else None,
                    "country": rng.choice(["FR", "BE", "DE", "US", None]),
                    "language": rng.choice(["fr", "en"]),
                    "lifecycle_stage": rng.choice(["subscriber", "lead"]),
                    "consent_level": rng.choice(["none", "marketing"]),
                    "email_opt_in": rng.random() < 0.6,
                    "sms_opt_in": False,
                    "unsubscribed": False,
                    "bounced": False,
                    "custom": {},
                    "scores": {},
                    "search_text": f"lead {cid}",
                    "opens_30d": rng.randrange(5),
                    "clicks_30d": rng.randrange(3),
                    "visits_30d": 0,
                    "purchases": 0,
                    "total_revenue": 0.0,
                    "created_at": now,
                    "updated_at": now,
                    "phone": None if rng.random() < 0.7 else "+33600000000",
                }
            )
            for _ in range(int(rng.expovariate(1 / per_contact)) if per_contact else 0):
                kind = rng.choices(kinds, weights)[0]
                at = now - timedelta(seconds=rng.randrange(120 * 86400))
                properties: dict[str, Any] = {}
                if kind == "email_clicked":
                    properties = {"url": "https://example.com/" + ("pricing" if rng.random() < 0.2 else "blog/post")}
                elif kind == "page_visited":
                    properties = {"path": rng.choice(["/pricing", "/demo", "/blog/a", "/docs/x", "/careers"])}
                elif kind == "form_submitted":
                    properties = {"form": rng.choice(["contact", "newsletter"])}
                events.append((cid, kind, at, None, properties, at))
        await _write(db, engine, Contact, rows, Interaction, events)
        written += len(rows)
        interactions += len(events)
        log(f"loaded {written:,} contacts, {interactions:,} interactions")
    async with engine.begin() as conn:
        top = (await conn.execute(text("SELECT max(id) FROM interactions"))).scalar() or 0
        await conn.execute(
            text(
                "INSERT INTO stream_cursors (name, position, gaps, updated_at) VALUES ('contact_stats', :p, '{}', :now)"
            ),
            {"p": top, "now": now},
        )
        if db.backend == "postgresql":
            await conn.execute(text("SELECT setval('contacts_id_seq', :n)"), {"n": contacts})
            await conn.execute(text("SELECT setval('accounts_id_seq', :n)"), {"n": len(accounts)})
    if db.backend == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    return {
        "contacts": contacts,
        "interactions": interactions,
        "accounts": len(accounts),
        "setup_s": round(time.perf_counter() - started, 1),
    }


async def _write(
    db: common.Database,
    engine: Any,
    contact: Any,
    rows: list[dict[str, Any]],
    interaction: Any,
    events: list[tuple[Any, ...]],
) -> None:
    from sqlalchemy import insert

    if db.backend == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(insert(contact), rows)
            raw = (await conn.get_raw_connection()).driver_connection
            encoded = [(c, k, at, v, msgspec.json.encode(p).decode(), r) for c, k, at, v, p, r in events]
            await raw.copy_records_to_table(
                "interactions",
                records=encoded,
                columns=["contact_id", "type", "occurred_at", "value", "properties", "received_at"],
            )
        return
    async with engine.begin() as conn:
        await conn.execute(insert(contact), rows)
        if events:
            await conn.execute(
                insert(interaction),
                [
                    {"contact_id": c, "type": k, "occurred_at": at, "value": v, "properties": p, "received_at": r}
                    for c, k, at, v, p, r in events
                ],
            )


async def models(sessions: Any) -> dict[str, int]:
    """The shipped models, grown to 50 rules in all; returns their ids by key."""
    from parcours.db import transaction
    from parcours.scoring import service
    from parcours.settings import load_settings

    async def no_queue(*_a: Any, **_k: Any) -> None:
        return None

    added = extra_rules()
    async with transaction(sessions) as session:
        await service.load_shipped(session, load_settings({}).rules_path, no_queue)
        ids = {}
        for row in await service.list_models(session):
            row.rules = [*row.rules, *added[row.key]]
            ids[row.key] = row.id
        await session.flush()
        count = sum(len(r.rules) for r in await service.list_models(session))
    assert count == 50, count
    return ids


async def bench_realtime(sessions: Any, samples: int, seed: int = 11) -> dict[str, Any]:
    from sqlalchemy import func, select

    from parcours import stream as pipeline
    from parcours.clock import utcnow
    from parcours.contacts import service as contacts
    from parcours.db import transaction
    from parcours.interactions import recording
    from parcours.interactions.models import Interaction
    from parcours.rules.context import context_values
    from parcours.scoring import points, service
    from parcours.scoring.tasks import stream_consumer

    async def no_queue(*_a: Any, **_k: Any) -> None:
        return None

    async with transaction(sessions) as session:
        active, schema = await service.active_models(session)
        top = (await session.execute(select(func.max(Interaction.contact_id)))).scalar() or 1
    rng = random.Random(seed)
    ids = sorted({rng.randrange(1, top + 1) for _ in range(samples)})
    now = utcnow()
    async with transaction(sessions) as session:
        people = await contacts.rule_rows(session, ids)
        types = set().union(*(m.interaction_types for _, m in active))
        events = await service.events_of(session, ids, types, service._window(active, now))
    pure, counted = [], []
    for cid in ids:
        contact, account = people[cid]
        started = time.perf_counter()
        values = context_values(contact, account, (), schema.fields)
        for _, model in active:
            points.score(model, values, events.get(cid, []), now)
        pure.append(time.perf_counter() - started)
        counted.append(len(events.get(cid, [])))
    with_io = []
    for cid in ids[: min(len(ids), 200)]:
        started = time.perf_counter()
        async with transaction(sessions) as session:
            await service.score_contacts(session, no_queue, {cid: "bench"})
        with_io.append(time.perf_counter() - started)
    consume = stream_consumer(no_queue)
    await pipeline.process_new_interactions(sessions, [consume])  # what the runs above recorded
    stream = []
    for cid in ids[: min(len(ids), 200)]:
        async with transaction(sessions) as session:
            await recording.record(
                session,
                [{"contact_id": cid, "type": "email_clicked", "properties": {"url": "https://example.com/pricing"}}],
            )
        started = time.perf_counter()
        processed = await pipeline.process_new_interactions(sessions, [consume])
        stream.append(time.perf_counter() - started)
        assert processed >= 1, processed
    rules = sum(len(m.interaction_rules) + len(m.attribute_rules) for _, m in active)
    return {
        "models": len(active),
        "rules": rules,
        "interactions_per_contact_scored": round(sum(counted) / len(counted), 1),
        "score_function": latency_summary(pure),
        "score_contacts_with_io": latency_summary(with_io),
        "stream_end_to_end": latency_summary(stream),
    }


async def bench_recompute(sessions: Any, read_sessions: Any, model_id: int) -> dict[str, Any]:
    from parcours.db import transaction
    from parcours.jobs import service as jobs
    from parcours.scoring import service, tasks
    from parcours.scoring.models import ScoringModel

    async def no_queue(*_a: Any, **_k: Any) -> None:
        return None

    async with transaction(sessions) as session:
        row = await session.get(ScoringModel, model_id)
        assert row is not None
        job_id = await service.start_recompute(session, no_queue, row, "Model changed (bench)", "bench")
        key = row.key
    progress: list[tuple[float, float]] = []
    started = time.perf_counter()

    async def watch() -> None:
        last = -1.0
        while True:
            await asyncio.sleep(1.0)
            async with transaction(read_sessions) as session:
                job = await jobs.get_job(session, job_id)
            if job.progress != last:
                last = job.progress
                progress.append((round(time.perf_counter() - started, 1), round(job.progress, 3)))
                bar = "#" * int(job.progress * 30)
                log(f"recompute {key}: [{bar:<30}] {job.progress:.0%} {job.message}")

    watcher = asyncio.create_task(watch())
    runtime = SimpleNamespace(sessions=sessions, read_sessions=read_sessions, enqueue=no_queue)
    await tasks.recompute_scores({"runtime": runtime}, job_id)
    elapsed = time.perf_counter() - started
    watcher.cancel()
    async with transaction(read_sessions) as session:
        job = await jobs.get_job(session, job_id)
    return {
        "model": key,
        "seconds": round(elapsed, 2),
        "status": job.status,
        "result": job.result,
        "progress_seen": progress,
    }


async def run_on(db: common.Database, args: argparse.Namespace) -> dict[str, Any]:
    from parcours.db import create_engine, migrate, session_factory
    from parcours.settings import async_url

    engine = create_engine(async_url(db.url))
    await migrate(engine)
    try:
        sessions, read_sessions = session_factory(engine), session_factory(engine, read_only=True)
        data = await load(db, engine, args.contacts, args.per_contact)
        ids = await models(sessions)
        log(f"{db.backend}: data loaded in {data['setup_s']} s; measuring real time")
        realtime = await bench_realtime(sessions, args.samples)
        log(f"{db.backend}: full recompute")
        recomputes = [
            await bench_recompute(sessions, read_sessions, ids[key]) for key in ("behavioural", "firmographic")
        ]
    finally:
        await engine.dispose()
    return {"backend": db.backend, "data": data, "realtime": realtime, "recompute": recomputes}


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir("scoring") as scratch:
        return asyncio.run(run_on(common.prepare_database(backend, scratch), args))


def report(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        rt = r["realtime"]
        for name, key in (
            ("score function (3 models, 50 rules)", "score_function"),
            ("score_contacts with I/O", "score_contacts_with_io"),
            ("stream end to end", "stream_end_to_end"),
        ):
            figures = rt[key]
            target = f"<= {SCORE_TARGET_MS} ms" if key == "score_function" else "-"
            met = (
                verdict(figures["p95_ms"], SCORE_TARGET_MS, higher_is_better=False) if key == "score_function" else "-"
            )
            rows.append([r["backend"], name, figures["median_ms"], figures["p95_ms"], target, met])
    print_table("Real-time scoring of one interaction (ms)", ["backend", "what", "median", "p95", "target", ""], rows)
    rows = []
    for r in results:
        for rec in r["recompute"]:
            target = RECOMPUTE_TARGET_S * r["data"]["contacts"] / 1_000_000
            rows.append(
                [
                    r["backend"],
                    rec["model"],
                    r["data"]["contacts"],
                    r["data"]["interactions"],
                    rec["seconds"],
                    round(r["data"]["contacts"] / max(rec["seconds"], 1e-9)),
                    f"<= {target:.1f} s (pro rata)",
                    verdict(rec["seconds"], target, higher_is_better=False),
                    (rec["result"] or {}).get("changed"),
                ]
            )
    print_table(
        "Full recompute",
        ["backend", "model", "contacts", "interactions", "seconds", "contacts/s", "target", "", "changed"],
        rows,
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=None, help="contacts (default 1,000,000; 5,000 with --quick)")
    p.add_argument("--per-contact", type=float, default=5.0, help="interactions per contact on average")
    p.add_argument("--samples", type=int, default=None, help="contacts scored for the latency figures")
    args = p.parse_args(argv)
    args.contacts = args.contacts or (5_000 if args.quick else 1_000_000)
    args.samples = args.samples or (200 if args.quick else 500)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("scoring", args), args, {"results": results})


if __name__ == "__main__":
    main()
