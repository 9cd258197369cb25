"""RFM scores of customers, and the record of each recompute

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_rfm",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rfm_recency", sa.Integer(), nullable=False),
        sa.Column("rfm_frequency", sa.Integer(), nullable=False),
        sa.Column("rfm_monetary", sa.Integer(), nullable=False),
        sa.Column("rfm_score", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("rfm_segment", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_table(
        "rfm_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("computed_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("ranges", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rfm_runs_computed_at", "rfm_runs", ["computed_at"])


def downgrade() -> None:
    op.drop_index("ix_rfm_runs_computed_at", table_name="rfm_runs")
    op.drop_table("rfm_runs")
    op.drop_table("contact_rfm")
