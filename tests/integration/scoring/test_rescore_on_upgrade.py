"""The upgrade that taught PostgreSQL's set-wise scoring a leading (?i) scores again the models whose
rules ignore case: a score stored before (a "CEO" without the demographic model's executive points)
is put right by the recompute it queues, which the workers' job sweeper starts; the models whose
rules do not ignore case are left alone."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from parcours.jobs.tasks import sweep_jobs
from parcours.scoring.models import ContactScore
from tests.database import Database
from tests.factories import unique_email
from tests.integration.scoring.test_scoring import scores_of

REASON = "Scored again: rules that ignore case"


def _models(api: Any) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in api.get("/api/scoring/models").json()}


def _job_of(model: dict[str, Any]) -> str | None:
    return (model.get("recompute") or {}).get("job_id")


def _settled(api: Any) -> dict[str, dict[str, Any]] | None:
    """The models once nothing else will score the contact again: the stream has handed on every
    interaction (the contact's creation) and no recompute (the models' first one at start) is
    under way. Either, arriving after the score is set back to 0, would put it right before the
    upgrade's recompute and under its own reason."""
    models = _models(api)
    busy = any((m.get("recompute") or {}).get("status") in ("queued", "running") for m in models.values())
    return None if busy or api.get("/api/system").json()["stream"]["lag"] else models


def test_the_upgrade_scores_again_the_models_that_ignore_case(api: Any, database_url: str) -> None:
    contact = api.post("/api/contacts", json={"email": unique_email("upgrade"), "job_title": "CEO"}).json()
    right = api.eventually(lambda: (s := scores_of(api, contact["id"])["demographic"])["score"] > 0 and s)
    assert right, scores_of(api, contact["id"])["demographic"]
    before = api.eventually(lambda: _settled(api), timeout=60)
    assert before, "the stream or a recompute never settled"
    database = Database(database_url)
    try:
        # The score as the set-wise scoring stored it before: the executive's points missing.
        database.write(
            update(ContactScore)
            .where(col(ContactScore.contact_id) == contact["id"], col(ContactScore.model_id) == right["model_id"])
            .values(score=0)
        )
        assert scores_of(api, contact["id"])["demographic"]["score"] == 0
        database.migrate("0045", down=True)
        database.migrate("head")
    finally:
        database.close()
    after = _models(api)
    queued = _job_of(after["demographic"])
    assert queued and queued != _job_of(before["demographic"])
    for key, model in after.items():
        ignores_case = "(?i)" in json.dumps(model["rules"])
        assert (_job_of(model) != _job_of(before[key])) == ignores_case, key

    runtime = api.app.state.runtime
    api.blocking_portal.call(lambda: sweep_jobs({"runtime": runtime}))  # type: ignore[typeddict-item]
    assert api.wait_job(queued)["status"] == "done"
    assert scores_of(api, contact["id"])["demographic"]["score"] == right["score"]
    history = api.get(f"/api/contacts/{contact['id']}/score-history").json()["items"]
    assert (history[0]["reason"], history[0]["previous"], history[0]["score"]) == (REASON, 0, right["score"])
