"""When two contacts are probably the same person, and what one record of them holds.

Pure: the match keys stored on each contact (so that duplicates are found set-wise in SQL, by
equality on an indexed column) and the values a merge keeps. Used by the API, imports and merges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from parcours.contacts.normalize import fold
from parcours.contacts.vocabulary import CONSENT_LEVELS

# How mailbox providers read the local part of an address: `dots` ignored ("j.doe" is "jdoe"),
# and the character starting a sub-address tag ("jdoe+news" is "jdoe"). Only where the provider
# documents it: elsewhere "j.doe" and "jdoe" may well be two people.
#   Gmail: dots and +tags; googlemail.com is gmail.com.
#   Microsoft (outlook, hotmail, live, msn): +tags.   Apple iCloud (icloud, me, mac): +tags.
#   Fastmail, Proton: +tags.   Yahoo: "-" starts a disposable address's tag.
PROVIDERS: dict[str, tuple[str, bool, str]] = {
    # domain: (the domain it is an alias of, dots ignored, tag separator)
    "gmail.com": ("gmail.com", True, "+"),
    "googlemail.com": ("gmail.com", True, "+"),
    "outlook.com": ("outlook.com", False, "+"),
    "outlook.fr": ("outlook.fr", False, "+"),
    "hotmail.com": ("hotmail.com", False, "+"),
    "hotmail.fr": ("hotmail.fr", False, "+"),
    "live.com": ("live.com", False, "+"),
    "live.fr": ("live.fr", False, "+"),
    "msn.com": ("msn.com", False, "+"),
    "icloud.com": ("icloud.com", False, "+"),
    "me.com": ("icloud.com", False, "+"),
    "mac.com": ("icloud.com", False, "+"),
    "fastmail.com": ("fastmail.com", False, "+"),
    "proton.me": ("proton.me", False, "+"),
    "protonmail.com": ("proton.me", False, "+"),
    "pm.me": ("proton.me", False, "+"),
    "yahoo.com": ("yahoo.com", False, "-"),
    "yahoo.fr": ("yahoo.fr", False, "-"),
}


def email_key(email: str) -> str:
    """The mailbox an (already normalized, lower-case) address reaches: two addresses with the same
    key are one person's. 'Jean.Dupont+news@googlemail.com' and 'jeandupont@gmail.com' meet."""
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    provider = PROVIDERS.get(domain)
    if provider is None:
        return email
    canonical, no_dots, tag = provider
    local = local.split(tag, 1)[0] or local  # "+tag@" alone keeps its text: an address, not a tag
    if no_dots:
        local = local.replace(".", "")
    return f"{local}@{canonical}"


def person_key(first_name: str | None, last_name: str | None) -> str | None:
    """First and last name folded ("Lefèvre" is "lefevre"); None unless both are known."""
    first, last = fold(first_name or ""), fold(last_name or "")
    return f"{first}|{last}"[:200] if first and last else None


# ---- why two contacts are one -----------------------------------------------------------------

Reason = Literal["email", "phone", "name_company"]
REASONS: tuple[Reason, ...] = ("email", "phone", "name_company")


# ---- what one record of two holds ---------------------------------------------------------------

Side = Literal["survivor", "other"]
# The fields a marketer may pick between two records (custom fields are "custom.<name>").
MERGEABLE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "account_id",
    "country",
    "city",
    "language",
    "birth_date",
    "gender",
    "lifecycle_stage",
    "source",
    "lead_origin",
    "lead_origin_detail",
)
# Consent is never picked: the most restrictive of the two stays.
CONSENT_MERGED = ("consent_level", "email_opt_in", "sms_opt_in", "unsubscribed", "bounced")
_EMPTY_DEFAULTS: dict[str, Any] = {"lifecycle_stage": "subscriber"}


def is_empty(field: str, value: Any) -> bool:
    return value is None or value == "" or _EMPTY_DEFAULTS.get(field) == value


def merged_fields(
    survivor: Mapping[str, Any],
    other: Mapping[str, Any],
    choices: Mapping[str, Side],
    custom_names: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the survivor's fields that change, its custom values after the merge). Per field: the
    marketer's choice, else the survivor's value unless it is empty and the other's is not."""
    changes: dict[str, Any] = {}
    for field in MERGEABLE_FIELDS:
        mine, theirs = survivor.get(field), other.get(field)
        pick = choices.get(field) or ("other" if is_empty(field, mine) and not is_empty(field, theirs) else "survivor")
        if pick == "other" and theirs != mine:
            changes[field] = theirs
    mine_custom: dict[str, Any] = dict(survivor.get("custom") or {})
    theirs_custom: dict[str, Any] = dict(other.get("custom") or {})
    custom = dict(mine_custom)
    for name in sorted(set(mine_custom) | set(theirs_custom) | set(custom_names)):
        mine, theirs = mine_custom.get(name), theirs_custom.get(name)
        pick = choices.get(f"custom.{name}") or (
            "other" if is_empty(name, mine) and not is_empty(name, theirs) else "survivor"
        )
        if pick == "other":
            if name in theirs_custom:
                custom[name] = theirs
            else:
                custom.pop(name, None)
    return changes, custom


def most_restrictive(survivor: Mapping[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """The consent of one person known twice: an unsubscribe or a bounce on either stays, an
    opt-in only if both gave it, the lower consent level."""
    levels = [CONSENT_LEVELS.index(survivor["consent_level"]), CONSENT_LEVELS.index(other["consent_level"])]
    return {
        "consent_level": CONSENT_LEVELS[min(levels)],
        "email_opt_in": bool(survivor["email_opt_in"] and other["email_opt_in"]),
        "sms_opt_in": bool(survivor["sms_opt_in"] and other["sms_opt_in"]),
        "unsubscribed": bool(survivor["unsubscribed"] or other["unsubscribed"]),
        "bounced": bool(survivor["bounced"] or other["bounced"]),
    }


def unknown_choices(choices: Mapping[str, str], custom_names: Iterable[str]) -> list[str]:
    """The fields of `choices` a marketer cannot pick (consent, computed fields, unknown names)."""
    allowed = set(MERGEABLE_FIELDS) | {f"custom.{name}" for name in custom_names}
    return sorted(f for f in choices if f not in allowed)
