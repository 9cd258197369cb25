"""Every job name is the name of exactly one worker function, and every worker function has one."""

from parcours.jobs.names import JobName
from parcours.tasks import FUNCTIONS


def test_each_job_name_names_one_worker_function() -> None:
    names = [function.name for function in FUNCTIONS]
    assert sorted(names) == sorted(name.value for name in JobName)
