"""Scoring models, each contact's score per model, and the history of score changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime


class ScoringModel(SQLModel, table=True):
    __tablename__ = "scoring_models"

    id: int | None = Field(default=None, primary_key=True)
    # Rules read the score as score_<key> and the grade as grade_<key>.
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=1000)
    kind: str = Field(default="custom", max_length=16)
    threshold: int = 100
    grades: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    rules: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    active: bool = True
    drives_stage: bool = False
    notify_email: str | None = Field(default=None, max_length=320)
    notify_webhook: str | None = Field(default=None, max_length=1000)
    # The last bulk recompute (a row of the jobs table).
    recompute_job_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContactScore(SQLModel, table=True):
    """A contact's current score for a model (no row: 0 points, the lowest grade)."""

    __tablename__ = "contact_scores"
    __table_args__ = (
        UniqueConstraint("contact_id", "model_id", name="uq_contact_scores_contact_model"),
        Index("ix_contact_scores_model_score", "model_id", "score"),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    model_id: int = Field(foreign_key="scoring_models.id", ondelete="CASCADE")
    score: int = 0
    grade: str = Field(default="", max_length=8)
    sales_ready: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScoreChange(SQLModel, table=True):
    """Append-only: each change of a contact's score, from what to what, and why."""

    __tablename__ = "score_changes"
    __table_args__ = (Index("ix_score_changes_contact_at", "contact_id", "at"),)

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    model_id: int = Field(foreign_key="scoring_models.id", ondelete="CASCADE")
    previous: int = 0
    score: int = 0
    reason: str = Field(default="", max_length=300)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
