"""The authorization matrix: every operation of the OpenAPI document, asked by anonymous, by an API
key of each role, and by an administrator's session with and without its CSRF header. The table
below is the decision for each operation — who may call it — and the test fails when an operation
is added (or removed) without a decision here, or when the app answers otherwise than decided:
401 without credentials, 403 below the role (and for a session's write without the CSRF header),
neither at or above it (the request may still be refused for its content: 400, 404...).

Path parameters name nothing that exists (ids beyond any row), and bodies are empty objects:
nothing is changed by the calls that get through, they are refused for their content."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import signed_in

ROLES = ["viewer", "marketer", "admin"]

# Who may call each operation: "public" (anyone, no credentials); the least role ("viewer",
# "marketer", "admin"), by API key or session; "user": a person's session only (a key is no one's
# profile); "key:marketer": an API key of a marketer or more only (a website's server, never a browser).
DECISIONS: dict[tuple[str, str], str] = {
    ("GET", "/api/accounts"): "viewer",
    ("POST", "/api/accounts"): "marketer",
    ("DELETE", "/api/accounts/{account_id}"): "marketer",
    ("GET", "/api/accounts/{account_id}"): "viewer",
    ("PATCH", "/api/accounts/{account_id}"): "marketer",
    ("GET", "/api/accounts/{account_id}/scores"): "viewer",
    ("GET", "/api/api-keys"): "admin",
    ("POST", "/api/api-keys"): "admin",
    ("DELETE", "/api/api-keys/{key_id}"): "admin",
    ("GET", "/api/audit"): "admin",
    ("GET", "/api/audit/actions"): "admin",
    ("GET", "/api/audit/export.csv"): "admin",
    ("GET", "/api/assets"): "viewer",
    ("POST", "/api/assets"): "marketer",
    ("POST", "/api/assets/batch"): "marketer",
    ("DELETE", "/api/assets/{asset_id}"): "marketer",
    ("GET", "/api/assets/{asset_id}"): "viewer",
    ("PATCH", "/api/assets/{asset_id}"): "marketer",
    ("POST", "/api/auth/login"): "public",
    ("POST", "/api/auth/logout"): "viewer",
    ("GET", "/api/auth/me"): "viewer",
    ("PATCH", "/api/auth/me"): "user",
    ("GET", "/api/campaigns"): "viewer",
    ("POST", "/api/campaigns"): "marketer",
    ("POST", "/api/campaigns/audience"): "viewer",
    ("GET", "/api/campaigns/{campaign_id}"): "viewer",
    ("POST", "/api/campaigns/{campaign_id}/cancel"): "marketer",
    ("POST", "/api/campaigns/{campaign_id}/decide"): "marketer",
    ("GET", "/api/computed-fields"): "viewer",
    ("POST", "/api/computed-fields"): "marketer",
    ("POST", "/api/computed-fields/conditions"): "marketer",
    ("POST", "/api/computed-fields/preview"): "viewer",
    ("DELETE", "/api/computed-fields/{field_id}"): "marketer",
    ("GET", "/api/computed-fields/{field_id}"): "viewer",
    ("PATCH", "/api/computed-fields/{field_id}"): "marketer",
    ("GET", "/api/contacts"): "viewer",
    ("POST", "/api/contacts"): "marketer",
    ("GET", "/api/contacts/duplicates"): "viewer",
    ("DELETE", "/api/contacts/duplicates/distinct"): "marketer",
    ("POST", "/api/contacts/duplicates/distinct"): "marketer",
    ("GET", "/api/contacts/export.csv"): "viewer",
    ("POST", "/api/contacts/import"): "marketer",
    ("POST", "/api/contacts/import/preview"): "marketer",
    ("DELETE", "/api/contacts/{contact_id}"): "marketer",
    ("GET", "/api/contacts/{contact_id}"): "viewer",
    ("PATCH", "/api/contacts/{contact_id}"): "marketer",
    ("GET", "/api/contacts/{contact_id}/consent-history"): "viewer",
    ("GET", "/api/contacts/{contact_id}/export"): "viewer",
    ("GET", "/api/contacts/{contact_id}/interactions"): "viewer",
    ("POST", "/api/contacts/{contact_id}/merge"): "marketer",
    ("GET", "/api/contacts/{contact_id}/score-history"): "viewer",
    ("GET", "/api/contacts/{contact_id}/scores"): "viewer",
    ("GET", "/api/custom-fields"): "viewer",
    ("POST", "/api/custom-fields"): "admin",
    ("DELETE", "/api/custom-fields/{field_id}"): "admin",
    ("PATCH", "/api/custom-fields/{field_id}"): "admin",
    ("GET", "/api/dashboards"): "viewer",
    ("POST", "/api/dashboards"): "viewer",
    ("PUT", "/api/dashboards/order"): "viewer",
    ("DELETE", "/api/dashboards/{tile_id}"): "viewer",
    ("POST", "/api/email-events"): "marketer",
    ("POST", "/api/email-events/dsn"): "marketer",
    ("GET", "/api/emails"): "viewer",
    ("POST", "/api/emails"): "marketer",
    ("DELETE", "/api/emails/{email_id}"): "marketer",
    ("GET", "/api/emails/{email_id}"): "viewer",
    ("PATCH", "/api/emails/{email_id}"): "marketer",
    ("POST", "/api/emails/{email_id}/preview"): "viewer",
    ("POST", "/api/emails/{email_id}/test-send"): "marketer",
    ("GET", "/api/emails/{email_id}/versions"): "viewer",
    ("POST", "/api/emails/{email_id}/versions/{version}/restore"): "marketer",
    ("GET", "/api/events"): "viewer",
    ("POST", "/api/events"): "marketer",
    ("DELETE", "/api/events/{event_id}"): "marketer",
    ("GET", "/api/events/{event_id}"): "viewer",
    ("PATCH", "/api/events/{event_id}"): "marketer",
    ("POST", "/api/events/{event_id}/attendance"): "marketer",
    ("GET", "/api/events/{event_id}/costs"): "viewer",
    ("POST", "/api/events/{event_id}/costs"): "marketer",
    ("DELETE", "/api/events/{event_id}/costs/{cost_id}"): "marketer",
    ("GET", "/api/events/{event_id}/ics"): "viewer",
    ("GET", "/api/events/{event_id}/registrations"): "viewer",
    ("POST", "/api/events/{event_id}/registrations"): "marketer",
    ("GET", "/api/events/{event_id}/registrations/{registration_id}"): "viewer",
    ("POST", "/api/events/{event_id}/registrations/{registration_id}/cancel"): "marketer",
    ("POST", "/api/events/{event_id}/registrations/{registration_id}/check-in"): "marketer",
    ("GET", "/api/events/{event_id}/stats"): "viewer",
    ("GET", "/api/events/{event_id}/team"): "viewer",
    ("POST", "/api/events/{event_id}/team"): "marketer",
    ("DELETE", "/api/events/{event_id}/team/{member_id}"): "marketer",
    ("GET", "/api/explorations"): "viewer",
    ("POST", "/api/explorations"): "marketer",
    ("DELETE", "/api/explorations/{exploration_id}"): "marketer",
    ("GET", "/api/explorations/{exploration_id}"): "viewer",
    ("PATCH", "/api/explorations/{exploration_id}"): "marketer",
    ("POST", "/api/explore"): "viewer",
    ("POST", "/api/explore/count"): "viewer",
    ("POST", "/api/explore/segment"): "marketer",
    ("GET", "/api/exports/scheduled"): "viewer",
    ("POST", "/api/exports/scheduled"): "admin",
    ("DELETE", "/api/exports/scheduled/{export_id}"): "admin",
    ("GET", "/api/exports/scheduled/{export_id}"): "viewer",
    ("PATCH", "/api/exports/scheduled/{export_id}"): "admin",
    ("POST", "/api/exports/scheduled/{export_id}/run"): "marketer",
    ("GET", "/api/exports/segments/{segment_id}/csv"): "marketer",
    ("GET", "/api/forms"): "viewer",
    ("POST", "/api/forms"): "marketer",
    ("DELETE", "/api/forms/{form_id}"): "marketer",
    ("GET", "/api/forms/{form_id}"): "viewer",
    ("PATCH", "/api/forms/{form_id}"): "marketer",
    ("GET", "/api/forms/{form_id}/prefill-link"): "marketer",
    ("POST", "/api/forms/{form_id}/publish"): "marketer",
    ("GET", "/api/forms/{form_id}/snippet"): "viewer",
    ("GET", "/api/forms/{form_id}/stats"): "viewer",
    ("GET", "/api/forms/{form_id}/submissions"): "viewer",
    ("POST", "/api/forms/{form_id}/submissions/{submission_id}/accept"): "marketer",
    ("GET", "/api/imports/sources"): "viewer",
    ("POST", "/api/imports/sources"): "admin",
    ("POST", "/api/imports/sources/test"): "admin",
    ("DELETE", "/api/imports/sources/{source_id}"): "admin",
    ("GET", "/api/imports/sources/{source_id}"): "viewer",
    ("PATCH", "/api/imports/sources/{source_id}"): "admin",
    ("POST", "/api/imports/sources/{source_id}/run"): "marketer",
    ("GET", "/api/imports/sources/{source_id}/runs"): "viewer",
    ("POST", "/api/interactions"): "marketer",
    ("GET", "/api/jobs"): "viewer",
    ("GET", "/api/jobs/{job_id}"): "viewer",
    ("GET", "/api/journeys"): "viewer",
    ("POST", "/api/journeys"): "marketer",
    ("GET", "/api/journeys/runs"): "viewer",
    ("DELETE", "/api/journeys/{journey_id}"): "marketer",
    ("GET", "/api/journeys/{journey_id}"): "viewer",
    ("PATCH", "/api/journeys/{journey_id}"): "marketer",
    ("POST", "/api/journeys/{journey_id}/audience"): "viewer",
    ("GET", "/api/journeys/{journey_id}/left-out"): "viewer",
    ("POST", "/api/journeys/{journey_id}/pause"): "marketer",
    ("POST", "/api/journeys/{journey_id}/publish"): "marketer",
    ("POST", "/api/journeys/{journey_id}/resume"): "marketer",
    ("GET", "/api/journeys/{journey_id}/runs"): "viewer",
    ("GET", "/api/journeys/{journey_id}/stats"): "viewer",
    ("POST", "/api/journeys/{journey_id}/stop"): "marketer",
    ("POST", "/api/journeys/{journey_id}/test"): "marketer",
    ("POST", "/api/journeys/{journey_id}/validate"): "viewer",
    ("GET", "/api/marketing-spend"): "viewer",
    ("POST", "/api/marketing-spend"): "marketer",
    ("POST", "/api/marketing-spend/import"): "marketer",
    ("GET", "/api/marketing-spend/summary"): "viewer",
    ("DELETE", "/api/marketing-spend/{spend_id}"): "marketer",
    ("GET", "/api/opportunities"): "viewer",
    ("POST", "/api/opportunities"): "marketer",
    ("DELETE", "/api/opportunities/{opportunity_id}"): "marketer",
    ("GET", "/api/opportunities/{opportunity_id}"): "viewer",
    ("PATCH", "/api/opportunities/{opportunity_id}"): "marketer",
    ("GET", "/api/organization"): "viewer",
    ("PATCH", "/api/organization"): "admin",
    ("GET", "/api/outbox"): "viewer",
    ("GET", "/api/outbox/{message_id}"): "viewer",
    ("GET", "/api/outbox/{message_id}/raw"): "viewer",
    ("GET", "/api/pages"): "viewer",
    ("POST", "/api/pages"): "marketer",
    ("GET", "/api/pages/templates"): "viewer",
    ("DELETE", "/api/pages/{page_id}"): "marketer",
    ("GET", "/api/pages/{page_id}"): "viewer",
    ("PATCH", "/api/pages/{page_id}"): "marketer",
    ("POST", "/api/pages/{page_id}/preview"): "viewer",
    ("POST", "/api/pages/{page_id}/publish"): "marketer",
    ("GET", "/api/pages/{page_id}/stats"): "viewer",
    ("POST", "/api/pages/{page_id}/unpublish"): "marketer",
    ("GET", "/api/pages/{page_id}/versions"): "viewer",
    ("POST", "/api/pages/{page_id}/versions/{version}/restore"): "marketer",
    ("GET", "/api/pipeline"): "viewer",
    ("GET", "/api/programs"): "viewer",
    ("POST", "/api/programs"): "marketer",
    ("GET", "/api/programs/briefs/{journey_id}"): "viewer",
    ("PUT", "/api/programs/briefs/{journey_id}"): "marketer",
    ("GET", "/api/programs/calendar"): "viewer",
    ("GET", "/api/programs/kpis"): "viewer",
    ("GET", "/api/programs/of/{kind}/{item_id}"): "viewer",
    ("GET", "/api/programs/owners"): "viewer",
    ("GET", "/api/programs/templates"): "viewer",
    ("DELETE", "/api/programs/{program_id}"): "marketer",
    ("GET", "/api/programs/{program_id}"): "viewer",
    ("PATCH", "/api/programs/{program_id}"): "marketer",
    ("GET", "/api/programs/{program_id}/progress"): "viewer",
    ("GET", "/api/reports/audience"): "viewer",
    ("POST", "/api/reports/audience/refresh"): "marketer",
    ("GET", "/api/reports/cohorts"): "viewer",
    ("GET", "/api/reports/emails"): "viewer",
    ("GET", "/api/reports/emails/{email_id}"): "viewer",
    ("GET", "/api/reports/journey-reach"): "viewer",
    ("GET", "/api/reports/journey-reach/{contact_id}"): "viewer",
    ("GET", "/api/reports/lead-generation"): "viewer",
    ("GET", "/api/reports/leaderboard"): "viewer",
    ("GET", "/api/reports/overview"): "viewer",
    ("GET", "/api/reports/pipeline"): "viewer",
    ("GET", "/api/reports/plan"): "viewer",
    ("GET", "/api/reports/products"): "viewer",
    ("GET", "/api/reports/rfm"): "viewer",
    ("GET", "/api/reports/roi"): "viewer",
    ("GET", "/api/rfm"): "viewer",
    ("GET", "/api/rfm/contacts/{contact_id}"): "viewer",
    ("POST", "/api/rfm/recompute"): "marketer",
    ("POST", "/api/rules/build"): "viewer",
    ("GET", "/api/rules/fields"): "viewer",
    ("POST", "/api/rules/parse"): "viewer",
    ("POST", "/api/rules/validate"): "viewer",
    ("GET", "/api/scoring/models"): "viewer",
    ("POST", "/api/scoring/models"): "marketer",
    ("POST", "/api/scoring/models/preview"): "marketer",
    ("DELETE", "/api/scoring/models/{model_id}"): "marketer",
    ("GET", "/api/scoring/models/{model_id}"): "viewer",
    ("PATCH", "/api/scoring/models/{model_id}"): "marketer",
    ("GET", "/api/segments"): "viewer",
    ("POST", "/api/segments"): "marketer",
    ("GET", "/api/segments/presets"): "viewer",
    ("POST", "/api/segments/presets/{key}"): "marketer",
    ("POST", "/api/segments/preview"): "viewer",
    ("DELETE", "/api/segments/{segment_id}"): "marketer",
    ("GET", "/api/segments/{segment_id}"): "viewer",
    ("PATCH", "/api/segments/{segment_id}"): "marketer",
    ("DELETE", "/api/segments/{segment_id}/members"): "marketer",
    ("GET", "/api/segments/{segment_id}/members"): "viewer",
    ("POST", "/api/segments/{segment_id}/members"): "marketer",
    ("GET", "/api/segments/{segment_id}/members.csv"): "viewer",
    ("POST", "/api/segments/{segment_id}/refresh"): "marketer",
    ("POST", "/api/segments/{segment_id}/snapshot"): "marketer",
    ("GET", "/api/templates"): "viewer",
    ("POST", "/api/templates"): "admin",
    ("GET", "/api/templates/{template_id}"): "viewer",
    ("PATCH", "/api/templates/{template_id}"): "admin",
    ("GET", "/api/system"): "admin",
    ("POST", "/api/system/jobs/{job_id}/retry"): "admin",
    ("GET", "/api/topics"): "viewer",
    ("POST", "/api/topics"): "admin",
    ("DELETE", "/api/topics/{key}"): "admin",
    ("GET", "/api/users"): "admin",
    ("POST", "/api/users"): "admin",
    ("DELETE", "/api/users/{user_id}"): "admin",
    ("PATCH", "/api/users/{user_id}"): "admin",
    ("GET", "/api/webhooks"): "admin",
    ("POST", "/api/webhooks"): "admin",
    ("DELETE", "/api/webhooks/{webhook_id}"): "admin",
    ("GET", "/api/webhooks/{webhook_id}"): "admin",
    ("PATCH", "/api/webhooks/{webhook_id}"): "admin",
    ("GET", "/api/webhooks/{webhook_id}/deliveries"): "admin",
    ("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"): "admin",
    ("POST", "/api/webhooks/{webhook_id}/secret"): "admin",
    ("POST", "/api/webhooks/{webhook_id}/test"): "admin",
    ("GET", "/api/website/personalization"): "viewer",
    ("PUT", "/api/website/personalization"): "marketer",
    ("GET", "/e/{slug}/details"): "public",
    ("POST", "/e/{slug}/registrations"): "public",
    ("GET", "/guard/challenge"): "public",
    ("GET", "/health"): "public",
    ("POST", "/t/collect"): "public",
    ("POST", "/t/identify"): "key:marketer",
    ("GET", "/t/profile"): "public",
}

# Bodies for the operations that read theirs before saying who may call them.
BODIES = {("POST", "/t/identify"): {"anonymous_id": "a" * 32, "email": "nobody@example.org"}}

# Logging out ends the session the matrix uses: asked last.
LAST = ("POST", "/api/auth/logout")


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    methods = {"get", "post", "put", "patch", "delete"}
    return {(m.upper(), path) for path, item in document["paths"].items() for m in item if m in methods}


def concrete(path: str, integers: set[str]) -> str:
    """The path with its parameters naming nothing that exists."""
    return re.sub(r"{([^}:]+)(?::[^}]+)?}", lambda m: "2147483000" if m.group(1) in integers else "nothing-here", path)


def integer_parameters(document: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict):
                found[(method.upper(), path)] = {
                    p["name"]
                    for p in operation.get("parameters", [])
                    if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
                }
    return found


def test_every_operation_has_a_decision(api: Any) -> None:
    document = api.get("/schema/openapi.json").json()
    found = operations(document)
    assert not found - DECISIONS.keys(), f"operations without a decision: {sorted(found - DECISIONS.keys())}"
    assert not DECISIONS.keys() - found, f"decisions for operations that are gone: {sorted(DECISIONS.keys() - found)}"


def test_each_caller_gets_what_the_table_decides(app_settings: Any) -> None:
    with signed_in(app_settings) as api:
        integers = integer_parameters(api.get("/schema/openapi.json").json())
        keys = {role: api.as_key(api.new_key(role)) for role in ROLES}
        csrf = api.client.headers["x-csrf-token"]
        wrong: list[str] = []

        def check(method: str, path: str, label: str, headers: dict[str, str], expected: str) -> None:
            """expected: "allowed" (neither 401 nor 403), or the status itself."""
            kwargs: dict[str, Any] = {"headers": headers}
            if method != "GET":
                kwargs["json"] = BODIES.get((method, path), {})
            if label == "anonymous":
                kwargs["cookies"] = {}
            status = api.client.request(method, concrete(path, integers[(method, path)]), **kwargs).status_code
            if (status in (401, 403)) if expected == "allowed" else status != int(expected):
                wrong.append(f"{method} {path} as {label}: {status}, expected {expected}")

        anonymous = {"Cookie": "", "x-csrf-token": ""}
        for method, path in sorted(DECISIONS, key=lambda op: op == LAST):
            who = DECISIONS[(method, path)]
            if who == "public":
                check(method, path, "anonymous", anonymous, "allowed")
                continue
            # The session first: logging out with a key also clears the test client's session cookie.
            if method != "GET":
                check(method, path, "a session without the CSRF header", {"x-csrf-token": ""}, "403")
            check(
                method, path, "an admin session", {"x-csrf-token": csrf}, "403" if who.startswith("key:") else "allowed"
            )
            keys_from = who.removeprefix("key:")
            for role in ROLES:
                allowed = who != "user" and ROLES.index(role) >= ROLES.index(keys_from)
                check(method, path, f"{role} key", keys[role], "allowed" if allowed else "403")
            check(method, path, "anonymous", anonymous, "401")
        assert not wrong, "\n".join(wrong)
