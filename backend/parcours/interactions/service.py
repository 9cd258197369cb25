"""Ingesting tracked behaviour, reading a contact's timeline, keeping computed fields current."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Select, String, Table, and_, case, cast, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.addresses import normalize_email
from parcours.api import after, cut, read_cursor, to_out
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import Sessions, dialect_name, move_rows, per_day, transaction
from parcours.errors import InvalidInput, ParcoursError, Unprocessable
from parcours.interactions import recording
from parcours.interactions.batch import Stored
from parcours.interactions.models import Interaction, StreamCursor
from parcours.interactions.schemas import (
    InteractionIn,
    InteractionOut,
    InteractionPage,
    InteractionPost,
)

MAX_PROPERTIES_BYTES = 16_384
FUTURE_TOLERANCE = timedelta(minutes=5)
WINDOW = timedelta(days=30)
STATS_CURSOR = "contact_stats"
ROLL_CURSOR = "contact_stats_window"
GAP_PATIENCE = timedelta(seconds=60)
MAX_GAPS = 10_000
STATS_BATCH = 5_000
_TABLE = Interaction.metadata.tables["interactions"]


def items_of(post: InteractionPost) -> tuple[list[InteractionIn], str]:
    """The interactions a request carries, and how to name an item's field in an error."""
    if post.batch is not None:
        if post.type is not None:
            raise InvalidInput("Send either one interaction or a batch, not both.", "batch")
        if not post.batch:
            raise InvalidInput("The batch is empty.", "batch")
        return post.batch, "batch[{i}]."
    if post.type is None:
        raise InvalidInput('An interaction needs a type (or send {"batch": [...]}).', "type")
    single = InteractionIn(
        type=post.type,
        occurred_at=post.occurred_at,
        contact_id=post.contact_id,
        email=post.email,
        create_contact=post.create_contact,
        properties=post.properties,
    )
    return [single], ""


def _value(item: InteractionIn, where: str) -> float | None:
    raw = item.properties.get("amount", item.properties.get("value"))
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise InvalidInput("'amount' must be a number.", where + "properties.amount")
    return float(raw)


class Delivery(msgspec.Struct):
    """One request's interactions, checked as far as possible without the database."""

    rows: list[dict[str, Any]]
    by_email: dict[int, str]
    creatable: set[str]
    prefix: str


def prepare(post: InteractionPost) -> Delivery:
    items, prefix = items_of(post)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    by_email: dict[int, str] = {}
    creatable: set[str] = set()
    for i, item in enumerate(items):
        where = prefix.format(i=i)
        occurred = item.occurred_at or now
        if occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=now.tzinfo)
        if occurred > now + FUTURE_TOLERANCE:
            raise InvalidInput("This interaction is dated in the future.", where + "occurred_at")
        if len(msgspec.json.encode(item.properties)) > MAX_PROPERTIES_BYTES:
            raise InvalidInput(f"Properties are limited to {MAX_PROPERTIES_BYTES} bytes.", where + "properties")
        if item.contact_id is None:
            if not item.email:
                raise InvalidInput("Say who did it: a contact_id or an email.", where + "contact_id")
            try:
                by_email[i] = normalize_email(item.email)
            except ValueError as exc:
                raise InvalidInput(str(exc), where + "email") from None
            if item.create_contact:
                creatable.add(by_email[i])
        rows.append(
            {
                "contact_id": item.contact_id,
                "type": item.type,
                "occurred_at": occurred,
                "value": _value(item, where),
                "properties": item.properties,
                "received_at": now,
            }
        )
    return Delivery(rows=rows, by_email=by_email, creatable=creatable, prefix=prefix)


def _missing(delivery: Delivery, existing: set[int], found: dict[str, int]) -> ParcoursError | None:
    for i, row in enumerate(delivery.rows):
        if row["contact_id"] is not None and row["contact_id"] not in existing:
            return Unprocessable(
                f"There is no contact with id {row['contact_id']}.", delivery.prefix.format(i=i) + "contact_id"
            )
    for i, email in delivery.by_email.items():
        if email not in found and email not in delivery.creatable:
            return Unprocessable(
                f"There is no contact with the email {email} (set create_contact to create it).",
                delivery.prefix.format(i=i) + "email",
            )
    return None


async def store(session: AsyncSession, deliveries: Sequence[Delivery]) -> list[int | ParcoursError]:
    """Store several requests' interactions in one transaction. Each request is stored whole or
    refused whole (an unknown contact refuses its request only)."""
    ids = {r["contact_id"] for d in deliveries for r in d.rows if r["contact_id"] is not None}
    existing = await contacts.existing_ids(session, ids) if ids else set()
    emails = {e for d in deliveries for e in d.by_email.values()}
    found = await contacts.ids_by_email(session, emails) if emails else {}
    outcomes: list[int | ParcoursError] = []
    to_create: set[str] = set()
    for delivery in deliveries:
        problem = _missing(delivery, existing, found)
        outcomes.append(problem if problem is not None else len(delivery.rows))
        if problem is None:
            to_create |= {e for e in delivery.by_email.values() if e not in found}
    if to_create:
        found |= await contacts.create_minimal(session, sorted(to_create), source="interaction")
    rows = []
    for delivery, outcome in zip(deliveries, outcomes, strict=True):
        if isinstance(outcome, int):
            for i, email in delivery.by_email.items():
                delivery.rows[i]["contact_id"] = found[email]
            rows += delivery.rows
    await recording.record(session, rows)
    return outcomes


# ---- reading ---------------------------------------------------------------------------------


async def timeline(
    session: AsyncSession, contact_id: int, types: list[str] | None, limit: int, cursor: str | None
) -> InteractionPage:
    await contacts.get_contact(session, contact_id)
    where = [col(Interaction.contact_id) == contact_id]
    if types:
        where.append(col(Interaction.type).in_(types))
    order = [(col(Interaction.occurred_at), True), (col(Interaction.id), True)]
    query = select(Interaction).where(*where)
    last = read_cursor(cursor, datetime, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(*(c.desc() for c, _ in order)).limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(Interaction).where(*where))).scalar_one()
    page, next_cursor = cut(rows, limit, lambda r: [r.occurred_at, r.id])
    return InteractionPage(items=[to_out(r, InteractionOut) for r in page], next_cursor=next_cursor, total=int(total))


async def summary_for(session: AsyncSession, contact_id: int) -> tuple[dict[str, int], float]:
    """How many interactions of each type a contact has, and their purchases' total."""
    rows = await session.execute(
        select(col(Interaction.type), func.count(), func.coalesce(func.sum(col(Interaction.value)), 0.0))
        .where(col(Interaction.contact_id) == contact_id)
        .group_by(col(Interaction.type))
    )
    counts, revenue = {}, 0.0
    for kind, count, total in rows.all():
        counts[kind] = int(count)
        if kind == "purchase":
            revenue = float(total)
    return counts, revenue


async def all_for(session: AsyncSession, contact_id: int) -> list[InteractionOut]:
    rows = await session.execute(
        select(Interaction).where(col(Interaction.contact_id) == contact_id).order_by(col(Interaction.id))
    )
    return [to_out(r, InteractionOut) for r in rows.scalars().all()]


async def delete_for(session: AsyncSession, contact_id: int) -> None:
    await session.execute(delete(Interaction).where(col(Interaction.contact_id) == contact_id))


# ---- computed fields -------------------------------------------------------------------------


def _since(now: datetime) -> datetime:
    return now - WINDOW


async def recompute_stats(session: AsyncSession, contact_ids: list[int]) -> int:
    """Recompute every computed field of these contacts from their interactions (idempotent)."""
    if not contact_ids:
        return 0
    since = _since(utcnow())
    recent = col(Interaction.occurred_at) >= since

    def count_where(*condition: Any) -> Any:
        return func.sum(case((and_(*condition), 1), else_=0))

    is_purchase = col(Interaction.type) == "purchase"
    query = (
        select(
            col(Interaction.contact_id),
            func.max(col(Interaction.occurred_at)),
            func.min(col(Interaction.occurred_at)),
            count_where(col(Interaction.type) == "email_opened", recent),
            count_where(col(Interaction.type) == "email_clicked", recent),
            count_where(col(Interaction.type) == "page_visited", recent),
            count_where(is_purchase),
            func.sum(case((is_purchase, func.coalesce(col(Interaction.value), 0.0)), else_=0.0)),
            func.max(case((is_purchase, col(Interaction.occurred_at)), else_=None)),
        )
        .where(col(Interaction.contact_id).in_(contact_ids), col(Interaction.type).notin_(recording.SYSTEM_TYPES))
        .group_by(col(Interaction.contact_id))
    )
    stats = {
        row[0]: {
            "id": row[0],
            "last_interaction_at": _aware(row[1]),
            "first_seen_at": _aware(row[2]),
            "opens_30d": int(row[3]),
            "clicks_30d": int(row[4]),
            "visits_30d": int(row[5]),
            "purchases": int(row[6]),
            "total_revenue": float(row[7] or 0.0),
            "last_purchase_at": _aware(row[8]),
        }
        for row in (await session.execute(query)).all()
    }
    empty = {
        "last_interaction_at": None,
        "first_seen_at": None,
        "opens_30d": 0,
        "clicks_30d": 0,
        "visits_30d": 0,
        "purchases": 0,
        "total_revenue": 0.0,
        "last_purchase_at": None,
    }
    rows = [stats.get(cid, {"id": cid, **empty}) for cid in await contacts.existing_ids(session, contact_ids)]
    await contacts.set_computed(session, rows)
    return len(rows)


def _aware(value: Any) -> Any:
    """Aggregates bypass the column type: SQLite hands back naive strings or datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


async def _cursor(session: AsyncSession, name: str) -> StreamCursor:
    """The named cursor, locked until the transaction ends (concurrent runs take turns)."""
    table = StreamCursor.metadata.tables["stream_cursors"]
    upsert = postgresql.insert(table) if await dialect_name(session) == "postgresql" else sqlite.insert(table)
    await session.execute(upsert.values(name=name, position=0, gaps={}, updated_at=utcnow()).on_conflict_do_nothing())
    cursor = await session.get(StreamCursor, name, with_for_update=True, populate_existing=True)
    assert cursor is not None
    return cursor


def _gaps_after(cursor: StreamCursor, seen: list[int], now: float) -> dict[str, float]:
    """Ids skipped between the old position and the newest id seen: on PostgreSQL a transaction
    that took an id earlier may commit later. They are looked for again for GAP_PATIENCE."""
    gaps = {k: t for k, t in cursor.gaps.items() if now - t < GAP_PATIENCE.total_seconds()}
    for found in seen:
        gaps.pop(str(found), None)
    newest = max(seen)
    if newest > cursor.position:
        fresh = set(range(cursor.position + 1, newest + 1)) - set(seen)
        for missing in sorted(fresh)[-MAX_GAPS:]:
            gaps[str(missing)] = now
    return dict(sorted(gaps.items(), key=lambda kv: kv[1])[-MAX_GAPS:])


async def stream_cursor(session: AsyncSession) -> StreamCursor:
    """The stream's cursor (how far its consumers have got), locked until the transaction ends."""
    return await _cursor(session, STATS_CURSOR)


def handed_on(cursor: StreamCursor) -> Any:
    """In SQL: the interactions the stream has handed on by `cursor` (up to its position, less
    the ids it still waits for)."""
    done = col(Interaction.id) <= cursor.position
    return done & col(Interaction.id).not_in([int(k) for k in cursor.gaps]) if cursor.gaps else done


async def rows_after(session: AsyncSession, cursor: StreamCursor, limit: int) -> list[Stored]:
    """The next interactions of the stream after `cursor`, ids it skipped included, oldest first."""
    waiting = [int(k) for k in cursor.gaps]
    newer = col(Interaction.id) > cursor.position
    rows = (
        await session.execute(
            select(
                col(Interaction.id),
                col(Interaction.contact_id),
                col(Interaction.type),
                col(Interaction.occurred_at),
                col(Interaction.properties),
            )
            .where(or_(newer, col(Interaction.id).in_(waiting)) if waiting else newer)
            .order_by(col(Interaction.id))
            .limit(limit)
        )
    ).all()
    return [
        Stored(id=r.id, contact_id=r.contact_id, type=r.type, occurred_at=r.occurred_at, properties=r.properties or {})
        for r in rows
    ]


async def stream_freshness(session: AsyncSession) -> datetime | None:
    """The time up to which the stream has handed every interaction on: now when nothing waits,
    else when its cursor last moved (None: it never ran)."""
    cursor = (
        await session.execute(
            select(col(StreamCursor.position), col(StreamCursor.gaps), col(StreamCursor.updated_at)).where(
                col(StreamCursor.name) == STATS_CURSOR
            )
        )
    ).first()
    position = int(cursor[0]) if cursor else 0
    waiting = (
        await session.execute(select(col(Interaction.id)).where(col(Interaction.id) > position).limit(1))
    ).first()
    if waiting is None and not (cursor and cursor[1]):
        return utcnow()
    return cursor[2] if cursor else None


_STORED = (
    col(Interaction.id),
    col(Interaction.contact_id),
    col(Interaction.type),
    col(Interaction.occurred_at),
    col(Interaction.properties),
)


def _stored(rows: Iterable[Any]) -> list[Stored]:
    return [
        Stored(id=r.id, contact_id=r.contact_id, type=r.type, occurred_at=r.occurred_at, properties=r.properties or {})
        for r in rows
    ]


async def stored_of(session: AsyncSession, contact_id: int) -> list[Stored]:
    """A contact's interactions as the stream hands them on (before an erasure takes them)."""
    query = select(*_STORED).where(col(Interaction.contact_id) == contact_id).order_by(col(Interaction.id))
    return _stored((await session.execute(query)).all())


async def stored_between(session: AsyncSession, since: datetime, until: datetime, types: Iterable[str]) -> list[Stored]:
    """Interactions of these types that occurred in [since, until) (by id), as the stream hands
    them on; the (type, time) index serves it."""
    query = (
        select(*_STORED)
        .where(
            col(Interaction.type).in_(sorted(set(types))),
            col(Interaction.occurred_at) >= since,
            col(Interaction.occurred_at) < until,
        )
        .order_by(col(Interaction.id))
    )
    return _stored((await session.execute(query)).all())


def move_cursor(cursor: StreamCursor, ids: list[int]) -> None:
    """Past these ids (oldest first; none: only forget the gaps waited for long enough)."""
    if not ids:
        if cursor.gaps:
            cursor.gaps = _gaps_after(cursor, [cursor.position], utcnow().timestamp())
        return
    cursor.gaps = _gaps_after(cursor, ids, utcnow().timestamp())
    cursor.position, cursor.updated_at = max(cursor.position, ids[-1]), utcnow()


async def roll_windows(sessions: Sessions) -> int:
    """Counts over the last 30 days shrink as time passes: recompute contacts whose
    counted interactions have left the window since the last roll."""
    async with transaction(sessions) as session:
        cursor = await _cursor(session, ROLL_CURSOR)
        now = utcnow()
        upto = _since(now)
        start = datetime.fromtimestamp(cursor.position, tz=now.tzinfo) if cursor.position else upto - timedelta(days=1)
        ids = (
            (
                await session.execute(
                    select(col(Interaction.contact_id))
                    .distinct()
                    .where(
                        col(Interaction.type).in_(["email_opened", "email_clicked", "page_visited"]),
                        col(Interaction.occurred_at) >= start,
                        col(Interaction.occurred_at) < upto,
                    )
                )
            )
            .scalars()
            .all()
        )
        for chunk in range(0, len(ids), STATS_BATCH):
            await recompute_stats(session, list(ids[chunk : chunk + STATS_BATCH]))
        cursor.position, cursor.updated_at = int(upto.timestamp()), now
        return len(ids)


# ---- for other features -------------------------------------------------------------------------


def table() -> Table:
    """The interactions table, for statements another feature runs over many contacts at once
    (scoring's set-wise recompute): read-only use."""
    return _TABLE


async def of_types(
    session: AsyncSession,
    contact_ids: Iterable[int],
    types: Iterable[str],
    since: datetime | None,
    until: datetime | None = None,
) -> dict[int, list[tuple[str, datetime, dict[str, Any]]]]:
    """Each contact's interactions of these types (since `since`, up to `until` included):
    (type, occurred_at, properties)."""
    found: dict[int, list[tuple[str, datetime, dict[str, Any]]]] = defaultdict(list)
    ids, kinds = sorted(set(contact_ids)), sorted(set(types))
    if not kinds or not ids:
        return found
    for start in range(0, len(ids), 1000):
        query = select(
            col(Interaction.contact_id),
            col(Interaction.type),
            col(Interaction.occurred_at),
            col(Interaction.properties),
        ).where(col(Interaction.contact_id).in_(ids[start : start + 1000]), col(Interaction.type).in_(kinds))
        if since is not None:
            query = query.where(col(Interaction.occurred_at) >= since)
        if until is not None:
            query = query.where(col(Interaction.occurred_at) <= until)
        for cid, kind, at, properties in (await session.execute(query)).all():
            found[cid].append((kind, at, properties or {}))
    return found


def contacts_with(kind: str, start: datetime, end: datetime) -> Select[Any]:
    """The contacts with an interaction of this type in [start, end)."""
    return (
        select(col(Interaction.contact_id))
        .distinct()
        .where(col(Interaction.type) == kind, col(Interaction.occurred_at) < end, col(Interaction.occurred_at) >= start)
    )


async def insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Bulk-store interactions from already clean values (demo data, benchmarks)."""
    if rows:
        now = utcnow()
        full = [{"properties": {}, "value": None, "received_at": now, **r} for r in rows]
        # render_nulls: one multi-row INSERT even when only some rows have a value (see contacts.insert_many).
        await session.execute(insert(Interaction), full, execution_options={"render_nulls": True})


async def with_property(
    session: AsyncSession, kind: str, key: str, value: int | str, since: datetime
) -> list[tuple[int, datetime, dict[str, Any]]]:
    """The interactions of one type since `since` whose property `key` is `value` (as a number or
    its text, e.g. the form submissions of one landing page): (contact_id, occurred_at, properties)."""
    prop = cast(col(Interaction.properties)[key].as_string(), String)
    query = select(col(Interaction.contact_id), col(Interaction.occurred_at), col(Interaction.properties)).where(
        col(Interaction.type) == kind, col(Interaction.occurred_at) >= since, prop == str(value)
    )
    return [(cid, at, properties or {}) for cid, at, properties in (await session.execute(query)).all()]


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its timeline becomes the survivor's, whose computed fields
    are then counted again from the whole of it."""
    moved = await move_rows(session, Interaction, "contact_id", other_id, survivor_id)
    await recompute_stats(session, [survivor_id])
    return {"interactions": moved}


async def stream_lag(session: AsyncSession) -> tuple[int, float]:
    """How many interactions the stream's consumers have not processed yet, and for how long the
    oldest of them has waited (seconds; 0 when none waits). Read without locking the cursor."""
    position = (
        await session.execute(select(col(StreamCursor.position)).where(col(StreamCursor.name) == STATS_CURSOR))
    ).scalar_one_or_none() or 0
    waiting = select(func.count(), func.min(col(Interaction.received_at))).where(col(Interaction.id) > position)
    count, oldest = (await session.execute(waiting)).one()
    oldest = _aware(oldest)
    return int(count), max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0


async def stage_moves_per_day(
    session: AsyncSession, from_stage: str, since: datetime, until: datetime, among: Select[Any] | None = None
) -> dict[date, float]:
    """Moves out of one lifecycle stage (to any stage but disqualified) per UTC day: moves out of
    `subscriber` are the new leads."""
    at = col(Interaction.occurred_at)
    moved_from = cast(col(Interaction.properties)["from"].as_string(), String)
    moved_to = cast(col(Interaction.properties)["to"].as_string(), String)
    where = [
        col(Interaction.type) == contacts.STAGE_CHANGED,
        at >= since,
        at < until,
        moved_from == from_stage,
        moved_to != "disqualified",
    ]
    if among is not None:
        where.append(col(Interaction.contact_id).in_(among))
    return await per_day(session, at, func.count(), *where)


async def email_clicks(
    session: AsyncSession, email_id: int, since: datetime, until: datetime
) -> list[tuple[str, int, bool]]:
    """The clicks on an email's links in [since, until): (url, message id, by a machine)."""
    email = Interaction.properties["email_id"].as_integer()
    rows = await session.execute(
        select(col(Interaction.properties)).where(
            col(Interaction.type) == "email_clicked",
            col(Interaction.occurred_at) >= since,
            col(Interaction.occurred_at) < until,
            email == email_id,
        )
    )
    return [
        (str(p.get("url") or ""), int(p.get("message_id") or 0), bool(p.get("machine"))) for (p,) in rows.all() if p
    ]


def _purchases(start: datetime, end: datetime, among: Select[Any] | None) -> list[Any]:
    where = [
        col(Interaction.type) == "purchase",
        col(Interaction.occurred_at) >= start,
        col(Interaction.occurred_at) < end,
    ]
    if among is not None:
        where.append(col(Interaction.contact_id).in_(among))
    return where


async def revenue(session: AsyncSession, start: datetime, end: datetime, among: Select[Any] | None = None) -> float:
    """The amounts of the purchases in [start, end), of the contacts `among` selects (all without it)."""
    total = (
        await session.execute(select(func.sum(col(Interaction.value))).where(*_purchases(start, end, among)))
    ).scalar()
    return float(total or 0)


async def buyers(
    session: AsyncSession, start: datetime, end: datetime, among: Select[Any] | None = None
) -> tuple[int, int]:
    """(customers with a purchase, customers with two purchases or more) in [start, end)."""
    per_contact = (
        select(col(Interaction.contact_id), func.count().label("purchases"))
        .where(*_purchases(start, end, among))
        .group_by(col(Interaction.contact_id))
        .subquery()
    )
    row = (
        await session.execute(
            select(func.count(), func.sum(case((per_contact.c.purchases >= 2, 1), else_=0))).select_from(per_contact)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


# ---- retention ---------------------------------------------------------------------------------

PURGE_BATCH = 5000


async def purge_older_than(session: AsyncSession, retention_days: int) -> int:
    """Interactions that happened and were received more than `retention_days` ago, up to
    PURGE_BATCH of them, oldest ids first; returns how many were deleted. The reports' rollups
    counted them long before (an old interaction received today waits for its own retention) and
    keep their counts: only erasure takes a contact's counts out of them."""
    cutoff = utcnow() - timedelta(days=retention_days)
    ids = (
        (
            await session.execute(
                select(col(Interaction.id))
                .where(col(Interaction.occurred_at) < cutoff, col(Interaction.received_at) < cutoff)
                .order_by(col(Interaction.id))
                .limit(PURGE_BATCH)
            )
        )
        .scalars()
        .all()
    )
    if ids:
        await session.execute(delete(Interaction).where(col(Interaction.id).in_(ids)))
    return len(ids)
