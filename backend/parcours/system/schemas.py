"""The System screen's answer."""

from __future__ import annotations

from datetime import datetime

import msgspec

from parcours.channels.schemas import MessageOut
from parcours.jobs.schemas import JobOut
from parcours.queue import QueueLabel


class QueueStatus(msgspec.Struct, kw_only=True):
    worker_alive: bool  # a worker reported in the last few seconds (on each queue)
    waiting: int  # jobs in the queues, queued or running
    by_task: dict[str, int]  # of the first jobs waiting, how many per task (empty when the queue is long)


class QueueLine(msgspec.Struct, kw_only=True):
    name: QueueLabel  # urgent: journeys, the stream, deliveries; bulk: the rest
    worker_alive: bool  # a worker of this queue reported in the last few seconds
    waiting: int  # jobs in this queue, queued or running
    lag_seconds: float  # how long the oldest due job no worker has taken yet has waited


class StreamStatus(msgspec.Struct, kw_only=True):
    lag: int  # interactions recorded and not yet processed
    waited_seconds: float  # how long the oldest of them has waited


class OutboxCount(msgspec.Struct, kw_only=True):
    status: str  # queued | sending | failed
    channel: str
    count: int


class StorageStatus(msgspec.Struct, kw_only=True):
    database_bytes: int
    disk_free_bytes: int  # on the disk holding the data directory
    disk_total_bytes: int
    # PostgreSQL cleans dead rows by itself (autovacuum); None on SQLite, which needs no cleaning.
    autovacuum: bool | None = None


class SystemStatus(msgspec.Struct, kw_only=True):
    checked_at: datetime
    queue: QueueStatus
    # Each queue in use: the urgent one and the bulk one (the bulk one alone when
    # PARCOURS_URGENT_QUEUE is off).
    queues: list[QueueLine]
    stream: StreamStatus
    outbox: list[OutboxCount]
    failed_messages: list[MessageOut]  # the last messages that could not be sent, newest first
    failed_jobs: list[JobOut]  # the last long-running jobs that failed, newest first
    recent_jobs: list[JobOut]  # imports, exports, refreshes and scheduled runs, newest first
    storage: StorageStatus
