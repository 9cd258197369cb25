"""The audit log: one row per administrative or destructive action, written in its transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    # Filters read by time (newest first), by what was acted on and by who acted.
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_target", "target_kind", "target_id"),
        Index("ix_audit_log_actor", "actor_name"),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_kind: str = Field(max_length=16)  # user | api_key | system
    actor_id: int
    actor_name: str = Field(max_length=320)
    action: str = Field(max_length=64)
    target_kind: str = Field(max_length=32)
    target_id: str = Field(default="", max_length=64)
    # A name a person recognises (an email, a field's label): the target itself may be gone.
    target_label: str = Field(default="", max_length=320)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    address: str = Field(default="", max_length=64)
