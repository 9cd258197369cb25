"""The Home's overview: the period's key figures against the previous period, what needs the
marketer's attention, and what happened last.

Figures about emails come from the daily rollups (per email, summed); the others from their
features' services. Over the whole base, the daily counts of the days before today come from a
snapshot the worker refreshes every few minutes (`refresh`; the report's `as_of` says when), the
days since are counted live; a segment's are all counted live. The segment filter narrows the
figures about contacts (see `Figure.segment_applies`); the rollups count per email, not per
contact, so email figures and journeys running are the whole audience's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec
from sqlalchemy import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.campaigns import service as campaigns
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import upsert
from parcours.emails import service as emails
from parcours.events import service as events
from parcours.forms import service as forms
from parcours.interactions import service as interactions
from parcours.jobs import service as jobs
from parcours.journeys import service as journeys
from parcours.pipeline import service as pipeline
from parcours.reports import rollups, scope
from parcours.reports.filters import ReportFilters
from parcours.reports.models import OverviewSnapshot
from parcours.reports.overview_schemas import AttentionItem, Figure, FigureKey, OverviewReport, RecentItem

RECENT = 10
SNAPSHOT_ID = 1
# Where the snapshot starts counting: before any contact.
FIRST = datetime(1, 1, 1, tzinfo=UTC)
# A bounce-rate spike: over the last week, above this share of sent, or twice the usual one.
BOUNCE_WEEK = 7
BOUNCE_USUAL_DAYS = 90
BOUNCE_LIMIT = 0.05
BOUNCE_MIN_SENT = 20  # fewer sends say nothing about a rate
EVENT_FULL = 0.9
ERRORS_SINCE = timedelta(days=7)
IMPORT_JOB = "contact_import"
EMAIL_METRICS = (
    "sent",
    "delivered",
    "unique_opens",
    "unique_opens_human",
    "unique_clicks",
    "unique_clicks_human",
)
# Rates: (figure, numerator metric) — all divided by delivered.
RATES: tuple[tuple[FigureKey, str], ...] = (
    ("unique_open_rate", "unique_opens"),
    ("unique_open_rate_human", "unique_opens_human"),
    ("unique_click_rate", "unique_clicks"),
    ("unique_click_rate_human", "unique_clicks_human"),
)


# ---- pure helpers ---------------------------------------------------------------------------------


def change(value: float | None, previous: float | None) -> float | None:
    """The relative change; none when there is nothing to compare with (no previous, or zero)."""
    if value is None or previous is None or previous == 0:
        return None
    return round((value - previous) / previous, 4)


def ratio(top: float, bottom: float) -> float | None:
    return round(top / bottom, 4) if bottom else None


def counted(key: FigureKey, days: list[date], now: Mapping[date, float], before: Mapping[date, float]) -> Figure:
    """A figure summed over days, against the same sum over the previous period."""
    value, previous = sum(now.values()), sum(before.values())
    return Figure(
        key=key,
        value=value,
        previous=previous,
        change=change(value, previous),
        series=[now.get(d, 0.0) for d in days],
    )


# ---- figures -------------------------------------------------------------------------------------


async def _email_figures(session: AsyncSession, filters: ReportFilters) -> list[Figure]:
    days, earlier = filters.days(), filters.previous()
    ids = [str(i) for i in filters.email_ids] or None
    # One read of the rollups by day over both periods (the previous one ends the day before).
    both = msgspec.structs.replace(filters, start=earlier.start)
    daily = await rollups.series(session, "email", both, ids=ids, metrics=EMAIL_METRICS)
    now, before = _summed(daily, days), _summed(daily, earlier.days())
    found = [
        Figure(
            key="emails_sent",
            value=now["sent"],
            previous=before["sent"],
            change=change(now["sent"], before["sent"]),
            series=[daily.get(d, {}).get("sent", 0.0) for d in days],
        )
    ]
    for key, metric in RATES:
        value, previous = ratio(now[metric], now["delivered"]), ratio(before[metric], before["delivered"])
        found.append(
            Figure(
                key=key,
                value=value,
                previous=previous,
                change=change(value, previous),
                divided_by="delivered",
                series=[ratio(daily.get(d, {}).get(metric, 0.0), daily.get(d, {}).get("delivered", 0.0)) for d in days],
            )
        )
    return found


def _summed(daily: Mapping[date, Mapping[str, float]], days: list[date]) -> dict[str, float]:
    total = dict.fromkeys(EMAIL_METRICS, 0.0)
    for day in days:
        for metric, value in daily.get(day, {}).items():
            if metric in total:
                total[metric] += value
    return total


Count = Callable[[datetime, datetime], Awaitable[dict[date, float]]]
# The snapshot's days: figure -> day -> count, for the days before `through` (midnight).
Kept = tuple[datetime, dict[str, dict[date, float]]]


def _daily_counts(session: AsyncSession, among: Select[Any] | None) -> dict[FigureKey, Count]:
    """The figures counted per UTC day in [since, until), from their features."""
    return {
        "new_contacts": lambda s, u: contacts.created_per_day(session, s, u, among),
        "journey_entries": lambda s, u: journeys.entered_per_day(session, s, u, among),
        "form_submissions": lambda s, u: forms.submissions_per_day(session, s, u, among),
        "new_leads": lambda s, u: interactions.stage_moves_per_day(session, "subscriber", s, u, among),
        "opportunities_created": lambda s, u: pipeline.created_per_day(session, s, u, among),
    }


async def refresh(session: AsyncSession) -> OverviewSnapshot:
    """Count the days before today over the whole base again and keep them as the snapshot."""
    now = utcnow()
    through = datetime.combine(now.date(), time(), UTC)
    daily: dict[str, Any] = {
        key: {day.isoformat(): value for day, value in sorted((await count(FIRST, through)).items())}
        for key, count in _daily_counts(session, None).items()
    }
    snapshot = OverviewSnapshot(id=SNAPSHOT_ID, computed_at=now, through=now.date(), daily=daily)
    row = snapshot.model_dump()
    await upsert(session, OverviewSnapshot, [row], index_elements=["id"], update=["computed_at", "through", "daily"])
    return snapshot


def _kept_days(snapshot: OverviewSnapshot) -> Kept:
    """The snapshot's days as dates (JSON keeps them as text)."""
    daily = {
        key: {date.fromisoformat(day): float(value) for day, value in days.items()}
        for key, days in snapshot.daily.items()
    }
    return datetime.combine(snapshot.through, time(), UTC), daily


async def _per_day(
    key: FigureKey, count: Count, since: datetime, until: datetime, kept: Kept | None
) -> dict[date, float]:
    """The counts per day in [since, until): the snapshot's days, then the days since counted live."""
    if kept is None:
        return await count(since, until)
    through, daily = kept
    found = {day: value for day, value in daily.get(key, {}).items() if since.date() <= day < until.date()}
    if max(since, through) < until:
        found.update(await count(max(since, through), until))
    return found


async def _total(session: AsyncSession, until: datetime, kept: Kept | None, among: Select[Any] | None) -> int:
    """The contacts created before `until`."""
    if kept is None:
        return await contacts.count_created_before(session, until, among)
    through, daily = kept
    created = daily.get("new_contacts", {})
    total = sum(created.values()) - sum(value for day, value in created.items() if day >= until.date())
    if until > through:
        total += sum((await contacts.created_per_day(session, through, until)).values())
    return int(total)


async def _figures(
    session: AsyncSession, filters: ReportFilters, among: Select[Any] | None, kept: Kept | None
) -> list[Figure]:
    days, before = filters.days(), filters.previous()
    narrowed = among is not None
    counts = _daily_counts(session, among)

    async def both(key: FigureKey) -> Figure:
        figure = counted(
            key,
            days,
            await _per_day(key, counts[key], filters.since, filters.until, kept),
            await _per_day(key, counts[key], before.since, before.until, kept),
        )
        figure.segment_applies = narrowed
        return figure

    total = await _total(session, filters.until, kept, among)
    new_contacts = await both("new_contacts")
    # The previous period ends where this one starts: the total then is without its new contacts.
    total_before = int(total - (new_contacts.value or 0))
    # The total at the end of each day: the total at the end, minus what was created after.
    running_total, series = float(total), []
    for created in reversed(new_contacts.series):
        series.append(running_total)
        running_total -= created or 0.0
    running, inside = await journeys.running(session, among)
    return [
        Figure(
            key="contacts",
            value=total,
            previous=total_before,
            change=change(total, total_before),
            segment_applies=narrowed,
            series=list(reversed(series)),
        ),
        new_contacts,
        *await _email_figures(session, filters),
        Figure(key="journeys_running", value=running, previous=None, change=None),
        Figure(key="contacts_in_journeys", value=inside, previous=None, change=None, segment_applies=narrowed),
        await both("journey_entries"),
        await both("form_submissions"),
        await both("new_leads"),
        await both("opportunities_created"),
        await _revenue(session, filters, among),
    ]


async def _revenue(session: AsyncSession, filters: ReportFilters, among: Select[Any] | None) -> Figure:
    before = filters.previous()
    figure = counted(
        "revenue_won",
        filters.days(),
        await pipeline.won_revenue_per_day(session, filters.start, filters.end, among),
        await pipeline.won_revenue_per_day(session, before.start, before.end, among),
    )
    figure.segment_applies = among is not None
    return figure


# ---- attention -----------------------------------------------------------------------------------


async def _attention(session: AsyncSession, now: datetime) -> list[AttentionItem]:
    items = [
        AttentionItem(
            kind="journey_errors",
            title=name,
            detail=f"{failed} failed steps in the last 7 days",
            numbers={"failed": failed, "days": 7},
            link=f"/journeys/{journey_id}",
        )
        for journey_id, name, failed in await journeys.with_errors(session, now - ERRORS_SINCE)
    ]
    items += [
        AttentionItem(
            kind="ab_decision",
            title=name,
            detail="The A/B test is out: its winner is not chosen yet",
            numbers={},
            link=f"/emails/campaigns/{campaign_id}",
        )
        for campaign_id, name, _started in await campaigns.awaiting_decision(session)
    ]
    items += await _bounce_spikes(session, now.date())
    for event, confirmed in await events.near_capacity(session, EVENT_FULL, now):
        capacity = event.capacity or 0
        items.append(
            AttentionItem(
                kind="event_capacity",
                title=event.name,
                detail=f"{confirmed} of {capacity} seats taken",
                numbers={"confirmed": confirmed, "capacity": capacity, "share": round(confirmed / capacity, 4)},
                link=f"/events/{event.id}",
            )
        )
    return items


def is_spike(week: Mapping[str, float], usual: Mapping[str, float]) -> tuple[float, float | None] | None:
    """(bounce rate of the week, usual rate) when the week's is above the limit or twice the usual."""
    sent = week.get("sent", 0.0)
    if sent < BOUNCE_MIN_SENT:
        return None
    rate = (week.get("bounced_hard", 0.0) + week.get("bounced_soft", 0.0)) / sent
    usual_sent = usual.get("sent", 0.0)
    usual_rate = (
        (usual.get("bounced_hard", 0.0) + usual.get("bounced_soft", 0.0)) / usual_sent
        if usual_sent >= BOUNCE_MIN_SENT
        else None
    )
    if rate > BOUNCE_LIMIT or (usual_rate is not None and usual_rate > 0 and rate > 2 * usual_rate):
        return round(rate, 4), None if usual_rate is None else round(usual_rate, 4)
    return None


async def _bounce_spikes(session: AsyncSession, today: date) -> list[AttentionItem]:
    metrics = ("sent", "bounced_hard", "bounced_soft")
    week = ReportFilters(start=today - timedelta(days=BOUNCE_WEEK - 1), end=today)
    usual = ReportFilters(start=week.start - timedelta(days=BOUNCE_USUAL_DAYS), end=week.start - timedelta(days=1))
    recent = await rollups.totals(session, "email", week, metrics=metrics)
    spikes = {}
    if recent:
        before = await rollups.totals(session, "email", usual, ids=list(recent), metrics=metrics)
        for email_id, figures in recent.items():
            found = is_spike(figures, before.get(email_id, {}))
            if found:
                spikes[int(email_id)] = found
    names = {e.id: e.name for e in await emails.list_emails(session)} if spikes else {}
    return [
        AttentionItem(
            kind="bounce_spike",
            title=names.get(email_id, f"#{email_id}"),
            detail=f"{rate:.1%} of sends bounced in the last 7 days"
            + ("" if usual is None else f" (usually {usual:.1%})"),
            numbers={"rate": rate, "days": BOUNCE_WEEK} | ({} if usual is None else {"usual": usual}),
            link=f"/emails/{email_id}",
        )
        for email_id, (rate, usual) in sorted(spikes.items())
    ]


# ---- recent activity -----------------------------------------------------------------------------


async def _recent(session: AsyncSession) -> list[RecentItem]:
    items = [
        RecentItem(kind="campaign_started", title=name, at=at, link=f"/emails/campaigns/{cid}")
        for at, cid, name in await campaigns.recently_started(session, RECENT)
    ]
    items += [
        RecentItem(kind="journey_published", title=name, at=at, link=f"/journeys/{jid}")
        for at, jid, name in await journeys.recently_published(session, RECENT)
    ]
    items += [
        RecentItem(kind="form_published", title=name, at=at, link=f"/forms/{fid}")
        for at, fid, name in await forms.recently_published(session, RECENT)
    ]
    items += [
        RecentItem(kind="event_created", title=name, at=at, link=f"/events/{eid}")
        for at, eid, name in await events.recently_created(session, RECENT)
    ]
    items += [
        RecentItem(
            kind="import_finished",
            title=str(job.params.get("filename") or job.message or job.id)[:200],
            at=job.finished_at,
            link="/contacts",
        )
        for job in await jobs.recently_finished(session, IMPORT_JOB, RECENT)
        if job.finished_at is not None
    ]
    return sorted(items, key=lambda i: i.at, reverse=True)[:RECENT]


async def report(session: AsyncSession, filters: ReportFilters) -> OverviewReport:
    now = utcnow()
    among = await scope.audience(session, filters)
    before = filters.previous()
    fresh = await rollups.freshness(session)
    as_of = min(fresh, now) if fresh else now
    snapshot = await session.get(OverviewSnapshot, SNAPSHOT_ID) if among is None else None
    kept = _kept_days(snapshot) if snapshot is not None else None
    if snapshot is not None:
        as_of = min(as_of, snapshot.computed_at)
    return OverviewReport(
        start=filters.start,
        end=filters.end,
        previous_start=before.start,
        previous_end=before.end,
        segment_id=filters.segment_id,
        as_of=as_of,
        days=filters.days(),
        figures=await _figures(session, filters, among, kept),
        attention=await _attention(session, now),
        recent=await _recent(session),
    )
