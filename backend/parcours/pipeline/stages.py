"""Lifecycle stages: their order and which moves between them are allowed (pure)."""

from __future__ import annotations

# The funnel, in order; `disqualified` stands apart from it.
FUNNEL: tuple[str, ...] = (
    "subscriber",
    "lead",
    "marketing_qualified",
    "telemarketing_accepted",
    "sales_ready",
    "sales_accepted",
    "opportunity",
    "customer",
)
DISQUALIFIED = "disqualified"
STAGES: tuple[str, ...] = (*FUNNEL, DISQUALIFIED)
SALES_READY = "sales_ready"
# A disqualified contact can be qualified again from the top of the funnel only.
REQUALIFY_TO = frozenset({"subscriber", "lead", "marketing_qualified"})
# Sales may send a contact back to marketing until it becomes an opportunity.
_OPPORTUNITY = FUNNEL.index("opportunity")


def transition_problem(current: str, wanted: str) -> str | None:
    """Why a contact cannot move from `current` to `wanted`, or None when it can."""
    if current == wanted or wanted == DISQUALIFIED:
        return None
    if current == DISQUALIFIED:
        if wanted in REQUALIFY_TO:
            return None
        return f"A disqualified contact can only go back to {', '.join(sorted(REQUALIFY_TO))}, not to {wanted}."
    if current not in FUNNEL or wanted not in FUNNEL:
        return None  # unknown stages are refused by the input's own checks
    before, after = FUNNEL.index(current), FUNNEL.index(wanted)
    if after > before or after < before < _OPPORTUNITY:
        return None
    return f"A contact at the {current} stage cannot go back to {wanted} (only to disqualified)."


def is_before(stage: str, other: str) -> bool:
    """Is `stage` earlier in the funnel than `other`? (disqualified is before nothing)."""
    return stage in FUNNEL and other in FUNNEL and FUNNEL.index(stage) < FUNNEL.index(other)
