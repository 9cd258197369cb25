"""Every worker function and periodic job, for `parcours worker` and the embedded worker."""

from __future__ import annotations

from arq import cron
from arq.cron import CronJob
from arq.worker import func

from parcours.contacts.tasks import import_contacts
from parcours.interactions.tasks import process_interactions, roll_windows, sweep_interactions
from parcours.jobs.tasks import sweep_jobs

FUNCTIONS = [
    import_contacts,
    # keep_result=0: a finished run must not block the next trigger under the same job id.
    func(process_interactions, keep_result=0),
]



def cron_jobs() -> list[CronJob]:
    """Fresh schedules for each worker: arq keeps a CronJob's next run time on the object."""
    return [
        cron(sweep_interactions, second={0, 10, 20, 30, 40, 50}, run_at_startup=True, unique=True),
        cron(sweep_jobs, second={5}, run_at_startup=True, unique=True),
        cron(roll_windows, minute={7}, second={0}, unique=True),
    ]
