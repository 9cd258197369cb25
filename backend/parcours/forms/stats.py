"""A form's figures: views, submissions, conversion, spam, new vs known contacts, per day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.forms.models import FormDay, FormSubmission
from parcours.forms.schemas import DayFigures, FormStats

APPLIED = ("accepted",)


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def form_stats(session: AsyncSession, form_id: int) -> FormStats:
    rows = await session.execute(
        select(col(FormSubmission.status), col(FormSubmission.new_contact), func.count())
        .where(col(FormSubmission.form_id) == form_id)
        .group_by(col(FormSubmission.status), col(FormSubmission.new_contact))
    )
    by_status: dict[str, int] = {}
    new = known = 0
    for status, is_new, n in rows.all():
        by_status[status] = by_status.get(status, 0) + int(n)
        if status in APPLIED:
            if is_new:
                new += int(n)
            else:
                known += int(n)
    confirmed = int(
        (
            await session.execute(
                select(func.count())
                .select_from(FormSubmission)
                .where(col(FormSubmission.form_id) == form_id, col(FormSubmission.confirmed_at).is_not(None))
            )
        ).scalar_one()
    )
    days: dict[date, dict[str, int]] = {}
    for day, views in (
        await session.execute(select(col(FormDay.day), col(FormDay.views)).where(col(FormDay.form_id) == form_id))
    ).all():
        days.setdefault(_day(day), {})["views"] = int(views)
    per_day = (
        await session.execute(
            select(func.date(FormSubmission.created_at), col(FormSubmission.status), func.count())
            .where(col(FormSubmission.form_id) == form_id)
            .group_by(func.date(FormSubmission.created_at), col(FormSubmission.status))
        )
    ).all()
    for day, status, n in per_day:
        figures = days.setdefault(_day(day), {})
        key = "spam" if status == "spam" else "submissions" if status in APPLIED else None
        if key:
            figures[key] = figures.get(key, 0) + int(n)
    views = sum(d.get("views", 0) for d in days.values())
    submissions = sum(by_status.get(s, 0) for s in APPLIED)
    return FormStats(
        views=views,
        submissions=submissions,
        conversion_rate=round(submissions / views, 4) if views else 0.0,
        spam_blocked=by_status.get("spam", 0),
        held=by_status.get("held", 0),
        new_contacts=new,
        known_contacts=known,
        pending_confirmations=by_status.get("pending", 0),
        confirmed=confirmed,
        days=[
            DayFigures(day=d, views=f.get("views", 0), submissions=f.get("submissions", 0), spam=f.get("spam", 0))
            for d, f in sorted(days.items())
        ],
    )
