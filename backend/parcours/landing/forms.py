"""The forms a page's form blocks place, through the forms feature's service (when it is there)."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession


async def markup(session: AsyncSession, form_id: int, *, language: str, page_id: int | None) -> str | None:
    """The form's HTML (posting to /f/{slug} with page_id), or None when there is no such form."""
    try:
        from parcours.forms import service  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # the forms feature is not installed: no form exists
        return None
    found: Any = service.form_markup(session, form_id, language=language, page_id=page_id)
    if inspect.isawaitable(found):
        found = await found
    return found if isinstance(found, str) else None


async def markups(
    session: AsyncSession, form_ids: Iterable[int], *, language: str, page_id: int | None
) -> dict[int, str | None]:
    return {fid: await markup(session, fid, language=language, page_id=page_id) for fid in set(form_ids)}
