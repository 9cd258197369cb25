"""Outgoing webhooks: the subscriptions an administrator makes, and each delivery to them (which is
both the queue the worker reads and the log the screen shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Webhook(SQLModel, table=True):
    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    # Signs every call (X-Parcours-Signature), so that the receiver knows it comes from us.
    secret: str = Field(max_length=100)
    active: bool = True
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # One delivery per event and subscription however often the event is handed over.
        UniqueConstraint("webhook_id", "key"),
        # The worker's question: what is due now.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhooks.id", ondelete="CASCADE")
    key: str = Field(max_length=120)
    # Whom the event is about (none: a test), so that erasing the contact erases what was said of it.
    contact_id: int | None = Field(default=None, index=True)
    event: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # pending (to try at next_attempt_at), delivered, failed (gave up after a day of retries).
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    status_code: int | None = None
    response_ms: int | None = None
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replay_of: int | None = None
