"""The organization's own settings: one row, written the first time an administrator saves them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from parcours.db import UTCDateTime

THE_ROW = 1


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int = Field(default=THE_ROW, primary_key=True)
    name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=320)
