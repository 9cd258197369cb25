"""accounts: a website, and domains normalized and indexed for imports to match on

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
    accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("domain", sa.String))
    bind = op.get_bind()
    # Domains typed before they were normalized ("https://www.Acme.fr/") become what imports match
    # (the rule of contacts.normalize.normalize_domain as of this revision).
    rows = bind.execute(sa.select(accounts.c.id, accounts.c.domain).where(accounts.c.domain.isnot(None)))
    for account_id, domain in rows.all():
        clean = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain.strip().lower())
        clean = re.split(r"[/?#:]", clean, maxsplit=1)[0].rstrip(".").removeprefix("www.") or None
        if clean != domain:
            bind.execute(sa.update(accounts).where(accounts.c.id == account_id).values(domain=clean))
    op.create_index(op.f("ix_accounts_domain"), "accounts", ["domain"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_accounts_domain"), table_name="accounts")
    op.drop_column("accounts", "website")
