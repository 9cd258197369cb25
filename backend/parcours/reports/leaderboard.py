"""The leaderboard: journeys, or emails (all of them, or those of chosen journeys), ranked by one
metric of the period, read from the daily rollups, with every other metric and the rates."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import service as outbox
from parcours.emails import service as emails
from parcours.journeys import service as journeys
from parcours.reports import rollups
from parcours.reports.filters import ReportFilters
from parcours.reports.journey_schemas import Leaderboard, LeaderboardMetric, LeaderItem, LeaderRate

EMAIL_METRICS = (
    "sent",
    "bounced_hard",
    "bounced_soft",
    "unique_opens",
    "unique_opens_human",
    "unique_clicks",
    "unique_clicks_human",
    "revenue",
)
JOURNEY_METRICS = (*EMAIL_METRICS, "entered", "conversions", "submissions", "leads")
CSV_HEADER = [
    "rank",
    "kind",
    "id",
    "name",
    "entered",
    "sent",
    "delivered",
    "unique_opens",
    "unique_opens_human",
    "unique_clicks",
    "unique_clicks_human",
    "conversions",
    "submissions",
    "leads",
    "revenue",
    "unique_opens / delivered",
    "unique_clicks / delivered",
    "conversions / entered",
]


def _rate(numerator: float, divisor: float, numerator_name: str, divisor_name: str) -> LeaderRate:
    return LeaderRate(value=numerator / divisor if divisor else None, numerator=numerator_name, divisor=divisor_name)


def item(kind: Literal["journey", "email"], item_id: int, name: str, metrics: dict[str, float]) -> LeaderItem:
    """One row from its rollup metrics (pure); rank is set once sorted."""
    count = {m: round(metrics.get(m, 0.0)) for m in JOURNEY_METRICS if m != "revenue"}
    delivered = max(0, count["sent"] - count["bounced_hard"] - count["bounced_soft"])
    journey = kind == "journey"
    return LeaderItem(
        rank=0,
        kind=kind,
        id=item_id,
        name=name,
        entered=count["entered"] if journey else None,
        sent=count["sent"],
        delivered=delivered,
        unique_opens=count["unique_opens"],
        unique_opens_human=count["unique_opens_human"],
        unique_clicks=count["unique_clicks"],
        unique_clicks_human=count["unique_clicks_human"],
        conversions=count["conversions"] if journey else None,
        submissions=count["submissions"] if journey else None,
        leads=count["leads"] if journey else None,
        revenue=round(metrics.get("revenue", 0.0), 2),
        open_rate=_rate(count["unique_opens"], delivered, "unique_opens", "delivered"),
        click_rate=_rate(count["unique_clicks"], delivered, "unique_clicks", "delivered"),
        conversion_rate=_rate(count["conversions"], count["entered"], "conversions", "entered") if journey else None,
    )


def ranked(items: list[LeaderItem], metric: LeaderboardMetric) -> list[LeaderItem]:
    """Best first by the metric (not counted last), then by name; equal values share a rank."""

    def value(i: LeaderItem) -> float:
        found = getattr(i, metric)
        return -1.0 if found is None else float(found)

    ordered = sorted(items, key=lambda i: (-value(i), i.name.lower(), i.id))
    previous: float | None = None
    for position, one in enumerate(ordered, start=1):
        one.rank = ordered[position - 2].rank if previous is not None and value(one) == previous else position
        previous = value(one)
    return ordered


async def _journeys(session: AsyncSession, filters: ReportFilters) -> list[LeaderItem]:
    ids = [str(i) for i in filters.journey_ids] or None
    found = await rollups.totals(session, "journey", filters, ids, JOURNEY_METRICS)
    wanted = [int(i) for i in found] + list(filters.journey_ids)
    names = await journeys.names(session, list(dict.fromkeys(wanted)))
    # A journey deleted since has no name any more: it leaves the board.
    return [item("journey", j, name, found.get(str(j), {})) for j, name in names.items()]


async def _emails_of_journeys(session: AsyncSession, filters: ReportFilters) -> list[LeaderItem]:
    """The emails of the chosen journeys: their steps' rollups, added up per email."""
    steps = await outbox.journey_node_emails(session, filters.journey_ids)
    found = await rollups.totals(session, "node", filters, [f"{j}:{n}" for j, n in steps], EMAIL_METRICS)
    per_email: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (journey_id, node_id), email_id in steps.items():
        if filters.email_ids and email_id not in filters.email_ids:
            continue
        # An email the step sent before the period still shows, with zeros.
        mine = per_email[email_id]
        for metric, value in found.get(f"{journey_id}:{node_id}", {}).items():
            mine[metric] += value
    names = await emails.names(session, set(per_email))
    return [item("email", e, names.get(e, ""), dict(m)) for e, m in per_email.items()]


async def _emails(session: AsyncSession, filters: ReportFilters) -> list[LeaderItem]:
    ids = [str(i) for i in filters.email_ids] or None
    found = await rollups.totals(session, "email", filters, ids, EMAIL_METRICS)
    names = await emails.names(session, {int(e) for e in found} | set(filters.email_ids))
    return [item("email", e, name, found.get(str(e), {})) for e, name in names.items()]


async def report(
    session: AsyncSession, filters: ReportFilters, kind: Literal["journeys", "emails"], metric: LeaderboardMetric
) -> Leaderboard:
    if kind == "journeys":
        items = await _journeys(session, filters)
    elif filters.journey_ids:
        items = await _emails_of_journeys(session, filters)
    else:
        items = await _emails(session, filters)
    return Leaderboard(
        as_of=await rollups.freshness(session),
        kind=kind,
        metric=metric,
        journey_ids=list(filters.journey_ids) if kind == "emails" else [],
        items=ranked(items, metric),
    )


def csv_rows(board: Leaderboard) -> list[list[Any]]:
    return [
        [
            i.rank,
            i.kind,
            i.id,
            i.name,
            i.entered,
            i.sent,
            i.delivered,
            i.unique_opens,
            i.unique_opens_human,
            i.unique_clicks,
            i.unique_clicks_human,
            i.conversions,
            i.submissions,
            i.leads,
            i.revenue,
            i.open_rate.value,
            i.click_rate.value,
            i.conversion_rate.value if i.conversion_rate else None,
        ]
        for i in board.items
    ]
