"""Emails (their design and compiled HTML), versions, templates, topics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class EmailContent(SQLModel):
    """What an email is made of: kept alike on the email, its versions and templates."""

    subject: str = Field(default="", max_length=300)
    preheader: str = Field(default="", max_length=300)
    # The GrapesJS project: the only source the designer reloads from.
    design: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    mjml: str = Field(default="", sa_type=Text)
    # Compiled on the server from the MJML (the browser's HTML is never trusted).
    html: str = Field(default="", sa_type=Text)
    text: str = Field(default="", sa_type=Text)


class Email(EmailContent, table=True):
    __tablename__ = "emails"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    from_name: str = Field(default="", max_length=200)
    from_email: str = Field(default="", max_length=320)
    reply_to: str | None = Field(default=None, max_length=320)
    kind: str = Field(default="promotional", max_length=16)  # promotional | transactional
    topic: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=8)
    template_id: int | None = Field(default=None, foreign_key="templates.id", ondelete="SET NULL")
    version: int = 1
    warnings: list[str] = Field(default_factory=list, sa_type=JSON)
    archived: bool = False
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EmailVersion(EmailContent, table=True):
    """Each saved state of an email, to look back at or restore."""

    __tablename__ = "email_versions"
    __table_args__ = (UniqueConstraint("email_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    email_id: int = Field(foreign_key="emails.id", ondelete="CASCADE", index=True)
    version: int
    saved_by: str = Field(default="", max_length=320)
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Template(EmailContent, table=True):
    __tablename__ = "templates"
    # A key names one shipped template of its kind in one language: the email and the journey
    # "re-engagement" are two, and each has an English and a French twin.
    __table_args__ = (UniqueConstraint("kind", "key", "language", name="uq_templates_kind_key_language"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="email", max_length=16)
    # Templates shipped in templates/ have a key; they are loaded on first start.
    key: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=8)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=500)
    category: str = Field(default="", max_length=64)
    archived: bool = False
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Topic(SQLModel, table=True):
    """A subscription topic (newsletter, events, offers...) contacts can opt out of alone."""

    __tablename__ = "topics"

    key: str = Field(primary_key=True, max_length=64)
    name_en: str = Field(max_length=100)
    name_fr: str = Field(max_length=100)
    description_en: str = Field(default="", max_length=300)
    description_fr: str = Field(default="", max_length=300)


class TopicOptOut(SQLModel, table=True):
    __tablename__ = "topic_opt_outs"

    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", primary_key=True)
    topic: str = Field(foreign_key="topics.key", ondelete="CASCADE", primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
