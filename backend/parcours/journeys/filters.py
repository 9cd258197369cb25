"""An entry's filter over the interaction that triggers it (`url =~~ "pricing"`, `form_id == 3`):
the rule language over the interaction's properties, as scoring's interaction filters read them.
Pure: no I/O."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from parcours.clock import utcnow
from parcours.rules.language import Checked, Schema, evaluate
from parcours.scoring.points import ModelProblem, filter_rule, property_values


@lru_cache(maxsize=256)
def _compiled(text: str) -> tuple[Checked, Schema]:
    return filter_rule(text, utcnow)


def problem(text: str | None) -> str | None:
    """Why a filter cannot be used (None: it can, or there is none)."""
    if not text or not text.strip():
        return None
    try:
        _compiled(text)
    except ModelProblem as exc:
        return f"The filter is not valid: {exc.message}"
    return None


def passes(text: str | None, properties: dict[str, Any] | None) -> bool:
    """Whether an interaction with these properties passes the filter (no filter: every one)."""
    if not text or not text.strip():
        return True
    try:
        checked, schema = _compiled(text)
    except ModelProblem:
        return False  # publication refuses it; a journey published before never starts on it
    return bool(evaluate(checked, property_values(properties or {}, schema)))
