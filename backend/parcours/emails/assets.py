"""Images for emails, stored in the database and served publicly under unguessable addresses."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.emails.models import Asset
from parcours.errors import InvalidInput, NotFound, TooLarge

MAX_BYTES = 5 * 1024 * 1024
# Recognized by their first bytes, whatever the browser claims. No SVG: it can carry scripts.
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def _kind(content: bytes) -> str | None:
    for signature, kind in _SIGNATURES.items():
        if content.startswith(signature):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


async def save(session: AsyncSession, filename: str, content: bytes, created_by: str) -> Asset:
    if len(content) > MAX_BYTES:
        raise TooLarge(f"Images are limited to {MAX_BYTES // (1024 * 1024)} MB.", "file")
    kind = _kind(content)
    if kind is None:
        raise InvalidInput("Upload a PNG, JPEG, GIF or WebP image.", "file")
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in (filename or "image"))[-100:] or "image"
    asset = Asset(
        id=secrets.token_hex(16),
        filename=safe,
        content_type=kind,
        size=len(content),
        content=content,
        created_by=created_by,
    )
    session.add(asset)
    await session.flush()
    return asset


async def list_assets(session: AsyncSession, limit: int, cursor: str | None) -> tuple[list[Asset], str | None, int]:
    """Newest first: a page of images, the cursor of the next one and how many there are."""
    order = [(col(Asset.created_at), True), (col(Asset.id), True)]
    query = select(Asset)
    last = read_cursor(cursor, datetime, str)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(*(c.desc() for c, _ in order)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda a: [a.created_at, a.id])
    total = (await session.execute(select(func.count()).select_from(Asset))).scalar_one()
    return page, next_cursor, int(total)


async def get(session: AsyncSession, asset_id: str) -> Asset:
    asset = await session.get(Asset, asset_id)
    if asset is None:
        raise NotFound("This image does not exist.", "asset_id")
    return asset
