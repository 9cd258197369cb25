"""The lead pipeline (contacts per stage, inbound and outbound) and opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import accounts
from parcours.contacts import service as contacts
from parcours.db import move_rows
from parcours.errors import InvalidInput, NotFound
from parcours.pipeline.models import Opportunity
from parcours.pipeline.schemas import Pipeline, StageCount
from parcours.pipeline.stages import STAGES, is_before
from parcours.webhooks import service as webhooks

OPPORTUNITY, CUSTOMER, WON = "opportunity", "customer", "won"


async def pipeline(session: AsyncSession, origin: str | None) -> Pipeline:
    counts = await contacts.stage_counts(session, origin)
    stages = []
    for stage in STAGES:
        by_origin = {o: n for (s, o), n in counts.items() if s == stage}
        stages.append(
            StageCount(
                stage=stage,
                count=sum(by_origin.values()),
                inbound=by_origin.get("inbound", 0),
                outbound=by_origin.get("outbound", 0),
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


async def create_opportunity(session: AsyncSession, values: dict[str, Any], actor: Actor) -> Opportunity:
    """A new opportunity; its contact moves to the opportunity stage (to customer if already won)."""
    await _check_links(session, values)
    if values.get("account_id") is None:
        # With the contact's account unless told otherwise: the ROI report groups by account.
        values["account_id"] = (await contacts.get_contact(session, values["contact_id"])).account_id
    opportunity = Opportunity(**values)
    session.add(opportunity)
    await session.flush()
    await _move_contact(session, opportunity.contact_id, CUSTOMER if opportunity.stage == WON else OPPORTUNITY, actor)
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
    for field, value in changes.items():
        setattr(opportunity, field, value)
    opportunity.updated_at = utcnow()
    await session.flush()
    if changes.get("stage") == WON:
        await _move_contact(session, opportunity.contact_id, CUSTOMER, actor)
        if not won_before:
            await webhooks.opportunity_won(session, opportunity.model_dump())
    return opportunity


async def list_opportunities(
    session: AsyncSession, contact_id: int | None, limit: int, offset: int, account_id: int | None = None
) -> tuple[Sequence[Opportunity], int]:
    where: list[ColumnElement[bool]] = [] if contact_id is None else [col(Opportunity.contact_id) == contact_id]
    if account_id is not None:
        where.append(col(Opportunity.account_id) == account_id)
    rows = (
        (
            await session.execute(
                select(Opportunity).where(*where).order_by(col(Opportunity.id).desc()).limit(limit).offset(offset)
            )
        )
        .scalars()
        .all()
    )
    total = (await session.execute(select(func.count()).select_from(Opportunity).where(*where))).scalar_one()
    return rows, int(total)


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its opportunities (and those it was the lead of) follow."""
    moved = await move_rows(session, Opportunity, "contact_id", other_id, survivor_id)
    await move_rows(session, Opportunity, "lead_contact_id", other_id, survivor_id)
    return {"opportunities": moved}


def opportunities_table() -> Any:
    """The opportunities table, for read-only statements of other features (free exploration)."""
    return Opportunity.metadata.tables["opportunities"]
