"""/api/campaigns: send an email to segments, now or later, with an optional A/B test."""

from __future__ import annotations

from litestar import Controller, get, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, limit_param, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.campaigns import service
from parcours.campaigns.schemas import CampaignAudience, CampaignDetail, CampaignIn, CampaignOut, CampaignPage
from parcours.runtime import Runtime


async def _detail(db: AsyncSession, campaign_id: int) -> CampaignDetail:
    campaign = await service.get_campaign(db, campaign_id)
    out = to_out(campaign, CampaignOut)
    return CampaignDetail(
        **{f: getattr(out, f) for f in out.__struct_fields__},
        totals=await service.totals(db, campaign),
        variants=await service.variant_stats(db, campaign),
        progress=await service.progress(db, campaign),
        over_time=await service.over_time(db, campaign),
    )


class CampaignsController(Controller):
    path = "/campaigns"
    tags = ["campaigns"]

    @get("/", summary="Campaigns, newest first")
    async def list_campaigns(
        self, db: AsyncSession, limit: int = limit_param(50), cursor: Cursor = None
    ) -> CampaignPage:
        rows, next_cursor, total = await service.list_campaigns(db, limit, cursor)
        return CampaignPage(items=[to_out(c, CampaignOut) for c in rows], next_cursor=next_cursor, total=total)

    @post("/", summary="Send an email to segments (now, or at send_at), optionally as an A/B test")
    async def create_campaign(self, data: CampaignIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> CampaignOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        campaign = await service.create_campaign(
            db, values, actor, runtime.enqueue, frequency_cap=runtime.settings.frequency_cap
        )
        return to_out(campaign, CampaignOut)

    @post(
        "/audience",
        status_code=200,
        opt={"role": "viewer"},
        summary="Who a campaign with this body would reach, and who it would leave out and why (changes nothing)",
    )
    async def audience(self, data: CampaignIn, db: AsyncSession, runtime: Runtime) -> CampaignAudience:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return await service.preview(db, values, runtime.settings.frequency_cap)

    @get("/{campaign_id:int}", summary="A campaign with its statistics, per variant and over time")
    async def get_campaign(self, campaign_id: IdParam, db: AsyncSession) -> CampaignDetail:
        return await _detail(db, campaign_id)

    @post(
        "/{campaign_id:int}/decide",
        status_code=200,
        summary="End an A/B test now: the best variant so far goes to the rest of the audience",
    )
    async def decide(self, campaign_id: IdParam, db: AsyncSession, runtime: Runtime) -> CampaignOut:
        await service.decide_winner(db, campaign_id, runtime.enqueue)
        return to_out(await service.get_campaign(db, campaign_id), CampaignOut)

    @post("/{campaign_id:int}/cancel", status_code=200, summary="Stop a campaign: what is not sent yet is not sent")
    async def cancel(self, campaign_id: IdParam, db: AsyncSession, actor: Actor) -> CampaignOut:
        campaign = await service.cancel(db, campaign_id)
        await audit.record(db, actor, "campaign.cancelled", Target("campaign", campaign_id, campaign.name))
        return to_out(campaign, CampaignOut)
