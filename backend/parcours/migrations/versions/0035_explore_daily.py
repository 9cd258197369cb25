"""Daily counts of interactions by type, which answer explorations; filled from the interactions
the stream has already handed on (the stream adds the others as it goes)

Revision ID: 0035
Revises: 0034
"""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "explore_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("value_sum", sa.Float(), nullable=False),
        sa.Column("value_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "type"),
    )
    bind = op.get_bind()
    cursor = bind.execute(sa.text("SELECT position, gaps FROM stream_cursors WHERE name = 'contact_stats'")).first()
    if cursor is None:
        return
    gaps = cursor[1] if isinstance(cursor[1], dict) else json.loads(cursor[1] or "{}")
    skipped = f" AND id NOT IN ({', '.join(str(int(k)) for k in gaps)})" if gaps else ""
    day = "(occurred_at AT TIME ZONE 'UTC')::date" if bind.dialect.name == "postgresql" else "date(occurred_at)"
    bind.execute(
        sa.text(
            "INSERT INTO explore_daily (day, type, count, value_sum, value_count)"
            f" SELECT {day}, type, count(*), coalesce(sum(value), 0), count(value) FROM interactions"
            f" WHERE id <= :position{skipped} GROUP BY {day}, type"
        ),
        {"position": int(cursor[0])},
    )


def downgrade() -> None:
    op.drop_table("explore_daily")
