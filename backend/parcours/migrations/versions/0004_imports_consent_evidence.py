"""consent history keeps the evidence an import brings

A consent given outside Parcours (a trade fair form, a partner's list) arrives with an import: the
history line says where it was obtained, when, and which import brought it.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        batch.add_column(sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("obtained_at", parcours.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("import_job_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("import_filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        for column in ("import_filename", "import_job_id", "obtained_at", "source"):
            batch.drop_column(column)
