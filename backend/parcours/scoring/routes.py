"""/api/scoring/models, and a contact's scores and score history."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, changes
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.runtime import Runtime
from parcours.scoring import bulk, service
from parcours.scoring.schemas import (
    ContactScoreOut,
    ModelIn,
    ModelOut,
    ModelPatch,
    ModelPreviewIn,
    Preview,
    ScoreHistory,
)


class ScoringModelsController(Controller):
    path = "/scoring/models"
    tags = ["scoring"]

    @get("/", summary="Scoring models")
    async def list_models(self, db: AsyncSession) -> list[ModelOut]:
        return [await service.model_out(db, row) for row in await service.list_models(db)]

    @post("/", summary="Create a scoring model (the base is scored again by a job)")
    async def create_model(self, data: ModelIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> ModelOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        row = await service.create_model(db, runtime.enqueue, values, actor.label)
        return await service.model_out(db, row)

    @post("/preview", status_code=200, summary="How the current base would score under an unsaved model")
    async def preview(self, data: ModelPreviewIn, db: AsyncSession) -> Preview:
        schema = await service.scoring_schema(db)
        model = service.check(data.key, data.threshold, data.grades, data.rules, schema)
        return Preview(**await bulk.distribution(db, model, utcnow()))

    @get("/{model_id:int}", summary="A scoring model")
    async def get_model(self, model_id: IdParam, db: AsyncSession) -> ModelOut:
        return await service.model_out(db, await service.get_model(db, model_id))

    @patch("/{model_id:int}", summary="Change a scoring model (the base is scored again by a job)")
    async def update_model(
        self, model_id: IdParam, data: ModelPatch, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> ModelOut:
        row = await service.update_model(db, runtime.enqueue, model_id, changes(data), actor.label)
        return await service.model_out(db, row)

    @delete("/{model_id:int}", summary="Delete a scoring model and its scores")
    async def delete_model(self, model_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("scoring_model", model_id, (await service.get_model(db, model_id)).name)
        await service.delete_model(db, model_id)
        await audit.record(db, actor, "scoring_model.deleted", target)


class ContactScoresController(Controller):
    path = "/contacts"
    tags = ["scoring"]

    @get("/{contact_id:int}/scores", summary="A contact's score per model, with why")
    async def scores(self, contact_id: IdParam, db: AsyncSession) -> list[ContactScoreOut]:
        return await service.contact_scores(db, contact_id)

    @get("/{contact_id:int}/score-history", summary="Changes of a contact's scores, newest first")
    async def history(
        self, contact_id: IdParam, db: AsyncSession, limit: int = Parameter(default=100, ge=1, le=500)
    ) -> ScoreHistory:
        return ScoreHistory(items=await service.score_history(db, contact_id, limit))
