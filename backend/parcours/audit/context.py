"""The client address of each API request, for the audit entries its actions write."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send

from parcours.audit.service import request_address
from parcours.guard.ratelimit import client_ip


class RequestAddress:
    """ASGI middleware: the address (behind PARCOURS_TRUSTED_PROXIES) is known for the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        runtime: Any = getattr(scope["app"].state, "runtime", None)
        proxies = runtime.settings.trusted_proxies if runtime is not None else 0
        token = request_address.set(client_ip(ASGIConnection(scope), proxies))
        try:
            await self.app(scope, receive, send)
        finally:
            request_address.reset(token)
