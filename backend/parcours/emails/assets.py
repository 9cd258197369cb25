"""Images for emails, stored in the database and served publicly under unguessable addresses."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.emails.models import Asset
from parcours.errors import InvalidInput, NotFound, TooLarge

MAX_BYTES = 5 * 1024 * 1024
# Recognized by their first bytes, whatever the browser claims. No SVG: it can carry scripts.
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
               b"GIF89a": "image/gif"}


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
    asset = Asset(id=secrets.token_hex(16), filename=safe, content_type=kind, size=len(content), content=content,
                  created_by=created_by)
    session.add(asset)
    await session.flush()
    return asset


async def list_assets(session: AsyncSession, limit: int = 200) -> Sequence[Asset]:
    query = select(Asset).order_by(col(Asset.created_at).desc()).limit(limit)
    return (await session.execute(query)).scalars().all()


async def get(session: AsyncSession, asset_id: str) -> Asset:
    asset = await session.get(Asset, asset_id)
    if asset is None:
        raise NotFound("This image does not exist.", "asset_id")
    return asset
