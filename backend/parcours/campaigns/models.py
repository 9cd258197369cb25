"""One-off sends of an email to segments, with an optional A/B test."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email_id: int = Field(foreign_key="emails.id", ondelete="RESTRICT")
    segment_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    exclude_segment_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    send_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # scheduled -> sending -> (testing -> sending) -> sent | cancelled
    status: str = Field(default="scheduled", max_length=16)
    # {"variable": "subject"|"from_name"|"content", "variants": [{"key": "A", ...}], "sample_percent",
    #  "metric": "opens"|"clicks", "wait_minutes", "keep_split": bool}
    ab_test: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    winner: str | None = Field(default=None, max_length=8)
    winner_confidence: float | None = None
    audience: int = 0
    # Who the send-time rules were to leave out, seen at creation: [{"reason": code, "count": n}].
    left_out: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
