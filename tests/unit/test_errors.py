"""What the jobs take for a lost database connection (they run again instead of failing)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from parcours.errors import connection_lost

LOST = DBAPIError("INSERT INTO contacts ...", {}, Exception("terminating connection due to administrator command"))
OTHER = DBAPIError("INSERT INTO contacts ...", {}, Exception('duplicate key value violates unique constraint "x"'))


def test_a_lost_connection_is_recognised_alone_and_inside_a_task_group_error() -> None:
    assert connection_lost(LOST)
    assert not connection_lost(OTHER)
    # An asyncio.TaskGroup raises its tasks' errors as a group, possibly nested.
    assert connection_lost(ExceptionGroup("batches", [OTHER, ExceptionGroup("inner", [LOST])]))
    assert not connection_lost(ExceptionGroup("batches", [OTHER, ValueError("bad row")]))
