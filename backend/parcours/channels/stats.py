"""What became of the messages of a campaign or of a journey's steps, counted in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, null, select, union_all
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels.store import TABLE

SENT = ("sent", "captured")
# The counts of campaign_counts, in order.
COUNTS = (
    "audience",
    "queued",
    "sent",
    "suppressed",
    "failed",
    "delivered",
    "bounced",
    "unique_opens",
    "opens",
    "unique_clicks",
    "clicks",
    "unsubscribes",
    "captured",
)


def _counts() -> list[Any]:
    t = TABLE.c
    return [
        func.count(),
        func.sum(case((t.status == "queued", 1), (t.status == "held", 1), else_=0)),
        func.sum(case((t.status.in_(SENT), 1), else_=0)),
        func.sum(case((t.status == "suppressed", 1), else_=0)),
        func.sum(case((t.status == "failed", 1), else_=0)),
        func.count(t.delivered_at),
        func.count(t.bounced_at),
        func.count(t.opened_at),
        func.coalesce(func.sum(t.opens), 0),
        func.count(t.clicked_at),
        func.coalesce(func.sum(t.clicks), 0),
        func.count(t.unsubscribed_at),
        # Kept in the outbox, not sent: no mail server configured (embedded mode).
        func.sum(case((t.status == "captured", 1), else_=0)),
    ]


async def campaign_counts(
    session: AsyncSession, campaign_id: int, *, by_variant: bool = False
) -> list[tuple[str | None, dict[str, int]]]:
    """The campaign's messages counted (COUNTS), in all or per variant (None: held, no variant yet)."""
    t = TABLE.c
    if not by_variant:
        row = (await session.execute(select(*_counts()).where(t.campaign_id == campaign_id))).one()
        return [(None, dict(zip(COUNTS, (int(v or 0) for v in row), strict=True)))]
    rows = (
        await session.execute(select(t.variant, *_counts()).where(t.campaign_id == campaign_id).group_by(t.variant))
    ).all()
    return [(row[0], dict(zip(COUNTS, (int(v or 0) for v in row[1:]), strict=True))) for row in rows]


async def campaign_firsts(session: AsyncSession, campaign_id: int) -> tuple[list[datetime], list[datetime]]:
    """When each message of the campaign was first opened, and first clicked."""
    t = TABLE.c
    found = []
    for column in (t.opened_at, t.clicked_at):
        rows = await session.execute(select(column).where(t.campaign_id == campaign_id, column.is_not(None)))
        found.append([moment for (moment,) in rows.all()])
    return found[0], found[1]


async def campaign_progress(session: AsyncSession, campaign_id: int) -> tuple[int, int]:
    """(messages, still to send) of the campaign."""
    t = TABLE.c
    row = (
        await session.execute(
            select(func.count(), func.sum(case((t.status.in_(["queued", "held", "sending"]), 1), else_=0))).where(
                t.campaign_id == campaign_id
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def journey_email_counts(session: AsyncSession, journey_id: int) -> list[tuple[Any, ...]]:
    """Per step of a journey that sends email: (node_id, email_id, queued, sent, suppressed,
    failed, opened, clicked, unsubscribed, bounced, captured)."""
    t = TABLE.c

    def where(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    rows = await session.execute(
        select(
            t.node_id,
            func.max(t.email_id),
            where(t.status.in_(["queued", "sending"])),
            where(t.status.in_(SENT)),
            where(t.status == "suppressed"),
            where(t.status == "failed"),
            func.count(t.opened_at),
            func.count(t.clicked_at),
            func.count(t.unsubscribed_at),
            func.count(t.bounced_at),
            where(t.status == "captured"),
        )
        .where(t.journey_id == journey_id, t.channel == "email")
        .group_by(t.node_id)
    )
    return [(row[0], row[1], *(int(v or 0) for v in row[2:])) for row in rows.all()]


async def journey_skipped(session: AsyncSession, journey_id: int) -> list[tuple[str, str, int]]:
    """Per step of a journey and reason code: how many of its messages were not sent (node_id, code, count)."""
    t = TABLE.c
    rows = await session.execute(
        select(t.node_id, t.reason_code, func.count())
        .where(t.journey_id == journey_id, t.status == "suppressed", t.node_id.is_not(None))
        .group_by(t.node_id, t.reason_code)
    )
    return [(str(node_id), str(code or "other"), int(count)) for node_id, code, count in rows.all()]


async def journey_skipped_contacts(
    session: AsyncSession, journey_id: int, node_id: str, code: str | None, limit: int
) -> list[int]:
    """The contacts whose message of this step was not sent (for this reason, or any), latest first."""
    t = TABLE.c
    query = select(t.contact_id).where(
        t.journey_id == journey_id, t.node_id == node_id, t.status == "suppressed", t.contact_id.is_not(None)
    )
    if code is not None:
        query = query.where(t.reason_code == ("" if code == "other" else code))
    rows = await session.execute(query.order_by(t.id.desc()).limit(limit))
    return [int(cid) for cid in rows.scalars()]


# ---- reports: what a journey's or a campaign's emails became ------------------------------------


# A message counts as delivered once sent (or captured) and not bounced: the outbox learns of
# deliveries only from providers that report them, bounces from every one.
REACH = ("delivered", "opened", "clicked", "unsubscribed")


def _journey_emails(journey_id: int, contacts: Select[Any]) -> list[Any]:
    t = TABLE.c
    return [t.journey_id == journey_id, t.channel == "email", t.email_id.is_not(None), t.contact_id.in_(contacts)]


async def journey_reach_totals(
    session: AsyncSession, journey_id: int, contacts: Select[Any]
) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """How many of these contacts the journey's emails reached (REACH), in all and per email.

    Both read the journey's messages from ix_outbox_journey_reach (the index alone on PostgreSQL,
    in its order: contact, then email), first one row per contact, then one per contact and
    email, each summed: no count of distinct contacts to sort."""
    t = TABLE.c

    def reached(*by: Any) -> Any:
        def whether(condition: Any) -> Any:
            return func.max(case((condition, 1), else_=0))

        return (
            select(
                *by,
                whether(t.status.in_(SENT) & t.bounced_at.is_(None)).label("delivered"),
                whether(t.opened_at.is_not(None)).label("opened"),
                whether(t.clicked_at.is_not(None)).label("clicked"),
                whether(t.unsubscribed_at.is_not(None)).label("unsubscribed"),
            )
            .where(*_journey_emails(journey_id, contacts))
            .group_by(*by)
            .subquery()
        )

    per_contact, per_pair = reached(t.contact_id), reached(t.contact_id, t.email_id)
    everyone = select(null().label("email_id"), *(func.sum(per_contact.c[name]) for name in REACH))
    per_email = select(per_pair.c.email_id, *(func.sum(per_pair.c[name]) for name in REACH)).group_by(
        per_pair.c.email_id
    )
    totals = dict.fromkeys(REACH, 0)
    by_email: dict[int, dict[str, int]] = {}
    for email_id, *counts in (await session.execute(union_all(everyone, per_email))).all():
        figures = dict(zip(REACH, (int(v or 0) for v in counts), strict=True))
        if email_id is None:
            totals = figures
        else:
            by_email[int(email_id)] = figures
    return totals, by_email


async def journey_messages_of(
    session: AsyncSession, journey_id: int, contact_ids: Sequence[int]
) -> list[tuple[int, int, datetime | None, bool, bool, bool, bool]]:
    """The journey's emails to these contacts, oldest first: (contact_id, email_id, sent_at,
    delivered, opened, clicked, unsubscribed)."""
    if not contact_ids:
        return []
    t = TABLE.c
    rows = await session.execute(
        select(
            t.contact_id,
            t.email_id,
            t.sent_at,
            t.status.in_(SENT) & t.bounced_at.is_(None),
            t.opened_at.is_not(None),
            t.clicked_at.is_not(None),
            t.unsubscribed_at.is_not(None),
        )
        .where(
            t.journey_id == journey_id,
            t.channel == "email",
            t.email_id.is_not(None),
            t.contact_id.in_(list(contact_ids)),
        )
        .order_by(t.id)
    )
    return [(int(c), int(e), at, bool(d), bool(o), bool(k), bool(u)) for c, e, at, d, o, k, u in rows.all()]


async def journey_node_emails(session: AsyncSession, journey_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """The email each email step of these journeys sent: (journey_id, node_id) -> email_id (the
    highest id, should a step have sent another email in another version)."""
    if not journey_ids:
        return {}
    t = TABLE.c
    rows = await session.execute(
        select(t.journey_id, t.node_id, func.max(t.email_id))
        .where(t.journey_id.in_(list(journey_ids)), t.node_id.is_not(None), t.email_id.is_not(None))
        .group_by(t.journey_id, t.node_id)
    )
    return {(int(j), str(n)): int(e) for j, n, e in rows.all()}
