"""Static segments: members picked by hand (or by a journey step), not by a rule."""

from __future__ import annotations

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.db import serialize
from parcours.errors import InvalidInput
from parcours.segments import members
from parcours.segments.models import Segment, SegmentMember
from parcours.segments.reading import get_segment
from parcours.segments.realtime import evaluate_contacts


async def require_static(session: AsyncSession, segment_id: int, field: str = "segment_id") -> Segment:
    segment = await session.get(Segment, segment_id)
    if segment is None:
        raise InvalidInput("This segment does not exist.", field)
    if segment.kind != "static":
        raise InvalidInput("Members of a dynamic segment follow its rule: edit the rule, or make a static copy.", field)
    return segment


async def _static(session: AsyncSession, segment_id: int) -> tuple[int, Segment]:
    await serialize(session, members.MEMBERSHIP_LOCK)
    await get_segment(session, segment_id)
    segment = await require_static(session, segment_id)
    assert segment.id is not None
    return segment.id, segment


async def _have(session: AsyncSession, segment_id: int, contact_ids: list[int]) -> set[int]:
    query = members.member_ids(segment_id).where(col(SegmentMember.contact_id).in_(contact_ids))
    return set((await session.execute(query)).scalars())


async def add_members(session: AsyncSession, segment_id: int, contact_ids: list[int]) -> tuple[int, int]:
    sid, segment = await _static(session, segment_id)
    missing = set(contact_ids) - await contacts.existing_ids(session, contact_ids)
    if missing:
        raise InvalidInput(f"There is no contact with id {min(missing)}.", "contact_ids")
    new = sorted(set(contact_ids) - await _have(session, segment_id, contact_ids))
    await members.apply(session, {sid: segment.name}, [(segment_id, c) for c in new], [])
    await evaluate_contacts(session, new)  # segments that include or exclude this one follow
    await session.refresh(segment)
    return len(new), segment.member_count


async def remove_members(session: AsyncSession, segment_id: int, contact_ids: list[int]) -> tuple[int, int]:
    sid, segment = await _static(session, segment_id)
    have = sorted(await _have(session, segment_id, contact_ids))
    await members.apply(session, {sid: segment.name}, [], [(segment_id, c) for c in have])
    await evaluate_contacts(session, have)
    await session.refresh(segment)
    return len(have), segment.member_count
