"""The engine's edge: enrol contacts, load due runs, call the interpreter, apply its effects in
the same transaction, and say when to wake next. The database is the truth: a run is due when
its `wake_at` has passed, whatever Redis remembers."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Select, and_, func, insert, literal, not_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.channels import service as outbox
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.vocabulary import CONSENT_LEVELS
from parcours.db import UTCDateTime, after_commit, dialect_name
from parcours.emails import service as emails
from parcours.errors import ParcoursError
from parcours.interactions import recording
from parcours.journeys import engine, graph
from parcours.journeys.models import Journey, JourneyRun, JourneyStep, JourneyVersion
from parcours.journeys.schemas import JourneySettings, settings_of
from parcours.rules import service as rules
from parcours.rules.context import context_values
from parcours.rules.fields import CUSTOM_PREFIX
from parcours.rules.language import Checked, RuleError, Schema, evaluate, parse
from parcours.segments import service as segments

log = logging.getLogger(__name__)
BATCH = 500
ADVANCE_JOB = "advance_journeys"
LIVE = "published"
_RUNS = JourneyRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Version:
    """A published version, ready to run (immutable, hence cached by id)."""

    id: int
    journey_id: int
    name: str
    program: graph.Program
    settings: JourneySettings


# Parsed programs by version row; its publication time tells a reused id apart (after a restore,
# or in tests that start from an empty database).
_versions: dict[tuple[int, datetime], Version] = {}


def _insert(dialect: str) -> Any:
    return postgresql.insert(_RUNS) if dialect == "postgresql" else sqlite.insert(_RUNS)


def wake(session: AsyncSession, enqueue: Any, at: datetime | None = None) -> None:
    """After commit, have a worker advance what is due (at `at`, or now). The job id is the time
    bucket: asking twice for the same moment queues one job."""
    moment = at or utcnow()
    job_id = f"{ADVANCE_JOB}:{int(moment.timestamp() * 2)}"
    after_commit(session, lambda: enqueue(ADVANCE_JOB, job_id=job_id, _defer_until=at))


async def version(session: AsyncSession, version_id: int) -> Version:
    row = await session.get(JourneyVersion, version_id)
    assert row is not None, "runs keep their version"
    key = (version_id, row.published_at)
    found = _versions.get(key)
    if found is None:
        journey = await session.get(Journey, row.journey_id)
        _problems, program = graph.check(graph.decode(row.definition))
        assert program is not None, "a published version is valid"
        found = Version(id=version_id, journey_id=row.journey_id, name=journey.name,  # type: ignore[union-attr]
                        program=program, settings=settings_of(row.settings))
        _versions[key] = found
    return found


async def live_versions(session: AsyncSession) -> list[Version]:
    """The latest version of every published journey within its dates (those that take new entries)."""
    now = utcnow()
    rows = await session.execute(
        select(JourneyVersion.id).join(Journey, and_(Journey.id == JourneyVersion.journey_id,
                                                     Journey.version == JourneyVersion.version))
        .where(Journey.status == LIVE))
    found = [await version(session, vid) for (vid,) in rows.all()]
    return [v for v in found if (v.settings.starts_at is None or v.settings.starts_at <= now)
            and (v.settings.ends_at is None or v.settings.ends_at > now)]


# ---- entering -----------------------------------------------------------------------------------


def _entry_key(settings: JourneySettings, trigger: str) -> str:
    return "once" if settings.reentry == "once" else trigger


def _eligible(ids: Select[Any], settings: JourneySettings, journey_id: int) -> Select[Any]:
    """Of these contact ids, those who may enter: consent high enough, not in the suppression
    segment, and (re-entry after N days) not entered too recently."""
    allowed = CONSENT_LEVELS[CONSENT_LEVELS.index(settings.min_consent):]
    query = contacts.with_consent(ids, allowed)
    column = query.selected_columns[0]
    if settings.suppression_segment_id is not None:
        query = query.where(not_(column.in_(segments.member_ids(settings.suppression_segment_id))))
    if settings.reentry == "after_days":
        recent = utcnow() - timedelta(days=settings.reentry_days or 1)
        query = query.where(not_(column.in_(select(JourneyRun.contact_id).where(
            JourneyRun.journey_id == journey_id, JourneyRun.entered_at > recent))))  # type: ignore[operator]
    return query


async def enrol(session: AsyncSession, live: Version, ids: Select[Any], trigger: str, enqueue: Any) -> int:
    """Start a run for every eligible contact of `ids` (in SQL: a whole segment at once)."""
    now = utcnow()
    chosen = _eligible(ids, live.settings, live.journey_id).subquery()
    rows = select(literal(live.journey_id), literal(live.id), chosen.c[0],
                  literal(_entry_key(live.settings, trigger)), literal(live.program.entry.id), literal("active"),
                  literal(now, UTCDateTime()), literal(now, UTCDateTime()), literal(now, UTCDateTime()), literal(""))
    # SQLite reads INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE clause.
    statement = _insert(await dialect_name(session)).from_select(
        ["journey_id", "version_id", "contact_id", "entry_key", "node_id", "status", "wake_at", "entered_at",
         "updated_at", "error"], rows.where(true())).on_conflict_do_nothing()
    result = await session.execute(statement)
    entered = int(result.rowcount or 0)
    if entered:
        wake(session, enqueue)
    return entered


async def enrol_segment(session: AsyncSession, live: Version, enqueue: Any) -> int:
    config = live.program.configs[live.program.entry.id]
    return await enrol(session, live, segments.member_ids(config.segment_id), "start", enqueue)


async def enrol_dates(session: AsyncSession, live: Version, enqueue: Any) -> int:
    """`entry.date`: contacts whose date (birthday, renewal...) shifted by the offset is today."""
    config = live.program.configs[live.program.entry.id]
    today = utcnow().astimezone(engine.zone_of(live.settings.timezone, "UTC")).date()
    day = today - graph.duration(config.offset)
    ids = [cid for cid, value in await contacts.date_values(session, config.field)
           if value is not None and ((value.month, value.day) == (day.month, day.day) if config.yearly else value == day)]
    if not ids:
        return 0
    return await enrol(session, live, contacts.ids_among(ids), f"date:{today.isoformat()}", enqueue)


async def start_entries(session: AsyncSession, journey: Journey, enqueue: Any) -> int:
    """Enrol a published version's starting population (a segment's members, today's dates)
    once its start time has come. Idempotent: run at publication and by the sweeper."""
    if journey.status != LIVE or journey.enrolled_version >= journey.version:
        return 0
    version_id = (await session.execute(select(JourneyVersion.id).where(
        JourneyVersion.journey_id == journey.id, JourneyVersion.version == journey.version))).scalar_one()
    live = await version(session, version_id)
    if live.settings.starts_at is not None and live.settings.starts_at > utcnow():
        return 0
    journey.enrolled_version = journey.version
    entry = live.program.entry
    if entry.type == "entry.segment":
        return await enrol_segment(session, live, enqueue)
    if entry.type == "entry.date":
        return await enrol_dates(session, live, enqueue)
    return 0


async def stop_runs(session: AsyncSession, journey_id: int) -> int:
    """Every contact still inside leaves now (recorded as an exit at the step it was on)."""
    inside = select(JourneyRun.journey_id, JourneyRun.id, JourneyRun.node_id, literal("exited"), literal("stopped"),
                    literal(utcnow(), UTCDateTime())).where(
        JourneyRun.journey_id == journey_id, JourneyRun.status.in_(["active", "waiting"]))  # type: ignore[attr-defined]
    await session.execute(insert(JourneyStep.__table__).from_select(  # type: ignore[attr-defined]
        ["journey_id", "run_id", "node_id", "outcome", "label", "at"], inside))
    result = await session.execute(update(JourneyRun).where(
        JourneyRun.journey_id == journey_id, JourneyRun.status.in_(["active", "waiting"]))  # type: ignore[attr-defined]
        .values(status="exited", wake_at=None, updated_at=utcnow()))
    return int(result.rowcount or 0)


# ---- advancing ----------------------------------------------------------------------------------


class RuleCache:
    """Rules parsed once per batch, answered per contact."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.parsed: dict[str, Checked] = {}

    def check(self, text: str) -> Checked:
        if text not in self.parsed:
            self.parsed[text] = parse(text, self.schema)
        return self.parsed[text]

    def matcher(self, values: dict[str, Any]) -> Callable[[str], bool]:
        return lambda text: evaluate(self.check(text), values)

    def contact(self, run_id: int, person: tuple[dict[str, Any], dict[str, Any] | None], segment_ids: set[int],
                settings: JourneySettings) -> engine.Contact:
        """What the interpreter knows of a contact (from contacts.rule_rows) in a journey."""
        values = context_values(person[0], person[1], segment_ids, self.schema.fields)
        return engine.Contact(run_id=run_id, matches=self.matcher(values), timezone=settings.timezone,
                              own_timezone=(person[0].get("custom") or {}).get("timezone"))


async def _claim(session: AsyncSession, run_ids: Sequence[int] | None, limit: int) -> list[JourneyRun]:
    now = utcnow()
    live = select(Journey.id).where(Journey.status == LIVE)
    query = (select(JourneyRun).where(JourneyRun.status.in_(["active", "waiting"]),  # type: ignore[attr-defined]
                                      JourneyRun.wake_at <= now, JourneyRun.journey_id.in_(live))  # type: ignore[operator,attr-defined]
             .order_by(JourneyRun.wake_at).limit(limit))
    if run_ids is not None:
        query = query.where(JourneyRun.id.in_(run_ids))  # type: ignore[union-attr]
    if await dialect_name(session) == "postgresql":
        # Two workers never take the same run: each skips what the other has locked.
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars().all())


async def advance(session: AsyncSession, enqueue: Any, run_ids: Sequence[int] | None = None,
                  limit: int = BATCH) -> int:
    """Advance up to `limit` due runs: step each, apply every effect. Returns how many."""
    runs = await _claim(session, run_ids, limit)
    if not runs:
        return 0
    now = utcnow()
    checker = RuleCache(await rules.current_schema(session))
    rows = await contacts.rule_rows(session, [r.contact_id for r in runs])
    memberships = await segments.segment_ids_by_contact(session, list(rows))
    effects: list[tuple[JourneyRun, Version, engine.Effect]] = []
    visits: list[tuple[JourneyRun, Version, engine.Visit]] = []
    wakes: set[datetime] = set()
    for run in runs:
        live = await version(session, run.version_id)
        person = rows.get(run.contact_id)
        if person is None:
            continue  # erased: the run goes with the contact
        contact = checker.contact(int(run.id), person, memberships.get(run.contact_id, set()), live.settings)  # type: ignore[arg-type]
        state = engine.RunState(node_id=run.node_id, status=run.status, wake_at=run.wake_at,
                                waiting_for=run.waiting_for, event=run.event)
        try:
            result = engine.step(live.program, state, contact, now)
        except (RuleError, ValueError) as exc:
            run.status, run.error, run.updated_at = "failed", str(exc)[:300], now
            visits.append((run, live, engine.Visit(node_id=run.node_id, outcome="error", detail=str(exc)[:300], at=now)))
            continue
        new = result.state
        run.node_id, run.status, run.wake_at = new.node_id, new.status, new.wake_at
        run.waiting_for, run.event, run.updated_at = new.waiting_for, new.event, now
        if new.status == "waiting" and new.wake_at is not None:
            wakes.add(new.wake_at.replace(microsecond=0) + timedelta(seconds=1))
        effects += [(run, live, e) for e in result.effects]
        visits += [(run, live, v) for v in result.visits]
    await _apply(session, enqueue, effects, rows, now)
    await _record(session, visits, rows)
    await session.flush()
    for moment in sorted(wakes)[:20]:
        wake(session, enqueue, moment)
    return len(runs)


JOURNEY_ACTOR = Actor(kind="system", id=0, name="Journey", role="admin")


async def _apply(session: AsyncSession, enqueue: Any, effects: list[tuple[JourneyRun, Version, engine.Effect]],
                 people: dict[int, Any], now: datetime) -> None:
    sends = [(run, live, e) for run, live, e in effects if isinstance(e, engine.SendEmail)]
    if sends:
        await _queue_emails(session, enqueue, sends, people)
    by_segment: dict[tuple[type, int], list[JourneyRun]] = defaultdict(list)
    for run, live, effect in effects:
        try:
            if isinstance(effect, (engine.SetField, engine.SetStage)):
                field, value = ("lifecycle_stage", effect.stage) if isinstance(effect, engine.SetStage) else (
                    effect.field, effect.value)
                changes = ({"custom": {field[len(CUSTOM_PREFIX):]: value}} if field.startswith(CUSTOM_PREFIX)
                           else {field: value})
                actor = msgspec.structs.replace(JOURNEY_ACTOR, name=f"Journey {live.name}")
                async with session.begin_nested():
                    await contacts.update_contact(session, run.contact_id, changes, actor)
            elif isinstance(effect, (engine.AddToSegment, engine.RemoveFromSegment)):
                by_segment[(type(effect), effect.segment_id)].append(run)
            elif isinstance(effect, engine.Converted) and run.converted_at is None:
                run.converted_at = now
            elif isinstance(effect, (engine.SendSms, engine.CallWebhook)):
                await outbox.queue_other(session, enqueue, key=f"journey:{run.id}:{effect.node_id}",
                                         channel="sms" if isinstance(effect, engine.SendSms) else "webhook",
                                         contact_id=run.contact_id, journey_id=live.journey_id, node_id=effect.node_id,
                                         data=msgspec.to_builtins(effect))
        except ParcoursError as exc:
            run.error = f"{effect.node_id}: {exc.message}"[:300]
    for (kind, segment_id), runs in by_segment.items():
        change = segments.add_members if kind is engine.AddToSegment else segments.remove_members
        try:
            async with session.begin_nested():
                await change(session, segment_id, sorted({r.contact_id for r in runs}))
        except ParcoursError as exc:
            for run in runs:
                run.error = exc.message[:300]


async def _queue_emails(session: AsyncSession, enqueue: Any, sends: list[tuple[JourneyRun, Version, Any]],
                        people: dict[int, Any]) -> None:
    kinds = await emails.kinds_of(session, {e.email_id for _, _, e in sends})
    rows = []
    for run, live, effect in sends:
        address = people[run.contact_id][0].get("email")
        if not address or effect.email_id not in kinds:
            run.error = f"{effect.node_id}: " + ("the contact has no email address" if not address else "the email was deleted")
            continue
        data: dict[str, Any] = {"minimum_consent": live.settings.min_consent}
        if live.settings.frequency_cap is not None:
            data["frequency_cap"] = live.settings.frequency_cap
        rows.append({"key": f"journey:{run.id}:{effect.node_id}", "to": address, "email_id": effect.email_id,
                     "contact_id": run.contact_id, "kind": kinds[effect.email_id], "data": data,
                     "journey_id": live.journey_id, "node_id": effect.node_id})
    await outbox.queue_many(session, enqueue, rows)


async def _record(session: AsyncSession, visits: list[tuple[JourneyRun, Version, engine.Visit]],
                  people: dict[int, Any]) -> None:
    """Each step taken: for the journey's counts, and on the contact's timeline."""
    if not visits:
        return
    await session.execute(insert(JourneyStep.__table__), [  # type: ignore[attr-defined]
        {"journey_id": live.journey_id, "run_id": run.id, "node_id": v.node_id, "outcome": v.outcome,
         "label": v.label, "at": v.at} for run, live, v in visits])
    await recording.record(session, [
        {"contact_id": run.contact_id, "type": recording.JOURNEY_STEP, "occurred_at": v.at,
         "properties": {"journey_id": live.journey_id, "journey": live.name, "node_id": v.node_id,
                        "node_type": live.program.nodes[v.node_id].type, "outcome": v.outcome,
                        "label": v.label, "detail": v.detail}}
        for run, live, v in visits if run.contact_id in people])


# ---- real time: the interaction stream ----------------------------------------------------------


def stream_consumer(enqueue: Any) -> Callable[[AsyncSession, Sequence[Any]], Awaitable[None]]:
    """New interactions start runs (interaction entries, segment entries for include_later),
    resume runs waiting for them, and count as goals; the affected runs advance at once."""

    async def consume(session: AsyncSession, batch: Sequence[Any]) -> None:
        events = [row for row in batch if row.type != recording.JOURNEY_STEP]
        if not events:
            return
        live = await live_versions(session)
        touched: set[int] = set()
        touched |= await _start_from_events(session, live, events, enqueue)
        touched |= await _resume_waiting(session, events)
        await _goals(session, events)
        if touched:
            await advance(session, enqueue, sorted(touched), limit=len(touched))

    return consume


async def _start_from_events(session: AsyncSession, live: list[Version], events: Sequence[Any], enqueue: Any) -> set[int]:
    started: set[int] = set()
    checker: RuleCache | None = None
    for journey in live:
        entry = journey.program.entry
        config = journey.program.configs[entry.id]
        if entry.type == "entry.interaction":
            matching = [e for e in events if e.type == config.type]
        elif entry.type == "entry.segment" and config.include_later:
            matching = [e for e in events if e.type == "segment_entered"
                        and (e.properties or {}).get("segment_id") == config.segment_id]
        else:
            continue
        if not matching:
            continue
        if entry.type == "entry.interaction" and config.rule:
            checker = checker or RuleCache(await rules.current_schema(session))
            rows = await contacts.rule_rows(session, [e.contact_id for e in matching])
            matching = [e for e in matching if e.contact_id in rows and checker.matcher(
                context_values(rows[e.contact_id][0], rows[e.contact_id][1], set(), checker.schema.fields))(config.rule)]
        for event in matching:
            if await enrol(session, journey, contacts.ids_among([event.contact_id]), f"event:{event.id}", enqueue):
                started.add(event.contact_id)
    if not started:
        return set()
    found = await session.execute(select(JourneyRun.id).where(
        JourneyRun.contact_id.in_(started), JourneyRun.status == "active",  # type: ignore[attr-defined]
        JourneyRun.journey_id.in_([v.journey_id for v in live])))  # type: ignore[attr-defined]
    return set(found.scalars())


async def _resume_waiting(session: AsyncSession, events: Sequence[Any]) -> set[int]:
    """Runs waiting for one of these interactions are due now, with the interaction noted."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for event in events:
        by_type[event.type].add(event.contact_id)
    awaited = set((await session.execute(select(JourneyRun.waiting_for).where(
        JourneyRun.status == "waiting", JourneyRun.waiting_for.in_(list(by_type))).distinct())).scalars())  # type: ignore[union-attr]
    resumed: set[int] = set()
    now = utcnow()
    for kind in awaited:
        where = (JourneyRun.status == "waiting", JourneyRun.waiting_for == kind,
                 JourneyRun.contact_id.in_(sorted(by_type[kind])))  # type: ignore[attr-defined]
        ids = set((await session.execute(select(JourneyRun.id).where(*where))).scalars())
        if ids:
            await session.execute(update(JourneyRun).where(JourneyRun.id.in_(ids))  # type: ignore[union-attr]
                                  .values(event=kind, wake_at=now))
            resumed |= ids
    return resumed


async def _goals(session: AsyncSession, events: Sequence[Any]) -> None:
    """A journey whose goal is an interaction: contacts inside who did it have converted."""
    journeys = (await session.execute(select(Journey.id, Journey.settings).where(Journey.status == LIVE))).all()
    now = utcnow()
    for journey_id, raw in journeys:
        goal = settings_of(raw).goal
        if goal is None or not goal.type:
            continue
        who = sorted({e.contact_id for e in events if e.type == goal.type})
        if not who:
            continue
        since = now - graph.duration(goal.window)
        where = [JourneyRun.journey_id == journey_id, JourneyRun.contact_id.in_(who),  # type: ignore[attr-defined]
                 JourneyRun.converted_at.is_(None), JourneyRun.entered_at >= since]  # type: ignore[union-attr,operator]
        values: dict[str, Any] = {"converted_at": now}
        if goal.exit:
            where.append(JourneyRun.status.in_(["active", "waiting"]))  # type: ignore[attr-defined]
            values.update(status="exited", wake_at=None)
        await session.execute(update(JourneyRun).where(*where).values(**values))


# ---- the sweeper's questions --------------------------------------------------------------------


async def due_count(session: AsyncSession) -> int:
    live = select(Journey.id).where(Journey.status == LIVE)
    return int((await session.execute(select(func.count()).select_from(JourneyRun).where(
        JourneyRun.status.in_(["active", "waiting"]), JourneyRun.wake_at <= utcnow(),  # type: ignore[attr-defined,operator]
        JourneyRun.journey_id.in_(live)))).scalar_one())  # type: ignore[attr-defined]


async def finish_ended(session: AsyncSession) -> int:
    """Published journeys past their end date with nobody left inside are finished."""
    now = utcnow()
    finished = 0
    for journey in (await session.execute(select(Journey).where(Journey.status == LIVE))).scalars().all():
        ends_at = settings_of(journey.settings).ends_at
        if ends_at is None or ends_at > now:
            continue
        inside = (await session.execute(select(func.count()).select_from(JourneyRun).where(
            JourneyRun.journey_id == journey.id, JourneyRun.status.in_(["active", "waiting"])))).scalar_one()  # type: ignore[attr-defined]
        if not inside:
            journey.status, journey.updated_at = "finished", now
            finished += 1
    return finished
