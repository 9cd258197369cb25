"""GET /api/reports/roi: opportunities created in the period, grouped by their lead's origin —
sales (no marketing origin), inbound (a form or page), outbound (a journey or a campaign) — with
count, budget, estimated and actual revenue, the marketing cost where known, and per journey and
campaign rows for outbound.

Marketing cost: events' costs (of the events starting in the period) are outbound's, being tied
to no form; spend entered per month and channel (the months the period touches) says no origin,
so it counts in the overall marketing cost and its return, not in a group's (inbound: null, not
known; sales: null, no marketing by definition)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.campaigns import service as campaigns
from parcours.events import service as events
from parcours.journeys import service as journeys
from parcours.pipeline import service as pipeline
from parcours.reports.answers import json_or_csv
from parcours.reports.filters import JsonOrCsv, ReportFilters, report_filters
from parcours.reports.scope import audience
from parcours.spend import service as spend

Kind = Literal["sales", "inbound", "outbound"]
KINDS: tuple[Kind, ...] = ("sales", "inbound", "outbound")


class RoiGroup(msgspec.Struct, kw_only=True):
    origin: Kind
    count: int = 0
    budget: float = 0.0
    estimated_revenue: float = 0.0
    actual_revenue: float = 0.0
    # null: not known (see the module's note).
    marketing_cost: float | None = None
    # (actual revenue - marketing cost) / marketing cost, when the cost is known and not zero.
    roi: float | None = None


class RoiSourceRow(msgspec.Struct, kw_only=True):
    """Outbound opportunities of one journey and/or campaign (both null: an import or unknown)."""

    journey_id: int | None
    journey_name: str | None
    campaign_id: int | None
    campaign_name: str | None
    count: int
    budget: float
    estimated_revenue: float
    actual_revenue: float


class RoiEventCost(msgspec.Struct, kw_only=True):
    event_id: int
    name: str
    starts_at: datetime
    cost: float


class RoiReport(msgspec.Struct, kw_only=True):
    from_: date = msgspec.field(name="from")
    to: date
    groups: list[RoiGroup]
    outbound: list[RoiSourceRow]
    events: list[RoiEventCost]
    # Spend entered per month and channel, for the months the period touches.
    spend: float
    # Event costs and spend together.
    marketing_cost: float
    # (inbound and outbound actual revenue - marketing cost) / marketing cost, when it is not zero.
    marketing_roi: float | None


def _kind(value: str | None) -> Kind:
    """An opportunity with no origin has no marketing origin: it is sales'."""
    return value if value in ("inbound", "outbound") else "sales"  # type: ignore[return-value]


async def roi(session: AsyncSession, filters: ReportFilters) -> RoiReport:
    totals = await pipeline.origin_totals(session, filters.since, filters.until, await audience(session, filters))
    groups = {k: RoiGroup(origin=k) for k in KINDS}
    rows: dict[tuple[int | None, int | None], list[Any]] = {}
    for t in totals:
        group = groups[_kind(t.kind)]
        group.count += t.opportunities
        group.budget += t.budget
        group.estimated_revenue += t.estimated_revenue
        group.actual_revenue += t.actual_revenue
        if group.origin == "outbound" and (not filters.journey_ids or t.journey_id in filters.journey_ids):
            row = rows.setdefault((t.journey_id, t.campaign_id), [0, 0.0, 0.0, 0.0])
            for i, value in enumerate((t.opportunities, t.budget, t.estimated_revenue, t.actual_revenue)):
                row[i] += value
    costs = await events.costs_between(session, filters.since, filters.until)
    of_events = round(sum(c[3] for c in costs), 2)
    groups["outbound"].marketing_cost = of_events
    for group in groups.values():
        if group.marketing_cost:
            group.roi = _return(group.actual_revenue, group.marketing_cost)
    entered = await spend.total(session, filters.start, filters.end)
    cost = round(of_events + entered, 2)
    marketing_revenue = groups["inbound"].actual_revenue + groups["outbound"].actual_revenue
    journey_names = await journeys.names(session, [j for j, _ in rows if j is not None])
    campaign_names = await campaigns.names(session, [c for _, c in rows if c is not None])
    outbound = [
        RoiSourceRow(
            journey_id=j,
            journey_name=journey_names.get(j) if j else None,
            campaign_id=c,
            campaign_name=campaign_names.get(c) if c else None,
            count=v[0],
            budget=v[1],
            estimated_revenue=v[2],
            actual_revenue=v[3],
        )
        for (j, c), v in sorted(rows.items(), key=lambda item: (-item[1][3], -item[1][0]))
    ]
    return RoiReport(
        from_=filters.start,
        to=filters.end,
        groups=list(groups.values()),
        outbound=outbound,
        events=[RoiEventCost(event_id=i, name=n, starts_at=at, cost=c) for i, n, at, c in costs],
        spend=entered,
        marketing_cost=cost,
        marketing_roi=_return(marketing_revenue, cost) if cost else None,
    )


def _return(revenue: float, cost: float) -> float:
    return round((revenue - cost) / cost, 4)


CSV_HEADER = (
    "origin",
    "journey_id",
    "journey",
    "campaign_id",
    "campaign",
    "count",
    "budget",
    "estimated_revenue",
    "actual_revenue",
    "marketing_cost",
)


def csv_rows(report: RoiReport) -> list[tuple[Any, ...]]:
    """One row per group, then one per outbound journey or campaign."""
    rows: list[tuple[Any, ...]] = [
        (g.origin, None, None, None, None, g.count, g.budget, g.estimated_revenue, g.actual_revenue, g.marketing_cost)
        for g in report.groups
    ]
    rows += [
        ("outbound", r.journey_id, r.journey_name, r.campaign_id, r.campaign_name, r.count, r.budget)
        + (r.estimated_revenue, r.actual_revenue, None)
        for r in report.outbound
    ]
    return rows


class RoiController(Controller):
    path = "/reports/roi"
    tags = ["reports"]
    dependencies = {"filters": Provide(report_filters, sync_to_thread=False)}

    @get(
        "/",
        summary="ROI: opportunities created in the period grouped by their lead's origin (sales, inbound, outbound)",
        operation_class=JsonOrCsv,
    )
    async def roi_report(self, db: AsyncSession, filters: ReportFilters) -> Response[RoiReport]:
        return json_or_csv(await roi(db, filters), filters, "roi", CSV_HEADER, csv_rows)
