"""Advancing runs: claim the due ones, call the interpreter (engine.step) for each, apply the
effects of their steps in the same transaction (effects.py) and say when to wake next.

Entering (entries.py), published versions (versions.py) and what is due (due.py) have modules of
their own; this module names what other modules use from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import dialect_name
from parcours.interactions.batch import Batch, RuleRow
from parcours.jobs.enqueue import Enqueue
from parcours.journeys import batch, effects, engine, facts, steps
from parcours.journeys.batch import CLAIMED, RUNS, Claimed
from parcours.journeys.due import any_due, due, live_ids, wake
from parcours.journeys.effects import message_failed, note_errors
from parcours.journeys.entries import enrol, enrol_dates, start_entries, stop_runs
from parcours.journeys.schemas import JourneySettings
from parcours.journeys.versions import LIVE, Version, finish_ended, live_versions, versions_of
from parcours.rules import service as rules
from parcours.rules.cache import RuleCache
from parcours.rules.cache import rules as rule_cache
from parcours.rules.context import context_values
from parcours.rules.language import RuleError, Schema, evaluate
from parcours.segments import service as segments

__all__ = [
    "BATCH",
    "LIVE",
    "Version",
    "advance",
    "any_due",
    "contact_of",
    "enrol",
    "enrol_dates",
    "finish_ended",
    "live_versions",
    "message_failed",
    "note_errors",
    "start_entries",
    "stop_runs",
    "wake",
]

BATCH = 1000


def contact_of(
    schema: Schema,
    run_id: int,
    person: RuleRow,
    segment_ids: set[int],
    settings: JourneySettings,
    cache: RuleCache = rule_cache,
    done: dict[str, object] | None = None,
) -> engine.Contact:
    """What the interpreter knows of a contact (from contacts.rule_rows) in a journey, and what it
    did in this run (`done`, from facts.of_runs). `schema` is a journey schema (rules.journey_schema).
    Its rule values are built on the first rule asked (most steps ask none)."""
    values: dict[str, object] | None = None

    def matches(text: str) -> bool:
        nonlocal values
        if values is None:
            values = context_values(person[0], person[1], segment_ids, schema.fields) | (done or facts.nothing())
        return evaluate(cache.check(text, schema), values)

    return engine.Contact(
        run_id=run_id,
        matches=matches,
        timezone=settings.timezone,
        own_timezone=(person[0].get("custom") or {}).get("timezone"),
    )


async def _claim(session: AsyncSession, run_ids: Sequence[int] | None, limit: int) -> list[Claimed]:
    """Lock up to `limit` due runs: those whose timer is over first, then those just entered."""
    live = await live_ids(session)
    postgresql = await dialect_name(session) == "postgresql"
    claimed: list[Claimed] = []
    for status in ("waiting", "active"):
        query = due(CLAIMED, status, live, limit - len(claimed))
        if run_ids is not None:
            query = query.where(RUNS.c.id.in_(run_ids))
        if postgresql:
            # Two workers never take the same run: each skips what the other has locked.
            query = query.with_for_update(skip_locked=True)
        claimed += [Claimed(*row) for row in (await session.execute(query)).all()]
        if len(claimed) >= limit:
            break
    return claimed


def _reads_contacts(live: Version) -> bool:
    """Whether this version asks rules about its contacts (conditions, goals, filtered waits)."""
    return any(
        node.type in ("flow.condition", "flow.goal")
        or (isinstance(config := live.program.configs[node.id], steps.WaitForStepConfig) and bool(config.rule))
        for node in live.program.nodes.values()
    )


async def advance(
    session: AsyncSession,
    enqueue: Enqueue,
    run_ids: Sequence[int] | None = None,
    limit: int = BATCH,
    stream: Batch | None = None,
) -> int:
    """Advance up to `limit` due runs: step each, apply every effect. Returns how many.
    Within the interaction stream, `stream` has the contacts, memberships and schema read already."""
    runs = await _claim(session, run_ids, limit)
    if not runs:
        return 0
    now = utcnow()
    versions = await versions_of(session, [run.version_id for run in runs])
    ids = [r.contact_id for r in runs]
    rows = await stream.people_of(ids) if stream is not None else await contacts.rule_rows(session, ids)
    schema = rules.journey_schema(await stream.schema() if stream is not None else await rules.current_schema(session))
    cache = stream.rules if stream is not None else rule_cache
    asking = {vid for vid, v in versions.items() if facts.asks(v.program, schema, cache)}
    done_in = await facts.of_runs(
        session, [(r.id, r.contact_id, versions[r.version_id].program) for r in runs if r.version_id in asking]
    )
    memberships: dict[int, set[int]] = {}
    if any(_reads_contacts(v) for v in versions.values()):
        memberships = (
            await stream.memberships_of(rows)
            if stream is not None
            else await segments.segment_ids_by_contact(session, list(rows))
        )
    done: list[tuple[Claimed, Version, engine.Effect]] = []
    visits: list[tuple[Claimed, Version, engine.Visit]] = []
    wakes: set[datetime] = set()
    for run in runs:
        live = versions[run.version_id]
        person = rows.get(run.contact_id)
        if person is None:
            continue  # erased: the run goes with the contact
        run.changed = True
        contact = contact_of(
            schema, run.id, person, memberships.get(run.contact_id, set()), live.settings, cache, done_in.get(run.id)
        )
        state = engine.RunState(
            node_id=run.node_id, status=run.status, wake_at=run.wake_at, waiting_for=run.waiting_for, event=run.event
        )
        try:
            result = engine.step(live.program, state, contact, now)
        except (RuleError, ValueError) as exc:
            run.status, run.error = "failed", str(exc)[:300]
            visits.append(
                (run, live, engine.Visit(node_id=run.node_id, outcome="error", detail=str(exc)[:300], at=now))
            )
            continue
        new = result.state
        run.node_id, run.status, run.wake_at = new.node_id, new.status, new.wake_at
        run.waiting_for, run.event = new.waiting_for, new.event
        if new.status == "waiting" and new.wake_at is not None:
            wakes.add(new.wake_at.replace(microsecond=0) + timedelta(seconds=1))
        done += [(run, live, e) for e in result.effects]
        visits += [(run, live, v) for v in result.visits]
    await effects.apply(session, enqueue, done, rows, now)
    dialect = await dialect_name(session)
    await batch.write_runs(session, dialect, [run for run in runs if run.changed], now)
    await batch.record_steps(
        session,
        dialect,
        [
            batch.Taken(
                journey_id=live.journey_id,
                journey=live.name,
                run_id=run.id,
                contact_id=run.contact_id,
                node_id=v.node_id,
                node_type=live.program.nodes[v.node_id].type,
                outcome=v.outcome,
                label=v.label,
                detail=v.detail,
                at=v.at,
            )
            for run, live, v in visits
        ],
        now,
    )
    for moment in sorted(wakes)[:20]:
        wake(session, enqueue, moment)
    return len(runs)
