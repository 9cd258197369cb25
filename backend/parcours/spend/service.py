"""Marketing spend: entries per month and channel, their CSV import, and sums other features read
(the ROI report's marketing cost, a cohort's acquisition cost)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.errors import InvalidInput, NotFound
from parcours.spend.models import MarketingSpend
from parcours.spend.schemas import MonthSpend, SpendSummary

MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
MAX_IMPORT_ROWS = 5000


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def add(session: AsyncSession, values: dict[str, Any], by: str) -> MarketingSpend:
    entry = MarketingSpend(**values, created_by=by)
    session.add(entry)
    await session.flush()
    return entry


async def get(session: AsyncSession, spend_id: int) -> MarketingSpend:
    entry = await session.get(MarketingSpend, spend_id)
    if entry is None:
        raise NotFound("This spend entry does not exist.", "spend_id")
    return entry


async def remove(session: AsyncSession, spend_id: int) -> None:
    await get(session, spend_id)
    await session.execute(delete(MarketingSpend).where(col(MarketingSpend.id) == spend_id))


def _where(first: str | None, last: str | None, channel: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if first:
        where.append(col(MarketingSpend.month) >= first)
    if last:
        where.append(col(MarketingSpend.month) <= last)
    if channel:
        where.append(col(MarketingSpend.channel) == channel)
    return where


async def entries(
    session: AsyncSession, first: str | None, last: str | None, channel: str | None, limit: int, cursor: str | None
) -> tuple[list[MarketingSpend], str | None, int]:
    """Newest month first, then newest entry."""
    order = [(col(MarketingSpend.month), True), (col(MarketingSpend.id), True)]
    where = _where(first, last, channel)
    query = select(MarketingSpend).where(*where).order_by(*(c.desc() for c, _ in order))
    start = read_cursor(cursor, str, int)
    if start is not None:
        query = query.where(after(order, start))
    rows = (await session.execute(query.limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(MarketingSpend).where(*where))).scalar_one()
    page, next_cursor = cut(rows, limit, lambda s: [s.month, s.id])
    return page, next_cursor, int(total)


async def by_month(session: AsyncSession, first: str, last: str) -> dict[str, dict[str, float]]:
    """month -> channel -> amount, for the months from `first` to `last` included."""
    rows = await session.execute(
        select(col(MarketingSpend.month), col(MarketingSpend.channel), func.sum(MarketingSpend.amount))
        .where(*_where(first, last, None))
        .group_by(col(MarketingSpend.month), col(MarketingSpend.channel))
    )
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for month, channel, amount in rows.all():
        out[month][channel] = round(float(amount or 0), 2)
    return dict(out)


async def total(session: AsyncSession, start: date, end: date) -> float:
    """The spend of the months a period touches (spend is known per month, not per day)."""
    months = await by_month(session, month_of(start), month_of(end))
    return round(sum(sum(c.values()) for c in months.values()), 2)


async def summary(session: AsyncSession, first: str, last: str) -> SpendSummary:
    months = await by_month(session, first, last)
    channels: dict[str, float] = defaultdict(float)
    for spent in months.values():
        for channel, amount in spent.items():
            channels[channel] += amount
    return SpendSummary(
        months=[
            MonthSpend(month=m, by_channel=months[m], total=round(sum(months[m].values()), 2)) for m in sorted(months)
        ],
        by_channel={c: round(a, 2) for c, a in sorted(channels.items())},
        total=round(sum(channels.values()), 2),
    )


def parse_csv(text: str) -> list[dict[str, Any]]:
    try:
        return _rows(text)
    except csv.Error as error:
        raise InvalidInput(f"This is not a CSV file the import can read: {error}.", "csv") from None


def _rows(text: str) -> list[dict[str, Any]]:
    """Rows of `month,channel,amount[,note]` (a header line first); the first bad row is refused
    with its line number, and then nothing of the file is kept."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if not {"month", "channel", "amount"} <= set(header):
        raise InvalidInput("The first line must name the columns month, channel and amount.", "csv")
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        month, channel = values.get("month", ""), values.get("channel", "")
        if not MONTH.match(month):
            raise InvalidInput(f"Line {line}: the month must be written like 2026-11.", "csv")
        if not 1 <= len(channel) <= 60:
            raise InvalidInput(f"Line {line}: name the channel (up to 60 characters).", "csv")
        try:
            amount = float(values.get("amount", "").replace(",", ".").replace(" ", ""))
        except ValueError:
            raise InvalidInput(f"Line {line}: the amount must be a number.", "csv") from None
        if not 0 <= amount <= 1_000_000_000:
            raise InvalidInput(f"Line {line}: the amount must be between 0 and 1,000,000,000.", "csv")
        rows.append({"month": month, "channel": channel, "amount": amount, "note": values.get("note", "")[:300]})
        if len(rows) > MAX_IMPORT_ROWS:
            raise InvalidInput(f"At most {MAX_IMPORT_ROWS} rows per file.", "csv")
    return rows


async def import_csv(session: AsyncSession, text: str, by: str) -> int:
    rows = parse_csv(text)
    session.add_all(MarketingSpend(**row, created_by=by) for row in rows)
    await session.flush()
    return len(rows)
