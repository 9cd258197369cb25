"""/api/reports/products: how each product and category sells over the period, and what first-time
buyers started with and bought since.

From purchase interactions: `product`, `category`, `quantity`, `order_id` properties and `value`
(the amount). An order is a distinct order_id (a purchase without one is an order of its own)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.di import Provide
from sqlalchemy import ColumnElement, String, and_, case, cast, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.interactions import service as interactions
from parcours.reports import scope
from parcours.reports.customers_schemas import ProductLine, ProductsReport, Starter
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.sql import in_segment, share

PURCHASE = "purchase"
DEFINITIONS = {
    "revenue": "The amounts of purchase interactions in the period.",
    "orders": "Distinct order_id (a purchase without one is an order of its own).",
    "buyers": "Distinct contacts who bought.",
    "average_basket": "Revenue / orders.",
    "repeat_rate": "Buyers with two orders or more in the period / buyers.",
    "starters": "First-time buyers: contacts whose first purchase ever falls in the period, by the product of "
    "that first purchase; revenue is everything they bought since, first order included.",
}


def _prop(table: Any, key: str) -> ColumnElement[Any]:
    return cast(table.c.properties[key].as_string(), String)


async def _lines(session: AsyncSession, filters: ReportFilters, key: str) -> list[ProductLine]:
    p = interactions.table()
    name = _prop(p, key)
    order = func.coalesce(_prop(p, "order_id"), cast(p.c.id, String))
    where = [
        p.c.type == PURCHASE,
        p.c.occurred_at >= filters.since,
        p.c.occurred_at < filters.until,
        *in_segment(p.c.contact_id, filters.segment_id),
    ]
    per_buyer = (
        select(
            name.label("name"),
            p.c.contact_id.label("contact_id"),
            func.count(order.distinct()).label("orders"),
            func.sum(func.coalesce(p.c.value, 0.0)).label("revenue"),
            func.sum(func.coalesce(p.c.properties["quantity"].as_float(), 0.0)).label("quantity"),
        )
        .where(*where)
        .group_by(name, p.c.contact_id)
        .subquery("per_buyer")
    )
    orders = dict(
        (await session.execute(select(name, func.count(order.distinct())).where(*where).group_by(name))).all()
    )
    b = per_buyer.c
    rows = await session.execute(
        select(
            b.name, func.sum(b.revenue), func.count(), func.sum(case((b.orders >= 2, 1), else_=0)), func.sum(b.quantity)
        ).group_by(b.name)
    )
    lines = []
    for product, revenue, buyers, repeaters, quantity in rows.all():
        n = int(orders.get(product, 0))
        lines.append(
            ProductLine(
                name=product,
                revenue=round(float(revenue or 0), 2),
                orders=n,
                buyers=int(buyers),
                quantity=float(quantity or 0),
                average_basket=round(float(revenue or 0) / n, 2) if n else None,
                repeat_rate=share(int(repeaters or 0), int(buyers)),
            )
        )
    return sorted(lines, key=lambda line: (-line.revenue, line.name or ""))


async def _starters(session: AsyncSession, filters: ReportFilters, key: str) -> list[Starter]:
    p = interactions.table()
    first = (
        select(p.c.contact_id.label("contact_id"), func.min(p.c.occurred_at).label("first_at"))
        .where(p.c.type == PURCHASE, *in_segment(p.c.contact_id, filters.segment_id))
        .group_by(p.c.contact_id)
        .subquery("first")
    )
    newcomers = first.c.first_at >= filters.since, first.c.first_at < filters.until
    # The first purchase row (the lowest id among those at the first moment) names the product.
    first_row = (
        select(p.c.contact_id.label("contact_id"), func.min(p.c.id).label("id"))
        .join(first, and_(first.c.contact_id == p.c.contact_id, first.c.first_at == p.c.occurred_at))
        .where(p.c.type == PURCHASE, *newcomers)
        .group_by(p.c.contact_id)
        .subquery("first_row")
    )
    started = (
        select(first_row.c.contact_id, _prop(p, key).label("name"))
        .join(p, p.c.id == first_row.c.id)
        .subquery("started")
    )
    s = started.c
    spent = (
        select(
            s.name,
            func.count(s.contact_id.distinct()),
            func.sum(func.coalesce(p.c.value, 0.0)),
            func.sum(case((p.c.occurred_at == first.c.first_at, func.coalesce(p.c.value, 0.0)), else_=0.0)),
        )
        .select_from(started)
        .join(p, and_(p.c.contact_id == s.contact_id, p.c.type == PURCHASE))
        .join(first, first.c.contact_id == s.contact_id)
        .group_by(s.name)
    )
    out = []
    for product, n, revenue, first_revenue in (await session.execute(spent)).all():
        out.append(
            Starter(
                name=product,
                customers=n,
                first_revenue=round(float(first_revenue or 0), 2),
                revenue=round(float(revenue or 0), 2),
                revenue_per_customer=round(float(revenue or 0) / n, 2) if n else None,
            )
        )
    return sorted(out, key=lambda line: (-line.revenue, line.name or ""))


async def report(session: AsyncSession, filters: ReportFilters) -> ProductsReport:
    await scope.audience(session, filters)  # an unknown segment: 400 naming segment_id
    return ProductsReport(
        as_of=utcnow(),
        products=await _lines(session, filters, "product"),
        categories=await _lines(session, filters, "category"),
        starters=await _starters(session, filters, "product"),
        starter_categories=await _starters(session, filters, "category"),
        definitions=DEFINITIONS,
    )


class ProductsReportController(Controller):
    path = "/reports/products"
    tags = ["reports"]

    @get(
        "/",
        operation_class=JsonOrCsv,
        dependencies={"filters": Provide(report_filters, sync_to_thread=False)},
        summary="Per product and category: revenue, orders, buyers, basket, repeat rate; what first buyers started with",
    )
    async def products(self, db: AsyncSession, filters: ReportFilters) -> ProductsReport:
        answer = await report(db, filters)
        if filters.as_csv:
            header = ["kind", "name", "revenue", "orders", "buyers", "quantity", "average_basket", "repeat_rate"]
            rows = [
                [
                    kind,
                    line.name,
                    line.revenue,
                    line.orders,
                    line.buyers,
                    line.quantity,
                    line.average_basket,
                    line.repeat_rate,
                ]
                for kind, lines in (("product", answer.products), ("category", answer.categories))
                for line in lines
            ]
            rows += [
                [f"starter_{kind}", s.name, s.revenue, None, s.customers, None, s.revenue_per_customer, None]
                for kind, starters in (("product", answer.starters), ("category", answer.starter_categories))
                for s in starters
            ]
            return csv_answer("products", header, rows, filters)  # type: ignore[return-value]
        return answer
