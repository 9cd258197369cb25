"""Saved questions of free exploration

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "explorations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("question", sa.JSON(), nullable=False),
        sa.Column("chart", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("owner_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_explorations_owner", "explorations", ["owner_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_explorations_owner", table_name="explorations")
    op.drop_table("explorations")
