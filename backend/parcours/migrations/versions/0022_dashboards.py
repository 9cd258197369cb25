"""Tiles pinned onto each person's Home

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_tiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("report", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("view", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dashboard_tiles_owner", "dashboard_tiles", ["owner", "position"])


def downgrade() -> None:
    op.drop_index("ix_dashboard_tiles_owner", table_name="dashboard_tiles")
    op.drop_table("dashboard_tiles")
