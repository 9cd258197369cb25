"""Daily rollups of the reports; an email's first human open and click on its outbox row

Revision ID: 0021
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0021"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "subject", "subject_id", "metric"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("human_opened_at", parcours.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("human_clicked_at", parcours.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_email", "outbox", ["email_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_email", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("human_clicked_at")
        batch.drop_column("human_opened_at")
    op.drop_table("report_daily")
