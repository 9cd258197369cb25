"""/api/auth (login, logout, me), /api/users and /api/api-keys."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.middleware.rate_limit import RateLimitConfig
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, changes, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
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
from parcours.errors import Forbidden, TooManyRequests, Unauthorized, handle_parcours_error
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


# What the audit log keeps of a user and of a key (never a password or a key's hash).
_USER_FIELDS = ("email", "name", "role", "language", "is_active")
_KEY_FIELDS = ("name", "role", "prefix")


def _user(user: Any) -> Target:
    return Target("user", user.id, user.email)


def _key(key: Any) -> Target:
    return Target("api_key", key.id, f"{key.name} ({key.prefix}…)")


async def _update_user(
    db: AsyncSession, user_id: int, changed: dict[str, Any], actor: Actor, keep_session: str | None = None
) -> Any:
    """The change, and its audit entry: the fields that moved (a new password shows as changed).
    A new password ends the user's sessions but `keep_session` (one's own, changing one's own)."""
    user = await service.get_user(db, user_id)
    before = audit.snapshot(user, _USER_FIELDS) | {"password": "old"}
    new_password = "password" in changed
    user = await service.update_user(db, user_id, changed, actor, keep_session=keep_session)
    after = audit.snapshot(user, _USER_FIELDS) | {"password": "new" if new_password else "old"}
    await audit.record(db, actor, "user.updated", _user(user), before=before, after=after)
    return user


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
    async def login(
        self, data: LoginIn, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]
    ) -> Response[MeOut]:
        try:
            result = await service.login(db, data.email, data.password, replacing=request.cookies.get(SESSION_COOKIE))
        except (Unauthorized, TooManyRequests) as refused:
            # Answered rather than raised, so that the request's transaction commits the entry
            # (the refusal itself wrote nothing).
            claimed = await service.refused_login(db, data.email, isinstance(refused, TooManyRequests))
            target = Target("user", claimed.user_id or "", claimed.actor.name)
            await audit.record(db, claimed.actor, "auth.login_failed", target, after={"reason": claimed.reason})
            return handle_parcours_error(request, refused)
        await audit.record(db, service.user_actor(result.user), "auth.login", _user(result.user))
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
        await _update_user(db, actor.id, changes(data), actor, keep_session=request.cookies.get(SESSION_COOKIE))
        return await _me(db, actor, request)


class UsersController(Controller):
    path = "/users"
    tags = ["users"]
    opt = {"role": "admin"}

    @get("/", summary="List users")
    async def list_users(self, db: AsyncSession) -> list[UserOut]:
        return [to_out(u, UserOut) for u in await service.list_users(db)]

    @post("/", summary="Create a user")
    async def create_user(self, data: UserCreate, db: AsyncSession, actor: Actor) -> UserOut:
        user = await service.create_user(
            db, email=data.email, password=data.password, role=data.role, name=data.name, language=data.language
        )
        await audit.record(db, actor, "user.created", _user(user), after=audit.snapshot(user, _USER_FIELDS))
        return to_out(user, UserOut)

    @patch("/{user_id:int}", summary="Change a user's name, role, language, password or access")
    async def update_user(self, user_id: IdParam, data: UserPatch, db: AsyncSession, actor: Actor) -> UserOut:
        return to_out(await _update_user(db, user_id, changes(data), actor), UserOut)

    @delete("/{user_id:int}", summary="Delete a user")
    async def delete_user(self, user_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        user = await service.get_user(db, user_id)
        target, before = _user(user), audit.snapshot(user, _USER_FIELDS)
        await service.delete_user(db, user_id, actor)
        await audit.record(db, actor, "user.deleted", target, before=before)


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
        await audit.record(db, actor, "api_key.created", _key(key), after=audit.snapshot(key, _KEY_FIELDS))
        out = to_out(key, ApiKeyOut)
        return ApiKeyCreated(key=secret, **{f: getattr(out, f) for f in out.__struct_fields__})

    @delete("/{key_id:int}", summary="Revoke an API key")
    async def revoke_key(self, key_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        key = await service.revoke_api_key(db, key_id)
        await audit.record(db, actor, "api_key.revoked", _key(key), before=audit.snapshot(key, _KEY_FIELDS))
