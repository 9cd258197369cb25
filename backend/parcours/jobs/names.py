"""The name of every job a worker runs on demand: what `enqueue` takes, checked against the
worker's function list (tests/unit/test_job_names.py)."""

from __future__ import annotations

from enum import StrEnum


class JobName(StrEnum):
    IMPORT_CONTACTS = "import_contacts"
    PROCESS_INTERACTIONS = "process_interactions"
    REFRESH_SEGMENT = "refresh_segment"
    REFRESH_ALL_SEGMENTS = "refresh_all_segments"
    DELIVER_MESSAGES = "deliver_messages"
    DELIVER_OTHER_MESSAGES = "deliver_other_messages"
    DELIVER_NOTICES = "deliver_notices"
    START_CAMPAIGN = "start_campaign"
    DECIDE_AB_TEST = "decide_ab_test"
    ADVANCE_JOURNEYS = "advance_journeys"
    ENROL_DATES = "enrol_dates"
    PROMOTE_WAITLIST = "promote_waitlist"
    REGISTER_FROM_JOURNEY = "register_from_journey"
    RECOMPUTE_SCORES = "recompute_scores"
    DELIVER_WEBHOOKS = "deliver_webhooks"
    RUN_IMPORT_SOURCE = "run_import_source"
    RUN_EXPORT = "run_export"
    BACKFILL_COMPUTED_FIELD = "backfill_computed_field"
    RECOMPUTE_RFM = "recompute_rfm"
    REFRESH_AUDIENCE = "refresh_audience"


# The jobs someone is waiting for: a journey's timer, the interaction stream's next step, a message
# or a webhook due now, a freed seat. They go to the urgent queue (parcours.queue.queue_for), whose
# worker slots imports, exports, recomputes and campaign preparation never take, so that a journey
# wakes on time while a campaign to 100,000 contacts is prepared and a file is imported. Each is
# short, or runs once per process at a time (a delivery lane's loop, the stream), so that a few
# slots are enough. Every other job is bulk work.
URGENT: frozenset[JobName] = frozenset(
    {
        JobName.PROCESS_INTERACTIONS,
        JobName.ADVANCE_JOURNEYS,
        JobName.REGISTER_FROM_JOURNEY,
        JobName.DELIVER_MESSAGES,
        JobName.DELIVER_OTHER_MESSAGES,
        JobName.DELIVER_NOTICES,
        JobName.DELIVER_WEBHOOKS,
        JobName.PROMOTE_WAITLIST,
    }
)
