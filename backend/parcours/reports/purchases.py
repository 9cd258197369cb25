"""Purchase lines and customers' firsts: what the cohort and product reports group.

`purchase_lines` holds one narrow row per purchase interaction, its properties read once (product,
category, quantity, order) instead of at every report; `customer_firsts` holds each customer's
first purchase (its moment, month, product and category, what was bought then) and everything the
customer bought, and the customer's creation month; `cohort_months` and `created_cohort_months` the
revenue of each cohort (by first purchase, by creation) by month. A consumer of the interaction
stream adds each batch's purchases, in the batch's transaction, and brings its customers' firsts
and cohorts up to date; set-wise, the same SQL as the backfill (`rebuild`, run by migrations 0033
and 0034 and by `parcours rebuild-rollups`). A merge moves the other contact's lines to the
survivor and counts its firsts again; an erasure removes them; both move cohort revenue.

Each line also carries what the products report counts by (models.PurchaseLine): its UTC day, and
markers set from the buyer's other lines of the same product and category (the day of the one
before, of the one before of the same order, of the last change of order). They are set again for
every line of a customer whose lines change (a purchase arrives, late or not; a merge), set-wise
by window functions; an order shared by two contacts is flagged on all its lines.

Lines come from the interactions' own columns: the amount is the interaction's `value`; product
and category are the properties' text; quantity counts when it is a number; an order is the
`order_id`, or the interaction itself when it has none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    update,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.db import dialect_insert, dialect_name, insert_ignoring_duplicates, move_rows, table_of, utc_day
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer
from parcours.reports.models import CohortMonth, CreatedCohortMonth, CustomerFirst, PurchaseLine
from parcours.reports.sql import month_index

PURCHASE = "purchase"
LINES = table_of(PurchaseLine)
FIRSTS = table_of(CustomerFirst)
COHORTS = table_of(CohortMonth)
CREATED_COHORTS = table_of(CreatedCohortMonth)


def _text(properties: Any, key: str) -> ColumnElement[Any]:
    return properties[key].as_string()


def _number(dialect: str, properties: Any, key: str) -> ColumnElement[Any]:
    """The property when it is a JSON number, else 0 (a text would fail the cast on PostgreSQL)."""
    if dialect == "postgresql":
        is_number = func.jsonb_typeof(properties[key]) == "number"
    else:
        is_number = func.json_type(properties, f"$.{key}").in_(["integer", "real"])
    return case((is_number, properties[key].as_float()), else_=0.0)


EPOCH = date(1970, 1, 1)
EPOCH_JULIAN_DAY = 2440587.5  # julianday('1970-01-01'): exact in a double, as is every midnight's


def day_number(dialect: str, moment: Any) -> ColumnElement[int]:
    """A timestamp's UTC day as days since 1970-01-01 (exact: date arithmetic, no float)."""
    day = utc_day(dialect, moment)
    if dialect == "postgresql":
        return type_coerce(day - literal_column("DATE '1970-01-01'"), Integer)
    return cast(func.julianday(day) - EPOCH_JULIAN_DAY, Integer)


def day_number_of(day: date) -> int:
    """day_number of a day, in Python: what a report's period is compared with."""
    return (day - EPOCH).days


def _lines_from(dialect: str, *where: ColumnElement[bool]) -> Any:
    """The purchase lines of the purchase interactions `where` says, as an INSERT's SELECT."""
    p = interactions.table()
    return select(
        p.c.id,
        p.c.contact_id,
        p.c.occurred_at,
        month_index(dialect, p.c.occurred_at),
        day_number(dialect, p.c.occurred_at),
        _text(p.c.properties, "product"),
        _text(p.c.properties, "category"),
        func.coalesce(p.c.value, 0.0),
        _number(dialect, p.c.properties, "quantity"),
        func.coalesce(_text(p.c.properties, "order_id"), cast(p.c.id, String)),
    ).where(p.c.type == PURCHASE, *where)


_LINE_COLUMNS = [
    "interaction_id",
    "contact_id",
    "occurred_at",
    "month",
    "day",
    "product",
    "category",
    "amount",
    "quantity",
    "order_key",
]


async def add_lines(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    """Lines for the purchase interactions `where` says (those already there are kept), their
    markers not set yet (refresh_markers, refresh_shared_orders)."""
    dialect = await dialect_name(session)
    return await insert_ignoring_duplicates(
        session, PurchaseLine, _lines_from(dialect, *where), columns=_LINE_COLUMNS, index_elements=["interaction_id"]
    )


# Per line, of its buyer's lines of the same product (then category) in time order: the day of the
# line before, of the line before of the same order, of the line before when it was another order
# (None otherwise), and the latest such change day of the lines before it (models.PurchaseLine).
MARKERS = [
    f"{key}_{marker}"
    for key in ("product", "category")
    for marker in ("bought_before", "order_before", "change_day", "change_before")
]


def _markers(rows: Any, *carried: str) -> Any:
    """(interaction_id, *carried, *MARKERS) of every line of `rows` (a subquery of purchase lines'
    columns), from the lines of the same buyer there: the change days first, then the latest of
    them before each line."""
    r = rows.c
    in_time = [r.occurred_at, r.interaction_id]

    def before(column: Any, *partition: Any) -> Any:
        """`column` of the buyer's line before, among their lines of the same `partition`."""
        return func.lag(column).over(partition_by=[r.contact_id, *partition], order_by=in_time)

    changes = []
    for key in ("product", "category"):
        another_order = before(r.order_key, r[key]) != r.order_key
        changes += [
            before(r.day, r[key]).label(f"{key}_bought_before"),
            before(r.day, r[key], r.order_key).label(f"{key}_order_before"),
            case((another_order, before(r.day, r[key]))).label(f"{key}_change_day"),
        ]
    keys = ["interaction_id", "contact_id", "occurred_at", "product", "category"]
    c = select(*[r[name] for name in dict.fromkeys([*keys, *carried])], *changes).subquery("changes").c
    later = []
    for key in ("product", "category"):
        earlier = func.max(c[f"{key}_change_day"]).over(
            partition_by=[c.contact_id, c[key]], order_by=[c.occurred_at, c.interaction_id], rows=(None, -1)
        )
        later += [c[f"{key}_bought_before"], c[f"{key}_order_before"], c[f"{key}_change_day"], earlier]
    marked = [column.label(name) for column, name in zip(later, MARKERS, strict=True)]
    return select(c.interaction_id, *[c[name] for name in carried if name != "interaction_id"], *marked)


async def refresh_markers(session: AsyncSession, contact_ids: Iterable[int] | None = None) -> None:
    """Set again the markers of these customers' lines (None: every line); only those that change
    are written. A few customers' changed lines are written one by one by their key: joined to the
    whole table instead, PostgreSQL would read all of it for a few thousand lines."""
    where = [] if contact_ids is None else [LINES.c.contact_id.in_(sorted(set(contact_ids)))]
    stored = [f"stored_{name}" for name in MARKERS]
    ordered = ["interaction_id", "contact_id", "occurred_at", "day", "product", "category", "order_key"]
    read = [*[LINES.c[name] for name in ordered], *[LINES.c[name].label(f"stored_{name}") for name in MARKERS]]
    m = _markers(select(*read).where(*where).subquery("lines"), *stored).subquery("markers").c
    differs = or_(*[m[old].is_distinct_from(m[name]) for old, name in zip(stored, MARKERS, strict=True)])
    changed = select(m.interaction_id, *[m[name] for name in MARKERS]).where(differs)
    if contact_ids is None:
        c = changed.subquery("changed").c
        await session.execute(
            update(LINES).values({name: c[name] for name in MARKERS}).where(LINES.c.interaction_id == c.interaction_id)
        )
        return
    rows = [
        {"line": line, **{f"new_{name}": value for name, value in zip(MARKERS, values, strict=True)}}
        for line, *values in (await session.execute(changed)).all()
    ]
    if rows:
        by_key = update(LINES).where(LINES.c.interaction_id == bindparam("line"))
        await session.execute(by_key.values({name: bindparam(f"new_{name}") for name in MARKERS}), rows)


async def refresh_shared_orders(session: AsyncSession, orders: Any | None = None) -> None:
    """Flag the lines of the orders (a SELECT of order keys; None: every order) that more than
    one contact has lines of, and unflag the others."""
    where = [] if orders is None else [LINES.c.order_key.in_(orders)]
    shared = select(LINES.c.order_key).where(*where).group_by(LINES.c.order_key)
    shared = shared.having(func.count(LINES.c.contact_id.distinct()) > 1)
    for flag, keys in ((True, LINES.c.order_key.in_(shared)), (False, LINES.c.order_key.not_in(shared))):
        await session.execute(update(LINES).values(order_shared=flag).where(*where, keys, LINES.c.order_shared != flag))


async def refresh_firsts(session: AsyncSession, contact_ids: Iterable[int] | None = None) -> None:
    """Count again the firsts of these customers (None: every customer) from their lines."""
    dialect = await dialect_name(session)
    where = [] if contact_ids is None else [LINES.c.contact_id.in_(sorted(set(contact_ids)))]
    by_contact = LINES.c.contact_id
    ranked = (
        select(
            by_contact,
            LINES.c.occurred_at,
            LINES.c.month,
            LINES.c.product,
            LINES.c.category,
            func.sum(LINES.c.amount).over(partition_by=[by_contact, LINES.c.occurred_at]).label("at_first"),
            func.sum(LINES.c.amount).over(partition_by=by_contact).label("revenue"),
            func.row_number()
            .over(partition_by=by_contact, order_by=[LINES.c.occurred_at, LINES.c.interaction_id])
            .label("rank"),
        )
        .where(*where)
        .subquery("ranked")
    )
    r, people = ranked.c, contacts.contacts_table()
    firsts = (
        select(
            r.contact_id,
            r.occurred_at,
            r.month,
            month_index(dialect, people.c.created_at),
            r.product,
            r.category,
            r.at_first,
            r.revenue,
        )
        .join(people, people.c.id == r.contact_id)
        .where(r.rank == 1)
    )
    insert = dialect_insert(dialect, CustomerFirst)
    columns = [
        "contact_id",
        "first_at",
        "first_month",
        "created_month",
        "first_product",
        "first_category",
        "first_revenue",
        "revenue",
    ]
    await session.execute(
        insert.from_select(columns, firsts).on_conflict_do_update(
            index_elements=["contact_id"], set_={name: insert.excluded[name] for name in columns[1:]}
        )
    )


# The kept cohort tables, each with the customers' column that puts them in a cohort.
KEPT = ((COHORTS, FIRSTS.c.first_month), (CREATED_COHORTS, FIRSTS.c.created_month))


def _cohort_cells(cohorts: list[Any], contact_ids: Iterable[int] | None = None) -> Any:
    """(*cohorts, month, revenue) of these customers (None: all of them)."""
    where = [] if contact_ids is None else [FIRSTS.c.contact_id.in_(sorted(set(contact_ids)))]
    return (
        select(*cohorts, LINES.c.month, func.sum(LINES.c.amount))
        .join(LINES, LINES.c.contact_id == FIRSTS.c.contact_id)
        .where(*where)
        .group_by(*cohorts, LINES.c.month)
    )


@asynccontextmanager
async def _moving_cohorts(session: AsyncSession, contact_ids: set[int]) -> AsyncIterator[None]:
    """What these customers add to the kept cohorts is taken out before the block and added after it."""
    cells = _cohort_cells([column for _, column in KEPT], contact_ids)
    changes: list[dict[tuple[int, int], float]] = [defaultdict(float) for _ in KEPT]

    async def add(sign: int) -> None:
        for *cohorts, month, amount in (await session.execute(cells)).all():
            for change, cohort in zip(changes, cohorts, strict=True):
                change[(cohort, month)] += sign * amount

    await add(-1)
    yield
    await add(1)
    dialect = await dialect_name(session)
    for (table, _), change in zip(KEPT, changes, strict=True):
        rows = [{"cohort": c, "month": m, "revenue": v} for (c, m), v in sorted(change.items()) if v]
        if rows:
            insert = dialect_insert(dialect, table)
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=["cohort", "month"], set_={"revenue": table.c.revenue + insert.excluded.revenue}
                ),
                rows,
            )


def stream_consumer() -> Consumer:
    async def consume(batch: Batch) -> None:
        bought = [row for row in batch.rows if row.type == PURCHASE]
        if not bought:
            return
        customers = {row.contact_id for row in bought}
        async with _moving_cohorts(batch.session, customers):
            p, ids = interactions.table(), [row.id for row in bought]
            await add_lines(batch.session, p.c.id.in_(ids))
            await refresh_firsts(batch.session, customers)
            await refresh_markers(batch.session, customers)
            await refresh_shared_orders(batch.session, select(LINES.c.order_key).where(LINES.c.interaction_id.in_(ids)))

    return consume


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """The other's purchases become the survivor's, whose firsts are counted again from all of them."""
    async with _moving_cohorts(session, {survivor_id, other_id}):
        moved = await move_rows(session, PurchaseLine, "contact_id", other_id, survivor_id)
        await session.execute(delete(CustomerFirst).where(col(CustomerFirst.contact_id) == other_id))
        if moved:
            await refresh_firsts(session, [survivor_id])
            await refresh_markers(session, [survivor_id])
            await refresh_shared_orders(session, select(LINES.c.order_key).where(LINES.c.contact_id == survivor_id))
    return {"purchase_lines": moved}


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """An erased contact's purchases go with its interactions."""
    async with _moving_cohorts(session, {contact_id}):
        await session.execute(delete(PurchaseLine).where(col(PurchaseLine.contact_id) == contact_id))
        await session.execute(delete(CustomerFirst).where(col(CustomerFirst.contact_id) == contact_id))


async def rebuild(session: AsyncSession) -> int:
    """Every line and every customer's firsts again from the purchase interactions, set-wise (the
    stream's later batches add theirs on top: a line already there is kept). Returns the lines.
    The stream's cursor stays locked meanwhile: no batch adds lines half-way."""
    await interactions.stream_cursor(session)
    for table in (COHORTS, CREATED_COHORTS, FIRSTS, LINES):
        await session.execute(delete(table))
    added = await add_lines(session)
    await refresh_firsts(session)
    await refresh_markers(session)
    await refresh_shared_orders(session)
    for table, column in KEPT:
        await session.execute(table.insert().from_select(["cohort", "month", "revenue"], _cohort_cells([column])))
    return added
