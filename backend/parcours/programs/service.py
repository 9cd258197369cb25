"""Programs of the relationship plan: their journeys, campaigns and events, their KPI's progress
(computed through the other features' services), the annual calendar, and the journeys' briefs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.auth import service as auth
from parcours.campaigns import service as campaigns
from parcours.channels import service as outbox
from parcours.clock import as_utc, utcnow
from parcours.contacts import service as contacts
from parcours.errors import InvalidInput, NotFound, ParcoursError
from parcours.events import service as events
from parcours.explore import service as explore
from parcours.interactions import service as interactions
from parcours.journeys import service as journeys
from parcours.programs import kpis
from parcours.programs.models import JourneyBrief, Program, ProgramItem
from parcours.programs.schemas import (
    BriefMessage,
    BriefOut,
    CalendarItem,
    CalendarRow,
    KpiOut,
    Owner,
    ProgramCalendar,
    ProgramOfItem,
    ProgramOut,
    ProgramProgress,
    ProgressPoint,
)
from parcours.segments import service as segments

KINDS = ("journey", "campaign", "event")
# (id, name, status, from, until, created): what each kind's service tells of its items.
Timeline = tuple[int, str, str, datetime, datetime | None, datetime]


def _id(program: Program) -> int:
    assert program.id is not None, "a program read from the database has an id"
    return program.id


async def _timelines(session: AsyncSession, kind: str, ids: Sequence[int]) -> list[Timeline]:
    if kind == "journey":
        return await journeys.timelines(session, list(ids))
    if kind == "campaign":
        return await campaigns.timelines(session, list(ids))
    return [(i, n, s, a, b, c) for i, n, s, a, b, c in await events.timelines(session, list(ids))]


# ---- checks -------------------------------------------------------------------------------------


async def _check(session: AsyncSession, program_id: int | None, values: dict[str, Any]) -> None:
    """Everything a program needs, refused naming the field (before anything is written)."""
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if ends_on < starts_on:
        raise InvalidInput("The program ends before it starts.", "ends_on")
    if kpis.month_count(starts_on, ends_on) > kpis.MAX_MONTHS:
        raise InvalidInput(f"A program spans {kpis.MAX_MONTHS} months at most.", "ends_on")
    kpi = values["kpi"]
    described = kpis.CATALOGUE[kpi["metric"]]
    if described.needs_exploration:
        await _check_exploration(session, kpi)
    if described.needs_segment and kpi.get("segment_id") is None:
        raise InvalidInput("This KPI counts the purchases of a segment: pick the segment.", "kpi.segment_id")
    if kpi.get("segment_id") is not None:
        try:
            await segments.get_segment(session, kpi["segment_id"])
        except NotFound:
            raise InvalidInput("This segment does not exist.", "kpi.segment_id") from None
    if values.get("owner") is not None:
        try:
            await auth.get_user(session, values["owner"])
        except NotFound:
            raise InvalidInput("This user does not exist.", "owner") from None
    for kind in KINDS:
        wanted = values.get(f"{kind}_ids") or []
        found = {t[0] for t in await _timelines(session, kind, wanted)}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise InvalidInput(f"No {kind} has the id {missing[0]}.", f"{kind}_ids")
        holders = (
            await session.execute(
                select(col(ProgramItem.item_id), col(Program.id), col(Program.name))
                .join(Program, col(Program.id) == col(ProgramItem.program_id))
                .where(col(ProgramItem.kind) == kind, col(ProgramItem.item_id).in_(wanted))
                .where(col(ProgramItem.program_id) != (program_id or 0))
            )
        ).all()
        held = await items_of(session, sorted({h[1] for h in holders}))
        taken = next(((i, name) for i, pid, name in holders if i in held[pid][kind]), None)
        if taken:
            raise InvalidInput(f"The {kind} {taken[0]} already belongs to the program “{taken[1]}”.", f"{kind}_ids")


async def _check_exploration(session: AsyncSession, kpi: dict[str, Any]) -> None:
    if kpi.get("exploration_id") is None:
        raise InvalidInput("This KPI tracks a saved exploration: pick it.", "kpi.exploration_id")
    try:
        question = await explore.saved_question(session, kpi["exploration_id"])
        explore.check_figure(question, kpi.get("cell"), kpi.get("measure"))
    except NotFound:
        raise InvalidInput("This saved exploration does not exist.", "kpi.exploration_id") from None
    except InvalidInput as exc:
        raise InvalidInput(exc.message, f"kpi.{exc.field}") from None


# ---- programs -----------------------------------------------------------------------------------


async def get_program(session: AsyncSession, program_id: int) -> Program:
    program = await session.get(Program, program_id)
    if program is None:
        raise NotFound("This program does not exist.", "program_id")
    return program


async def _set_items(session: AsyncSession, program_id: int, values: dict[str, Any]) -> None:
    for kind in KINDS:
        if f"{kind}_ids" not in values:
            continue
        chosen = list(dict.fromkeys(values[f"{kind}_ids"]))
        # Also the rows of other programs naming these ids: checked stale (a deleted item's).
        await session.execute(
            delete(ProgramItem).where(
                col(ProgramItem.kind) == kind,
                (col(ProgramItem.program_id) == program_id) | col(ProgramItem.item_id).in_(chosen),
            )
        )
        session.add_all(ProgramItem(program_id=program_id, kind=kind, item_id=i) for i in chosen)
    await session.flush()


async def create_program(session: AsyncSession, values: dict[str, Any], by: str) -> Program:
    await _check(session, None, values)
    program = Program(
        name=values["name"],
        objective=values.get("objective") or "",
        kpi=values["kpi"],
        target=values.get("target"),
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        owner_id=values.get("owner"),
        template_key=values.get("template_key"),
        created_by=by,
    )
    session.add(program)
    await session.flush()
    await _set_items(session, _id(program), values)
    return program


async def update_program(session: AsyncSession, program_id: int, changes: dict[str, Any]) -> Program:
    program = await get_program(session, program_id)
    items = await items_of(session, [program_id])
    whole = {
        "kpi": program.kpi,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "owner": program.owner_id,
        **{f"{kind}_ids": items[program_id][kind] for kind in KINDS},
        **changes,
    }
    await _check(session, program_id, whole)
    for field in ("name", "objective", "kpi", "target", "starts_on", "ends_on"):
        if field in changes:
            setattr(program, field, changes[field])
    if "owner" in changes:
        program.owner_id = changes["owner"]
    program.updated_at = utcnow()
    await _set_items(session, program_id, changes)
    return program


async def delete_program(session: AsyncSession, program_id: int) -> None:
    """The program goes; its journeys, campaigns and events stay, in no program."""
    await get_program(session, program_id)
    await session.execute(delete(ProgramItem).where(col(ProgramItem.program_id) == program_id))
    await session.execute(delete(Program).where(col(Program.id) == program_id))


async def list_programs(session: AsyncSession, limit: int, cursor: str | None) -> tuple[list[Program], str | None, int]:
    """Programs starting latest first."""
    order = [(col(Program.starts_on), True), (col(Program.id), True)]
    query = select(Program).order_by(col(Program.starts_on).desc(), col(Program.id).desc())
    start = read_cursor(cursor, str, int)
    if start is not None:
        query = query.where(after(order, [date.fromisoformat(start[0]), start[1]]))
    rows = (await session.execute(query.limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(Program))).scalar_one()
    page, next_cursor = cut(rows, limit, lambda p: [p.starts_on.isoformat(), p.id])
    return page, next_cursor, int(total)


async def items_of(session: AsyncSession, program_ids: Sequence[int]) -> dict[int, dict[str, list[int]]]:
    """Each program's journeys, campaigns and events that still exist. Those features do not tell
    of their deletions: a deleted one's id is dropped here, when read, and so is an item created
    after it was added (SQLite may give a deleted row's id to the next one)."""
    found: dict[int, dict[str, list[int]]] = {p: {kind: [] for kind in KINDS} for p in program_ids}
    rows = (
        await session.execute(
            select(
                col(ProgramItem.program_id), col(ProgramItem.kind), col(ProgramItem.item_id), col(ProgramItem.added_at)
            )
            .where(col(ProgramItem.program_id).in_(program_ids))
            .order_by(col(ProgramItem.id))
        )
    ).all()
    by_kind: dict[str, set[int]] = defaultdict(set)
    for _, kind, item_id, _ in rows:
        by_kind[kind].add(item_id)
    created = {
        kind: {t[0]: t[5] for t in await _timelines(session, kind, sorted(ids))} for kind, ids in by_kind.items()
    }
    for program_id, kind, item_id, added_at in rows:
        if item_id in created[kind] and as_utc(created[kind][item_id]) <= as_utc(added_at):
            found[program_id][kind].append(item_id)
    return found


async def outs(session: AsyncSession, programs: Sequence[Program]) -> list[ProgramOut]:
    items = await items_of(session, [_id(p) for p in programs])
    users = {u.id: (u.name or u.email) for u in await auth.list_users(session)}
    return [
        ProgramOut(
            id=_id(p),
            name=p.name,
            objective=p.objective,
            kpi=KpiOut(**p.kpi),
            target=p.target,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            owner=p.owner_id if p.owner_id in users else None,
            owner_name=users.get(p.owner_id),
            journey_ids=items[_id(p)]["journey"],
            campaign_ids=items[_id(p)]["campaign"],
            event_ids=items[_id(p)]["event"],
            template_key=p.template_key,
            created_by=p.created_by,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
        for p in programs
    ]


async def owners(session: AsyncSession) -> list[Owner]:
    users = [u for u in await auth.list_users(session) if u.is_active and u.id is not None]
    return sorted((Owner(id=u.id, name=u.name or u.email) for u in users if u.id), key=lambda o: o.name.lower())


async def program_of(session: AsyncSession, kind: str, item_id: int) -> ProgramOfItem | None:
    """The program a journey, campaign or event belongs to, for its own screen ("Program: X")."""
    row = (
        await session.execute(
            select(col(Program.id), col(Program.name))
            .join(ProgramItem, col(ProgramItem.program_id) == col(Program.id))
            .where(col(ProgramItem.kind) == kind, col(ProgramItem.item_id) == item_id)
        )
    ).first()
    if row is None or item_id not in (await items_of(session, [row[0]]))[row[0]][kind]:
        return None
    return ProgramOfItem(program_id=row[0], name=row[1])


# ---- progress -----------------------------------------------------------------------------------


async def _measure(
    session: AsyncSession, kpi: dict[str, Any], items: dict[str, list[int]], start: datetime, end: datetime
) -> tuple[float | None, float | None]:
    """(what the KPI counts, what it divides by) over [start, end)."""
    metric, segment_id = kpi["metric"], kpi.get("segment_id")
    members = segments.member_ids(segment_id) if segment_id is not None else None
    if metric == "conversion_rate":
        entered, converted = await journeys.conversions(session, items["journey"], start, end)
        return converted, entered
    if metric == "segment_revenue":
        return await interactions.revenue(session, start, end, members), None
    if metric == "repeat_purchase_rate":
        customers, repeat = await interactions.buyers(session, start, end, members)
        return repeat, customers
    if metric == "open_rate":
        delivered, opened = await outbox.delivered_and_opened(session, items["journey"], items["campaign"], start, end)
        return opened, delivered
    if metric == "new_leads":
        return await _new_leads(session, items, start, end), None
    if metric == "exploration":
        question = await explore.saved_question(session, kpi["exploration_id"])
        last_day = (end - timedelta(microseconds=1)).date()
        return await explore.figure(
            session, question, kpi.get("cell"), kpi.get("measure"), start.date(), last_day
        ), None
    return 0, None


async def _new_leads(session: AsyncSession, items: dict[str, list[int]], start: datetime, end: datetime) -> int:
    """Contacts who became leads in [start, end) with an origin naming one of the program's
    journeys or campaigns (counted by origin through the contacts' service)."""
    journey_ids, campaign_ids = set(items["journey"]), set(items["campaign"])
    if not journey_ids and not campaign_ids:
        return 0
    rows = await contacts.lead_counts(session, ["journey_id", "campaign_id"], since=start, until=end)
    return sum(n for journey, campaign, n in rows if journey in journey_ids or campaign in campaign_ids)


async def progress(session: AsyncSession, program_id: int) -> ProgramProgress:
    program = await get_program(session, program_id)
    items = (await items_of(session, [program_id]))[program_id]
    now = utcnow()
    described = kpis.CATALOGUE[program.kpi["metric"]]
    start = kpis.moment(program.starts_on)
    # Counted up to today, or to the program's last day once it is over.
    until = min(now, kpis.moment(program.ends_on + timedelta(days=1)))
    series: list[ProgressPoint] = []
    counted: float | None = 0.0
    denominator: float | None = None
    available = described.available
    try:
        if available and until > start:
            for period, following in kpis.months(program.starts_on, program.ends_on):
                end = min(kpis.moment(following), until)
                counted, denominator = await _measure(session, program.kpi, items, start, end)
                series.append(ProgressPoint(period=period, value=kpis.value_of(described, counted, denominator)))
                if end >= until:
                    break
    except ParcoursError:
        # The exploration it tracks was deleted, or no longer makes sense (a field it read is gone).
        series, counted, available = [], 0.0, False
    value = kpis.value_of(described, counted, denominator) if series else None
    return ProgramProgress(
        metric=described.metric,
        value=value,
        target=program.target,
        reached=kpis.share_of_target(value, program.target),
        is_rate=described.is_rate,
        counts=described.counts,
        divided_by=described.divided_by,
        counted=round(float(counted or 0), 2),
        denominator=denominator,
        series=series,
        available=available,
        as_of=now,
    )


# ---- the annual calendar ------------------------------------------------------------------------


def _clip(first: date, last: date, year: int) -> tuple[date, date] | None:
    first, last = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
    return (first, last) if first <= last else None


async def calendar(session: AsyncSession, year: int) -> ProgramCalendar:
    """The programs that touch the year, each with its journeys, campaigns and events as bars
    (the same rows as the marketing plan report, grouped by program), clipped to the year."""
    now = utcnow()
    programs = (
        (
            await session.execute(
                select(Program)
                .where(col(Program.starts_on) <= date(year, 12, 31), col(Program.ends_on) >= date(year, 1, 1))
                .order_by(col(Program.starts_on), col(Program.id))
            )
        )
        .scalars()
        .all()
    )
    items = await items_of(session, [_id(p) for p in programs])
    rows = []
    for program in programs:
        bars = []
        for kind in KINDS:
            for item_id, name, status, begins, ends, _ in await _timelines(session, kind, items[_id(program)][kind]):
                kept = _clip(begins.date(), (ends or max(now, begins)).date(), year)
                if kept:
                    bars.append(
                        CalendarItem(
                            kind=kind, id=item_id, name=name, status=status, starts_on=kept[0], ends_on=kept[1]
                        )
                    )
        period = _clip(program.starts_on, program.ends_on, year)
        assert period is not None
        bars.sort(key=lambda b: (b.starts_on, b.kind, b.id))
        rows.append(
            CalendarRow(program_id=_id(program), name=program.name, starts_on=period[0], ends_on=period[1], items=bars)
        )
    return ProgramCalendar(year=year, programs=rows, as_of=now)


# ---- scenario briefs ----------------------------------------------------------------------------


def _brief_out(journey_id: int, brief: JourneyBrief | None) -> BriefOut:
    if brief is None:
        return BriefOut(
            journey_id=journey_id,
            goal="",
            audience="",
            data_needed="",
            messages=[],
            kpi="",
            updated_by="",
            updated_at=None,
        )
    return BriefOut(
        journey_id=journey_id,
        goal=brief.goal,
        audience=brief.audience,
        data_needed=brief.data_needed,
        messages=[BriefMessage(**m) for m in brief.messages],
        kpi=brief.kpi,
        updated_by=brief.updated_by,
        updated_at=brief.updated_at,
    )


async def get_brief(session: AsyncSession, journey_id: int) -> BriefOut:
    await journeys.get_journey(session, journey_id)
    return _brief_out(journey_id, await session.get(JourneyBrief, journey_id))


async def put_brief(session: AsyncSession, journey_id: int, values: dict[str, Any], by: str) -> BriefOut:
    await journeys.get_journey(session, journey_id)
    brief = await session.get(JourneyBrief, journey_id) or JourneyBrief(journey_id=journey_id)
    for field in ("goal", "audience", "data_needed", "kpi"):
        setattr(brief, field, values[field])
    brief.messages = values["messages"]
    brief.updated_by, brief.updated_at = by, utcnow()
    session.add(brief)
    await session.flush()
    return _brief_out(journey_id, brief)
