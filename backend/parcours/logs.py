"""What the server writes to its log, and what it keeps quiet.

INFO (the default): the startup line (address, database, Redis, worker), migrations applied,
each job that did something (periodic sweeps that found nothing are quiet), and every warning
and error with its context. DEBUG (PARCOURS_LOG_LEVEL=DEBUG) adds one line per request and
one per job run, including the idle sweeps.

PARCOURS_LOG_FORMAT=json writes each line as one JSON object (time, level, logger, message,
request_id) for log collectors. Every request has an id (the X-Request-ID it came with, or a new
one, answered in the same header); the jobs it queues carry it, so that their lines say which
request they come from.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from arq.utils import args_to_string, truncate

if TYPE_CHECKING:
    from parcours.runtime import Runtime
    from parcours.settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

requests_log = logging.getLogger("parcours.requests")
jobs_log = logging.getLogger("parcours.jobs")

# The request this code runs for (in a request, or in a job that request queued), or None.
request_id: ContextVar[str | None] = ContextVar("parcours_request_id", default=None)
# The job keyword argument that carries the request id from the request to the job.
REQUEST_ID_ARG = "request_id"
# An id a client or a proxy sends is kept when it is short and plain (no header or log injection).
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and
    the traceback of an error as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def level_of(name: str) -> int:
    level = logging.getLevelName(name.strip().upper())
    if not isinstance(level, int):
        raise SystemExit(
            f"Invalid configuration: PARCOURS_LOG_LEVEL={name!r} is not one of "
            "DEBUG, INFO, WARNING, ERROR (check the PARCOURS_* variables)"
        )
    return level


def configure(settings: Settings) -> None:
    """Send every log line to stderr as `time LEVEL logger: message` (or as JSON with
    PARCOURS_LOG_FORMAT=json), at PARCOURS_LOG_LEVEL.

    DEBUG applies to Parcours and its job queue; libraries stay at INFO (their DEBUG lines, such
    as one per database call, would drown everything else)."""
    level = level_of(settings.log_level)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(FORMAT, DATE_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(max(level, logging.INFO))
    for name in ("parcours", "arq"):
        logging.getLogger(name).setLevel(level)
    # Said on every start, whether or not a migration runs: only "Running upgrade ..." matters.
    demote(logging.getLogger("alembic.runtime.migration"), keep=("Running",))
    quiet_worker()


def uvicorn_level(settings: Settings) -> str:
    """uvicorn's own lines ("Started server process", "Waiting for application startup"...) say
    less than our startup line: shown from DEBUG only; its warnings and errors always."""
    return "info" if level_of(settings.log_level) <= logging.DEBUG else "warning"


class _Demote(logging.Filter):
    """Turn a logger's INFO lines into DEBUG ones, except those containing one of `keep`."""

    def __init__(self, keep: tuple[str, ...]) -> None:
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or any(mark in str(record.msg) for mark in self.keep):
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return True


def demote(logger: logging.Logger, keep: tuple[str, ...] = ()) -> None:
    if not any(isinstance(f, _Demote) for f in logger.filters):
        logger.addFilter(_Demote(keep))


def quiet_worker() -> None:
    """arq logs each job's start (→) and end (●) and its health every few seconds at INFO: with
    sweepers running every second, that was nearly the whole log. They become DEBUG lines; our
    own job lines (`reported`) say at INFO which jobs did something. Retries (↻), aborts (⊘),
    warnings and failures (with their traceback) stay as they are."""
    demote(logging.getLogger("arq.worker"), keep=("↻", "⊘"))


def did_work(result: Any, *, periodic: bool) -> bool:
    """A job's result says whether it did something: a count, a decision... A periodic job that
    returns nothing is a sweep with nothing to report; another job that returns nothing did its
    (requested) work."""
    if result is None:
        return not periodic
    return bool(result)


def reported(
    coroutine: Callable[..., Coroutine[Any, Any, Any]], *, periodic: bool
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The job function, logging its run: at INFO when it did something, at DEBUG otherwise.
    Failures are logged by arq, with the job id and the traceback."""
    name = coroutine.__name__

    @functools.wraps(coroutine)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        # The request that queued the job, for its log lines and the jobs it queues in turn.
        request_id.set(kwargs.pop(REQUEST_ID_ARG, None))
        result = await coroutine(ctx, *args, **kwargs)
        level = logging.INFO if did_work(result, periodic=periodic) else logging.DEBUG
        if jobs_log.isEnabledFor(level):
            outcome = "" if result is None else f", result {truncate(repr(result), 80)}"
            jobs_log.log(
                level,
                "%s(%s) done in %.0f ms%s",
                name,
                args_to_string(args, kwargs),
                (time.perf_counter() - started) * 1000,
                outcome,
            )
        return result

    return run


# ---- requests ---------------------------------------------------------------------------------


def who(scope: Mapping[str, Any]) -> str:
    """The user or API key a request was authenticated as, when it was."""
    actor = scope.get("user")
    kind, actor_id = getattr(actor, "kind", None), getattr(actor, "id", None)
    if kind == "user":
        return f"user {actor_id}"
    if kind == "api_key":
        return f"API key {actor_id}"
    return "anonymous"


def shown_path(scope: Mapping[str, Any]) -> str:
    """The path without its query string, and without the tokens of signed links (unsubscribe,
    tracking, cancellation): a log is no place for what lets someone act as a contact."""
    path = str(scope.get("path", ""))
    for key, value in (scope.get("path_params") or {}).items():
        if "token" in key and value:
            path = path.replace(str(value), "{" + key + "}")
    return path


def request_context(scope: Mapping[str, Any]) -> str:
    """`GET /api/contacts/3 (user 1)`: what an error log line needs to say where it happened."""
    return f"{scope.get('method', '')} {shown_path(scope)} ({who(scope)})"


class RequestId:
    """ASGI middleware: the request's id (its X-Request-ID when plain, or a new one) for the log
    lines and jobs of the request, and answered in the response's X-Request-ID."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-request-id"), "")
        current = given if _PLAIN_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(current)

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", current.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            request_id.reset(token)


class RequestLog:
    """One DEBUG line per request: method, path, status, duration and who asked."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not requests_log.isEnabledFor(logging.DEBUG):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the application answers

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            requests_log.debug(
                "%s %s %d %.0f ms (%s)",
                scope.get("method", ""),
                shown_path(scope),
                status,
                (time.perf_counter() - started) * 1000,
                who(scope),
            )


# ---- startup ----------------------------------------------------------------------------------


def database_description(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
    return f"PostgreSQL {where}" + (f" as {url.username}" if url.username else "")


def redis_description(url: str, *, embedded: bool) -> str:
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 6379}"
    return f"embedded redis-server on {where}" if embedded else f"Redis {parts.scheme}://{where}{parts.path}"


def startup_line(runtime: Runtime, *, embedded_redis: bool, worker: bool) -> str:
    """What an operator checks first: where it answers, on which database and Redis, and who
    does the work. No password of any of them."""
    settings = runtime.settings
    listening = f"{settings.host}:{settings.port}"
    address = settings.base_url + (
        "" if settings.base_url.endswith("//" + listening) else f" (listening on {listening})"
    )
    working = (
        "a worker runs in this process"
        if worker
        else "no worker in this process (`parcours worker` processes do the work)"
    )
    return (
        f"Parcours is serving {address}: database {database_description(settings)}, "
        f"{redis_description(runtime.redis_url, embedded=embedded_redis)}, {working}"
    )
