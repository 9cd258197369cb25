"""Cohorts by creation kept like those by first purchase: each customer's creation month on
customer_firsts, and created_cohort_months (revenue by creation month and month) filled from the
purchase lines already there

Revision ID: 0038
Revises: 0037

Written out here (not imported from reports.purchases) so that it stays what it was when this
revision was made; later purchases come from the interaction stream.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

_MONTH = {
    "postgresql": "CAST(date_part('year', timezone('UTC', created_at)) * 12"
    " + date_part('month', timezone('UTC', created_at)) - 1 AS INTEGER)",
    "sqlite": "CAST(strftime('%Y', created_at) AS INTEGER) * 12 + CAST(strftime('%m', created_at) AS INTEGER) - 1",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("customer_firsts", sa.Column("created_month", sa.Integer(), nullable=True))
    op.execute(
        f"UPDATE customer_firsts SET created_month = (SELECT {_MONTH[dialect]} FROM contacts"
        " WHERE contacts.id = customer_firsts.contact_id)"
    )
    with op.batch_alter_table("customer_firsts") as batch:
        batch.alter_column("created_month", existing_type=sa.Integer(), nullable=False)
    op.create_table(
        "created_cohort_months",
        sa.Column("cohort", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revenue", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("cohort", "month"),
    )
    op.execute(
        "INSERT INTO created_cohort_months (cohort, month, revenue)"
        " SELECT f.created_month, l.month, SUM(l.amount)"
        " FROM customer_firsts AS f JOIN purchase_lines AS l ON l.contact_id = f.contact_id"
        " GROUP BY f.created_month, l.month"
    )


def downgrade() -> None:
    op.drop_table("created_cohort_months")
    with op.batch_alter_table("customer_firsts") as batch:
        batch.drop_column("created_month")
