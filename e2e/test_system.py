"""Settings → System: an administrator sees the product working and runs a failed job again once
its cause is fixed."""

import time

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import Server


def _wait_job(api: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = api.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_an_admin_sees_the_system_and_runs_a_failed_job_again(page: Page, api: httpx.Client, server: Server) -> None:
    source = api.post(
        "/api/imports/sources", json={"name": "Partner drop", "kind": "directory", "directory": "partner-drop"}
    ).json()
    job_id = api.post(f"/api/imports/sources/{source['id']}/run").json()["job_id"]
    assert _wait_job(api, job_id)["status"] == "failed"

    page.goto("/settings")
    page.get_by_test_id("settings-tab-system").click()
    expect(page.get_by_test_id("system-worker-state")).to_have_text("Running")
    # Both queues, each with its own worker, its depth and how long its oldest job has waited.
    for queue, name in (("urgent", "Urgent: journeys"), ("bulk", "Bulk: imports")):
        row = page.get_by_test_id(f"system-queue-{queue}")
        expect(row).to_contain_text(name)
        expect(row.get_by_test_id(f"system-queue-{queue}-worker")).to_have_text("Running")
        expect(row.get_by_test_id(f"system-queue-{queue}-lag")).to_contain_text(" s")
    failed = page.get_by_test_id(f"system-failed-job-{job_id}")
    expect(failed).to_contain_text("Scheduled import")

    folder = server.data_dir / "files" / "partner-drop"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.csv").write_text("Email\nfrom.partner@example.org\n", "utf-8")
    failed.get_by_test_id("system-retry").click()
    expect(page.get_by_test_id(f"system-failed-job-{job_id}")).to_have_count(0)
    assert _wait_job(api, job_id)["status"] == "done"
    page.get_by_test_id("system-refresh").click()
    expect(page.get_by_test_id("system-recent-jobs")).to_contain_text("Done")
