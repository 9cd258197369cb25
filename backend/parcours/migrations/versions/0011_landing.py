"""landing pages, their versions and their visits

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _content() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("design", sa.JSON(), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("css", sa.Text(), nullable=False),
        sa.Column("seo_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("seo_description", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("social_image", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "landing_pages",
        *_content(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "landing_page_versions",
        *_content(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("saved_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("saved_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["landing_pages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("page_id", "version"),
    )
    op.create_index("ix_landing_page_versions_page_id", "landing_page_versions", ["page_id"])
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


def downgrade() -> None:
    op.drop_index("ix_landing_page_visits_page_day", table_name="landing_page_visits")
    op.drop_table("landing_page_visits")
    op.drop_index("ix_landing_page_versions_page_id", table_name="landing_page_versions")
    op.drop_table("landing_page_versions")
    op.drop_table("landing_pages")
