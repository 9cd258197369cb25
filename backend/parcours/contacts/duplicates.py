"""Pairs of contacts that are probably one person, found set-wise in SQL.

Each contact carries its match keys (contacts.matching: `email_key`, the mailbox its email reaches;
`person_key`, its folded names; and its phone, stored in E.164), each indexed: a pair is two
contacts equal on one of them (names: at the same account). Three self-joins on equality, which
both databases answer with hash or index joins over the whole base, paged by (older id, newer id),
newest first: the duplicates that just arrived (an import, a form) come up first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, exists, func, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import cut, read_cursor
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import accounts
from parcours.contacts.lookup import existing_ids, outs
from parcours.contacts.matching import REASONS, Reason, email_key, person_key
from parcours.contacts.models import CONTACTS, DISTINCT_PAIRS, Contact
from parcours.contacts.schemas import DuplicatePage, DuplicatePair
from parcours.db import insert_ignoring_duplicates
from parcours.errors import InvalidInput, NotFound

# More contacts than this on one key are a switchboard number, a shared mailbox or a common name
# at a large company, not one person: proposing every pair of them would bury the real ones.
MAX_GROUP = 10


def _pairs() -> Any:
    """(older id, newer id) of every matching pair, once whatever the number of reasons. Each
    key's repeated values are found first (one grouping over its index), then only their contacts
    paired."""
    keys = {
        "email": [CONTACTS.c.email_key],
        "phone": [CONTACTS.c.phone],
        "name_company": [CONTACTS.c.account_id, CONTACTS.c.person_key],
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
        branches.append(
            select(a.c.id.label("low"), b.c.id.label("high")).select_from(repeated.join(a, on_a).join(b, on_b))
        )
    found = union_all(*branches).subquery("found")
    told_apart = exists().where(DISTINCT_PAIRS.c.low_id == found.c.low, DISTINCT_PAIRS.c.high_id == found.c.high)
    return select(found.c.low, found.c.high).where(~told_apart).group_by(found.c.low, found.c.high).subquery("pairs")


async def count_pairs(session: AsyncSession) -> int:
    """Every probable pair of the base: the detection itself."""
    return int((await session.execute(select(func.count()).select_from(_pairs()))).scalar_one())


async def find_pairs(session: AsyncSession, limit: int, cursor: str | None) -> DuplicatePage:
    """A page of probable duplicates, newest first; in each, the older contact first (the survivor a
    merge proposes). One detection per page: the total is counted over it in the same pass (a
    window), and a page's LIMIT cannot tempt the planner into probing the base pair by pair."""
    start = read_cursor(cursor, int, int)
    pairs = _pairs()
    counted = select(pairs.c.low, pairs.c.high, func.count().over().label("total")).subquery("counted")
    query = select(counted.c.low, counted.c.high, counted.c.total)
    if start is not None:
        query = query.where((counted.c.low < start[0]) | and_(counted.c.low == start[0], counted.c.high < start[1]))
    query = query.order_by(counted.c.low.desc(), counted.c.high.desc()).limit(limit + 1)
    rows = (await session.execute(query)).tuples().all()
    page, next_cursor = cut(rows, limit, lambda r: [r[0], r[1]])
    total = int(rows[0][2]) if rows else await count_pairs(session)
    ids = sorted({cid for low, high, _ in page for cid in (low, high)})
    found = {c.id: c for c in (await session.execute(select(Contact).where(col(Contact.id).in_(ids)))).scalars()}
    names = await accounts.names(session, {c.account_id for c in found.values() if c.account_id is not None})
    shown = {out.id: out for out in outs(list(found.values()), names)}
    items = [
        DuplicatePair(contact=shown[low], other=shown[high], reasons=reasons_of(found[low], found[high]))
        for low, high, _ in page
        if low in shown and high in shown
    ]
    return DuplicatePage(items=items, next_cursor=next_cursor, total=total)


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


async def _pair(session: AsyncSession, contact_id: int, other_id: int) -> tuple[int, int]:
    if contact_id == other_id:
        raise InvalidInput("A contact is always the same person as itself: name two contacts.", "other_id")
    found = await existing_ids(session, [contact_id, other_id])
    for field, value in (("contact_id", contact_id), ("other_id", other_id)):
        if value not in found:
            raise NotFound(f"There is no contact with id {value}.", field)
    return min(contact_id, other_id), max(contact_id, other_id)


async def tell_apart(session: AsyncSession, contact_id: int, other_id: int, actor: Actor) -> None:
    """Two contacts are different people: their pair leaves the duplicates (marking twice is a no-op)."""
    low, high = await _pair(session, contact_id, other_id)
    row = {"low_id": low, "high_id": high, "marked_by": actor.label, "marked_at": utcnow()}
    await insert_ignoring_duplicates(session, DISTINCT_PAIRS, [row])


async def undo_tell_apart(session: AsyncSession, contact_id: int, other_id: int) -> None:
    """The pair may be proposed again (undoing a mark made by mistake)."""
    low, high = await _pair(session, contact_id, other_id)
    await session.execute(
        delete(DISTINCT_PAIRS).where(DISTINCT_PAIRS.c.low_id == low, DISTINCT_PAIRS.c.high_id == high)
    )
