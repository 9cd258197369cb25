"""API shapes for the lead pipeline and opportunities."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Page, Strict
from parcours.contacts.origin import Origin, OriginKind

OpportunityStage = Literal["qualify", "develop", "propose", "won", "lost"]
Amount = Annotated[float, Meta(ge=0)]
Name = Annotated[str, Meta(min_length=1, max_length=200)]


class StageCount(msgspec.Struct, kw_only=True):
    stage: str
    count: int
    inbound: int
    outbound: int
    sales: int = 0


class Pipeline(msgspec.Struct, kw_only=True):
    stages: list[StageCount]
    total: int


class OpportunityIn(Strict):
    name: Name
    contact_id: Id
    account_id: Id | None = None
    lead_contact_id: Id | None = None
    budget: Amount | None = None
    estimated_revenue: Amount | None = None
    actual_revenue: Amount | None = None
    stage: OpportunityStage = "qualify"
    close_date: date | None = None
    # Absent: its lead's origin (lead_contact_id, else contact_id) at creation.
    origin: Origin | None | UnsetType = UNSET


class OpportunityPatch(Strict):
    name: Name | UnsetType = UNSET
    contact_id: Id | UnsetType = UNSET
    account_id: Id | None | UnsetType = UNSET
    lead_contact_id: Id | None | UnsetType = UNSET
    budget: Amount | None | UnsetType = UNSET
    estimated_revenue: Amount | None | UnsetType = UNSET
    actual_revenue: Amount | None | UnsetType = UNSET
    stage: OpportunityStage | UnsetType = UNSET
    close_date: date | None | UnsetType = UNSET
    origin: Origin | None | UnsetType = UNSET


class OpportunityOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    contact_id: Id
    account_id: int | None
    lead_contact_id: int | None
    budget: float | None
    estimated_revenue: float | None
    actual_revenue: float | None
    stage: str
    close_date: date | None
    origin: Origin | None = None
    # Who and which company it is with, as the list shows them.
    contact_name: str | None = None
    account_name: str | None = None
    created_at: datetime
    updated_at: datetime


class OpportunityPage(Page[OpportunityOut]):
    items: list[OpportunityOut]  # restated so the OpenAPI document names the item type


class OpportunityFilters(msgspec.Struct, kw_only=True):
    contact_id: int | None = None
    account_id: int | None = None
    stage: OpportunityStage | None = None
    origin_kind: OriginKind | None = None
    journey_id: int | None = None
    campaign_id: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    # Part of its name (case and accents as typed).
    q: str | None = None
