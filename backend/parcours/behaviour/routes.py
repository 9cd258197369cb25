"""/api/computed-fields: behavioural fields, their preview, and the segment builder's conditions."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, delete, get, patch, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.behaviour import service
from parcours.behaviour.schemas import (
    BehaviourConditionIn,
    ComputedFieldIn,
    ComputedFieldOut,
    ComputedFieldPage,
    ComputedFieldPatch,
    ComputedPreview,
)
from parcours.runtime import Runtime


class ComputedFieldsController(Controller):
    path = "/computed-fields"
    tags = ["behaviour"]

    @get("/", summary="Behavioural fields (computed from contacts' interactions)")
    async def list_fields(
        self,
        db: AsyncSession,
        limit: int = limit_param(100),
        cursor: Cursor = None,
        origin: Literal["screen", "condition"] | None = None,
    ) -> ComputedFieldPage:
        return await service.list_page(db, limit, cursor, origin)

    @post("/", summary="Define a behavioural field (every contact's value is computed by a job)")
    async def create_field(
        self, data: ComputedFieldIn, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> ComputedFieldOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        row = await service.create_field(db, runtime.enqueue, values, actor.label)
        return await service.field_out(db, row)

    @post(
        "/preview",
        status_code=200,
        opt={"role": "viewer"},
        summary="How an unsaved behavioural field's values spread over the base",
    )
    async def preview(self, data: ComputedFieldIn, db: AsyncSession) -> ComputedPreview:
        values = {f: getattr(data, f) for f in data.__struct_fields__ if f not in ("name", "label")}
        return await service.preview(db, values)

    @post(
        "/conditions",
        status_code=200,
        summary="The count behind a segment builder's behavioural condition (made once, then reused)",
    )
    async def condition(
        self, data: BehaviourConditionIn, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> ComputedFieldOut:
        row = await service.condition_field(
            db, runtime.enqueue, data.interaction_type, data.filter, data.window_days, actor.label
        )
        return await service.field_out(db, row)

    @get("/{field_id:int}", summary="A behavioural field")
    async def get_field(self, field_id: IdParam, db: AsyncSession) -> ComputedFieldOut:
        return await service.field_out(db, await service.get_field(db, field_id))

    @patch("/{field_id:int}", summary="Change a behavioural field (its values are computed again by a job)")
    async def update_field(
        self, field_id: IdParam, data: ComputedFieldPatch, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> ComputedFieldOut:
        row = await service.update_field(db, runtime.enqueue, field_id, changes(data), actor.label)
        return await service.field_out(db, row)

    @delete("/{field_id:int}", summary="Delete a behavioural field (refused while a rule reads it)")
    async def delete_field(self, field_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        field = await service.get_field(db, field_id)
        target = Target("computed_field", field_id, field.label or field.name)
        await service.delete_field(db, field_id)
        await audit.record(db, actor, "computed_field.deleted", target, before={"name": field.name})
