"""Who may call /api: authentication (session cookie or API key), CSRF, and roles.

Reads need any role, writes need `marketer`; a handler raises or lowers that with
`opt={"role": ...}`, and opts out of authentication with `opt={"exclude_from_auth": True}`.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)

from parcours.auth import service
from parcours.auth.service import Actor, Role
from parcours.errors import Forbidden, Unauthorized

SESSION_COOKIE = "parcours_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Authentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        runtime = connection.app.state.runtime
        header = connection.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            actor = await service.authenticate_api_key(runtime.sessions, header[7:].strip())
            if actor is None:
                raise Unauthorized("This API key is not valid or has been revoked.")
            return AuthenticationResult(user=actor, auth="api_key")
        token = connection.cookies.get(SESSION_COOKIE)
        identity = await service.authenticate_session(runtime.read_sessions, token) if token else None
        if identity is None:
            raise Unauthorized("You need to log in.")
        if connection.scope.get("method") not in SAFE_METHODS and not service.csrf_matches(
            identity.csrf_token, connection.headers.get(CSRF_HEADER)
        ):
            raise Forbidden("The page's security token is missing or out of date: reload the page.")
        return AuthenticationResult(user=identity.actor, auth="session")


authentication = DefineMiddleware(Authentication, exclude_from_auth_key="exclude_from_auth")


def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    # OPTIONS only tells which methods a route allows (and answers CORS preflights, which carry no
    # credentials): authentication skips it, so there is no one to check.
    if handler.opt.get("exclude_from_auth") or connection.scope.get("method") == "OPTIONS":
        return
    actor: Actor = connection.user
    method = connection.scope.get("method", "GET")
    needed: Role = handler.opt.get("role") or ("viewer" if method in SAFE_METHODS else "marketer")
    if not actor.at_least(needed):
        raise Forbidden(
            "Only administrators can do this."
            if needed == "admin"
            else "Your role is read-only: ask an administrator for the marketer role."
        )
