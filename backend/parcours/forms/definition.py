"""Checks of a form's definition (pure: no I/O). Each problem names its path, `fields[2].maps_to`.

Regular expressions: a visitor's answer is matched by RE2 (`compiled_pattern`), which runs in
time linear in the answer whatever the pattern, so no post can stall the server. The pattern must
also be one the marketer's browser runs safely in the designer's preview: at most 200 characters,
no backreference, no lookaround, and no quantifier over a group that itself holds a quantifier or
an alternation (`(a+)+`, `(a|aa)*`).
"""

from __future__ import annotations

import re
from functools import lru_cache

# The standard library's own regex parser (Python 3.11+ names), as rules/regex.py reads it.
from re import _constants as sre  # type: ignore[attr-defined]  # private module, not in typeshed
from re import _parser as sre_parse  # type: ignore[attr-defined]  # private module, not in typeshed
from typing import Any

import re2

from parcours.contacts.vocabulary import CONSENT_FIELDS, PROFILE_FIELDS

# Contact fields a form may fill (consents go through `consent:` targets, with their evidence).
CONTACT_FIELDS = PROFILE_FIELDS
CONSENTS = {"consent:email": "email_opt_in", "consent:sms": "sms_opt_in"}
CHOICE_TYPES = ("select", "radio", "checkboxes")
# Names the page itself posts: no field of the definition may take them.
RESERVED_NAMES = ("page_id", "anonymous_id", "altcha", "_ts", "website", "p", "language")
MAX_PATTERN_VALUE = 500
_UNBOUNDED_OR_WIDE = 1  # a repeat whose maximum is above this counts as a quantifier


Problem = tuple[str, str]


def pattern_problem(pattern: str) -> str | None:
    """Why a marketer's regular expression is refused, or None."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"This regular expression is not valid: {exc}."
    problem = _walk(list(parsed), inside_repeat=False)
    if problem is None and compiled_pattern(pattern) is None:
        return "This regular expression uses a form the server's matcher (RE2) does not know."
    return problem


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


@lru_cache(maxsize=1024)
def compiled_pattern(pattern: str) -> Any:
    """The pattern compiled by RE2 (linear-time matching), or None when RE2 refuses it."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error:
        return None


def _walk(items: list[Any], inside_repeat: bool) -> str | None:
    for op, arg in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return "Back-references (\\1) are not allowed in a form's regular expression."
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            return "Lookarounds ((?=…), (?!…)) are not allowed in a form's regular expression."
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            _low, high, body = arg
            if inside_repeat and high > _UNBOUNDED_OR_WIDE:
                return (
                    "A repeated group holds another repetition: such a pattern can take forever on some "
                    "inputs. Write it without nesting (for example [a-z.]+ instead of ([a-z]+\\.)+)."
                )
            problem = _walk(list(body), inside_repeat or high > _UNBOUNDED_OR_WIDE)
            if problem:
                return problem
        elif op == sre.BRANCH:
            if inside_repeat:
                return "An alternation (a|b) inside a repeated group can take forever on some inputs: use a class [ab]."
            for branch in arg[1]:
                problem = _walk(list(branch), inside_repeat)
                if problem:
                    return problem
        elif op == sre.SUBPATTERN:
            problem = _walk(list(arg[-1]), inside_repeat)
            if problem:
                return problem
        elif op == sre.ATOMIC_GROUP:
            problem = _walk(list(arg), inside_repeat)
            if problem:
                return problem
    return None


def maps_to_problem(target: str, field_type: str, custom_names: set[str], topics: set[str]) -> str | None:
    if target in CONTACT_FIELDS:
        if field_type in ("consent", "checkboxes"):
            return f"A {field_type} field cannot fill the contact field '{target}'."
        if target == "email" and field_type not in ("email", "hidden"):
            return "The email address is filled by a field of type email."
        return None
    if target in CONSENT_FIELDS:
        return "Consents are given through a consent field mapped to consent:email or consent:sms."
    if target in CONSENTS or target.startswith("topic:"):
        if field_type != "consent":
            return f"'{target}' is filled by a consent field (a checkbox with its exact wording)."
        if target.startswith("topic:") and target[6:] not in topics:
            return f"There is no subscription topic '{target[6:]}'."
        return None
    if target.startswith("custom_"):
        if target[7:] not in custom_names:
            return f"There is no custom field '{target[7:]}': create it first, or map to another field."
        return None
    return (
        f"'{target}' is not a field a form can fill: a contact field ({', '.join(CONTACT_FIELDS)}), "
        "custom_<name>, consent:email, consent:sms or topic:<key>."
    )


_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?$")


def problems(
    fields: list[dict[str, Any]], settings: dict[str, Any], custom_names: set[str], topics: set[str]
) -> list[Problem]:
    """Every problem of a definition, in order (the API reports the first)."""
    found: list[Problem] = []
    seen: dict[str, int] = {}
    targets: dict[str, int] = {}
    for i, field in enumerate(fields):
        at = f"fields[{i}]"
        name, kind = field["name"], field["type"]
        if name in RESERVED_NAMES:
            found.append((f"{at}.name", f"'{name}' is reserved by the form page: choose another name."))
        if name in seen:
            found.append((f"{at}.name", f"Two fields are named '{name}' (fields[{seen[name]}] too)."))
        seen.setdefault(name, i)
        target = field.get("maps_to")
        if target:
            problem = maps_to_problem(target, kind, custom_names, topics)
            if problem:
                found.append((f"{at}.maps_to", problem))
            elif target in targets:
                found.append((f"{at}.maps_to", f"fields[{targets[target]}] already fills '{target}'."))
            targets.setdefault(target, i)
        elif kind == "consent":
            found.append(
                (
                    f"{at}.maps_to",
                    "A consent field says what it consents to: consent:email, consent:sms or topic:<key>.",
                )
            )
        if kind == "consent" and not (field.get("label") or "").strip():
            found.append((f"{at}.label", "A consent field needs its exact wording: the consent evidence keeps it."))
        if kind in CHOICE_TYPES:
            options = field.get("options") or []
            if not options:
                found.append((f"{at}.options", f"A {kind} field needs at least one choice."))
            values = [o["value"] for o in options]
            if len(set(values)) != len(values):
                found.append((f"{at}.options", "Two choices have the same value."))
        elif field.get("options"):
            found.append((f"{at}.options", f"Only select, radio and checkboxes fields have choices, not {kind}."))
        if kind == "hidden" and not field.get("source"):
            found.append((f"{at}.source", "A hidden field says which query-string key fills it (utm_source, gclid…)."))
        if field.get("pattern"):
            if kind in ("consent", "checkboxes", "hidden", "date", "number", *CHOICE_TYPES):
                found.append((f"{at}.pattern", f"A {kind} field takes no regular expression."))
            else:
                problem = pattern_problem(field["pattern"])
                if problem:
                    found.append((f"{at}.pattern", problem))
    for i, domain in enumerate(settings.get("allowed_domains") or []):
        if not _DOMAIN.match(domain.lower()):
            found.append(
                (f"settings.allowed_domains[{i}]", f"'{domain}' is not a domain name (example.com, *.example.com).")
            )
    languages = settings.get("languages") or []
    if len(set(languages)) != len(languages):
        found.append(("settings.languages", "A language is listed twice."))
    return found


def publish_problems(fields: list[dict[str, Any]]) -> list[Problem]:
    """What a form needs before it can take submissions: an email field, required."""
    email = [i for i, f in enumerate(fields) if f.get("maps_to") == "email"]
    if not email:
        return [("fields", "A form needs a field mapped to email, the address that identifies the person.")]
    field = fields[email[0]]
    if field["type"] != "email" or not field.get("required"):
        return [(f"fields[{email[0]}].required", "The email field must be required, of type email.")]
    return []
