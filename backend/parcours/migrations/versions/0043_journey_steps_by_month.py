"""journey_steps: on PostgreSQL, a table partitioned by month of at

Revision ID: 0043
Revises: 0042
"""

from __future__ import annotations

from alembic import op

from parcours.clock import utcnow
from parcours.journeys.models import JOURNEY_STEPS
from parcours.partitions import partition_by_month, unpartition

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        partition_by_month(op.get_bind(), JOURNEY_STEPS, utcnow().date())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        unpartition(op.get_bind(), JOURNEY_STEPS)
