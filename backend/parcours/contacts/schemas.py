"""API shapes for contacts, accounts, custom fields, consent history and imports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import INT_MAX, Id, Page, Strict
from parcours.contacts.vocabulary import ConsentLevel, CustomFieldType, Gender, LifecycleStage

Name = Annotated[str, Meta(max_length=100)]
Text200 = Annotated[str, Meta(max_length=200)]
Email = Annotated[str, Meta(max_length=320)]
Phone = Annotated[str, Meta(max_length=40)]
Country = Annotated[str, Meta(max_length=60)]
Language = Annotated[str, Meta(max_length=40)]
LeadOrigin = Literal["inbound", "outbound"]
OriginDetail = Annotated[str, Meta(max_length=200)]


class ContactIn(Strict):
    email: Email
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    job_title: Text200 | None = None
    account_id: Id | None = None
    # Convenience: the account with this name (created when there is none).
    company: Text200 | None = None
    country: Country | None = None
    city: Name | None = None
    language: Language | None = None
    birth_date: date | None = None
    gender: Gender | None = None
    lifecycle_stage: LifecycleStage = "subscriber"
    source: Name | None = None
    lead_origin: LeadOrigin | None = None
    lead_origin_detail: OriginDetail | None = None
    consent_level: ConsentLevel = "none"
    email_opt_in: bool = False
    sms_opt_in: bool = False
    unsubscribed: bool = False
    bounced: bool = False
    custom: dict[str, Any] = {}


class ContactPatch(Strict):
    email: Email | UnsetType = UNSET
    first_name: Name | None | UnsetType = UNSET
    last_name: Name | None | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    job_title: Text200 | None | UnsetType = UNSET
    account_id: Id | None | UnsetType = UNSET
    company: Text200 | None | UnsetType = UNSET
    country: Country | None | UnsetType = UNSET
    city: Name | None | UnsetType = UNSET
    language: Language | None | UnsetType = UNSET
    birth_date: date | None | UnsetType = UNSET
    gender: Gender | None | UnsetType = UNSET
    lifecycle_stage: LifecycleStage | UnsetType = UNSET
    source: Name | None | UnsetType = UNSET
    lead_origin: LeadOrigin | None | UnsetType = UNSET
    lead_origin_detail: OriginDetail | None | UnsetType = UNSET
    consent_level: ConsentLevel | UnsetType = UNSET
    email_opt_in: bool | UnsetType = UNSET
    sms_opt_in: bool | UnsetType = UNSET
    unsubscribed: bool | UnsetType = UNSET
    bounced: bool | UnsetType = UNSET
    # Merged into the contact's custom fields; a null value clears that field.
    custom: dict[str, Any] | UnsetType = UNSET


class ContactOut(msgspec.Struct, kw_only=True):
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    phone: str | None
    job_title: str | None
    account_id: int | None
    account_name: str | None = None
    country: str | None
    city: str | None
    language: str | None
    birth_date: date | None
    gender: str | None
    lifecycle_stage: str
    source: str | None
    lead_origin: str | None = None
    lead_origin_detail: str | None = None
    lead_origin_form_id: int | None = None
    lead_origin_page_id: int | None = None
    consent_level: str
    email_opt_in: bool
    sms_opt_in: bool
    unsubscribed: bool
    bounced: bool
    custom: dict[str, Any]
    # score_<key>, grade_<key>, and behavioural fields (computed_<name>: also a boolean, or null)
    scores: dict[str, float | str | bool | None] = {}
    # The rule fields the list was asked for (GET /api/contacts?fields=...), each null when empty.
    fields: dict[str, float | str | bool | None] = {}
    last_interaction_at: datetime | None
    opens_30d: int
    clicks_30d: int
    visits_30d: int
    purchases: int
    total_revenue: float
    last_purchase_at: datetime | None
    first_seen_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactPage(Page[ContactOut]):
    items: list[ContactOut]  # restated so the OpenAPI document names the item type


ContactSort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "email",
    "-email",
    "last_name",
    "-last_name",
    "first_name",
    "-first_name",
    "last_interaction_at",
    "-last_interaction_at",
    "total_revenue",
    "-total_revenue",
    "lifecycle_stage",
    "-lifecycle_stage",
    "country",
    "-country",
]


class ContactFilters(msgspec.Struct, kw_only=True):
    q: str | None = None
    lifecycle_stage: str | None = None
    country: str | None = None
    language: str | None = None
    consent_level: str | None = None
    source: str | None = None
    lead_origin: str | None = None
    account_id: Id | None = None
    email_opt_in: bool | None = None
    unsubscribed: bool | None = None
    bounced: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


class ConsentEventOut(msgspec.Struct, kw_only=True):
    id: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_by: str
    how: str
    occurred_at: datetime
    # Set when an import brought the change: the consent's stated source and date, the import.
    source: str | None = None
    obtained_at: datetime | None = None
    import_job_id: str | None = None
    import_filename: str | None = None
    # Set when a form brought the change: the wording shown, its version, the form, the IP.
    wording: str | None = None
    wording_version: str | None = None
    form_id: int | None = None
    ip: str | None = None


Website = Annotated[str, Meta(max_length=300)]


class AccountIn(Strict):
    name: Text200
    # A domain (acme.fr) or any address on it; absent with a website: the website's.
    domain: Text200 | None = None
    website: Website | None = None
    industry: Name | None = None
    size: Annotated[int, Meta(ge=0, le=INT_MAX)] | None = None
    annual_revenue: Annotated[float, Meta(ge=0)] | None = None
    country: Country | None = None
    city: Name | None = None


class AccountPatch(Strict):
    name: Text200 | UnsetType = UNSET
    domain: Text200 | None | UnsetType = UNSET
    website: Website | None | UnsetType = UNSET
    industry: Name | None | UnsetType = UNSET
    size: Annotated[int, Meta(ge=0, le=INT_MAX)] | None | UnsetType = UNSET
    annual_revenue: Annotated[float, Meta(ge=0)] | None | UnsetType = UNSET
    country: Country | None | UnsetType = UNSET
    city: Name | None | UnsetType = UNSET


class AccountOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    domain: str | None
    website: str | None
    industry: str | None
    size: int | None
    annual_revenue: float | None
    country: str | None
    city: str | None
    created_at: datetime
    updated_at: datetime
    contacts: int = 0


class AccountPage(Page[AccountOut]):
    items: list[AccountOut]  # restated so the OpenAPI document names the item type


FieldName = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class CustomFieldIn(Strict):
    # The key used in the API, rules and templates: lower-case letters, digits, underscores.
    name: FieldName
    label: Annotated[str, Meta(min_length=1, max_length=100)]
    type: CustomFieldType
    choices: list[Annotated[str, Meta(min_length=1, max_length=100)]] = []


class CustomFieldPatch(Strict):
    label: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    choices: list[Annotated[str, Meta(min_length=1, max_length=100)]] | UnsetType = UNSET


class CustomFieldOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    label: str
    type: str
    choices: list[str]
    created_at: datetime


class ImportPreview(msgspec.Struct, kw_only=True):
    filename: str
    encoding: str
    delimiter: str
    header: list[str]
    sample: list[list[str]]
    rows: int
    suggested_mapping: dict[str, str | None]
    fields: list[str]


class JobAccepted(msgspec.Struct):
    job_id: str


DuplicateReason = Literal["email", "phone", "name_company"]


class DuplicatePair(msgspec.Struct, kw_only=True):
    """Two contacts that are probably one person: `contact` is the older, the survivor a merge proposes."""

    contact: ContactOut
    other: ContactOut
    # email: the same mailbox (provider rules: dots and +tags); phone: the same number in E.164;
    # name_company: the same first and last name at the same account.
    reasons: list[DuplicateReason]


class DuplicatePage(Page[DuplicatePair]):
    items: list[DuplicatePair]


class DistinctIn(Strict):
    """Two contacts found to be different people."""

    contact_id: Id
    other_id: Id


MergeField = Annotated[str, Meta(min_length=1, max_length=60)]


class MergeIn(Strict):
    """Merge `other_id` into the contact of the path (the survivor, which keeps its id)."""

    other_id: Id
    # Per field ("email", "first_name"..., "custom.<name>"): whose value the merged record keeps.
    # Unnamed fields: the survivor's value unless it is empty. Consent is never picked: the most
    # restrictive of the two stays.
    fields: dict[MergeField, Literal["survivor", "other"]] = {}


class MergeOut(msgspec.Struct, kw_only=True):
    contact: ContactOut
    other_id: int
    # False when the other contact had already been merged into this one: nothing was done.
    merged: bool
    # What moved from the other contact to the survivor, by kind (interactions, segment_memberships...).
    moved: dict[str, int]
