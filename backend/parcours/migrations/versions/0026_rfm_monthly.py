"""Each customer's RFM group per month, for the moves between groups

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rfm_monthly",
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rfm_segment", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.PrimaryKeyConstraint("month", "contact_id"),
    )


def downgrade() -> None:
    op.drop_table("rfm_monthly")
