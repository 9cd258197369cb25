"""The relationship plan: programs (an objective, one KPI, a target, a period, an owner), the
journeys, campaigns and events that belong to each, and the scenario brief of a journey."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Program(SQLModel, table=True):
    __tablename__ = "programs"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    objective: str = Field(default="", max_length=2000)
    # {"metric": "open_rate", "segment_id": ...}: see programs/kpis.py for the catalogue.
    kpi: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    target: float | None = None
    starts_on: date
    ends_on: date
    # A user id (no foreign key: a removed user leaves the program without owner).
    owner_id: int | None = None
    template_key: str | None = Field(default=None, max_length=64)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProgramItem(SQLModel, table=True):
    """A journey, campaign or event of a program; each belongs to one program at most. The ids
    have no foreign key (other features' tables): ids of deleted items are dropped when read."""

    __tablename__ = "program_items"
    __table_args__ = (UniqueConstraint("kind", "item_id", name="uq_program_items_item"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="programs.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)  # journey | campaign | event
    item_id: int
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JourneyBrief(SQLModel, table=True):
    """What a journey is to do, written before it is built."""

    __tablename__ = "journey_briefs"

    journey_id: int = Field(primary_key=True)
    goal: str = Field(default="", max_length=2000)
    audience: str = Field(default="", max_length=2000)
    data_needed: str = Field(default="", max_length=2000)
    # [{"name", "channel", "when"}]
    messages: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    kpi: str = Field(default="", max_length=500)
    updated_by: str = Field(default="", max_length=320)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
