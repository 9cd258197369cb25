"""API shapes of the organization's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Strict

Name = Annotated[str, Meta(max_length=200)]
Zone = Annotated[str, Meta(min_length=1, max_length=64)]


class OrganizationOut(msgspec.Struct, kw_only=True):
    name: str
    # An IANA time zone: new events start in it. "UTC" until an administrator chooses one.
    timezone: str
    # None until an administrator first saves the settings.
    updated_at: datetime | None
    updated_by: str


class OrganizationPatch(Strict):
    name: Name | UnsetType = UNSET
    timezone: Zone | UnsetType = UNSET
