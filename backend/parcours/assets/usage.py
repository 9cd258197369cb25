"""Where an image of the library is used: an image still shown by an email, a template or a page
is not deleted, or they would show a broken picture without warning.

The asset library reads no other feature's table: each feature that links to images registers
an answer (an `AssetUser`), wired by the composition (parcours.stream.wire), like rules.usage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession


class AssetUse(NamedTuple):
    """One place that shows the image, as a marketer names it."""

    kind: str  # "email", "template", "page"...
    id: int
    name: str


class AssetUser(Protocol):
    """A feature that links to images: the places whose content holds this address."""

    async def __call__(self, session: AsyncSession, address: str) -> list[AssetUse]: ...


_users: list[AssetUser] = []


def register(users: Iterable[AssetUser]) -> None:
    """The features that link to images (all of them, replacing any registered before)."""
    _users[:] = users


def address(asset_id: str) -> str:
    """The part of an image's public address that names it alone, whatever the host or file name."""
    return f"/media/{asset_id}/"


async def uses(session: AsyncSession, asset_id: str) -> list[AssetUse]:
    found: list[AssetUse] = []
    for user in _users:
        found += await user(session, address(asset_id))
    return found
