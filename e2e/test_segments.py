"""A marketer builds a segment with the visual builder, watches the count, saves it, and a
contact who then opens an email joins it on its own, without a refresh."""

import time

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, create_contact, wait_for


def pick(page: Page, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_build_save_and_watch_a_segment_fill_in_real_time(page: Page, api: httpx.Client) -> None:
    opened = create_contact(api, first_name="Léa", country="LU", lifecycle_stage="lead")
    customer = create_contact(api, first_name="Marc", country="LU", lifecycle_stage="customer")
    latecomer = create_contact(api, first_name="Inès", country="LU", lifecycle_stage="lead")
    create_contact(api, first_name="Hans", country="DE", lifecycle_stage="lead")
    for contact in (opened, customer):
        add_interactions(api, contact["id"], "email_opened")
    wait_for(lambda: api.get(f"/api/contacts/{customer['id']}").json()["opens_30d"] == 1)

    page.goto("/segments")
    page.get_by_test_id("segments-new").click()
    page.get_by_test_id("segment-name").fill("Luxembourg openers, not customers")
    page.get_by_test_id("builder-add-group").click()
    pick(page, "condition-0-0-value", "Luxembourg")
    expect(page.get_by_test_id("segment-count")).to_have_text("3")

    page.get_by_test_id("builder-group-0-add").click()
    pick(page, "condition-0-1-field", "Email opens (30 days)")
    pick(page, "condition-0-1-operator", "is more than")
    page.get_by_test_id("condition-0-1-value").fill("0")
    expect(page.get_by_test_id("segment-count")).to_have_text("2")

    page.get_by_test_id("builder-group-0-add").click()
    pick(page, "condition-0-2-field", "Lifecycle stage")
    pick(page, "condition-0-2-operator", "is not")
    pick(page, "condition-0-2-value", "Customer")
    expect(page.get_by_test_id("segment-count")).to_have_text("1")
    expect(page.get_by_test_id("segment-sample")).to_contain_text("Léa")

    # A wrong click is undone.
    page.get_by_test_id("condition-0-2-remove").click()
    expect(page.get_by_test_id("segment-count")).to_have_text("2")
    page.get_by_test_id("segment-undo").click()
    expect(page.get_by_test_id("segment-count")).to_have_text("1")

    page.get_by_test_id("segment-mode-text").click()
    expect(page.get_by_test_id("segment-rule")).to_have_value(
        '(country == "LU" and opens_30d > 0 and lifecycle_stage != "customer")'
    )
    page.get_by_test_id("segment-save").click()
    expect(page).to_have_url(__import__("re").compile(r"/segments/\d+$"))
    segment_id = int(page.url.rsplit("/", 1)[1])

    page.get_by_test_id("segment-tab-members").click()
    expect(page.get_by_test_id(f"member-row-{opened['id']}")).to_be_visible(timeout=20_000)

    add_interactions(api, latecomer["id"], "email_opened")
    started = time.monotonic()
    wait_for(
        lambda: latecomer["id"] in [c["id"] for c in api.get(f"/api/segments/{segment_id}/members").json()["items"]],
        timeout=10,
    )
    joined_after = time.monotonic() - started
    assert joined_after < 5, f"took {joined_after:.1f}s"
    page.reload()
    page.get_by_test_id("segment-tab-members").click()
    expect(page.get_by_test_id(f"member-row-{latecomer['id']}")).to_be_visible()


def test_a_rule_outside_the_builder_is_edited_as_text_with_a_clear_error(page: Page) -> None:
    page.goto("/segments/new")
    page.get_by_test_id("segment-mode-text").click()
    page.get_by_test_id("segment-rule").fill('country == "FR" and opens = 1')
    expect(page.get_by_test_id("segment-preview-error")).to_contain_text("not written correctly")
    page.get_by_test_id("segment-rule").fill('(city ?? "") =~ "^Pa.*s$"')
    page.get_by_test_id("segment-mode-builder").click()
    expect(page.get_by_test_id("segment-text-only")).to_be_visible()


def test_presets_create_a_segment_in_one_click(page: Page) -> None:
    page.goto("/segments")
    page.get_by_test_id("preset-opted-in-marketing-create").click()
    expect(page.get_by_test_id("segment-name")).to_have_value("Reachable for marketing")
    page.get_by_test_id("segment-mode-text").click()
    expect(page.get_by_test_id("segment-rule")).to_have_value(__import__("re").compile("email_opt_in == true"))


def test_the_members_count_follows_a_saved_change_without_a_reload(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    here, there = f"Lyon {stamp}", f"Nantes {stamp}"
    for i in range(2):
        create_contact(api, first_name=f"Here{i}", city=here)
    newcomer = create_contact(api, first_name="Newcomer", city=there)
    segment = api.post(
        "/api/segments", json={"name": f"City {stamp}", "kind": "dynamic", "rule": f'city == "{here}"'}
    ).json()
    wait_for(lambda: api.get(f"/api/segments/{segment['id']}").json()["member_count"] == 2)

    page.goto(f"/segments/{segment['id']}")
    expect(page.get_by_test_id("segment-tab-members")).to_contain_text("(2)")
    page.get_by_test_id("segment-mode-text").click()
    page.get_by_test_id("segment-rule").fill(f'city == "{here}" or city == "{there}"')
    expect(page.get_by_test_id("segment-count")).to_have_text("3")
    page.get_by_test_id("segment-save").click()
    # The saved definition's members are counted again: the tab follows within moments.
    expect(page.get_by_test_id("segment-tab-members")).to_contain_text("(3)", timeout=4_000)
    page.get_by_test_id("segment-tab-members").click()
    expect(page.get_by_test_id(f"member-row-{newcomer['id']}")).to_be_visible()
    expect(page.get_by_test_id("members-total")).to_contain_text("3")
