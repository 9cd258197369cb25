"""Tracked behaviour: one append-only row per thing a contact did or was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime
from parcours.partitions import MonthlyPartitions

# On PostgreSQL: one table per month of occurred_at (parcours.partitions).
INTERACTIONS = MonthlyPartitions("interactions", "occurred_at")


class Interaction(SQLModel, table=True):
    # Designed for tens of millions of rows: narrow, append-only, two indexes that serve the
    # timeline (contact, time) and the reports and rules (type, time). On PostgreSQL the table
    # is partitioned by month of occurred_at, its primary key (id, occurred_at): see INTERACTIONS.
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_contact_time", "contact_id", "occurred_at"),
        Index("ix_interactions_type_time", "type", "occurred_at"),
        # Ids only grow, even once the newest rows are erased: the stream's cursor relies on it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    type: str = Field(max_length=64)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    # The amount of a purchase (or any numeric measure of the interaction), for fast sums.
    value: float | None = None
    properties: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON().with_variant(JSONB(), "postgresql"), nullable=False)
    )
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StreamCursor(SQLModel, table=True):
    """How far a consumer of the interaction stream has got (e.g. the computed fields)."""

    __tablename__ = "stream_cursors"

    name: str = Field(primary_key=True, max_length=64)
    position: int = Field(default=0, sa_type=BigInteger)
    # Ids below position not seen yet (id -> when first missed), see interactions.service.
    gaps: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
