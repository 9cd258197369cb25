"""forms: definitions, published versions, submissions, daily views; inbound origin and consent
evidence from forms

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("published_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "form_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("published_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_id", "version"),
    )
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("new_contact", sa.Boolean(), nullable=False),
        sa.Column("spam_reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_form_submissions_form_status", "form_submissions", ["form_id", "status"])
    op.create_index("ix_form_submissions_form_created", "form_submissions", ["form_id", "created_at"])
    op.create_index("ix_form_submissions_contact_id", "form_submissions", ["contact_id"])
    op.create_table(
        "form_days",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("form_id", "day"),
    )
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("lead_origin_form_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lead_origin_page_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("consent_events") as batch:
        batch.add_column(sa.Column("wording", sa.Text(), nullable=True))
        batch.add_column(sa.Column("wording_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch.add_column(sa.Column("form_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("ip", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        for column in ("ip", "form_id", "wording_version", "wording"):
            batch.drop_column(column)
    with op.batch_alter_table("contacts") as batch:
        for column in ("lead_origin_page_id", "lead_origin_form_id"):
            batch.drop_column(column)
    op.drop_table("form_days")
    op.drop_table("form_submissions")
    op.drop_table("form_versions")
    op.drop_table("forms")
