"""SQL pieces the customer reports share: a timestamp's UTC month (as text or as a number), the
audience of a segment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, func, select

from parcours.segments import service as segments


def month_of(dialect: str, moment: Any) -> ColumnElement[str]:
    """ "2026-11" for a timestamp (stored in UTC on both databases)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM")
    return func.strftime("%Y-%m", moment)


def month_index(dialect: str, moment: Any) -> ColumnElement[int]:
    """A timestamp's UTC month as year * 12 + month - 1 (months since year 0: ints to group by)."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", moment)
        # date_part: a float, much faster to compute than extract's numeric.
        return cast(func.date_part("year", utc) * 12 + func.date_part("month", utc) - 1, Integer)
    year, month = cast(func.strftime("%Y", moment), Integer), cast(func.strftime("%m", moment), Integer)
    return year * 12 + month - 1


def in_segment(contact_id: Any, segment_id: int | None) -> list[ColumnElement[bool]]:
    """The condition keeping a segment's members (none without a segment)."""
    if segment_id is None:
        return []
    members = segments.members_table()
    return [contact_id.in_(select(members.c.contact_id).where(members.c.segment_id == segment_id))]


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None
