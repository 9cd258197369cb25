"""website visitors: anonymous profiles, their page views until identified, segments shared with
the website

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import parcours.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visitors",
        sa.Column("anonymous_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("identified_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("identified_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("anonymous_id"),
    )
    op.create_index("ix_visitors_contact_seen", "visitors", ["contact_id", "last_seen_at"], unique=False)
    op.create_table(
        "visitor_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("anonymous_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("occurred_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "properties", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visitor_events_visitor_time", "visitor_events", ["anonymous_id", "occurred_at"], unique=False)
    op.create_table(
        "website_segments",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(["segment_id"], ["segments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("segment_id"),
    )


def downgrade() -> None:
    op.drop_table("website_segments")
    op.drop_index("ix_visitor_events_visitor_time", table_name="visitor_events")
    op.drop_table("visitor_events")
    op.drop_index("ix_visitors_contact_seen", table_name="visitors")
    op.drop_table("visitors")
