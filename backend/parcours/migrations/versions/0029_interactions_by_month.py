"""interactions: on PostgreSQL, a table partitioned by month of occurred_at

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from alembic import op

from parcours.clock import utcnow
from parcours.interactions.models import INTERACTIONS
from parcours.partitions import partition_by_month, unpartition

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        partition_by_month(op.get_bind(), INTERACTIONS, utcnow().date())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        unpartition(op.get_bind(), INTERACTIONS)
