"""GET /api/reports/emails (every email of the period) and /api/reports/emails/{email_id}."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam
from parcours.reports import emails
from parcours.reports.email_schemas import EmailFigures, EmailReport, EmailsReport
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters

_FIGURES = [name for name in EmailFigures.__struct_fields__ if name != "rates"]
_RATES = [name for name, _n, _d in emails.RATES]


def _cells(figures: EmailFigures) -> list[Any]:
    return [getattr(figures, n) for n in _FIGURES] + [figures.rates[r].value for r in _RATES]


_HEADER = [*_FIGURES, *(f"{name} ({n} / {d})" for name, n, d in emails.RATES)]


class EmailReportsController(Controller):
    path = "/reports/emails"
    tags = ["reports"]
    dependencies = {"filters": Provide(report_filters, sync_to_thread=False)}

    @get(
        "/",
        operation_class=JsonOrCsv,
        summary="Every email of the period: sends, bounces, opens and clicks (all and human), revenue, rates",
    )
    async def list_emails(self, db: AsyncSession, filters: ReportFilters) -> EmailsReport:
        report = await emails.report(db, filters)
        if filters.as_csv:
            rows = [[i.email_id, i.name, "", *_cells(i.figures)] for i in report.items]
            rows += [[i.email_id, i.name, v.variant, *_cells(v.figures)] for i in report.items for v in i.variants]
            return csv_answer("emails", ["email_id", "name", "variant", *_HEADER], rows, filters)  # type: ignore[return-value]
        return report

    @get(
        "/{email_id:int}",
        operation_class=JsonOrCsv,
        summary="One email: its figures, links, days, hours of sending, domains and revenue",
    )
    async def one_email(
        self,
        email_id: IdParam,
        db: AsyncSession,
        filters: ReportFilters,
        attribution: Literal["last", "first"] = Parameter(
            default="last", description="Revenue credited to the last click (default) or the first within the window"
        ),
        table: Literal["by_day", "links", "by_hour", "by_domain"] = Parameter(
            default="by_day", description="With format=csv: which table"
        ),
    ) -> EmailReport:
        report = await emails.email_report(db, email_id, filters, attribution)
        if not filters.as_csv:
            return report
        name = f"email-{email_id}-{table.replace('_', '-')}"
        if table == "links":
            header = ["url", "clicks", "unique_clicks", "unique_clicks_human"]
            rows: list[list[Any]] = [[r.url, r.clicks, r.unique_clicks, r.unique_clicks_human] for r in report.links]
        elif table == "by_hour":
            header = [
                "hour",
                "sent",
                "unique_opens",
                "unique_clicks",
                "open_rate (unique_opens / sent)",
                "click_rate (unique_clicks / sent)",
            ]
            rows = [
                [r.hour, r.sent, r.unique_opens, r.unique_clicks, r.open_rate.value, r.click_rate.value]
                for r in report.by_hour
            ]
        elif table == "by_domain":
            header = ["domain", "sent", "delivered", "opened", "clicked", "bounced", "open_rate (opened / delivered)"]
            rows = [
                [r.domain, r.sent, r.delivered, r.opened, r.clicked, r.bounced, r.open_rate.value]
                for r in report.by_domain
            ]
        else:
            header = ["day", *_HEADER]
            rows = [[r.day.isoformat(), *_cells(r.figures)] for r in report.by_day]
        return csv_answer(name, header, rows, filters)  # type: ignore[return-value]
