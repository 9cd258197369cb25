"""/api/reports/rfm and /api/reports/cohorts: what customers are worth.

A customer is a contact with at least one purchase interaction; revenue is the amounts of purchase
interactions (`value`); months are UTC calendar months. RFM groups are those of the last recompute
(rfm), compared with the groups kept for the previous month. Cohorts: contacts by month of first
purchase or of creation; CAC = (marketing spend + event costs of the month) / new customers of the
month (contacts whose first purchase falls in it)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.sql import Subquery
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import UTCDateTime, dialect_name
from parcours.events import service as events
from parcours.interactions import service as interactions
from parcours.reports import scope
from parcours.reports.customers_schemas import ChurnBucket, CohortRow, CohortsReport, GridCell, RfmGroup, RfmReport
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.sql import in_segment, month_of, share
from parcours.rfm import core as rfm_core
from parcours.rfm import service as rfm
from parcours.spend import service as spend

PURCHASE = "purchase"
CHURN = (("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("181-365", 181, 365), ("365+", 366, None))
DEFINITIONS = {
    "customer": "A contact with at least one purchase.",
    "revenue": "The amounts of purchase interactions.",
    "month": "Calendar months in UTC.",
    "rfm": "Groups as of the last RFM recompute; moves compare them with the groups kept for the previous month.",
    "churn": "Customers by days since their last purchase, with everything they bought.",
    "cac": "(Marketing spend + event costs of the month) / contacts whose first purchase is in that month.",
    "ltv": "Revenue of the cohort's customers from their acquisition month to month N, cumulated, / customers.",
    "ltv_cac": "The latest LTV / CAC.",
}


def _purchases() -> Any:
    return interactions.table()


def _first_purchases(where: list[ColumnElement[bool]] | None = None) -> Subquery:
    """(contact_id, first_at) of every customer."""
    p = _purchases()
    return (
        select(p.c.contact_id.label("contact_id"), func.min(p.c.occurred_at).label("first_at"))
        .where(p.c.type == PURCHASE, *(where or []))
        .group_by(p.c.contact_id)
        .subquery("first_purchases")
    )


# ---- RFM ----------------------------------------------------------------------------------------


async def rfm_report(session: AsyncSession, filters: ReportFilters) -> RfmReport:
    await scope.audience(session, filters)  # an unknown segment: 400 naming segment_id
    now = utcnow()
    cur, prev_t, p = contacts.rfm_table(), rfm.monthly_table(), _purchases()
    audience = in_segment(cur.c.contact_id, filters.segment_id)
    counts = dict(
        (
            await session.execute(select(cur.c.rfm_segment, func.count()).where(*audience).group_by(cur.c.rfm_segment))
        ).all()
    )
    revenue_rows = await session.execute(
        select(cur.c.rfm_segment, func.sum(func.coalesce(p.c.value, 0.0)))
        .join(cur, cur.c.contact_id == p.c.contact_id)
        .where(p.c.type == PURCHASE, p.c.occurred_at >= filters.since, p.c.occurred_at < filters.until, *audience)
        .group_by(cur.c.rfm_segment)
    )
    revenue = {g: float(v or 0) for g, v in revenue_rows.all()}
    previous = await rfm.previous_month(session, f"{now.year:04d}-{now.month:02d}")
    moved_in: dict[str, int] = {}
    moved_out: dict[str, int] = {}
    if previous is not None:
        joined = and_(prev_t.c.month == previous, prev_t.c.contact_id == cur.c.contact_id)
        moved_in = dict(
            (
                await session.execute(
                    select(cur.c.rfm_segment, func.count())
                    .select_from(cur.outerjoin(prev_t, joined))
                    .where(or_(prev_t.c.rfm_segment.is_(None), prev_t.c.rfm_segment != cur.c.rfm_segment), *audience)
                    .group_by(cur.c.rfm_segment)
                )
            ).all()
        )
        moved_out = dict(
            (
                await session.execute(
                    select(prev_t.c.rfm_segment, func.count())
                    .select_from(prev_t.outerjoin(cur, joined))
                    .where(
                        prev_t.c.month == previous,
                        or_(cur.c.rfm_segment.is_(None), cur.c.rfm_segment != prev_t.c.rfm_segment),
                        *in_segment(prev_t.c.contact_id, filters.segment_id),
                    )
                    .group_by(prev_t.c.rfm_segment)
                )
            ).all()
        )
    all_revenue = sum(revenue.values())
    groups = [
        RfmGroup(
            group=g,
            contacts=int(counts.get(g, 0)),
            revenue=round(revenue.get(g, 0.0), 2),
            share_of_revenue=share(revenue.get(g, 0.0), all_revenue),
            moved_in=int(moved_in.get(g, 0)),
            moved_out=int(moved_out.get(g, 0)),
        )
        for g in rfm_core.GROUPS
    ]
    cells = {
        (r, f): n
        for r, f, n in (
            await session.execute(
                select(cur.c.rfm_recency, cur.c.rfm_frequency, func.count())
                .where(*audience)
                .group_by(cur.c.rfm_recency, cur.c.rfm_frequency)
            )
        ).all()
    }
    grid = [
        GridCell(recency=r, frequency=f, contacts=int(cells.get((r, f), 0))) for r in range(1, 6) for f in range(1, 6)
    ]
    run = await rfm.latest_run(session)
    return RfmReport(
        as_of=now,
        computed_at=run.computed_at if run else None,
        compared_with=previous,
        customers=sum(int(n) for n in counts.values()),
        groups=groups,
        grid=grid,
        churn=await _churn(session, now, filters.segment_id),
        definitions=DEFINITIONS,
    )


async def _churn(session: AsyncSession, now: datetime, segment_id: int | None) -> list[ChurnBucket]:
    p = _purchases()
    per_customer = (
        select(
            p.c.contact_id,
            func.max(p.c.occurred_at).label("last_at"),
            func.sum(func.coalesce(p.c.value, 0.0)).label("revenue"),
        )
        .where(p.c.type == PURCHASE, *in_segment(p.c.contact_id, segment_id))
        .group_by(p.c.contact_id)
        .subquery("customers")
    )
    last = per_customer.c.last_at
    # Whole days since the last purchase at most N: the last purchase is less than N + 1 days ago.
    whens = [(last > literal(now - timedelta(days=high + 1), UTCDateTime()), name) for name, _, high in CHURN if high]
    bucket = case(*whens, else_="365+")
    rows = await session.execute(select(bucket, func.count(), func.sum(per_customer.c.revenue)).group_by(bucket))
    found = {b: (int(n), float(v or 0)) for b, n, v in rows.all()}
    return [
        ChurnBucket(bucket=name, customers=found.get(name, (0, 0.0))[0], revenue=round(found.get(name, (0, 0.0))[1], 2))
        for name, _, _ in CHURN
    ]


# ---- cohorts ------------------------------------------------------------------------------------


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_start(index: int) -> datetime:
    return datetime.fromisoformat(_month_name(index) + "-01T00:00:00+00:00")


async def cohorts_report(session: AsyncSession, filters: ReportFilters, basis: str, months: int) -> CohortsReport:
    await scope.audience(session, filters)  # an unknown segment: 400 naming segment_id
    now = utcnow()
    dialect = await dialect_name(session)
    last = _month_index(spend.month_of(filters.end))
    first = last - months + 1
    since, until = _month_start(first), _month_start(last + 1)
    p, table = _purchases(), contacts.contacts_table()
    fp = _first_purchases()
    if basis == "created":
        acquired = (
            select(table.c.id.label("contact_id"), table.c.created_at.label("at"))
            .where(table.c.created_at >= since, table.c.created_at < until, *in_segment(table.c.id, filters.segment_id))
            .subquery("acquired")
        )
    else:
        acquired = (
            select(fp.c.contact_id.label("contact_id"), fp.c.first_at.label("at"))
            .where(fp.c.first_at >= since, fp.c.first_at < until, *in_segment(fp.c.contact_id, filters.segment_id))
            .subquery("acquired")
        )
    cohort = month_of(dialect, acquired.c.at)
    sizes = dict((await session.execute(select(cohort, func.count()).group_by(cohort))).all())
    bought = month_of(dialect, p.c.occurred_at)
    cells = await session.execute(
        select(cohort, bought, func.sum(func.coalesce(p.c.value, 0.0)))
        .join(p, p.c.contact_id == acquired.c.contact_id)
        .where(p.c.type == PURCHASE)
        .group_by(cohort, bought)
    )
    revenue: dict[str, list[float]] = {}
    totals: dict[str, float] = defaultdict(float)
    for month, when, amount in cells.all():
        offset = max(0, _month_index(when) - _month_index(month))
        row = revenue.setdefault(month, [0.0] * months)
        totals[month] += float(amount or 0)
        if offset < months:
            row[offset] += float(amount or 0)
    first_month = month_of(dialect, fp.c.first_at)
    if basis == "first_purchase" and filters.segment_id is None:
        # Every member of a first-purchase cohort is a customer, new that month.
        customers = new_customers = sizes
    else:
        customers = dict(
            (
                await session.execute(
                    select(cohort, func.count())
                    .select_from(acquired.join(fp, fp.c.contact_id == acquired.c.contact_id))
                    .group_by(cohort)
                )
            ).all()
        )
        new_customers = dict(
            (
                await session.execute(
                    select(first_month, func.count())
                    .where(fp.c.first_at >= since, fp.c.first_at < until)
                    .group_by(first_month)
                )
            ).all()
        )
    spent = await spend.by_month(session, _month_name(first), _month_name(last))
    event_costs = await events.costs_by_month(session, _month_name(first), _month_name(last))
    current = _month_index(spend.month_of(now.date()))
    rows = []
    for index in range(first, last + 1):
        month = _month_name(index)
        buyers = int(customers.get(month, 0))
        cost = round(sum(spent.get(month, {}).values()) + event_costs.get(month, 0.0), 2)
        new = int(new_customers.get(month, 0))
        cac = round(cost / new, 2) if new else None
        ltv: list[float | None] = []
        running = 0.0
        for offset, amount in enumerate(revenue.get(month, [0.0] * months)):
            running += amount
            reached = index + offset <= current
            ltv.append(round(running / buyers, 2) if buyers and reached else None)
        latest = next((v for v in reversed(ltv) if v is not None), None)
        rows.append(
            CohortRow(
                month=month,
                size=int(sizes.get(month, 0)),
                customers=buyers,
                revenue=round(float(totals.get(month, 0) or 0), 2),
                new_customers=new,
                spend=cost,
                cac=cac,
                ltv=ltv,
                ltv_cac=round(latest / cac, 2) if latest is not None and cac else None,
            )
        )
    return CohortsReport(as_of=now, basis=basis, months=months, rows=rows, definitions=DEFINITIONS)


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
