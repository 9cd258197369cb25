"""The proof of work as a browser meets it: fetch a challenge, solve it, post it once; and the rate
limits every public endpoint shares (429 with Retry-After)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from altcha import Challenge, Payload, solve_challenge
from litestar.testing import TestClient
from redis.asyncio import Redis

from parcours.app import create_app
from parcours.guard import proof, ratelimit
from parcours.guard.routes import script_path

CHALLENGES_PER_MINUTE = 4


@pytest.fixture(scope="module")
def frontend(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built frontend of its own (empty at first), for each database the module runs on."""
    return tmp_path_factory.mktemp(f"dist-{backend}")


@pytest.fixture(scope="module")
def client(app_settings: Any, frontend: Path) -> Iterator[TestClient[Any]]:
    settings = msgspec.structs.replace(
        app_settings,
        challenges_per_ip_minute=CHALLENGES_PER_MINUTE,
        in_process_worker=False,
        frontend_dir=str(frontend),
    )
    with TestClient(create_app(settings, migrate=True)) as client:
        yield client


def with_redis(redis_url: str, work: Any) -> Any:
    async def run() -> Any:
        redis = Redis.from_url(redis_url)
        try:
            return await work(redis)
        finally:
            await redis.aclose()

    return asyncio.run(run())


def solve(challenge: dict[str, Any]) -> str:
    """What the widget does in the browser: find the counter, post challenge and solution in base64."""
    parsed = Challenge.from_dict(challenge)
    solution = solve_challenge(parsed)
    assert solution is not None
    return Payload(parsed, solution).to_base64()


def test_a_solved_challenge_counts_once(client: TestClient[Any], redis_url: str) -> None:
    answer = client.get("/guard/challenge")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    challenge = answer.json()
    assert challenge["parameters"]["algorithm"] == proof.ALGORITHM and challenge["parameters"]["expiresAt"]
    payload = solve(challenge)
    secret = client.app.state.runtime.secret_key
    now = datetime.now(UTC)

    async def twice(redis: Redis) -> list[bool]:
        return [await proof.solved(redis, secret, payload, now) for _ in range(2)]

    assert with_redis(redis_url, twice) == [True, False]  # the second time is a replay


def test_expired_forged_and_foreign_proofs_fail(client: TestClient[Any], redis_url: str) -> None:
    secret = client.app.state.runtime.secret_key
    now = datetime.now(UTC)
    expired = solve(proof.challenge(secret, now - timedelta(minutes=11), max_number=50))
    foreign = solve(proof.challenge("another-installation", now, max_number=50))
    good = proof.challenge(secret, now, max_number=50)
    decoded = json.loads(base64.b64decode(solve(good)))
    decoded["challenge"]["parameters"]["expiresAt"] += 3600  # a longer life, without our signature
    stretched = base64.b64encode(json.dumps(decoded).encode()).decode()
    decoded["challenge"]["parameters"]["expiresAt"] -= 3600
    decoded["solution"]["derivedKey"] = "00" * 32  # a solution not found by work
    unsolved = base64.b64encode(json.dumps(decoded).encode()).decode()
    candidates = [None, "", "not base64!", base64.b64encode(b"[1,2]").decode(), "A" * 10_000]
    candidates += [expired, foreign, stretched, unsolved]

    async def check(redis: Redis) -> list[bool]:
        return [await proof.solved(redis, secret, candidate, now) for candidate in candidates]

    assert with_redis(redis_url, check) == [False] * len(candidates)


def test_challenges_are_rate_limited_per_address(client: TestClient[Any]) -> None:
    answers = [client.get("/guard/challenge", headers={"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(8)]
    codes = [answer.status_code for answer in answers]
    # The header is not trusted by default: all these come from one address.
    assert codes.count(429) >= len(codes) - CHALLENGES_PER_MINUTE
    refused = answers[-1]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"]["message"]


def test_hit_counts_in_a_window(redis_url: str) -> None:
    async def hits(redis: Redis) -> list[int | None]:
        return [await ratelimit.hit(redis, "form:test-window", limit=3, window_seconds=30) for _ in range(5)]

    first = with_redis(redis_url, hits)
    assert first[:3] == [None, None, None]
    assert all(isinstance(wait, int) and 1 <= wait <= 30 for wait in first[3:])


def test_the_widget_is_served_from_our_server(client: TestClient[Any], frontend: Path) -> None:
    assert client.get("/guard/altcha.js").status_code == 503  # not built yet: says so
    (frontend / "guard").mkdir()
    (frontend / "guard" / "altcha.js").write_text("customElements.define('altcha-widget', class {});")
    versioned = client.get(script_path(frontend))
    assert versioned.status_code == 200 and versioned.headers["content-type"].startswith("text/javascript")
    assert "immutable" in versioned.headers["cache-control"]
    assert "immutable" not in client.get("/guard/altcha.js?v=old").headers["cache-control"]
