"""The messages sent per day (outbox_sent_daily, which the marketing plan reads), filled from the
outbox; the outbox's index for journey reach (ix_outbox_journey_reach)

Revision ID: 0039
Revises: 0038

The fill is written out here (not imported from channels.sent_daily) so that it stays what it
was when this revision was made; later messages are counted as they are recorded sent.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

_DAY = {
    "postgresql": "CAST(timezone('UTC', sent_at) AS DATE)",
    "sqlite": "date(sent_at)",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "outbox_sent_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("first_sent_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "journey_id", "campaign_id", "email_id"),
    )
    op.create_index("ix_outbox_sent_daily_journey", "outbox_sent_daily", ["journey_id", "day"])
    op.create_index("ix_outbox_sent_daily_campaign", "outbox_sent_daily", ["campaign_id", "day"])
    day = _DAY[dialect]
    op.execute(
        "INSERT INTO outbox_sent_daily"
        " (day, channel, journey_id, campaign_id, email_id, sent, first_sent_at, last_sent_at)"
        f" SELECT {day}, channel, COALESCE(journey_id, 0), COALESCE(campaign_id, 0), COALESCE(email_id, 0),"
        " COUNT(*), MIN(sent_at), MAX(sent_at) FROM outbox"
        " WHERE status IN ('sent', 'captured') AND sent_at IS NOT NULL"
        f" GROUP BY {day}, channel, COALESCE(journey_id, 0), COALESCE(campaign_id, 0), COALESCE(email_id, 0)"
    )
    op.create_index(
        "ix_outbox_journey_reach",
        "outbox",
        ["journey_id", "contact_id", "email_id"],
        postgresql_include=["channel", "status", "sent_at", "bounced_at", "opened_at", "clicked_at", "unsubscribed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_journey_reach", table_name="outbox")
    op.drop_index("ix_outbox_sent_daily_campaign", table_name="outbox_sent_daily")
    op.drop_index("ix_outbox_sent_daily_journey", table_name="outbox_sent_daily")
    op.drop_table("outbox_sent_daily")
