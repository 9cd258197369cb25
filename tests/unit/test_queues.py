"""Which queue each job goes to: the urgent one for what someone waits for (journeys' timers, the
stream, deliveries), the bulk one for the rest, and a single queue when the setting is off."""

from __future__ import annotations

from parcours.jobs.names import URGENT, JobName
from parcours.queue import QUEUE_NAME, QUEUES, URGENT_QUEUE, queue_for, queues_in_use
from parcours.tasks import bulk_cron_jobs, cron_jobs, urgent_cron_jobs


def test_time_critical_jobs_go_to_the_urgent_queue() -> None:
    for name in (
        JobName.ADVANCE_JOURNEYS,
        JobName.PROCESS_INTERACTIONS,
        JobName.DELIVER_MESSAGES,
        JobName.DELIVER_NOTICES,
        JobName.DELIVER_OTHER_MESSAGES,
        JobName.DELIVER_WEBHOOKS,
        JobName.PROMOTE_WAITLIST,
    ):
        assert queue_for(name, urgent_queue=True) == URGENT_QUEUE, name


def test_bulk_work_stays_on_the_bulk_queue() -> None:
    for name in (
        JobName.IMPORT_CONTACTS,
        JobName.RUN_IMPORT_SOURCE,
        JobName.RUN_EXPORT,
        JobName.START_CAMPAIGN,
        JobName.REFRESH_SEGMENT,
        JobName.REFRESH_ALL_SEGMENTS,
        JobName.RECOMPUTE_SCORES,
        JobName.RECOMPUTE_RFM,
        JobName.BACKFILL_COMPUTED_FIELD,
        JobName.REFRESH_AUDIENCE,
    ):
        assert queue_for(name, urgent_queue=True) == QUEUE_NAME, name


def test_every_job_has_one_queue_of_the_two() -> None:
    routed = {name: queue_for(name, urgent_queue=True) for name in JobName}
    assert {n for n, q in routed.items() if q == URGENT_QUEUE} == set(URGENT)
    assert set(routed.values()) == {URGENT_QUEUE, QUEUE_NAME}


def test_with_the_setting_off_every_job_shares_one_queue() -> None:
    assert {queue_for(name, urgent_queue=False) for name in JobName} == {QUEUE_NAME}
    assert queues_in_use(False) == {"bulk": QUEUE_NAME}
    assert queues_in_use(True) == QUEUES == {"urgent": URGENT_QUEUE, "bulk": QUEUE_NAME}


def test_each_periodic_job_runs_on_one_queue() -> None:
    urgent = [c.name for c in urgent_cron_jobs()]
    bulk = [c.name for c in bulk_cron_jobs()]
    assert not set(urgent) & set(bulk)
    assert sorted(c.name for c in cron_jobs()) == sorted(urgent + bulk)
    # The sweepers of what is due now are not held behind maintenance.
    for sweeper in ("sweep_journeys", "sweep_interactions", "sweep_outbox", "sweep_webhooks"):
        assert any(name.endswith(sweeper) for name in urgent), sweeper
    for maintenance in ("refresh_all_segments", "nightly_rfm", "purge_interactions", "sweep_dataflows"):
        assert any(name.endswith(maintenance) for name in bulk), maintenance


def test_a_worker_cannot_be_given_an_urgent_queue_that_is_off() -> None:
    from click.testing import CliRunner

    from parcours.cli import main

    env = {"PARCOURS_REDIS_URL": "redis://127.0.0.1:1/0", "PARCOURS_URGENT_QUEUE": "false"}
    result = CliRunner().invoke(main, ["worker", "--queue", "urgent"], env=env)
    assert result.exit_code == 2 and "PARCOURS_URGENT_QUEUE is off" in result.output, result.output
