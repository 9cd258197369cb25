"""/api/reports/rfm and /api/reports/cohorts: what customers are worth.

A customer is a contact with at least one purchase interaction; revenue is the amounts of purchase
interactions (`value`); months are UTC calendar months. RFM groups are those of the last recompute
(rfm), compared with the groups kept for the previous month; the whole base's figures are those
the recompute counted and stored, a segment's are counted on request. Cohorts: contacts by month of first
purchase or of creation; CAC = (marketing spend + event costs of the month) / new customers of the
month (contacts whose first purchase falls in it)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any, Literal

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy import func, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import dialect_name
from parcours.events import service as events
from parcours.interactions import service as interactions
from parcours.reports import purchases, scope
from parcours.reports.customers_schemas import ChurnBucket, CohortRow, CohortsReport, GridCell, RfmGroup, RfmReport
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.sql import in_segment, month_index, share
from parcours.rfm import core as rfm_core
from parcours.rfm import service as rfm
from parcours.spend import service as spend

PURCHASE = "purchase"
DEFINITIONS = {
    "customer": "A contact with at least one purchase.",
    "revenue": "The amounts of purchase interactions.",
    "month": "Calendar months in UTC.",
    "rfm": "Groups as of the last RFM recompute; moves compare them with the groups kept for the previous month.",
    "rfm_revenue": "What each group's customers bought over the RFM period (the last period_days days), as of "
    "the last recompute.",
    "churn": "Customers by days since their last purchase, with everything they bought, as of the last recompute.",
    "cac": "(Marketing spend + event costs of the month) / contacts whose first purchase is in that month.",
    "ltv": "Revenue of the cohort's customers from their acquisition month to month N, cumulated, / customers.",
    "ltv_cac": "The latest LTV / CAC.",
}


def _purchases() -> Any:
    return interactions.table()


# ---- RFM ----------------------------------------------------------------------------------------


async def rfm_report(session: AsyncSession, filters: ReportFilters) -> RfmReport:
    """The whole base: the figures the last recompute stored. A segment: counted now over its
    members' RFM rows and last month's groups (no purchase at all), as of the last recompute too."""
    await scope.audience(session, filters)  # an unknown segment: 400 naming segment_id
    now = utcnow()
    run = await rfm.latest_run(session)
    as_of = run.computed_at if run else now
    if filters.segment_id is None and run and run.figures:
        figures = run.figures
    else:
        if await dialect_name(session) == "postgresql":
            # The customers hashed, joined and grouped in memory rather than spilled to disk.
            await session.execute(text("SET LOCAL work_mem = '64MB'"))
        previous = await rfm.previous_month(session, f"{now.year:04d}-{now.month:02d}")
        figures = await rfm.report_figures(session, as_of, previous, lambda c: in_segment(c, filters.segment_id))
    groups = figures["groups"]
    all_revenue = sum(g["revenue"] for g in groups.values())
    return RfmReport(
        as_of=as_of,
        computed_at=run.computed_at if run else None,
        compared_with=figures["compared_with"],
        period_days=run.period_days if run else None,
        customers=sum(g["contacts"] for g in groups.values()),
        groups=[
            RfmGroup(
                group=name,
                contacts=groups[name]["contacts"],
                revenue=round(groups[name]["revenue"], 2),
                share_of_revenue=share(groups[name]["revenue"], all_revenue),
                moved_in=groups[name]["moved_in"],
                moved_out=groups[name]["moved_out"],
            )
            for name in rfm_core.GROUPS
        ],
        grid=[GridCell(recency=r, frequency=f, contacts=n) for r, f, n in figures["grid"]],
        churn=[
            ChurnBucket(bucket=name, customers=figures["churn"][name][0], revenue=round(figures["churn"][name][1], 2))
            for name, _, _ in rfm_core.CHURN
        ],
        definitions=DEFINITIONS,
    )


# ---- cohorts ------------------------------------------------------------------------------------


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_start(index: int) -> datetime:
    return datetime.fromisoformat(_month_name(index) + "-01T00:00:00+00:00")


async def _created_per_month(session: AsyncSession, first: int, last: int) -> dict[int, int]:
    """Contacts created in each month, counted by ranges of the creation index (no month computed
    for each of a million contacts)."""
    table = contacts.contacts_table()
    at = table.c.created_at
    counts = [
        select(func.count()).select_from(table).where(at >= _month_start(i), at < _month_start(i + 1)).scalar_subquery()
        for i in range(first, last + 1)
    ]
    found = (await session.execute(select(*counts))).one()
    return dict(zip(range(first, last + 1), found, strict=True))


async def cohorts_report(session: AsyncSession, filters: ReportFilters, basis: str, months: int) -> CohortsReport:
    await scope.audience(session, filters)  # an unknown segment: 400 naming segment_id
    now = utcnow()
    dialect = await dialect_name(session)
    last = _month_index(spend.month_of(filters.end))
    first = last - months + 1
    since, until = _month_start(first), _month_start(last + 1)
    # Purchase lines and customers' firsts (reports.purchases), kept by the interaction stream.
    lines, firsts, table = purchases.LINES, purchases.FIRSTS, contacts.contacts_table()
    if basis == "created":
        acquired = (
            select(table.c.id.label("contact_id"), month_index(dialect, table.c.created_at).label("month"))
            .where(table.c.created_at >= since, table.c.created_at < until, *in_segment(table.c.id, filters.segment_id))
            .subquery("acquired")
        )
    else:
        acquired = (
            select(firsts.c.contact_id, firsts.c.first_month.label("month"))
            .where(firsts.c.first_at >= since, firsts.c.first_at < until)
            .where(*in_segment(firsts.c.contact_id, filters.segment_id))
            .subquery("acquired")
        )
    cohort = acquired.c.month
    # The whole base's cohorts: their revenue by month is kept as it comes; a segment's is counted.
    kept = None
    if filters.segment_id is None:
        kept = purchases.COHORTS if basis == "first_purchase" else purchases.CREATED_COHORTS
    if basis == "created" and kept is not None:
        sizes = await _created_per_month(session, first, last)
    else:
        sizes = dict((await session.execute(select(cohort, func.count()).group_by(cohort))).all())
    if kept is not None:
        cells = await session.execute(
            select(kept.c.cohort, kept.c.month, kept.c.revenue).where(kept.c.cohort.between(first, last))
        )
    else:
        cells = await session.execute(
            select(cohort, lines.c.month, func.sum(lines.c.amount))
            .join(lines, lines.c.contact_id == acquired.c.contact_id)
            .group_by(cohort, lines.c.month)
        )
    revenue: dict[int, list[float]] = {}
    totals: dict[int, float] = defaultdict(float)
    for month, when, amount in cells.all():
        offset = max(0, when - month)  # a purchase before the contact was created: its month 0
        row = revenue.setdefault(month, [0.0] * months)
        totals[month] += float(amount or 0)
        if offset < months:
            row[offset] += float(amount or 0)
    if basis == "first_purchase" and kept is not None:
        # Every member of a first-purchase cohort is a customer, new that month.
        customers = new_customers = sizes
    elif kept is not None:
        # Customers by creation month and new customers by first month: one pass over the firsts.
        customers, new_customers = Counter(), Counter()
        for created, started, count in (
            await session.execute(
                select(firsts.c.created_month, firsts.c.first_month, func.count()).group_by(
                    firsts.c.created_month, firsts.c.first_month
                )
            )
        ).all():
            customers[created] += count
            new_customers[started] += count
    else:
        customers = dict(
            (
                await session.execute(
                    select(cohort, func.count())
                    .select_from(acquired.join(firsts, firsts.c.contact_id == acquired.c.contact_id))
                    .group_by(cohort)
                )
            ).all()
        )
        new_customers = dict(
            (
                await session.execute(
                    select(firsts.c.first_month, func.count())
                    .where(firsts.c.first_at >= since, firsts.c.first_at < until)
                    .group_by(firsts.c.first_month)
                )
            ).all()
        )
    spent = await spend.by_month(session, _month_name(first), _month_name(last))
    event_costs = await events.costs_by_month(session, _month_name(first), _month_name(last))
    current = _month_index(spend.month_of(now.date()))
    rows = []
    for index in range(first, last + 1):
        month = _month_name(index)
        buyers = int(customers.get(index, 0))
        cost = round(sum(spent.get(month, {}).values()) + event_costs.get(month, 0.0), 2)
        new = int(new_customers.get(index, 0))
        cac = round(cost / new, 2) if new else None
        ltv: list[float | None] = []
        running = 0.0
        for offset, amount in enumerate(revenue.get(index, [0.0] * months)):
            running += amount
            reached = index + offset <= current
            ltv.append(round(running / buyers, 2) if buyers and reached else None)
        latest = next((v for v in reversed(ltv) if v is not None), None)
        rows.append(
            CohortRow(
                month=month,
                size=int(sizes.get(index, 0)),
                customers=buyers,
                revenue=round(float(totals.get(index, 0) or 0), 2),
                new_customers=new,
                spend=cost,
                cac=cac,
                ltv=ltv,
                ltv_cac=round(latest / cac, 2) if latest is not None and cac else None,
            )
        )
    # As fresh as the purchase lines: up to where the interaction stream has got.
    as_of = await interactions.stream_freshness(session) or now
    return CohortsReport(as_of=as_of, basis=basis, months=months, rows=rows, definitions=DEFINITIONS)


class ValueReportController(Controller):
    path = "/reports"
    tags = ["reports"]

    @get(
        "/rfm",
        operation_class=JsonOrCsv,
        dependencies={"filters": Provide(report_filters, sync_to_thread=False)},
        summary="RFM groups (contacts, revenue in the period, moves since last month), the grid and churn risk",
    )
    async def rfm(self, db: AsyncSession, filters: ReportFilters) -> RfmReport:
        answer = await rfm_report(db, filters)
        if filters.as_csv:
            header = ["group", "contacts", "revenue", "share_of_revenue", "moved_in", "moved_out"]
            rows = [
                [g.group, g.contacts, g.revenue, g.share_of_revenue, g.moved_in, g.moved_out] for g in answer.groups
            ]
            return csv_answer("rfm", header, rows, filters)  # type: ignore[return-value]
        return answer

    @get(
        "/cohorts",
        operation_class=JsonOrCsv,
        dependencies={"filters": Provide(report_filters, sync_to_thread=False)},
        summary="Cohorts by month of first purchase or creation: size, customers, revenue, CAC, LTV by month",
    )
    async def cohorts(
        self,
        db: AsyncSession,
        filters: ReportFilters,
        basis: Literal["first_purchase", "created"] = Parameter(
            default="first_purchase", description="first_purchase or created: what puts a contact in a cohort"
        ),
        months: int = Parameter(default=12, ge=1, le=36, description="Cohorts (months up to the period's end)"),
    ) -> CohortsReport:
        answer = await cohorts_report(db, filters, basis, months)
        if filters.as_csv:
            header = ["month", "size", "customers", "revenue", "new_customers", "spend", "cac", "ltv_cac"]
            header += [f"ltv_m{n}" for n in range(months)]
            rows = [
                [r.month, r.size, r.customers, r.revenue, r.new_customers, r.spend, r.cac, r.ltv_cac, *r.ltv]
                for r in answer.rows
            ]
            return csv_answer("cohorts", header, rows, filters)  # type: ignore[return-value]
        return answer
