"""Landing pages (their design, exported HTML and CSS, SEO), their versions, their visitors and their views per day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class PageContent(SQLModel):
    """What a page is made of: kept alike on the page and on each of its versions."""

    # The GrapesJS project: the only source the designer reloads from.
    design: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # What the designer exports, sanitised on save (no script, no on* attribute, no javascript: URL).
    html: str = Field(default="", sa_type=Text)
    css: str = Field(default="", sa_type=Text)
    seo_title: str = Field(default="", max_length=200)
    seo_description: str = Field(default="", max_length=400)
    social_image: str = Field(default="", max_length=500)
    # A/B variants: [{"key": "B", "name": ..., "design": ..., "html": ..., "css": ...}].
    variants: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class LandingPage(PageContent, table=True):
    __tablename__ = "landing_pages"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    language: str = Field(default="en", max_length=8)
    template: str | None = Field(default=None, max_length=64)
    version: int = 1
    # The version visitors see at /p/{slug}; None while the page is a draft.
    published_version: int | None = None
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LandingPageVersion(PageContent, table=True):
    """Each saved state of a page; the published one is never changed in place."""

    __tablename__ = "landing_page_versions"
    __table_args__ = (UniqueConstraint("page_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    page_id: int = Field(foreign_key="landing_pages.id", ondelete="CASCADE", index=True)
    version: int
    saved_by: str = Field(default="", max_length=320)
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PageVisitor(SQLModel, table=True):
    """A visitor of a published page (its first-party cookie): the variant it was last shown and the
    last day it came. A page's figures always end today, so the visitors of the last N days are
    those whose last day falls within them: counted from this index, not from every visit."""

    __tablename__ = "landing_page_visitors"
    __table_args__ = (Index("ix_landing_page_visitors_last_day", "page_id", "last_day", "variant"),)

    page_id: int = Field(primary_key=True, foreign_key="landing_pages.id", ondelete="CASCADE")
    visitor: str = Field(primary_key=True, max_length=64)
    variant: str = Field(default="A", max_length=8)
    last_day: date


class PageDay(SQLModel, table=True):
    """A page's views on one UTC day, per variant shown, and its visitors that day (each counted
    at its first view of the day)."""

    __tablename__ = "landing_page_days"

    page_id: int = Field(primary_key=True, foreign_key="landing_pages.id", ondelete="CASCADE")
    day: date = Field(primary_key=True)
    variant: str = Field(primary_key=True, max_length=8)
    visits: int = 0
    visitors: int = 0
