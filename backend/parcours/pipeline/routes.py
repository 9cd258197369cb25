"""/api/pipeline and /api/opportunities."""

from __future__ import annotations

from datetime import date

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, OptionalIdParam, changes, limit_param
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.contacts.origin import OriginKind
from parcours.pipeline import service
from parcours.pipeline.models import Opportunity
from parcours.pipeline.schemas import (
    OpportunityFilters,
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    OpportunityStage,
    Pipeline,
)

# What the audit log keeps of a deleted opportunity: the figures the ROI report counted.
_KEPT = ("name", "stage", "contact_id", "budget", "estimated_revenue", "actual_revenue")


class PipelineController(Controller):
    path = "/pipeline"
    tags = ["pipeline"]

    @get("/", summary="Contacts per lifecycle stage, with how many came inbound, outbound and from sales")
    async def pipeline(self, db: AsyncSession, origin: OriginKind | None = None) -> Pipeline:
        return await service.pipeline(db, origin)


class OpportunitiesController(Controller):
    path = "/opportunities"
    tags = ["pipeline"]

    @get(
        "/",
        summary="Opportunities, newest first, a page at a time, filtered by contact, account, stage, origin, close date, name",
    )
    async def list_opportunities(
        self,
        db: AsyncSession,
        contact_id: OptionalIdParam = None,
        account_id: OptionalIdParam = None,
        stage: OpportunityStage | None = None,
        origin_kind: OriginKind | None = None,
        journey_id: OptionalIdParam = None,
        campaign_id: OptionalIdParam = None,
        close_from: date | None = None,
        close_to: date | None = None,
        q: str | None = Parameter(default=None, max_length=200),
        limit: int = limit_param(50, 500),
        cursor: Cursor = None,
    ) -> OpportunityPage:
        filters = OpportunityFilters(
            contact_id=contact_id,
            account_id=account_id,
            stage=stage,
            origin_kind=origin_kind,
            journey_id=journey_id,
            campaign_id=campaign_id,
            close_from=close_from,
            close_to=close_to,
            q=q,
        )
        return await service.list_opportunities(db, filters, limit, cursor)

    @post("/", summary="Create an opportunity")
    async def create_opportunity(self, data: OpportunityIn, db: AsyncSession, actor: Actor) -> OpportunityOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return await self._out(db, await service.create_opportunity(db, values, actor))

    @get("/{opportunity_id:int}", summary="An opportunity")
    async def get_opportunity(self, opportunity_id: IdParam, db: AsyncSession) -> OpportunityOut:
        return await self._out(db, await service.get_opportunity(db, opportunity_id))

    @patch("/{opportunity_id:int}", summary="Change an opportunity (only the fields sent)")
    async def update_opportunity(
        self, opportunity_id: IdParam, data: OpportunityPatch, db: AsyncSession, actor: Actor
    ) -> OpportunityOut:
        return await self._out(db, await service.update_opportunity(db, opportunity_id, changes(data), actor))

    @delete("/{opportunity_id:int}", summary="Delete an opportunity")
    async def delete_opportunity(self, opportunity_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        opportunity = await service.get_opportunity(db, opportunity_id)
        target, before = Target("opportunity", opportunity_id, opportunity.name), audit.snapshot(opportunity, _KEPT)
        await service.delete_opportunity(db, opportunity_id)
        await audit.record(db, actor, "opportunity.deleted", target, before=before)

    @staticmethod
    async def _out(db: AsyncSession, opportunity: Opportunity) -> OpportunityOut:
        return (await service.outs(db, [opportunity]))[0]
