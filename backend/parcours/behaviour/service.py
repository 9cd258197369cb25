"""Behavioural fields: definitions (check, save, delete while unused), their values per contact,
kept by the stream, rolled as windows move, backfilled by a job, and previewed before saving.

Values live in contacts' narrow table contact_computed (contacts.store_values): a backfill is one
INSERT ... SELECT ... GROUP BY per chunk and a stream batch one upsert for every field, without
rewriting wide contact rows; rules join the table by index, and the contact's row as rules and
answers read it shows the values in its scores as computed_<name>, as before."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import Float, case, cast, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.behaviour import increments, values
from parcours.behaviour.catalog import definition_of, definitions
from parcours.behaviour.definition import Definition, check, value_type
from parcours.behaviour.models import ComputedField
from parcours.behaviour.schemas import Backfill, Bucket, ComputedFieldOut, ComputedFieldPage, ComputedPreview
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import Sessions, dialect_name, retried, transaction
from parcours.errors import Conflict, NotFound
from parcours.interactions import service as interactions
from parcours.interactions.batch import Stored
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.jobs.service import JobProgress
from parcours.rules import usage
from parcours.rules.fields import COMPUTED_PREFIX

BACKFILL_KIND = "computed_backfill"
# Contacts per backfill chunk (one transaction each, so the stream is not held back for long).
BACKFILL_CHUNK = 200_000
# What changes the values (a new label does not).
_VALUE_FIELDS = ("aggregate", "interaction_type", "property", "filter", "window_days")


async def get_field(session: AsyncSession, field_id: int, lock: bool = False) -> ComputedField:
    row = await session.get(ComputedField, field_id, with_for_update=lock)
    if row is None:
        raise NotFound("This behavioural field does not exist.", "id")
    return row


async def list_page(session: AsyncSession, limit: int, cursor: str | None, origin: str | None) -> ComputedFieldPage:
    query = select(ComputedField)
    if origin is not None:
        query = query.where(col(ComputedField.origin) == origin)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    start = read_cursor(cursor, int)
    if start is not None:
        query = query.where(after([(col(ComputedField.id), False)], start))
    rows = (await session.execute(query.order_by(col(ComputedField.id)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda row: [row.id])
    return ComputedFieldPage(
        items=[await field_out(session, row) for row in page], next_cursor=next_cursor, total=total
    )


async def field_out(session: AsyncSession, row: ComputedField) -> ComputedFieldOut:
    backfill = None
    if row.backfill_job_id is not None:
        job = await _job(session, row.backfill_job_id)
        if job is not None:
            backfill = Backfill(job_id=job.id, status=job.status, progress=job.progress)
    definition = definition_of(row)
    return ComputedFieldOut(
        id=row.id or 0,
        name=row.name,
        label=row.label,
        aggregate=row.aggregate,
        interaction_type=row.interaction_type,
        property=row.property,
        filter=row.filter,
        window_days=row.window_days,
        field=COMPUTED_PREFIX + row.name,
        value_type=value_type(definition),
        origin="condition" if row.origin == "condition" else "screen",
        backfilled_at=row.backfilled_at,
        backfill=backfill,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _job(session: AsyncSession, job_id: str) -> Any:
    try:
        return await jobs.get_job(session, job_id)
    except NotFound:
        return None


def _checked(values_in: dict[str, Any]) -> Definition:
    return check(msgspec.convert(values_in, Definition), utcnow)


async def _refuse_taken(session: AsyncSession, name: str, but: int | None = None) -> None:
    found = (await session.execute(select(col(ComputedField.id)).where(col(ComputedField.name) == name))).scalar()
    if found is not None and found != but:
        raise Conflict(f"A behavioural field is already named '{name}'.", "name")


async def create_field(
    session: AsyncSession, enqueue: Enqueue, values_in: dict[str, Any], by: str, origin: str = "screen"
) -> ComputedField:
    definition = _checked(values_in)
    await _refuse_taken(session, definition.name)
    row = ComputedField(**msgspec.structs.asdict(definition), origin=origin)
    session.add(row)
    await session.flush()
    await queue_backfill(session, enqueue, row, by)
    return row


async def update_field(
    session: AsyncSession, enqueue: Enqueue, field_id: int, changed: dict[str, Any], by: str
) -> ComputedField:
    # Locked: a backfill chunk of the old definition either ends before, or sees the change and stops.
    row = await get_field(session, field_id, lock=True)
    before = definition_of(row)
    definition = _checked({**msgspec.structs.asdict(before), **changed})
    if definition.name != before.name:
        await _refuse_taken(session, definition.name, but=field_id)
        # Rules name the field: renaming it under them would break them.
        await usage.refuse_if_read(
            session, {COMPUTED_PREFIX + before.name}, f"the behavioural field '{before.label}'", "name"
        )
    for name, value in msgspec.structs.asdict(definition).items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    if definition.name != before.name or any(getattr(definition, f) != getattr(before, f) for f in _VALUE_FIELDS):
        if definition.name != before.name:
            await contacts.forget_values(session, before.name)
        await queue_backfill(session, enqueue, row, by)
    await session.flush()
    return row


async def delete_field(session: AsyncSession, field_id: int) -> None:
    # Locked before its values are taken out: a backfill chunk under way commits first (and its
    # values are taken out with the others), a later one finds the field gone and writes nothing.
    row = await get_field(session, field_id, lock=True)
    await usage.refuse_if_read(session, {COMPUTED_PREFIX + row.name}, f"the behavioural field '{row.label}'", "id")
    await contacts.forget_values(session, row.name)
    await session.delete(row)


async def queue_backfill(session: AsyncSession, enqueue: Enqueue, row: ComputedField, by: str) -> None:
    job = await jobs.create_job(
        session,
        kind=BACKFILL_KIND,
        task=JobName.BACKFILL_COMPUTED_FIELD,
        params={"field_id": row.id},
        created_by=by,
        enqueue=enqueue,
    )
    row.backfill_job_id, row.backfilled_at = job.id, None


# ---- the segment builder's behavioural condition -------------------------------------------------


def _condition_name(interaction_type: str, filter_text: str | None, window_days: int | None) -> str:
    digest = hashlib.sha256(f"{interaction_type}\n{filter_text or ''}\n{window_days}".encode()).hexdigest()
    return f"did_{digest[:16]}"


async def condition_field(
    session: AsyncSession,
    enqueue: Enqueue,
    interaction_type: str,
    filter_text: str | None,
    window_days: int | None,
    by: str,
) -> ComputedField:
    """The count behind "has done <type> [filter] at least N times in the last D days": the one
    already made for the same words, or a new one (backfilled by a job like any other)."""
    filter_text = (filter_text or "").strip() or None
    name = _condition_name(interaction_type, filter_text, window_days)
    found = (await session.execute(select(ComputedField).where(col(ComputedField.name) == name))).scalar()
    if found is not None:
        return found
    window = f", {window_days} days" if window_days else ""
    label = f"{interaction_type}{' where ' + filter_text if filter_text else ''}{window}"[:100]
    values_in = {
        "name": name,
        "label": label,
        "aggregate": "count",
        "interaction_type": interaction_type,
        "filter": filter_text,
        "window_days": window_days,
    }
    return await create_field(session, enqueue, values_in, by, origin="condition")


# ---- values ------------------------------------------------------------------------------------


async def refresh(
    session: AsyncSession,
    fields: Iterable[Definition],
    contact_ids: Iterable[int],
    now: dt.datetime,
    seen: values.Seen | None = None,
) -> int:
    """Compute these fields again for these contacts and store them, set-wise: one pass over
    their interactions and one upsert for the fields read by aggregates, one more per first/last
    property value."""
    ids = sorted(set(contact_ids))
    fields = list(fields)
    if not ids or not fields:
        return 0
    dialect = await dialect_name(session)
    together = [d for d in fields if not values.ranked(d)]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        if together:
            source = values.many_query(together, dialect, now, chunk, seen).subquery()
            await contacts.store_values(session, source, [(d.name, kind_of(d)) for d in together])
        for definition in fields:
            if values.ranked(definition):
                # Every contact of the chunk: one whose last interaction left the window reads nothing again.
                one = values.values_query(definition, dialect, now, chunk, seen=seen).subquery()
                among = contacts.ids_among(chunk).subquery()
                source = (
                    select(among.c.id.label("contact_id"), one.c.value)
                    .select_from(among.outerjoin(one, one.c.contact_id == among.c.id))
                    .subquery()
                )
                await contacts.store_values(session, source, [(definition.name, kind_of(definition))])
    return len(ids)


async def stream_refresh(session: AsyncSession, rows: Sequence[Stored]) -> int:
    """The stream's part (before scoring, segments and journeys read the values): the batch's
    part of each field read by one of its types is combined with the stored values in one upsert
    (see behaviour.increments); a first/last property value is computed again from the history
    of the contacts who did its type."""
    kinds: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        kinds[row.type].add(row.contact_id)
    fields = [d for _, d in await definitions(session) if d.interaction_type in kinds]
    if not fields:
        return 0
    now = utcnow()
    added = [d for d in fields if increments.incremental(d)]
    await contacts.add_values(
        session, increments.increments(added, rows, now), {d.name: increments.COMBINE[d.aggregate] for d in added}
    )
    others = [d for d in fields if not increments.incremental(d)]
    if others:
        await refresh(session, others, set().union(*(kinds[d.interaction_type] for d in others)), now)
    return len(set().union(*(kinds[d.interaction_type] for d in fields)))


async def roll_windows(sessions: Sessions) -> int:
    """Windowed values shrink as time passes: the contacts whose counted interactions have left
    a field's window since its last roll are computed again. Returns how many were."""
    total = 0
    async with transaction(sessions) as session:
        rows = (
            (await session.execute(select(ComputedField).where(col(ComputedField.window_days).isnot(None))))
            .scalars()
            .all()
        )
        ids = [row.id for row in rows if row.backfilled_at is not None]
    for field_id in ids:
        total += await retried(sessions, _roll_one, field_id)
    return total


async def _roll_one(session: AsyncSession, field_id: int) -> int:
    row = await session.get(ComputedField, field_id, with_for_update=True)
    if row is None or row.window_days is None:
        return 0
    now = utcnow()
    window = dt.timedelta(days=row.window_days)
    since = (row.rolled_until or row.backfilled_at or now) - window
    definition = definition_of(row)
    events = values.EVENTS
    leaving = (
        select(events.c.contact_id)
        .distinct()
        .where(
            events.c.type == row.interaction_type, events.c.occurred_at >= since, events.c.occurred_at < now - window
        )
    )
    ids = list((await session.execute(leaving)).scalars().all())
    await refresh(session, [definition], ids, now, await _seen(session))
    row.rolled_until = now
    return len(ids)


async def backfill(sessions: Sessions, progress: JobProgress, field_id: int) -> int:
    """Every contact's value of a field, chunk by chunk of contact ids, set-wise. It stops when the
    field is deleted or its definition changed meanwhile (a change queues its own backfill)."""
    await progress.start("Computing the field for every contact")
    async with transaction(sessions) as session:
        row = await session.get(ComputedField, field_id)
        if row is not None:
            definition, bounds = definition_of(row), await contacts.id_bounds(session)
            started = utcnow()
    # Said once the transaction has ended: the job's own write waiting on SQLite's write lock,
    # held by this transaction, would hold every other write for the busy timeout, then fail.
    if row is None:
        await progress.fail("The field was deleted.")
        return 0
    written = 0
    if bounds is not None:
        low, high = bounds[0], bounds[1] + 1
        starts = list(range(low, high, BACKFILL_CHUNK))
        for i, start in enumerate(starts):
            end = min(start + BACKFILL_CHUNK, high)
            chunk = await retried(sessions, _backfill_chunk, field_id, definition, start, end)
            if chunk is None:
                await progress.fail("The field was deleted or changed while it was being computed.")
                return written
            written += chunk
            await progress.report((i + 1) / len(starts))
    async with transaction(sessions) as session:
        row = await session.get(ComputedField, field_id, with_for_update=True)
        if row is not None and _same_values(definition_of(row), definition):
            row.backfilled_at, row.rolled_until = utcnow(), started
    await progress.finish({"contacts": written}, f"{written} contacts have a value")
    return written


def _same_values(one: Definition, other: Definition) -> bool:
    """Whether two definitions store the same values under the same key (a new label does not matter)."""
    return one.name == other.name and all(getattr(one, f) == getattr(other, f) for f in _VALUE_FIELDS)


async def _seen(session: AsyncSession) -> values.Seen:
    """How far the stream has got, its cursor locked until the transaction ends: values computed
    from the history count only what the stream has handed on, since it adds each later batch
    to the stored values (counted twice otherwise)."""
    cursor = await interactions.stream_cursor(session)
    return cursor.position, [int(k) for k in cursor.gaps]


def kind_of(definition: Definition) -> contacts.Kind:
    """Where a field's values are stored: a moment, a flag ("exists") or a number."""
    kind = value_type(definition)
    return "moment" if kind == "datetime" else "flag" if kind == "boolean" else "number"


async def _backfill_chunk(
    session: AsyncSession, field_id: int, definition: Definition, low: int, high: int
) -> int | None:
    """The values of contacts low <= id < high, in one INSERT ... SELECT ... GROUP BY; None, with
    nothing written, when the field is no longer this definition (deleted or changed:
    delete_field and update_field lock it too)."""
    row = await session.get(ComputedField, field_id, with_for_update=True)
    if row is None or not _same_values(definition_of(row), definition):
        return None
    dialect, seen = await dialect_name(session), await _seen(session)
    await contacts.forget_values(session, definition.name, low, high)
    query = values.values_query(definition, dialect, utcnow(), low=low, high=high, seen=seen).subquery()
    return await contacts.store_values(session, query, [(definition.name, kind_of(definition))])


# ---- preview -------------------------------------------------------------------------------------

BUCKETS = 10


async def preview(session: AsyncSession, values_in: dict[str, Any]) -> ComputedPreview:
    """How the values would spread over the base, before the field is saved."""
    definition = _checked({"name": "preview", "label": "preview", **values_in})
    dialect, now = await dialect_name(session), utcnow()
    kind = value_type(definition)
    total = await contacts.count_contacts(session)
    source = values.values_query(definition, dialect, now).subquery()
    number: Any
    if kind == "datetime":
        # Days ago, so that moments spread like numbers.
        if dialect == "postgresql":
            number = func.extract("epoch", now - source.c.value) / 86400.0
        else:
            number = func.julianday(now.replace(tzinfo=None)) - func.julianday(source.c.value)
    else:
        number = cast(source.c.value, Float)
    measured = select(number.label("n")).select_from(source).subquery()
    count, low, high, average = (
        await session.execute(
            select(
                func.count(measured.c.n),
                func.min(measured.c.n),
                func.max(measured.c.n),
                func.avg(measured.c.n),
            )
        )
    ).one()
    count = int(count or 0)
    none_label = {"number": "0", "boolean": "no"}.get(kind, "none")
    buckets = [Bucket(label=none_label, low=None, high=None, contacts=max(0, total - count))]
    if count and kind == "boolean":
        buckets.append(Bucket(label="yes", low=None, high=None, contacts=count))
    elif count:
        low, high = float(low), float(high)
        integral = definition.aggregate == "count" or kind == "datetime"
        width = max(1.0, (high - low) / BUCKETS) if integral else ((high - low) / BUCKETS or 1.0)
        if integral:
            width = float(int(width + 0.999))
        slot = case((measured.c.n >= high, int((high - low) // width)), else_=func.floor((measured.c.n - low) / width))
        rows = (
            await session.execute(
                select(slot.label("slot"), func.count()).select_from(measured).group_by("slot").order_by("slot")
            )
        ).all()
        for index, n in rows:
            start = low + int(index) * width
            end = start + width - 1 if integral else start + width
            end = min(end, high)
            label = _label(start, end, integral)
            buckets.append(Bucket(label=label, low=start, high=end, contacts=int(n)))
    return ComputedPreview(
        contacts=total,
        with_value=count,
        value_type=kind,
        buckets=buckets,
        low=None if low is None else float(low),
        high=None if high is None else float(high),
        average=None if average is None else float(average),
    )


def _label(start: float, end: float, integral: bool) -> str:
    def show(x: float) -> str:
        return str(int(x)) if integral or x == int(x) else f"{x:.2f}"

    return show(start) if integral and start == end else f"{show(start)}–{show(end)}"
