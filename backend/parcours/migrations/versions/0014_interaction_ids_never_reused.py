"""interactions: on SQLite, ids are never given again once the newest rows are erased

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# The stream reads interactions after a cursor (an id). Without AUTOINCREMENT, SQLite gives the
# next interaction max(id) + 1: erasing the contact whose interactions were the newest would hand
# their ids out again, below the cursor, and the stream would never see the new interactions.
# PostgreSQL's sequences never go back.
def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("interactions", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("interactions", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
        pass
