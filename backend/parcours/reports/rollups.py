"""Daily rollups: what the reports read instead of the raw interactions.

`report_daily` holds, per UTC day, subject (an email, a journey...) and metric, a sum of
increments. A consumer of the interaction stream turns each batch into its increments and adds
them in one statement, in the batch's transaction: the stream's cursor moves in that same
transaction, so a batch is counted exactly once (a batch that fails is rolled back with its
increments and handed on again). An erased contact's interactions are subtracted before they go;
a merge moves interactions between contacts and changes no count. `rebuild` recounts a period
from the raw rows (after a bug fix, or to check the rollups against them).

Subjects and their ids: "email" (email id), "variant" ("<email>:<A|B>", an A/B test's halves),
"campaign", "journey", "node" ("<journey>:<node>"), "form", "page" (landing page id), "source"
(a contact's source text).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import Sessions, dialect_insert, dialect_name, transaction
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer, Stored
from parcours.reports.filters import ReportFilters
from parcours.reports.models import ReportDaily

# A purchase (or a form submission) is credited to a click on an email at most this long before.
ATTRIBUTION_WINDOW = timedelta(days=7)
PURCHASE = "purchase"
CONVERTED = "journey_converted"
# Rows of one upsert statement: 5 parameters each, under both databases' limits.
_CHUNK = 5_000

Key = tuple[date, str, str, str]

# What each email event adds, on the message's email, campaign, journey and step.
_EMAIL_EVENTS = {
    "email_sent": "sent",
    "email_delivered": "delivered",
    "email_opened": "opens",
    "email_clicked": "clicks",
    "email_unsubscribed": "unsubscribed",
    "email_complained": "complaints",
}
# The flags tracking sets on a message's first open or click (tracking.service._firsts).
_FIRSTS = {
    "first_open": "unique_opens",
    "first_human_open": "unique_opens_human",
    "first_click": "unique_clicks",
    "first_human_click": "unique_clicks_human",
}
ATTRIBUTED_TYPES = (PURCHASE, "form_submitted")
# Every type `increments` counts (what a rebuild reads).
COUNTED_TYPES = (
    "email_sent",
    "email_delivered",
    "email_bounced",
    "email_opened",
    "email_clicked",
    "email_unsubscribed",
    "email_complained",
    "journey_step",
    CONVERTED,
    "contact_created",
    "form_submitted",
    PURCHASE,
)
# The counts of an email (or campaign, journey, step): what its reports show.
COUNTED = (
    "sent",
    "delivered",
    "bounced_hard",
    "bounced_soft",
    "opens",
    "unique_opens",
    "unique_opens_human",
    "clicks",
    "unique_clicks",
    "unique_clicks_human",
    "unsubscribed",
    "complaints",
)


def _message_subjects(properties: dict[str, Any]) -> list[tuple[str, str]]:
    """The subjects an email event counts for: its email, campaign, journey and journey step."""
    found = []
    for subject, key in (("email", "email_id"), ("campaign", "campaign_id"), ("journey", "journey_id")):
        if properties.get(key) is not None:
            found.append((subject, str(properties[key])))
    if properties.get("email_id") is not None and properties.get("variant"):
        found.append(("variant", f"{properties['email_id']}:{properties['variant']}"))
    if properties.get("journey_id") is not None and properties.get("node_id"):
        found.append(("node", f"{properties['journey_id']}:{properties['node_id']}"))
    return found


def _amount(properties: dict[str, Any]) -> float:
    raw = properties.get("amount", properties.get("value"))
    return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else 0.0


# The clicks credited with an interaction: (last touch, first touch) message properties.
Touches = tuple[dict[str, Any], dict[str, Any]]


def increments(rows: Iterable[Stored], touches: dict[int, Touches] | None = None) -> dict[Key, float]:
    """What these interactions add to the rollups (pure). `touches`: for a purchase or a form
    submission (by interaction id), the email clicks it is credited to (see `credited_clicks`)."""
    found: dict[Key, float] = defaultdict(float)
    touches = touches or {}
    for row in rows:
        day, p = row.occurred_at.astimezone(UTC).date(), row.properties
        metrics: list[tuple[str, str, str, float]] = []
        if row.type in _EMAIL_EVENTS or row.type == "email_bounced":
            names = [_EMAIL_EVENTS.get(row.type) or ("bounced_hard" if p.get("hard") else "bounced_soft")]
            names += [metric for flag, metric in _FIRSTS.items() if p.get(flag)]
            metrics += [(s, i, m, 1.0) for s, i in _message_subjects(p) for m in names]
        elif row.type == "journey_step" and str(p.get("node_type", "")).startswith("entry."):
            metrics.append(("journey", str(p.get("journey_id")), "entered", 1.0))
        elif row.type == CONVERTED and p.get("journey_id") is not None:
            metrics.append(("journey", str(p["journey_id"]), "conversions", 1.0))
        elif row.type == "contact_created":
            metrics.append(("source", str(p.get("source") or ""), "leads", 1.0))
        if row.type == "form_submitted":
            names = ["submissions", "leads"] if p.get("new_contact") else ["submissions"]
            for subject, key in (("form", "form_id"), ("page", "page_id")):
                if p.get(key) is not None:
                    metrics += [(subject, str(p[key]), m, 1.0) for m in names]
            last = touches.get(row.id, ({}, {}))[0]
            if last.get("journey_id") is not None:
                metrics += [("journey", str(last["journey_id"]), m, 1.0) for m in names]
        if row.type == PURCHASE and row.id in touches:
            amount = _amount(p)
            last, first = touches[row.id]
            metrics += [(s, i, "revenue", amount) for s, i in _message_subjects(last)]
            metrics += [(s, i, "revenue_first_touch", amount) for s, i in _message_subjects(first)]
        for subject, subject_id, metric, value in metrics:
            found[(day, subject, subject_id[:200], metric)] += value
    return found


async def credited_clicks(session: AsyncSession, rows: Sequence[Stored]) -> dict[int, Touches]:
    """For each purchase and form submission of `rows`, the contact's last and first human email
    clicks within ATTRIBUTION_WINDOW before it (none: not credited to an email)."""
    wanted = [r for r in rows if r.type in ATTRIBUTED_TYPES]
    if not wanted:
        return {}
    since = min(r.occurred_at for r in wanted) - ATTRIBUTION_WINDOW
    until = max(r.occurred_at for r in wanted)
    clicks = await interactions.of_types(session, {r.contact_id for r in wanted}, ["email_clicked"], since, until)
    found: dict[int, Touches] = {}
    for row in wanted:
        before = sorted(
            (at, p)
            for _kind, at, p in clicks.get(row.contact_id, [])
            if row.occurred_at - ATTRIBUTION_WINDOW <= at <= row.occurred_at and not p.get("machine")
        )
        if before:
            found[row.id] = (before[-1][1], before[0][1])
    return found


async def add(session: AsyncSession, changes: dict[Key, float], sign: float = 1.0) -> None:
    """Add (or subtract) increments: one INSERT ... ON CONFLICT DO UPDATE per few thousand rows."""
    table = ReportDaily.metadata.tables["report_daily"]
    rows = [
        {"day": d, "subject": s, "subject_id": i, "metric": m, "value": sign * v}
        for (d, s, i, m), v in sorted(changes.items())
        if v
    ]
    dialect = await dialect_name(session) if rows else ""
    for start in range(0, len(rows), _CHUNK):
        insert = dialect_insert(dialect, ReportDaily)
        statement = insert.values(rows[start : start + _CHUNK]).on_conflict_do_update(
            index_elements=["day", "subject", "subject_id", "metric"],
            set_={"value": table.c.value + insert.excluded.value},
        )
        await session.execute(statement)


def stream_consumer() -> Consumer:
    async def consume(batch: Batch) -> None:
        touches = await credited_clicks(batch.session, batch.rows)
        await add(batch.session, increments(batch.rows, touches))

    return consume


# ---- erasure and rebuild --------------------------------------------------------------------------


async def _counted(session: AsyncSession, rows: Sequence[Stored]) -> list[Stored]:
    """Those of `rows` the stream has already counted (the others will be when their turn comes).
    The stream's cursor stays locked until the transaction ends: no batch counts them meanwhile."""
    cursor = await interactions.stream_cursor(session)
    gaps = {int(k) for k in cursor.gaps}
    return [r for r in rows if r.id <= cursor.position and r.id not in gaps]


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """Before a contact's interactions are erased: take what they added out of the rollups."""
    rows = await _counted(session, await interactions.stored_of(session, contact_id))
    await add(session, increments(rows, await credited_clicks(session, rows)), sign=-1.0)


async def rebuild(sessions: Sessions, start: date, end: date) -> int:
    """Recount the days from `start` to `end` (included) from the raw interactions the stream
    has counted, in one transaction that holds the stream's cursor (the stream waits meanwhile).
    Returns how many interactions were read."""
    read = 0
    async with transaction(sessions) as session:
        await _counted(session, [])
        await session.execute(delete(ReportDaily).where(col(ReportDaily.day) >= start, col(ReportDaily.day) <= end))
        # Hour by hour: each read is one range of the (type, time) index, and fits in memory.
        hour = datetime.combine(start, datetime.min.time(), UTC)
        until = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
        while hour < until:
            rows = await interactions.stored_between(session, hour, hour + timedelta(hours=1), COUNTED_TYPES)
            hour += timedelta(hours=1)
            for first in range(0, len(rows), interactions.STATS_BATCH):
                counted = await _counted(session, rows[first : first + interactions.STATS_BATCH])
                await add(session, increments(counted, await credited_clicks(session, counted)))
            read += len(rows)
    return read


# ---- reading ---------------------------------------------------------------------------------------


def _where(subject: str, filters: ReportFilters, ids: Sequence[str] | None, metrics: Sequence[str] | None) -> list[Any]:
    where = [
        col(ReportDaily.subject) == subject,
        col(ReportDaily.day) >= filters.start,
        col(ReportDaily.day) <= filters.end,
    ]
    if ids is not None:
        where.append(col(ReportDaily.subject_id).in_([str(i) for i in ids]))
    if metrics is not None:
        where.append(col(ReportDaily.metric).in_(list(metrics)))
    return where


async def totals(
    session: AsyncSession,
    subject: str,
    filters: ReportFilters,
    ids: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> dict[str, dict[str, float]]:
    """subject_id -> metric -> sum over the period."""
    rows = await session.execute(
        select(col(ReportDaily.subject_id), col(ReportDaily.metric), func.sum(col(ReportDaily.value)))
        .where(*_where(subject, filters, ids, metrics))
        .group_by(col(ReportDaily.subject_id), col(ReportDaily.metric))
    )
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for subject_id, metric, value in rows.all():
        found[subject_id][metric] = float(value or 0)
    return dict(found)


async def series(
    session: AsyncSession,
    subject: str,
    filters: ReportFilters,
    ids: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
) -> dict[date, dict[str, float]]:
    """day -> metric -> sum over the ids (days without anything are missing)."""
    rows = await session.execute(
        select(col(ReportDaily.day), col(ReportDaily.metric), func.sum(col(ReportDaily.value)))
        .where(*_where(subject, filters, ids, metrics))
        .group_by(col(ReportDaily.day), col(ReportDaily.metric))
    )
    found: dict[date, dict[str, float]] = defaultdict(dict)
    for day, metric, value in rows.all():
        found[day][metric] = float(value or 0)
    return dict(found)


async def freshness(session: AsyncSession) -> datetime | None:
    """The time up to which every interaction is counted: now when the stream has caught up,
    else when its cursor last moved (None: it never ran and interactions wait)."""
    return await interactions.stream_freshness(session)
