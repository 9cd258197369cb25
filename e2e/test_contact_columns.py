"""A marketer adds a behavioural field and the RFM group as columns of the contact list, reads a
contact's values there, and finds the columns again after reloading the page."""

import time

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact


def test_add_behavioural_and_rfm_columns_to_the_contact_list(page: Page, api: httpx.Client) -> None:
    tag = f"T{time.monotonic_ns()}"
    kind = f"attended_{tag.lower()}"
    created = api.post(
        "/api/computed-fields",
        json={"name": f"att_{tag.lower()}", "label": f"Attended {tag}", "aggregate": "count", "interaction_type": kind},
    )
    assert created.status_code == 201, created.text
    field = created.json()["field"]
    keen = create_contact(api, first_name="Keen", last_name=tag)
    idle = create_contact(api, first_name="Idle", last_name=tag)
    batch = [{"type": kind, "contact_id": keen["id"], "properties": {}} for _ in range(2)]
    batch.append({"type": "purchase", "contact_id": keen["id"], "properties": {"amount": 120.0}})
    assert api.post("/api/interactions", json={"batch": batch}).status_code == 202
    deadline = time.monotonic() + 20
    while api.get(f"/api/contacts/{keen['id']}").json()["scores"].get(field) != 2:
        assert time.monotonic() < deadline, "the stream did not count the interactions"
        time.sleep(0.2)
    recompute = api.post("/api/rfm/recompute")
    assert recompute.status_code == 202, recompute.text
    while api.get(f"/api/jobs/{recompute.json()['job_id']}").json()["status"] != "done":
        assert time.monotonic() < deadline + 20, "the RFM recompute did not finish"
        time.sleep(0.2)
    segment = api.get(f"/api/rfm/contacts/{keen['id']}").json()["segment"]
    assert segment is not None

    page.goto("/contacts")
    page.get_by_test_id("contacts-search").fill(tag)
    expect(page.get_by_test_id(f"contact-row-{idle['id']}")).to_be_visible()
    page.get_by_test_id("contacts-columns").click()
    expect(page.get_by_test_id("contacts-columns-menu")).to_contain_text(f"Attended {tag}")
    page.get_by_test_id(f"contacts-column-{field}").check()
    page.get_by_test_id("contacts-column-rfm_segment").check()
    page.keyboard.press("Escape")

    keen_row, idle_row = (
        page.get_by_test_id(f"contact-row-{keen['id']}"),
        page.get_by_test_id(f"contact-row-{idle['id']}"),
    )
    expect(keen_row.get_by_test_id(f"contact-row-field-{field}")).to_have_text("2")
    expect(idle_row.get_by_test_id(f"contact-row-field-{field}")).to_have_text("0")
    expect(idle_row.get_by_test_id("contact-row-field-rfm_segment")).to_have_text("—")
    groups = {
        c["value"]: c["label_en"]
        for f in api.get("/api/rules/fields").json()
        if f["name"] == "rfm_segment"
        for c in f["choices"]
    }
    expect(keen_row.get_by_test_id("contact-row-field-rfm_segment")).to_have_text(groups[segment])

    # Remembered in this browser.
    page.reload()
    expect(page.get_by_test_id(f"contact-row-{keen['id']}").get_by_test_id(f"contact-row-field-{field}")).to_have_text(
        "2"
    )
