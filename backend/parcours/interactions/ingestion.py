"""Ingestion requests share transactions (parcours.groupcommit): a 202 is answered once its rows
are committed."""

from __future__ import annotations

from typing import Any

from parcours.groupcommit import GroupCommit
from parcours.interactions import service
from parcours.interactions.service import Delivery

MAX_REQUESTS_PER_TRANSACTION = 500


def group_commit(runtime: Any) -> GroupCommit[Delivery, int]:
    """The runtime's group commit, created on first use."""
    if "ingestion" not in runtime.extras:
        runtime.extras["ingestion"] = GroupCommit(runtime.sessions, service.store, MAX_REQUESTS_PER_TRANSACTION)
    return runtime.extras["ingestion"]  # type: ignore[no-any-return]
