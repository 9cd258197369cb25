"""/api/auth (login, logout, me), /api/users and /api/api-keys."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.middleware.rate_limit import RateLimitConfig
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, changes, to_out
from parcours.auth import service
from parcours.auth.guards import SESSION_COOKIE
from parcours.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    LoginIn,
    MeOut,
    MePatch,
    UserCreate,
    UserOut,
    UserPatch,
)
from parcours.auth.service import Actor
from parcours.errors import Forbidden
from parcours.runtime import Runtime

# A flood guard per client address; guessing one account's password is slowed in service.login.
login_rate_limit = RateLimitConfig(rate_limit=("minute", 60), set_rate_limit_headers=False)


async def _me(db: AsyncSession, actor: Actor, request: Request[Any, Any, Any]) -> MeOut:
    user = await service.get_user(db, actor.id) if actor.kind == "user" else None
    token = request.cookies.get(SESSION_COOKIE)
    identity = await service.authenticate_session(request.app.state.runtime.read_sessions, token) if token else None
    csrf_token = identity.csrf_token if identity else None
    return MeOut(
        user=to_out(user, UserOut) if user else None,
        csrf_token=csrf_token,
        auth="session" if actor.kind == "user" else "api_key",
        role=actor.role,
        name=actor.name,
    )


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/login",
        opt={"exclude_from_auth": True},
        middleware=[login_rate_limit.middleware],
        status_code=200,
        summary="Log in with email and password (sets the session cookie)",
    )
    async def login(self, data: LoginIn, db: AsyncSession, runtime: Runtime) -> Response[MeOut]:
        result = await service.login(db, data.email, data.password)
        me = MeOut(
            user=to_out(result.user, UserOut),
            csrf_token=result.csrf_token,
            auth="session",
            role=service.check_role(result.user.role),
            name=result.user.email,
        )
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=result.token,
            httponly=True,
            samesite="lax",
            secure=runtime.settings.secure_cookies,
            path="/",
            max_age=int(service.SESSION_LIFETIME.total_seconds()),
        )
        return Response(me, cookies=[cookie])

    @post(
        "/logout",
        opt={"role": "viewer"},
        status_code=204,
        summary="Log out",
        response_cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")],
    )
    async def logout(self, request: Request[Any, Any, Any], db: AsyncSession) -> None:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.logout(db, token)

    @get("/me", summary="Who is logged in, with the CSRF token for writes")
    async def me(self, request: Request[Any, Any, Any], db: AsyncSession, actor: Actor) -> MeOut:
        return await _me(db, actor, request)

    @patch("/me", opt={"role": "viewer"}, summary="Change your name, language or password")
    async def update_me(self, data: MePatch, request: Request[Any, Any, Any], db: AsyncSession, actor: Actor) -> MeOut:
        if actor.kind != "user":
            raise Forbidden("An API key has no profile to change.")
        await service.update_user(db, actor.id, changes(data), actor)
        return await _me(db, actor, request)


class UsersController(Controller):
    path = "/users"
    tags = ["users"]
    opt = {"role": "admin"}

    @get("/", summary="List users")
    async def list_users(self, db: AsyncSession) -> list[UserOut]:
        return [to_out(u, UserOut) for u in await service.list_users(db)]

    @post("/", summary="Create a user")
    async def create_user(self, data: UserCreate, db: AsyncSession) -> UserOut:
        user = await service.create_user(
            db, email=data.email, password=data.password, role=data.role, name=data.name, language=data.language
        )
        return to_out(user, UserOut)

    @patch("/{user_id:int}", summary="Change a user's name, role, language, password or access")
    async def update_user(self, user_id: IdParam, data: UserPatch, db: AsyncSession, actor: Actor) -> UserOut:
        return to_out(await service.update_user(db, user_id, changes(data), actor), UserOut)

    @delete("/{user_id:int}", summary="Delete a user")
    async def delete_user(self, user_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        await service.delete_user(db, user_id, actor)


class ApiKeysController(Controller):
    path = "/api-keys"
    tags = ["users"]
    opt = {"role": "admin"}

    @get("/", summary="List API keys (never their secret)")
    async def list_keys(self, db: AsyncSession) -> list[ApiKeyOut]:
        return [to_out(k, ApiKeyOut) for k in await service.list_api_keys(db)]

    @post("/", summary="Create an API key (its secret is shown once)")
    async def create_key(self, data: ApiKeyCreate, db: AsyncSession, actor: Actor) -> ApiKeyCreated:
        key, secret = await service.create_api_key(db, name=data.name, role=data.role, created_by=actor.label)
        out = to_out(key, ApiKeyOut)
        return ApiKeyCreated(key=secret, **{f: getattr(out, f) for f in out.__struct_fields__})

    @delete("/{key_id:int}", summary="Revoke an API key")
    async def revoke_key(self, key_id: IdParam, db: AsyncSession) -> None:
        await service.revoke_api_key(db, key_id)
