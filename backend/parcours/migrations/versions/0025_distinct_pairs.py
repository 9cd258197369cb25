"""Pairs of contacts found to be different people, never proposed again as duplicates

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_distinct_pairs",
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("marked_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("marked_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["low_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["high_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("low_id", "high_id"),
    )
    op.create_index("ix_contact_distinct_pairs_high_id", "contact_distinct_pairs", ["high_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_distinct_pairs_high_id", table_name="contact_distinct_pairs")
    op.drop_table("contact_distinct_pairs")
