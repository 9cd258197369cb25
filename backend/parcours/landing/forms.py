"""The forms a page's form blocks place, through the forms feature's service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.forms import service


async def markup(session: AsyncSession, form_id: int, *, language: str, page_id: int | None) -> str | None:
    """The published form's HTML (posting to /f/{slug} with page_id), or None when there is no such form."""
    return await service.form_markup(session, form_id, language=language, page_id=page_id)


async def markups(
    session: AsyncSession, form_ids: Iterable[int], *, language: str, page_id: int | None
) -> dict[int, str | None]:
    return {fid: await markup(session, fid, language=language, page_id=page_id) for fid in set(form_ids)}
