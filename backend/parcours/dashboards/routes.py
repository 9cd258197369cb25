"""/api/dashboards: the tiles pinned onto one's Home.

Tiles are personal: anyone who may read reports (viewers too) may pin, remove and order their
own, since that changes nothing others see."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Controller, delete, get, post, put
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, to_out
from parcours.auth.service import Actor
from parcours.dashboards import service
from parcours.dashboards.models import DashboardTile
from parcours.dashboards.schemas import TileIn, TileOrder, TileOut, TilePage


def _page(tiles: Sequence[DashboardTile]) -> TilePage:
    # A Home holds at most MAX_TILES: one page, no cursor.
    return TilePage(items=[to_out(t, TileOut) for t in tiles], next_cursor=None, total=len(tiles))


class DashboardsController(Controller):
    path = "/dashboards"
    tags = ["dashboards"]
    opt = {"role": "viewer"}

    @get("/", summary="Your pinned tiles, in order")
    async def list_tiles(self, db: AsyncSession, actor: Actor) -> TilePage:
        return _page(await service.list_tiles(db, actor))

    @post("/", summary="Pin a report onto your Home (last)")
    async def create_tile(self, data: TileIn, db: AsyncSession, actor: Actor) -> TileOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return to_out(await service.create_tile(db, values, actor), TileOut)

    @delete("/{tile_id:int}", summary="Remove a tile from your Home")
    async def delete_tile(self, tile_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        await service.delete_tile(db, tile_id, actor)

    @put("/order", summary="Order your tiles (every tile's id, in the order wanted)")
    async def reorder(self, data: TileOrder, db: AsyncSession, actor: Actor) -> TilePage:
        return _page(await service.reorder(db, data.ids, actor))
