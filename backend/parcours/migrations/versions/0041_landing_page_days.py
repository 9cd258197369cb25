"""A landing page's views counted per day and its visitors by last day (landing_page_days,
landing_page_visitors) instead of a row per view (landing_page_visits)

Revision ID: 0041
Revises: 0040

The views recorded so far are counted into the new tables, then their table is dropped. Going
back keeps one view per visitor (its last day): the views themselves are gone.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "landing_page_visitors",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("visitor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["landing_pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", "visitor"),
    )
    op.create_index("ix_landing_page_visitors_last_day", "landing_page_visitors", ["page_id", "last_day", "variant"])
    op.create_table(
        "landing_page_days",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["landing_pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", "day", "variant"),
    )
    # Each visitor's last view gives its last day and the variant it was last shown.
    op.execute(
        "INSERT INTO landing_page_visitors (page_id, visitor, variant, last_day)"
        " SELECT page_id, visitor, variant, day FROM ("
        "  SELECT page_id, visitor, variant, day,"
        "   row_number() OVER (PARTITION BY page_id, visitor ORDER BY visited_at DESC, id DESC) AS latest"
        "  FROM landing_page_visits) AS views WHERE latest = 1"
    )
    op.execute(
        "INSERT INTO landing_page_days (page_id, day, variant, visits, visitors)"
        " SELECT page_id, day, variant, count(*), count(DISTINCT visitor) FROM landing_page_visits"
        " GROUP BY page_id, day, variant"
    )
    op.drop_index("ix_landing_page_visits_page_day", table_name="landing_page_visits")
    op.drop_table("landing_page_visits")


def downgrade() -> None:
    op.create_table(
        "landing_page_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("variant", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("visitor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visited_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["landing_pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_landing_page_visits_page_day", "landing_page_visits", ["page_id", "day"])
    op.execute(
        "INSERT INTO landing_page_visits (page_id, variant, visitor, day, visited_at)"
        " SELECT page_id, variant, visitor, last_day, CURRENT_TIMESTAMP FROM landing_page_visitors"
    )
    op.drop_table("landing_page_days")
    op.drop_index("ix_landing_page_visitors_last_day", table_name="landing_page_visitors")
    op.drop_table("landing_page_visitors")
