"""One exception hierarchy, one JSON error shape: {"error": {"message": ..., "field": ...}}."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from parcours.logs import request_context

log = logging.getLogger(__name__)


class ParcoursError(Exception):
    """An error a user can act on. `field` names the input it concerns, when there is one."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class InvalidInput(ParcoursError):
    status_code = 400


class Unauthorized(ParcoursError):
    status_code = 401


class Forbidden(ParcoursError):
    status_code = 403


class NotFound(ParcoursError):
    status_code = 404


class Conflict(ParcoursError):
    status_code = 409


class TooLarge(ParcoursError):
    status_code = 413


class Unprocessable(ParcoursError):
    status_code = 422


class TooManyRequests(ParcoursError):
    status_code = 429


def error_body(message: str, field: str | None = None, **details: Any) -> dict[str, Any]:
    return {"error": {"message": message, "field": field, **details}}


_BACKTICKED = re.compile(r"`([^`]+)`")
_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`")


_MISSING_PARAMETER = re.compile(r"Missing required (\w+) parameter '([^']+)'")


def _validation_field_and_message(extra: Any, detail: str = "") -> tuple[str | None, str]:
    """Turn msgspec's '... - at `$.custom.size`' into a field name and a plain sentence."""
    if not isinstance(extra, list) or not extra or not isinstance(extra[0], dict):
        missing = _MISSING_PARAMETER.search(detail)
        if missing:
            return missing.group(2), f"The {missing.group(1)} parameter '{missing.group(2)}' is required."
        return None, "The request is not valid."
    first = extra[0]
    message = str(first.get("message", "Invalid value"))
    at = _AT_PATH.search(message)
    if at:
        field = at.group(1).replace("[", ".").replace("]", "") or None
        message = message[: at.start()]
    elif "field `" in message:
        found = _BACKTICKED.search(message)
        field = found.group(1) if found else None
    else:
        key = first.get("key")
        field = None if key in (None, "data") else str(key)
    message = message.replace("Object contains unknown field", "Unknown field")
    message = message.replace("Object missing required field", "Missing required field")
    return field, message.replace("`", "'")


_STATUS_MESSAGES = {
    401: "You need to log in.",
    403: "Your role does not allow this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request is too large.",
    429: "Too many requests: slow down and try again shortly.",
}


def handle_parcours_error(_request: Request[Any, Any, Any], exc: ParcoursError) -> Response[Any]:
    return Response(error_body(exc.message, exc.field, **exc.details), status_code=exc.status_code)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == 413:
        max_size = request.app.request_max_body_size
        limit = max_size // (1024 * 1024) if isinstance(max_size, int) else 0
        return Response(
            error_body(f"The upload is larger than the {limit} MB limit: split the file and try again.", "file"),
            status_code=413,
        )
    if isinstance(exc, ValidationException):
        field, message = _validation_field_and_message(exc.extra, exc.detail)
        return Response(error_body(message, field), status_code=400)
    if status >= 500:
        log.error("server error on %s: %s", request_context(request.scope), exc.detail)
        return Response(error_body("Something went wrong on our side."), status_code=status)
    detail = exc.detail if exc.detail and exc.detail not in _generic_details() else None
    return Response(
        error_body(detail or _STATUS_MESSAGES.get(status, "The request could not be processed.")),
        status_code=status,
        headers=getattr(exc, "headers", None),
    )


def _generic_details() -> set[str]:
    return {
        "Not Found",
        "Method Not Allowed",
        "Request Entity Too Large",
        "Unauthorized",
        "Forbidden",
        "Too Many Requests",
        "Bad Request",
    }


# What a database says when a write waited too long for another one (SQLite's busy timeout,
# PostgreSQL's lock timeout or a deadlock victim): the request may simply be tried again.
_BUSY = (
    "database is locked",
    "database table is locked",
    "lock timeout",
    "deadlock detected",
    "could not obtain lock",
    "could not serialize access",
)


def database_busy(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    text = str(exc.orig or exc).lower()
    return any(sign in text for sign in _BUSY)


# What a driver says when the database connection went away under a statement (the server
# restarted, an administrator's pg_terminate_backend, the network): the work may be done again.
_LOST = (
    "terminating connection",
    "connection was closed",
    "connection is closed",
    "server closed the connection",
    "connection reset",
)


def connection_lost(exc: BaseException) -> bool:
    """Also for work split over tasks (an asyncio.TaskGroup raises its tasks' errors as a group)."""
    if isinstance(exc, BaseExceptionGroup):
        return any(connection_lost(inner) for inner in exc.exceptions)
    if not isinstance(exc, DBAPIError):
        return False
    return bool(exc.connection_invalidated) or any(sign in str(exc.orig or exc).lower() for sign in _LOST)


def disk_full(exc: BaseException) -> bool:
    """The database could not grow: SQLite's disk (or its max_page_count) is full, or
    PostgreSQL's ("could not extend file", "No space left on device")."""
    if not isinstance(exc, DBAPIError):
        return False
    text = str(exc.orig or exc).lower()
    return any(sign in text for sign in ("database or disk is full", "no space left on device", "could not extend"))


def number_out_of_range(exc: BaseException) -> bool:
    """A number too large for its column reached the database (SQLite's driver raises OverflowError,
    PostgreSQL's says "out of range"): inputs are bounded, this is the net under a bound we missed."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc.orig, OverflowError) or "out of range" in str(exc.orig).lower()
    return isinstance(exc, OverflowError)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if number_out_of_range(exc):
        log.warning("number out of range on %s: %s", request_context(request.scope), exc)
        return Response(error_body("A number in the request is too large."), status_code=400)
    if disk_full(exc):
        # The transaction was rolled back whole; the product answers again once space returns.
        log.error("disk full on %s: %s", request_context(request.scope), exc)
        return Response(
            error_body("The server's disk is full: nothing was saved. Try again once space has been freed."),
            status_code=503,
            headers={"Retry-After": "60"},
        )
    if database_busy(exc) or connection_lost(exc):
        log.warning("database busy on %s: %s", request_context(request.scope), exc)
        return Response(
            error_body("The service is busy: nothing was saved, try again in a moment."),
            status_code=503,
            headers={"Retry-After": "1"},
        )
    log.exception("unexpected error on %s", request_context(request.scope), exc_info=exc)
    return Response(error_body("Something went wrong on our side."), status_code=500)


def handle_undecodable(_request: Request[Any, Any, Any], _exc: UnicodeDecodeError) -> Response[Any]:
    # A multipart text field that is not UTF-8: Litestar decodes it while it reads the request.
    return Response(
        error_body("A form field is not UTF-8 text: send the form's text fields in UTF-8."), status_code=400
    )


exception_handlers: ExceptionHandlersMap = {
    ParcoursError: handle_parcours_error,
    HTTPException: handle_http_exception,
    UnicodeDecodeError: handle_undecodable,
    Exception: handle_unexpected,
}
