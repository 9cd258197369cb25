"""/api/reports/overview: the Home's figures."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.reports import overview
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.overview_schemas import OverviewReport


class OverviewReportController(Controller):
    path = "/reports/overview"
    tags = ["reports"]

    @get(
        "/",
        operation_class=JsonOrCsv,
        dependencies={"filters": Provide(report_filters, sync_to_thread=False)},
        summary="The period's key figures against the previous period, what needs attention, what happened last",
    )
    async def overview(self, db: AsyncSession, filters: ReportFilters) -> OverviewReport:
        report = await overview.report(db, filters)
        if filters.as_csv:
            return csv_answer(  # type: ignore[return-value]
                "overview",
                ["figure", "value", "previous", "change", "divided_by", "segment_applies"],
                [[f.key, f.value, f.previous, f.change, f.divided_by or "", f.segment_applies] for f in report.figures],
                filters,
            )
        return report
