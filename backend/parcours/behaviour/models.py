"""Behavioural fields: marketers' definitions of an aggregate over contacts' interactions. Their
values live in contacts' table contact_computed (see behaviour.service for why)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class ComputedField(SQLModel, table=True):
    __tablename__ = "computed_fields"

    id: int | None = Field(default=None, primary_key=True)
    # Rules read it as computed_<name>.
    name: str = Field(max_length=40, unique=True)
    label: str = Field(max_length=100)
    aggregate: str = Field(max_length=8)
    interaction_type: str = Field(max_length=64)
    property: str | None = Field(default=None, max_length=64)
    filter: str | None = Field(default=None, max_length=1000)
    window_days: int | None = None
    # "screen": defined on the behavioural fields screen; "condition": made by the segment
    # builder's behavioural condition, which the marketer never sees as a field.
    origin: str = Field(default="screen", max_length=16)
    # The last backfill (a row of the jobs table); values are complete once backfilled_at is set.
    backfill_job_id: str | None = Field(default=None, max_length=32)
    backfilled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Windows are rolled up to this moment: interactions older than rolled_until - window_days
    # have already been taken out of the values.
    rolled_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
