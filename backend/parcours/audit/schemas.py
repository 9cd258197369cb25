"""API shapes of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AuditEntryOut(msgspec.Struct, kw_only=True):
    id: int
    at: datetime
    # Who acted: a user (actor_id is the user's id), an API key (the key's id) or the product itself.
    actor_kind: str
    actor_id: int
    actor_name: str
    # What was done, such as user.updated, contact.erased, contacts.exported.
    action: str
    target_kind: str
    target_id: str
    target_label: str
    # The fields that changed, as they were and as they became (null: created, or deleted); secrets
    # read "[redacted]".
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    # The client's address (behind PARCOURS_TRUSTED_PROXIES, the one the proxy saw); empty for jobs.
    address: str


class AuditActionsOut(msgspec.Struct, kw_only=True):
    actions: list[str]
