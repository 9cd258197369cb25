"""behavioural fields' values in their own narrow table, moved out of contacts.scores

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_computed",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("flag", sa.Boolean(), nullable=True),
        sa.Column("moment", parcours.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", "contact_id"),
    )
    op.create_index("ix_contact_computed_contact", "contact_computed", ["contact_id"])
    bind = op.get_bind()
    names = [row[0] for row in bind.execute(sa.text("SELECT name FROM computed_fields"))]
    if not names:
        return
    if bind.dialect.name == "postgresql":
        # One pass over the contacts for every field (a pass per field took half a minute each at
        # 1,000,000 contacts). Names are checked ([a-z][a-z0-9_]*): safe to write into the statement.
        keys = "ARRAY[" + ", ".join(f"'computed_{name}'" for name in names) + "]::text[]"
        kind = "jsonb_typeof(e.value)"
        op.execute(
            "INSERT INTO contact_computed (name, contact_id, number, flag, moment) "
            f"SELECT substr(e.key, 10), c.id, "
            f"CASE WHEN {kind} = 'number' THEN (e.value #>> '{{}}')::float END, "
            f"CASE WHEN {kind} = 'boolean' THEN (e.value #>> '{{}}')::boolean END, "
            f"CASE WHEN {kind} = 'string' THEN (e.value #>> '{{}}')::timestamptz END "
            f"FROM contacts c CROSS JOIN LATERAL jsonb_each(c.scores) e "
            f"WHERE c.scores ?| {keys} AND e.key = ANY({keys})"
        )
        op.execute(f"UPDATE contacts SET scores = scores - {keys} WHERE scores ?| {keys}")
        return
    for name in names:
        key = f"computed_{name}"
        value, kind = f"json_extract(scores, '$.{key}')", f"json_type(scores, '$.{key}')"
        number = f"CASE WHEN {kind} IN ('integer', 'real') THEN {value} END"
        flag = f"CASE {kind} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END"
        # SQLite's set-wise writes stored moments as its timestamps' text: kept as it is.
        moment = f"CASE WHEN {kind} = 'text' THEN {value} END"
        holding = f"{kind} IS NOT NULL"
        op.execute(
            f"INSERT INTO contact_computed (name, contact_id, number, flag, moment) "
            f"SELECT '{name}', id, {number}, {flag}, {moment} FROM contacts WHERE {holding}"
        )
        op.execute(f"UPDATE contacts SET scores = json_remove(scores, '$.{key}') WHERE {holding}")


def downgrade() -> None:
    op.drop_index("ix_contact_computed_contact", table_name="contact_computed")
    op.drop_table("contact_computed")
    # The values are computed again (into contacts.scores) by the sweeper's backfills.
    op.execute("UPDATE computed_fields SET backfilled_at = NULL, backfill_job_id = NULL, rolled_until = NULL")
