"""templates have a language; a shipped key is unique per kind and language

Every shipped template exists in English and in French under the same key: the key names a
template among those of its kind and language. Templates made before were English.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("templates") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=False, server_default="en"))
        batch.drop_constraint("uq_templates_kind_key", type_="unique")
        batch.create_unique_constraint("uq_templates_kind_key_language", ["kind", "key", "language"])


def downgrade() -> None:
    with op.batch_alter_table("templates") as batch:
        batch.drop_constraint("uq_templates_kind_key_language", type_="unique")
        batch.create_unique_constraint("uq_templates_kind_key", ["kind", "key"])
        batch.drop_column("language")
