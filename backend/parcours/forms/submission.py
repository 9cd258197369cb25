"""A post checked against the form's published definition (pure: values in, values out).

`check` turns what a browser or a script posted (strings, or lists for checkboxes; JSON may
send numbers and booleans) into typed values by field name, or the first problem as (field name,
message) in the visitor's language. `shown` says which fields a visitor sees (progressive
profiling), and `targets` splits checked values into what they fill on the contact."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from parcours.addresses import normalize_email
from parcours.forms.definition import CONSENTS, MAX_PATTERN_VALUE, compiled_pattern
from parcours.web.catalog import text

MAX_VALUE = 5000  # a textarea's most
MAX_SHORT = 500


def say(language: str, field: dict[str, Any], key: str, **values: object) -> str:
    """The field's own message when the marketer wrote one, else the catalog's sentence."""
    own = (field.get("messages") or {}).get(language) or field.get("message")
    return str(own) if own else text(language, f"form.{key}", **values)


def localized(field: Mapping[str, Any], key: str, language: str) -> str:
    """`label` / `labels`, `help` / `helps`... in the visitor's language, else the default."""
    plural = {"label": "labels", "help": "helps", "message": "messages"}.get(key, f"{key}_labels")
    return str((field.get(plural) or {}).get(language) or field.get(key) or "")


def _one(raw: Any) -> str | None:
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else ""
    return str(raw).strip()


def _checked(raw: Any) -> bool:
    value = _one(raw)
    return value is not None and value.lower() not in ("", "false", "0", "no", "off")


def check(
    fields: list[dict[str, Any]], raw: Mapping[str, Any], language: str
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """Typed values by field name, and the first problem (field name, message) or None."""
    values: dict[str, Any] = {}
    for f in fields:
        name, kind = f["name"], f["type"]
        given = raw.get(name)
        if kind == "consent":
            values[name] = _checked(given)
            if f.get("required") and not values[name]:
                return values, (name, say(language, f, "consent_required"))
            continue
        if kind == "checkboxes":
            chosen = [str(v).strip() for v in (given if isinstance(given, list) else [given] if given else [])]
            allowed = {o["value"] for o in f.get("options") or []}
            chosen = [v for v in chosen if v]
            if any(v not in allowed for v in chosen):
                return values, (name, say(language, f, "bad_choice"))
            if f.get("required") and not chosen:
                return values, (name, say(language, f, "required"))
            values[name] = chosen
            continue
        value: Any = _one(given)
        if not value:
            if f.get("required"):
                return values, (name, say(language, f, "required"))
            continue
        limit = MAX_VALUE if kind == "textarea" else MAX_SHORT
        if len(value) > limit:
            return values, (name, say(language, f, "too_long", limit=limit))
        problem: str | None = None
        match kind:
            case "email":
                try:
                    value = normalize_email(value)
                except ValueError:
                    problem = "bad_email"
            case "number":
                try:
                    number = float(value.replace(",", ".").replace(" ", ""))
                    if math.isnan(number) or abs(number) > 1e15:
                        raise ValueError(value)
                    value = int(number) if number.is_integer() else number
                except ValueError:
                    problem = "bad_number"
            case "date":
                try:
                    value = date.fromisoformat(value).isoformat()
                except ValueError:
                    problem = "bad_date"
            case "phone":
                if not re.fullmatch(r"\+?[0-9 ().\-]{4,40}", value):
                    problem = "bad_phone"
            case "select" | "radio":
                if value not in {o["value"] for o in f.get("options") or []}:
                    problem = "bad_choice"
        if (
            problem is None
            and f.get("pattern")
            and isinstance(value, str)
            and (len(value) > MAX_PATTERN_VALUE or not _matches(f["pattern"], value))
        ):
            problem = "bad_pattern"
        if problem:
            return values, (name, say(language, f, problem))
        values[name] = value
    return values, None


def shown(fields: list[dict[str, Any]], known: Mapping[str, Any] | None, progressive: bool) -> list[dict[str, Any]]:
    """The fields a visitor sees. Progressive fields are for known people only; with progressive
    profiling on, a known person's already-filled optional fields give their place to them."""
    if known is None or not progressive:
        return [f for f in fields if not f.get("progressive")]
    out, freed = [], 0
    for f in fields:
        if f.get("progressive"):
            continue
        target = f.get("maps_to")
        if (
            target
            and target != "email"
            and f["type"] not in ("hidden", "consent")
            and known.get(target) not in (None, "", [])
        ):
            freed += 1
            continue
        out.append(f)
    extra = [f for f in fields if f.get("progressive") and known.get(f.get("maps_to") or "") in (None, "", [])]
    return out + extra[:freed]


@dataclass
class Targets:
    """Checked values split by what they fill."""

    contact: dict[str, Any] = field(default_factory=dict)  # first_name, phone...
    custom: dict[str, Any] = field(default_factory=dict)  # custom field name -> value
    consents: dict[str, bool] = field(default_factory=dict)  # email_opt_in / sms_opt_in -> given
    topics: dict[str, bool] = field(default_factory=dict)  # topic key -> given
    wording: dict[str, str] = field(default_factory=dict)  # consent target -> the wording shown


def targets(fields: list[dict[str, Any]], values: Mapping[str, Any], language: str) -> Targets:
    out = Targets()
    for f in fields:
        target, name = f.get("maps_to"), f["name"]
        if not target or name not in values:
            continue
        value = values[name]
        if target in CONSENTS:
            out.consents[CONSENTS[target]] = bool(value)
            out.wording[CONSENTS[target]] = localized(f, "label", language)
        elif target.startswith("topic:"):
            out.topics[target[6:]] = bool(value)
            out.wording[f"topic:{target[6:]}"] = localized(f, "label", language)
        elif target.startswith("custom_"):
            out.custom[target[7:]] = value
        else:
            out.contact[target] = value
    return out


def _matches(pattern: str, value: str) -> bool:
    """RE2 matching: linear in the answer, whatever the marketer wrote."""
    compiled = compiled_pattern(pattern)
    return compiled is not None and compiled.fullmatch(value) is not None
