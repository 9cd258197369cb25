"""The effects of the steps a batch of runs took, applied in the same transaction: emails and
other messages queued, fields and stages set, segment members added or removed, event
registrations handed to the events' job, conversions noted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import bindparam, insert, literal, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.channels import service as outbox
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import UTCDateTime
from parcours.emails import service as emails
from parcours.errors import ParcoursError
from parcours.interactions.batch import RuleRow
from parcours.jobs.enqueue import Enqueue, queue_after_commit
from parcours.jobs.names import JobName
from parcours.journeys import engine
from parcours.journeys.batch import RUNS, Claimed
from parcours.journeys.models import JourneyStep
from parcours.journeys.versions import Version, versions_of
from parcours.rules.fields import CUSTOM_PREFIX
from parcours.segments import service as segments

JOURNEY_ACTOR = Actor(kind="system", id=0, name="Journey", role="admin")


async def apply(
    session: AsyncSession,
    enqueue: Enqueue,
    effects: list[tuple[Claimed, Version, engine.Effect]],
    people: dict[int, RuleRow],
    now: datetime,
) -> None:
    sends = [(run, live, e) for run, live, e in effects if isinstance(e, engine.SendEmail)]
    if sends:
        await _queue_emails(session, enqueue, sends, people)
    by_segment: dict[tuple[type, int], list[Claimed]] = defaultdict(list)
    by_event: dict[int, list[Claimed]] = defaultdict(list)
    for run, live, effect in effects:
        try:
            if isinstance(effect, (engine.SetField, engine.SetStage)):
                field, value = (
                    ("lifecycle_stage", effect.stage)
                    if isinstance(effect, engine.SetStage)
                    else (effect.field, effect.value)
                )
                changes = (
                    {"custom": {field[len(CUSTOM_PREFIX) :]: value}}
                    if field.startswith(CUSTOM_PREFIX)
                    else {field: value}
                )
                # The journey acts with its id: a lead it makes records it as its origin.
                actor = msgspec.structs.replace(JOURNEY_ACTOR, id=live.journey_id, name=f"Journey {live.name}")
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
                await outbox.queue(
                    session,
                    enqueue,
                    [
                        outbox.OutboxIn(
                            key=f"journey:{run.id}:{effect.node_id}",
                            channel="sms" if isinstance(effect, engine.SendSms) else "webhook",
                            to=str(data.get("url") or "")[:320],
                            contact_id=run.contact_id,
                            journey_id=live.journey_id,
                            node_id=effect.node_id,
                            data=data,
                        )
                    ],
                )
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


def _register(session: AsyncSession, enqueue: Enqueue, event_id: int, people: list[list[int]]) -> None:
    """Registrations go through the events' own job (seats, waitlist, confirmation email) once the
    step is committed; a refused one comes back as the run's error (note_errors)."""
    queue_after_commit(session, enqueue, JobName.REGISTER_FROM_JOURNEY, event_id, people)


async def note_errors(session: AsyncSession, errors: dict[int, str]) -> None:
    """What went wrong for these runs after their step was taken (run id: message)."""
    await session.execute(
        update(RUNS).where(RUNS.c.id == bindparam("_id")).values(error=bindparam("_error")),
        [{"_id": run_id, "_error": message[:300]} for run_id, message in errors.items()],
    )


async def message_failed(session: AsyncSession, failures: Sequence[outbox.FailedMessage]) -> None:
    """Messages of journey steps that failed for good (after their tries): the reason goes on the
    contact's run, and a text message or webhook step set to stop on failure ends the run there
    (an exit labelled "failed"); otherwise the journey goes on."""
    by_run: dict[int, tuple[str, str]] = {}
    for failure in failures:
        kind, _, rest = failure.key.partition(":")
        run_id, _, node_id = rest.partition(":")
        if kind == "journey" and run_id.isdigit() and failure.journey_id is not None:
            by_run[int(run_id)] = (node_id, failure.reason)
    if not by_run:
        return
    r = RUNS.c
    runs = (await session.execute(select(r.id, r.version_id, r.status).where(r.id.in_(list(by_run))))).all()
    versions = await versions_of(session, {run.version_id for run in runs})
    stopping = [
        run.id
        for run in runs
        if run.status in ("active", "waiting")
        and getattr(versions[run.version_id].program.configs.get(by_run[run.id][0]), "on_failure", "") == "stop"
    ]
    await note_errors(session, {run.id: f"{by_run[run.id][0]}: {by_run[run.id][1]}" for run in runs})
    if not stopping:
        return
    now = utcnow()
    leaving = select(r.journey_id, r.id, r.node_id, literal("exited"), literal("failed"), literal(now, UTCDateTime()))
    await session.execute(
        insert(JourneyStep).from_select(
            ["journey_id", "run_id", "node_id", "outcome", "label", "at"], leaving.where(r.id.in_(stopping))
        )
    )
    await session.execute(update(RUNS).where(r.id.in_(stopping)).values(status="exited", wake_at=None, updated_at=now))


async def _queue_emails(
    session: AsyncSession,
    enqueue: Enqueue,
    sends: list[tuple[Claimed, Version, engine.SendEmail]],
    people: dict[int, RuleRow],
) -> None:
    kinds = await emails.kinds_of(session, {e.email_id for _, _, e in sends})
    rows: list[outbox.OutboxIn] = []
    for run, live, effect in sends:
        address = people[run.contact_id][0].get("email")
        if not address or effect.email_id not in kinds:
            run.error = f"{effect.node_id}: " + (
                "the contact has no email address" if not address else "the email was deleted"
            )
            continue
        data: dict[str, Any] = {"minimum_consent": live.settings.min_consent}
        if live.settings.frequency_cap is not None:
            data["frequency_cap"] = live.settings.frequency_cap
        rows.append(
            outbox.OutboxIn(
                key=f"journey:{run.id}:{effect.node_id}",
                to=address,
                email_id=effect.email_id,
                contact_id=run.contact_id,
                kind=kinds[effect.email_id],
                data=data,
                journey_id=live.journey_id,
                node_id=effect.node_id,
            )
        )
    await outbox.queue(session, enqueue, rows)
