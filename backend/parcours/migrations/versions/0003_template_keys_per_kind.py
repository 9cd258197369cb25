"""template keys are unique per kind

A shipped email template and a shipped journey template may share a key ("re-engagement"):
the key names a template among those of its kind.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# SQLite's constraint from 0001 has no name: batch mode reflects it under this convention.
NAMING = {"uq": "%(table_name)s_%(column_0_name)s_key"}


def upgrade() -> None:
    with op.batch_alter_table("templates", naming_convention=NAMING) as batch:
        batch.drop_constraint("templates_key_key", type_="unique")
        batch.create_unique_constraint("uq_templates_kind_key", ["kind", "key"])


def downgrade() -> None:
    with op.batch_alter_table("templates", naming_convention=NAMING) as batch:
        batch.drop_constraint("uq_templates_kind_key", type_="unique")
        batch.create_unique_constraint("templates_key_key", ["key"])
