"""Every worker function and periodic job, for the worker parcours.assembly builds (`parcours
worker` and the embedded worker). Each function's name is a parcours.jobs.names.JobName."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from arq import cron
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function, func

from parcours.audit.tasks import purge_audit_log
from parcours.behaviour import tasks as behaviour
from parcours.campaigns.tasks import decide_ab_test, start_campaign, sweep_campaigns
from parcours.channels.models import OUTBOX
from parcours.channels.tasks import (
    deliver_messages,
    deliver_notices,
    deliver_other_messages,
    purge_outbox,
    sweep_outbox,
)
from parcours.clock import utcnow
from parcours.contacts.tasks import import_contacts
from parcours.dataflows import tasks as dataflows
from parcours.db import transaction
from parcours.events import tasks as events
from parcours.interactions.models import INTERACTIONS
from parcours.interactions.tasks import purge_interactions, roll_windows
from parcours.jobs.names import JobName
from parcours.jobs.tasks import sweep_jobs
from parcours.journeys.models import JOURNEY_STEPS
from parcours.journeys.tasks import advance_journeys, enrol_dates, purge_journey_steps, sweep_journeys
from parcours.reports.tasks import refresh_audience, refresh_audience_snapshot, refresh_overview_snapshot
from parcours.rfm.tasks import nightly_rfm, recompute_rfm
from parcours.runtime import WorkerContext
from parcours.scoring import tasks as scoring
from parcours.segments.tasks import refresh_all_segments, refresh_segment
from parcours.stream import process_interactions, sweep_interactions
from parcours.visitors.models import VISITOR_EVENTS
from parcours.visitors.tasks import purge_visitors
from parcours.webhooks.tasks import deliver_webhooks, purge_webhook_deliveries, sweep_webhooks

WorkerFunction = Callable[..., Awaitable[object]]
# The tables split by month on PostgreSQL (parcours.partitions).
PARTITIONED = (INTERACTIONS, JOURNEY_STEPS, VISITOR_EVENTS, OUTBOX)


async def prepare_months(ctx: WorkerContext) -> list[str]:
    """Daily (PostgreSQL): this month's and the next months' partitions of every table split by month."""
    today = utcnow().date()
    created = []
    for table in PARTITIONED:  # a transaction each: one table's locks are let go before the next's
        async with transaction(ctx["runtime"].sessions) as session:
            created += [table.table_of(m) for m in await table.prepare_months(session, today)]
    return created


def _arq(function: WorkerFunction) -> WorkerCoroutine:
    # arq types ctx as a plain dict; ours is the WorkerContext that parcours.assembly puts in it.
    return cast(WorkerCoroutine, function)


def job(name: JobName, function: WorkerFunction, *, keep_result: int | None = None) -> Function:
    return func(_arq(function), name=str(name), keep_result=keep_result)


FUNCTIONS = [
    job(JobName.IMPORT_CONTACTS, import_contacts),
    # keep_result=0: a finished run must not block the next trigger under the same job id.
    job(JobName.PROCESS_INTERACTIONS, process_interactions, keep_result=0),
    job(JobName.REFRESH_SEGMENT, refresh_segment),
    job(JobName.REFRESH_ALL_SEGMENTS, refresh_all_segments, keep_result=0),
    job(JobName.DELIVER_MESSAGES, deliver_messages, keep_result=0),
    job(JobName.DELIVER_OTHER_MESSAGES, deliver_other_messages, keep_result=0),
    job(JobName.DELIVER_NOTICES, deliver_notices, keep_result=0),
    job(JobName.START_CAMPAIGN, start_campaign),
    job(JobName.DECIDE_AB_TEST, decide_ab_test),
    job(JobName.ADVANCE_JOURNEYS, advance_journeys, keep_result=0),
    job(JobName.ENROL_DATES, enrol_dates),
    job(JobName.PROMOTE_WAITLIST, events.promote_waitlist, keep_result=0),
    job(JobName.REGISTER_FROM_JOURNEY, events.register_from_journey),
    job(JobName.RECOMPUTE_SCORES, scoring.recompute_scores),
    job(JobName.DELIVER_WEBHOOKS, deliver_webhooks, keep_result=0),
    job(JobName.RUN_IMPORT_SOURCE, dataflows.run_import_source),
    job(JobName.RUN_EXPORT, dataflows.run_export),
    job(JobName.BACKFILL_COMPUTED_FIELD, behaviour.backfill_computed_field),
    job(JobName.RECOMPUTE_RFM, recompute_rfm),
    job(JobName.REFRESH_AUDIENCE, refresh_audience),
]


def cron_jobs() -> list[CronJob]:
    """Fresh schedules for each worker: arq keeps a CronJob's next run time on the object."""
    return urgent_cron_jobs() + bulk_cron_jobs()


def urgent_cron_jobs() -> list[CronJob]:
    """The sweepers of what is due now (the stream, the outbox, webhooks, campaigns, journeys,
    events): short, every few seconds, run by the urgent queue's worker."""
    return [
        cron(_arq(sweep_interactions), second={0, 10, 20, 30, 40, 50}, run_at_startup=True, unique=True),
        cron(_arq(sweep_outbox), second={3, 13, 23, 33, 43, 53}, run_at_startup=True, unique=True),
        # Retries fall due at any second: a failed webhook is tried again within seconds of its time.
        cron(_arq(sweep_webhooks), second=set(range(2, 60, 5)), run_at_startup=True, unique=True),
        cron(_arq(sweep_campaigns), second={8, 28, 48}, run_at_startup=True, unique=True),
        cron(_arq(sweep_journeys), second=set(range(1, 60, 5)), run_at_startup=True, unique=True),
        cron(_arq(events.sweep_events), second={9, 19, 29, 39, 49, 59}, run_at_startup=True, unique=True),
        cron(_arq(events.queue_reminders), second={15}, run_at_startup=True, unique=True),
    ]


def bulk_cron_jobs() -> list[CronJob]:
    """Maintenance: rescues, hourly and nightly recomputes, retention. Run by the bulk queue's worker."""
    return [
        cron(_arq(sweep_jobs), second={5}, run_at_startup=True, unique=True),
        cron(_arq(enrol_dates), minute={2}, second={30}, unique=True),
        cron(_arq(events.finish_events), second={45}, unique=True),
        cron(_arq(roll_windows), minute={7}, second={0}, unique=True),
        cron(_arq(prepare_months), hour={1}, minute={5}, second={0}, run_at_startup=True, unique=True),
        cron(
            _arq(behaviour.roll_computed_fields),
            minute=set(range(1, 60, behaviour.ROLL_EVERY_MINUTES)),
            second={50},
            run_at_startup=True,
            unique=True,
        ),
        # Time moves rules such as "active in the last 30 days": recompute every segment hourly.
        cron(_arq(refresh_all_segments), minute={17}, second={0}, unique=True),
        cron(_arq(purge_visitors), minute={23}, second={20}, unique=True),
        cron(_arq(purge_webhook_deliveries), minute={41}, second={10}, unique=True),
        # Retention, daily at night: old interactions, journey steps and messages (when a retention is
        # set), the audit log's old entries.
        cron(_arq(purge_interactions), hour={3}, minute={10}, second={0}, unique=True),
        cron(_arq(purge_journey_steps), hour={3}, minute={17}, second={0}, unique=True),
        cron(_arq(purge_outbox), hour={3}, minute={21}, second={0}, unique=True),
        cron(_arq(purge_audit_log), hour={3}, minute={25}, second={0}, unique=True),
        cron(_arq(dataflows.sweep_dataflows), second={50}, run_at_startup=True, unique=True),
        # Recency moves every day: RFM is recomputed each night (as a job the SPA can follow).
        cron(_arq(nightly_rfm), hour={2}, minute={40}, second={0}, unique=True),
        # The audience report of the whole base reads a count of it, at most a quarter of an hour old.
        cron(_arq(refresh_audience_snapshot), minute={6, 21, 36, 51}, second={20}, run_at_startup=True, unique=True),
        # The Home's counts of the days before today: a late or erased row shows within ten minutes
        # (until the first run, the Home counts them live).
        cron(_arq(refresh_overview_snapshot), minute=set(range(2, 60, 10)), second={40}, unique=True),
        cron(_arq(scoring.expire_points), minute={4, 19, 34, 49}, second={40}, unique=True),
    ]
