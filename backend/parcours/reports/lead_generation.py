"""GET /api/reports/lead-generation: leads that became leads in the period (a contact's lead origin
was first set), by inbound activity (per form, per page), outbound activity (per journey, per
campaign), sales, and per source and per current lifecycle stage, with a series by day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.campaigns import service as campaigns
from parcours.contacts import service as contacts
from parcours.forms import service as forms
from parcours.journeys import service as journeys
from parcours.landing import service as landing
from parcours.reports.answers import json_or_csv
from parcours.reports.filters import JsonOrCsv, ReportFilters, report_filters
from parcours.reports.scope import audience

KINDS = ("inbound", "outbound", "sales")


class LeadCount(msgspec.Struct, kw_only=True):
    """Leads owed to one form, page, journey or campaign (id null: none named, e.g. an import)."""

    id: int | None
    name: str | None
    count: int


class ByOrigin(msgspec.Struct, kw_only=True):
    inbound: int = 0
    outbound: int = 0
    sales: int = 0
    total: int = 0


class SourceCount(msgspec.Struct, kw_only=True):
    source: str | None
    count: int


class StageLeads(ByOrigin, kw_only=True):
    stage: str


class DayLeads(ByOrigin, kw_only=True):
    day: date


class LeadGenerationReport(msgspec.Struct, kw_only=True):
    from_: date = msgspec.field(name="from")
    to: date
    totals: ByOrigin
    forms: list[LeadCount]
    pages: list[LeadCount]
    journeys: list[LeadCount]
    campaigns: list[LeadCount]
    sources: list[SourceCount]
    stages: list[StageLeads]
    by_day: list[DayLeads]


def _add(target: ByOrigin, kind: str, n: int) -> None:
    if kind in KINDS:
        setattr(target, kind, getattr(target, kind) + n)
        target.total += n


def _named(counts: dict[int | None, int], names: dict[int, str]) -> list[LeadCount]:
    return [
        LeadCount(id=i, name=names.get(i) if i is not None else None, count=n)
        for i, n in sorted(counts.items(), key=lambda item: (-item[1], item[0] or 0))
    ]


async def lead_generation(session: AsyncSession, filters: ReportFilters) -> LeadGenerationReport:
    within = await audience(session, filters)
    since, until = filters.since, filters.until
    origins, by_stage, by_day, sources = await contacts.lead_counts_by(
        session,
        [["kind", "form_id", "page_id", "journey_id", "campaign_id"], ["stage", "kind"], ["day", "kind"], ["source"]],
        since,
        until,
        within,
    )
    totals = ByOrigin()
    per: dict[str, dict[int | None, int]] = {k: defaultdict(int) for k in ("forms", "pages", "journeys", "campaigns")}
    for kind, form_id, page_id, journey_id, campaign_id, n in origins:
        _add(totals, kind, n)
        if kind == "inbound":
            per["forms"][form_id] += n
            if page_id is not None:
                per["pages"][page_id] += n
        elif kind == "outbound":
            wanted = not filters.journey_ids or journey_id in filters.journey_ids
            if (journey_id is not None or campaign_id is None) and wanted:
                per["journeys"][journey_id] += n
            if campaign_id is not None:
                per["campaigns"][campaign_id] += n
    stages: dict[str, StageLeads] = {}
    for stage, kind, n in by_stage:
        _add(stages.setdefault(stage, StageLeads(stage=stage)), kind, n)
    days = {d: DayLeads(day=d) for d in filters.days()}
    for day, kind, n in by_day:
        if day in days:
            _add(days[day], kind, n)
    return LeadGenerationReport(
        from_=filters.start,
        to=filters.end,
        totals=totals,
        forms=_named(per["forms"], await forms.names(session, [i for i in per["forms"] if i])),
        pages=_named(per["pages"], await landing.names(session, [i for i in per["pages"] if i])),
        journeys=_named(per["journeys"], await journeys.names(session, [i for i in per["journeys"] if i])),
        campaigns=_named(per["campaigns"], await campaigns.names(session, [i for i in per["campaigns"] if i])),
        sources=[SourceCount(source=s, count=n) for s, n in sorted(sources, key=lambda r: (-r[1], r[0] or ""))],
        stages=sorted(stages.values(), key=lambda s: -s.total),
        by_day=list(days.values()),
    )


CSV_HEADER = ("day", "inbound", "outbound", "sales", "total")


def csv_rows(report: LeadGenerationReport) -> list[tuple[Any, ...]]:
    """The series by day (the table a spreadsheet charts)."""
    return [(d.day.isoformat(), d.inbound, d.outbound, d.sales, d.total) for d in report.by_day]


class LeadGenerationController(Controller):
    path = "/reports/lead-generation"
    tags = ["reports"]
    dependencies = {"filters": Provide(report_filters, sync_to_thread=False)}

    @get(
        "/",
        summary="Leads of the period by inbound (forms, pages), outbound (journeys, campaigns) and sales activity",
        operation_class=JsonOrCsv,
    )
    async def lead_generation_report(self, db: AsyncSession, filters: ReportFilters) -> Response[LeadGenerationReport]:
        return json_or_csv(await lead_generation(db, filters), filters, "lead-generation", CSV_HEADER, csv_rows)
