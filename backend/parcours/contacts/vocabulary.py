"""The closed lists a contact's fields take their values from."""

from __future__ import annotations

from typing import Literal

LifecycleStage = Literal[
    "subscriber",
    "lead",
    "marketing_qualified",
    "telemarketing_accepted",
    "sales_ready",
    "sales_accepted",
    "opportunity",
    "customer",
    "disqualified",
]
LIFECYCLE_STAGES: tuple[str, ...] = LifecycleStage.__args__  # type: ignore[attr-defined]

# Ordered from least to most: a journey's minimum consent level compares on this order.
ConsentLevel = Literal["none", "transactional", "marketing", "profiling"]
CONSENT_LEVELS: tuple[str, ...] = ConsentLevel.__args__  # type: ignore[attr-defined]

Gender = Literal["female", "male", "other", "undisclosed"]
GENDERS: tuple[str, ...] = Gender.__args__  # type: ignore[attr-defined]

CustomFieldType = Literal["text", "number", "date", "boolean", "choice"]
CUSTOM_FIELD_TYPES: tuple[str, ...] = CustomFieldType.__args__  # type: ignore[attr-defined]

CONSENT_FIELDS = ("consent_level", "email_opt_in", "sms_opt_in", "unsubscribed", "bounced")

# Fields a CSV column can be mapped to (custom fields are added as "custom.<name>").
IMPORTABLE_FIELDS = (
    "email", "first_name", "last_name", "phone", "job_title", "company", "country", "city",
    "language", "birth_date", "gender", "lifecycle_stage", "source", "consent_level",
    "email_opt_in", "sms_opt_in", "unsubscribed",
)

# Computed from interactions; read-only through the API.
COMPUTED_FIELDS = (
    "last_interaction_at", "opens_30d", "clicks_30d", "visits_30d", "purchases",
    "total_revenue", "last_purchase_at", "first_seen_at",
)
