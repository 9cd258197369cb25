"""Tiles a person pinned onto their Home: a report, the query it was asked, and how to show it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class DashboardTile(SQLModel, table=True):
    __tablename__ = "dashboard_tiles"
    __table_args__ = (Index("ix_dashboard_tiles_owner", "owner", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    # Whose Home it is on: "user:<id>" or "api_key:<id>" (tiles are personal, never shared).
    owner: str = Field(max_length=40)
    title: str = Field(max_length=200)
    report: str = Field(max_length=100)  # a report endpoint path, e.g. /api/reports/leaderboard
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    view: str = Field(max_length=16)  # chart | table | figure
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
