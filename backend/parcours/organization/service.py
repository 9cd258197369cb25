"""The organization's settings (its name, its time zone): what other features may read."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.db import upsert
from parcours.errors import Unprocessable
from parcours.organization.models import THE_ROW, Organization


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


async def get_organization(session: AsyncSession) -> Organization:
    """The saved settings, or the defaults (no name, UTC) before an administrator saves any."""
    return await session.get(Organization, THE_ROW) or Organization()


async def timezone(session: AsyncSession) -> str:
    """The zone new events start in."""
    return (await get_organization(session)).timezone


async def update_organization(session: AsyncSession, changes: dict[str, Any], by: str) -> Organization:
    zone = changes.get("timezone")
    if zone is not None and zone not in _zones():
        raise Unprocessable(f"Unknown time zone '{zone}': choose one from the list, such as Europe/Paris.", "timezone")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    current = await get_organization(session)
    row = {
        "id": THE_ROW,
        "name": changes.get("name", current.name),
        "timezone": changes.get("timezone", current.timezone),
        "updated_at": utcnow(),
        "updated_by": by,
    }
    # Two first saves at once both insert: the later one updates instead of failing.
    await upsert(
        session, Organization, [row], index_elements=["id"], update=["name", "timezone", "updated_at", "updated_by"]
    )
    saved = await session.get(Organization, THE_ROW, populate_existing=True)
    assert saved is not None, "just written"
    return saved
