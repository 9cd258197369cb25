"""The product in production mode for the benchmarks that run it as a whole (`capacity`,
`ontime`, `delivery`, `journeys`): a fresh database, a Redis server of its own, an SMTP sink as the
mail relay, one API process without an in-process worker and `parcours worker` processes,
stopped in reverse order by the caller's ExitStack, whatever fails."""

from __future__ import annotations

import os
import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench import common
from bench.common import Product, Workers
from bench.smtp_sink import SmtpSink

if TYPE_CHECKING:
    from parcours.queue import EmbeddedRedis

METRICS_TOKEN = "bench-" + secrets.token_hex(8)  # what the benchmarks read /metrics with


@dataclass
class Stack:
    db: common.Database
    redis: EmbeddedRedis
    sink: SmtpSink
    product: Product
    workers: Workers

    @property
    def redis_url(self) -> str:
        return self.redis.url


def start(
    name: str,
    tmp: Path,
    cleanup: ExitStack,
    env: dict[str, str],
    workers: int,
    worker_arguments: list[list[str]] | None = None,
    *,
    backend: str = "postgresql",
    sink: SmtpSink | None = None,
) -> Stack:
    """Everything started and migrated, with `env` over the settings all of them share (no
    sending pace, no frequency cap, one signing key for the API and every worker, the metrics
    token). `sink`: the caller's, when it counts or samples what it receives."""
    from parcours.queue import EmbeddedRedis

    db = common.prepare_database(backend, tmp)
    redis = EmbeddedRedis(tmp / "redis")
    cleanup.callback(redis.stop)
    redis_url = redis.start()
    sink = sink or SmtpSink(tmp)
    cleanup.callback(sink.stop)
    sink.start()
    product = Product(db, tmp / "data")
    product.env.update(
        {
            "PARCOURS_IN_PROCESS_WORKER": "false",
            "PARCOURS_REDIS_URL": redis_url,
            "PARCOURS_SMTP_URL": sink.url,
            "PARCOURS_SMTP_DOMAIN_RATE": "0",
            "PARCOURS_FREQUENCY_CAP": "0",
            "PARCOURS_SECRET_KEY": f"{name}-" + os.urandom(24).hex(),
            "PARCOURS_METRICS_TOKEN": METRICS_TOKEN,
            **env,
        }
    )
    (tmp / "data").mkdir(parents=True, exist_ok=True)
    common.parcours_cli(["migrate"], product.env, timeout=600)
    processes = Workers(product.env, workers, tmp, worker_arguments or [])
    cleanup.callback(processes.stop)
    processes.start()  # before the API: its /health wants a worker
    cleanup.callback(product.stop)
    product.start()
    return Stack(db, redis, sink, product, processes)
