"""Saved questions of free exploration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Exploration(SQLModel, table=True):
    __tablename__ = "explorations"
    __table_args__ = (Index("ix_explorations_owner", "owner_key", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # The question as POST /api/explore takes it (explore.schemas.ExploreQuestion).
    question: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    chart: str = Field(default="bar", max_length=16)
    # Who saved it: "user:3" or "api_key:1" (the actor), and their name as shown.
    owner_key: str = Field(max_length=40)
    owner: str = Field(default="", max_length=320)
    shared: bool = False  # seen by every user, changed only by its owner (or an admin)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExploreDaily(SQLModel, table=True):
    """Interactions of one type on one UTC day: how many, and the sum and count of their `value`.
    Fed by the interaction stream (explore.rollup); questions that only cut by time and type and
    add things up are answered from here instead of the raw interactions."""

    __tablename__ = "explore_daily"

    day: date = Field(primary_key=True)
    type: str = Field(primary_key=True, max_length=64)
    count: int = Field(default=0, sa_type=BigInteger)
    value_sum: float = 0.0
    value_count: int = Field(default=0, sa_type=BigInteger)


class ExploreMonthlyContact(SQLModel, table=True):
    """A contact had at least one interaction of a type in a UTC month (its first day). Kept so
    that a month's distinct contacts by type are counted once, as the stream goes (explore.monthly)."""

    __tablename__ = "explore_monthly_contacts"

    contact_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)
    type: str = Field(primary_key=True, max_length=64)


class ExploreMonthly(SQLModel, table=True):
    """How many distinct contacts had an interaction of a type in a UTC month (its first day):
    the rows of explore_monthly_contacts, counted as they are written."""

    __tablename__ = "explore_monthly"

    month: date = Field(primary_key=True)
    type: str = Field(primary_key=True, max_length=64)
    contacts: int = Field(default=0, sa_type=BigInteger)
