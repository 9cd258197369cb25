"""A published page's views, counted as they happen, and its figures: visits, unique visitors,
submissions and conversion by day and by variant, with the A/B verdict.

A view writes two rows, never one per view: its visitor's (last day, variant shown) and its day's
(views, and the visitors whose first view of the day it was). At 1,000,000 views a month a page's
figures read a few hundred day rows and one index range of visitors, not a million views."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.campaigns.ab import Arm, decide
from parcours.clock import utcnow
from parcours.db import dialect_insert, dialect_name, table_of
from parcours.interactions import service as interactions
from parcours.landing.models import PageDay, PageVisitor
from parcours.landing.service import arms, get_page

SIGNIFICANT = 0.95
VISITORS = table_of(PageVisitor)
DAYS = table_of(PageDay)


async def count_visit(session: AsyncSession, page_id: int, variant: str, visitor: str) -> None:
    """One view of the published page. The visitor's row moves to today only if it was on an
    earlier day: that one statement says whether this is its first view of the day, and two views
    of one visitor at once count it once (the second waits for the first and finds it moved)."""
    today = utcnow().date()
    dialect = await dialect_name(session)
    seen = dialect_insert(dialect, PageVisitor)
    moved = await session.execute(
        seen.values(page_id=page_id, visitor=visitor, variant=variant, last_day=today).on_conflict_do_update(
            index_elements=["page_id", "visitor"],
            set_={"variant": seen.excluded.variant, "last_day": seen.excluded.last_day},
            where=VISITORS.c.last_day < seen.excluded.last_day,
        )
    )
    first_today = int(getattr(moved, "rowcount", 0) == 1)
    day = dialect_insert(dialect, PageDay)
    await session.execute(
        day.values(page_id=page_id, day=today, variant=variant, visits=1, visitors=first_today).on_conflict_do_update(
            index_elements=["page_id", "day", "variant"],
            set_={"visits": DAYS.c.visits + 1, "visitors": DAYS.c.visitors + day.excluded.visitors},
        )
    )


async def _days(session: AsyncSession, page_id: int, since_day: date) -> list[tuple[date, str, int, int]]:
    rows = await session.execute(
        select(col(PageDay.day), col(PageDay.variant), col(PageDay.visits), col(PageDay.visitors)).where(
            col(PageDay.page_id) == page_id, col(PageDay.day) >= since_day
        )
    )
    return [(d, v, int(visits), int(visitors)) for d, v, visits, visitors in rows.all()]


async def _visitors_by_variant(session: AsyncSession, page_id: int, since_day: date) -> dict[str, int]:
    """The visitors of the period (their last view within it), by the variant they were last shown."""
    rows = await session.execute(
        select(col(PageVisitor.variant), func.count())
        .where(col(PageVisitor.page_id) == page_id, col(PageVisitor.last_day) >= since_day)
        .group_by(col(PageVisitor.variant))
    )
    return {variant: int(n) for variant, n in rows.all()}


async def _shown(session: AsyncSession, page_id: int, visitors: set[str]) -> dict[str, str]:
    """The variant each of these visitors was last shown."""
    shown: dict[str, str] = {}
    ordered = sorted(visitors)
    for start in range(0, len(ordered), 1000):
        rows = await session.execute(
            select(col(PageVisitor.visitor), col(PageVisitor.variant)).where(
                col(PageVisitor.page_id) == page_id, col(PageVisitor.visitor).in_(ordered[start : start + 1000])
            )
        )
        shown.update({visitor: variant for visitor, variant in rows.all()})
    return shown


async def stats(session: AsyncSession, page_id: int, days: int) -> dict[str, Any]:
    page = await get_page(session, page_id)
    since_day = utcnow().date() - timedelta(days=days - 1)
    since = datetime.combine(since_day, datetime.min.time(), tzinfo=utcnow().tzinfo)
    day_rows = await _days(session, page_id, since_day)
    unique_by_variant = await _visitors_by_variant(session, page_id, since_day)
    submitted = await interactions.with_property(session, "form_submitted", "page_id", page_id, since)
    # The variant each submitting visitor was shown (the form carries the visitor's anonymous id).
    shown = await _shown(
        session, page_id, {p["anonymous_id"] for _c, _at, p in submitted if isinstance(p.get("anonymous_id"), str)}
    )
    per_day: dict[date, list[int]] = {}
    visits_by_variant: dict[str, int] = {}
    for day, variant, visits, visitors in day_rows:
        figures = per_day.setdefault(day, [0, 0])
        figures[0] += visits
        figures[1] += visitors
        visits_by_variant[variant] = visits_by_variant.get(variant, 0) + visits
    day_submissions: dict[date, int] = {}
    arm_submissions: dict[str, int] = {}
    for _contact, at, properties in submitted:
        day_submissions[at.date()] = day_submissions.get(at.date(), 0) + 1
        visitor = properties.get("anonymous_id")
        key = shown.get(visitor, "A") if isinstance(visitor, str) else "A"
        arm_submissions[key] = arm_submissions.get(key, 0) + 1
    keys = sorted(set(arms(page)) | set(visits_by_variant) | set(unique_by_variant) | set(arm_submissions))
    variants: list[dict[str, Any]] = []
    measured: list[Arm] = []
    for key in keys:
        unique, successes = unique_by_variant.get(key, 0), arm_submissions.get(key, 0)
        measured.append(Arm(key=key, sent=unique, successes=successes))
        variants.append(
            {
                "key": key,
                "visits": visits_by_variant.get(key, 0),
                "unique_visitors": unique,
                "submissions": successes,
                "conversion_rate": round(successes / unique, 4) if unique else 0.0,
            }
        )
    winner = None
    if len(variants) > 1:
        verdict = decide(measured)
        winner = {
            "key": verdict.winner,
            "confidence": verdict.confidence,
            "significant": verdict.confidence >= SIGNIFICANT,
        }
    unique_visitors = sum(unique_by_variant.values())
    return {
        "since": since_day,
        "visits": sum(visits_by_variant.values()),
        "unique_visitors": unique_visitors,
        "submissions": len(submitted),
        "conversion_rate": round(len(submitted) / unique_visitors, 4) if unique_visitors else 0.0,
        "days": [
            {
                "day": d,
                "visits": per_day.get(d, [0, 0])[0],
                "unique_visitors": per_day.get(d, [0, 0])[1],
                "submissions": day_submissions.get(d, 0),
            }
            for d in (since_day + timedelta(days=i) for i in range(days))
        ],
        "variants": variants,
        "winner": winner,
    }
