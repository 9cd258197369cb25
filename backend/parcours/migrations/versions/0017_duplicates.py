"""one record per person: match keys on contacts, and the merges that happened

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db
from parcours.contacts.matching import email_key, person_key

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 10_000


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("email_key", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch.add_column(sa.Column("person_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    _fill_keys()
    op.create_index("ix_contacts_email_key", "contacts", ["email_key"])
    op.create_index("ix_contacts_phone", "contacts", ["phone"])
    op.create_index("ix_contacts_account_person", "contacts", ["account_id", "person_key"])
    op.create_table(
        "contact_merges",
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("other_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("other_email_key", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("merged_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("merged_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["survivor_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("other_id"),
    )
    op.create_index("ix_contact_merges_survivor_id", "contact_merges", ["survivor_id"])
    op.create_index("ix_contact_merges_other_email_key", "contact_merges", ["other_email_key"])


def _fill_keys() -> None:
    """The keys of the contacts already there, a batch at a time in id order."""
    bind = op.get_bind()
    contacts = sa.table(
        "contacts",
        sa.column("id", sa.Integer),
        sa.column("email", sa.String),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("email_key", sa.String),
        sa.column("person_key", sa.String),
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(contacts.c.id, contacts.c.email, contacts.c.first_name, contacts.c.last_name)
            .where(contacts.c.id > after)
            .order_by(contacts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            contacts.update().where(contacts.c.id == sa.bindparam("row_id")),
            [
                {"row_id": r.id, "email_key": email_key(r.email), "person_key": person_key(r.first_name, r.last_name)}
                for r in rows
            ],
        )
        after = rows[-1].id


def downgrade() -> None:
    op.drop_table("contact_merges")
    op.drop_index("ix_contacts_account_person", "contacts")
    op.drop_index("ix_contacts_phone", "contacts")
    op.drop_index("ix_contacts_email_key", "contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("person_key")
        batch.drop_column("email_key")
