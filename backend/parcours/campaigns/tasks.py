"""Worker jobs of campaigns: start at the send time, decide A/B tests, notice the end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from parcours.campaigns import service
from parcours.campaigns.models import Campaign
from parcours.clock import utcnow
from parcours.db import transaction
from parcours.jobs.names import JobName
from parcours.runtime import WorkerContext


async def start_campaign(ctx: WorkerContext, campaign_id: int) -> int:
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        return await service.start(session, campaign_id, runtime.enqueue)


async def decide_ab_test(ctx: WorkerContext, campaign_id: int) -> str | None:
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        return await service.decide_winner(session, campaign_id, runtime.enqueue)


async def sweep_campaigns(ctx: WorkerContext) -> None:
    """What the database says is due runs, even if Redis lost the scheduled job."""
    runtime = ctx["runtime"]
    now = utcnow()
    async with transaction(runtime.sessions) as session:
        await service.finish_sent(session)
        campaigns = (
            (await session.execute(select(Campaign).where(col(Campaign.status).in_(["scheduled", "testing"]))))
            .scalars()
            .all()
        )
    for campaign in campaigns:
        if campaign.status == "scheduled" and campaign.send_at <= now:
            await runtime.enqueue(JobName.START_CAMPAIGN, campaign.id, job_id=f"start:{campaign.id}")
        elif (
            campaign.status == "testing"
            and campaign.started_at
            and campaign.ab_test
            and campaign.started_at + timedelta(minutes=int(campaign.ab_test["wait_minutes"])) <= now
        ):
            await runtime.enqueue(JobName.DECIDE_AB_TEST, campaign.id, job_id=f"decide:{campaign.id}")
