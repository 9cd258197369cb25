"""The audit log beyond users, keys and fields: logins and refused logins (never the password),
a deletion of every kind, a cancelled campaign, and every way contact data leaves (a segment's
CSV, a download with chosen fields, a scheduled export run by hand), as an admin reads them
through /api/audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests import factories
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api
from tests.factories import static_segment, unique_email, unique_type
from tests.integration.audit.test_audit import entries, latest
from tests.integration.emails.test_campaigns import new_email
from tests.integration.scoring.test_scoring import HOT
from tests.integration.webhooks.test_webhook_settings import GOOD


def _log_in(api: Api, email: str, password: str) -> Any:
    answer = api.post("/api/auth/login", json={"email": email, "password": password})
    if answer.status_code == 200:
        api.headers["x-csrf-token"] = answer.json()["csrf_token"]
    return answer


def test_logins_and_refused_logins_are_logged_without_the_password(api: Api) -> None:
    email = unique_email("viewer")
    user = api.post("/api/users", json={"email": email, "password": "viewer-password-1", "role": "viewer"}).json()
    assert _log_in(api, email, "viewer-password-1").status_code == 200
    assert _log_in(api, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
    logins = entries(api, action="auth.login")
    assert logins[0]["actor_name"] == ADMIN_EMAIL and logins[0]["actor_kind"] == "user"
    assert logins[0]["target_kind"] == "user" and logins[0]["address"] == "testclient"
    assert logins[1]["actor_name"] == email and logins[1]["target_id"] == str(user["id"])

    # Refused: the request's own transaction rolls back, the entry stays.
    guess = "not-the-password-42"
    assert _log_in(api, email, guess).status_code == 401
    wrong = latest(api, "auth.login_failed")
    assert wrong["actor_name"] == email and wrong["target_id"] == str(user["id"])
    assert wrong["after"] == {"reason": "wrong_password"}
    stranger = unique_email("nobody")
    assert _log_in(api, stranger, guess).status_code == 401
    unknown = latest(api, "auth.login_failed")
    assert unknown["actor_name"] == stranger and unknown["target_id"] == ""
    assert unknown["after"] == {"reason": "unknown_account"}
    assert api.patch(f"/api/users/{user['id']}", json={"is_active": False}).status_code == 200
    assert _log_in(api, email, "viewer-password-1").status_code == 401
    assert latest(api, "auth.login_failed")["after"] == {"reason": "inactive_account"}
    # Throttled after ten failures: each further try is logged as such.
    target = unique_email("guessed")
    for _ in range(10):
        assert _log_in(api, target, guess).status_code == 401
    assert _log_in(api, target, guess).status_code == 429
    assert latest(api, "auth.login_failed")["after"] == {"reason": "too_many_failures"}
    refused = entries(api, action="auth.login_failed")
    assert len([e for e in refused if e["actor_name"] == target]) == 11
    everything = str(entries(api, actor=email)) + str(refused)
    assert guess not in everything and "viewer-password-1" not in everything
    assert "auth.login_failed" in api.get("/api/audit/actions").json()["actions"]


def _made(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _deleted(api: Api, path: str, action: str, target_id: Any, label: str) -> dict[str, Any]:
    assert api.delete(path).status_code == 204
    entry = latest(api, action)
    assert entry["actor_name"] == ADMIN_EMAIL
    assert (entry["target_id"], entry["target_label"]) == (str(target_id), label), entry
    return entry


def test_every_kind_of_deletion_is_logged_with_what_was_deleted(api: Api) -> None:
    tag = unique_type("gone")
    kinds: list[tuple[str, Callable[[], tuple[str, Any, str]]]] = []

    def program() -> tuple[str, Any, str]:
        made = _made(
            api.post(
                "/api/programs",
                json={
                    "name": f"Program {tag}",
                    "kpi": {"metric": "new_leads"},
                    "target": 10,
                    "starts_on": "2031-01-01",
                    "ends_on": "2031-03-31",
                },
            )
        )
        return f"/api/programs/{made['id']}", made["id"], f"Program {tag}"

    def computed_field() -> tuple[str, Any, str]:
        body = {"name": f"f_{tag}"[:40], "label": f"Field {tag}", "aggregate": "count", "interaction_type": "purchase"}
        made = _made(api.post("/api/computed-fields", json=body))
        # Deleted once its backfill is over: this test is about the log, not about that race.
        backfilled = api.eventually(
            lambda: api.get(f"/api/computed-fields/{made['id']}").json()["backfilled_at"] is not None, 30
        )
        assert backfilled
        return f"/api/computed-fields/{made['id']}", made["id"], f"Field {tag}"

    def page() -> tuple[str, Any, str]:
        body = {"name": f"Page {tag}", "slug": tag.replace("_", "-"), "language": "en"}
        made = _made(api.post("/api/pages", json=body))
        return f"/api/pages/{made['id']}", made["id"], f"Page {tag}"

    def event() -> tuple[str, Any, str]:
        made = factories.event(api, name=f"Event {tag}", capacity=5, status="draft")
        return f"/api/events/{made['id']}", made["id"], f"Event {tag}"

    def scoring_model() -> tuple[str, Any, str]:
        # Inactive: no recompute of the whole base runs while it is deleted.
        body = {**HOT, "key": tag[:30], "name": f"Model {tag}", "active": False}
        made = _made(api.post("/api/scoring/models", json=body))
        return f"/api/scoring/models/{made['id']}", made["id"], f"Model {tag}"

    def webhook() -> tuple[str, Any, str]:
        made = _made(api.post("/api/webhooks", json={**GOOD, "name": f"Hook {tag}"}))
        return f"/api/webhooks/{made['id']}", made["id"], f"Hook {tag}"

    def account() -> tuple[str, Any, str]:
        made = _made(api.post("/api/accounts", json={"name": f"Account {tag}"}))
        return f"/api/accounts/{made['id']}", made["id"], f"Account {tag}"

    def import_source() -> tuple[str, Any, str]:
        body = {"name": f"Source {tag}", "kind": "directory", "directory": "crm", "mapping": None}
        made = _made(api.post("/api/imports/sources", json=body))
        return f"/api/imports/sources/{made['id']}", made["id"], f"Source {tag}"

    def scheduled_export() -> tuple[str, Any, str]:
        body = {
            "name": f"Export {tag}",
            "segment_id": static_segment(api, []),
            "fields": ["email"],
            "kind": "directory",
            "directory": "out",
        }
        made = _made(api.post("/api/exports/scheduled", json=body))
        return f"/api/exports/scheduled/{made['id']}", made["id"], f"Export {tag}"

    kinds = [
        ("program.deleted", program),
        ("computed_field.deleted", computed_field),
        ("page.deleted", page),
        ("event.deleted", event),
        ("scoring_model.deleted", scoring_model),
        ("webhook.deleted", webhook),
        ("account.deleted", account),
        ("import_source.deleted", import_source),
        ("scheduled_export.deleted", scheduled_export),
    ]
    for action, make in kinds:
        path, target_id, label = make()
        _deleted(api, path, action, target_id, label)

    # Deleted again: refused, and nothing more is logged.
    count = len(entries(api, action="webhook.deleted"))
    assert api.delete(path).status_code == 404
    assert len(entries(api, action="scheduled_export.deleted")) == 1
    assert len(entries(api, action="webhook.deleted")) == count


def test_deleted_money_rows_keep_their_figures(api: Api) -> None:
    contact = factories.contact(api)
    deal = _made(api.post("/api/opportunities", json={"name": "Big deal", "contact_id": contact["id"], "budget": 5000}))
    entry = _deleted(api, f"/api/opportunities/{deal['id']}", "opportunity.deleted", deal["id"], "Big deal")
    assert entry["before"]["budget"] == 5000 and entry["before"]["contact_id"] == contact["id"]

    spent = _made(api.post("/api/marketing-spend", json={"month": "2031-04", "channel": "print", "amount": 120.5}))
    entry = _deleted(api, f"/api/marketing-spend/{spent['id']}", "spend.deleted", spent["id"], "2031-04 print")
    assert entry["before"] == {"month": "2031-04", "channel": "print", "amount": 120.5}

    event = factories.event(api, name="Trade fair", capacity=5, status="draft")
    cost = _made(
        api.post(f"/api/events/{event['id']}/costs", json={"category": "venue", "label": "Room", "amount": 300})
    )
    entry = _deleted(api, f"/api/events/{event['id']}/costs/{cost['id']}", "event_cost.deleted", cost["id"], "Room")
    assert entry["before"] == {"event_id": event["id"], "label": "Room", "amount": 300}
    member = _made(api.post(f"/api/events/{event['id']}/team", json={"name": "Sam", "role": "host"}))
    entry = _deleted(
        api, f"/api/events/{event['id']}/team/{member['id']}", "event_team_member.deleted", member["id"], "Sam"
    )
    assert entry["before"] == {"event_id": event["id"], "name": "Sam", "role": "host"}
    # Another event's cost line is not this event's to delete.
    other = _made(api.post(f"/api/events/{event['id']}/costs", json={"category": "ads", "label": "Ads", "amount": 1}))
    assert api.delete(f"/api/events/999999/costs/{other['id']}").status_code == 404
    assert [c["label"] for c in api.get(f"/api/events/{event['id']}/costs").json()] == ["Ads"]


def test_a_cancelled_campaign_and_every_export_of_contacts_are_logged(api: Api) -> None:
    people = [factories.contact(api, email_opt_in=True, consent_level="marketing") for _ in range(2)]
    segment_id = static_segment(api, [p["id"] for p in people])
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    campaign = _made(
        api.post(
            "/api/campaigns",
            json={"name": "Spring", "email_id": new_email(api), "segment_ids": [segment_id], "send_at": later},
        )
    )
    cancelled = api.post(f"/api/campaigns/{campaign['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    entry = latest(api, "campaign.cancelled")
    assert entry["target_id"] == str(campaign["id"]) and entry["target_kind"] == "campaign"

    assert api.get(f"/api/segments/{segment_id}/members.csv").status_code == 200
    entry = latest(api, "contacts.exported")
    assert (entry["target_kind"], entry["target_id"]) == ("segment", str(segment_id))
    fields = {"fields": ["email", "first_name"]}
    assert api.get(f"/api/exports/segments/{segment_id}/csv", params=fields).status_code == 200
    entry = latest(api, "contacts.exported")
    assert entry["target_id"] == str(segment_id) and entry["after"] == {"columns": ["email", "first_name"]}

    body = {"name": "Nightly", "segment_id": segment_id, "fields": ["email"], "kind": "directory", "directory": "out"}
    export = _made(api.post("/api/exports/scheduled", json=body))
    assert api.post(f"/api/exports/scheduled/{export['id']}/run").status_code == 202
    entry = latest(api, "contacts.exported")
    assert (entry["target_kind"], entry["target_id"], entry["target_label"]) == (
        "scheduled_export",
        str(export["id"]),
        "Nightly",
    )
    assert entry["after"] == {"segment_id": segment_id, "columns": ["email"], "destination": "out"}
    # The people themselves are not in the log.
    assert not any(p["email"] in str(entries(api, action="contacts.exported")) for p in people)
