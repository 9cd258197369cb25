"""Campaigns: an email sent once to segments, now or later, optionally as an A/B test."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import (
    and_,
    func,
    not_,
    select,
    true,
    union,
    update,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.auth.service import Actor
from parcours.campaigns.ab import Arm, decide
from parcours.campaigns.models import Campaign
from parcours.campaigns.schemas import AbTest, CampaignAudience, Point, VariantStats
from parcours.channels import service as outbox
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import names_of
from parcours.emails import service as emails
from parcours.errors import InvalidInput, NotFound
from parcours.jobs.enqueue import Enqueue, queue_after_commit
from parcours.jobs.names import JobName
from parcours.segments import service as segments


def _job(kind: str, campaign_id: int | None) -> str:
    return f"{kind}:{campaign_id}"


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("This campaign does not exist.", "campaign_id")
    return campaign


async def list_campaigns(
    session: AsyncSession, limit: int, cursor: str | None
) -> tuple[list[Campaign], str | None, int]:
    """Newest first: a page of campaigns, the cursor of the next one and how many there are."""
    order = [(col(Campaign.created_at), True), (col(Campaign.id), True)]
    query = select(Campaign)
    last = read_cursor(cursor, datetime, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(*(c.desc() for c, _ in order)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda c: [c.created_at, c.id])
    total = (await session.execute(select(func.count()).select_from(Campaign))).scalar_one()
    return page, next_cursor, int(total)


def _audience_ids(segment_ids: list[int], exclude: list[int]) -> Any:
    included = union(*[segments.member_ids(s) for s in segment_ids]).subquery()
    query = select(included.c[0].label("contact_id"))
    for other in exclude:
        query = query.where(not_(included.c[0].in_(segments.member_ids(other))))
    return query


async def _check_ab(session: AsyncSession, ab: AbTest, email: Any) -> None:
    keys = [v.key for v in ab.variants]
    if len(set(keys)) != len(keys):
        raise InvalidInput("Each variant needs its own letter.", "ab_test.variants")
    for variant in ab.variants:
        value = {"subject": variant.subject, "from_name": variant.from_name, "content": variant.email_id}[ab.variable]
        if value in (None, ""):
            raise InvalidInput(f"Variant {variant.key} needs a {ab.variable.replace('_', ' ')}.", "ab_test.variants")
        others = {"subject": variant.subject, "from_name": variant.from_name, "content": variant.email_id}
        if any(v not in (None, "") for k, v in others.items() if k != ab.variable):
            raise InvalidInput(
                "An A/B test changes one thing at a time: only "
                f"{ab.variable.replace('_', ' ')} may differ between variants.",
                "ab_test.variants",
            )
        if ab.variable == "content" and variant.email_id is not None:
            other = await emails.get_email(session, variant.email_id, field="ab_test.variants")
            if other.subject != email.subject or other.from_name != email.from_name:
                raise InvalidInput("For a content test, the emails must share subject and sender.", "ab_test.variants")


class _Checked(msgspec.Struct, kw_only=True):
    """A campaign's body, checked: its email, audience (contact ids, after exclusions) and send time."""

    email: Any
    audience: Any
    count: int
    send_at: datetime


async def _check(session: AsyncSession, values: dict[str, Any]) -> _Checked:
    email = await emails.get_email(session, values["email_id"])
    if email.archived:
        raise InvalidInput("This email is archived: restore it before sending.", "email_id")
    if not email.subject.strip() or not email.from_email:
        raise InvalidInput("The email needs a subject and a sender before it can be sent.", "email_id")
    for field in ("segment_ids", "exclude_segment_ids"):
        for segment_id in values.get(field) or []:
            try:
                await segments.get_segment(session, segment_id)
            except NotFound:
                raise InvalidInput(f"There is no segment with id {segment_id}.", field) from None
    audience = _audience_ids(values["segment_ids"], values.get("exclude_segment_ids") or [])
    count = (await session.execute(select(func.count()).select_from(audience.subquery()))).scalar_one()
    if count == 0:
        raise InvalidInput(
            "Nobody would receive this campaign: the segments are empty (or all excluded).", "segment_ids"
        )
    ab = values.get("ab_test")
    if ab is not None:
        await _check_ab(session, ab, email)
    now = utcnow()
    send_at = values.get("send_at") or now
    if send_at < now - timedelta(minutes=5):
        raise InvalidInput("The send time is in the past.", "send_at")
    return _Checked(email=email, audience=audience, count=int(count), send_at=send_at)


async def _reach(session: AsyncSession, checked: _Checked, frequency_cap: int) -> outbox.Reach:
    """Who would receive it if it went now, by the rules the delivery loop applies to each message."""
    people = contacts.with_addresses(select(checked.audience.subquery().c.contact_id))
    email = checked.email
    return await outbox.reach(
        session, people, kind=email.kind, topic=email.topic, minimum_consent=None, frequency_cap=frequency_cap
    )


async def preview(session: AsyncSession, values: dict[str, Any], frequency_cap: int) -> CampaignAudience:
    """What creating this campaign would do, changing nothing: how many would receive it, who is
    left out and why, when it goes, and a few of its recipients."""
    checked = await _check(session, values)
    reach = await _reach(session, checked, frequency_cap)
    return CampaignAudience(
        total=reach.total,
        receiving=reach.receiving,
        left_out=reach.reasons(),
        first_send_at=max(checked.send_at, utcnow()),
        sample=reach.sample,
    )


async def create_campaign(
    session: AsyncSession, values: dict[str, Any], actor: Actor, enqueue: Enqueue, *, frequency_cap: int
) -> Campaign:
    checked = await _check(session, values)
    reach = await _reach(session, checked, frequency_cap)
    ab = values.get("ab_test")
    campaign = Campaign(
        name=values.get("name") or checked.email.name,
        email_id=values["email_id"],
        segment_ids=values["segment_ids"],
        exclude_segment_ids=values.get("exclude_segment_ids") or [],
        send_at=checked.send_at,
        ab_test=msgspec.to_builtins(ab) if ab else None,
        audience=checked.count,
        left_out=msgspec.to_builtins(reach.reasons()),
        created_by=actor.label,
    )
    session.add(campaign)
    await session.flush()
    queue_after_commit(
        session,
        enqueue,
        JobName.START_CAMPAIGN,
        campaign.id,
        job_id=_job("start", campaign.id),
        _defer_until=checked.send_at,
    )
    return campaign


async def cancel(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await get_campaign(session, campaign_id)
    if campaign.status in ("sent", "cancelled"):
        raise InvalidInput(f"This campaign is already {campaign.status}.", "campaign_id")
    campaign.status = "cancelled"
    await outbox.cancel_campaign(session, campaign_id)
    return campaign


# ---- sending -------------------------------------------------------------------------------------


def overrides(variant: dict[str, Any]) -> dict[str, Any]:
    """What a variant changes (subject, sender name or email), written on its messages."""
    return {k: variant.get(k) for k in ("subject", "from_name", "email_id") if variant.get(k) not in (None, "")}


def _groups(ab: dict[str, Any] | None, contact_id: Any) -> list[tuple[Any, str | None, dict[str, Any], bool]]:
    """The audience split into (condition, variant, overrides, held), decided in SQL from the
    contact id: stable, evenly spread, no list of a million ids in memory."""
    if not ab:
        return [(true(), None, {}, False)]
    variants = ab["variants"]
    # Multiplying by primes spreads consecutive ids (contacts imported together) over every bucket.
    picks = [(contact_id * 104729) % len(variants) == i for i in range(len(variants))]
    if ab.get("keep_split"):
        return [(pick, v["key"], overrides(v), False) for pick, v in zip(picks, variants, strict=True)]
    in_sample = (contact_id * 7919) % 100 < ab["sample_percent"]
    return [
        *((and_(in_sample, pick), v["key"], overrides(v), False) for pick, v in zip(picks, variants, strict=True)),
        (not_(in_sample), None, {}, True),
    ]


async def start(session: AsyncSession, campaign_id: int, enqueue: Enqueue) -> int:
    """Queue the campaign's messages (once: a second start queues nothing more). The sample of an
    A/B test goes now, each variant with its overrides; the rest is held until the winner is known."""
    campaign = await get_campaign(session, campaign_id)
    if campaign.status != "scheduled":
        return 0
    email = await emails.get_email(session, campaign.email_id)
    audience = _audience_ids(campaign.segment_ids, campaign.exclude_segment_ids).subquery()
    people = contacts.with_addresses(select(audience.c.contact_id)).subquery()
    now = utcnow()
    queued = 0
    for condition, variant, changes, held in _groups(campaign.ab_test, people.c.id):
        message = outbox.OutboxIn(
            key=f"campaign:{campaign.id}:",
            kind=email.kind,
            email_id=email.id,
            campaign_id=campaign.id,
            variant=variant,
            data=changes,
            send_after=now,
        )
        queued += await outbox.queue_audience(
            session, enqueue, select(people.c.id, people.c.email).where(condition), message, held=held
        )
    ab = campaign.ab_test
    testing = bool(ab) and not (ab or {}).get("keep_split")
    campaign.status, campaign.started_at = ("testing" if testing else "sending"), now
    if ab and testing:
        decide_at = now + timedelta(minutes=int(ab["wait_minutes"]))
        queue_after_commit(
            session,
            enqueue,
            JobName.DECIDE_AB_TEST,
            campaign.id,
            job_id=_job("decide", campaign.id),
            _defer_until=decide_at,
        )
    return queued


async def decide_winner(session: AsyncSession, campaign_id: int, enqueue: Enqueue) -> str | None:
    """After the wait: the best variant on the chosen metric goes to everyone still waiting, its
    overrides written on their messages."""
    campaign = await get_campaign(session, campaign_id)
    if campaign.status != "testing":
        return campaign.winner
    stats = await variant_stats(session, campaign)
    metric = (campaign.ab_test or {}).get("metric", "opens")
    verdict = decide(
        [
            Arm(key=s.key, sent=s.sent, successes=s.unique_opens if metric == "opens" else s.unique_clicks)
            for s in stats
            if s.key != "-"
        ]
    )
    campaign.winner, campaign.winner_confidence, campaign.status = verdict.winner, verdict.confidence, "sending"
    chosen = [v for v in (campaign.ab_test or {}).get("variants", []) if v["key"] == verdict.winner]
    await outbox.release_held(session, enqueue, campaign_id, verdict.winner, overrides(chosen[0]) if chosen else {})
    return verdict.winner


async def finish_sent(session: AsyncSession) -> int:
    """Campaigns whose every message is out are sent."""
    sending = list((await session.execute(select(col(Campaign.id)).where(col(Campaign.status) == "sending"))).scalars())
    done = set(sending) - await outbox.campaigns_waiting(session, sending)
    if not done:
        return 0
    await session.execute(
        update(Campaign).where(col(Campaign.id).in_(done)).values(status="sent", finished_at=utcnow())
    )
    return len(done)


# ---- statistics ----------------------------------------------------------------------------------


def _stats(key: str, counts: dict[str, int]) -> VariantStats:
    sent, unique_opens, unique_clicks = counts["sent"], counts["unique_opens"], counts["unique_clicks"]
    return VariantStats(
        key=key,
        **counts,
        open_rate=round(unique_opens / sent, 4) if sent else 0.0,
        click_rate=round(unique_clicks / sent, 4) if sent else 0.0,
        click_to_open=round(unique_clicks / unique_opens, 4) if unique_opens else 0.0,
    )


async def totals(session: AsyncSession, campaign: Campaign) -> VariantStats:
    [(_, counts)] = await outbox.campaign_counts(session, _id(campaign))
    return _stats("all", counts)


async def variant_stats(session: AsyncSession, campaign: Campaign) -> list[VariantStats]:
    return [
        _stats(variant or "-", counts)
        for variant, counts in await outbox.campaign_counts(session, _id(campaign), by_variant=True)
        if variant is not None
    ]


async def over_time(session: AsyncSession, campaign: Campaign) -> list[Point]:
    """First opens and clicks per hour since the campaign started."""
    buckets: dict[Any, list[int]] = {}
    for index, moments in enumerate(await outbox.campaign_firsts(session, _id(campaign))):
        for moment in moments:
            hour = moment.replace(minute=0, second=0, microsecond=0)
            buckets.setdefault(hour, [0, 0])[index] += 1
    return [Point(at=hour, opens=v[0], clicks=v[1]) for hour, v in sorted(buckets.items())]


async def progress(session: AsyncSession, campaign: Campaign) -> float:
    if campaign.status in ("scheduled", "cancelled"):
        return 0.0 if campaign.status == "scheduled" else 1.0
    total, waiting = await outbox.campaign_progress(session, _id(campaign))
    return 1.0 if total == 0 else round((total - waiting) / total, 4)


def _id(campaign: Campaign) -> int:
    assert campaign.id is not None, "a campaign read from the database has an id"
    return campaign.id


# ---- for reports (the Home) ----------------------------------------------------------------------


async def awaiting_decision(session: AsyncSession) -> list[tuple[int, str, datetime | None]]:
    """A/B campaigns whose test is out and whose winner is not chosen yet: (id, name, started_at)."""
    query = select(col(Campaign.id), col(Campaign.name), col(Campaign.started_at)).where(
        col(Campaign.status) == "testing"
    )
    return [(cid, name, at) for cid, name, at in (await session.execute(query.order_by(col(Campaign.id))))]


async def recently_started(session: AsyncSession, limit: int) -> list[tuple[datetime, int, str]]:
    """The campaigns that started sending last: (started_at, id, name)."""
    query = (
        select(col(Campaign.started_at), col(Campaign.id), col(Campaign.name))
        .where(col(Campaign.started_at).is_not(None))
        .order_by(col(Campaign.started_at).desc())
        .limit(limit)
    )
    return [(at, cid, name) for at, cid, name in (await session.execute(query)).all()]


async def names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """The names of these campaigns by id (deleted ones are left out)."""
    return await names_of(session, Campaign, ids)


# ---- the marketing plan ---------------------------------------------------------------------------


async def on_plan(
    session: AsyncSession, since: datetime, until: datetime, email_ids: Sequence[int] = ()
) -> list[tuple[Campaign, datetime, datetime | None]]:
    """The campaigns (not cancelled) sending at some time in [since, until): each with when it
    started (or is scheduled to) and when it finished (None while it sends)."""
    starts = func.coalesce(col(Campaign.started_at), col(Campaign.send_at))
    query = select(Campaign).where(col(Campaign.status) != "cancelled", starts < until)
    if email_ids:
        query = query.where(col(Campaign.email_id).in_(list(email_ids)))
    found = []
    for campaign in (await session.execute(query.order_by(starts, col(Campaign.id)))).scalars():
        started = campaign.started_at or campaign.send_at
        ended = campaign.finished_at if campaign.status == "sent" else None
        if campaign.status == "scheduled":
            ended = started  # a point in time until it starts
        if ended is not None and ended < since:
            continue
        found.append((campaign, started, ended))
    return found


async def timelines(
    session: AsyncSession, campaign_ids: list[int]
) -> list[tuple[int, str, str, datetime, datetime | None, datetime]]:
    """(id, name, status, from, until, created) of the campaigns that exist among these ids, for the plan:
    from its send time until its last message (None: not finished)."""
    if not campaign_ids:
        return []
    rows = (await session.execute(select(Campaign).where(col(Campaign.id).in_(campaign_ids)))).scalars().all()
    return [(_id(c), c.name, c.status, c.started_at or c.send_at, c.finished_at, c.created_at) for c in rows]
