"""Segments: their definitions (checked, created, changed, deleted), previews and presets.

The rest of segments lives by job: reading.py (segments as stored, checked, in order), members.py
(who is in which segment), refresh.py (full refreshes in SQL), realtime.py (evaluation in memory,
the stream consumer), static.py (hand-picked members). Other features import this module: it
names what they use from the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import delete, func, literal, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import UTCDateTime, dialect_name, move_rows, rows_about
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.jobs.enqueue import Enqueue
from parcours.rules import service as rules
from parcours.rules.language import Checked, Schema
from parcours.segments.definitions import Definition, find_cycle
from parcours.segments.members import (
    insert_members,
    member_ids,
    members_table,
    segment_ids_by_contact,
    segment_ids_of,
)
from parcours.segments.models import Segment, SegmentMember
from parcours.segments.reading import all_definitions, get_segment, list_segments
from parcours.segments.realtime import evaluate_contacts
from parcours.segments.refresh import start_refresh, target
from parcours.segments.schemas import Preset
from parcours.segments.static import add_members, remove_members, require_static

__all__ = [
    "add_members",
    "create_from_preset",
    "create_segment",
    "delete_segment",
    "evaluate_contacts",
    "get_segment",
    "list_segments",
    "load_presets",
    "member_ids",
    "members_table",
    "preview",
    "remove_members",
    "require_static",
    "segment_ids_by_contact",
    "segment_ids_of",
    "snapshot",
    "start_refresh",
    "update_segment",
]


# ---- checking definitions --------------------------------------------------------------------


async def _check_definition(
    session: AsyncSession,
    schema: Schema,
    *,
    segment_id: int | None,
    kind: str,
    rule: str | None,
    include: list[int],
    exclude: list[int],
) -> Checked | None:
    if kind == "static":
        if rule or include or exclude:
            raise InvalidInput("A static segment has hand-picked members: it has no rule, include or exclude.", "kind")
        return None
    checked = rules.check(rule, schema) if rule and rule.strip() else None
    everything = await all_definitions(session, schema)
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


async def create_segment(
    session: AsyncSession, values: dict[str, Any], actor: Actor, enqueue: Enqueue, preset: str | None = None
) -> Segment:
    values = await _with_rule_from_builder(session, values)
    schema = await rules.current_schema(session)
    await _check_definition(
        session,
        schema,
        segment_id=None,
        kind=values["kind"],
        rule=values.get("rule"),
        include=values.get("include", []),
        exclude=values.get("exclude", []),
    )
    segment = Segment(**values, preset=preset, created_by=actor.label)
    if not (segment.rule or "").strip():
        segment.rule = None
    session.add(segment)
    await session.flush()
    if segment.kind == "dynamic":
        await start_refresh(session, segment, actor, enqueue)
    return segment


async def update_segment(
    session: AsyncSession, segment_id: int, changes: dict[str, Any], actor: Actor, enqueue: Enqueue
) -> Segment:
    segment = await get_segment(session, segment_id)
    changes = await _with_rule_from_builder(session, changes)
    definition_changed = any(k in changes for k in ("rule", "include", "exclude"))
    if definition_changed:
        schema = await rules.current_schema(session)
        await _check_definition(
            session,
            schema,
            segment_id=segment_id,
            kind=segment.kind,
            rule=changes.get("rule", segment.rule),
            include=changes.get("include", segment.include),
            exclude=changes.get("exclude", segment.exclude),
        )
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
    users = [
        d.id for d in (await all_definitions(session, schema)).values() if segment_id in d.needs and d.id != segment_id
    ]
    if users:
        names = [s.name for s in await list_segments(session) if s.id in users]
        raise Conflict(f"Other segments use this one: {', '.join(names)}. Change them first.", "segment_id")
    await session.execute(delete(SegmentMember).where(col(SegmentMember.segment_id) == segment_id))
    await session.delete(segment)


async def snapshot(session: AsyncSession, segment_id: int, actor: Actor) -> Segment:
    """A static segment holding the current members: a frozen copy that no longer moves."""
    source = await get_segment(session, segment_id)
    now = utcnow()
    copy = Segment(
        name=f"{source.name} ({now:%Y-%m-%d %H:%M})"[:200],
        kind="static",
        member_count=source.member_count,
        description=source.description,
        created_by=actor.label,
        last_refreshed_at=now,
    )
    session.add(copy)
    await session.flush()
    await session.execute(
        insert_members(await dialect_name(session)).from_select(
            ["segment_id", "contact_id", "added_at"],
            select(literal(copy.id), col(SegmentMember.contact_id), literal(now, UTCDateTime())).where(
                col(SegmentMember.segment_id) == segment_id
            ),
        )
    )
    return copy


# ---- previews ---------------------------------------------------------------------------------------


async def preview(
    session: AsyncSession, rule: str | None, include: list[int], exclude: list[int]
) -> tuple[int, list[Any]]:
    schema = await rules.current_schema(session)
    checked = await _check_definition(
        session, schema, segment_id=None, kind="dynamic", rule=rule, include=include, exclude=exclude
    )
    chosen = target(schema, await dialect_name(session), checked, include, exclude, utcnow()).subquery()
    count = (await session.execute(select(func.count()).select_from(chosen))).scalar_one()
    sample_ids = (await session.execute(select(chosen.c.id).order_by(chosen.c.id.desc()).limit(10))).scalars().all()
    return int(count), await contacts.contacts_by_ids(session, sample_ids)


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
        presets.append(
            Preset(
                key=raw.key,
                name_en=raw.name["en"],
                name_fr=raw.name.get("fr", raw.name["en"]),
                description_en=raw.description.get("en", ""),
                description_fr=raw.description.get("fr", raw.description.get("en", "")),
                rule=raw.rule,
            )
        )
    return presets


async def create_from_preset(
    session: AsyncSession, directory: Path, key: str, language: str, actor: Actor, enqueue: Enqueue
) -> Segment:
    preset = next((p for p in load_presets(directory) if p.key == key), None)
    if preset is None:
        raise NotFound(f"There is no preset segment '{key}'.", "key")
    name, description = (
        (preset.name_fr, preset.description_fr) if language == "fr" else (preset.name_en, preset.description_en)
    )
    return await create_segment(
        session,
        {"name": name, "description": description, "kind": "dynamic", "rule": preset.rule},
        actor,
        enqueue,
        preset=key,
    )


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its memberships become the survivor's (the stream then
    judges the survivor's dynamic ones again)."""
    moved = await move_rows(session, SegmentMember, "contact_id", other_id, survivor_id, unique_with=("segment_id",))
    return {"segment_memberships": moved}


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The segments the contact belongs to, for its data export."""
    return {"segment_memberships": await rows_about(session, SegmentMember, "contact_id", contact_id)}
