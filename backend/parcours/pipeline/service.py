"""The lead pipeline (contacts per stage, inbound and outbound) and opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from msgspec import UNSET
from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import cut, read_cursor, to_out
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import accounts
from parcours.contacts import service as contacts
from parcours.contacts.origin import columns
from parcours.db import move_rows, per_day, rows_about
from parcours.errors import InvalidInput, NotFound
from parcours.pipeline.models import ORIGIN_COLUMNS, Opportunity
from parcours.pipeline.schemas import OpportunityFilters, OpportunityOut, OpportunityPage, Pipeline, StageCount
from parcours.pipeline.stages import STAGES, is_before
from parcours.webhooks import service as webhooks

OPPORTUNITY, CUSTOMER, WON = "opportunity", "customer", "won"


async def pipeline(
    session: AsyncSession,
    origin: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
    within: Select[Any] | None = None,
) -> Pipeline:
    """Contacts per stage and origin; with a period (or an audience), only the leads that became
    leads in it (the lead pipeline report)."""
    if since is None and until is None and within is None:
        counts = await contacts.stage_counts(session, origin)
    else:
        found = await contacts.lead_counts(session, ["stage", "kind"], since, until, within)
        counts = {(stage, kind): n for stage, kind, n in found if origin is None or kind == origin}
    stages = []
    for stage in STAGES:
        by_origin = {o: n for (s, o), n in counts.items() if s == stage}
        stages.append(
            StageCount(
                stage=stage,
                count=sum(by_origin.values()),
                inbound=by_origin.get("inbound", 0),
                outbound=by_origin.get("outbound", 0),
                sales=by_origin.get("sales", 0),
            )
        )
    return Pipeline(stages=stages, total=sum(s.count for s in stages))


async def _check_links(session: AsyncSession, values: dict[str, Any]) -> None:
    for field in ("contact_id", "lead_contact_id"):
        if values.get(field) is not None and not await contacts.existing_ids(session, [values[field]]):
            raise InvalidInput(f"There is no contact with id {values[field]}.", field)
    if values.get("account_id") is not None:
        await accounts.get_account(session, values["account_id"], field="account_id")


async def _move_contact(session: AsyncSession, contact_id: int, stage: str, actor: Actor) -> None:
    """An opportunity carries its contact along the funnel (never back)."""
    contact = await contacts.get_contact(session, contact_id)
    if is_before(contact.lifecycle_stage, stage):
        await contacts.update_contact(session, contact_id, {"lifecycle_stage": stage}, actor)


def _origin_columns(values: dict[str, Any]) -> dict[str, Any]:
    """The origin_* columns for an `origin` given in the body (null clears it); pops it."""
    return columns(values.pop("origin"), ORIGIN_COLUMNS)


async def create_opportunity(session: AsyncSession, values: dict[str, Any], actor: Actor) -> Opportunity:
    """A new opportunity; its contact moves to the opportunity stage (to customer if already won).
    It carries its lead's origin (the lead contact, else its contact) unless one is given."""
    await _check_links(session, values)
    contact = await contacts.get_contact(session, values["contact_id"])
    if values.get("account_id") is None:
        # With the contact's account unless told otherwise: the ROI report groups by account.
        values["account_id"] = contact.account_id
    given = values.pop("origin", UNSET)
    copied = given is UNSET
    opportunity = Opportunity(**values | _origin_columns({"origin": None if copied else given}))
    session.add(opportunity)
    await session.flush()
    await _move_contact(session, opportunity.contact_id, CUSTOMER if opportunity.stage == WON else OPPORTUNITY, actor)
    if copied:  # read after the move: a contact that only now became a lead has just got its origin
        lead_id = opportunity.lead_contact_id or opportunity.contact_id
        for field, value in columns((await contacts.get_contact(session, lead_id)).origin, ORIGIN_COLUMNS).items():
            setattr(opportunity, field, value)
        await session.flush()
    if opportunity.stage == WON:
        await webhooks.opportunity_won(session, opportunity.model_dump())
    return opportunity


async def get_opportunity(session: AsyncSession, opportunity_id: int) -> Opportunity:
    found = await session.get(Opportunity, opportunity_id)
    if found is None:
        raise NotFound("This opportunity does not exist.", "opportunity_id")
    return found


async def update_opportunity(
    session: AsyncSession, opportunity_id: int, changes: dict[str, Any], actor: Actor
) -> Opportunity:
    """Only the fields given change; a won opportunity makes its contact a customer."""
    opportunity = await get_opportunity(session, opportunity_id)
    won_before = opportunity.stage == WON
    if "contact_id" in changes and changes["contact_id"] is None:
        raise InvalidInput("An opportunity is always with a contact.", "contact_id")
    await _check_links(session, changes)
    if "origin" in changes:
        changes |= _origin_columns(changes)
    for field, value in changes.items():
        setattr(opportunity, field, value)
    opportunity.updated_at = utcnow()
    await session.flush()
    if changes.get("stage") == WON:
        await _move_contact(session, opportunity.contact_id, CUSTOMER, actor)
        if not won_before:
            await webhooks.opportunity_won(session, opportunity.model_dump())
    return opportunity


def _filters(f: OpportunityFilters) -> list[ColumnElement[bool]]:
    o = Opportunity
    where: list[ColumnElement[bool]] = []
    for column, value in (
        (o.contact_id, f.contact_id),
        (o.account_id, f.account_id),
        (o.stage, f.stage),
        (o.origin_kind, f.origin_kind),
        (o.origin_journey_id, f.journey_id),
        (o.origin_campaign_id, f.campaign_id),
    ):
        if value is not None:
            where.append(col(column) == value)
    if f.close_from is not None:
        where.append(col(o.close_date) >= f.close_from)
    if f.close_to is not None:
        where.append(col(o.close_date) <= f.close_to)
    if f.q:
        where.append(func.lower(col(o.name)).contains(f.q.strip().lower(), autoescape=True))
    return where


async def list_opportunities(
    session: AsyncSession, filters: OpportunityFilters, limit: int, cursor: str | None
) -> OpportunityPage:
    """Newest first, a page at a time (keyset on the id)."""
    where = _filters(filters)
    total = (await session.execute(select(func.count()).select_from(Opportunity).where(*where))).scalar_one()
    last = read_cursor(cursor, int)
    if last is not None:
        where.append(col(Opportunity.id) < last[0])
    rows = (
        (await session.execute(select(Opportunity).where(*where).order_by(col(Opportunity.id).desc()).limit(limit + 1)))
        .scalars()
        .all()
    )
    page, next_cursor = cut(rows, limit, lambda o: [o.id])
    return OpportunityPage(items=await outs(session, page), next_cursor=next_cursor, total=int(total))


async def outs(session: AsyncSession, rows: Sequence[Opportunity]) -> list[OpportunityOut]:
    """Opportunities as the API shows them, with their contact's and account's names."""
    people = {c.id: c for c in await contacts.contacts_by_ids(session, sorted({o.contact_id for o in rows}))}
    names = await accounts.names(session, {o.account_id for o in rows if o.account_id is not None})
    found = []
    for o in rows:
        out = to_out(o, OpportunityOut)
        person = people.get(o.contact_id)
        if person is not None:
            out.contact_name = " ".join(p for p in (person.first_name, person.last_name) if p) or person.email
        out.account_name = names.get(o.account_id) if o.account_id is not None else None
        found.append(out)
    return found


async def delete_opportunity(session: AsyncSession, opportunity_id: int) -> None:
    """Gone for good; its contact keeps its stage (a stage is never moved back by a deletion)."""
    await session.delete(await get_opportunity(session, opportunity_id))
    await session.flush()


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its opportunities (and those it was the lead of) follow."""
    moved = await move_rows(session, Opportunity, "contact_id", other_id, survivor_id)
    await move_rows(session, Opportunity, "lead_contact_id", other_id, survivor_id)
    return {"opportunities": moved}


# ---- for reports (the Home's figures) ------------------------------------------------------------


def _among(among: Select[Any] | None) -> list[ColumnElement[bool]]:
    return [] if among is None else [col(Opportunity.contact_id).in_(among)]


async def created_per_day(
    session: AsyncSession, since: datetime, until: datetime, among: Select[Any] | None = None
) -> dict[date, float]:
    """Opportunities created per UTC day in [since, until)."""
    at = col(Opportunity.created_at)
    return await per_day(session, at, func.count(), at >= since, at < until, *_among(among))


async def won_revenue_per_day(
    session: AsyncSession, start: date, end: date, among: Select[Any] | None = None
) -> dict[date, float]:
    """The actual revenue of won opportunities per close date, from `start` to `end` included."""
    day = col(Opportunity.close_date)
    query = (
        select(day, func.sum(func.coalesce(col(Opportunity.actual_revenue), 0.0)))
        .where(col(Opportunity.stage) == WON, day >= start, day <= end, *_among(among))
        .group_by(day)
    )
    return {d: float(v or 0) for d, v in (await session.execute(query)).all()}


class OriginTotal(NamedTuple):
    """Opportunities of one origin (kind, journey, campaign): how many, and their sums."""

    kind: str | None
    journey_id: int | None
    campaign_id: int | None
    opportunities: int
    budget: float
    estimated_revenue: float
    actual_revenue: float


async def origin_totals(
    session: AsyncSession, since: datetime, until: datetime, within: Select[Any] | None = None
) -> list[OriginTotal]:
    """Opportunities created in [since, until) per origin, in one grouped query. `within`: a select
    of contact ids (a segment's members) their contact must be among."""
    o = Opportunity
    keys = (col(o.origin_kind), col(o.origin_journey_id), col(o.origin_campaign_id))
    query = (
        select(
            *keys,
            func.count(),
            func.coalesce(func.sum(col(o.budget)), 0),
            func.coalesce(func.sum(col(o.estimated_revenue)), 0),
            func.coalesce(func.sum(col(o.actual_revenue)), 0),
        )
        .where(col(o.created_at) >= since, col(o.created_at) < until)
        .group_by(*keys)
    )
    if within is not None:
        query = query.where(col(o.contact_id).in_(within))
    return [
        OriginTotal(kind, journey, campaign, int(n), float(b), float(e), float(a))
        for kind, journey, campaign, n, b, e, a in (await session.execute(query)).all()
    ]


def opportunities_table() -> Any:
    """The opportunities table, for read-only statements of other features (free exploration)."""
    return Opportunity.metadata.tables["opportunities"]


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The contact's opportunities (and those it brought as a lead), for its data export."""
    return {
        "opportunities": await rows_about(session, Opportunity, "contact_id", contact_id),
        "opportunities_brought": await rows_about(session, Opportunity, "lead_contact_id", contact_id),
    }
