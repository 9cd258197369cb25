"""Email results: every email sent in the period (from the daily rollups) and one email in
detail (its links, hours and domains read from its own messages and clicks)."""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import service as outbox
from parcours.emails import service as emails
from parcours.errors import NotFound
from parcours.interactions import service as interactions
from parcours.reports import rollups
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


async def _variants(session: AsyncSession, filters: ReportFilters, ids: list[int]) -> dict[int, list[VariantRow]]:
    keys = [f"{i}:{v}" for i in ids for v in VARIANTS]
    found: dict[int, list[VariantRow]] = defaultdict(list)
    for key, metrics in sorted((await rollups.totals(session, "variant", filters, keys)).items()):
        email_id, variant = key.split(":", 1)
        found[int(email_id)].append(VariantRow(variant=variant, figures=figures(metrics)))
    return found


async def report(session: AsyncSession, filters: ReportFilters) -> EmailsReport:
    """Every email with something in the period (sent, opened...), best first by sends."""
    wanted = [str(i) for i in filters.email_ids] or None
    by_email = await rollups.totals(session, "email", filters, wanted)
    ids = sorted((int(i) for i in by_email), key=lambda i: (-by_email[str(i)].get("sent", 0), i))
    names = await _names(session, ids)
    variants = await _variants(session, filters, ids)
    items = [
        EmailRow(email_id=i, name=names.get(i, f"#{i}"), figures=figures(by_email[str(i)]), variants=variants[i])
        for i in ids
    ]
    series = await rollups.series(session, "email", filters, wanted)
    return EmailsReport(
        items=items,
        totals=figures(_summed(list(by_email.values()))),
        by_day=[DayRow(day=d, figures=figures(series.get(d, {}))) for d in filters.days()],
        as_of=await rollups.freshness(session),
    )


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


async def email_report(
    session: AsyncSession, email_id: int, filters: ReportFilters, attribution: Literal["last", "first"] = "last"
) -> EmailReport:
    names = await _names(session, [email_id])
    if email_id not in names:
        raise NotFound("This email does not exist.", "email_id")
    metrics = (await rollups.totals(session, "email", filters, [str(email_id)])).get(str(email_id), {})
    series = await rollups.series(session, "email", filters, [str(email_id)])
    sends = await outbox.sends_of(session, email_id, filters.since, filters.until)
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    domains: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for send in sends:
        hour = hours[send.sent_at.hour]
        hour[0] += 1
        hour[1] += send.opened_at is not None
        hour[2] += send.clicked_at is not None
        domain = domains[_domain(send.to_address)]
        domain[0] += 1
        domain[1] += send.bounced_at is None
        domain[2] += send.opened_at is not None
        domain[3] += send.clicked_at is not None
        domain[4] += send.bounced_at is not None
    links: dict[str, tuple[int, set[int], set[int]]] = {}
    for url, message_id, machine in await interactions.email_clicks(session, email_id, filters.since, filters.until):
        clicks, unique, human = links.get(url, (0, set(), set()))
        unique.add(message_id)
        if not machine:
            human.add(message_id)
        links[url] = (clicks + 1, unique, human)
    shown = figures(metrics)
    return EmailReport(
        email_id=email_id,
        name=names[email_id],
        figures=shown,
        variants=(await _variants(session, filters, [email_id]))[email_id],
        attribution=attribution,
        revenue=shown.revenue if attribution == "last" else shown.revenue_first_touch,
        attribution_window_days=rollups.ATTRIBUTION_WINDOW.days,
        links=sorted(
            (
                LinkRow(url=u, clicks=c, unique_clicks=len(q), unique_clicks_human=len(h))
                for u, (c, q, h) in links.items()
            ),
            key=lambda row: (-row.clicks, row.url),
        ),
        by_day=[DayRow(day=d, figures=figures(series.get(d, {}))) for d in filters.days()],
        by_hour=[
            HourRow(
                hour=h,
                sent=s,
                unique_opens=o,
                unique_clicks=c,
                open_rate=rate(o, s, "unique_opens", "sent"),
                click_rate=rate(c, s, "unique_clicks", "sent"),
            )
            for h, (s, o, c) in sorted(hours.items())
        ],
        by_domain=[
            DomainRow(
                domain=d,
                sent=s,
                delivered=dv,
                opened=o,
                clicked=c,
                bounced=b,
                open_rate=rate(o, dv, "opened", "delivered"),
            )
            for d, (s, dv, o, c, b) in sorted(domains.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ],
        as_of=await rollups.freshness(session),
    )
