"""Integration fixtures: the real app, a real Redis server, real SQLite and (if set) PostgreSQL.

Each test module gets a fresh database and a running product (API + in-process worker).
Set PARCOURS_TEST_DATABASE_URL to run every integration test against PostgreSQL as well.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from parcours.app import create_app
from parcours.queue import EmbeddedRedis
from parcours.settings import async_url, load_settings
from tests import factories
from tests.factories import unique_email  # noqa: F401  (still importable from here)

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-123"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("PARCOURS_TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = server.start()
    yield url
    server.stop()


async def recreate_postgres(admin_url: str, name: str) -> None:
    """The database `name` made afresh, through a connection to `admin_url`'s."""
    engine = create_async_engine(async_url(admin_url), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """This test process's PostgreSQL database: PARCOURS_TEST_DATABASE_URL's or, when pytest-xdist
    runs the modules in several processes, one per process beside it (`<name>_gw0`, ...), made
    afresh: each module drops and recreates the schema, which would pull it from under another's."""
    url = os.environ["PARCOURS_TEST_DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base, _, name = url.rpartition("/")
    asyncio.run(recreate_postgres(url, f"{name}_{worker}"))
    return f"{base}/{name}_{worker}"


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(async_url(url))
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _flush_redis(url: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "postgresql":
        url = str(request.getfixturevalue("postgres_url"))
        asyncio.run(_reset_postgres(url))
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'parcours.db'}"


class Api:
    """A logged-in client: `api.get(...)`, `api.post(...)`, with the CSRF token sent for writes."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def as_key(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def new_key(self, role: str) -> str:
        response = self.client.post("/api/api-keys", json={"name": f"{role} key", "role": role})
        assert response.status_code == 201, response.text
        return str(response.json()["key"])

    def wait_job(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.client.get(f"/api/jobs/{job_id}").json()
            if job["status"] in ("done", "failed"):
                return dict(job)
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish in {timeout}s: {job}")

    def eventually(self, check: Callable[[], Any], timeout: float = 20) -> Any:
        """Poll until `check` returns something truthy (the worker does its part meanwhile)."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.1)


@pytest.fixture(scope="module")
def app_settings(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    asyncio.run(_flush_redis(redis_url))
    return load_settings(
        {},
        data_dir=str(tmp_path_factory.mktemp("data")),
        database_url=database_url,
        redis_url=redis_url,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        seed_demo_data=False,
        db_pool_size=4,
        frontend_dir=str(Path(__file__).parent / "no-spa"),
    )


@contextmanager
def signed_in(settings: Any) -> Iterator[Api]:
    """The product started with these settings, and the admin logged in to it."""
    with TestClient(create_app(settings, migrate=True)) as client:
        login = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        client.headers["x-csrf-token"] = login.json()["csrf_token"]
        yield Api(client)


@pytest.fixture(scope="module")
def api(app_settings: Any) -> Iterator[Api]:
    with signed_in(app_settings) as api:
        yield api


@pytest.fixture
def make_contact(api: Api) -> Callable[..., dict[str, Any]]:
    return lambda **fields: factories.contact(api, **fields)


class SmtpServer:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, list[str], bytes]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                outer.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 OK"

        from parcours.queue import free_port

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()
