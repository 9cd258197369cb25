"""GET /api/reports/pipeline: the leads of the period (those that became leads in it) by their
lifecycle stage today, split by origin: inbound, outbound, sales (the pipeline board's counts)."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.pipeline import service as pipeline
from parcours.pipeline.schemas import StageCount
from parcours.reports.answers import json_or_csv
from parcours.reports.filters import JsonOrCsv, ReportFilters, report_filters
from parcours.reports.scope import audience


class PipelineReport(msgspec.Struct, kw_only=True):
    from_: date = msgspec.field(name="from")
    to: date
    stages: list[StageCount]
    total: int


async def pipeline_report(session: AsyncSession, filters: ReportFilters) -> PipelineReport:
    found = await pipeline.pipeline(session, None, filters.since, filters.until, await audience(session, filters))
    return PipelineReport(from_=filters.start, to=filters.end, stages=found.stages, total=found.total)


CSV_HEADER = ("stage", "inbound", "outbound", "sales", "total")


def csv_rows(report: PipelineReport) -> list[tuple[Any, ...]]:
    return [(s.stage, s.inbound, s.outbound, s.sales, s.count) for s in report.stages]


class PipelineReportController(Controller):
    path = "/reports/pipeline"
    tags = ["reports"]
    dependencies = {"filters": Provide(report_filters, sync_to_thread=False)}

    @get(
        "/",
        summary="Leads of the period by lifecycle stage, split inbound, outbound and sales",
        operation_class=JsonOrCsv,
    )
    async def pipeline_report(self, db: AsyncSession, filters: ReportFilters) -> Response[PipelineReport]:
        return json_or_csv(await pipeline_report(db, filters), filters, "pipeline", CSV_HEADER, csv_rows)
