"""The asset library: images stored in the database and served publicly under unguessable
addresses. Other features link to them by address and say where (assets.usage)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import defer
from sqlmodel import col, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.assets import images, usage
from parcours.assets.models import Asset
from parcours.assets.usage import AssetUse
from parcours.errors import Conflict, InvalidInput, NotFound, ParcoursError, TooLarge

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 20


def _safe_name(filename: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in (filename or "image"))[-100:] or "image"


async def save(session: AsyncSession, filename: str, content: bytes, created_by: str) -> Asset:
    if len(content) > MAX_BYTES:
        raise TooLarge(f"Images are limited to {MAX_BYTES // (1024 * 1024)} MB.", "file")
    kind = images.kind(content)
    if kind is None:
        raise InvalidInput("Upload a PNG, JPEG, GIF or WebP image.", "file")
    size = images.dimensions(content, kind)
    asset = Asset(
        id=secrets.token_hex(16),
        filename=_safe_name(filename),
        content_type=kind,
        size=len(content),
        content=content,
        width=size[0] if size else None,
        height=size[1] if size else None,
        created_by=created_by,
    )
    session.add(asset)
    await session.flush()
    return asset


async def save_many(
    session: AsyncSession, files: list[tuple[str, bytes]], created_by: str
) -> tuple[list[Asset], list[tuple[int, str, ParcoursError]]]:
    """Each good image saved; each bad one refused alone, with its position, name and reason."""
    if not files:
        raise InvalidInput("Choose at least one image.", "files")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"Upload {MAX_FILES} images at most at once.", "files")
    saved: list[Asset] = []
    refused: list[tuple[int, str, ParcoursError]] = []
    for index, (filename, content) in enumerate(files):
        try:
            saved.append(await save(session, filename, content, created_by))
        except (InvalidInput, TooLarge) as error:
            refused.append((index, filename, error))
    return saved, refused


def _filters(search: str | None, content_type: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if content_type is not None:
        if content_type not in images.KINDS:
            raise InvalidInput(f"The type is one of {', '.join(images.KINDS)}.", "content_type")
        where.append(col(Asset.content_type) == content_type)
    words = (search or "").strip().lower()
    if words:
        where.append(
            or_(
                func.lower(col(Asset.filename)).contains(words, autoescape=True),
                func.lower(col(Asset.title)).contains(words, autoescape=True),
            )
        )
    return where


async def list_assets(
    session: AsyncSession, limit: int, cursor: str | None, search: str | None = None, content_type: str | None = None
) -> tuple[list[Asset], str | None, int]:
    """Newest first: a page of images (without their bytes), the next cursor and how many match."""
    where = _filters(search, content_type)
    order = [(col(Asset.created_at), True), (col(Asset.id), True)]
    query = select(Asset).options(defer(cast(Any, Asset.content))).where(*where)
    last = read_cursor(cursor, datetime, str)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(*(c.desc() for c, _ in order)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda a: [a.created_at, a.id])
    total = (await session.execute(select(func.count()).select_from(Asset).where(*where))).scalar_one()
    return page, next_cursor, int(total)


async def get(session: AsyncSession, asset_id: str) -> Asset:
    asset = await session.get(Asset, asset_id)
    if asset is None:
        raise NotFound("This image does not exist.", "asset_id")
    return asset


async def uses(session: AsyncSession, asset_id: str) -> list[AssetUse]:
    return await usage.uses(session, asset_id)


async def update(session: AsyncSession, asset_id: str, values: dict[str, Any]) -> Asset:
    asset = await get(session, asset_id)
    for name, value in values.items():
        setattr(asset, name, value.strip())
    await session.flush()
    return asset


async def delete(session: AsyncSession, asset_id: str) -> None:
    """Refused (409, naming the places) while an email, a template or a page still shows it."""
    asset = await get(session, asset_id)
    found = await usage.uses(session, asset_id)
    if found:
        shown = ", ".join(f"{u.kind} '{u.name}'" for u in found[:5]) + (
            f" and {len(found) - 5} more" if len(found) > 5 else ""
        )
        raise Conflict(
            f"This image is still used by {shown}. Remove it from them first.",
            "asset_id",
            used_by=[{"kind": u.kind, "id": u.id, "name": u.name} for u in found],
        )
    await session.delete(asset)
    await session.flush()
