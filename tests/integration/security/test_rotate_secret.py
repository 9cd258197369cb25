"""`parcours rotate-secret`: a new signing key; links in emails sent before keep working for the
grace period (PARCOURS_SECRET_GRACE_DAYS), then stop."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
from click.testing import CliRunner

from parcours.cli import main
from parcours.clock import clock
from tests.conftest import signed_in
from tests.factories import unique_email
from tests.integration.emails.test_emails import create, wait_message


def _link(api: Any) -> str:
    """The unsubscribe link of an email, as its contact receives it."""
    contact = api.post("/api/contacts", json={"email": unique_email("rotation"), "email_opt_in": True}).json()
    email = create(api)
    queued = api.post(
        f"/api/emails/{email['id']}/test-send", json={"to": contact["email"], "contact_id": contact["id"]}
    )
    html = wait_message(api, queued.json()["outbox_id"])["html"]
    unsubscribe = re.search(r'href="http://[^/]+(/u/[^"]+)"', html)
    assert unsubscribe
    return unsubscribe.group(1)


def _opens(api: Any, path: str) -> bool:
    page = api.client.get(path, headers={"Cookie": ""})
    assert page.status_code in (200, 400), page.text
    return page.status_code == 200


def test_links_signed_before_a_rotation_work_for_the_grace_period_then_stop(app_settings: Any, tmp_path: Path) -> None:
    settings = msgspec.structs.replace(app_settings, data_dir=str(tmp_path), secret_grace_days=30)
    with signed_in(settings) as api:
        old_link = _link(api)
        assert _opens(api, old_link)
    before = (tmp_path / "secret_key").read_text()

    rotated = CliRunner().invoke(main, ["rotate-secret"], env={"PARCOURS_DATA_DIR": str(tmp_path)})
    assert rotated.exit_code == 0, rotated.output
    assert "30 days" in rotated.output
    assert (tmp_path / "secret_key").read_text() != before
    retired = json.loads((tmp_path / "retired_keys.json").read_text())
    assert [item["key"] for item in retired] == [before]
    assert (tmp_path / "retired_keys.json").stat().st_mode & 0o077 == 0  # readable by its owner only

    try:
        with signed_in(settings) as api:
            new_link = _link(api)
            assert new_link != old_link
            assert _opens(api, old_link) and _opens(api, new_link)
            clock.advance(timedelta(days=29))
            assert _opens(api, old_link)
            clock.advance(timedelta(days=2))
            assert not _opens(api, old_link)
            assert "not valid" in api.client.get(old_link, headers={"Cookie": ""}).text
            assert _opens(api, new_link)
    finally:
        clock.reset()


def test_with_the_key_in_the_environment_the_new_one_is_printed_for_it(tmp_path: Path) -> None:
    env = {"PARCOURS_DATA_DIR": str(tmp_path), "PARCOURS_SECRET_KEY": "the-key-in-the-environment"}
    rotated = CliRunner().invoke(main, ["rotate-secret"], env=env)
    assert rotated.exit_code == 0, rotated.output
    assert "set PARCOURS_SECRET_KEY" in rotated.output
    new = rotated.output.splitlines()[1]
    assert len(new) > 40 and new != "the-key-in-the-environment"
    assert not (tmp_path / "secret_key").exists()  # nothing to keep: the administrator sets it
    retired = json.loads((tmp_path / "retired_keys.json").read_text())
    assert [item["key"] for item in retired] == ["the-key-in-the-environment"]
