"""SQL pieces the customer reports share: a timestamp's UTC month, the audience of a segment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select

from parcours.segments import service as segments


def month_of(dialect: str, moment: Any) -> ColumnElement[str]:
    """ "2026-11" for a timestamp (stored in UTC on both databases)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM")
    return func.strftime("%Y-%m", moment)


def in_segment(contact_id: Any, segment_id: int | None) -> list[ColumnElement[bool]]:
    """The condition keeping a segment's members (none without a segment)."""
    if segment_id is None:
        return []
    members = segments.members_table()
    return [contact_id.in_(select(members.c.contact_id).where(members.c.segment_id == segment_id))]


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None
