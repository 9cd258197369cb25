"""The closed lists a contact's fields take their values from."""

from __future__ import annotations

from typing import Literal, get_args

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
LIFECYCLE_STAGES: tuple[str, ...] = get_args(LifecycleStage)

# Ordered from least to most: a journey's minimum consent level compares on this order.
ConsentLevel = Literal["none", "transactional", "marketing", "profiling"]
CONSENT_LEVELS: tuple[str, ...] = get_args(ConsentLevel)

Gender = Literal["female", "male", "other", "undisclosed"]
GENDERS: tuple[str, ...] = get_args(Gender)

CustomFieldType = Literal["text", "number", "date", "boolean", "choice"]
CUSTOM_FIELD_TYPES: tuple[str, ...] = get_args(CustomFieldType)

CONSENT_FIELDS = ("consent_level", "email_opt_in", "sms_opt_in", "unsubscribed", "bounced")

# What a person says of themselves: what an import or a public form may fill.
PROFILE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "company",
    "country",
    "city",
    "language",
    "birth_date",
    "gender",
)

# What an import may say of a contact's company besides its name (`company`): the account is
# found by domain or name (created when there is none) and these fill it.
ACCOUNT_FIELDS = (
    "account_industry",
    "account_size",
    "account_annual_revenue",
    "account_country",
    "account_website",
    "account_domain",
)

# Fields a CSV column can be mapped to (custom fields are added as "custom.<name>").
IMPORTABLE_FIELDS = (
    *PROFILE_FIELDS,
    "lifecycle_stage",
    "source",
    "consent_level",
    "email_opt_in",
    "sms_opt_in",
    "unsubscribed",
    *ACCOUNT_FIELDS,
)

# Computed from interactions; read-only through the API.
COMPUTED_FIELDS = (
    "last_interaction_at",
    "opens_30d",
    "clicks_30d",
    "visits_30d",
    "purchases",
    "total_revenue",
    "last_purchase_at",
    "first_seen_at",
)
