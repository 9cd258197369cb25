"""outbox: on PostgreSQL, a table partitioned by month of created_at; the keys that make a message
unique in a table of their own (outbox_keys)

Revision ID: 0045
Revises: 0044

A unique index of a partitioned table must hold its partition's column, so the outbox can no longer
say on its own that a key was queued: every key queued so far is copied into outbox_keys, and the
outbox's unique constraint becomes a plain index (both databases, so that they stay alike).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db
from parcours.channels.models import OUTBOX
from parcours.clock import utcnow
from parcours.partitions import lock_for_swap, partition_by_month, unpartition

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

# SQLite's unique constraint from 0001 has no name: batch mode finds it by this convention.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Before anything touches the outbox: its keys are then copied whole, and the swap below
        # asks for no lock while holding one (see lock_for_swap).
        lock_for_swap(op.get_bind(), OUTBOX)
    op.create_table(
        "outbox_keys",
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", parcours.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key"),
    )
    op.create_index("ix_outbox_keys_created_at", "outbox_keys", ["created_at"])
    op.execute(
        "INSERT INTO outbox_keys (idempotency_key, claim, created_at) SELECT idempotency_key, '', created_at FROM outbox"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("outbox_idempotency_key_key", "outbox", type_="unique")
        op.create_index("ix_outbox_idempotency_key", "outbox", ["idempotency_key"])
        partition_by_month(op.get_bind(), OUTBOX, utcnow().date())
    else:
        with op.batch_alter_table("outbox", naming_convention=_NAMING) as batch:
            batch.drop_constraint("uq_outbox_idempotency_key", type_="unique")
            batch.create_index("ix_outbox_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        unpartition(op.get_bind(), OUTBOX)
        op.drop_index("ix_outbox_idempotency_key", table_name="outbox")
        op.create_unique_constraint("outbox_idempotency_key_key", "outbox", ["idempotency_key"])
    else:
        with op.batch_alter_table("outbox", naming_convention=_NAMING) as batch:
            batch.drop_index("ix_outbox_idempotency_key")
            batch.create_unique_constraint("uq_outbox_idempotency_key", ["idempotency_key"])
    op.drop_index("ix_outbox_keys_created_at", table_name="outbox_keys")
    op.drop_table("outbox_keys")
