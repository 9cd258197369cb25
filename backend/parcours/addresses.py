"""Email addresses: the identity of contacts and users."""

from __future__ import annotations

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

# The everyday address (ASCII letters, digits, dots between atoms; a domain of letter-digit-hyphen
# labels and an alphabetic top-level domain) is checked here, ten times faster than email-validator;
# anything else (quotes, international characters, special-use domains) goes to email-validator.
_PLAIN = re.compile(r"[a-z0-9_%+'-]+(?:\.[a-z0-9_%+'-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_SPECIAL = tuple(SPECIAL_USE_DOMAIN_NAMES)


def _plain(candidate: str) -> str | None:
    lowered = candidate.lower()
    if len(lowered) > 254 or not _PLAIN.fullmatch(lowered):
        return None
    local, domain = lowered.rsplit("@", 1)
    if len(local) > 64 or len(domain) > 253 or domain.rsplit(".", 1)[1] in _SPECIAL:
        return None
    if any(label[2:4] == "--" for label in domain.split(".")):  # Punycode, or reserved like it (RFC 5890)
        return None
    return lowered


def normalize_email(value: str) -> str:
    """Trim and lower-case an address, or raise ValueError with a sentence a user understands."""
    candidate = (value or "").strip()
    if not candidate:
        raise ValueError("An email address is required.")
    plain = _plain(candidate)
    if plain is not None:
        return plain
    try:
        checked = validate_email(candidate, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise ValueError(f"'{candidate}' is not a valid email address: {exc}") from None
    return checked.normalized.lower()
