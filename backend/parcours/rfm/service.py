"""RFM over the whole base in SQL: each customer's measures from the purchase interactions, scored
by quintiles with window functions, written to the contacts whose scores changed.

Measures: recency is whole days since the last purchase (any time, so that customers who stopped
buying long ago rank last), frequency the orders and monetary the revenue of the last
`period_days`. A purchase carrying an `order_id` already seen for the contact is the same order
(counted once, at its first time, for its largest amount). Customers are contacts with at least one
purchase; everyone else has empty RFM fields. Scores follow rfm.core (its formula, as `rank()`).
Each run also counts the whole base's RFM report (groups, moves since last month, grid, churn) and
keeps it with the run: the report reads it instead of grouping every customer on each request."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    over,
    select,
    text,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.db import UTCDateTime, dialect_name, rows_about, serialize
from parcours.interactions import service as interactions
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.rfm.core import CHURN, RANGES, fold
from parcours.rfm.models import RfmMonthly, RfmRun
from parcours.rfm.schemas import RfmContactOut, RfmMeasures, RfmRange, RfmRunOut

KIND = "rfm_recompute"
LOCK = "rfm_recompute"
PURCHASE = "purchase"
DIMENSIONS = ("recency", "frequency", "monetary")
Report = Callable[[float, str], Awaitable[None]]
# The conditions keeping some contacts, given the contact id column.
Within = Callable[[Any], Sequence[ColumnElement[bool]]]


def measures(dialect: str, now: datetime, period_days: int, contact_id: int | None = None) -> Select[Any]:
    """(contact_id, days, orders, revenue, last_purchase_at, period_revenue, lifetime_revenue) of
    every customer (or of one contact): revenue is the scores' (an order counted once), the other
    two the reports' (every purchase's amount, in the period and ever)."""
    table = interactions.table()
    order_id = table.c.properties["order_id"].as_string()
    where = [table.c.type == PURCHASE]
    if contact_id is not None:
        where.append(table.c.contact_id == contact_id)
    per_order = (
        select(
            table.c.contact_id.label("contact_id"),
            func.min(table.c.occurred_at).label("at"),
            func.max(table.c.occurred_at).label("last_at"),
            func.max(func.coalesce(table.c.value, 0.0)).label("amount"),
            # Every line's amount, as the reports count revenue (a duplicate line included).
            func.sum(func.coalesce(table.c.value, 0.0)).label("lines"),
        )
        .where(*where)
        # A purchase without an order_id is an order of its own.
        .group_by(table.c.contact_id, order_id, case((order_id.is_(None), table.c.id)))
        .subquery("orders")
    )
    at, moment = per_order.c.at, literal(now, UTCDateTime())
    recent = at >= literal(now - timedelta(days=period_days), UTCDateTime())
    days: Any
    if dialect == "postgresql":
        days = func.greatest(0, func.floor(func.extract("epoch", moment - func.max(at)) / 86400))
    else:
        days = func.max(0, func.julianday(moment) - func.julianday(func.max(at)))
    return select(
        per_order.c.contact_id,
        cast(days, Integer).label("days"),
        func.sum(case((recent, 1), else_=0)).label("orders"),
        func.sum(case((recent, per_order.c.amount), else_=0.0)).label("revenue"),
        func.max(per_order.c.last_at).label("last_purchase_at"),
        func.sum(case((recent, per_order.c.lines), else_=0.0)).label("period_revenue"),
        func.sum(per_order.c.lines).label("lifetime_revenue"),
    ).group_by(per_order.c.contact_id)


def _tables(suffix: str) -> tuple[Table, Table]:
    """Each customer's measures, then with its scores (temporary, this transaction's)."""

    def measured() -> list[Column[Any]]:
        return [
            Column("contact_id", Integer, primary_key=True, autoincrement=False),
            Column("days", Integer, nullable=False),
            Column("orders", Integer, nullable=False),
            Column("revenue", Float, nullable=False),
            Column("last_purchase_at", UTCDateTime(), nullable=False),
            Column("period_revenue", Float, nullable=False),
            Column("lifetime_revenue", Float, nullable=False),
        ]

    found = Table(f"rfm_measures_{suffix}", MetaData(), *measured(), prefixes=["TEMPORARY"])
    scored = Table(
        f"rfm_scored_{suffix}",
        MetaData(),
        *measured(),
        Column("rfm_recency", Integer, nullable=False),
        Column("rfm_frequency", Integer, nullable=False),
        Column("rfm_monetary", Integer, nullable=False),
        Column("rfm_score", String(3), nullable=False),
        Column("rfm_segment", String(24), nullable=False),
        prefixes=["TEMPORARY"],
    )
    return found, scored


def _scores(found: Table, customers: int) -> Select[Any]:
    """rfm.core's quintiles as window functions over the customers' measures."""

    def quintile(order: Any) -> Any:
        return 1 + (5 * (over(func.rank(), order_by=order) - 1)) // customers

    ranked = select(
        found.c.contact_id,
        found.c.days,
        found.c.orders,
        found.c.revenue,
        found.c.last_purchase_at,
        found.c.period_revenue,
        found.c.lifetime_revenue,
        quintile(found.c.days.desc()).label("r"),
        quintile(found.c.orders).label("f"),
        quintile(found.c.revenue).label("m"),
    ).subquery("ranked")
    r, f, m = ranked.c.r, ranked.c.f, ranked.c.m
    group = case(*[(and_(r.in_(sorted(rs)), f.in_(sorted(fs))), name) for name, rs, fs in RANGES])
    return select(
        ranked.c.contact_id,
        ranked.c.days,
        ranked.c.orders,
        ranked.c.revenue,
        ranked.c.last_purchase_at,
        ranked.c.period_revenue,
        ranked.c.lifetime_revenue,
        r,
        f,
        m,
        cast(r, String) + cast(f, String) + cast(m, String),
        group,
    )


async def recompute(
    session: AsyncSession, now: datetime, period_days: int, job_id: str | None = None, report: Report | None = None
) -> RfmRun:
    """Score every customer and write the changes, in this transaction; the run is recorded."""
    await serialize(session, LOCK)
    dialect = await dialect_name(session)
    if dialect == "postgresql":
        # Grouping the purchases by order and ranking the customers three times spilled to disk
        # with the default 4 MB of sort and hash memory (three times slower at 1,000,000 contacts).
        await session.execute(text("SET LOCAL work_mem = '128MB'"))
    found, scored = _tables(uuid.uuid4().hex[:12])
    connection = await session.connection()
    for table in (found, scored):
        await connection.run_sync(table.create)
    try:
        await session.execute(found.insert().from_select(list(found.c.keys()), measures(dialect, now, period_days)))
        customers = (await session.execute(select(func.count()).select_from(found))).scalar_one()
        if customers:
            await session.execute(scored.insert().from_select(list(scored.c.keys()), _scores(found, customers)))
        if dialect == "postgresql":
            # A temporary table has no statistics until analyzed: the writes below join it.
            await session.execute(text(f"ANALYZE {scored.name}"))
        if report:
            await report(0.5, f"Scored {customers} customers")
        changed = await contacts.set_rfm_from(session, scored)
        await _keep_month(session, scored, now)
        ranges = await _ranges(session, scored)
    finally:
        for table in (scored, found):
            await connection.run_sync(table.drop)
    # The whole base's report, counted once here rather than on every request.
    figures = await report_figures(session, now, await previous_month(session, _month(now)))
    run = RfmRun(
        job_id=job_id,
        computed_at=now,
        period_days=period_days,
        customers=customers,
        changed=changed,
        ranges=ranges,
        figures=figures,
    )
    session.add(run)
    await session.flush()
    return run


MONTHS_KEPT = 3
_MONTHLY = RfmMonthly.metadata.tables["rfm_monthly"]


def _month(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


async def _keep_month(session: AsyncSession, scored: Table, now: datetime) -> None:
    """This month's groups replace what earlier runs of the month wrote; older months go."""
    month = _month(now)
    year, number = divmod(now.year * 12 + now.month - 1 - (MONTHS_KEPT - 1), 12)
    await session.execute(delete(_MONTHLY).where(_MONTHLY.c.month < f"{year:04d}-{number + 1:02d}"))
    await session.execute(delete(_MONTHLY).where(_MONTHLY.c.month == month))
    await session.execute(
        _MONTHLY.insert().from_select(
            ["month", "contact_id", "rfm_segment"],
            select(literal(month, String(7)), scored.c.contact_id, scored.c.rfm_segment).where(
                scored.c.contact_id.in_(select(contacts.rfm_table().c.contact_id))
            ),
        )
    )


def monthly_table() -> Table:
    """rfm_monthly (month, contact_id, rfm_segment): the groups of past months, read-only."""
    return _MONTHLY


async def previous_month(session: AsyncSession, before: str) -> str | None:
    """The latest month before `before` ("2026-11") whose groups were kept."""
    return (await session.execute(select(func.max(_MONTHLY.c.month)).where(_MONTHLY.c.month < before))).scalar_one()


async def report_figures(
    session: AsyncSession, as_of: datetime, previous: str | None, within: Within | None = None
) -> dict[str, Any]:
    """The RFM report's figures (rfm.core.fold) from the customers' RFM rows and the groups kept
    for `previous` (no purchase read), churn buckets as of `as_of`; `within` keeps some contacts
    only (a segment's members). One statement: the group now by last month's, grid cell and bucket."""
    cur, kept = contacts.rfm_table(), _MONTHLY
    other: Any = kept  # SQLite: the month in the join's key below, an index lookup per customer
    if await dialect_name(session) == "postgresql":
        # Last month's rows only (read by the primary key), hashed against this month's.
        other = select(kept.c.month, kept.c.contact_id, kept.c.rfm_segment).where(kept.c.month == previous)
        other = other.subquery("before")
    last = cur.c.last_purchase_at
    # Whole days since the last purchase at most N: the last purchase is less than N + 1 days ago.
    whens = [(last > literal(as_of - timedelta(days=high + 1), UTCDateTime()), name) for name, _, high in CHURN if high]
    bucket = case((last.is_(None), None), *whens, else_="365+")
    keys = (cur.c.rfm_segment, other.c.rfm_segment, cur.c.rfm_recency, cur.c.rfm_frequency, bucket)
    rows = await session.execute(
        select(
            *keys,
            func.count(),  # rows: a customer now, or last month only
            func.count(cur.c.contact_id),
            func.sum(cur.c.period_revenue),
            func.sum(cur.c.lifetime_revenue),
        )
        # Last month's customers who are none now (erased since) count as moved out. The month in
        # the join's key, and kept rows of other months left out.
        .select_from(
            cur.outerjoin(other, and_(other.c.month == previous, other.c.contact_id == cur.c.contact_id), full=True)
        )
        .where(
            or_(other.c.month == previous, other.c.month.is_(None)),
            *(within(func.coalesce(cur.c.contact_id, other.c.contact_id)) if within else ()),
        )
        .group_by(*keys)
    )
    return {"compared_with": previous, **fold(rows.all(), previous is not None)}


async def _ranges(session: AsyncSession, scored: Table) -> dict[str, Any]:
    """The lowest and highest measure each score covered, by dimension."""
    ranges: dict[str, Any] = {}
    for dimension, score, measure in (
        ("recency", scored.c.rfm_recency, scored.c.days),
        ("frequency", scored.c.rfm_frequency, scored.c.orders),
        ("monetary", scored.c.rfm_monetary, scored.c.revenue),
    ):
        rows = await session.execute(select(score, func.min(measure), func.max(measure)).group_by(score))
        ranges[dimension] = {str(s): [low, high] for s, low, high in rows.all()}
    return ranges


async def start_recompute(session: AsyncSession, enqueue: Enqueue, by: str, period_days: int) -> str:
    """The job that recomputes RFM: the one already queued or running, else a new one."""
    for job in await jobs.unfinished_jobs(session):
        if job.kind == KIND:
            return job.id
    job = await jobs.create_job(
        session,
        kind=KIND,
        task=JobName.RECOMPUTE_RFM,
        params={"period_days": period_days},
        created_by=by,
        enqueue=enqueue,
    )
    return job.id


async def latest_run(session: AsyncSession) -> RfmRun | None:
    query = select(RfmRun).order_by(col(RfmRun.computed_at).desc(), col(RfmRun.id).desc()).limit(1)
    return (await session.execute(query)).scalars().first()


def run_out(run: RfmRun) -> RfmRunOut:
    return RfmRunOut(
        computed_at=run.computed_at,
        period_days=run.period_days,
        customers=run.customers,
        changed=run.changed,
        ranges={
            dimension: [
                RfmRange(score=int(score), low=float(bounds[0]), high=float(bounds[1]))
                for score, bounds in sorted(run.ranges.get(dimension, {}).items())
            ]
            for dimension in DIMENSIONS
        },
    )


async def contact_rfm(session: AsyncSession, contact_id: int, now: datetime, period_days: int) -> RfmContactOut:
    """A contact's RFM fields as of the last recompute, its measures today, and that run's ranges."""
    await contacts.get_contact(session, contact_id)  # a 404 for a contact that does not exist
    fields = await contacts.rfm_of(session, contact_id)
    run = await latest_run(session)
    dialect = await dialect_name(session)
    period = run.period_days if run else period_days
    row = (await session.execute(measures(dialect, now, period, contact_id))).first()
    return RfmContactOut(
        contact_id=contact_id,
        recency=fields["rfm_recency"],
        frequency=fields["rfm_frequency"],
        monetary=fields["rfm_monetary"],
        score=fields["rfm_score"],
        segment=fields["rfm_segment"],
        measures=RfmMeasures(days=int(row.days), orders=int(row.orders), revenue=float(row.revenue)) if row else None,
        run=run_out(run) if run else None,
    )


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The contact's RFM group month by month (its current group is on the contact), for its data export."""
    return {"rfm_months": await rows_about(session, RfmMonthly, "contact_id", contact_id)}


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """An erased contact: its past RFM groups go too."""
    await session.execute(delete(RfmMonthly).where(col(RfmMonthly.contact_id) == contact_id))
