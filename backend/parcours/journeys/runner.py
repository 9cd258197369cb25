"""The engine's edge: enrol contacts, load due runs, call the interpreter, apply its effects in
the same transaction, and say when to wake next. The database is the truth: a run is due when
its `wake_at` has passed, whatever Redis remembers."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Select, and_, bindparam, func, insert, literal, not_, select, true, update
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
from parcours.journeys import batch, engine, graph
from parcours.journeys.models import Journey, JourneyRun, JourneyStep, JourneyVersion
from parcours.journeys.schemas import JourneySettings, settings_of
from parcours.rules import service as rules
from parcours.rules.context import context_values
from parcours.rules.fields import CUSTOM_PREFIX
from parcours.rules.language import Checked, RuleError, Schema, evaluate, parse
from parcours.segments import service as segments

log = logging.getLogger(__name__)
BATCH = 1000
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
    """Rules parsed once (per batch, or per job), answered per contact."""

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
        """What the interpreter knows of a contact (from contacts.rule_rows) in a journey. Its
        rule values are built on the first rule asked (most steps ask none)."""
        values: dict[str, Any] | None = None

        def matches(text: str) -> bool:
            nonlocal values
            if values is None:
                values = context_values(person[0], person[1], segment_ids, self.schema.fields)
            return evaluate(self.check(text), values)

        return engine.Contact(run_id=run_id, matches=matches, timezone=settings.timezone,
                              own_timezone=(person[0].get("custom") or {}).get("timezone"))


@dataclass(slots=True)
class Claimed:
    """A run taken by this batch, as plain values: changed in memory, written back in one
    statement (no ORM object, no flush per run)."""

    id: int
    journey_id: int
    version_id: int
    contact_id: int
    node_id: str
    status: str
    wake_at: datetime | None
    waiting_for: str | None
    event: str | None
    converted_at: datetime | None
    error: str
    changed: bool = False


_CLAIMED = [_RUNS.c[name] for name in ("id", "journey_id", "version_id", "contact_id", "node_id", "status", "wake_at",
                                       "waiting_for", "event", "converted_at", "error")]


async def _live_ids(session: AsyncSession) -> list[int]:
    return list((await session.execute(select(Journey.id).where(Journey.status == LIVE))).scalars())


def _due(columns: Sequence[Any], status: str, live: list[int], limit: int) -> Select[Any]:
    """Due runs of one status, oldest first. One status at a time, the (status, wake_at) index
    is walked in order and the walk stops at `limit`; with `status IN (...)`, or a join on the
    journeys, the database sorts every due run on each call."""
    return (select(*columns).where(_RUNS.c.status == status, _RUNS.c.wake_at <= utcnow(), _RUNS.c.journey_id.in_(live))
            .order_by(_RUNS.c.wake_at).limit(limit))


async def _claim(session: AsyncSession, run_ids: Sequence[int] | None, limit: int) -> list[Claimed]:
    """Lock up to `limit` due runs: those whose timer is over first, then those just entered."""
    live = await _live_ids(session)
    postgresql = await dialect_name(session) == "postgresql"
    claimed: list[Claimed] = []
    for status in ("waiting", "active"):
        query = _due(_CLAIMED, status, live, limit - len(claimed))
        if run_ids is not None:
            query = query.where(_RUNS.c.id.in_(run_ids))
        if postgresql:
            # Two workers never take the same run: each skips what the other has locked.
            query = query.with_for_update(skip_locked=True)
        claimed += [Claimed(*row) for row in (await session.execute(query)).all()]
        if len(claimed) >= limit:
            break
    return claimed


async def _versions_of(session: AsyncSession, runs: list[Claimed]) -> dict[int, Version]:
    """The versions of a batch's runs: one query, the programs parsed once per process."""
    ids = sorted({run.version_id for run in runs})
    published = await session.execute(select(JourneyVersion.id, JourneyVersion.published_at)  # type: ignore[call-overload]
                                      .where(JourneyVersion.id.in_(ids)))  # type: ignore[union-attr]
    found: dict[int, Version] = {}
    for version_id, published_at in published.all():
        found[version_id] = _versions.get((version_id, published_at)) or await version(session, version_id)
    return found


def _reads_contacts(live: Version) -> bool:
    """Whether this version asks rules about its contacts (conditions, goals, filtered waits)."""
    return any(node.type in ("flow.condition", "flow.goal") or
               (node.type == "flow.wait_for" and live.program.configs[node.id].rule)
               for node in live.program.nodes.values())


async def advance(session: AsyncSession, enqueue: Any, run_ids: Sequence[int] | None = None,
                  limit: int = BATCH, checker: RuleCache | None = None) -> int:
    """Advance up to `limit` due runs: step each, apply every effect. Returns how many.
    `checker` lets a job parse each rule once over all its batches."""
    runs = await _claim(session, run_ids, limit)
    if not runs:
        return 0
    now = utcnow()
    versions = await _versions_of(session, runs)
    rows = await contacts.rule_rows(session, [r.contact_id for r in runs])
    checker = checker or RuleCache(await rules.current_schema(session))
    memberships: dict[int, set[int]] = {}
    if any(_reads_contacts(v) for v in versions.values()):
        memberships = await segments.segment_ids_by_contact(session, list(rows))
    effects: list[tuple[Claimed, Version, engine.Effect]] = []
    visits: list[tuple[Claimed, Version, engine.Visit]] = []
    wakes: set[datetime] = set()
    for run in runs:
        live = versions[run.version_id]
        person = rows.get(run.contact_id)
        if person is None:
            continue  # erased: the run goes with the contact
        run.changed = True
        contact = checker.contact(run.id, person, memberships.get(run.contact_id, set()), live.settings)
        state = engine.RunState(node_id=run.node_id, status=run.status, wake_at=run.wake_at,
                                waiting_for=run.waiting_for, event=run.event)
        try:
            result = engine.step(live.program, state, contact, now)
        except (RuleError, ValueError) as exc:
            run.status, run.error = "failed", str(exc)[:300]
            visits.append((run, live, engine.Visit(node_id=run.node_id, outcome="error", detail=str(exc)[:300], at=now)))
            continue
        new = result.state
        run.node_id, run.status, run.wake_at = new.node_id, new.status, new.wake_at
        run.waiting_for, run.event = new.waiting_for, new.event
        if new.status == "waiting" and new.wake_at is not None:
            wakes.add(new.wake_at.replace(microsecond=0) + timedelta(seconds=1))
        effects += [(run, live, e) for e in result.effects]
        visits += [(run, live, v) for v in result.visits]
    await _apply(session, enqueue, effects, rows, now)
    dialect = await dialect_name(session)
    await batch.write_runs(session, dialect, [run for run in runs if run.changed], now)
    await batch.record_steps(session, dialect, [
        batch.Taken(journey_id=live.journey_id, journey=live.name, run_id=run.id, contact_id=run.contact_id,
                    node_id=v.node_id, node_type=live.program.nodes[v.node_id].type, outcome=v.outcome,
                    label=v.label, detail=v.detail, at=v.at) for run, live, v in visits], now)
    for moment in sorted(wakes)[:20]:
        wake(session, enqueue, moment)
    return len(runs)


JOURNEY_ACTOR = Actor(kind="system", id=0, name="Journey", role="admin")


async def _apply(session: AsyncSession, enqueue: Any, effects: list[tuple[Claimed, Version, engine.Effect]],
                 people: dict[int, Any], now: datetime) -> None:
    sends = [(run, live, e) for run, live, e in effects if isinstance(e, engine.SendEmail)]
    if sends:
        await _queue_emails(session, enqueue, sends, people)
    by_segment: dict[tuple[type, int], list[Claimed]] = defaultdict(list)
    by_event: dict[int, list[Claimed]] = defaultdict(list)
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
            elif isinstance(effect, engine.RegisterForEvent):
                by_event[effect.event_id].append(run)
            elif isinstance(effect, engine.Converted) and run.converted_at is None:
                run.converted_at = now
            elif isinstance(effect, (engine.SendSms, engine.CallWebhook)):
                data = msgspec.to_builtins(effect)
                await outbox.queue(session, enqueue, [outbox.OutboxIn(
                    key=f"journey:{run.id}:{effect.node_id}", channel="sms" if isinstance(effect, engine.SendSms) else "webhook",
                    to=str(data.get("url") or "")[:320], contact_id=run.contact_id, journey_id=live.journey_id,
                    node_id=effect.node_id, data=data)])
        except ParcoursError as exc:
            run.error = f"{effect.node_id}: {exc.message}"[:300]
    for event_id, runs in by_event.items():
        _register(session, enqueue, event_id, [[r.id, r.contact_id] for r in runs])
    for (kind, segment_id), runs in by_segment.items():
        change = segments.add_members if kind is engine.AddToSegment else segments.remove_members
        try:
            async with session.begin_nested():
                await change(session, segment_id, sorted({r.contact_id for r in runs}))
        except ParcoursError as exc:
            for run in runs:
                run.error = exc.message[:300]


REGISTER_JOB = "register_from_journey"


def _register(session: AsyncSession, enqueue: Any, event_id: int, people: list[list[int]]) -> None:
    """Registrations go through the events' own job (seats, waitlist, confirmation email) once the
    step is committed; a refused one comes back as the run's error (note_errors)."""
    after_commit(session, lambda: enqueue(REGISTER_JOB, event_id, people))


async def note_errors(session: AsyncSession, errors: dict[int, str]) -> None:
    """What went wrong for these runs after their step was taken (run id: message)."""
    await session.execute(update(_RUNS).where(_RUNS.c.id == bindparam("_id")).values(error=bindparam("_error")),
                          [{"_id": run_id, "_error": message[:300]} for run_id, message in errors.items()])


async def _queue_emails(session: AsyncSession, enqueue: Any, sends: list[tuple[Claimed, Version, Any]],
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
        rows.append(outbox.OutboxIn(key=f"journey:{run.id}:{effect.node_id}", to=address, email_id=effect.email_id,
                                    contact_id=run.contact_id, kind=kinds[effect.email_id], data=data,
                                    journey_id=live.journey_id, node_id=effect.node_id))
    await outbox.queue(session, enqueue, rows)


# ---- the sweeper's questions --------------------------------------------------------------------


async def any_due(session: AsyncSession) -> bool:
    live = await _live_ids(session)
    for status in ("waiting", "active"):
        if (await session.execute(_due([_RUNS.c.id], status, live, 1))).first() is not None:
            return True
    return False


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
