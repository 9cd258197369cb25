"""Leads counted for the reports: contacts that became leads in a period (lead_at, set whenever a
contact's lead origin is first set, on every write path), grouped by parts of their origin, their
source, stage or day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts.models import Contact
from parcours.db import dialect_name

_BECAME_LEAD = col(Contact.lead_at)
# What leads may be grouped by.
_BY: dict[str, Any] = {
    "kind": col(Contact.lead_origin),
    "form_id": col(Contact.lead_origin_form_id),
    "page_id": col(Contact.lead_origin_page_id),
    "journey_id": col(Contact.lead_origin_journey_id),
    "campaign_id": col(Contact.lead_origin_campaign_id),
    "source": col(Contact.source),
    "stage": col(Contact.lifecycle_stage),
    "day": func.date(_BECAME_LEAD),
}


def _where(since: datetime | None, until: datetime | None, within: Select[Any] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Contact.lead_origin).is_not(None), _BECAME_LEAD.is_not(None)]
    if since is not None:
        where.append(_BECAME_LEAD >= since)
    if until is not None:
        where.append(_BECAME_LEAD < until)
    if within is not None:
        where.append(col(Contact.id).in_(within))
    return where


def _day(value: Any) -> date:
    # SQLite answers date() as text, PostgreSQL as a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def lead_counts(
    session: AsyncSession,
    by: Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
    within: Select[Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Leads per group: one tuple (values of `by`..., count) per group, in one grouped query.
    `within`: a select of contact ids (a segment's members) the leads must be among."""
    columns = [_BY[name] for name in by]
    query = select(*columns, func.count()).where(*_where(since, until, within)).group_by(*columns)
    rows = (await session.execute(query)).all()
    return _typed(by, rows)


def _typed(by: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    day = by.index("day") if "day" in by else None
    return [tuple(_day(v) if i == day else v for i, v in enumerate(row[:-1])) + (int(row[-1]),) for row in rows]


async def lead_counts_by(
    session: AsyncSession,
    groupings: Sequence[Sequence[str]],
    since: datetime | None = None,
    until: datetime | None = None,
    within: Select[Any] | None = None,
) -> list[list[tuple[Any, ...]]]:
    """`lead_counts` for several groupings at once, in the same order. On PostgreSQL one pass over
    the period's leads (GROUPING SETS) instead of one per grouping: a year holds a fifth of the base."""
    if await dialect_name(session) != "postgresql":
        return [await lead_counts(session, by, since, until, within) for by in groupings]
    names = list(dict.fromkeys(name for by in groupings for name in by))
    columns = [_BY[name].label(name) for name in names]
    flags = [func.grouping(_BY[name]) for name in names]
    query = (
        select(*columns, *flags, func.count())
        .where(*_where(since, until, within))
        .group_by(func.grouping_sets(*(tuple_(*(_BY[name] for name in by)) for by in groupings)))
    )
    wanted = [{names.index(name) for name in by} for by in groupings]
    found: list[list[tuple[Any, ...]]] = [[] for _ in groupings]
    for row in (await session.execute(query)).all():
        # grouping() is 0 for the columns of the row's own grouping set.
        grouped = {i for i, flag in enumerate(row[len(names) : 2 * len(names)]) if flag == 0}
        index = wanted.index(grouped)
        found[index].append(tuple(row[names.index(name)] for name in groupings[index]) + (row[-1],))
    return [_typed(by, rows) for by, rows in zip(groupings, found, strict=True)]
