"""Text no database can keep is refused where it comes in: the NUL character (U+0000).

PostgreSQL refuses it in any text ("invalid byte sequence for encoding UTF8: 0x00") and SQLite
would keep a name cut short for whatever reads it as C text. No one types it: it comes from a
broken export or a probe. `RefuseNul` answers 400 naming the parameter or the field that holds one,
in a path, a query string, a JSON body or a url-encoded form, before anything reads it, so both
databases behave alike. File uploads are left alone (a file may hold any byte; the importers read
their text).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from parcours.errors import InvalidInput

NUL = "\x00"
JSON_NUL = b"\\u0000"


def message(field: str) -> str:
    return f"'{field}' contains the NUL character (\\u0000), which cannot be stored: remove it."


def in_path(path_params: dict[str, Any]) -> str | None:
    return next((name for name, value in path_params.items() if isinstance(value, str) and NUL in value), None)


def in_query(query_string: bytes) -> str | None:
    if b"%00" not in query_string and b"\x00" not in query_string:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if NUL in name or NUL in value:
            return name.replace(NUL, "\\u0000")
    return None


def in_json(body: bytes) -> str | None:
    """The path (`a.b.0`) of the first key or string holding a NUL, in a JSON body that has one."""
    if JSON_NUL not in body:
        return None
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None  # not JSON: the handler says so
    return _walk(value, "")


def _walk(value: Any, at: str) -> str | None:
    if isinstance(value, str):
        return at or "body" if NUL in value else None
    items: Any = ()
    if isinstance(value, dict):
        for key in value:
            if NUL in key:
                return f"{at}.{key}".lstrip(".").replace(NUL, "\\u0000")
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = _walk(item, f"{at}.{key}".lstrip("."))
        if found:
            return found
    return None


class RefuseNul(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        field = in_path(scope.get("path_params") or {}) or in_query(scope.get("query_string", b""))
        kind = _body_kind(scope)
        if field is None and kind == "json":
            # Read once here; the handler reads the same bytes from the connection's cache.
            field = in_json(await Request(scope, receive).body())
        elif field is None and kind == "form":
            # A form posted by a browser (or a probe): its fields are text too.
            field = in_query(await Request(scope, receive).body())
        if field is not None:
            raise InvalidInput(message(field), field)
        await next_app(scope, receive, send)


def _body_kind(scope: Scope) -> str | None:
    """ "json", "form" (url-encoded), or None (no body to look at, or a file upload)."""
    if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = next((v for k, v in scope.get("headers", ()) if k == b"content-type"), b"")
    media = content_type.split(b";")[0].strip().lower()
    if media.endswith(b"json"):
        return "json"
    return "form" if media == b"application/x-www-form-urlencoded" else None
