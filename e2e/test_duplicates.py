"""A marketer merges the duplicates the review screen proposes and finds one contact with both histories."""

import random
import time

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, check_accessibility, create_contact


def test_a_marketer_merges_a_proposed_pair_and_sees_one_contact_with_both_histories(
    page: Page, api: httpx.Client
) -> None:
    phone = f"+336{random.randint(10_000_000, 99_999_999)}"
    stamp = time.monotonic_ns()
    kept = create_contact(
        api, email=f"camille.{stamp}@example.org", first_name="Camille", last_name="Durand", phone=phone
    )
    other = create_contact(
        api,
        email=f"c.durand.{stamp}@example.net",
        first_name="Camille",
        last_name="Durand-Petit",
        job_title="Buyer",
        phone=phone,
    )
    add_interactions(api, kept["id"], "purchase", amount=40)
    add_interactions(api, other["id"], "form_submitted", form="Trade fair")

    page.goto("/contacts")
    page.get_by_test_id("contacts-duplicates").click()
    row = page.get_by_test_id(f"duplicate-row-{kept['id']}-{other['id']}")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("duplicate-reason-phone")).to_have_text("Same phone")
    page.get_by_test_id(f"duplicate-review-{kept['id']}-{other['id']}").click()

    review = page.get_by_role("dialog")
    # Side by side: the kept contact's empty job title is filled from the other; the last name is picked.
    expect(review.get_by_test_id("merge-field-job_title")).to_contain_text("Buyer")
    expect(review.get_by_test_id("merge-field-phone")).to_contain_text("Same")
    review.get_by_test_id("merge-pick-last_name").get_by_text("B").click()
    expect(review.get_by_test_id("merge-consequences")).to_contain_text("cannot be undone")
    check_accessibility(page, "the merge review")
    review.get_by_test_id("merge-confirm").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row).to_have_count(0)

    page.goto(f"/contacts/{kept['id']}")
    expect(page.get_by_test_id("contact-name")).to_have_text("Camille Durand-Petit")
    types = page.get_by_test_id("timeline-item-type")
    expect(types.filter(has_text="Contacts merged")).to_have_count(1)
    expect(types.filter(has_text="Purchase")).to_have_count(1)
    expect(types.filter(has_text="Form submitted")).to_have_count(1)
    expect(page.get_by_test_id("timeline")).to_contain_text(f"Merged with {other['email']}")

    assert api.get(f"/api/contacts/{other['id']}").status_code == 404
    merged = api.get(f"/api/contacts/{kept['id']}").json()
    assert (merged["last_name"], merged["job_title"]) == ("Durand-Petit", "Buyer")


def test_two_people_told_apart_leave_the_list_with_an_undo(page: Page, api: httpx.Client) -> None:
    phone = f"+336{random.randint(10_000_000, 99_999_999)}"
    stamp = time.monotonic_ns()
    mother = create_contact(api, email=f"anne.{stamp}@example.org", first_name="Anne", phone=phone)
    son = create_contact(api, email=f"theo.{stamp}@example.org", first_name="Théo", phone=phone)
    page.goto("/contacts/duplicates")
    row = page.get_by_test_id(f"duplicate-row-{mother['id']}-{son['id']}")
    expect(row).to_be_visible()
    page.get_by_test_id(f"duplicate-distinct-{mother['id']}-{son['id']}").click()
    notice = page.get_by_test_id("told-apart-notice")
    expect(notice).to_contain_text("will no longer be proposed as duplicates")
    expect(row).to_have_count(0)
    notice.get_by_test_id("told-apart-undo").click()
    expect(row).to_be_visible()
    page.get_by_test_id(f"duplicate-distinct-{mother['id']}-{son['id']}").click()
    expect(row).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("duplicates-table")).to_be_visible()
    expect(row).to_have_count(0)
