"""/api/reports/audience: who the contacts are (distributions), how complete their records are, who
can be reached (opt-ins), and how the base grows month by month.

The whole base: read from its snapshot (reports.models.AudienceSnapshot), which `refresh` computes
from the contact tables every few minutes and on demand (counting 1,000,000 contacts takes
seconds); `as_of` says when. A segment: counted live over its members, so `as_of` is now. The
distributions are one statement (GROUPING SETS on PostgreSQL, a GROUP BY per dimension UNION ALL
elsewhere), the completeness and opt-ins another (one aggregate pass). Comparing two segments: the
page asks twice, once per segment_id."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import Provide
from sqlalchemy import ColumnElement, String, and_, case, cast, func, literal, select, tuple_, union_all
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.schemas import JobAccepted
from parcours.db import dialect_name, upsert
from parcours.emails import topics
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.reports import scope
from parcours.reports.customers_schemas import AudienceReport, Bucket, Completeness, GrowthMonth, OptIn
from parcours.reports.filters import JsonOrCsv, ReportFilters, csv_answer, report_filters
from parcours.reports.models import AudienceSnapshot
from parcours.reports.sql import in_segment, month_of, share
from parcours.runtime import Runtime
from parcours.segments import service as segments

TOP_CITIES = 20
GROWTH_MONTHS = 12
GROWTH = ("new", "unsubscribed", "erased")
SNAPSHOT_ID = 1
REFRESH_KIND = "audience_refresh"
AGE_BANDS = ((18, "under_18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64"))
MAIN_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "account_id",
    "country",
    "city",
    "language",
    "birth_date",
    "gender",
    "source",
)
DEFINITIONS = {
    "contacts": "Every contact in the base (or in the segment), erased contacts excluded.",
    "email": "Email opt-in given and not unsubscribed.",
    "emailable": "Email opt-in given, not unsubscribed and no hard bounce: who a promotional email reaches.",
    "sms": "SMS opt-in given and a phone number known.",
    "topic": "Email opt-in given, not unsubscribed, and not opted out of this topic.",
    "age_band": "Age on today's date (UTC) from the birth date.",
    "growth": "New: contacts created that month (UTC); unsubscribed: contacts who unsubscribed that month; "
    "erased: contacts erased that month (counted for the whole base).",
    "completeness": "Contacts with a value in the field / contacts.",
    "as_of": "The whole base: as of its last count (every few minutes, or on demand). A segment: now.",
}


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _age_band(birth: Any, today: date) -> ColumnElement[Any]:
    whens: list[tuple[Any, str | None]] = [(birth.is_(None), None)]
    whens += [(birth > _years_ago(today, years), band) for years, band in AGE_BANDS]
    return case(*whens, else_="65+")


def _dimensions(table: Any, today: date) -> dict[str, ColumnElement[Any]]:
    c = table.c
    return {
        "gender": c.gender,
        "age_band": _age_band(c.birth_date, today),
        "country": c.country,
        "city": c.city,
        "language": c.language,
        "lifecycle_stage": c.lifecycle_stage,
        "source": c.source,
        "lead_origin": c.lead_origin,
    }


async def _counts(session: AsyncSession, where: list[ColumnElement[bool]]) -> dict[str, list[tuple[str | None, int]]]:
    """(value, contacts) per dimension: on PostgreSQL one scan (GROUPING SETS), elsewhere a GROUP
    BY per dimension in one UNION ALL statement."""
    dims = _dimensions(contacts.contacts_table(), utcnow().date())
    found: dict[str, list[tuple[str | None, int]]] = {name: [] for name in dims}
    if await dialect_name(session) == "postgresql":
        base = select(*(cast(expr, String).label(name) for name, expr in dims.items())).where(*where).subquery("base")
        columns = [base.c[name] for name in dims]
        query = select(*columns, *(func.grouping(c) for c in columns), func.count()).group_by(
            func.grouping_sets(*(tuple_(c) for c in columns))
        )
        for row in (await session.execute(query)).all():
            values, grouped, n = row[: len(columns)], row[len(columns) : 2 * len(columns)], row[-1]
            index = list(grouped).index(0)
            found[list(dims)[index]].append((values[index], int(n)))
        return found
    parts = [
        select(literal(name).label("dim"), cast(expr, String).label("key"), func.count().label("n"))
        .where(*where)
        .group_by(expr)
        for name, expr in dims.items()
    ]
    for dim, key, n in (await session.execute(union_all(*parts))).all():
        found[dim].append((key, int(n)))
    return found


async def _distributions(
    session: AsyncSession, where: list[ColumnElement[bool]], total: int, segment_id: int | None
) -> dict[str, list[Bucket]]:
    found = await _counts(session, where)
    out: dict[str, list[Bucket]] = {}
    for dim, pairs in found.items():
        pairs.sort(key=lambda p: (-p[1], p[0] or ""))
        if dim == "city" and len(pairs) > TOP_CITIES + 1:
            known = [p for p in pairs if p[0] is not None]
            top, rest = known[:TOP_CITIES], known[TOP_CITIES:]
            pairs = [*top, ("__other__", sum(n for _, n in rest)), *[p for p in pairs if p[0] is None]]
        out[dim] = [Bucket(key=k, label=k or "", contacts=n, share=share(n, total)) for k, n in pairs]
    out["segment"] = await _segment_buckets(session, where, total, segment_id)
    return out


async def _segment_buckets(
    session: AsyncSession, where: list[ColumnElement[bool]], total: int, segment_id: int | None
) -> list[Bucket]:
    members, table = segments.members_table(), contacts.contacts_table()
    query = select(members.c.segment_id, func.count()).group_by(members.c.segment_id)
    if segment_id is not None:
        # Members of the audience segment: only the overlap with each other segment counts.
        query = query.where(members.c.contact_id.in_(select(table.c.id).where(*where)))
    counts = dict((await session.execute(query)).all())
    named = {s.id: s.name for s in await segments.list_segments(session)}
    buckets = [
        Bucket(key=str(sid), label=named[sid], contacts=int(counts.get(sid, 0)), share=share(counts.get(sid, 0), total))
        for sid in named
    ]
    return sorted(buckets, key=lambda b: (-b.contacts, b.label))


def _filled(column: Any) -> Any:
    if isinstance(column.type, String):
        return func.sum(case((and_(column.is_not(None), column != ""), 1), else_=0))
    return func.count(column)


async def _completeness_and_opt_in(
    session: AsyncSession, where: list[ColumnElement[bool]]
) -> tuple[int, list[Completeness], list[OptIn]]:
    table = contacts.contacts_table()
    c = table.c
    custom = list(await contacts.list_custom_fields(session))
    email = and_(c.email_opt_in.is_(True), c.unsubscribed.is_(False))
    measures: list[Any] = [func.count()]
    measures += [_filled(c[name]) for name in MAIN_FIELDS]
    measures += [func.count(c.custom[f.name]) for f in custom]
    measures += [
        func.sum(case((email, 1), else_=0)),
        func.sum(case((and_(email, c.bounced.is_(False)), 1), else_=0)),
        func.sum(case((and_(c.sms_opt_in.is_(True), c.phone.is_not(None), c.phone != ""), 1), else_=0)),
    ]
    row = (await session.execute(select(*measures).where(*where))).one()
    values = [int(v or 0) for v in row]
    total, values = values[0], values[1:]
    completeness = [
        Completeness(field=name, label=name, custom=False, filled=n, share=share(n, total))
        for name, n in zip(MAIN_FIELDS, values, strict=False)
    ]
    values = values[len(MAIN_FIELDS) :]
    completeness += [
        Completeness(field=f"custom.{f.name}", label=f.label, custom=True, filled=n, share=share(n, total))
        for f, n in zip(custom, values, strict=False)
    ]
    emailed, emailable, sms = values[len(custom) :]
    opt_in = [
        OptIn(key="email", label="email", contacts=emailed, share=share(emailed, total)),
        OptIn(key="emailable", label="emailable", contacts=emailable, share=share(emailable, total)),
        OptIn(key="sms", label="sms", contacts=sms, share=share(sms, total)),
    ]
    outs = topics.opt_outs_table()
    opted_out = dict(
        (
            await session.execute(
                select(outs.c.topic, func.count())
                .join(table, c.id == outs.c.contact_id)
                .where(email, *where)
                .group_by(outs.c.topic)
            )
        ).all()
    )
    for topic in await topics.list_topics(session):
        n = emailed - int(opted_out.get(topic.key, 0))
        opt_in.append(OptIn(key=f"topic:{topic.key}", label=topic.name_en, contacts=n, share=share(n, total)))
    return total, completeness, opt_in


class Figures(msgspec.Struct, kw_only=True):
    """An audience's figures, as the snapshot keeps them; growth by month: [new, unsubscribed, erased]."""

    contacts: int
    distributions: dict[str, list[Bucket]]
    completeness: list[Completeness]
    opt_in: list[OptIn]
    growth: dict[str, list[int]]


def _months(filters: ReportFilters) -> list[str]:
    last = filters.end.year * 12 + filters.end.month - 1
    first = min(filters.start.year * 12 + filters.start.month - 1, last - GROWTH_MONTHS + 1)
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


async def _growth(
    session: AsyncSession, where: list[ColumnElement[bool]], first: datetime | None
) -> dict[str, list[int]]:
    """[new, unsubscribed, erased] by month, from `first` on (None: since the beginning)."""
    dialect = await dialect_name(session)
    table, events, graves = contacts.contacts_table(), contacts.consent_events_table(), contacts.tombstones_table()
    since = (lambda column: [column >= first]) if first is not None else (lambda column: [])
    created = month_of(dialect, table.c.created_at)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for month, n in await session.execute(
        select(created, func.count()).where(*since(table.c.created_at), *where).group_by(created)
    ):
        found[month][0] = int(n)
    changed = month_of(dialect, events.c.occurred_at)
    for month, n in await session.execute(
        select(changed, func.count(events.c.contact_id.distinct()))
        .join(table, table.c.id == events.c.contact_id)
        .where(events.c.field == "unsubscribed", events.c.new_value == "true", *since(events.c.occurred_at), *where)
        .group_by(changed)
    ):
        found[month][1] = int(n)
    erased_at = month_of(dialect, graves.c.erased_at)
    for month, n in await session.execute(
        select(erased_at, func.count()).where(*since(graves.c.erased_at)).group_by(erased_at)
    ):
        found[month][2] = int(n)
    return dict(found)


async def _figures(session: AsyncSession, segment_id: int | None, first: datetime | None) -> Figures:
    where = in_segment(contacts.contacts_table().c.id, segment_id)
    total, completeness, opt_in = await _completeness_and_opt_in(session, where)
    return Figures(
        contacts=total,
        distributions=await _distributions(session, where, total, segment_id),
        completeness=completeness,
        opt_in=opt_in,
        growth=await _growth(session, where, first),
    )


async def refresh(session: AsyncSession) -> AudienceSnapshot:
    """Count the whole base again and keep it as the snapshot the report reads."""
    now = utcnow()
    figures = await _figures(session, None, None)
    snapshot = {"id": SNAPSHOT_ID, "computed_at": now, "figures": msgspec.to_builtins(figures)}
    await upsert(session, AudienceSnapshot, [snapshot], index_elements=["id"], update=["computed_at", "figures"])
    return AudienceSnapshot(**snapshot)


async def start_refresh(session: AsyncSession, enqueue: Enqueue, by: str) -> str:
    """The job that counts the base again: the one already queued or running, else a new one."""
    for job in await jobs.unfinished_jobs(session):
        if job.kind == REFRESH_KIND:
            return job.id
    job = await jobs.create_job(
        session, kind=REFRESH_KIND, task=JobName.REFRESH_AUDIENCE, params={}, created_by=by, enqueue=enqueue
    )
    return job.id


async def report(session: AsyncSession, filters: ReportFilters) -> AudienceReport:
    await scope.audience(session, filters)  # an unknown segment: 400 naming segment_id
    months = _months(filters)
    kept = await session.get(AudienceSnapshot, SNAPSHOT_ID) if filters.segment_id is None else None
    if kept is not None:
        as_of, figures = kept.computed_at, msgspec.convert(kept.figures, Figures)
    else:  # a segment, or no snapshot yet (the worker has not made its first)
        first = datetime.fromisoformat(months[0] + "-01T00:00:00+00:00")
        as_of, figures = utcnow(), await _figures(session, filters.segment_id, first)
    return AudienceReport(
        as_of=as_of,
        segment_id=filters.segment_id,
        contacts=figures.contacts,
        distributions=figures.distributions,
        completeness=figures.completeness,
        opt_in=figures.opt_in,
        growth=[
            GrowthMonth(month=m, **dict(zip(GROWTH, figures.growth.get(m, [0, 0, 0]), strict=True))) for m in months
        ],
        definitions=DEFINITIONS,
    )


def _csv_rows(answer: AudienceReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for dim, buckets in answer.distributions.items():
        rows += [["distribution", dim, b.label or "", b.contacts, b.share] for b in buckets]
    rows += [["completeness", c.field, c.label, c.filled, c.share] for c in answer.completeness]
    rows += [["opt_in", o.key, o.label, o.contacts, o.share] for o in answer.opt_in]
    for g in answer.growth:
        rows += [["growth", kind, g.month, getattr(g, kind), None] for kind in GROWTH]
    return rows


class AudienceReportController(Controller):
    path = "/reports/audience"
    tags = ["reports"]

    @get(
        "/",
        operation_class=JsonOrCsv,
        dependencies={"filters": Provide(report_filters, sync_to_thread=False)},
        summary="Who the contacts are: distributions, completeness, opt-ins, growth (segment_id narrows it)",
    )
    async def audience(self, db: AsyncSession, filters: ReportFilters) -> AudienceReport:
        answer = await report(db, filters)
        if filters.as_csv:
            header = ["section", "key", "label", "contacts", "share"]
            return csv_answer("audience", header, _csv_rows(answer), filters)  # type: ignore[return-value]
        return answer

    @post(
        "/refresh",
        status_code=202,
        summary="Count the whole base again now (as a job); the report reads that count once it is done",
    )
    async def refresh(self, db: AsyncSession, runtime: Runtime, actor: Actor) -> JobAccepted:
        return JobAccepted(job_id=await start_refresh(db, runtime.enqueue, actor.label))
