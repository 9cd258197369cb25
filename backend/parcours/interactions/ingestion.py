"""Ingestion requests share transactions (parcours.groupcommit): a 202 is answered once its rows
are committed."""

from __future__ import annotations

from parcours.groupcommit import GroupCommit
from parcours.interactions import service
from parcours.interactions.service import Delivery
from parcours.runtime import Runtime

MAX_REQUESTS_PER_TRANSACTION = 500
Ingestion = GroupCommit[Delivery, int]


def group_commit(runtime: Runtime) -> Ingestion:
    """The process's ingestion queue (one per process, built by parcours.assembly)."""
    return GroupCommit(runtime.sessions, service.store, MAX_REQUESTS_PER_TRANSACTION)
