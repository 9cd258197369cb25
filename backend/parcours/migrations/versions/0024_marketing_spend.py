"""Marketing spend per month and channel

Revision ID: 0024
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0024"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_marketing_spend_month", "marketing_spend", ["month", "channel"])


def downgrade() -> None:
    op.drop_index("ix_marketing_spend_month", table_name="marketing_spend")
    op.drop_table("marketing_spend")
