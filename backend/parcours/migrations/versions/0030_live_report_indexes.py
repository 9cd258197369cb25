"""Indexes for the reports that read live tables at a million contacts: contacts by creation,
the leads by when they became leads (with what lead generation groups them by),
journey entries by day and per journey, failed journey steps, form submissions by day, a
journey's sends by time, and the daily rollups by subject and day

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The columns lead generation groups by, kept in the leads' index (as in contacts/models.py then).
LEAD_COLUMNS = (
    "id",
    "lead_origin",
    "lead_origin_form_id",
    "lead_origin_page_id",
    "lead_origin_journey_id",
    "lead_origin_campaign_id",
    "lifecycle_stage",
    "source",
)

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contacts_created_at", "contacts", ["created_at"])
    op.drop_index("ix_contacts_lead_at", table_name="contacts")
    op.create_index(
        "ix_contacts_leads",
        "contacts",
        ["lead_at"],
        postgresql_include=[*LEAD_COLUMNS],
        postgresql_where=sa.text("lead_at IS NOT NULL"),
        sqlite_where=sa.text("lead_at IS NOT NULL"),
    )
    op.create_index("ix_journey_runs_entered", "journey_runs", ["entered_at"])
    op.create_index(
        "ix_journey_runs_journey_entered",
        "journey_runs",
        ["journey_id", "entered_at", "contact_id"],
        postgresql_include=["converted_at"],
    )
    op.create_index("ix_journey_steps_outcome_at", "journey_steps", ["outcome", "at"])
    op.create_index("ix_form_submissions_created", "form_submissions", ["created_at"])
    op.create_index(
        "ix_outbox_journey_sent",
        "outbox",
        ["journey_id", "sent_at"],
        postgresql_include=["email_id", "status", "channel"],
    )
    op.drop_index("ix_outbox_journey", table_name="outbox")
    op.create_index("ix_outbox_journey", "outbox", ["journey_id", "node_id", "email_id"])
    op.create_index(
        "ix_report_daily_subject_day",
        "report_daily",
        ["subject", "day", "subject_id", "metric"],
        postgresql_include=["value"],
    )


def downgrade() -> None:
    op.drop_index("ix_report_daily_subject_day", table_name="report_daily")
    op.drop_index("ix_outbox_journey", table_name="outbox")
    op.create_index("ix_outbox_journey", "outbox", ["journey_id", "node_id"])
    op.drop_index("ix_outbox_journey_sent", table_name="outbox")
    op.drop_index("ix_form_submissions_created", table_name="form_submissions")
    op.drop_index("ix_journey_steps_outcome_at", table_name="journey_steps")
    op.drop_index("ix_journey_runs_journey_entered", table_name="journey_runs")
    op.drop_index("ix_journey_runs_entered", table_name="journey_runs")
    op.drop_index("ix_contacts_leads", table_name="contacts")
    op.create_index("ix_contacts_lead_at", "contacts", ["lead_at"])
    op.drop_index("ix_contacts_created_at", table_name="contacts")
