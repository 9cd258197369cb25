"""Email results: every email sent in the period and one email in detail (its links, hours of
sending and recipient domains), read from the rollups; limited to a segment's members, counted
from those contacts' raw interactions instead (the rollups count per email, not per contact)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.emails import service as emails
from parcours.errors import NotFound
from parcours.reports import recount, rollups, scope
from parcours.reports.email_schemas import (
    DayRow,
    DomainRow,
    EmailFigures,
    EmailReport,
    EmailRow,
    EmailsReport,
    HourRow,
    LinkRow,
    Rate,
    Source,
    VariantRow,
)
from parcours.reports.filters import ReportFilters

VARIANTS = ("A", "B", "C", "D", "E")
# The rates every email row shows: (name, numerator, divisor).
RATES = (
    ("delivery_rate", "delivered", "sent"),
    ("bounce_rate", "bounced", "sent"),
    ("unique_open_rate", "unique_opens", "delivered"),
    ("unique_open_rate_human", "unique_opens_human", "delivered"),
    ("unique_click_rate", "unique_clicks", "delivered"),
    ("unique_click_rate_human", "unique_clicks_human", "delivered"),
    ("click_to_open_rate", "unique_clicks", "unique_opens"),
    ("unsubscribe_rate", "unsubscribed", "delivered"),
    ("complaint_rate", "complaints", "delivered"),
)


def rate(numerator: float, divisor: float, numerator_name: str, divisor_name: str) -> Rate:
    return Rate(value=numerator / divisor if divisor else None, numerator=numerator_name, divisor=divisor_name)


def figures(metrics: dict[str, float]) -> EmailFigures:
    """An email's figures from its rollup metrics (pure)."""
    count = {name: round(metrics.get(name, 0.0)) for name in rollups.COUNTED}
    bounced = count["bounced_hard"] + count["bounced_soft"]
    values = {
        **count,
        "bounced": bounced,
        "delivered": max(0, count["sent"] - bounced),
        "unique_opens_machine": count["unique_opens"] - count["unique_opens_human"],
        "unique_clicks_machine": count["unique_clicks"] - count["unique_clicks_human"],
    }
    rates = {name: rate(values[n], values[d], n, d) for name, n, d in RATES}
    return EmailFigures(
        **{k: v for k, v in values.items() if k in EmailFigures.__struct_fields__},
        revenue=round(metrics.get("revenue", 0.0), 2),
        revenue_first_touch=round(metrics.get("revenue_first_touch", 0.0), 2),
        rates=rates,
    )


def _summed(many: list[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for metrics in many:
        for name, value in metrics.items():
            total[name] += value
    return total


async def _names(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    return await emails.names_of(session, ids)


@dataclass(frozen=True)
class _Read:
    """What an email report shows, read from the rollups or counted from raw rows."""

    by_email: dict[str, dict[str, float]]
    series: dict[date, dict[str, float]]
    variants: dict[str, dict[str, float]]
    breakdown: rollups.Breakdown
    source: Source


async def _read(session: AsyncSession, filters: ReportFilters, ids: Sequence[int], one: int | None = None) -> _Read:
    """The figures of these emails (none: every email) or of `one` with its breakdowns."""
    wanted = [str(i) for i in ids] or None
    among = await scope.audience(session, filters)
    if among is None:
        by_email = await rollups.totals(session, "email", filters, wanted)
        keys = [f"{i}:{v}" for i in by_email for v in VARIANTS]
        return _Read(
            by_email=by_email,
            series=await rollups.series(session, "email", filters, wanted),
            variants=await rollups.totals(session, "variant", filters, keys) if keys else {},
            breakdown=await rollups.breakdowns(session, one, filters) if one is not None else {},
            source="rollups",
        )
    (daily, breakdowns), _read_count = await recount.count_between(
        session,
        filters.since,
        filters.until,
        among=among,
        email_ids=list(ids) or None,
        emails_only=True,
        breakdowns=one is not None,
    )
    return _Read(
        by_email=recount.totals_of(daily, "email", wanted),
        series=recount.series_of(daily, "email", wanted),
        variants=recount.totals_of(daily, "variant"),
        breakdown=recount.breakdown_of(breakdowns, one) if one is not None else {},
        source="raw",
    )


def _variants(read: _Read, ids: list[int]) -> dict[int, list[VariantRow]]:
    found: dict[int, list[VariantRow]] = defaultdict(list)
    wanted = {str(i) for i in ids}
    for key, metrics in sorted(read.variants.items()):
        email_id, variant = key.split(":", 1)
        if email_id in wanted:
            found[int(email_id)].append(VariantRow(variant=variant, figures=figures(metrics)))
    return found


async def report(session: AsyncSession, filters: ReportFilters) -> EmailsReport:
    """Every email with something in the period (sent, opened...), best first by sends."""
    read = await _read(session, filters, filters.email_ids)
    by_email = read.by_email
    ids = sorted((int(i) for i in by_email), key=lambda i: (-by_email[str(i)].get("sent", 0), i))
    names = await _names(session, ids)
    variants = _variants(read, ids)
    items = [
        EmailRow(email_id=i, name=names.get(i, f"#{i}"), figures=figures(by_email[str(i)]), variants=variants[i])
        for i in ids
    ]
    return EmailsReport(
        items=items,
        totals=figures(_summed(list(by_email.values()))),
        by_day=[DayRow(day=d, figures=figures(read.series.get(d, {}))) for d in filters.days()],
        as_of=await rollups.freshness(session),
        source=read.source,
        attribution_days=rollups.attribution_window().days,
    )


def _by_key(breakdown: rollups.Breakdown, dimension: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (n, key, metric), value in breakdown.items():
        if n == dimension:
            found[key][metric] += round(value)
    return found


def _hours(breakdown: rollups.Breakdown) -> list[HourRow]:
    rows = []
    for hour, m in sorted(_by_key(breakdown, "hour").items(), key=lambda kv: int(kv[0])):
        sent, opened, clicked = m["sent"], m["unique_opens"], m["unique_clicks"]
        rows.append(
            HourRow(
                hour=int(hour),
                sent=sent,
                unique_opens=opened,
                unique_opens_human=m["unique_opens_human"],
                unique_clicks=clicked,
                unique_clicks_human=m["unique_clicks_human"],
                open_rate=rate(opened, sent, "unique_opens", "sent"),
                click_rate=rate(clicked, sent, "unique_clicks", "sent"),
            )
        )
    return rows


def _domains(breakdown: rollups.Breakdown) -> list[DomainRow]:
    rows = []
    for domain, m in _by_key(breakdown, "domain").items():
        bounced = m["bounced_hard"] + m["bounced_soft"]
        delivered = max(0, m["sent"] - bounced)
        rows.append(
            DomainRow(
                domain=domain,
                sent=m["sent"],
                delivered=delivered,
                opened=m["unique_opens"],
                opened_human=m["unique_opens_human"],
                clicked=m["unique_clicks"],
                clicked_human=m["unique_clicks_human"],
                bounced=bounced,
                open_rate=rate(m["unique_opens"], delivered, "opened", "delivered"),
            )
        )
    return sorted(rows, key=lambda row: (-row.sent, row.domain))


def _links(breakdown: rollups.Breakdown) -> list[LinkRow]:
    rows = [
        LinkRow(
            url=url, clicks=m["clicks"], unique_clicks=m["unique_clicks"], unique_clicks_human=m["unique_clicks_human"]
        )
        for url, m in _by_key(breakdown, "link").items()
    ]
    return sorted(rows, key=lambda row: (-row.clicks, row.url))


async def email_report(
    session: AsyncSession, email_id: int, filters: ReportFilters, attribution: Literal["last", "first"] = "last"
) -> EmailReport:
    names = await _names(session, [email_id])
    if email_id not in names:
        raise NotFound("This email does not exist.", "email_id")
    read = await _read(session, filters, [email_id], one=email_id)
    shown = figures(read.by_email.get(str(email_id), {}))
    return EmailReport(
        email_id=email_id,
        name=names[email_id],
        figures=shown,
        variants=_variants(read, [email_id])[email_id],
        attribution=attribution,
        revenue=shown.revenue if attribution == "last" else shown.revenue_first_touch,
        attribution_days=rollups.attribution_window().days,
        links=_links(read.breakdown),
        by_day=[DayRow(day=d, figures=figures(read.series.get(d, {}))) for d in filters.days()],
        by_hour=_hours(read.breakdown),
        by_domain=_domains(read.breakdown),
        as_of=await rollups.freshness(session),
        source=read.source,
    )
