"""API shapes for segments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Strict
from parcours.contacts.schemas import ContactOut
from parcours.rules.builder import Builder

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Description = Annotated[str, Meta(max_length=1000)]
RuleText = Annotated[str, Meta(max_length=20_000)]
Ids = Annotated[list[Id], Meta(max_length=100)]


class SegmentIn(Strict):
    name: Name
    kind: Literal["static", "dynamic"]
    description: Description = ""
    rule: RuleText | None = None
    include: Ids = []
    exclude: Ids = []
    # The visual builder's conditions; when given, the rule is written from them.
    builder: Builder | None = None


class SegmentPatch(Strict):
    name: Name | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    rule: RuleText | None | UnsetType = UNSET
    include: Ids | UnsetType = UNSET
    exclude: Ids | UnsetType = UNSET
    builder: Builder | None | UnsetType = UNSET


class SegmentOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    description: str
    kind: str
    rule: str | None
    include: list[int]
    exclude: list[int]
    builder: Builder | None
    preset: str | None
    member_count: int
    last_refreshed_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class PreviewIn(Strict):
    rule: RuleText | None = None
    builder: Builder | None = None
    include: Ids = []
    exclude: Ids = []


class PreviewOut(msgspec.Struct):
    count: int
    sample: list[ContactOut]
    # The rule that was counted (written from the builder when one was sent).
    rule: str | None


class MembersIn(Strict):
    contact_ids: Annotated[list[Id], Meta(min_length=1, max_length=10_000)]


class MembersChanged(msgspec.Struct):
    added: int = 0
    removed: int = 0
    member_count: int = 0


class Preset(msgspec.Struct, kw_only=True):
    key: str
    name_en: str
    name_fr: str
    description_en: str = ""
    description_fr: str = ""
    rule: str
