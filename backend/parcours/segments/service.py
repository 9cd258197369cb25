"""Segments: definitions, previews, full refreshes in SQL and real-time evaluation in memory."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    delete,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import UTCDateTime, dialect_name, serialize
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.interactions import recording
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue, queue_after_commit
from parcours.jobs.names import JobName
from parcours.rules import service as rules
from parcours.rules.context import context_values
from parcours.rules.language import Checked, Schema, compile_rule, evaluate
from parcours.segments.definitions import (
    Definition,
    dependents,
    evaluation_order,
    find_cycle,
    memberships,
)
from parcours.segments.models import Segment, SegmentMember
from parcours.segments.schemas import Preset

REFRESH_KIND = "segment_refresh"
# Above this many contacts changed at once (an import...), a full refresh in SQL beats
# evaluating each contact in memory.
REALTIME_LIMIT = 2_000
# Refreshes and real-time evaluations take turns: each reads memberships the other may change.
MEMBERSHIP_LOCK = "segment_memberships"
_parsed: dict[tuple[Any, ...], Checked] = {}


def member_of(segment_id: int, contact_id: Any) -> Any:
    return exists().where(SegmentMember.segment_id == segment_id, SegmentMember.contact_id == contact_id)


async def segment_ids_of(session: AsyncSession, contact_id: int) -> set[int]:
    rows = await session.execute(select(SegmentMember.segment_id).where(SegmentMember.contact_id == contact_id))
    return set(rows.scalars().all())


async def segment_ids_by_contact(session: AsyncSession, contact_ids: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(contact_ids), 1000):
        rows = await session.execute(select(SegmentMember.contact_id, SegmentMember.segment_id)
                                     .where(SegmentMember.contact_id.in_(contact_ids[start:start + 1000])))  # type: ignore[attr-defined]
        for cid, sid in rows.all():
            found[cid].add(sid)
    return found


def member_ids(segment_id: int) -> Select[tuple[int]]:
    return select(SegmentMember.contact_id).where(SegmentMember.segment_id == segment_id)


# ---- reading ---------------------------------------------------------------------------------


async def list_segments(session: AsyncSession) -> Sequence[Segment]:
    return (await session.execute(select(Segment).order_by(Segment.name))).scalars().all()


async def get_segment(session: AsyncSession, segment_id: int) -> Segment:
    segment = await session.get(Segment, segment_id)
    if segment is None:
        raise NotFound("This segment does not exist (it may have been deleted).", "segment_id")
    return segment


def _checked(schema: Schema, segment: Any) -> Checked | None:
    if not segment.rule:
        return None
    # A parse depends on the text and the schema only. schema.key, not id(schema): each call builds a
    # new Schema, so an id never matched again and every real-time evaluation parsed every rule anew
    # (~0.6 ms each: 80% of its time at 200 segments).
    key = (schema.key, segment.rule)
    if key not in _parsed:
        if len(_parsed) > 5_000:
            _parsed.clear()
        _parsed[key] = rules.check(segment.rule, schema)
    return _parsed[key]


def _definition(schema: Schema, segment: Any) -> Definition:
    assert segment.id is not None
    return Definition(id=segment.id, kind=segment.kind, rule=_checked(schema, segment),
                      include=tuple(segment.include), exclude=tuple(segment.exclude))


async def _all_definitions(session: AsyncSession, schema: Schema) -> dict[int, Definition]:
    return {s.id: _definition(schema, s) for s in await list_segments(session) if s.id is not None}


# ---- checking definitions --------------------------------------------------------------------


async def _check_definition(
    session: AsyncSession, schema: Schema, *, segment_id: int | None, kind: str, rule: str | None,
    include: list[int], exclude: list[int],
) -> Checked | None:
    if kind == "static":
        if rule or include or exclude:
            raise InvalidInput("A static segment has hand-picked members: it has no rule, include or exclude.", "kind")
        return None
    checked = rules.check(rule, schema) if rule and rule.strip() else None
    everything = await _all_definitions(session, schema)
    for field, ids in (("include", include), ("exclude", exclude)):
        for other in ids:
            if other not in everything:
                raise InvalidInput(f"There is no segment with id {other}.", field)
            if other == segment_id:
                raise InvalidInput("A segment cannot include or exclude itself.", field)
    for other in checked.segment_ids if checked else ():
        if other not in everything:
            raise InvalidInput(f"The rule refers to segment {other}, which does not exist.", "rule")
    proposed = Definition(id=segment_id or -1, kind=kind, rule=checked, include=tuple(include), exclude=tuple(exclude))
    needs = {d.id: d.needs for d in everything.values()} | {proposed.id: proposed.needs}
    cycle = find_cycle(needs)
    if cycle:
        names = {s.id: s.name for s in await list_segments(session)}
        loop = " → ".join(names.get(i, "this segment") for i in cycle)
        raise InvalidInput(f"These segments would depend on each other in a loop: {loop}.", "include")
    return checked


# ---- writing definitions ---------------------------------------------------------------------


async def _with_rule_from_builder(session: AsyncSession, values: dict[str, Any]) -> dict[str, Any]:
    """When the builder's conditions come along, the rule is written from them."""
    builder = values.get("builder")
    if builder is not None and not isinstance(builder, dict):
        values["rule"] = rules.builder_text(builder, await rules.current_schema(session)) or None
        values["builder"] = msgspec.to_builtins(builder)
    return values


async def create_segment(session: AsyncSession, values: dict[str, Any], actor: Actor, enqueue: Enqueue,
                         preset: str | None = None) -> Segment:
    values = await _with_rule_from_builder(session, values)
    schema = await rules.current_schema(session)
    await _check_definition(session, schema, segment_id=None, kind=values["kind"], rule=values.get("rule"),
                            include=values.get("include", []), exclude=values.get("exclude", []))
    segment = Segment(**values, preset=preset, created_by=actor.label)
    if not (segment.rule or "").strip():
        segment.rule = None
    session.add(segment)
    await session.flush()
    if segment.kind == "dynamic":
        await start_refresh(session, segment, actor, enqueue)
    return segment


async def update_segment(session: AsyncSession, segment_id: int, changes: dict[str, Any], actor: Actor,
                         enqueue: Enqueue) -> Segment:
    segment = await get_segment(session, segment_id)
    changes = await _with_rule_from_builder(session, changes)
    definition_changed = any(k in changes for k in ("rule", "include", "exclude"))
    if definition_changed:
        schema = await rules.current_schema(session)
        await _check_definition(
            session, schema, segment_id=segment_id, kind=segment.kind, rule=changes.get("rule", segment.rule),
            include=changes.get("include", segment.include), exclude=changes.get("exclude", segment.exclude))
    for field, value in changes.items():
        setattr(segment, field, value)
    if not (segment.rule or "").strip():
        segment.rule = None
    segment.updated_at = utcnow()
    await session.flush()
    if definition_changed and segment.kind == "dynamic":
        await start_refresh(session, segment, actor, enqueue)
    return segment


async def delete_segment(session: AsyncSession, segment_id: int) -> None:
    segment = await get_segment(session, segment_id)
    schema = await rules.current_schema(session)
    users = [d.id for d in (await _all_definitions(session, schema)).values() if segment_id in d.needs and d.id != segment_id]
    if users:
        names = [s.name for s in await list_segments(session) if s.id in users]
        raise Conflict(f"Other segments use this one: {', '.join(names)}. Change them first.", "segment_id")
    await session.execute(delete(SegmentMember).where(SegmentMember.segment_id == segment_id))  # type: ignore[arg-type]
    await session.delete(segment)


async def snapshot(session: AsyncSession, segment_id: int, actor: Actor) -> Segment:
    """A static segment holding the current members: a frozen copy that no longer moves."""
    source = await get_segment(session, segment_id)
    now = utcnow()
    copy = Segment(name=f"{source.name} ({now:%Y-%m-%d %H:%M})"[:200], kind="static", member_count=source.member_count,
                   description=source.description, created_by=actor.label, last_refreshed_at=now)
    session.add(copy)
    await session.flush()
    await session.execute(
        _insert(await dialect_name(session)).from_select(
            ["segment_id", "contact_id", "added_at"],
            select(literal(copy.id), SegmentMember.contact_id, literal(now, UTCDateTime())).where(SegmentMember.segment_id == segment_id),
        )
    )
    return copy


# ---- previews and SQL targets ----------------------------------------------------------------


def _target(schema: Schema, dialect: str, checked: Checked | None, include: Iterable[int], exclude: Iterable[int],
            now: datetime) -> Select[tuple[int]]:
    columns = contacts.RuleColumns(dialect, member_of)
    parts = [compile_rule(checked, schema, columns, now)] if checked else []
    parts += [columns.member_of(i) for i in include]
    where = and_(or_(*parts) if parts else true(), *[not_(columns.member_of(e)) for e in exclude])
    return contacts.matching_ids(columns, where)


async def preview(session: AsyncSession, rule: str | None, include: list[int], exclude: list[int]
                  ) -> tuple[int, list[Any]]:
    schema = await rules.current_schema(session)
    checked = await _check_definition(session, schema, segment_id=None, kind="dynamic", rule=rule,
                                      include=include, exclude=exclude)
    target = _target(schema, await dialect_name(session), checked, include, exclude, utcnow()).subquery()
    count = (await session.execute(select(func.count()).select_from(target))).scalar_one()
    sample_ids = (await session.execute(select(target.c.id).order_by(target.c.id.desc()).limit(10))).scalars().all()
    return int(count), await contacts.contacts_by_ids(session, sample_ids)


# ---- full refresh (SQL) ----------------------------------------------------------------------


def _insert(dialect: str) -> Any:
    table = SegmentMember.__table__  # type: ignore[attr-defined]
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


async def refresh_in_sql(session: AsyncSession, schema: Schema, segment: Segment) -> tuple[int, int]:
    """Recompute a dynamic segment's members in the database; record who entered and who left."""
    assert segment.id is not None
    await serialize(session, MEMBERSHIP_LOCK)
    dialect = await dialect_name(session)
    now = utcnow()
    definition = _definition(schema, segment)
    suffix = uuid.uuid4().hex[:12]
    # On SQLite the key is the rowid: free to fill, and what the joins below look up. PostgreSQL
    # fills the table faster without an index (a third of a refresh at 1M contacts) and hashes it.
    scratch = Table(f"segment_target_{suffix}", MetaData(),
                    Column("contact_id", Integer, primary_key=dialect == "sqlite", autoincrement=False),
                    prefixes=["TEMPORARY"])
    # Who enters and who leaves, each compared with the current members once: every statement
    # below reads these few rows instead of joining the target with the members again (four times
    # before, half of a refresh on PostgreSQL).
    changes = Table(f"segment_changes_{suffix}", MetaData(), Column("contact_id", Integer),
                    Column("entering", Boolean), prefixes=["TEMPORARY"])
    connection = await session.connection()
    await connection.run_sync(scratch.create)
    await connection.run_sync(changes.create)
    try:
        await session.execute(scratch.insert().from_select(
            ["contact_id"], _target(schema, dialect, definition.rule, definition.include, definition.exclude, now)))
        target_id = scratch.c.contact_id
        mine = SegmentMember.segment_id == segment.id
        await session.execute(changes.insert().from_select(["contact_id", "entering"], select(
            target_id, literal(True)).where(~exists().where(mine, SegmentMember.contact_id == target_id))))
        await session.execute(changes.insert().from_select(["contact_id", "entering"], select(
            SegmentMember.contact_id, literal(False)).where(mine, ~exists().where(target_id == SegmentMember.contact_id))))
        entering = select(changes.c.contact_id).where(changes.c.entering)
        leaving = select(changes.c.contact_id).where(not_(changes.c.entering))
        about = {"segment_id": segment.id, "segment": segment.name}
        exited = await recording.record_for_select(session, leaving, "segment_exited", about, now)
        entered = await recording.record_for_select(session, entering, "segment_entered", about, now)
        await session.execute(delete(SegmentMember).where(mine, SegmentMember.contact_id.in_(leaving)))  # type: ignore[attr-defined]
        await session.execute(_insert(dialect).from_select(
            ["segment_id", "contact_id", "added_at"],
            select(literal(segment.id), changes.c.contact_id, literal(now, UTCDateTime())).where(changes.c.entering)))
        count = (await session.execute(select(func.count()).select_from(scratch))).scalar_one()
    finally:
        await connection.run_sync(changes.drop)
        await connection.run_sync(scratch.drop)
    segment.member_count, segment.last_refreshed_at = int(count), now
    await session.flush()
    return entered, exited


async def refresh_with_dependents(session: AsyncSession, segment_id: int) -> dict[str, int]:
    schema = await rules.current_schema(session)
    segment = await get_segment(session, segment_id)
    totals = {"entered": 0, "exited": 0, "segments": 0}
    order = [segment_id] if segment.kind == "dynamic" else []
    order += dependents((await _all_definitions(session, schema)).values(), segment_id)
    for sid in order:
        entered, exited = await refresh_in_sql(session, schema, await get_segment(session, sid))
        totals["entered"] += entered
        totals["exited"] += exited
        totals["segments"] += 1
    return totals


async def refresh_all(session: AsyncSession) -> int:
    schema = await rules.current_schema(session)
    ordered = evaluation_order((await _all_definitions(session, schema)).values())
    for definition in ordered:
        await refresh_in_sql(session, schema, await get_segment(session, definition.id))
    return len(ordered)


async def start_refresh(session: AsyncSession, segment: Segment, actor: Actor, enqueue: Enqueue) -> str:
    job = await jobs.create_job(session, kind=REFRESH_KIND, task=JobName.REFRESH_SEGMENT, params={"segment_id": segment.id},
                                created_by=actor.label, enqueue=enqueue)
    return job.id


# ---- real time (in memory) -------------------------------------------------------------------


_plans: dict[Any, tuple[dict[int, Any], list[Definition]]] = {}


async def _plan(session: AsyncSession, schema: Schema) -> tuple[dict[int, Any], list[Definition]]:
    """Every segment, and the dynamic ones in evaluation order: kept per process until a segment is
    created, changed or deleted (each of which moves its updated_at). Reading, checking and ordering
    them took half of a contact's evaluation at 200 segments."""
    versions = (await session.execute(select(Segment.id, Segment.updated_at).order_by(Segment.id))).all()
    key = (schema.key, tuple(map(tuple, versions)))
    if key not in _plans:
        # Plain rows: loading them as ORM objects took 6 ms of a 15 ms evaluation at 200 segments.
        columns = (Segment.id, Segment.name, Segment.kind, Segment.rule, Segment.include, Segment.exclude)
        segments = {s.id: s for s in (await session.execute(select(*columns))).all()}
        _plans.clear()  # only the current plan is worth keeping
        _plans[key] = segments, evaluation_order(_definition(schema, s) for s in segments.values())
    return _plans[key]


async def evaluate_contacts(session: AsyncSession, contact_ids: Iterable[int]) -> tuple[int, int]:
    """Re-evaluate every dynamic segment for these contacts, in memory; apply what changed."""
    ids = sorted(set(contact_ids))
    await serialize(session, MEMBERSHIP_LOCK)
    schema = await rules.current_schema(session)
    segments, ordered = await _plan(session, schema)
    if not ids or not ordered:
        return 0, 0
    rows = await contacts.rule_rows(session, ids)
    current: dict[int, set[int]] = defaultdict(set)
    for sid, cid in (await session.execute(
            select(SegmentMember.segment_id, SegmentMember.contact_id).where(SegmentMember.contact_id.in_(ids)))).all():
        current[cid].add(sid)
    entered: list[tuple[int, int]] = []
    left: list[tuple[int, int]] = []
    for cid, (contact, account) in rows.items():
        values = context_values(contact, account, current[cid], schema.fields)

        def matches(rule: Checked, members: set[int], values: dict[str, Any] = values) -> bool:
            if "segments" in rule.fields:  # only rules that read memberships need them current
                values["segments"] = {float(m) for m in members}
            return evaluate(rule, values)

        after = memberships(ordered, current[cid], matches)
        entered += [(sid, cid) for sid in after - current[cid]]
        left += [(sid, cid) for sid in current[cid] - after]
    await _apply(session, segments, entered, left)
    return len(entered), len(left)


async def _apply(session: AsyncSession, segments: dict[Any, Segment], entered: list[tuple[int, int]],
                 left: list[tuple[int, int]]) -> None:
    if not entered and not left:
        return
    now = utcnow()
    if entered:
        statement = _insert(await dialect_name(session)).on_conflict_do_nothing()
        await session.execute(statement, [{"segment_id": s, "contact_id": c, "added_at": now} for s, c in entered])
    by_segment: dict[int, list[int]] = defaultdict(list)
    for sid, cid in left:
        by_segment[sid].append(cid)
    for sid, cids in by_segment.items():
        await session.execute(delete(SegmentMember).where(SegmentMember.segment_id == sid,  # type: ignore[arg-type]
                                                          SegmentMember.contact_id.in_(cids)))  # type: ignore[attr-defined]
    await recording.record(session, [
        {"contact_id": c, "type": kind, "occurred_at": now,
         "properties": {"segment_id": s, "segment": segments[s].name}}
        for kind, pairs in (("segment_entered", entered), ("segment_exited", left)) for s, c in pairs
    ])
    delta: dict[int, int] = defaultdict(int)
    for sid, _ in entered:
        delta[sid] += 1
    for sid, _ in left:
        delta[sid] -= 1
    for sid, change in delta.items():
        if change:
            await session.execute(update(Segment).where(Segment.id == sid).values(member_count=Segment.member_count + change))


def realtime_consumer(enqueue: Enqueue) -> Callable[[AsyncSession, Sequence[Any]], Awaitable[None]]:
    """The interaction stream's segment consumer: evaluate changed contacts at once, or refresh
    everything in SQL when too many changed together."""

    async def consume(session: AsyncSession, batch: Sequence[Any]) -> None:
        changed = {row.contact_id for row in batch if row.type not in recording.UNCHANGING_TYPES}
        if len(changed) > REALTIME_LIMIT:
            queue_after_commit(session, enqueue, JobName.REFRESH_ALL_SEGMENTS, job_id=JobName.REFRESH_ALL_SEGMENTS)
        elif changed:
            await evaluate_contacts(session, changed)

    return consume


# ---- static members ----------------------------------------------------------------------------


async def require_static(session: AsyncSession, segment_id: int, field: str = "segment_id") -> Segment:
    segment = await session.get(Segment, segment_id)
    if segment is None:
        raise InvalidInput("This segment does not exist.", field)
    if segment.kind != "static":
        raise InvalidInput("Members of a dynamic segment follow its rule: edit the rule, or make a static copy.", field)
    return segment


async def _static(session: AsyncSession, segment_id: int) -> Segment:
    await serialize(session, MEMBERSHIP_LOCK)
    await get_segment(session, segment_id)
    return await require_static(session, segment_id)


async def add_members(session: AsyncSession, segment_id: int, contact_ids: list[int]) -> tuple[int, int]:
    segment = await _static(session, segment_id)
    missing = set(contact_ids) - await contacts.existing_ids(session, contact_ids)
    if missing:
        raise InvalidInput(f"There is no contact with id {min(missing)}.", "contact_ids")
    have = set((await session.execute(member_ids(segment_id).where(SegmentMember.contact_id.in_(contact_ids)))).scalars())  # type: ignore[attr-defined]
    new = sorted(set(contact_ids) - have)
    await _apply(session, {segment.id: segment}, [(segment_id, c) for c in new], [])
    await evaluate_contacts(session, new)  # segments that include or exclude this one follow
    await session.refresh(segment)
    return len(new), segment.member_count


async def remove_members(session: AsyncSession, segment_id: int, contact_ids: list[int]) -> tuple[int, int]:
    segment = await _static(session, segment_id)
    have = sorted(set((await session.execute(member_ids(segment_id).where(SegmentMember.contact_id.in_(contact_ids)))).scalars()))  # type: ignore[attr-defined]
    await _apply(session, {segment.id: segment}, [], [(segment_id, c) for c in have])
    await evaluate_contacts(session, have)
    await session.refresh(segment)
    return len(have), segment.member_count


# ---- presets -------------------------------------------------------------------------------------


class _PresetFile(msgspec.Struct):
    key: str
    name: dict[str, str]
    rule: str
    description: dict[str, str] = {}


def load_presets(directory: Path) -> list[Preset]:
    """The ready-made segments shipped in rules/segments/*.json."""
    presets = []
    for path in sorted((directory / "segments").glob("*.json")):
        raw = msgspec.json.decode(path.read_bytes(), type=_PresetFile)
        presets.append(Preset(key=raw.key, name_en=raw.name["en"], name_fr=raw.name.get("fr", raw.name["en"]),
                              description_en=raw.description.get("en", ""),
                              description_fr=raw.description.get("fr", raw.description.get("en", "")), rule=raw.rule))
    return presets


async def create_from_preset(session: AsyncSession, directory: Path, key: str, language: str, actor: Actor,
                             enqueue: Enqueue) -> Segment:
    preset = next((p for p in load_presets(directory) if p.key == key), None)
    if preset is None:
        raise NotFound(f"There is no preset segment '{key}'.", "key")
    name, description = ((preset.name_fr, preset.description_fr) if language == "fr"
                         else (preset.name_en, preset.description_en))
    return await create_segment(session, {"name": name, "description": description, "kind": "dynamic",
                                          "rule": preset.rule}, actor, enqueue, preset=key)
