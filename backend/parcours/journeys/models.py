"""Journeys, their published versions, the runs (one contact's way through a version) and the
steps each run went through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime
from parcours.partitions import MonthlyPartitions


class Journey(SQLModel, table=True):
    __tablename__ = "journeys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    # draft -> published <-> paused -> stopped | finished
    status: str = Field(default="draft", max_length=16)
    # The canvas as the marketer left it (positions included): never what the engine runs.
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = 0  # the latest published version, 0 before the first publication
    has_changes: bool = False  # the draft differs from the latest published version
    enrolled_version: int = 0  # the version whose starting population has entered
    template_key: str | None = Field(default=None, max_length=64)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The audience seen at the latest publication (journeys.schemas.PublishedAudience).
    published_audience: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class JourneyVersion(SQLModel, table=True):
    """A published definition: immutable; runs keep the version they entered."""

    __tablename__ = "journey_versions"
    __table_args__ = (UniqueConstraint("journey_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(foreign_key="journeys.id", ondelete="CASCADE")
    version: int
    definition: dict[str, Any] = Field(sa_type=JSON)
    settings: dict[str, Any] = Field(sa_type=JSON)
    published_by: str = Field(default="", max_length=320)
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JourneyRun(SQLModel, table=True):
    __tablename__ = "journey_runs"
    __table_args__ = (
        # Entering twice by the same way (the start, one interaction, one date) is one run.
        UniqueConstraint("journey_id", "contact_id", "entry_key"),
        Index("ix_journey_runs_due", "status", "wake_at"),
        Index("ix_journey_runs_contact", "contact_id", "status"),
        Index("ix_journey_runs_node", "journey_id", "node_id", "status"),
        # The reports count entries per day (the Home) and a journey's entrants of a period (reach).
        Index("ix_journey_runs_entered", "entered_at"),
        Index(
            "ix_journey_runs_journey_entered",
            "journey_id",
            "entered_at",
            "contact_id",
            postgresql_include=["converted_at"],
        ),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    journey_id: int = Field(foreign_key="journeys.id", ondelete="CASCADE")
    version_id: int = Field(foreign_key="journey_versions.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    entry_key: str = Field(max_length=64)
    node_id: str = Field(max_length=64)
    # active (due at wake_at) | waiting (until wake_at, or the awaited interaction) | completed | exited
    status: str = Field(default="active", max_length=16)
    wake_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    waiting_for: str | None = Field(default=None, max_length=64)
    event: str | None = Field(default=None, max_length=64)
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    converted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=300)


# On PostgreSQL: one table per month of a step's time (parcours.partitions), the primary key
# (id, at). Steps are only appended: millions a month once journeys run on a large base.
JOURNEY_STEPS = MonthlyPartitions("journey_steps", "at")


class JourneyStep(SQLModel, table=True):
    """A step one run went through (written when the run leaves it)."""

    __tablename__ = "journey_steps"
    __table_args__ = (
        Index("ix_journey_steps_node", "journey_id", "node_id", "outcome"),
        Index("ix_journey_steps_run", "run_id"),
        # The Home's "journeys with errors" reads the few failed steps of the last days.
        Index("ix_journey_steps_outcome_at", "outcome", "at"),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    journey_id: int = Field(foreign_key="journeys.id", ondelete="CASCADE")
    run_id: int = Field(sa_type=BigId, foreign_key="journey_runs.id", ondelete="CASCADE")
    node_id: str = Field(max_length=64)
    outcome: str = Field(max_length=16)  # completed | exited | error
    label: str | None = Field(default=None, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JourneyLeftOut(SQLModel, table=True):
    """A contact who was to enter but did not, and why (entries.LEFT_OUT): once per reason."""

    __tablename__ = "journey_left_out"
    __table_args__ = (
        UniqueConstraint("journey_id", "contact_id", "reason"),
        Index("ix_journey_left_out_reason", "journey_id", "reason"),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    journey_id: int = Field(foreign_key="journeys.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    reason: str = Field(max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
