"""Journeys: drafts, publication (validated, versioned), lifecycle, statistics and test runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import Select, case, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.channels import service as outbox
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import names_of, per_day, rows_about
from parcours.emails import service as emails
from parcours.emails import templates
from parcours.errors import Conflict, InvalidInput, NotFound, Unprocessable
from parcours.events import service as events
from parcours.jobs.enqueue import Enqueue
from parcours.journeys import audience, checks, engine, entries, graph, runner

# What reports read of journeys' history.
from parcours.journeys.history import (  # noqa: F401
    RunPath,
    Span,
    entrant_page,
    entrants,
    path_of,
    spans,
)
from parcours.journeys.models import Journey, JourneyLeftOut, JourneyRun, JourneyStep, JourneyVersion
from parcours.journeys.schemas import (
    EmailStats,
    FunnelStep,
    JourneyAudience,
    JourneyDefinition,
    JourneySettings,
    JourneyStats,
    JourneySummary,
    NodeStats,
    PublishedAudience,
    TestIn,
    TestOut,
    TestStep,
)
from parcours.journeys.steps import WaitForStepConfig
from parcours.rules import service as rules
from parcours.segments import service as segments

# What may follow what: a published journey can be paused, resumed, stopped.
MOVES = {
    "pause": ({"published"}, "paused"),
    "resume": ({"paused"}, "published"),
    "stop": ({"published", "paused"}, "stopped"),
}


def _id(value: int | None) -> int:
    """The id of a row read from the database (set once it is flushed)."""
    assert value is not None
    return value


async def get_journey(session: AsyncSession, journey_id: int) -> Journey:
    journey = await session.get(Journey, journey_id)
    if journey is None:
        raise NotFound("This journey does not exist.", "journey_id")
    return journey


async def list_journeys(session: AsyncSession) -> list[JourneySummary]:
    inside = func.sum(case((col(JourneyRun.status).in_(["active", "waiting"]), 1), else_=0))
    counts = {
        jid: (int(entered), int(active or 0))
        for jid, entered, active in (
            await session.execute(
                select(col(JourneyRun.journey_id), func.count(), inside).group_by(col(JourneyRun.journey_id))
            )
        ).all()
    }
    journeys = (await session.execute(select(Journey).order_by(col(Journey.updated_at).desc()))).scalars().all()
    return [
        JourneySummary(
            id=_id(j.id),
            name=j.name,
            description=j.description,
            status=j.status,
            version=j.version,
            has_changes=j.has_changes,
            updated_at=j.updated_at,
            published_at=j.published_at,
            entered=counts.get(j.id, (0, 0))[0],
            active=counts.get(j.id, (0, 0))[1],
        )
        for j in journeys
    ]


def _raw(
    definition: graph.Definition | JourneyDefinition, settings: JourneySettings
) -> tuple[dict[str, Any], dict[str, Any]]:
    return msgspec.to_builtins(definition), msgspec.to_builtins(settings)


async def create_journey(session: AsyncSession, values: dict[str, Any], actor: Actor) -> Journey:
    definition, settings, template_key = values["definition"], values["settings"], None
    if values.get("template_id") is not None:
        definition, settings, template_key = await _from_template(session, values["template_id"], actor)
    raw_definition, raw_settings = _raw(definition, settings)
    journey = Journey(
        name=values["name"],
        description=values.get("description") or "",
        definition=raw_definition,
        settings=raw_settings,
        template_key=template_key,
        created_by=actor.label,
    )
    session.add(journey)
    await session.flush()
    return journey


async def update_journey(session: AsyncSession, journey_id: int, changes: dict[str, Any]) -> Journey:
    journey = await get_journey(session, journey_id)
    if journey.status in ("stopped", "finished"):
        raise Conflict(f"This journey is {journey.status}: make a copy to change it.", "status")
    for field in ("name", "description"):
        if field in changes:
            setattr(journey, field, changes[field])
    if "definition" in changes:
        journey.definition = msgspec.to_builtins(changes["definition"])
    if "settings" in changes:
        journey.settings = msgspec.to_builtins(changes["settings"])
    if journey.version and ("definition" in changes or "settings" in changes):
        journey.has_changes = True
    journey.updated_at = utcnow()
    await session.flush()
    return journey


async def delete_journey(session: AsyncSession, journey_id: int) -> None:
    journey = await get_journey(session, journey_id)
    if journey.status in ("published", "paused"):
        raise Conflict("Stop this journey before deleting it: contacts are going through it.", "status")
    await session.delete(journey)


# ---- publication and lifecycle ------------------------------------------------------------------


async def problems_of(session: AsyncSession, journey: Journey) -> tuple[list[graph.Problem], graph.Program | None]:
    try:
        definition = graph.decode(journey.definition)
    except ValueError as exc:
        return [graph.Problem(message=str(exc))], None
    problems, program = graph.check(definition)
    problems += await checks.references(session, definition, msgspec.convert(journey.settings, JourneySettings))
    return problems, (program if not problems else None)


async def _publishable(session: AsyncSession, journey: Journey) -> graph.Program:
    """The draft's program, or why it cannot be published (409 when it is over, 422 with the problems)."""
    if journey.status in ("stopped", "finished"):
        raise Conflict(f"This journey is {journey.status}: make a copy to run it again.", "status")
    problems, program = await problems_of(session, journey)
    if problems or program is None:
        raise Unprocessable(
            f"This journey cannot be published yet: {len(problems)} problem{'s' if len(problems) > 1 else ''} to fix.",
            "definition",
            problems=[msgspec.to_builtins(p) for p in problems],
        )
    return program


async def preview_audience(session: AsyncSession, journey_id: int, frequency_cap: int) -> JourneyAudience:
    """Who publishing the draft now would enrol, and who it would leave out and why (changes nothing)."""
    journey = await get_journey(session, journey_id)
    program = await _publishable(session, journey)
    settings = msgspec.convert(journey.settings, JourneySettings)
    return await audience.preview(session, journey, program, settings, frequency_cap)


async def publish(
    session: AsyncSession, journey_id: int, actor: Actor, enqueue: Enqueue, *, frequency_cap: int
) -> tuple[Journey, int]:
    """Validate the draft and make it the running version, keeping the audience it had then.
    Returns the journey and how many contacts entered at once."""
    journey = await get_journey(session, journey_id)
    program = await _publishable(session, journey)
    settings = msgspec.convert(journey.settings, JourneySettings)
    seen = await audience.preview(session, journey, program, settings, frequency_cap)
    now = utcnow()
    journey.version += 1
    session.add(
        JourneyVersion(
            journey_id=_id(journey.id),
            version=journey.version,
            definition=journey.definition,
            settings=journey.settings,
            published_by=actor.label,
            published_at=now,
        )
    )
    journey.status = "published" if journey.status == "draft" else journey.status
    journey.published_at, journey.has_changes, journey.updated_at = now, False, now
    journey.published_audience = audience.kept(seen, journey.version)
    await session.flush()
    return journey, await runner.start_entries(session, journey, enqueue)


async def move(session: AsyncSession, journey_id: int, action: str, enqueue: Enqueue) -> Journey:
    journey = await get_journey(session, journey_id)
    allowed, target = MOVES[action]
    if journey.status not in allowed:
        verb = {"pause": "paused", "resume": "resumed", "stop": "stopped"}[action]
        raise Conflict(f"A {journey.status} journey cannot be {verb}.", "status")
    journey.status, journey.updated_at = target, utcnow()
    if action == "stop":
        await runner.stop_runs(session, _id(journey.id))
    elif action == "resume":
        runner.wake(session, enqueue)
    await session.flush()
    return journey


# ---- statistics ---------------------------------------------------------------------------------


async def stats(session: AsyncSession, journey_id: int) -> JourneyStats:
    journey = await get_journey(session, journey_id)
    nodes: dict[str, NodeStats] = {}

    def node(node_id: str) -> NodeStats:
        return nodes.setdefault(node_id, NodeStats())

    # Totals first: steps are only ever added, in the transaction that moves the run, so reading
    # them afterwards (each statement sees the latest commit) never shows a run ahead of its steps.
    totals = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((col(JourneyRun.status).in_(["active", "waiting"]), 1), else_=0)),
                func.sum(case((col(JourneyRun.status) == "completed", 1), else_=0)),
                func.sum(case((col(JourneyRun.status).in_(["exited", "failed"]), 1), else_=0)),
                func.count(col(JourneyRun.converted_at)),
            ).where(col(JourneyRun.journey_id) == journey_id)
        )
    ).one()
    entered, active, completed, exited, converted = (int(v or 0) for v in totals)
    for node_id, outcome, label, count in (
        await session.execute(
            select(col(JourneyStep.node_id), col(JourneyStep.outcome), col(JourneyStep.label), func.count())
            .where(col(JourneyStep.journey_id) == journey_id)
            .group_by(col(JourneyStep.node_id), col(JourneyStep.outcome), col(JourneyStep.label))
        )
    ).all():
        found = node(node_id)
        if outcome == "completed":
            found.completed += count
            if label:
                found.branches[label] = found.branches.get(label, 0) + count
        elif outcome == "exited":
            found.exited += count
        else:
            found.errors += count
        found.entered += count
    for node_id, status, count in (
        await session.execute(
            select(col(JourneyRun.node_id), col(JourneyRun.status), func.count())
            .where(col(JourneyRun.journey_id) == journey_id, col(JourneyRun.status).in_(["active", "waiting"]))
            .group_by(col(JourneyRun.node_id), col(JourneyRun.status))
        )
    ).all():
        found = node(node_id)
        found.entered += count
        found.waiting += count
    for node_id, email_stats in (await _email_stats(session, journey_id)).items():
        node(node_id).email = email_stats
    skipped: dict[str, dict[str, int]] = {}
    for node_id, code, count in await outbox.journey_skipped(session, journey_id):
        skipped.setdefault(node_id, {})[code] = count
    for node_id, counts in skipped.items():
        node(node_id).left_out = outbox.left_out_list(dict(sorted(counts.items(), key=lambda c: -c[1])))
    definition = graph.decode(journey.definition)
    _problems, program = graph.check(definition)
    order = program.order() if program else [n.id for n in definition.nodes]
    types = {n.id: n.type for n in definition.nodes}
    return JourneyStats(
        journey_id=_id(journey.id),
        version=journey.version,
        entered=entered,
        active=active,
        completed=completed,
        exited=exited,
        converted=converted,
        conversion_rate=round(converted / entered, 4) if entered else 0.0,
        nodes=nodes,
        funnel=[
            FunnelStep(node_id=n, type=types.get(n, ""), entered=nodes[n].entered if n in nodes else 0) for n in order
        ],
        left_out=await audience.left_out_so_far(session, journey_id),
        published_audience=published_audience(journey),
    )


def published_audience(journey: Journey) -> PublishedAudience | None:
    kept = journey.published_audience
    return msgspec.convert(kept, PublishedAudience) if kept else None


async def _email_stats(session: AsyncSession, journey_id: int) -> dict[str, EmailStats]:
    found = {}
    for row in await outbox.journey_email_counts(session, journey_id):
        node_id, email_id, queued, sent, suppressed, failed, opened, clicked, unsubscribed, bounced, captured = row
        found[node_id] = EmailStats(
            email_id=email_id,
            queued=queued,
            sent=sent,
            suppressed=suppressed,
            failed=failed,
            opened=opened,
            clicked=clicked,
            unsubscribed=unsubscribed,
            bounced=bounced,
            captured=captured,
            open_rate=round(opened / sent, 4) if sent else 0.0,
            click_rate=round(clicked / sent, 4) if sent else 0.0,
        )
    return found


# ---- test mode ----------------------------------------------------------------------------------


async def test_run(session: AsyncSession, journey_id: int, data: TestIn, actor: Actor, enqueue: Enqueue) -> TestOut:
    """Carry one contact through the draft with time compressed; apply nothing (except test sends
    when asked). Shows the path the contact would take today."""
    journey = await get_journey(session, journey_id)
    contact = await contacts.get_contact(session, data.contact_id)
    problems, program = await problems_of(session, journey)
    if program is None:
        return TestOut(contact_id=data.contact_id, path=[], effects=[], outcome="invalid", problems=problems)
    settings = msgspec.convert(journey.settings, JourneySettings)
    schema = rules.journey_schema(await rules.current_schema(session))
    contact_id = _id(contact.id)
    person = (await contacts.rule_rows(session, [contact_id]))[contact_id]
    who = runner.contact_of(schema, contact_id, person, await segments.segment_ids_of(session, contact_id), settings)
    state, now = engine.RunState(node_id=program.entry.id), utcnow()
    path: list[TestStep] = []
    said: list[str] = []
    for _ in range(engine.MOST_STEPS):
        result = engine.step(program, state, who, now)
        path += [
            TestStep(
                node_id=v.node_id,
                type=program.nodes[v.node_id].type,
                outcome=v.outcome,
                label=v.label,
                detail=v.detail,
                at=v.at,
            )
            for v in result.visits
        ]
        said += [await _describe(session, e, contact.email, data.send_emails, actor, enqueue) for e in result.effects]
        state = result.state
        if state.status != "waiting":
            break
        node = program.nodes[state.node_id]
        config = program.configs[node.id]
        if isinstance(config, WaitForStepConfig) and data.events.get(node.id) == "happened":
            state.event = graph.about(config.type, config.event_id, config.form_id)
        else:
            now = state.wake_at or now
    return TestOut(contact_id=data.contact_id, path=path, effects=said, outcome=state.status, problems=[])


async def _describe(
    session: AsyncSession, effect: engine.Effect, address: str | None, send: bool, actor: Actor, enqueue: Enqueue
) -> str:
    if isinstance(effect, engine.SendEmail):
        email = await emails.get_email(session, effect.email_id)
        if send and address:
            await emails.test_send(session, _id(email.id), address, None, actor, enqueue)
            return f"Sent the email '{email.name}' to {address} as a test."
        return f"Would send the email '{email.name}'."
    if isinstance(effect, engine.SendSms):
        return f"Would send the text message: {effect.text}"
    if isinstance(effect, engine.CallWebhook):
        return f"Would call {effect.url}."
    if isinstance(effect, engine.SetField):
        return f"Would set {effect.field} to {effect.value!r}."
    if isinstance(effect, engine.RegisterForEvent):
        event = await events.get_event(session, effect.event_id)
        return f"Would register the contact for the event '{event.name}'."
    if isinstance(effect, engine.SetStage):
        return f"Would move the contact to the stage {effect.stage}."
    if isinstance(effect, (engine.AddToSegment, engine.RemoveFromSegment)):
        segment = await segments.get_segment(session, effect.segment_id)
        verb = "add the contact to" if isinstance(effect, engine.AddToSegment) else "remove the contact from"
        return f"Would {verb} the segment '{segment.name}'."
    return "Goal reached."


# ---- runs and templates -------------------------------------------------------------------------


async def runs_of(
    session: AsyncSession, *, journey_id: int | None = None, contact_id: int | None = None, limit: int = 100
) -> Sequence[tuple[JourneyRun, int]]:
    query = select(JourneyRun, col(JourneyVersion.version)).join(
        JourneyVersion, col(JourneyVersion.id) == col(JourneyRun.version_id)
    )
    if journey_id is not None:
        query = query.where(col(JourneyRun.journey_id) == journey_id)
    if contact_id is not None:
        query = query.where(col(JourneyRun.contact_id) == contact_id)
    rows = (await session.execute(query.order_by(col(JourneyRun.id).desc()).limit(limit))).all()
    return [(run, version) for run, version in rows]


class _Shipped(msgspec.Struct):
    key: str
    language: str
    name: str
    definition: dict[str, Any]
    settings: dict[str, Any] = msgspec.field(default_factory=dict)
    description: str = ""
    category: str = ""


async def load_shipped(session: AsyncSession, directory: Any) -> int:
    """Add the journey templates of templates/journeys/<language>/ the library does not have yet."""
    have = await templates.keys(session, "journey")
    added = 0
    for source in sorted((directory / "journeys").glob("*/*.json")):
        shipped = msgspec.json.decode(source.read_bytes(), type=_Shipped)
        if (shipped.key, shipped.language) in have:
            continue
        msgspec.convert(shipped.definition, JourneyDefinition)  # a template's steps fit their types
        await templates.add_shipped(
            session,
            kind="journey",
            key=shipped.key,
            language=shipped.language,
            name=shipped.name,
            description=shipped.description,
            category=shipped.category,
            design={"definition": shipped.definition, "settings": shipped.settings},
        )
        added += 1
    return added


async def _from_template(
    session: AsyncSession, template_id: int, actor: Actor
) -> tuple[graph.Definition, JourneySettings, str | None]:
    template = await templates.get_template(session, template_id)
    if template.kind != "journey" or not template.design:
        raise InvalidInput("This template is not a journey template.", "template_id")
    definition = graph.decode(template.design.get("definition") or {})
    sender = await emails.latest_sender(session)
    for node in definition.nodes:
        key = node.config.get("template") if node.type == "action.email" else None
        if key and sender and node.config.get("email_id") is None:
            email_template = await templates.by_key(session, "email", key, template.language)
            if email_template is not None:
                email = await emails.create_email(
                    session,
                    {
                        "name": f"{template.name} — {email_template.name}",
                        "subject": email_template.subject,
                        "from_name": sender[0],
                        "from_email": sender[1],
                        "template_id": email_template.id,
                        "language": template.language,
                    },
                    actor,
                )
                node.config["email_id"] = email.id
    settings = msgspec.convert(template.design.get("settings") or {}, JourneySettings)
    return definition, settings, template.key


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: the survivor's runs go on, the other's end (see entries)."""
    return await entries.end_merged_runs(session, survivor_id, other_id)


# ---- for reports (the Home) ----------------------------------------------------------------------


async def running(session: AsyncSession, among: Select[Any] | None = None) -> tuple[int, int]:
    """How many journeys run now (published) and how many contacts are inside one (active or
    waiting, in any journey, paused ones included)."""
    journeys = (
        await session.execute(select(func.count()).select_from(Journey).where(col(Journey.status) == "published"))
    ).scalar_one()
    inside = select(func.count()).select_from(JourneyRun).where(col(JourneyRun.status).in_(["active", "waiting"]))
    if among is not None:
        inside = inside.where(col(JourneyRun.contact_id).in_(among))
    return int(journeys), int((await session.execute(inside)).scalar_one())


async def entered_per_day(
    session: AsyncSession, since: datetime, until: datetime, among: Select[Any] | None = None
) -> dict[date, float]:
    """Entries into journeys (runs started) per UTC day in [since, until)."""
    at = col(JourneyRun.entered_at)
    where = [at >= since, at < until]
    if among is not None:
        where.append(col(JourneyRun.contact_id).in_(among))
    return await per_day(session, at, func.count(), *where)


async def with_errors(session: AsyncSession, since: datetime) -> list[tuple[int, str, int]]:
    """Journeys whose steps failed since `since`: (id, name, failed steps), most failures first."""
    failed = func.count().label("failed")
    query = (
        select(col(Journey.id), col(Journey.name), failed)
        .join(JourneyStep, col(JourneyStep.journey_id) == col(Journey.id))
        .where(col(JourneyStep.outcome) == "error", col(JourneyStep.at) >= since)
        .group_by(col(Journey.id), col(Journey.name))
        .order_by(failed.desc())
    )
    return [(jid, name, int(n)) for jid, name, n in (await session.execute(query)).all()]


async def recently_published(session: AsyncSession, limit: int) -> list[tuple[datetime, int, str]]:
    """The journeys published last: (published_at, id, name)."""
    query = (
        select(col(Journey.published_at), col(Journey.id), col(Journey.name))
        .where(col(Journey.published_at).is_not(None))
        .order_by(col(Journey.published_at).desc())
        .limit(limit)
    )
    return [(at, jid, name) for at, jid, name in (await session.execute(query)).all()]


async def names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """The names of these journeys by id (deleted ones are left out)."""
    return await names_of(session, Journey, ids)


# ---- for the relationship plan ------------------------------------------------------------------


async def conversions(
    session: AsyncSession, journey_ids: Sequence[int], start: datetime, end: datetime
) -> tuple[int, int]:
    """(entered, converted) of the runs that entered these journeys in [start, end): a goal reached
    after `end` is not counted yet."""
    if not journey_ids:
        return 0, 0
    row = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((col(JourneyRun.converted_at) < end, 1), else_=0)),
            ).where(
                col(JourneyRun.journey_id).in_(journey_ids),
                col(JourneyRun.entered_at) >= start,
                col(JourneyRun.entered_at) < end,
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def timelines(
    session: AsyncSession, journey_ids: Sequence[int]
) -> list[tuple[int, str, str, datetime, datetime | None, datetime]]:
    """(id, name, status, from, until, created) of the journeys that exist among these ids: from their
    first publication (or creation, a draft), until stopped or finished (None: still running)."""
    if not journey_ids:
        return []
    rows = (await session.execute(select(Journey).where(col(Journey.id).in_(journey_ids)))).scalars().all()
    return [
        (
            _id(j.id),
            j.name,
            j.status,
            j.published_at or j.created_at,
            j.updated_at if j.status in ("stopped", "finished") else None,
            j.created_at,
        )
        for j in rows
    ]


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The contact's journeys (where it is, where it was) and those that left it out, for its data export."""
    return {
        "journey_runs": await rows_about(session, JourneyRun, "contact_id", contact_id),
        "journeys_left_out": await rows_about(session, JourneyLeftOut, "contact_id", contact_id),
    }
