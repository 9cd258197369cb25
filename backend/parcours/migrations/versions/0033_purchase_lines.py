"""Purchase lines, customers' firsts and first-purchase cohorts by month (the cohort and product
reports), filled from the purchase interactions already stored

Revision ID: 0033
Revises: 0032

The backfill is written out here (not imported from reports.purchases) so that it stays what it
was when this revision was made; later purchases come from the interaction stream.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

_MONTH = {
    "postgresql": "CAST(date_part('year', timezone('UTC', occurred_at)) * 12"
    " + date_part('month', timezone('UTC', occurred_at)) - 1 AS INTEGER)",
    "sqlite": "CAST(strftime('%Y', occurred_at) AS INTEGER) * 12 + CAST(strftime('%m', occurred_at) AS INTEGER) - 1",
}
_TEXT = {
    "postgresql": "CAST(properties ->> '{key}' AS VARCHAR)",
    "sqlite": "CAST(JSON_EXTRACT(properties, '$.\"{key}\"') AS VARCHAR)",
}
_QUANTITY = {
    "postgresql": "CASE WHEN jsonb_typeof(properties -> 'quantity') = 'number'"
    " THEN CAST(properties ->> 'quantity' AS FLOAT) ELSE 0.0 END",
    "sqlite": "CASE WHEN json_type(properties, '$.quantity') IN ('integer', 'real')"
    " THEN CAST(JSON_EXTRACT(properties, '$.\"quantity\"') AS FLOAT) ELSE 0.0 END",
}


def upgrade() -> None:
    op.create_table(
        "purchase_lines",
        sa.Column("interaction_id", parcours.db.BigId, autoincrement=False, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("product", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("order_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interaction_id"),
    )
    op.create_table(
        "customer_firsts",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_at", parcours.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("first_product", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("first_category", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("first_revenue", sa.Float(), nullable=False),
        sa.Column("revenue", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    op.create_table(
        "cohort_months",
        sa.Column("cohort", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revenue", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("cohort", "month"),
    )
    dialect = op.get_bind().dialect.name
    text = _TEXT[dialect]
    op.execute(
        "INSERT INTO purchase_lines"
        " (interaction_id, contact_id, occurred_at, month, product, category, amount, quantity, order_key)"
        f" SELECT id, contact_id, occurred_at, {_MONTH[dialect]}, {text.format(key='product')},"
        f" {text.format(key='category')}, COALESCE(value, 0.0), {_QUANTITY[dialect]},"
        f" COALESCE({text.format(key='order_id')}, CAST(id AS VARCHAR))"
        " FROM interactions WHERE type = 'purchase'"
    )
    # The first line of each customer (earliest moment, then lowest id) names the first product.
    op.execute(
        "INSERT INTO customer_firsts"
        " (contact_id, first_at, first_month, first_product, first_category, first_revenue, revenue)"
        " SELECT contact_id, occurred_at, month, product, category, at_first, revenue FROM ("
        "  SELECT contact_id, occurred_at, month, product, category,"
        "   SUM(amount) OVER (PARTITION BY contact_id, occurred_at) AS at_first,"
        "   SUM(amount) OVER (PARTITION BY contact_id) AS revenue,"
        "   ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY occurred_at, interaction_id) AS rank"
        "  FROM purchase_lines) AS ranked WHERE rank = 1"
    )
    op.execute(
        "INSERT INTO cohort_months (cohort, month, revenue)"
        " SELECT f.first_month, l.month, SUM(l.amount)"
        " FROM customer_firsts AS f JOIN purchase_lines AS l ON l.contact_id = f.contact_id"
        " GROUP BY f.first_month, l.month"
    )
    # Indexes after the backfill: built once rather than kept up row by row.
    op.create_index("ix_purchase_lines_contact_time", "purchase_lines", ["contact_id", "occurred_at"])
    op.create_index("ix_purchase_lines_time", "purchase_lines", ["occurred_at"])
    op.create_index("ix_customer_firsts_first_at", "customer_firsts", ["first_at"])


def downgrade() -> None:
    op.drop_table("cohort_months")
    op.drop_table("customer_firsts")
    op.drop_table("purchase_lines")
