"""Lists of contacts: filtered, sorted, a page at a time (by cursor) or all of them in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import decode_cursor, encode_cursor
from parcours.contacts import accounts
from parcours.contacts import normalize as n
from parcours.contacts.computed import RFM_COLUMNS, rfm_of_many
from parcours.contacts.lookup import add_values, outs
from parcours.contacts.models import Contact
from parcours.contacts.schemas import ContactFilters, ContactOut, ContactPage
from parcours.errors import InvalidInput

MAX_PAGE = 500
_SORT_COLUMNS = {"created_at": "id", "id": "id"}
_FILTERED = (
    "lifecycle_stage",
    "country",
    "language",
    "consent_level",
    "source",
    "lead_origin",
    "account_id",
    "email_opt_in",
    "unsubscribed",
    "bounced",
)


def _filters(f: ContactFilters, among: Select[Any] | None = None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [] if among is None else [col(Contact.id).in_(among)]
    term = n.fold(f.q or "")
    if term:
        # fold() leaves only [a-z0-9 ], so the pattern needs no escaping.
        where.append(col(Contact.search_text).like(f"%{term}%"))
    for field in _FILTERED:
        value = getattr(f, field)
        if value is not None:
            where.append(getattr(Contact, field) == value)
    if f.created_after:
        where.append(col(Contact.created_at) >= f.created_after)
    if f.created_before:
        where.append(col(Contact.created_at) < f.created_before)
    return where


def _keyset(column: Any, descending: bool, last: Any, last_id: int) -> ColumnElement[bool]:
    """Rows after (last, last_id) in the order column [desc nulls first | asc nulls last], id."""
    after_id = col(Contact.id) < last_id if descending else col(Contact.id) > last_id
    if column is Contact.id:
        return after_id
    if last is None:
        return (
            or_(and_(column.is_(None), after_id), column.isnot(None))
            if descending
            else and_(column.is_(None), after_id)
        )
    beyond = column < last if descending else column > last
    following = or_(beyond, and_(column == last, after_id))
    return following if descending else or_(following, column.is_(None))


async def list_contacts(
    session: AsyncSession,
    filters: ContactFilters,
    sort: str = "-id",
    limit: int = 50,
    cursor: str | None = None,
    among: Select[Any] | None = None,
    fields: Sequence[str] = (),
) -> ContactPage:
    """A page of contacts; `among` (a query of contact ids, e.g. a segment's members) narrows it;
    `fields` (rule fields: computed_<name>, rfm_*) are added to each row."""
    limit = max(1, min(limit, MAX_PAGE))
    descending = sort.startswith("-")
    name = _SORT_COLUMNS.get(sort.lstrip("-"), sort.lstrip("-"))
    column = getattr(Contact, name)
    where = _filters(filters, among)
    query = select(Contact).where(*where)
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not isinstance(values[1], int):
            raise InvalidInput("This page cursor is not valid: start again from the first page.", "cursor")
        last = values[0]
        if isinstance(last, str) and name.endswith("_at"):
            last = datetime.fromisoformat(last)
        query = query.where(_keyset(column, descending, last, values[1]))
    order = [column.desc().nulls_first() if descending else column.asc().nulls_last()]
    if column is not Contact.id:
        order.append(col(Contact.id).desc() if descending else col(Contact.id).asc())
    rows = (await session.execute(query.order_by(*order).limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(Contact).where(*where))).scalar_one()
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last_row = page[-1]
        key = getattr(last_row, name)
        next_cursor = encode_cursor([key.isoformat() if isinstance(key, datetime) else key, last_row.id])
    names = await accounts.names(session, {c.account_id for c in page if c.account_id is not None})
    items = outs(page, names)
    await add_values(session, items)
    if fields:
        await _add_fields(session, items, fields)
    return ContactPage(items=items, next_cursor=next_cursor, total=int(total))


async def _add_fields(session: AsyncSession, items: list[ContactOut], fields: Sequence[str]) -> None:
    """Behavioural values are already in each row's scores (add_values); RFM ones are read in one query for the page."""
    rfm = await rfm_of_many(session, [item.id for item in items]) if any(f in RFM_COLUMNS for f in fields) else {}
    for item in items:
        own = rfm.get(item.id, {})
        item.fields = {name: own.get(name) if name in RFM_COLUMNS else item.scores.get(name) for name in fields}


async def iterate_contacts(
    session: AsyncSession,
    filters: ContactFilters,
    batch: int = 2000,
    among: Select[Any] | None = None,
) -> AsyncIterator[tuple[Sequence[Contact], dict[int, str]]]:
    """Every contact matching the filters, in id order, a batch at a time, with their accounts'
    names (exports)."""
    last_id = 0
    where = _filters(filters, among)
    while True:
        query = select(Contact).where(*where, col(Contact.id) > last_id).order_by(col(Contact.id)).limit(batch)
        rows = (await session.execute(query)).scalars().all()
        if not rows:
            return
        names = await accounts.names(session, {c.account_id for c in rows if c.account_id is not None})
        yield rows, names
        last_id = rows[-1].id or last_id
