"""The daily rollups every report reads instead of the raw interactions."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class ReportDaily(SQLModel, table=True):
    """One metric of one subject (an email, a journey, a form...) on one UTC day: a sum of
    increments, each batch of the interaction stream adding its own (see reports.rollups)."""

    __tablename__ = "report_daily"

    day: date = Field(primary_key=True)
    subject: str = Field(primary_key=True, max_length=16)
    subject_id: str = Field(primary_key=True, max_length=200)
    metric: str = Field(primary_key=True, max_length=32)
    value: float = 0.0
