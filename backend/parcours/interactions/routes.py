"""/api/interactions (ingestion) and /api/contacts/{id}/interactions (a contact's timeline)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam
from parcours.interactions import service
from parcours.interactions.ingestion import Ingestion
from parcours.interactions.schemas import Accepted, InteractionPage, InteractionPost


class InteractionsController(Controller):
    path = "/"
    tags = ["interactions"]

    @post(
        "/interactions", status_code=202, summary="Record tracked behaviour: one interaction or a batch of up to 1,000"
    )
    async def ingest(self, data: InteractionPost, ingestion: Ingestion) -> Accepted:
        delivery = service.prepare(data)  # a malformed request is refused before it waits
        return Accepted(accepted=await ingestion.submit(delivery))

    @get("/contacts/{contact_id:int}/interactions", summary="A contact's timeline, newest first")
    async def timeline(
        self,
        contact_id: IdParam,
        db: AsyncSession,
        type: list[str] | None = Parameter(default=None, description="Only these types"),
        limit: int = Parameter(default=50, ge=1, le=500),
        cursor: str | None = None,
    ) -> InteractionPage:
        return await service.timeline(db, contact_id, type, limit, cursor)
