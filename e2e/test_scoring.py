"""A marketer tunes the shipped behavioural model: changes a rule's points, watches the score
distribution of the unsaved model move, saves; a new model with a rule that cannot be used shows
the problem where it is and saves nothing; a contact's page shows its scores and stage."""

import json
import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, create_contact, wait_for

MODEL_FIELDS = (
    "key",
    "name",
    "description",
    "kind",
    "threshold",
    "grades",
    "rules",
    "active",
    "drives_stage",
    "notify_email",
    "notify_webhook",
)


def model_by_key(api: httpx.Client, key: str) -> dict[str, Any]:
    response = api.get("/api/scoring/models")
    assert response.status_code == 200, response.text
    return next(m for m in response.json() if m["key"] == key)


def recompute_done(api: httpx.Client, model_id: int) -> bool:
    job = api.get(f"/api/scoring/models/{model_id}").json()["recompute"]
    return job is None or job["status"] in ("done", "failed")


def test_a_marketer_tunes_the_behavioural_model_with_a_live_preview(page: Page, api: httpx.Client) -> None:
    model = model_by_key(api, "behavioural")
    index, rule = next((i, r) for i, r in enumerate(model["rules"]) if r["kind"] == "interaction" and not r["filter"])
    stamp = time.monotonic_ns()
    for n in range(3):
        contact = create_contact(api, email=f"scorer{n}.{stamp}@example.org", first_name=f"Scorer{n}")
        add_interactions(api, contact["id"], rule["interaction_type"])

    page.goto("/scoring")
    card = page.get_by_test_id("scoring-model-behavioural")
    expect(card.get_by_test_id("scoring-model-rules")).to_have_text(f"{len(model['rules'])} rules")
    card.get_by_test_id("scoring-model-open").click()
    expect(page.get_by_test_id("scoring-name")).to_have_value(model["name"])
    expect(page.get_by_test_id("scoring-preview-total")).not_to_have_text("…")
    expect(page.get_by_test_id("scoring-save-state")).to_have_text("All changes saved")

    # A rule removed by mistake comes back with Undo.
    page.get_by_test_id(f"scoring-rule-{index}-remove").click()
    expect(page.get_by_test_id("scoring-save-state")).to_have_text("Unsaved changes")
    page.get_by_test_id("scoring-rule-undo").click()
    expect(page.get_by_test_id(f"scoring-rule-{index}")).to_have_attribute("data-rule-id", rule["id"])
    expect(page.get_by_test_id("scoring-save-state")).to_have_text("All changes saved")

    # One such interaction now makes a contact sales-ready: the preview follows before saving.
    threshold = model["threshold"]
    page.get_by_test_id(f"scoring-rule-{index}-points").fill(str(threshold))
    page.get_by_test_id(f"scoring-rule-{index}-cap").fill("")
    page.get_by_test_id(f"scoring-rule-{index}-cap-days").fill("")
    edited = {f: model[f] for f in MODEL_FIELDS}
    edited["rules"] = [
        {**r, "points": threshold, "cap": None, "cap_days": None} if r["id"] == rule["id"] else r
        for r in model["rules"]
    ]
    expected = api.post("/api/scoring/models/preview", json=edited)
    assert expected.status_code == 200, expected.text
    preview = expected.json()
    assert preview["sales_ready"] >= 3
    expect(page.get_by_test_id("scoring-preview-sales-ready")).to_have_text(f"{preview['sales_ready']:,}")
    expect(page.get_by_test_id("scoring-preview-chart")).to_have_attribute(
        "data-buckets", json.dumps(preview["histogram"], separators=(",", ":"), ensure_ascii=False)
    )
    for grade, count in preview["by_grade"].items():
        expect(page.get_by_test_id(f"scoring-preview-grade-{grade}")).to_have_text(f"{grade}: {count:,}")
    expect(page.get_by_test_id("scoring-save-state")).to_have_text("Unsaved changes")

    # Leaving through the side menu asks first; staying keeps the edit on screen.
    page.get_by_test_id("nav-pipeline").click()
    page.get_by_test_id("leave-stay").click()
    expect(page).to_have_url(re.compile(rf"/scoring/{model['id']}$"))
    expect(page.get_by_test_id(f"scoring-rule-{index}-points")).to_have_value(f"{threshold} pts")

    page.get_by_test_id("scoring-save").click()
    expect(page.get_by_test_id("scoring-save-state")).to_have_text("All changes saved")
    saved = api.get(f"/api/scoring/models/{model['id']}").json()
    assert saved["rules"][index]["points"] == threshold
    assert saved["rules"][index]["cap"] is None
    # Scores are updated in the background; the rest of the suite starts from settled scores.
    wait_for(lambda: recompute_done(api, model["id"]))

    page.reload()
    expect(page.get_by_test_id(f"scoring-rule-{index}-points")).to_have_value(f"{threshold} pts")


def test_a_new_model_with_a_bad_rule_shows_the_problem_in_place_and_saves_nothing(
    page: Page, api: httpx.Client
) -> None:
    count_before = len(api.get("/api/scoring/models").json())
    page.goto("/scoring")
    page.get_by_test_id("scoring-new").click()
    page.get_by_test_id("scoring-name").fill("Webinar fans")
    expect(page.get_by_test_id("scoring-key")).to_have_value("webinar_fans")

    page.get_by_test_id("scoring-add-attribute").click()
    page.get_by_test_id("scoring-rule-0-rule-mode").get_by_text("Advanced: rule text").click()
    rule_text = page.get_by_test_id("scoring-rule-0-rule")
    rule_text.fill("job_title =~ ")
    expect(rule_text).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("scoring-save").click()
    expect(page.get_by_test_id("scoring-save-error")).to_be_visible()
    expect(rule_text).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/scoring/new$"))
    assert len(api.get("/api/scoring/models").json()) == count_before

    # Two grades starting at the same score are pointed out on the spot.
    page.get_by_test_id("scoring-grade-1-min").fill("100")
    expect(page.get_by_test_id("scoring-grades")).to_contain_text("Another grade starts at this score.")
    page.get_by_test_id("scoring-grade-1-min").fill("60")
    expect(page.get_by_test_id("scoring-grades")).not_to_contain_text("Another grade starts at this score.")

    # A filter the server cannot read is shown under the filter, from the preview, before any save.
    rule_text.fill('(job_title ?? "") =~~ "Director"')
    expect(rule_text).not_to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("scoring-add-interaction").click()
    page.get_by_test_id("scoring-rule-1-filter").fill("url == ")
    expect(page.get_by_test_id("scoring-rule-1-filter")).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("scoring-save").click()
    expect(page.get_by_test_id("scoring-save-error")).to_be_visible()
    assert len(api.get("/api/scoring/models").json()) == count_before

    # Fixed, it saves.
    page.get_by_test_id("scoring-rule-1-filter").fill('url =~~ "webinar"')
    expect(page.get_by_test_id("scoring-rule-1-filter")).not_to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("scoring-save").click()
    expect(page).to_have_url(re.compile(r"/scoring/\d+$"))
    expect(page.get_by_test_id("scoring-save-state")).to_have_text("All changes saved")
    created = model_by_key(api, "webinar_fans")
    assert [r["kind"] for r in created["rules"]] == ["attribute", "interaction"]
    assert created["rules"][1]["filter"] == 'url =~~ "webinar"'
    wait_for(lambda: recompute_done(api, created["id"]))


def test_a_contact_page_shows_scores_and_refuses_an_illegal_stage_change(page: Page, api: httpx.Client) -> None:
    contact = create_contact(api, first_name="Gaspard", job_title="Marketing Director", lifecycle_stage="opportunity")
    model = model_by_key(api, "behavioural")

    page.goto(f"/contacts/{contact['id']}")
    panel = page.get_by_test_id("contact-scores")
    expect(panel.get_by_test_id("contact-score-behavioural")).to_be_visible()
    scores = api.get(f"/api/contacts/{contact['id']}/scores").json()
    behavioural = next(s for s in scores if s["key"] == "behavioural")
    expect(panel.get_by_test_id("contact-score-behavioural-value")).to_have_text(str(behavioural["score"]))
    expect(panel.get_by_test_id("contact-score-behavioural-grade")).to_have_text(behavioural["grade"])
    assert behavioural["model"] == model["name"]

    page.get_by_test_id("contact-lifecycle").click()
    page.get_by_role("option", name="Lead", exact=True).click()
    expect(page.get_by_test_id("contact-lifecycle-error")).to_contain_text("opportunity")
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "opportunity"

    page.get_by_test_id("contact-lifecycle").click()
    page.get_by_role("option", name="Customer", exact=True).click()
    expect(page.get_by_test_id("contact-stage-badge")).to_have_text("Customer")
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "customer"
