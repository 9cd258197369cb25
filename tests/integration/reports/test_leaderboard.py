"""The leaderboard read from the daily rollups, reconciled with the raw rows (the outbox's
messages, the journeys' runs): the order follows the criterion picked, and a journey's emails are
ranked by their steps' figures."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import OPTED_IN, chain, email, published, unique_type

TODAY = datetime.now(UTC).date()
# Up to tomorrow: a run that starts before midnight (UTC) and counts after it still sees its rollups.
PERIOD = {"from": (TODAY - timedelta(days=7)).isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()}


def _messages(api: Any, journey_id: int) -> list[dict[str, Any]]:
    rows = api.get("/api/outbox", params={"limit": 500}).json()["items"]
    return [r for r in rows if r["journey_id"] == journey_id and r["channel"] == "email"]


def _open(api: Any, message_id: int) -> None:
    html = api.get(f"/api/outbox/{message_id}").json()["html"]
    assert _fetch(api, re.search(r'src="http://[^/]+(/t/o/[^"]+)"', html).group(1)).status_code == 200


def _fetch(api: Any, path: str, **options: Any) -> Any:
    """A tracking request; asked again while SQLite is busy with the worker (503 with Retry-After:
    nothing was recorded, as the answer says)."""
    for _ in range(20):
        answer = api.get(path, **options)
        if answer.status_code != 503:
            return answer
        time.sleep(0.2)
    return answer


def _journey(api: Any, name: str, people: int) -> dict[str, Any]:
    """A published journey (hello, then news) that `people` contacts entered."""
    hello, news = email(api, f"{name} hello"), email(api, f"{name} news")
    kind, goal = unique_type("entered"), unique_type("goal")
    made = api.post(
        "/api/journeys",
        json={
            "name": name,
            "definition": chain(
                ("start", "entry.interaction", {"type": kind}),
                ("hello", "action.email", {"email_id": hello}),
                ("news", "action.email", {"email_id": news}),
            ),
            "settings": {"goal": {"type": goal, "window": "P30D"}},
        },
    ).json()
    published(api, made["id"])
    contacts = [
        api.post("/api/contacts", json={"email": f"p{i}.{kind}@example.org", **OPTED_IN}).json() for i in range(people)
    ]
    api.post("/api/interactions", json={"batch": [{"contact_id": c["id"], "type": kind} for c in contacts]})
    api.eventually(lambda: sum(m["status"] == "captured" for m in _messages(api, made["id"])) == 2 * people)
    return {**made, "emails": {"hello": hello, "news": news}, "contacts": contacts, "goal": goal}


@pytest.fixture(scope="module")
def board(api: Any) -> dict[str, Any]:
    """Opens: Bright 3 (of 3), Quiet 1 (of 2); conversions: Quiet 2, Bright 0."""
    bright, quiet = _journey(api, "Bright", 3), _journey(api, "Quiet", 2)
    for m in _messages(api, bright["id"]):
        if m["email_id"] == bright["emails"]["hello"]:
            _open(api, m["id"])
    first_quiet = next(m for m in _messages(api, quiet["id"]) if m["email_id"] == quiet["emails"]["news"])
    _open(api, first_quiet["id"])
    goals = [{"contact_id": c["id"], "type": quiet["goal"]} for c in quiet["contacts"]]
    api.post("/api/interactions", json={"batch": goals})
    api.eventually(
        lambda: sum(bool(r["converted_at"]) for r in api.get(f"/api/journeys/{quiet['id']}/runs").json()) == 2
    )
    return {"bright": bright, "quiet": quiet}


def _ranked(api: Any, **params: Any) -> list[dict[str, Any]]:
    answer = api.get("/api/reports/leaderboard", params={**PERIOD, **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _settled(api: Any, expected_opens: int, expected_conversions: int) -> list[dict[str, Any]]:
    """The leaderboard once the stream has counted every interaction."""
    return list(
        api.eventually(
            lambda: (
                (items := _ranked(api, kind="journeys", metric="unique_opens"))
                and sum(i["unique_opens"] for i in items) == expected_opens
                and sum(i["conversions"] for i in items) == expected_conversions
                and items
            )
        )
        or []
    )


def test_journeys_ranked_by_the_criterion_reconcile_with_runs_and_messages(api: Any, board: dict[str, Any]) -> None:
    items = _settled(api, 4, 2)
    assert [i["name"] for i in items] == ["Bright", "Quiet"]
    for item in items:
        messages = _messages(api, item["id"])
        runs = api.get(f"/api/journeys/{item['id']}/runs").json()
        assert item["sent"] == sum(m["status"] in ("sent", "captured") for m in messages)
        assert item["delivered"] == item["sent"]  # nothing bounced
        assert item["unique_opens"] == sum(bool(m["opened_at"]) for m in messages)
        assert item["entered"] == len(runs)
        assert item["conversions"] == sum(bool(r["converted_at"]) for r in runs)
        assert item["open_rate"] == {
            "value": item["unique_opens"] / item["delivered"],
            "numerator": "unique_opens",
            "divisor": "delivered",
        }
        assert item["conversion_rate"]["value"] == item["conversions"] / item["entered"]
    by_conversions = _ranked(api, kind="journeys", metric="conversions")
    assert [(i["rank"], i["name"], i["conversions"]) for i in by_conversions] == [(1, "Quiet", 2), (2, "Bright", 0)]
    tied = _ranked(api, kind="journeys", metric="revenue")
    assert [i["rank"] for i in tied] == [1, 1]


def test_a_journeys_emails_ranked_by_their_steps(api: Any, board: dict[str, Any]) -> None:
    _settled(api, 4, 2)
    quiet = board["quiet"]
    items = _ranked(api, kind="emails", metric="unique_opens", journey_ids=[quiet["id"]])
    assert [(i["id"], i["unique_opens"], i["sent"]) for i in items] == [
        (quiet["emails"]["news"], 1, 2),
        (quiet["emails"]["hello"], 0, 2),
    ]
    assert items[0]["conversions"] is None and items[0]["conversion_rate"] is None
    every = _ranked(api, kind="emails", metric="unique_opens")
    assert [i["unique_opens"] for i in every] == [3, 1, 0, 0]
    assert every[0]["id"] == board["bright"]["emails"]["hello"]


def test_the_leaderboard_as_csv_and_bad_criteria(api: Any, board: dict[str, Any]) -> None:
    _settled(api, 4, 2)
    answer = api.get("/api/reports/leaderboard", params={**PERIOD, "metric": "conversions", "format": "csv"})
    lines = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert [(line["name"], line["conversions"], line["conversions / entered"]) for line in lines] == [
        ("Quiet", "2", "1.0"),
        ("Bright", "0", "0.0"),
    ]
    wrong = api.get("/api/reports/leaderboard", params={"metric": "likes"})
    assert wrong.status_code == 400 and "metric" in wrong.text
    assert api.get("/api/reports/leaderboard", params={"kind": "pages"}).status_code == 400
