"""the asset library: an image's title, alternative text, width and height

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(
            sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("alt", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("height", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("height")
        batch.drop_column("width")
        batch.drop_column("alt")
        batch.drop_column("title")
