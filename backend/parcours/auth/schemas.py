"""API shapes for login, users and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from parcours.api import Strict

Role = Literal["viewer", "marketer", "admin"]
Language = Literal["en", "fr"]


class LoginIn(Strict):
    email: str
    password: str


class UserOut(msgspec.Struct, kw_only=True):
    id: int
    email: str
    name: str
    role: Role
    language: Language
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class MeOut(msgspec.Struct, kw_only=True):
    user: UserOut | None
    csrf_token: str | None
    auth: Literal["session", "api_key"]
    role: Role
    name: str


class MePatch(Strict):
    name: str | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    password: str | msgspec.UnsetType = msgspec.UNSET


class UserCreate(Strict):
    email: str
    password: str
    role: Role
    name: str = ""
    language: Language = "en"


class UserPatch(Strict):
    name: str | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    password: str | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class ApiKeyCreate(Strict):
    name: str
    role: Role = "marketer"


class ApiKeyOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    role: Role
    prefix: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut, kw_only=True):
    # Shown once: only its hash is kept.
    key: str
