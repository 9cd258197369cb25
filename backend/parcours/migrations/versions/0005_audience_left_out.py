"""audiences explained: who was left out and why

The journey keeps the audience seen at its publication, the contacts who were to enter a journey
and did not are kept with their reason, a campaign keeps who its send-time rules were to leave
out, and an outbox message not sent keeps its reason as a code.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("published_audience", sa.JSON(), nullable=True))
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("left_out", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("reason_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default="")
        )
    op.create_table(
        "journey_left_out",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journeys.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("journey_id", "contact_id", "reason"),
    )
    op.create_index("ix_journey_left_out_reason", "journey_left_out", ["journey_id", "reason"])


def downgrade() -> None:
    op.drop_index("ix_journey_left_out_reason", table_name="journey_left_out")
    op.drop_table("journey_left_out")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("reason_code")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("left_out")
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("published_audience")
