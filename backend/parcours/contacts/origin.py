"""A lead's structured origin (pure): what kind of activity brought it, and which journey, campaign,
form or page. Kept on the contact in its lead_origin* columns and copied onto its opportunities."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from parcours.api import Id

OriginKind = Literal["inbound", "outbound", "sales"]
# The ids beside the kind, in the order they are shown.
ID_FIELDS = ("journey_id", "campaign_id", "form_id", "page_id")
# A contact's columns for each part of its origin.
CONTACT_COLUMNS = {"kind": "lead_origin", **{f: f"lead_origin_{f}" for f in ID_FIELDS}}


class Origin(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """inbound: a form or page not attributable to a journey; outbound: a journey or a campaign
    (or an import); sales: entered by sales with no marketing origin."""

    kind: OriginKind
    journey_id: Id | None = None
    campaign_id: Id | None = None
    form_id: Id | None = None
    page_id: Id | None = None


def read(values: Any, columns: dict[str, str]) -> Origin | None:
    """The origin kept in `columns` of a row (an object or a mapping), or None when it has none."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name, None)
    kind = get(columns["kind"])
    if kind not in ("inbound", "outbound", "sales"):
        return None
    return Origin(kind=kind, **{f: get(columns[f]) for f in ID_FIELDS})


def columns(origin: Origin | None, names: dict[str, str]) -> dict[str, Any]:
    """The values of `names` columns that hold this origin (every one None when it has none)."""
    if origin is None:
        return dict.fromkeys(names.values())
    return {names["kind"]: origin.kind, **{names[f]: getattr(origin, f) for f in ID_FIELDS}}


def of_contact(contact: Any) -> Origin | None:
    return read(contact, CONTACT_COLUMNS)
