"""The Home overview's snapshot: the whole base's daily counts of the closed days; opportunities
by creation and won revenue by close date

Revision ID: 0037
Revises: 0036
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import parcours.db

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_overview_snapshot",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("computed_at", parcours.db.UTCDateTime(), nullable=False),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("daily", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_opportunities_created", "opportunities", ["created_at"])
    op.create_index(
        "ix_opportunities_stage_close", "opportunities", ["stage", "close_date"], postgresql_include=["actual_revenue"]
    )


def downgrade() -> None:
    op.drop_index("ix_opportunities_stage_close", table_name="opportunities")
    op.drop_index("ix_opportunities_created", table_name="opportunities")
    op.drop_table("report_overview_snapshot")
