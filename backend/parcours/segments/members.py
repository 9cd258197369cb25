"""Who is in which segment: reading memberships, and writing who entered and who left (with the
contacts' timeline entries and the segments' counts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.db import dialect_name
from parcours.interactions import recording
from parcours.segments.models import Segment, SegmentMember

# Refreshes, real-time evaluations and static edits take turns: each reads memberships the
# others may change.
MEMBERSHIP_LOCK = "segment_memberships"
_TABLE = SegmentMember.metadata.tables["segment_members"]


def member_of(segment_id: int, contact_id: Any) -> Any:
    return exists().where(col(SegmentMember.segment_id) == segment_id, col(SegmentMember.contact_id) == contact_id)


def members_table() -> Any:
    """segment_members (segment_id, contact_id), for reports that count members per segment: read-only."""
    return _TABLE


def member_ids(segment_id: int) -> Select[Any]:
    return select(col(SegmentMember.contact_id)).where(col(SegmentMember.segment_id) == segment_id)


async def segment_ids_of(session: AsyncSession, contact_id: int) -> set[int]:
    rows = await session.execute(
        select(col(SegmentMember.segment_id)).where(col(SegmentMember.contact_id) == contact_id)
    )
    return set(rows.scalars().all())


async def segment_ids_by_contact(session: AsyncSession, contact_ids: list[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(contact_ids), 1000):
        rows = await session.execute(
            select(col(SegmentMember.contact_id), col(SegmentMember.segment_id)).where(
                col(SegmentMember.contact_id).in_(contact_ids[start : start + 1000])
            )
        )
        for cid, sid in rows.all():
            found[cid].add(sid)
    return found


def segment_ids_column(dialect: str) -> Callable[[ColumnElement[Any]], ColumnElement[Any]]:
    """A contact's segment ids as one value, given its id column: a subquery for reading them with
    the contact's own row (contacts.rule_rows_with); segment_ids_value reads it back."""
    aggregate = func.array_agg if dialect == "postgresql" else func.group_concat

    def column(contact_id: ColumnElement[Any]) -> ColumnElement[Any]:
        return (
            select(aggregate(col(SegmentMember.segment_id)))
            .where(col(SegmentMember.contact_id) == contact_id)
            .scalar_subquery()
        )

    return column


def segment_ids_value(value: Any) -> set[int]:
    """What segment_ids_column gave: an array (PostgreSQL), a comma-separated text (SQLite) or null."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {int(part) for part in value.split(",")}
    return {int(sid) for sid in value}


def insert_members(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """INSERT into segment_members in the dialect's own form (ON CONFLICT available)."""
    return postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)


async def apply(
    session: AsyncSession, names: Mapping[int, str], entered: list[tuple[int, int]], left: list[tuple[int, int]]
) -> None:
    """Write these (segment id, contact id) entries and exits; `names` gives each segment's name."""
    if not entered and not left:
        return
    now = utcnow()
    if entered:
        statement = insert_members(await dialect_name(session)).on_conflict_do_nothing()
        await session.execute(statement, [{"segment_id": s, "contact_id": c, "added_at": now} for s, c in entered])
    by_segment: dict[int, list[int]] = defaultdict(list)
    for sid, cid in left:
        by_segment[sid].append(cid)
    for sid, cids in by_segment.items():
        await session.execute(
            delete(SegmentMember).where(col(SegmentMember.segment_id) == sid, col(SegmentMember.contact_id).in_(cids))
        )
    await recording.record(
        session,
        [
            {"contact_id": c, "type": kind, "occurred_at": now, "properties": {"segment_id": s, "segment": names[s]}}
            for kind, pairs in (("segment_entered", entered), ("segment_exited", left))
            for s, c in pairs
        ],
    )
    delta: dict[int, int] = defaultdict(int)
    for sid, _ in entered:
        delta[sid] += 1
    for sid, _ in left:
        delta[sid] -= 1
    for sid, change in delta.items():
        if change:
            await session.execute(
                update(Segment).where(col(Segment.id) == sid).values(member_count=col(Segment.member_count) + change)
            )
