"""A new address registering while another process creates the same contact (a registration for
another event, an import...) joins that contact instead of failing with a conflict."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts.models import Contact
from parcours.db import create_engine
from tests.conftest import Api
from tests.factories import unique_email

SOON = datetime.now(UTC) + timedelta(days=5)


def create_contact_elsewhere(url: str, email: str, inserted: threading.Event, hold: float) -> threading.Thread:
    """Another process's transaction: it creates the contact, holds its transaction open for
    `hold` seconds, then commits."""

    async def work() -> None:
        engine = create_engine(url)
        try:
            async with AsyncSession(engine) as session, session.begin():
                session.add(Contact(email=email, search_text=email, first_name="Elsewhere"))
                await session.flush()
                inserted.set()
                await asyncio.sleep(hold)
        finally:
            await engine.dispose()

    thread = threading.Thread(target=asyncio.run, args=(work(),))
    thread.start()
    return thread


def test_a_contact_created_meanwhile_is_the_registrant(api: Api, app_settings: Any) -> None:
    event = api.post(
        "/api/events",
        json={
            "name": "Race day",
            "type": "webinar",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=1)).isoformat(),
            "capacity": 10,
            "status": "published",
        },
    ).json()
    email = unique_email("race")
    inserted = threading.Event()
    other = create_contact_elsewhere(app_settings.sqlalchemy_url, email, inserted, hold=1.0)
    assert inserted.wait(10)
    response = api.post(f"/api/events/{event['id']}/registrations", json={"email": email, "last_name": "Racer"})
    other.join()
    assert response.status_code == 201, response.text
    [contact] = api.get("/api/contacts", params={"q": email}).json()["items"]
    assert response.json()["contact_id"] == contact["id"]
    assert (contact["first_name"], contact["last_name"]) == ("Elsewhere", "Racer")
    assert api.get(f"/api/events/{event['id']}/registrations").json()["total"] == 1
