"""/api/pipeline and /api/opportunities."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, patch, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import INT_MAX, IdParam, OptionalIdParam, changes, to_out
from parcours.auth.service import Actor
from parcours.pipeline import service
from parcours.pipeline.schemas import (
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    Pipeline,
)


class PipelineController(Controller):
    path = "/pipeline"
    tags = ["pipeline"]

    @get("/", summary="Contacts per lifecycle stage, with how many came inbound and outbound")
    async def pipeline(self, db: AsyncSession, origin: Literal["inbound", "outbound"] | None = None) -> Pipeline:
        return await service.pipeline(db, origin)


class OpportunitiesController(Controller):
    path = "/opportunities"
    tags = ["pipeline"]

    @get("/", summary="Opportunities, newest first (of one contact with contact_id, of one account with account_id)")
    async def list_opportunities(
        self,
        db: AsyncSession,
        contact_id: OptionalIdParam = None,
        account_id: OptionalIdParam = None,
        limit: int = Parameter(default=100, ge=1, le=500),
        offset: int = Parameter(default=0, ge=0, le=INT_MAX),
    ) -> OpportunityPage:
        rows, total = await service.list_opportunities(db, contact_id, limit, offset, account_id=account_id)
        return OpportunityPage(items=[to_out(o, OpportunityOut) for o in rows], total=total)

    @post("/", summary="Create an opportunity")
    async def create_opportunity(self, data: OpportunityIn, db: AsyncSession, actor: Actor) -> OpportunityOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return to_out(await service.create_opportunity(db, values, actor), OpportunityOut)

    @get("/{opportunity_id:int}", summary="An opportunity")
    async def get_opportunity(self, opportunity_id: IdParam, db: AsyncSession) -> OpportunityOut:
        return to_out(await service.get_opportunity(db, opportunity_id), OpportunityOut)

    @patch("/{opportunity_id:int}", summary="Change an opportunity (only the fields sent)")
    async def update_opportunity(
        self, opportunity_id: IdParam, data: OpportunityPatch, db: AsyncSession, actor: Actor
    ) -> OpportunityOut:
        return to_out(await service.update_opportunity(db, opportunity_id, changes(data), actor), OpportunityOut)
