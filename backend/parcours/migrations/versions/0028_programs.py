"""The relationship plan: programs, their journeys, campaigns and events, and journeys' briefs

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("objective", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("kpi", sa.JSON(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("template_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "program_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("added_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "item_id", name="uq_program_items_item"),
    )
    op.create_index("ix_program_items_program_id", "program_items", ["program_id"])
    op.create_table(
        "journey_briefs",
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("goal", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("data_needed", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=True),
        sa.Column("kpi", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("updated_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("journey_id"),
    )


def downgrade() -> None:
    op.drop_table("journey_briefs")
    op.drop_index("ix_program_items_program_id", table_name="program_items")
    op.drop_table("program_items")
    op.drop_table("programs")
