"""A report's audience: the members of the segment it is limited to (segment_id), as a select of
contact ids other features' queries take, after checking the segment exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.errors import InvalidInput, NotFound
from parcours.reports.filters import ReportFilters
from parcours.segments import service as segments


async def audience(session: AsyncSession, filters: ReportFilters) -> Select[Any] | None:
    if filters.segment_id is None:
        return None
    try:
        await segments.get_segment(session, filters.segment_id)
    except NotFound:
        raise InvalidInput(f"There is no segment with id {filters.segment_id}.", "segment_id") from None
    return segments.member_ids(filters.segment_id)
