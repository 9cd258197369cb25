"""The marketing plan: journeys (first publication to end, or today while running) with their
emails as sent, campaigns and events, whatever overlaps the period."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.campaigns import service as campaigns
from parcours.channels import service as outbox
from parcours.clock import utcnow
from parcours.emails import service as emails
from parcours.events import service as events
from parcours.journeys import service as journeys
from parcours.reports.filters import ReportFilters
from parcours.reports.journey_schemas import PlanMessage, PlanReport, PlanRow

CSV_HEADER = [
    "kind",
    "id",
    "name",
    "status",
    "starts_at",
    "ends_at",
    "email_id",
    "email",
    "first_sent_at",
    "last_sent_at",
    "sent",
]


async def _messages(session: AsyncSession, by: str, ids: list[int], filters: ReportFilters) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    # From the outbox's daily counts (the period is whole UTC days): not its millions of rows.
    for owner, email_id, first, last, sent in await outbox.sends_by_email(session, by, ids, filters.start, filters.end):
        if not filters.email_ids or email_id in filters.email_ids:
            found.setdefault(owner, []).append((email_id, first, last, sent))
    return found


async def report(session: AsyncSession, filters: ReportFilters) -> PlanReport:
    """journey_ids keep those journeys only; email_ids keep what sent those emails (journeys,
    campaigns), events then have no place."""
    spans = await journeys.spans(session, filters.since, filters.until, filters.journey_ids)
    on_plan = (
        [] if filters.journey_ids else await campaigns.on_plan(session, filters.since, filters.until, filters.email_ids)
    )
    shown_events = (
        [] if filters.journey_ids or filters.email_ids else await events.on_plan(session, filters.since, filters.until)
    )
    by_journey = await _messages(session, "journey", [s.id for s in spans], filters)
    by_campaign = await _messages(session, "campaign", [c.id or 0 for c, _s, _e in on_plan], filters)
    names = await emails.names(
        session,
        {m[0] for sent in (*by_journey.values(), *by_campaign.values()) for m in sent},
    )

    def messages(sent: list[Any]) -> list[PlanMessage]:
        return sorted(
            (
                PlanMessage(email_id=e, name=names.get(e, ""), first_sent_at=first, last_sent_at=last, sent=n)
                for e, first, last, n in sent
            ),
            key=lambda m: (m.first_sent_at, m.email_id),
        )

    rows = [
        PlanRow(
            kind="journey",
            id=s.id,
            name=s.name,
            status=s.status,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            running=s.ends_at is None,
            messages=messages(by_journey.get(s.id, [])),
        )
        for s in spans
        if not filters.email_ids or s.id in by_journey
    ]
    for campaign, started, ended in on_plan:
        rows.append(
            PlanRow(
                kind="campaign",
                id=campaign.id or 0,
                name=campaign.name,
                status=campaign.status,
                starts_at=started,
                ends_at=ended,
                running=ended is None,
                messages=messages(by_campaign.get(campaign.id or 0, [])),
            )
        )
    rows += [
        PlanRow(
            kind="event",
            id=e.id or 0,
            name=e.name,
            status=e.status,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            running=False,
            messages=[],
        )
        for e in shown_events
    ]
    rows.sort(key=lambda r: (r.starts_at, r.kind, r.id))
    return PlanReport(as_of=utcnow(), start=filters.start, end=filters.end, rows=rows)


def csv_rows(plan: PlanReport) -> list[list[Any]]:
    """One line per email of each row (a row without emails keeps one line)."""
    lines = []
    for row in plan.rows:
        head = [
            row.kind,
            row.id,
            row.name,
            row.status,
            row.starts_at.isoformat(),
            row.ends_at and row.ends_at.isoformat(),
        ]
        if not row.messages:
            lines.append([*head, None, None, None, None, None])
        for m in row.messages:
            lines.append([*head, m.email_id, m.name, m.first_sent_at.isoformat(), m.last_sent_at.isoformat(), m.sent])
    return lines
