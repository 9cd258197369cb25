"""Pairs of contacts that are probably one person, found set-wise in SQL.

Each contact carries its match keys (contacts.matching: `email_key`, the mailbox its email reaches;
`person_key`, its folded names; and its phone, stored in E.164), each indexed: a pair is two
contacts equal on one of them (names: at the same account). Three self-joins on equality, which
both databases answer with hash or index joins over the whole base, paged by (older id, newer id),
newest first: the duplicates that just arrived (an import, a form) come up first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, literal, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import cut, read_cursor
from parcours.contacts import accounts
from parcours.contacts.lookup import outs
from parcours.contacts.matching import REASONS, Reason, email_key, person_key
from parcours.contacts.models import CONTACTS, Contact
from parcours.contacts.schemas import DuplicatePage, DuplicatePair

# More contacts than this on one key are a switchboard number, a shared mailbox or a common name
# at a large company, not one person: proposing every pair of them would bury the real ones.
MAX_GROUP = 10


def _pairs(up_to: int | None) -> Select[Any]:
    """(older id, newer id, reason) of every matching pair; `up_to`: only pairs whose older
    contact is at most this one (a later page need not join the contacts after it). Each key's
    repeated values are found first (one grouping over its index), then only their contacts paired."""
    contacts = CONTACTS
    keys = {
        "email": [contacts.c.email_key],
        "phone": [contacts.c.phone],
        "name_company": [contacts.c.account_id, contacts.c.person_key],
    }
    branches = []
    for reason in REASONS:
        columns = keys[reason]
        repeated = (
            select(*columns)
            .where(*(c.is_not(None) for c in columns))
            .group_by(*columns)
            .having(func.count().between(2, MAX_GROUP))
            .subquery(f"repeated_{reason}")
        )
        a, b = CONTACTS.alias(f"a_{reason}"), CONTACTS.alias(f"b_{reason}")
        on_a = and_(*(a.c[c.name] == repeated.c[c.name] for c in columns))
        on_b = and_(*(b.c[c.name] == a.c[c.name] for c in columns), a.c.id < b.c.id)
        query = select(a.c.id.label("low"), b.c.id.label("high"), literal(reason).label("reason")).select_from(
            repeated.join(a, on_a).join(b, on_b)
        )
        if up_to is not None:
            query = query.where(a.c.id <= up_to)
        branches.append(query)
    return union_all(*branches).subquery("pairs")  # type: ignore[return-value]


async def count_pairs(session: AsyncSession) -> int:
    pairs: Any = _pairs(None)
    distinct = select(pairs.c.low, pairs.c.high).group_by(pairs.c.low, pairs.c.high).subquery()
    return int((await session.execute(select(func.count()).select_from(distinct))).scalar_one())


async def find_pairs(session: AsyncSession, limit: int, cursor: str | None) -> DuplicatePage:
    """A page of probable duplicates, newest first; in each, the older contact first (the survivor a
    merge proposes)."""
    start = read_cursor(cursor, int, int)
    pairs: Any = _pairs(start[0] if start else None)
    query = select(pairs.c.low, pairs.c.high).group_by(pairs.c.low, pairs.c.high)
    if start is not None:
        query = query.having((pairs.c.low < start[0]) | and_(pairs.c.low == start[0], pairs.c.high < start[1]))
    rows = (
        (await session.execute(query.order_by(pairs.c.low.desc(), pairs.c.high.desc()).limit(limit + 1))).tuples().all()
    )
    page, next_cursor = cut(rows, limit, lambda r: [r[0], r[1]])
    ids = sorted({cid for pair in page for cid in pair})
    found = {c.id: c for c in (await session.execute(select(Contact).where(col(Contact.id).in_(ids)))).scalars()}
    names = await accounts.names(session, {c.account_id for c in found.values() if c.account_id is not None})
    shown = {out.id: out for out in outs(list(found.values()), names)}
    items = [
        DuplicatePair(contact=shown[low], other=shown[high], reasons=reasons_of(found[low], found[high]))
        for low, high in page
        if low in shown and high in shown
    ]
    return DuplicatePage(items=items, next_cursor=next_cursor, total=await count_pairs(session))


def reasons_of(one: Contact, other: Contact) -> list[Reason]:
    """Why two contacts are probably one person, as the SQL pairs them."""
    found: list[Reason] = []
    if email_key(one.email) == email_key(other.email):
        found.append("email")
    if one.phone and one.phone == other.phone:
        found.append("phone")
    names = person_key(one.first_name, one.last_name)
    same_account = one.account_id is not None and one.account_id == other.account_id
    if same_account and names is not None and names == person_key(other.first_name, other.last_name):
        found.append("name_company")
    return found
