"""Email addresses: the identity of contacts and users."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalize_email(value: str) -> str:
    """Trim and lower-case an address, or raise ValueError with a sentence a user understands."""
    candidate = (value or "").strip()
    if not candidate:
        raise ValueError("An email address is required.")
    try:
        checked = validate_email(candidate, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise ValueError(f"'{candidate}' is not a valid email address: {exc}") from None
    return checked.normalized.lower()
