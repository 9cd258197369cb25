"""scoring: the models whose rules ignore case ((?i)) are scored again

Revision ID: 0046
Revises: 0045

Contacts scored set-wise on PostgreSQL (an import, a model's recompute) before 0046's release had
a leading (?i) dropped from their patterns: "CEO" missed the shipped demographic model's
"(?i)(chief|ceo|...)". Each active model with such a rule gets a recompute job, queued as the
product queues one (a row of the jobs table, the model pointing at it): the workers' job sweeper
starts it within a minute of their start. Nothing to undo going back.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import parcours.db
from parcours.clock import utcnow

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

REASON = "Scored again: rules that ignore case"

_jobs = sa.table(
    "jobs",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("task", sa.String),
    sa.column("status", sa.String),
    sa.column("progress", sa.Float),
    sa.column("message", sa.String),
    sa.column("params", sa.JSON),
    sa.column("created_by", sa.String),
    sa.column("created_at", parcours.db.UTCDateTime),
)
_models = sa.table("scoring_models", sa.column("id", sa.Integer), sa.column("recompute_job_id", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    models = bind.execute(sa.text("SELECT id, CAST(rules AS TEXT) FROM scoring_models WHERE active")).all()
    for model_id, rules in models:
        if "(?i)" not in (rules or ""):
            continue
        job_id = uuid.uuid4().hex
        bind.execute(
            _jobs.insert().values(
                id=job_id,
                kind="scoring_recompute",
                task="recompute_scores",
                status="queued",
                progress=0.0,
                message="",
                params={"model_id": model_id, "reason": REASON},
                created_by="Parcours",
                created_at=utcnow(),
            )
        )
        bind.execute(_models.update().where(_models.c.id == model_id).values(recompute_job_id=job_id))


def downgrade() -> None:
    pass
