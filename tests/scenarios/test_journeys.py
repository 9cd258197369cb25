"""Contacts go through journeys while the clock moves: they enter, wait days, branch, get their
emails, wait for what they do, stay on the version they entered, stop when the journey stops; runs
wake when Redis forgot their timers; a webhook to this machine is refused (the default)."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    OPTED_IN,
    chain,
    email,
    journey,
    outbox_by_channel,
    outbox_of,
    published,
    runs,
    static_segment,
    stats,
    unique_type,
)
from tests.scenarios.harness import Scenario
from tests.scenarios.receiver import Receiver


def test_contacts_go_through_email_wait_condition_and_branch(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    fr = [make_contact(country="FR", **OPTED_IN) for _ in range(3)]
    be = [make_contact(country="BE", **OPTED_IN) for _ in range(2)]
    welcome, french, other = email(api, "Welcome"), email(api, "Bonjour"), email(api, "Hello")
    definition = chain(
        ("start", "entry.segment", {"segment_id": static_segment(api, [c["id"] for c in fr + be])}),
        ("mail", "action.email", {"email_id": welcome}),
        ("pause", "flow.wait", {"duration": "P3D"}),
        ("french", "flow.condition", {"rule": 'country == "FR"'}),
        ("mail_fr", "action.email", {"email_id": french}),
        ("mail_other", "action.email", {"email_id": other}),
        edges=[
            ("start", "mail", None),
            ("mail", "pause", None),
            ("pause", "french", None),
            ("french", "mail_fr", "yes"),
            ("french", "mail_other", "no"),
        ],
    )
    made = journey(api, definition)
    result = published(api, made["id"])
    assert result["enrolled"] == 5 and result["journey"]["status"] == "published" and result["journey"]["version"] == 1

    scenario.settle()
    assert stats(api, made["id"])["nodes"]["pause"]["waiting"] == 5
    scenario.advance("P2D")
    assert outbox_of(api, french) == [] and outbox_of(api, other) == []  # still waiting
    scenario.advance("P1D")

    found = stats(api, made["id"])
    assert found["completed"] == 5, found
    nodes = found["nodes"]
    assert nodes["mail"]["entered"] == 5 and nodes["pause"]["completed"] == 5
    assert nodes["french"]["branches"] == {"yes": 3, "no": 2}
    assert (nodes["mail_fr"]["entered"], nodes["mail_other"]["entered"]) == (3, 2)
    assert [step["node_id"] for step in found["funnel"]][:4] == ["start", "mail", "pause", "french"]
    # Each contact receives each message once, and the right one.
    assert sorted(m["contact_id"] for m in outbox_of(api, welcome)) == sorted(c["id"] for c in fr + be)
    assert sorted(m["contact_id"] for m in outbox_of(api, french)) == sorted(c["id"] for c in fr)
    assert sorted(m["contact_id"] for m in outbox_of(api, other)) == sorted(c["id"] for c in be)
    assert nodes["mail"]["email"]["sent"] == 5, "the journey's emails are delivered and counted on their step"
    # The path is on each contact's timeline.
    steps = api.get(f"/api/contacts/{fr[0]['id']}/interactions", params={"type": "journey_step"}).json()["items"]
    assert {s["properties"]["node_id"] for s in steps} >= {"start", "mail", "pause", "french", "mail_fr"}


def test_an_interaction_starts_a_run_and_a_wait_for_resumes_it_at_once(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    reminder, thanks = email(api, "Your cart"), email(api, "Thanks")
    kind = unique_type("cart_abandoned")
    definition = chain(
        ("cart", "entry.interaction", {"type": kind}),
        ("wait", "flow.wait_for", {"type": "purchase", "timeout": "P1D"}),
        ("thank", "action.email", {"email_id": thanks}),
        ("remind", "action.email", {"email_id": reminder}),
        edges=[("cart", "wait", None), ("wait", "thank", "happened"), ("wait", "remind", "timeout")],
    )
    made = journey(api, definition, reentry="every_time")
    published(api, made["id"])
    buyer, browser = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    scenario.submit({"contact_id": buyer["id"], "type": kind}, {"contact_id": browser["id"], "type": kind})
    assert stats(api, made["id"])["nodes"]["wait"]["waiting"] == 2, runs(api, made["id"])

    scenario.submit({"contact_id": buyer["id"], "type": "purchase", "properties": {"amount": 30}})
    assert [m["contact_id"] for m in outbox_of(api, thanks)] == [buyer["id"]]
    assert outbox_of(api, reminder) == []
    scenario.advance("P1D")
    assert [m["contact_id"] for m in outbox_of(api, reminder)] == [browser["id"]], runs(api, made["id"])
    assert [m["contact_id"] for m in outbox_of(api, thanks)] == [buyer["id"]]


def test_editing_a_live_journey_keeps_contacts_on_their_version(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    people = [make_contact(**OPTED_IN) for _ in range(2)]
    first, second = email(api, "First"), email(api, "Second")
    segment = static_segment(api, [p["id"] for p in people])
    long_wait = chain(
        ("start", "entry.segment", {"segment_id": segment, "include_later": True}),
        ("wait", "flow.wait", {"duration": "P4D"}),
        ("mail", "action.email", {"email_id": first}),
    )
    made = journey(api, long_wait)
    published(api, made["id"])
    scenario.settle()
    edited = dict(long_wait)
    edited["nodes"] = [*long_wait["nodes"][:2], {"id": "mail", "type": "action.email", "config": {"email_id": second}}]
    assert api.patch(f"/api/journeys/{made['id']}", json={"definition": edited}).json()["has_changes"] is True
    assert published(api, made["id"])["journey"]["version"] == 2
    newcomer = make_contact(**OPTED_IN)
    api.post(f"/api/segments/{segment}/members", json={"contact_ids": [newcomer["id"]]})
    scenario.settle()
    assert (len(outbox_of(api, first)), len(outbox_of(api, second))) == (0, 0)
    scenario.advance("P4D")
    assert (len(outbox_of(api, first)), len(outbox_of(api, second))) == (2, 1)
    found = runs(api, made["id"])
    assert sorted((r["contact_id"], r["version"]) for r in found) == sorted(
        [(p["id"], 1) for p in people] + [(newcomer["id"], 2)]
    )


def test_pause_resume_stop(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    person = make_contact(**OPTED_IN)
    definition = chain(
        ("start", "entry.segment", {"segment_id": static_segment(api, [person["id"]])}),
        ("wait", "flow.wait", {"duration": "P1D"}),
        ("end", "flow.exit", {}),
    )
    made = journey(api, definition)
    published(api, made["id"])
    assert api.post(f"/api/journeys/{made['id']}/pause").json()["status"] == "paused"
    assert api.post(f"/api/journeys/{made['id']}/pause").status_code == 409
    assert api.post(f"/api/journeys/{made['id']}/resume").json()["status"] == "published"
    assert api.delete(f"/api/journeys/{made['id']}").status_code == 409
    scenario.settle()
    assert stats(api, made["id"])["nodes"]["wait"]["waiting"] == 1
    assert api.post(f"/api/journeys/{made['id']}/stop").json()["status"] == "stopped"
    found = stats(api, made["id"])
    assert (found["active"], found["exited"], found["nodes"]["wait"]["exited"]) == (0, 1, 1)
    assert api.delete(f"/api/journeys/{made['id']}").status_code == 204


def test_runs_wake_after_redis_forgets_them(scenario: Scenario) -> None:
    api, count = scenario.api, 500
    lines = ["email,email_opt_in,consent_level,city"] + [
        f"flushed.{i}@reliability.example.org,yes,marketing,Flushed" for i in range(count)
    ]
    started = api.post("/api/contacts/import", files={"file": ("people.csv", "\n".join(lines).encode(), "text/csv")})
    assert started.status_code == 202, started.text
    scenario.settle()
    assert api.wait_job(started.json()["job_id"])["result"]["created"] == count
    segment = api.post("/api/segments", json={"name": "flushed", "kind": "dynamic", "rule": 'city == "Flushed"'}).json()
    scenario.settle()
    assert api.get(f"/api/segments/{segment['id']}").json()["member_count"] == count
    made = journey(
        api,
        chain(
            ("start", "entry.segment", {"segment_id": segment["id"]}),
            ("first", "action.email", {"email_id": email(api, "First")}),
            ("pause", "flow.wait", {"duration": "P2D"}),
            ("second", "action.email", {"email_id": email(api, "Second")}),
        ),
    )
    published(api, made["id"])
    scenario.settle()
    assert stats(api, made["id"])["nodes"]["pause"]["waiting"] == count
    scenario.call(scenario.runtime.redis.flushdb)  # the timers' jobs are gone
    scenario.advance("P2D")
    found = stats(api, made["id"])
    assert found["completed"] == count, found
    # Each contact went through each step once and got each message once.
    for node in ("start", "first", "pause", "second"):
        assert found["nodes"][node]["entered"] == count, (node, found["nodes"][node])
    for node in ("first", "second"):
        sent = found["nodes"][node]["email"]
        assert (sent["sent"], sent["queued"], sent["failed"], sent["suppressed"]) == (count, 0, 0, 0), sent


def test_a_webhook_to_this_machine_is_refused_and_never_called(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    receiver = Receiver()
    try:
        person = make_contact(consent_level="marketing")
        definition = chain(
            ("start", "entry.interaction", {"type": "quote_requested"}),
            ("hook", "action.webhook", {"url": f"http://127.0.0.1:{receiver.port}/hooks/internal"}),
        )
        made = journey(api, definition)
        published(api, made["id"])
        scenario.submit({"contact_id": person["id"], "type": "quote_requested"})
        done = outbox_by_channel(api, made["id"])
        assert done.get("webhook", {}).get("status") == "failed", done
        assert done["webhook"]["reason"].startswith("The address 127.0.0.1 is on a private network")
        assert receiver.requests == []
    finally:
        receiver.server.shutdown()


def test_the_second_email_goes_three_days_later_only_to_those_who_did_not_open_the_first(
    scenario: Scenario, make_contact: Any
) -> None:
    api = scenario.api
    first, second = email(api, "Our offer"), email(api, "Our offer, again")
    kind = unique_type("trial_started")
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": kind}),
            ("first", "action.email", {"email_id": first}),
            ("opened", "flow.wait_for", {"type": "email_opened", "timeout": "P3D"}),
            ("again", "action.email", {"email_id": second}),
            ("done", "flow.exit", {}),
            edges=[
                ("start", "first", None),
                ("first", "opened", None),
                ("opened", "done", "happened"),
                ("opened", "again", "timeout"),
            ],
        ),
    )
    published(api, made["id"])
    reader, busy = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    scenario.submit({"contact_id": reader["id"], "type": kind}, {"contact_id": busy["id"], "type": kind})
    assert sorted(m["contact_id"] for m in outbox_of(api, first)) == sorted([reader["id"], busy["id"]])

    scenario.advance("P1D")
    scenario.submit({"contact_id": reader["id"], "type": "email_opened"})
    scenario.advance("P1DT23H")
    assert outbox_of(api, second) == []  # three days are not over
    scenario.advance("PT1H")
    assert [m["contact_id"] for m in outbox_of(api, second)] == [busy["id"]]
    assert {r["contact_id"]: r["status"] for r in runs(api, made["id"])} == {
        reader["id"]: "exited",
        busy["id"]: "completed",
    }
