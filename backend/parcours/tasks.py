"""Every worker function and periodic job, for `parcours worker` and the embedded worker."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.cron import CronJob
from arq.worker import func

from parcours.campaigns.tasks import decide_ab_test, start_campaign, sweep_campaigns
from parcours.channels.tasks import (
    deliver_messages,
    deliver_notices,
    deliver_other_messages,
    sweep_outbox,
)
from parcours.contacts.tasks import import_contacts
from parcours.events import tasks as events
from parcours.interactions.batch import Consumer
from parcours.interactions.tasks import roll_windows
from parcours.jobs.tasks import sweep_jobs
from parcours.journeys.tasks import advance_journeys, enrol_dates, sweep_journeys
from parcours.scoring import tasks as scoring
from parcours.segments.tasks import refresh_all_segments, refresh_segment
from parcours.stream import consumers, process_interactions, sweep_interactions

FUNCTIONS = [
    import_contacts,
    # keep_result=0: a finished run must not block the next trigger under the same job id.
    func(process_interactions, keep_result=0),
    refresh_segment,
    func(refresh_all_segments, keep_result=0),
    func(deliver_messages, keep_result=0),
    func(deliver_other_messages, keep_result=0),
    func(deliver_notices, keep_result=0),
    start_campaign,
    decide_ab_test,
    func(advance_journeys, keep_result=0),
    enrol_dates,
    func(events.promote_waitlist, keep_result=0),
    events.register_from_journey,
    scoring.recompute_scores,
]


def stream_consumers(runtime: Any) -> list[Consumer]:
    """What happens with each batch of new interactions, in order (see parcours.stream)."""
    return consumers(runtime.enqueue, runtime.settings.base_url)


def cron_jobs() -> list[CronJob]:
    """Fresh schedules for each worker: arq keeps a CronJob's next run time on the object."""
    return [
        cron(sweep_interactions, second={0, 10, 20, 30, 40, 50}, run_at_startup=True, unique=True),
        cron(sweep_jobs, second={5}, run_at_startup=True, unique=True),
        cron(sweep_outbox, second={3, 13, 23, 33, 43, 53}, run_at_startup=True, unique=True),
        cron(sweep_campaigns, second={8, 28, 48}, run_at_startup=True, unique=True),
        cron(sweep_journeys, second=set(range(1, 60, 5)), run_at_startup=True, unique=True),
        cron(enrol_dates, minute={2}, second={30}, unique=True),
        cron(events.sweep_events, second={9, 19, 29, 39, 49, 59}, run_at_startup=True, unique=True),
        cron(events.finish_events, second={45}, unique=True),
        cron(events.queue_reminders, second={15}, run_at_startup=True, unique=True),
        cron(roll_windows, minute={7}, second={0}, unique=True),
        # Time moves rules such as "active in the last 30 days": recompute every segment hourly.
        cron(refresh_all_segments, minute={17}, second={0}, unique=True),
        cron(scoring.expire_points, minute={4, 19, 34, 49}, second={40}, unique=True),
    ]
