"""A question that runs longer than the exploration timeout is stopped and answered in words; the
product goes on (the next question is answered). A tiny timeout over a generated table makes
any full read too slow, on each database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from parcours.settings import async_url, load_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

ROWS = 100_000


@pytest.fixture(scope="module")
def app_settings(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
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
        explore_timeout=0.005,
    )


def generate(url: str, contact_id: int) -> None:
    """ROWS interactions of one contact, written by the database itself."""

    async def run() -> None:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    numbers = f"select n from generate_series(1, {ROWS}) as n"
                else:
                    numbers = f"with recursive s(n) as (select 1 union all select n + 1 from s where n < {ROWS}) select n from s"
                await connection.execute(
                    text(
                        "insert into interactions (contact_id, type, occurred_at, properties, received_at)"
                        f" select :cid, 'visit_' || (n % 50), current_timestamp, '{{}}', current_timestamp from ({numbers}) as g"
                    ),
                    {"cid": contact_id},
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_a_slow_question_is_stopped_and_the_next_one_answered(api: Any, app_settings: Any) -> None:
    contact = api.post("/api/contacts", json={"email": "slow@example.org"}).json()
    generate(app_settings.database_url, contact["id"])
    slow = api.post(
        "/api/explore",
        json={"dataset": "interactions", "group_by": ["type", "day"], "measures": [{"kind": "contacts"}]},
    )
    assert slow.status_code == 422, slow.text
    assert "takes longer than" in slow.json()["error"]["message"]
    # The lock was released and the read session given back: the next question runs (a tiny one
    # may still pass 5 ms on a busy database: then it is stopped the same way, not refused as busy).
    quick = api.post("/api/explore", json={"dataset": "contacts"})
    assert quick.status_code in (200, 422), quick.text
    if quick.status_code == 200:
        assert quick.json()["rows"] == [[1]]
