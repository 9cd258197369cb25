"""Daily rollups: what the reports read instead of the raw interactions.

`report_daily` holds, per UTC day, subject (an email, a journey...) and metric, a sum of
increments. A consumer of the interaction stream turns each batch into its increments and adds
them in one statement, in the batch's transaction: the stream's cursor moves in that same
transaction, so a batch is counted exactly once (a batch that fails is rolled back with its
increments and handed on again). An erased contact's interactions are subtracted before they go;
a merge moves interactions between contacts and changes no count. `reports.recount.rebuild`
recounts a period from the raw rows (after a bug fix, or to check the rollups against them).

Subjects and their ids: "email" (email id), "variant" ("<email>:<A|B>", an A/B test's halves),
"campaign", "journey", "node" ("<journey>:<node>"), "form", "page" (landing page id), "source"
(a contact's source text).

`report_email_daily` breaks an email's figures down by hour of sending, recipient domain and link
(`email_increments`), fed by the same consumer. The rebuild recounts both by grouped SQL,
through the same pure functions, so that it gives the stream's very rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import dialect_insert, dialect_name
from parcours.interactions import service as interactions
from parcours.interactions.batch import Batch, Consumer, Stored
from parcours.reports.filters import ReportFilters
from parcours.reports.models import ReportDaily, ReportEmailDaily
from parcours.settings import load_settings

PURCHASE = "purchase"
CONVERTED = "journey_converted"

Key = tuple[date, str, str, str]
# (email id, day, dimension, key, metric) of report_email_daily.
EmailKey = tuple[int, date, str, str, str]
DIMENSIONS = ("hour", "domain", "link")
# Set on a click (by `link_firsts`, or by the rebuild's SQL): the message's first click on this
# link, and its first human one (the link's unique clicks).
FIRST_LINK, FIRST_HUMAN_LINK = "_first_link_click", "_first_human_link_click"


def attribution_window() -> timedelta:
    """How long after a click a purchase or a form submission is credited to the email
    (PARCOURS_ATTRIBUTION_DAYS): one setting for the stream, the rebuild, the reports and the
    origin of a form's lead."""
    return load_settings().attribution_window


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
_BROKEN_DOWN = frozenset(("email_sent", "email_bounced", "email_opened", "email_clicked"))
ATTRIBUTED_TYPES = (PURCHASE, "form_submitted")
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


def increments(
    rows: Iterable[Stored], touches: dict[int, Touches] | None = None, weights: dict[int, float] | None = None
) -> dict[Key, float]:
    """What these interactions add to the rollups (pure). `touches`: for a purchase or a form
    submission (by interaction id), the email clicks it is credited to (see `credited_clicks`).
    `weights`: a row standing for that many identical interactions (the rebuild's groups)."""
    found: dict[Key, float] = defaultdict(float)
    touches = touches or {}
    weights = weights or {}
    for row in rows:
        day, weight = row.occurred_at.astimezone(UTC).date(), weights.get(row.id, 1.0)
        for subject, subject_id, metric, value in _metrics(row, touches):
            found[(day, subject, subject_id[:200], metric)] += value * weight
    return found


def _metrics(row: Stored, touches: dict[int, Touches]) -> list[tuple[str, str, str, float]]:
    p = row.properties
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
    return metrics


def email_increments(
    rows: Iterable[Stored], dimensions: Sequence[str] = DIMENSIONS, weights: dict[int, float] | None = None
) -> dict[EmailKey, float]:
    """What these interactions add to the emails' breakdowns (pure): per hour of sending the
    sends and unique opens and clicks; per recipient domain the same and the bounces; per link
    the clicks and unique clicks (the message's first on that link: FIRST_LINK set on the row)."""
    found: dict[EmailKey, float] = defaultdict(float)
    weights = weights or {}
    by_hour, by_domain, by_link = "hour" in dimensions, "domain" in dimensions, "link" in dimensions
    for row in rows:
        # Deliveries, unsubscriptions and complaints are in none of the breakdowns.
        if row.type not in _BROKEN_DOWN or (p := row.properties).get("email_id") is None:
            continue
        at = row.occurred_at.astimezone(UTC)
        email_id, day, weight = int(p["email_id"]), at.date(), weights.get(row.id, 1.0)
        hour = p.get("sent_hour")
        if row.type == "email_sent":
            names, hour = ["sent"], at.hour
        elif row.type == "email_bounced":
            names, hour = ["bounced_hard" if p.get("hard") else "bounced_soft"], None  # bounces: by domain only
        else:
            names = [metric for flag, metric in _FIRSTS.items() if p.get(flag)]
        if by_hour and hour is not None:
            for metric in names:
                found[(email_id, day, "hour", str(hour)[:500], metric)] += weight
        if by_domain and p.get("domain"):
            for metric in names:
                found[(email_id, day, "domain", str(p["domain"])[:500], metric)] += weight
        if by_link and row.type == "email_clicked":
            url = str(p.get("url") or "")[:500]
            found[(email_id, day, "link", url, "clicks")] += weight
            if p.get(FIRST_LINK):
                found[(email_id, day, "link", url, "unique_clicks")] += weight
            if p.get(FIRST_HUMAN_LINK):
                found[(email_id, day, "link", url, "unique_clicks_human")] += weight
    return found


async def credited_clicks(
    session: AsyncSession, rows: Sequence[Stored], window: timedelta | None = None
) -> dict[int, Touches]:
    """For each purchase and form submission of `rows`, the contact's last and first human email
    clicks within the attribution window before it (none: not credited to an email)."""
    wanted = [r for r in rows if r.type in ATTRIBUTED_TYPES]
    if not wanted:
        return {}
    window = window or attribution_window()
    since = min(r.occurred_at for r in wanted) - window
    until = max(r.occurred_at for r in wanted)
    clicks = await interactions.of_types(session, {r.contact_id for r in wanted}, ["email_clicked"], since, until)
    found: dict[int, Touches] = {}
    for row in wanted:
        before = sorted(
            (at, p)
            for _kind, at, p in clicks.get(row.contact_id, [])
            if row.occurred_at - window <= at <= row.occurred_at and not p.get("machine")
        )
        if before:
            found[row.id] = (before[-1][1], before[0][1])
    return found


def known_firsts(properties: dict[str, Any]) -> tuple[bool | None, bool | None]:
    """What a click's own flags tell of it being its message's first (and first human) on its
    link, None where they cannot tell: the message's first click is the first on every link, its
    first human click the first human one (tracking sets these flags from the message's state)."""
    if properties.get("machine"):
        return (True if properties.get("first_click") else None), False
    if properties.get("first_click"):
        return True, True
    return None, (True if properties.get("first_human_click") else None)


async def link_firsts(session: AsyncSession, rows: Sequence[Stored]) -> list[Stored]:
    """`rows` with each click marked when it is its message's first (and first human) on its link:
    from its flags (`known_firsts`), else from the earlier clicks of the same contacts (a message's
    clicks stay with one contact), read only for the clicks the flags leave open."""
    clicks = {
        r.id: known_firsts(r.properties)
        for r in rows
        if r.type == "email_clicked" and r.properties.get("message_id") is not None
    }
    unknown = [r for r in rows if r.id in clicks and None in clicks[r.id]]
    earlier = await _earlier_clicks(session, unknown)
    marked = []
    for row in rows:
        if row.id not in clicks:
            marked.append(row)
            continue
        p = row.properties
        first, human = clicks[row.id]
        before = earlier[(str(p.get("message_id")), str(p.get("url") or ""))]
        mine = (row.occurred_at, row.id)
        if first is None:
            first = not any((at, id_) < mine for at, id_, _m in before)
        if human is None:
            human = not any((at, id_) < mine for at, id_, m in before if not m)
        marked.append(msgspec.structs.replace(row, properties={**p, FIRST_LINK: first, FIRST_HUMAN_LINK: human}))
    return marked


async def _earlier_clicks(
    session: AsyncSession, clicks: Sequence[Stored]
) -> dict[tuple[str, str], list[tuple[datetime, int, bool]]]:
    """(message id, url) -> (when, id, by a machine) of the clicks of these clicks' contacts."""
    earlier: dict[tuple[str, str], list[tuple[datetime, int, bool]]] = defaultdict(list)
    if not clicks:
        return earlier
    t = interactions.table().c
    contact_ids = sorted({r.contact_id for r in clicks})
    until = max(r.occurred_at for r in clicks)
    for start in range(0, len(contact_ids), 1000):
        found = await session.execute(
            select(t.id, t.occurred_at, t.properties).where(
                t.contact_id.in_(contact_ids[start : start + 1000]), t.type == "email_clicked", t.occurred_at <= until
            )
        )
        for id_, at, p in found.all():
            p = p or {}
            earlier[(str(p.get("message_id")), str(p.get("url") or ""))].append((at, id_, bool(p.get("machine"))))
    return earlier


async def _upsert(session: AsyncSession, model: Any, keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """value += the rows' values, inserting the keys not there yet, in one statement compiled
    once and cached (a VALUES list of thousands of rows, compiled anew for each batch, cost more
    than the database's work): on PostgreSQL one INSERT ... SELECT FROM unnest(one array per
    column), elsewhere one statement executed for every row (SQLite runs in-process)."""
    if not rows:
        return
    table = model.metadata.tables[model.__tablename__]
    dialect = await dialect_name(session)
    insert = dialect_insert(dialect, model)
    columns = [table.c[name] for name in (*keys, "value")]
    if dialect == "postgresql":
        # Set-returning functions side by side in a select list run in step: one row per index.
        arrays = [func.unnest(bindparam(None, [r[c.name] for r in rows], type_=ARRAY(c.type))) for c in columns]
        upsert = insert.from_select([c.name for c in columns], select(*arrays))
    else:
        upsert = insert
    statement = upsert.on_conflict_do_update(
        index_elements=list(keys), set_={"value": table.c.value + insert.excluded.value}
    )
    await session.execute(statement, None if dialect == "postgresql" else rows)


async def add(session: AsyncSession, changes: dict[Key, float], sign: float = 1.0) -> None:
    """Add (or subtract) increments (sorted: concurrent writers take the rows' locks in one order)."""
    rows = [
        {"day": d, "subject": s, "subject_id": i, "metric": m, "value": sign * v}
        for (d, s, i, m), v in sorted(changes.items())
        if v
    ]
    await _upsert(session, ReportDaily, ("day", "subject", "subject_id", "metric"), rows)


async def add_email(session: AsyncSession, changes: dict[EmailKey, float], sign: float = 1.0) -> None:
    """Add (or subtract) the emails' breakdowns, as `add` does the daily rollups."""
    rows = [
        {"email_id": e, "day": d, "dimension": n, "key": k, "metric": m, "value": sign * v}
        for (e, d, n, k, m), v in sorted(changes.items())
        if v
    ]
    await _upsert(session, ReportEmailDaily, ("email_id", "day", "dimension", "key", "metric"), rows)


async def count(session: AsyncSession, rows: Sequence[Stored], sign: float = 1.0) -> None:
    """Add what these interactions count to both rollups (or take it out: sign -1)."""
    touches = await credited_clicks(session, rows)
    await add(session, increments(rows, touches), sign)
    await add_email(session, email_increments(await link_firsts(session, rows)), sign)


def stream_consumer() -> Consumer:
    async def consume(batch: Batch) -> None:
        await count(batch.session, batch.rows)

    return consume


# ---- erasure -------------------------------------------------------------------------------------


async def counted_ids(session: AsyncSession) -> tuple[int, set[int]]:
    """How far the stream has counted: its position and the ids below it still waited for.
    The stream's cursor stays locked until the transaction ends."""
    cursor = await interactions.stream_cursor(session)
    return cursor.position, {int(k) for k in cursor.gaps}


async def _counted(session: AsyncSession, rows: Sequence[Stored]) -> list[Stored]:
    """Those of `rows` the stream has already counted (the others will be when their turn comes).
    The stream's cursor stays locked until the transaction ends: no batch counts them meanwhile."""
    position, gaps = await counted_ids(session)
    return [r for r in rows if r.id <= position and r.id not in gaps]


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """Before a contact's interactions are erased: take what they added out of the rollups."""
    await count(session, await _counted(session, await interactions.stored_of(session, contact_id)), sign=-1.0)


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


Breakdown = dict[tuple[str, str, str], float]


async def breakdowns(session: AsyncSession, email_id: int, filters: ReportFilters) -> Breakdown:
    """An email's breakdowns over the period: (dimension, key, metric) -> sum (the primary key's
    range serves it)."""
    t = ReportEmailDaily
    rows = await session.execute(
        select(col(t.dimension), col(t.key), col(t.metric), func.sum(col(t.value)))
        .where(col(t.email_id) == email_id, col(t.day) >= filters.start, col(t.day) <= filters.end)
        .group_by(col(t.dimension), col(t.key), col(t.metric))
    )
    return {(n, k, m): float(v or 0) for n, k, m, v in rows.all()}


async def freshness(session: AsyncSession) -> datetime | None:
    """The time up to which every interaction is counted: now when the stream has caught up,
    else when its cursor last moved (None: it never ran and interactions wait)."""
    return await interactions.stream_freshness(session)
