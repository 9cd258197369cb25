"""A contact's values as typed by people and files, cleaned before they are stored."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import accounts
from parcours.contacts import normalize as n
from parcours.errors import InvalidInput


def _normalized(field: str, value: Any, country: str | None) -> Any:
    if value is None or isinstance(value, (bool, date)):
        return value
    try:
        match field:
            case "email":
                return n.normalize_email(value)
            case "first_name" | "last_name":
                return n.proper_case(value)
            case "phone":
                if not value.strip():
                    return None
                if not value.strip().startswith(("+", "00")) and not country:
                    raise ValueError("Write the number with its country code (+33 ...) or set the contact's country.")
                return n.normalize_phone(value, country)
            case "country":
                return n.normalize_country(value) if value.strip() else None
            case "language":
                return n.normalize_language(value) if value.strip() else None
            case "job_title" | "city" | "source" | "company":
                return n.clean_text(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), field) from None
    return value


async def clean(session: AsyncSession, values: dict[str, Any], current_country: str | None) -> dict[str, Any]:
    """Normalized values (custom fields aside); a company name becomes its account's id."""
    country = values.get("country", current_country)
    if isinstance(country, str) and country.strip():
        country = _normalized("country", country, None)
    cleaned = {field: _normalized(field, value, country) for field, value in values.items() if field != "custom"}
    company = cleaned.pop("company", None)
    if company and cleaned.get("account_id") is None:
        cleaned["account_id"] = (await accounts.find_or_create(session, [company]))[company]
    elif cleaned.get("account_id") is not None:
        await accounts.get_account(session, cleaned["account_id"], field="account_id")
    return cleaned
