"""What the products report counts by, on each purchase line: its UTC day, the markers that make
a buyer's, an order's and a repeat buyer's first line in any period countable in one pass (the day
of the buyer's line before of the same product or category, of the same order, of the last change
of order), the flag of orders two contacts share; set for the lines already there; the report's
range read from one covering index on the day instead of the index on the moment

Revision ID: 0040
Revises: 0039

Written out here (not imported from reports.purchases) so that it stays what it was when this
revision was made; later lines get theirs from the interaction stream.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

_DAY = {
    "postgresql": "(CAST(timezone('UTC', occurred_at) AS DATE) - DATE '1970-01-01')",
    "sqlite": "CAST(julianday(date(occurred_at)) - 2440587.5 AS INTEGER)",
}
_KEYS = ("product", "category")
_MARKERS = [
    f"{key}_{marker}" for key in _KEYS for marker in ("bought_before", "order_before", "change_day", "change_before")
]
_REPORTED = ["product", "category", "contact_id", "amount", "quantity", "order_shared", *_MARKERS]


def _backfill(dialect: str) -> str:
    """One UPDATE of every line: its day and its markers, from the lines of the same buyer."""
    in_time = "ORDER BY occurred_at, interaction_id"
    changes = []
    for key in _KEYS:
        bought = f"(PARTITION BY contact_id, {key} {in_time})"
        changes += [
            f"LAG(day) OVER {bought} AS {key}_bought_before",
            f"LAG(day) OVER (PARTITION BY contact_id, {key}, order_key {in_time}) AS {key}_order_before",
            f"CASE WHEN LAG(order_key) OVER {bought} <> order_key THEN LAG(day) OVER {bought} END AS {key}_change_day",
        ]
    later = []
    for key in _KEYS:
        later += [
            f"{key}_bought_before",
            f"{key}_order_before",
            f"{key}_change_day",
            (
                f"MAX({key}_change_day) OVER (PARTITION BY contact_id, {key} {in_time}"
                f" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS {key}_change_before"
            ),
        ]
    days = (
        f"SELECT interaction_id, contact_id, occurred_at, product, category, order_key, {_DAY[dialect]} AS day"
        " FROM purchase_lines"
    )
    return (
        "UPDATE purchase_lines SET day = m.day, "
        + ", ".join(f"{name} = m.{name}" for name in _MARKERS)
        + f" FROM (SELECT interaction_id, day, {', '.join(later)}"
        + f" FROM (SELECT interaction_id, contact_id, occurred_at, product, category, day, {', '.join(changes)}"
        + f" FROM ({days}) AS days) AS changes) AS m"
        " WHERE purchase_lines.interaction_id = m.interaction_id"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("purchase_lines", sa.Column("day", sa.Integer(), nullable=True))
    op.add_column("purchase_lines", sa.Column("order_shared", sa.Boolean(), server_default=sa.false(), nullable=False))
    for name in _MARKERS:
        op.add_column("purchase_lines", sa.Column(name, sa.Integer(), nullable=True))
    op.execute(_backfill(dialect))
    op.execute(
        "UPDATE purchase_lines SET order_shared = TRUE WHERE order_key IN"
        " (SELECT order_key FROM purchase_lines GROUP BY order_key HAVING COUNT(DISTINCT contact_id) > 1)"
    )
    with op.batch_alter_table("purchase_lines") as batch:
        batch.alter_column("day", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_purchase_lines_time", table_name="purchase_lines")
    op.create_index("ix_purchase_lines_order", "purchase_lines", ["order_key"])
    if dialect == "postgresql":
        op.create_index("ix_purchase_lines_day", "purchase_lines", ["day"], postgresql_include=_REPORTED)
    else:
        op.create_index("ix_purchase_lines_day", "purchase_lines", ["day", *_REPORTED])
    op.create_index(
        "ix_purchase_lines_shared_day",
        "purchase_lines",
        ["day", "order_key"],
        postgresql_where=sa.text("order_shared"),
        sqlite_where=sa.text("order_shared = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_purchase_lines_shared_day", table_name="purchase_lines")
    op.drop_index("ix_purchase_lines_day", table_name="purchase_lines")
    op.drop_index("ix_purchase_lines_order", table_name="purchase_lines")
    with op.batch_alter_table("purchase_lines") as batch:
        for name in ["day", "order_shared", *_MARKERS]:
            batch.drop_column(name)
    op.create_index("ix_purchase_lines_time", "purchase_lines", ["occurred_at"])
