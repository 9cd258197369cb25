"""Segments and their materialized membership."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Segment(SQLModel, table=True):
    __tablename__ = "segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=1000)
    kind: str = Field(max_length=16)  # static | dynamic
    # Dynamic: members = (rule or member of an included segment) and not member of an excluded one.
    rule: str | None = Field(default=None, sa_type=Text)
    include: list[int] = Field(default_factory=list, sa_type=JSON)
    exclude: list[int] = Field(default_factory=list, sa_type=JSON)
    # The builder's groups of conditions, kept so the marketer finds the builder as they left it.
    builder: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    preset: str | None = Field(default=None, max_length=64)
    member_count: int = 0
    last_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SegmentMember(SQLModel, table=True):
    __tablename__ = "segment_members"
    __table_args__ = (Index("ix_segment_members_contact", "contact_id"),)

    segment_id: int = Field(foreign_key="segments.id", ondelete="CASCADE", primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", primary_key=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
