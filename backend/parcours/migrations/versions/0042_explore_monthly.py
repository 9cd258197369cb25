"""Distinct contacts by month and type, which answer explorations: each contact's months of each
type of interaction, and their counts, filled from the interactions the stream has already handed
on (the stream adds the others as it goes)

Revision ID: 0042
Revises: 0041
"""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "explore_monthly_contacts",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", "month", "type"),
    )
    op.create_table(
        "explore_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("contacts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "type"),
    )
    bind = op.get_bind()
    cursor = bind.execute(sa.text("SELECT position, gaps FROM stream_cursors WHERE name = 'contact_stats'")).first()
    if cursor is None:
        return
    gaps = cursor[1] if isinstance(cursor[1], dict) else json.loads(cursor[1] or "{}")
    skipped = f" AND id NOT IN ({', '.join(str(int(k)) for k in gaps)})" if gaps else ""
    month = (
        "date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date"
        if bind.dialect.name == "postgresql"
        else "date(occurred_at, 'start of month')"
    )
    bind.execute(
        sa.text(
            "INSERT INTO explore_monthly_contacts (contact_id, month, type)"
            f" SELECT DISTINCT contact_id, {month}, type FROM interactions WHERE id <= :position{skipped}"
        ),
        {"position": int(cursor[0])},
    )
    bind.execute(
        sa.text(
            "INSERT INTO explore_monthly (month, type, contacts)"
            " SELECT month, type, count(*) FROM explore_monthly_contacts GROUP BY month, type"
        )
    )


def downgrade() -> None:
    op.drop_table("explore_monthly")
    op.drop_table("explore_monthly_contacts")
