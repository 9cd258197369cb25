"""The audience report's snapshot of the whole base; each customer's last purchase and revenue
kept with its RFM scores (the RFM report reads them instead of the purchases)

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import parcours.db

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_audience_snapshot",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("computed_at", parcours.db.UTCDateTime(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact_rfm") as batch:
        batch.add_column(sa.Column("last_purchase_at", parcours.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("period_revenue", sa.Float(), server_default="0", nullable=False))
        batch.add_column(sa.Column("lifetime_revenue", sa.Float(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("contact_rfm") as batch:
        batch.drop_column("lifetime_revenue")
        batch.drop_column("period_revenue")
        batch.drop_column("last_purchase_at")
    op.drop_table("report_audience_snapshot")
