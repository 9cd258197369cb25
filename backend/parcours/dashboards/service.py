"""Pinned tiles: each person's own, in the order they chose.

A tile remembers a report's path and query; the Home asks the report again each time it shows
the tile, so a pinned table is never a stale copy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.dashboards.models import DashboardTile
from parcours.errors import InvalidInput, NotFound

# The reports a tile may show: JSON reports only, never another part of the API.
REPORTS = re.compile(
    r"^/api/reports/(overview|emails|emails/[1-9][0-9]{0,9}|plan|journey-reach|leaderboard|lead-generation|pipeline|roi)$"
)
MAX_TILES = 50
MAX_PARAMS = 20
_KEY = re.compile(r"^[a-z_]{1,40}$")


def owner_of(actor: Actor) -> str:
    return f"{actor.kind}:{actor.id}"


def _check(values: dict[str, Any]) -> None:
    if not REPORTS.match(values["report"]):
        raise InvalidInput("A tile shows one of the reports (/api/reports/...).", "report")
    if len(values["params"]) > MAX_PARAMS:
        raise InvalidInput(f"A tile's query has at most {MAX_PARAMS} parameters.", "params")
    for key, value in values["params"].items():
        if not _KEY.match(key) or key == "format":
            raise InvalidInput(f"{key[:40]!r} is not a report's parameter.", "params")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > 200 or isinstance(value, list) and len(value) > 100:
                raise InvalidInput(f"The value of {key} is too long.", "params")


async def list_tiles(session: AsyncSession, actor: Actor) -> Sequence[DashboardTile]:
    query = (
        select(DashboardTile)
        .where(col(DashboardTile.owner) == owner_of(actor))
        .order_by(col(DashboardTile.position), col(DashboardTile.id))
    )
    return (await session.execute(query)).scalars().all()


async def create_tile(session: AsyncSession, values: dict[str, Any], actor: Actor) -> DashboardTile:
    """A new tile, last on the Home."""
    _check(values)
    owner = owner_of(actor)
    count, last = (
        await session.execute(
            select(func.count(), func.max(col(DashboardTile.position))).where(col(DashboardTile.owner) == owner)
        )
    ).one()
    if count >= MAX_TILES:
        raise InvalidInput(f"A Home holds at most {MAX_TILES} tiles: remove one first.", "report")
    tile = DashboardTile(owner=owner, position=(last or 0) + 1 if count else 0, **values)
    session.add(tile)
    await session.flush()
    return tile


async def _own(session: AsyncSession, tile_id: int, actor: Actor) -> DashboardTile:
    tile = await session.get(DashboardTile, tile_id)
    # Someone else's tile is answered like a missing one: tiles are personal.
    if tile is None or tile.owner != owner_of(actor):
        raise NotFound("This tile does not exist.", "tile_id")
    return tile


async def delete_tile(session: AsyncSession, tile_id: int, actor: Actor) -> None:
    await session.delete(await _own(session, tile_id, actor))


async def reorder(session: AsyncSession, ids: list[int], actor: Actor) -> Sequence[DashboardTile]:
    """Tiles in the order given: every tile of the Home, each once."""
    tiles = {t.id: t for t in await list_tiles(session, actor)}
    if len(set(ids)) != len(ids) or set(ids) != set(tiles):
        raise InvalidInput("Give every tile of your Home once, in the order wanted.", "ids")
    for position, tile_id in enumerate(ids):
        tiles[tile_id].position = position
    await session.flush()
    return await list_tiles(session, actor)
