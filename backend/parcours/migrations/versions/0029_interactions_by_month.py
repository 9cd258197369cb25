"""interactions: on PostgreSQL, a table partitioned by month of occurred_at

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from datetime import date

from alembic import op
from sqlalchemy import text

from parcours.clock import utcnow
from parcours.interactions import partitions

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

OLD = "interactions_unpartitioned"
# Older moments than this many years before today stay in the default partition.
YEARS_OF_MONTHS = 5


def _secondary_indexes() -> list[tuple[str, str]]:
    rows = op.get_bind().execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'interactions' AND indexname <> 'interactions_pkey'"
        )
    )
    return [(name, definition) for name, definition in rows]


def _swap(create: str, primary_key: str) -> None:
    """Replace `interactions` by the table `create` makes, keeping rows, indexes and the id sequence."""
    bind = op.get_bind()
    indexes = _secondary_indexes()
    sequence = bind.execute(text("SELECT pg_get_serial_sequence('interactions', 'id')")).scalar()
    op.execute(f"ALTER TABLE interactions RENAME TO {OLD}")
    for name, _definition in indexes:
        op.execute(f'DROP INDEX "{name}"')
    op.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT interactions_pkey")
    if sequence:
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute(create)
    op.execute(f"ALTER TABLE interactions ADD CONSTRAINT interactions_pkey PRIMARY KEY ({primary_key})")
    op.execute(
        "ALTER TABLE interactions ADD CONSTRAINT interactions_contact_id_fkey FOREIGN KEY (contact_id) "
        "REFERENCES contacts (id) ON DELETE CASCADE"
    )
    _create_partitions()
    op.execute(f"INSERT INTO interactions SELECT * FROM {OLD}")
    for _name, definition in indexes:
        op.execute(definition)
    op.execute(f"DROP TABLE {OLD}")
    if sequence:
        op.execute(f"ALTER SEQUENCE {sequence} OWNED BY interactions.id")
    op.execute("ANALYZE interactions")


def _create_partitions() -> None:
    """The default partition and one per month of the rows kept (and the months ahead)."""
    connection = op.get_bind()
    if not partitions.is_partitioned(connection):
        return
    op.execute(f"CREATE TABLE {partitions.DEFAULT} PARTITION OF interactions DEFAULT")
    first, last = connection.execute(text(f"SELECT min(occurred_at), max(occurred_at) FROM {OLD}")).one()
    today = utcnow().date()
    earliest = date(today.year - YEARS_OF_MONTHS, today.month, 1)
    first = max(partitions.first_of_month(first), earliest) if first else today
    last = max(partitions.first_of_month(last), today) if last else today
    ahead = last
    for _ in range(partitions.MONTHS_AHEAD):
        ahead = partitions.next_month(ahead)
    partitions.create_months(connection, partitions.months_between(first, ahead))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _swap(
        f"CREATE TABLE interactions (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (occurred_at)",
        "id, occurred_at",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _swap(f"CREATE TABLE interactions (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", "id")
