"""The outbox (one row per message, whatever the channel) and the suppression list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime
from parcours.partitions import MonthlyPartitions

# On PostgreSQL: one table per month of a message's creation (parcours.partitions), the primary key
# (id, created_at). A message is never unique by its key there: see OutboxKey.
OUTBOX = MonthlyPartitions("outbox", "created_at")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "send_after"),
        Index("ix_outbox_campaign", "campaign_id", "status"),
        Index("ix_outbox_contact", "contact_id", "created_at"),
        # With the email: the emails of a journey's steps are read from the index alone.
        Index("ix_outbox_journey", "journey_id", "node_id", "email_id"),
        Index("ix_outbox_email", "email_id", "sent_at"),
        # The marketing plan reads each journey's sends of a period: from the index alone on PostgreSQL.
        Index("ix_outbox_journey_sent", "journey_id", "sent_at", postgresql_include=["email_id", "status", "channel"]),
        # Journey reach reads a journey's messages to its entrants and what became of each: from the
        # index alone on PostgreSQL, instead of one heap page per message. The price: an open or a
        # click (their times are included) updates the indexes rather than the row alone.
        Index(
            "ix_outbox_journey_reach",
            "journey_id",
            "contact_id",
            "email_id",
            postgresql_include=[
                "channel",
                "status",
                "sent_at",
                "bounced_at",
                "opened_at",
                "clicked_at",
                "unsubscribed_at",
            ],
        ),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    # Makes a message unique (campaign + contact, journey run + node...): queued twice, sent once,
    # as its OutboxKey says.
    idempotency_key: str = Field(max_length=200, index=True)
    channel: str = Field(default="email", max_length=16)
    kind: str = Field(default="promotional", max_length=16)  # promotional | transactional
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="SET NULL")
    email_id: int | None = Field(default=None, foreign_key="emails.id", ondelete="SET NULL")
    campaign_id: int | None = Field(default=None)
    variant: str | None = Field(default=None, max_length=8)
    # Sent by a journey's step: the step's email statistics.
    journey_id: int | None = Field(default=None)
    node_id: str | None = Field(default=None, max_length=64)
    to_address: str = Field(max_length=320)
    # queued -> sending -> sent | captured | failed | suppressed
    status: str = Field(default="queued", max_length=16)
    reason: str = Field(default="", max_length=300)
    # Why it was not sent, as a stable code (channels.policy.REASONS...): what statistics group by.
    reason_code: str = Field(default="", max_length=32)
    attempts: int = 0
    send_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    subject: str = Field(default="", max_length=300)
    # What happened to it, for the email's statistics (the interactions hold every event).
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opens: int = 0
    clicked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    clicks: int = 0
    # The first open and click not flagged as a machine's (tracking.machines): the human figures.
    human_opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    human_clicked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    bounced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: str = Field(default="", max_length=200)
    # The rendered MIME message, kept when captured (embedded mode) to show in the Outbox.
    mime: bytes | None = Field(default=None, sa_type=LargeBinary)
    # Extra values for the template (test sends, journey data...).
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OutboxKey(SQLModel, table=True):
    """The key of every message queued (channels.claims): a key claimed once is never queued again.
    Its own table because the outbox, split by month on PostgreSQL, can only hold unique what
    includes the month, and a job run again after midnight on a month's last day would not share it.
    `claim` says which statement claimed the key (what it then writes to the outbox)."""

    __tablename__ = "outbox_keys"

    idempotency_key: str = Field(primary_key=True, max_length=200)
    claim: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class OutboxSentDaily(SQLModel, table=True):
    """The messages sent (or captured) on one UTC day, per channel, journey, campaign and email:
    how many, the first and the last. Added to in the transaction that records them as sent
    (store.record), recounted from the outbox by `parcours rebuild-rollups`; the marketing plan
    reads a year of it instead of the outbox's millions of rows. 0 stands for "none" (no
    journey, campaign or email): a key column holds no NULL, so that the upsert finds its row."""

    __tablename__ = "outbox_sent_daily"
    __table_args__ = (
        Index("ix_outbox_sent_daily_journey", "journey_id", "day"),
        Index("ix_outbox_sent_daily_campaign", "campaign_id", "day"),
    )

    day: date = Field(primary_key=True)
    channel: str = Field(primary_key=True, max_length=16)
    journey_id: int = Field(default=0, primary_key=True)
    campaign_id: int = Field(default=0, primary_key=True)
    email_id: int = Field(default=0, primary_key=True)
    sent: int = 0
    first_sent_at: datetime = Field(sa_type=UTCDateTime)
    last_sent_at: datetime = Field(sa_type=UTCDateTime)


class Suppression(SQLModel, table=True):
    """Addresses never to send marketing to again (hard bounces, complaints), even if re-imported."""

    __tablename__ = "suppressions"

    email: str = Field(primary_key=True, max_length=320)
    reason: str = Field(max_length=32)  # bounced | complained | unsubscribed
    detail: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
