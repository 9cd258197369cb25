"""API shapes for landing pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Page, Strict

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(max_length=80)]
Language = Literal["en", "fr"]
Source = Annotated[str, Meta(max_length=500_000)]
SeoTitle = Annotated[str, Meta(max_length=200)]
SeoDescription = Annotated[str, Meta(max_length=400)]
ImageUrl = Annotated[str, Meta(max_length=500)]
Status = Literal["draft", "published"]


class VariantIn(Strict):
    """Another version of the page's content shown to part of its visitors (A is the page itself)."""

    key: Literal["B", "C"]
    name: Annotated[str, Meta(max_length=100)] = ""
    design: dict[str, Any] | None = None
    html: Source = ""
    css: Source = ""


class VariantOut(msgspec.Struct, kw_only=True):
    key: str
    name: str
    design: dict[str, Any] | None
    html: str
    css: str


class PageIn(Strict):
    name: Name
    slug: Slug
    # Without one: the template's language, else the language of the user who creates it.
    language: Language | None = None
    # A shipped page template's key (GET /api/pages/templates); without one, a blank page.
    template: Annotated[str, Meta(max_length=64)] | None = None
    design: dict[str, Any] | None = None
    html: Source | None = None
    css: Source | None = None
    seo_title: SeoTitle | None = None
    seo_description: SeoDescription = ""
    social_image: ImageUrl = ""


class PagePatch(Strict):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    design: dict[str, Any] | None | UnsetType = UNSET
    html: Source | UnsetType = UNSET
    css: Source | UnsetType = UNSET
    seo_title: SeoTitle | UnsetType = UNSET
    seo_description: SeoDescription | UnsetType = UNSET
    social_image: ImageUrl | UnsetType = UNSET
    variants: list[VariantIn] | UnsetType = UNSET


class PageSummary(msgspec.Struct, kw_only=True):
    id: int
    name: str
    slug: str
    language: str
    status: Status
    # The address visitors open (once published).
    url: str
    version: int
    published_version: int | None
    published_at: datetime | None
    # Saved changes visitors do not see yet.
    unpublished_changes: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


class PageOut(PageSummary, kw_only=True):
    template: str | None
    design: dict[str, Any] | None
    html: str
    css: str
    seo_title: str
    seo_description: str
    social_image: str
    variants: list[VariantOut]
    # The forms the page's form blocks place.
    form_ids: list[int]


class PageList(Page[PageSummary]):
    items: list[PageSummary]  # restated so the OpenAPI document names the item type


class PageVersionOut(msgspec.Struct, kw_only=True):
    version: int
    seo_title: str
    saved_by: str
    saved_at: datetime
    published: bool


class PreviewLink(msgspec.Struct, kw_only=True):
    # Opens the saved draft (not counted as a visit) for an hour.
    url: str
    expires_at: datetime


class PageTemplateOut(msgspec.Struct, kw_only=True):
    key: str
    language: str
    name: str
    description: str
    has_form: bool


class DayStats(msgspec.Struct, kw_only=True):
    day: date
    visits: int
    unique_visitors: int
    submissions: int


class VariantStats(msgspec.Struct, kw_only=True):
    key: str
    visits: int
    unique_visitors: int
    submissions: int
    # Submissions per unique visitor (0..1).
    conversion_rate: float


class Winner(msgspec.Struct, kw_only=True):
    key: str | None
    # Confidence (0..1) that the winner converts better than the runner-up (two-proportion z-test).
    confidence: float
    # Confident enough (95%) to call it.
    significant: bool


class PageStats(msgspec.Struct, kw_only=True):
    since: date
    visits: int
    unique_visitors: int
    submissions: int
    conversion_rate: float
    days: list[DayStats]
    variants: list[VariantStats]
    winner: Winner | None
