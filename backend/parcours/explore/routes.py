"""/api/explore (questions answered, the contacts behind a row as a segment) and
/api/explorations (saved questions)."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param
from parcours.auth.service import Actor
from parcours.explore import service
from parcours.explore.schemas import (
    CellCountOut,
    CellIn,
    CellSegmentIn,
    CellSegmentOut,
    ExplorationIn,
    ExplorationOut,
    ExplorationPage,
    ExplorationPatch,
    ExploreAnswer,
    ExploreQuestion,
)
from parcours.runtime import Runtime


class ExploreController(Controller):
    path = "/explore"
    tags = ["exploration"]

    @post(
        "/",
        status_code=200,
        opt={"role": "viewer"},
        summary="ExploreAnswer a question: a dataset, filters, up to two groups and measures (read-only, time-limited)",
    )
    async def explore(self, data: ExploreQuestion, runtime: Runtime, actor: Actor) -> ExploreAnswer:
        return await service.explore(runtime, actor, data)

    @post("/count", status_code=200, opt={"role": "viewer"}, summary="How many contacts are behind one row")
    async def count(self, data: CellIn, runtime: Runtime, actor: Actor) -> CellCountOut:
        return CellCountOut(contacts=await service.count_behind(runtime, actor, data.question, list(data.values)))

    @post("/segment", summary="Keep the contacts behind one row as a new static segment")
    async def segment(self, data: CellSegmentIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> CellSegmentOut:
        return await service.segment_from_row(db, runtime, actor, data.question, list(data.values), data.name)


class ExplorationsController(Controller):
    path = "/explorations"
    tags = ["exploration"]

    @get("/", summary="Saved questions: mine and the shared ones, newest first")
    async def list_explorations(
        self, db: AsyncSession, actor: Actor, limit: int = limit_param(50), cursor: Cursor = None
    ) -> ExplorationPage:
        rows, next_cursor, total = await service.list_explorations(db, actor, limit, cursor)
        return ExplorationPage(
            items=[service.exploration_out(r, actor) for r in rows], next_cursor=next_cursor, total=total
        )

    @post("/", summary="Save a question")
    async def create_exploration(self, data: ExplorationIn, db: AsyncSession, actor: Actor) -> ExplorationOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return service.exploration_out(await service.create_exploration(db, actor, values), actor)

    @get("/{exploration_id:int}", summary="A saved question")
    async def get_exploration(self, exploration_id: IdParam, db: AsyncSession, actor: Actor) -> ExplorationOut:
        return service.exploration_out(await service.get_exploration(db, actor, exploration_id), actor)

    @patch("/{exploration_id:int}", summary="Rename, change or share a saved question (its owner only)")
    async def update_exploration(
        self, exploration_id: IdParam, data: ExplorationPatch, db: AsyncSession, actor: Actor
    ) -> ExplorationOut:
        row = await service.update_exploration(db, actor, exploration_id, changes(data))
        return service.exploration_out(row, actor)

    @delete("/{exploration_id:int}", summary="Delete a saved question (its owner only)")
    async def delete_exploration(self, exploration_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        await service.delete_exploration(db, actor, exploration_id)
