"""Long-running work (imports, refreshes, recomputes) as the user follows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Job(SQLModel, table=True):
    __tablename__ = "jobs"

    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=64, index=True)
    # The worker function that does it; the sweeper queues it again if Redis lost it.
    task: str = Field(max_length=64)
    status: str = Field(default="queued", max_length=16)
    progress: float = 0.0
    message: str = Field(default="", max_length=500)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
