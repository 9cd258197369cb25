"""Counting the rollups of a period from the raw interactions, set-wise: `rebuild` (the
`parcours rebuild-rollups` command) and the email reports limited to a segment's audience.

The email events are read grouped (one row per day and combination of what the rollups look at,
with its count) and each group goes through the stream's own pure functions as one interaction
weighing its count: the recount gives exactly the rows the stream gives. The link a click is the
first on (per message) is found by SQL. Purchases and form submissions are credited to clicks in
Python, by batches of rows read narrowly, as the stream does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, cast, delete, func, not_, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import Sessions, dialect_name, transaction, utc_day
from parcours.interactions import service as interactions
from parcours.interactions.batch import Stored
from parcours.reports import rollups
from parcours.reports.models import ReportDaily, ReportEmailDaily

EMAIL_EVENTS = (
    "email_sent",
    "email_delivered",
    "email_bounced",
    "email_opened",
    "email_clicked",
    "email_unsubscribed",
    "email_complained",
)
OTHER_EVENTS = ("journey_step", rollups.CONVERTED, "contact_created")
_FLAGS = ("hard", "first_open", "first_human_open", "first_click", "first_human_click")
_IDS = ("email_id", "campaign_id", "journey_id", "variant", "node_id")
_BATCH = 5_000

Counts = tuple[dict[rollups.Key, float], dict[rollups.EmailKey, float]]


def _truthy(value: Any) -> bool:
    """A JSON flag as SQL hands it back (true, 1, 'true'), as Python reads the JSON value."""
    return value not in (None, False, 0, "", "false", "0")


class _Query:
    """The pieces of SQL over the interactions of [since, until) the stream has counted."""

    def __init__(
        self, dialect: str, since: datetime, until: datetime, among: Any, counted: tuple[int, set[int]] | None
    ):
        self.t = interactions.table()
        self.dialect = dialect
        self.since, self.until, self.among = since, until, among
        self.counted = counted

    def prop(self, name: str, table: Any = None) -> ColumnElement[Any]:
        """A property as text on both databases (SQLite's json_extract keeps numbers numbers)."""
        return cast((table if table is not None else self.t).c.properties[name].as_string(), String)

    def flag(self, name: str) -> ColumnElement[bool]:
        """A flag set (true: 'true' in PostgreSQL's text, 1 in SQLite's), as `_truthy` reads it."""
        return func.coalesce(self.prop(name), "").not_in(["", "false", "0"])

    def human(self, table: Any) -> ColumnElement[bool]:
        return func.coalesce(table.c.properties["machine"].as_boolean(), False) == False

    def day(self) -> ColumnElement[Any]:
        return utc_day(self.dialect, self.t.c.occurred_at)

    def hour(self) -> ColumnElement[Any]:
        at = self.t.c.occurred_at
        if self.dialect == "postgresql":
            return cast(func.extract("hour", func.timezone("UTC", at)), Integer)
        return cast(func.strftime("%H", at), Integer)

    def where(self, types: Sequence[str], email_ids: Sequence[int] | None = None) -> list[Any]:
        c = self.t.c
        found = [c.type.in_(types), c.occurred_at >= self.since, c.occurred_at < self.until]
        if self.counted is not None:
            position, gaps = self.counted
            found.append(c.id <= position)
            if gaps:
                found.append(c.id.not_in(sorted(gaps)))
        if self.among is not None:
            found.append(c.contact_id.in_(self.among))
        if email_ids is not None:
            found.append(self.prop("email_id").in_([str(i) for i in email_ids]))
        return found


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _moment(day: Any, hour: int = 0) -> datetime:
    return datetime.combine(_day(day), time(hour), UTC)


async def _grouped(
    session: AsyncSession, q: _Query, types: Sequence[str], names: Sequence[str], email_ids: Sequence[int] | None
) -> list[tuple[Any, ...]]:
    """(day, type, *properties named, count) of the interactions, grouped."""
    columns = [q.day().label("day"), q.t.c.type, *(q.prop(n).label(n) for n in names)]
    statement = select(*columns, func.count()).where(*q.where(types, email_ids)).group_by(*columns)
    return [tuple(row) for row in (await session.execute(statement)).all()]


def _rows(
    groups: list[tuple[Any, ...]], names: Sequence[str], hour: bool = False
) -> tuple[list[Stored], dict[int, float]]:
    """Each group as one interaction weighing its count (flags made booleans, as in the JSON)."""
    rows, weights = [], {}
    for n, group in enumerate(groups, start=1):
        day, kind, *values, number = group
        at_hour = int(values.pop()) if hour else 0
        properties = {
            name: (_truthy(v) if name in _FLAGS else v) for name, v in zip(names, values, strict=True) if v is not None
        }
        rows.append(Stored(id=-n, contact_id=0, type=kind, occurred_at=_moment(day, at_hour), properties=properties))
        weights[-n] = float(number)
    return rows, weights


async def _link_clicks(session: AsyncSession, q: _Query, email_ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
    """(day, type, email_id, url, first on its link, first human on its link, count) of the clicks."""
    e, c = aliased(q.t), q.t.c
    same = [
        e.c.contact_id == c.contact_id,
        e.c.type == "email_clicked",
        q.prop("message_id", e) == q.prop("message_id"),
        q.prop("url", e) == q.prop("url"),
        or_(e.c.occurred_at < c.occurred_at, and_(e.c.occurred_at == c.occurred_at, e.c.id < c.id)),
    ]
    # As `rollups.known_firsts`: the click's own flags first, the earlier clicks where they cannot tell.
    first = or_(q.flag("first_click"), not_(select(e.c.id).where(*same).exists()))
    first_human = and_(
        q.human(q.t),
        or_(q.flag("first_click"), q.flag("first_human_click"), not_(select(e.c.id).where(*same, q.human(e)).exists())),
    )
    columns = [
        q.day().label("day"),
        c.type,
        q.prop("email_id").label("email_id"),
        q.prop("url").label("url"),
        first.label(rollups.FIRST_LINK),
        first_human.label(rollups.FIRST_HUMAN_LINK),
    ]
    statement = select(*columns, func.count()).where(*q.where(["email_clicked"], email_ids)).group_by(*columns)
    return [tuple(row) for row in (await session.execute(statement)).all()]


async def _attributed(
    session: AsyncSession, q: _Query, types: Sequence[str], window: timedelta
) -> dict[rollups.Key, float]:
    """Purchases and form submissions one by one (narrow: their rows only), credited in batches."""
    c = q.t.c
    found: dict[rollups.Key, float] = defaultdict(float)
    statement = select(c.id, c.contact_id, c.type, c.occurred_at, c.properties).where(*q.where(types)).order_by(c.id)
    rows = [
        Stored(id=r.id, contact_id=r.contact_id, type=r.type, occurred_at=r.occurred_at, properties=r.properties or {})
        for r in (await session.execute(statement)).all()
    ]
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        for key, value in rollups.increments(batch, await rollups.credited_clicks(session, batch, window)).items():
            found[key] += value
    return found


async def count_between(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    *,
    among: Any = None,
    email_ids: Sequence[int] | None = None,
    emails_only: bool = False,
    breakdowns: bool = True,
    window: timedelta | None = None,
    counted: tuple[int, set[int]] | None = None,
) -> tuple[Counts, int]:
    """What the interactions of [since, until) the stream has counted add to both rollups, and
    how many interactions that was. `among`: only these contacts (a select of ids); `email_ids`:
    only these emails' events; `emails_only`: only what the email reports read; `breakdowns`:
    False leaves the emails' breakdowns out; `counted`: only the ids the stream has counted
    (`rollups.counted_ids`; None: every row, as it is now)."""
    window = window or rollups.attribution_window()
    q = _Query(await dialect_name(session), since, until, among, counted)
    daily: dict[rollups.Key, float] = defaultdict(float)
    by_email: dict[rollups.EmailKey, float] = defaultdict(float)
    read = 0

    def into(target: dict[Any, float], found: dict[Any, float]) -> None:
        for key, value in found.items():
            target[key] += value

    names = [*_IDS, *_FLAGS]
    rows, weights = _rows(await _grouped(session, q, EMAIL_EVENTS, names, email_ids), names)
    into(daily, rollups.increments(rows, weights=weights))
    read += int(sum(weights.values()))
    if breakdowns:
        into(by_email, await _breakdowns(session, q, email_ids))
    if not emails_only:
        names = ["journey_id", "node_type", "source"]
        rows, weights = _rows(await _grouped(session, q, OTHER_EVENTS, names, None), names)
        into(daily, rollups.increments(rows, weights=weights))
        read += int(sum(weights.values()))
    attributed = [rollups.PURCHASE] if emails_only else list(rollups.ATTRIBUTED_TYPES)
    into(daily, await _attributed(session, q, attributed, window))
    return (dict(daily), dict(by_email)), read


async def _breakdowns(
    session: AsyncSession, q: _Query, email_ids: Sequence[int] | None
) -> dict[rollups.EmailKey, float]:
    found: dict[rollups.EmailKey, float] = defaultdict(float)
    names = ["email_id", "domain", *_FLAGS]
    rows, weights = _rows(await _grouped(session, q, EMAIL_EVENTS, names, email_ids), names)
    parts = [rollups.email_increments(rows, ("domain",), weights)]
    names = ["email_id", "sent_hour", *_FLAGS]
    rows, weights = _rows(await _hourly(session, q, names, email_ids), names, hour=True)
    parts.append(rollups.email_increments(rows, ("hour",), weights))
    clicks = await _link_clicks(session, q, email_ids)
    links = [(day, kind, e, url, _truthy(f), _truthy(h), n) for day, kind, e, url, f, h, n in clicks]
    rows, weights = _rows(links, ["email_id", "url", rollups.FIRST_LINK, rollups.FIRST_HUMAN_LINK])
    parts.append(rollups.email_increments(rows, ("link",), weights))
    for part in parts:
        for key, value in part.items():
            found[key] += value
    return found


def totals_of(
    daily: dict[rollups.Key, float], subject: str, ids: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """subject_id -> metric -> sum, as `rollups.totals` reads them, from counted increments (pure)."""
    found: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (_day, s, i, m), v in daily.items():
        if s == subject and (ids is None or i in ids):
            found[i][m] += v
    return {i: dict(m) for i, m in found.items()}


def series_of(
    daily: dict[rollups.Key, float], subject: str, ids: Sequence[str] | None = None
) -> dict[date, dict[str, float]]:
    """day -> metric -> sum over the ids, as `rollups.series` reads them (pure)."""
    found: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (day, s, i, m), v in daily.items():
        if s == subject and (ids is None or i in ids):
            found[day][m] += v
    return {d: dict(m) for d, m in found.items()}


def breakdown_of(by_email: dict[rollups.EmailKey, float], email_id: int) -> rollups.Breakdown:
    """(dimension, key, metric) -> sum of one email, as `rollups.breakdowns` reads them (pure)."""
    found: dict[tuple[str, str, str], float] = defaultdict(float)
    for (e, _day, n, k, m), v in by_email.items():
        if e == email_id:
            found[(n, k, m)] += v
    return dict(found)


async def _hourly(
    session: AsyncSession, q: _Query, names: Sequence[str], email_ids: Sequence[int] | None
) -> list[tuple[Any, ...]]:
    """Like `_grouped`, with the hour of each interaction last (a send's hour is its own)."""
    columns = [q.day().label("day"), q.t.c.type, *(q.prop(n).label(n) for n in names), q.hour().label("_hour")]
    statement = select(*columns, func.count()).where(*q.where(EMAIL_EVENTS, email_ids)).group_by(*columns)
    return [tuple(row) for row in (await session.execute(statement)).all()]


async def rebuild(sessions: Sessions, start: date, end: date, window: timedelta | None = None) -> int:
    """Recount the days from `start` to `end` (included) from the raw interactions the stream
    has counted, in one transaction that holds the stream's cursor (the stream waits meanwhile),
    a day at a time. Returns how many interactions were read."""
    read = 0
    async with transaction(sessions) as session:
        counted = await rollups.counted_ids(session)
        await session.execute(delete(ReportDaily).where(col(ReportDaily.day) >= start, col(ReportDaily.day) <= end))
        await session.execute(
            delete(ReportEmailDaily).where(col(ReportEmailDaily.day) >= start, col(ReportEmailDaily.day) <= end)
        )
        day = start
        while day <= end:
            since = datetime.combine(day, time(), UTC)
            (daily, by_email), number = await count_between(
                session, since, since + timedelta(days=1), window=window, counted=counted
            )
            await rollups.add(session, daily)
            await rollups.add_email(session, by_email)
            read += number
            day += timedelta(days=1)
    return read
