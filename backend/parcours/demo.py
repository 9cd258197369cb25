"""Demo data: a realistic contact base (French and English) with a few months of behaviour."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from faker import Faker

from parcours import stream
from parcours.clock import utcnow
from parcours.contacts import accounts
from parcours.contacts import normalize as n
from parcours.contacts import service as contact_service
from parcours.db import transaction
from parcours.interactions import service as interaction_service
from parcours.runtime import Runtime

STAGES = {
    "subscriber": 40,
    "lead": 25,
    "marketing_qualified": 12,
    "sales_ready": 6,
    "opportunity": 5,
    "customer": 10,
    "disqualified": 2,
}
SOURCES = {"website": 35, "webinar": 15, "trade_show": 10, "import": 20, "referral": 10, "linkedin": 10}
CONSENT = {"none": 10, "transactional": 20, "marketing": 55, "profiling": 15}
INTERACTIONS = {
    "email_sent": 30,
    "email_opened": 22,
    "email_clicked": 8,
    "page_visited": 25,
    "form_submitted": 5,
    "purchase": 4,
    "event_registered": 3,
    "event_attended": 3,
}
INDUSTRIES = [
    "Software",
    "Retail",
    "Banking",
    "Insurance",
    "Manufacturing",
    "Healthcare",
    "Education",
    "Energy",
    "Media",
    "Transport",
    "Hospitality",
    "Consulting",
]
PAGES = [
    "/",
    "/pricing",
    "/features",
    "/blog/marketing-automation",
    "/blog/lead-scoring",
    "/contact",
    "/webinars",
    "/customers",
    "/fr/tarifs",
    "/fr/fonctionnalites",
]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phone(fake: Faker, country: str) -> str | None:
    try:
        return n.normalize_phone(fake.phone_number(), country)
    except ValueError:
        return None


def contact_rows(count: int, account_ids: list[int], rng: random.Random, offset: int = 0) -> list[dict[str, Any]]:
    fakers = {"FR": Faker("fr_FR"), "GB": Faker("en_GB"), "US": Faker("en_US")}
    for fake in fakers.values():
        fake.seed_instance(rng.random())
    rows = []
    for i in range(offset, offset + count):
        country = rng.choices(["FR", "GB", "US"], weights=[60, 20, 20])[0]
        fake = fakers[country]
        female = rng.random() < 0.5
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        local = n.fold(f"{first}.{last}").replace(" ", "-")
        marketing = _pick(rng, CONSENT)
        rows.append(
            {
                "email": f"{local}.{i}@{fake.free_email_domain()}",
                "first_name": first,
                "last_name": last,
                "phone": _phone(fake, country) if rng.random() < 0.7 else None,
                "job_title": fake.job()[:200] if rng.random() < 0.8 else None,
                "account_id": rng.choice(account_ids) if account_ids and rng.random() < 0.75 else None,
                "country": country,
                "city": fake.city()[:100],
                "language": "fr" if country == "FR" else "en",
                "birth_date": fake.date_of_birth(minimum_age=20, maximum_age=70) if rng.random() < 0.6 else None,
                "gender": ("female" if female else "male") if rng.random() < 0.9 else "undisclosed",
                "lifecycle_stage": _pick(rng, STAGES),
                "source": _pick(rng, SOURCES),
                "consent_level": marketing,
                "email_opt_in": marketing in ("marketing", "profiling"),
                "sms_opt_in": marketing in ("marketing", "profiling") and rng.random() < 0.3,
                "unsubscribed": rng.random() < 0.03,
                "bounced": rng.random() < 0.01,
                "created_at": utcnow() - timedelta(days=rng.uniform(0, 365)),
            }
        )
    return rows


def interaction_rows(contact_ids: list[int], count: int, rng: random.Random) -> list[dict[str, Any]]:
    now = utcnow()
    rows = []
    for _ in range(count):
        kind = _pick(rng, INTERACTIONS)
        properties: dict[str, Any] = {}
        value = None
        if kind == "purchase":
            value = round(rng.lognormvariate(4, 0.8), 2)
            properties = {"amount": value, "currency": "EUR", "order_id": f"CMD-{rng.randint(10000, 99999)}"}
        elif kind == "page_visited":
            properties = {
                "url": rng.choice(PAGES),
                "utm_source": rng.choice(["newsletter", "google", "linkedin", None]),
            }
        elif kind.startswith("email_"):
            properties = {
                "subject": rng.choice(
                    [
                        "Bienvenue !",
                        "Our spring newsletter",
                        "Webinar: lead scoring 101",
                        "-20 % cette semaine",
                        "We miss you",
                    ]
                )
            }
        elif kind.startswith("event_"):
            properties = {"event": rng.choice(["Webinar: marketing automation", "Salon Paris Retail Week"])}
        rows.append(
            {
                "contact_id": rng.choice(contact_ids),
                "type": kind,
                "value": value,
                "properties": properties,
                "occurred_at": now - timedelta(days=rng.uniform(0, 120)),
            }
        )
    return rows


async def seed(runtime: Runtime, *, contacts: int, interactions: int, seed_value: int = 7) -> dict[str, int]:
    rng = random.Random(seed_value)
    fake = Faker("fr_FR")
    fake.seed_instance(seed_value)
    async with transaction(runtime.sessions) as session:
        offset = await contact_service.count_contacts(session)
        names = list({fake.company()[:200] for _ in range(max(1, contacts // 12))})
        account_ids = list((await accounts.find_or_create(session, names)).values())
        await accounts.describe(
            session,
            {
                aid: {
                    "industry": rng.choice(INDUSTRIES),
                    "size": rng.choice([5, 20, 50, 200, 500, 1500, 10000]),
                    "annual_revenue": float(rng.choice([0.5, 2, 10, 50, 250, 1000])) * 1e6,
                    "country": "FR",
                }
                for aid in account_ids
            },
        )
    ids: list[int] = []
    for start in range(0, contacts, 2000):
        batch = contact_rows(min(2000, contacts - start), account_ids, rng, offset + start)
        async with transaction(runtime.sessions) as session:
            ids += await contact_service.insert_many(session, batch)
    for start in range(0, interactions, 5000):
        async with transaction(runtime.sessions) as session:
            await interaction_service.insert_many(session, interaction_rows(ids, min(5000, interactions - start), rng))
    await stream.process_new_interactions(runtime.sessions)  # the computed fields
    return {"contacts": len(ids), "interactions": interactions, "accounts": len(account_ids)}
