"""Forms, their published versions, the submissions they receive and their daily views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime


class Form(SQLModel, table=True):
    """The draft a marketer edits; `version` names the published one the public page serves."""

    __tablename__ = "forms"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    fields: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int | None = None  # the published version, None before the first publication
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FormVersion(SQLModel, table=True):
    """A published definition, never changed: submissions say which one they answered."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: int = Field(foreign_key="forms.id", ondelete="CASCADE")
    version: int
    name: str = Field(max_length=200)
    fields: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    published_by: str = Field(default="", max_length=320)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FormSubmission(SQLModel, table=True):
    """One post to a form: applied (accepted), waiting for its confirmation link (pending), held
    for a marketer's review (held), or judged spam (spam, nothing else written)."""

    __tablename__ = "form_submissions"
    __table_args__ = (
        Index("ix_form_submissions_form_status", "form_id", "status"),
        Index("ix_form_submissions_form_created", "form_id", "created_at"),
        # The Home counts every form's submissions per day.
        Index("ix_form_submissions_created", "created_at"),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    form_id: int = Field(foreign_key="forms.id", ondelete="CASCADE")
    form_version: int
    status: str = Field(max_length=16)  # accepted | pending | held | spam
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Where and how it was posted: url, referrer, utm, page_id, anonymous_id, ip, language.
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="SET NULL", index=True)
    new_contact: bool = False
    spam_reason: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FormDay(SQLModel, table=True):
    """Views of a form's page per day (submissions are counted from their own rows)."""

    __tablename__ = "form_days"

    form_id: int = Field(foreign_key="forms.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(primary_key=True)
    views: int = 0
