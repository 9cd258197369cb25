"""/api/rfm: the last recompute, a recompute on demand (a job), one contact's RFM."""

from __future__ import annotations

from litestar import Controller, get, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts.schemas import JobAccepted
from parcours.rfm import service
from parcours.rfm.schemas import RfmContactOut, RfmOverview
from parcours.runtime import Runtime


class RfmController(Controller):
    path = "/rfm"
    tags = ["rfm"]

    @get("/", summary="The last RFM recompute: when, over which period, and what each score covered")
    async def overview(self, db: AsyncSession, runtime: Runtime) -> RfmOverview:
        run = await service.latest_run(db)
        return RfmOverview(last_run=service.run_out(run) if run else None, period_days=runtime.settings.rfm_period_days)

    @post("/recompute", status_code=202, summary="Recompute every contact's RFM now, as a job")
    async def recompute(self, db: AsyncSession, runtime: Runtime, actor: Actor) -> JobAccepted:
        job_id = await service.start_recompute(db, runtime.enqueue, actor.label, runtime.settings.rfm_period_days)
        return JobAccepted(job_id=job_id)

    @get("/contacts/{contact_id:int}", summary="A contact's RFM scores and group, with what they mean")
    async def contact(self, contact_id: IdParam, db: AsyncSession, runtime: Runtime) -> RfmContactOut:
        return await service.contact_rfm(db, contact_id, utcnow(), runtime.settings.rfm_period_days)
