"""behavioural (computed) fields, with a few defaults

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# Shipped definitions: the worker's sweeper backfills them (backfilled_at is NULL) once it runs.
DEFAULTS = [
    ("emails_opened_90d", "Emails opened (90 days)", "count", "email_opened", None, 90),
    ("last_purchase_amount", "Last purchase amount", "last", "purchase", "amount", None),
    ("events_attended", "Events attended", "count", "event_attended", None, None),
]


def upgrade() -> None:
    table = op.create_table(
        "computed_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("aggregate", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("interaction_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("property", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("filter", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("backfill_job_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("backfilled_at", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rolled_until", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    assert table is not None
    now = datetime.now(UTC)
    op.bulk_insert(
        table,
        [
            {
                "name": name,
                "label": label,
                "aggregate": aggregate,
                "interaction_type": kind,
                "property": prop,
                "filter": None,
                "window_days": window,
                "origin": "screen",
                "created_at": now,
                "updated_at": now,
            }
            for name, label, aggregate, kind, prop, window in DEFAULTS
        ],
    )


def downgrade() -> None:
    op.drop_table("computed_fields")
