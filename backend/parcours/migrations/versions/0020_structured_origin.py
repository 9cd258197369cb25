"""Structured lead origin: the journey and campaign of a contact's origin, and each opportunity's
origin copied from its lead

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import parcours.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_origin_journey_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lead_origin_campaign_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lead_at", parcours.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_lead_at"), ["lead_at"], unique=False)
    # Leads already there became leads when they were created, as far as anyone knows.
    op.execute("UPDATE contacts SET lead_at = created_at WHERE lead_origin IS NOT NULL")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("origin_journey_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_campaign_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_form_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_page_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_opportunities_origin_kind", ["origin_kind"], unique=False)
    # Opportunities already there take their lead's origin (the lead contact, else their contact).
    op.execute(
        """
        UPDATE opportunities SET
          origin_kind = (SELECT c.lead_origin FROM contacts c
                         WHERE c.id = COALESCE(opportunities.lead_contact_id, opportunities.contact_id)),
          origin_form_id = (SELECT c.lead_origin_form_id FROM contacts c
                            WHERE c.id = COALESCE(opportunities.lead_contact_id, opportunities.contact_id)),
          origin_page_id = (SELECT c.lead_origin_page_id FROM contacts c
                            WHERE c.id = COALESCE(opportunities.lead_contact_id, opportunities.contact_id))
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_origin_kind")
        for name in ("origin_page_id", "origin_form_id", "origin_campaign_id", "origin_journey_id", "origin_kind"):
            batch_op.drop_column(name)
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_lead_at"))
        batch_op.drop_column("lead_at")
        batch_op.drop_column("lead_origin_campaign_id")
        batch_op.drop_column("lead_origin_journey_id")
