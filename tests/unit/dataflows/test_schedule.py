"""When a scheduled import or export runs next, and how long a failing one waits."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parcours.dataflows.remote import inside
from parcours.dataflows.schedule import next_run, retry_after


def test_hourly_runs_on_the_next_full_hour() -> None:
    assert next_run(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "hourly", "06:00", "UTC") == datetime(
        2026, 3, 1, 10, 0, tzinfo=UTC
    )
    assert next_run(datetime(2026, 3, 1, 9, 59, 59, tzinfo=UTC), "hourly", "06:00", "UTC") == datetime(
        2026, 3, 1, 10, 0, tzinfo=UTC
    )


def test_daily_runs_at_the_organizations_wall_clock_time() -> None:
    # 06:00 in Paris is 05:00 UTC in winter: before it, today; at it or after, tomorrow.
    assert next_run(datetime(2026, 1, 10, 4, 0, tzinfo=UTC), "daily", "06:00", "Europe/Paris") == datetime(
        2026, 1, 10, 5, 0, tzinfo=UTC
    )
    assert next_run(datetime(2026, 1, 10, 5, 0, tzinfo=UTC), "daily", "06:00", "Europe/Paris") == datetime(
        2026, 1, 11, 5, 0, tzinfo=UTC
    )


def test_daily_keeps_its_wall_clock_time_across_a_change_of_clocks() -> None:
    # Paris moves to summer time on 29 March 2026: 06:00 becomes 04:00 UTC.
    assert next_run(datetime(2026, 3, 28, 6, 0, tzinfo=UTC), "daily", "06:00", "Europe/Paris") == datetime(
        2026, 3, 29, 4, 0, tzinfo=UTC
    )


def test_a_failing_flow_waits_longer_after_each_failure_up_to_an_hour() -> None:
    assert [retry_after(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_after(30) == timedelta(hours=1)


@pytest.mark.parametrize("directory", ["..", "../other", "/etc", "a/../../b"])
def test_a_directory_outside_the_files_directory_is_refused(tmp_path: Path, directory: str) -> None:
    with pytest.raises(ValueError, match="inside the server's files directory"):
        inside(tmp_path / "files", directory)


def test_a_directory_inside_is_accepted(tmp_path: Path) -> None:
    root = tmp_path / "files"
    assert inside(root, "") == root.resolve()
    assert inside(root, "drops/daily") == (root / "drops" / "daily").resolve()
