"""Users, roles, login sessions and API keys."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.addresses import normalize_email
from parcours.auth.models import ApiKey, User, UserSession
from parcours.clock import utcnow
from parcours.db import Sessions, after_commit, transaction
from parcours.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)

Role = Literal["viewer", "marketer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "marketer", "admin")
SESSION_LIFETIME = timedelta(days=14)
API_KEY_PREFIX = "pk_"
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class Actor(msgspec.Struct, frozen=True):
    """Who is acting: a logged-in user, an API key, or the product itself."""

    kind: Literal["user", "api_key", "system"]
    id: int
    name: str
    role: Role
    language: str = "en"

    def at_least(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def label(self) -> str:
        return {"user": self.name, "api_key": f"API key {self.name}", "system": self.name}[self.kind]


SYSTEM = Actor(kind="system", id=0, name="Parcours", role="admin")


def system_actor(name: str) -> Actor:
    return Actor(kind="system", id=0, name=name, role="admin")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class _TtlCache:
    """Recent authentications, so that a burst of API calls does not hit the database each time.

    Revocation takes effect at once in this process and within `ttl` seconds in the others.
    """

    def __init__(self, ttl: float = 10.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._items: dict[str, tuple[float, object]] = {}

    def get(self, key: str) -> object | None:
        found = self._items.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, value: object) -> None:
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[key] = (time.monotonic() + self.ttl, value)

    def drop(self, key: str) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()


_cache = _TtlCache()
# An API key's "last used" is shown to the minute: written at most once a minute.
LAST_USED_PRECISION = timedelta(minutes=1)


def check_role(role: str, field: str = "role") -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise InvalidInput(f"Unknown role '{role}': choose one of {', '.join(ROLES)}.", field)


def check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against a real hash even for unknown emails keeps login time constant.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# ---- users -----------------------------------------------------------------------------------


def _user_actor(user: User) -> Actor:
    assert user.id is not None
    return Actor(kind="user", id=user.id, name=user.email, role=check_role(user.role), language=user.language)


async def count_users(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


async def list_users(session: AsyncSession) -> Sequence[User]:
    return (await session.execute(select(User).order_by(User.email))).scalars().all()


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("This user does not exist.")
    return user


async def create_user(
    session: AsyncSession, *, email: str, password: str, role: str, name: str = "", language: str = "en"
) -> User:
    try:
        email = normalize_email(email)
    except ValueError as exc:
        raise InvalidInput(str(exc), "email") from None
    check_role(role)
    check_password(password)
    existing = await session.execute(select(col(User.id)).where(col(User.email) == email))
    if existing.first() is not None:
        raise Conflict(f"A user with the email {email} already exists.", "email")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        language=language,
        password_hash=await asyncio.to_thread(hash_password, password),
    )
    session.add(user)
    await session.flush()
    return user


async def _forget_identities() -> None:
    _cache.clear()


async def update_user(
    session: AsyncSession, user_id: int, changes: dict[str, object], actor: Actor, *, keep_session: str | None = None
) -> User:
    """`keep_session`: the token of the session making the change, which a new password leaves open
    (the user's other sessions end)."""
    user = await get_user(session, user_id)
    if "role" in changes:
        check_role(str(changes["role"]))
        if user.id == actor.id and actor.kind == "user" and changes["role"] != "admin":
            raise Forbidden("You cannot remove your own admin role.", "role")
    if "password" in changes:
        password = str(changes.pop("password"))
        check_password(password)
        user.password_hash = await asyncio.to_thread(hash_password, password)
        await _end_sessions(session, user.id, keep=keep_session)
    if changes.get("is_active") is False:
        if user.id == actor.id and actor.kind == "user":
            raise Forbidden("You cannot deactivate yourself.", "is_active")
        await _end_sessions(session, user.id)
    for key, value in changes.items():
        setattr(user, key, value)
    # Cached identities carry the role and language: this process sees the change once it is committed.
    after_commit(session, _forget_identities)
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user_id: int, actor: Actor) -> None:
    user = await get_user(session, user_id)
    if user.id == actor.id and actor.kind == "user":
        raise Forbidden("You cannot delete your own account.")
    await _end_sessions(session, user.id)
    await session.delete(user)


async def ensure_first_admin(session: AsyncSession, email: str, password: str) -> tuple[str, str] | None:
    """Create the first admin when there is no user yet. Returns the credentials it created."""
    if await count_users(session) > 0:
        return None
    email = email or "admin@example.com"
    password = password or secrets.token_urlsafe(12)
    await create_user(session, email=email, password=password, role="admin", name="Administrator")
    return email, password


# ---- sessions --------------------------------------------------------------------------------


class LoginResult(msgspec.Struct):
    token: str
    csrf_token: str
    user: User


class _Failures:
    """Failed logins per email: after MAX_FAILURES in WINDOW, that account waits (guessing stops)."""

    MAX_FAILURES = 10
    WINDOW = 15 * 60.0

    def __init__(self) -> None:
        self._seen: dict[str, list[float]] = {}

    def recent(self, email: str) -> int:
        now = time.monotonic()
        self._seen[email] = [t for t in self._seen.get(email, []) if now - t < self.WINDOW]
        return len(self._seen[email])

    def add(self, email: str) -> None:
        if len(self._seen) > 100_000:
            self._seen.clear()
        self._seen.setdefault(email, []).append(time.monotonic())

    def clear(self, email: str) -> None:
        self._seen.pop(email, None)


_failures = _Failures()


async def login(session: AsyncSession, email: str, password: str, *, replacing: str | None = None) -> LoginResult:
    """A new session with a new token (`replacing`, the browser's former one, ends: a token planted
    before the login never becomes a logged-in session)."""
    email = (email or "").strip().lower()
    if _failures.recent(email) >= _Failures.MAX_FAILURES:
        raise TooManyRequests("Too many failed attempts for this account: wait 15 minutes and try again.", "email")
    user = (await session.execute(select(User).where(col(User.email) == email))).scalar_one_or_none()
    valid = await asyncio.to_thread(_verify, user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not valid or not user.is_active:
        _failures.add(email)
        raise Unauthorized("Wrong email or password.", "password")
    _failures.clear(email)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(token_hash=_digest(token), user_id=user.id, csrf_token=csrf, expires_at=now + SESSION_LIFETIME)
    )
    user.last_login_at = now
    if replacing:
        await logout(session, replacing)
    await session.execute(delete(UserSession).where(col(UserSession.expires_at) < now))
    await session.flush()
    return LoginResult(token=token, csrf_token=csrf, user=user)


def user_actor(user: User) -> Actor:
    """A user as the one acting (a login's audit entry)."""
    return _user_actor(user)


class RefusedLogin(msgspec.Struct, frozen=True):
    """Who a refused login claimed to be, for the audit log: the email typed (the account's id
    when there is one) and why it was refused. Never the password."""

    actor: Actor
    user_id: int | None
    reason: Literal["unknown_account", "inactive_account", "wrong_password", "too_many_failures"]


async def refused_login(session: AsyncSession, email: str, throttled: bool) -> RefusedLogin:
    email = (email or "").strip().lower()
    user = (await session.execute(select(User).where(col(User.email) == email))).scalar_one_or_none()
    reason: Literal["unknown_account", "inactive_account", "wrong_password", "too_many_failures"] = (
        "too_many_failures"
        if throttled
        else "unknown_account"
        if user is None
        else "inactive_account"
        if not user.is_active
        else "wrong_password"
    )
    user_id = user.id if user is not None else None
    role = check_role(user.role) if user is not None else "viewer"
    return RefusedLogin(
        actor=Actor(kind="user", id=user_id or 0, name=email, role=role), user_id=user_id, reason=reason
    )


async def logout(session: AsyncSession, token: str) -> None:
    _cache.drop("s:" + _digest(token))
    await session.execute(delete(UserSession).where(col(UserSession.token_hash) == _digest(token)))


async def _end_sessions(session: AsyncSession, user_id: int | None, keep: str | None = None) -> None:
    query = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep:
        query = query.where(col(UserSession.token_hash) != _digest(keep))
    await session.execute(query)
    _cache.clear()


class SessionIdentity(msgspec.Struct, frozen=True):
    actor: Actor
    csrf_token: str


async def authenticate_session(sessions: Sessions, token: str) -> SessionIdentity | None:
    key = "s:" + _digest(token)
    cached = _cache.get(key)
    if isinstance(cached, SessionIdentity):
        return cached
    async with transaction(sessions) as session:
        query = (
            select(UserSession, User)
            .join(User, col(User.id) == col(UserSession.user_id))
            .where(col(UserSession.token_hash) == key[2:], col(UserSession.expires_at) > utcnow(), col(User.is_active))
        )
        row = (await session.execute(query)).first()
    if row is None:
        return None
    identity = SessionIdentity(actor=_user_actor(row[1]), csrf_token=row[0].csrf_token)
    _cache.put(key, identity)
    return identity


def csrf_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected, given)


# ---- API keys --------------------------------------------------------------------------------


async def list_api_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.execute(select(ApiKey).order_by(col(ApiKey.created_at).desc()))).scalars().all()


async def create_api_key(session: AsyncSession, *, name: str, role: str, created_by: str) -> tuple[ApiKey, str]:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the key a name that says who uses it.", "name")
    check_role(role)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, role=role, prefix=secret[:10], key_hash=_digest(secret), created_by=created_by)
    session.add(key)
    await session.flush()
    return key, secret


async def revoke_api_key(session: AsyncSession, key_id: int) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("This API key does not exist.")
    key.revoked_at = key.revoked_at or utcnow()
    _cache.drop("k:" + key.key_hash)
    await session.flush()
    return key


async def authenticate_api_key(sessions: Sessions, secret: str) -> Actor | None:
    key = "k:" + _digest(secret)
    cached = _cache.get(key)
    if isinstance(cached, Actor):
        return cached
    async with transaction(sessions) as session:
        found = (
            await session.execute(
                select(ApiKey).where(col(ApiKey.key_hash) == key[2:], col(ApiKey.revoked_at).is_(None))
            )
        ).scalar_one_or_none()
        if found is None or found.id is None:
            return None
        now = utcnow()
        if found.last_used_at is None or found.last_used_at < now - LAST_USED_PRECISION:
            # Not waited for: when the cached identity expires, every request in flight with the
            # key comes here at once, and each would queue on the key's row behind the others.
            free = (
                select(col(ApiKey.id))
                .where(col(ApiKey.id) == found.id)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            await session.execute(update(ApiKey).where(col(ApiKey.id) == free).values(last_used_at=now))
    actor = Actor(kind="api_key", id=found.id, name=found.name, role=check_role(found.role))
    _cache.put(key, actor)
    return actor
