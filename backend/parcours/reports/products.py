"""/api/reports/products: how each product and category sells over the period, and what first-time
buyers started with and bought since.

From purchase interactions: `product`, `category`, `quantity`, `order_id` properties and `value`
(the amount), read from the purchase lines and customers' firsts the interaction stream keeps
(reports.purchases). An order is a distinct order_id (a purchase without one is an order of its
own). Distinct buyers, orders and repeat buyers are counted from the markers each line carries
(models.PurchaseLine), so that any period is one pass over its lines, however long it is."""

from __future__ import annotations

from collections import defaultdict

import msgspec
from litestar import Controller, get
from litestar.di import Provide
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.interactions import service as interactions
from parcours.reports import purchases, scope
from parcours.reports.customers_schemas import ProductLine, ProductsReport, Starter
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.sql import in_segment, share

DEFINITIONS = {
    "revenue": "The amounts of purchase interactions in the period.",
    "orders": "Distinct order_id (a purchase without one is an order of its own).",
    "buyers": "Distinct contacts who bought.",
    "average_basket": "Revenue / orders.",
    "repeat_rate": "Buyers with two orders or more in the period / buyers.",
    "starters": "First-time buyers: contacts whose first purchase ever falls in the period, by the product of "
    "that first purchase; revenue is everything they bought since, first order included.",
}


KEYS = ("product", "category")


class _Counts(msgspec.Struct):
    """What a product's or a category's line adds up, over its lines of the period."""

    revenue: float = 0.0
    quantity: float = 0.0
    buyers: int = 0
    orders: int = 0
    repeaters: int = 0


async def _lines(session: AsyncSession, filters: ReportFilters) -> dict[str, list[ProductLine]]:
    """Products and categories, from one pass over the period's lines (an index range on the day).

    A buyer is counted on their first line of the name in the period (the one before it, if any,
    is older); an order on its buyer's first line of it in the period; a repeat buyer on the line
    where their first change of order in the period happens (their line before was in the period
    and another order, and no earlier change was). Each is a sum, so the lines are grouped by
    product and category at once and the sums added up by product and by category here. An order
    shared by two contacts would count once per buyer: those lines are counted apart, distinct."""
    lines = purchases.LINES
    first, last = purchases.day_number_of(filters.start), purchases.day_number_of(filters.end)
    where = [lines.c.day >= first, lines.c.day <= last, *in_segment(lines.c.contact_id, filters.segment_id)]

    def before_period(key: str, marker: str) -> ColumnElement[bool]:
        column = lines.c[f"{key}_{marker}"]
        return or_(column.is_(None), column < first)

    counted = []
    for key in KEYS:
        counted += [
            func.count().filter(before_period(key, "bought_before")),
            func.count().filter(and_(lines.c.order_shared.is_(False), before_period(key, "order_before"))),
            func.count().filter(and_(lines.c[f"{key}_change_day"] >= first, before_period(key, "change_before"))),
        ]
    rows = await session.execute(
        select(lines.c.product, lines.c.category, func.sum(lines.c.amount), func.sum(lines.c.quantity), *counted)
        .where(*where)
        .group_by(lines.c.product, lines.c.category)
    )
    totals: dict[str, dict[str | None, _Counts]] = {key: defaultdict(_Counts) for key in KEYS}
    for product, category, revenue, quantity, *counts in rows.all():
        for n, (key, name) in enumerate(((KEYS[0], product), (KEYS[1], category))):
            line = totals[key][name]
            line.revenue += float(revenue or 0)
            line.quantity += float(quantity or 0)
            buyers, orders, repeaters = counts[3 * n : 3 * n + 3]
            line.buyers += buyers
            line.orders += orders
            line.repeaters += repeaters
    for key in KEYS:
        name = lines.c[key]
        shared = select(name.label("name"), lines.c.order_key).where(*where, lines.c.order_shared).distinct()
        shared_keys = shared.subquery("shared")
        per_name = select(shared_keys.c.name, func.count()).group_by(shared_keys.c.name)
        for found, count in (await session.execute(per_name)).all():
            totals[key][found].orders += int(count)
    return {key: sorted((_line(name, c) for name, c in totals[key].items()), key=_by_revenue) for key in KEYS}


def _line(name: str | None, counts: _Counts) -> ProductLine:
    revenue = round(counts.revenue, 2)
    return ProductLine(
        name=name,
        revenue=revenue,
        orders=counts.orders,
        buyers=counts.buyers,
        quantity=counts.quantity,
        average_basket=round(counts.revenue / counts.orders, 2) if counts.orders else None,
        repeat_rate=share(counts.repeaters, counts.buyers),
    )


def _by_revenue(line: ProductLine) -> tuple[float, str]:
    return (-line.revenue, line.name or "")


async def _starters(session: AsyncSession, filters: ReportFilters, key: str) -> list[Starter]:
    firsts = purchases.FIRSTS
    name = firsts.c[f"first_{key}"]
    rows = await session.execute(
        select(name, func.count(), func.sum(firsts.c.first_revenue), func.sum(firsts.c.revenue))
        .where(firsts.c.first_at >= filters.since, firsts.c.first_at < filters.until)
        .where(*in_segment(firsts.c.contact_id, filters.segment_id))
        .group_by(name)
    )
    out = []
    for product, n, first_revenue, revenue in rows.all():
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
    lines = await _lines(session, filters)
    return ProductsReport(
        as_of=await interactions.stream_freshness(session) or utcnow(),  # as fresh as the purchase lines
        products=lines["product"],
        categories=lines["category"],
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
