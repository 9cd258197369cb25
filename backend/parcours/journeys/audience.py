"""A journey's audience, explained: who would enter if the draft were published now (and who
would not, and why), the numbers kept at publication, and who was left out so far. The reasons
are those enrolment applies (entries.left_out_rules) and the send-time policy's (channels)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import service as outbox
from parcours.channels.schemas import LeftOut, Someone
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.emails import service as emails
from parcours.journeys import engine, graph, runner
from parcours.journeys.entries import ALREADY_IN, LEFT_OUT, entering, entry_key, left_out_counts, starting_audience
from parcours.journeys.models import Journey, JourneyLeftOut
from parcours.journeys.schemas import FirstEmail, JourneyAudience, JourneySettings, PublishedAudience
from parcours.rules import service as rules
from parcours.segments import service as segments

SAMPLE = 5
ORDER = (*LEFT_OUT, ALREADY_IN)


async def preview(
    session: AsyncSession, journey: Journey, program: graph.Program, settings: JourneySettings, frequency_cap: int
) -> JourneyAudience:
    """What publishing `program` with `settings` would do now (nothing is written). `frequency_cap`
    is the product's, for journeys that set none."""
    assert journey.id is not None
    now = utcnow()
    enters_at = max(settings.starts_at or now, now)
    starting = await starting_audience(session, program, settings)
    if starting is None:
        return JourneyAudience(
            total=0,
            entering=0,
            left_out=[],
            entries_over_time=True,
            enters_at=enters_at,
            first_send_at=None,
            sample=[],
        )
    ids, trigger = starting
    key = entry_key(settings, trigger)
    total, counts = await left_out_counts(session, ids, settings, journey.id, key)
    who = entering(ids, settings, journey.id, key)
    first = (await session.execute(who.order_by(who.selected_columns[0]).limit(SAMPLE))).scalars()
    sample = await outbox.people(session, [int(cid) for cid in first])
    first_send = await _first_send(session, program, settings, sample[0].id, enters_at) if sample else None
    first_email = None
    if first_send is not None and isinstance(first_send[1], engine.SendEmail):
        first_email = await _first_email(
            session, entering(ids, settings, journey.id, key), first_send[1], settings, frequency_cap
        )
    return JourneyAudience(
        total=total,
        entering=total - sum(counts.values()),
        left_out=outbox.left_out_list(counts),
        entries_over_time=False,
        enters_at=enters_at,
        first_send_at=first_send[0] if first_send else None,
        first_email=first_email,
        sample=sample,
    )


async def _first_email(
    session: AsyncSession, ids: Any, effect: engine.SendEmail, settings: JourneySettings, frequency_cap: int
) -> FirstEmail:
    """Those entering judged by the send-time rules for this email, as effects.queue_emails sets them."""
    email = await emails.get_email(session, effect.email_id)
    reach = await outbox.reach(
        session,
        contacts.with_addresses(ids),
        kind=email.kind,
        topic=email.topic,
        minimum_consent=settings.min_consent,
        frequency_cap=settings.frequency_cap if settings.frequency_cap is not None else frequency_cap,
    )
    return FirstEmail(node_id=effect.node_id, receiving=reach.receiving, left_out=reach.reasons())


def kept(audience: JourneyAudience, version: int) -> dict[str, Any]:
    """The numbers kept on the journey at publication."""
    return msgspec.to_builtins(
        PublishedAudience(
            version=version,
            at=utcnow(),
            total=audience.total,
            entering=audience.entering,
            left_out=audience.left_out,
            entries_over_time=audience.entries_over_time,
        )
    )


async def _first_send(
    session: AsyncSession, program: graph.Program, settings: JourneySettings, contact_id: int, start: datetime
) -> tuple[datetime, engine.Effect] | None:
    """When this contact would get the journey's first email or text, by the engine itself
    (waits, send windows, branches on what it is today; a wait for an event times out)."""
    schema = await rules.current_schema(session)
    person = (await contacts.rule_rows(session, [contact_id]))[contact_id]
    who = runner.contact_of(schema, contact_id, person, await segments.segment_ids_of(session, contact_id), settings)
    state, now = engine.RunState(node_id=program.entry.id), start
    for _ in range(engine.MOST_STEPS):
        result = engine.step(program, state, who, now)
        for effect in result.effects:
            if isinstance(effect, (engine.SendEmail, engine.SendSms)):
                return next((v.at for v in result.visits if v.node_id == effect.node_id), now), effect
        state = result.state
        if state.status != "waiting" or state.wake_at is None:
            return None
        now = state.wake_at
    return None


async def left_out_so_far(session: AsyncSession, journey_id: int) -> list[LeftOut]:
    """Contacts who were to enter and did not, by reason (in the order they are judged)."""
    rows = await session.execute(
        select(col(JourneyLeftOut.reason), func.count())
        .where(col(JourneyLeftOut.journey_id) == journey_id)
        .group_by(col(JourneyLeftOut.reason))
    )
    counts = {reason: int(count) for reason, count in rows.all()}
    return outbox.left_out_list({r: counts[r] for r in ORDER if r in counts})


async def left_out_people(
    session: AsyncSession, journey_id: int, reason: str | None, node_id: str | None, limit: int
) -> list[Someone]:
    """The contacts left out for this reason (or any): at the entry, or by a step's messages not sent."""
    if node_id:
        ids = await outbox.journey_skipped_contacts(session, journey_id, node_id, reason, limit)
    else:
        query = select(col(JourneyLeftOut.contact_id)).where(col(JourneyLeftOut.journey_id) == journey_id)
        if reason is not None:
            query = query.where(col(JourneyLeftOut.reason) == reason)
        rows = await session.execute(query.order_by(col(JourneyLeftOut.id).desc()).limit(limit))
        ids = [int(cid) for cid in rows.scalars()]
    return await outbox.people(session, ids)
