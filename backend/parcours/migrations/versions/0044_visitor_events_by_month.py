"""visitor_events: on PostgreSQL, a table partitioned by month of occurred_at

Revision ID: 0044
Revises: 0043
"""

from __future__ import annotations

from alembic import op

from parcours.clock import utcnow
from parcours.partitions import partition_by_month, unpartition
from parcours.visitors.models import VISITOR_EVENTS

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        partition_by_month(op.get_bind(), VISITOR_EVENTS, utcnow().date())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        unpartition(op.get_bind(), VISITOR_EVENTS)
