"""The contact context rules are written against: every field a rule may name, its type,
whether it may be empty, its labels in English and French, and its allowed values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import msgspec

FieldType = Literal[
    "string",
    "number",
    "boolean",
    "datetime",
    "date",
    "choice",
    "country",
    "language",
    "segments",
    "steps",
    "links",
    "events",
]


class Choice(msgspec.Struct, frozen=True):
    value: str
    label_en: str
    label_fr: str


Group = Literal["contact", "consent", "activity", "rfm", "account", "custom", "score", "computed", "segment", "journey"]


class Field(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    type: FieldType
    label_en: str
    label_fr: str
    group: Group
    nullable: bool = True
    choices: tuple[Choice, ...] = ()


def _choices(*rows: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value=v, label_en=en, label_fr=fr) for v, en, fr in rows)


STAGES = _choices(
    ("subscriber", "Subscriber", "Abonné"),
    ("lead", "Lead", "Prospect"),
    ("marketing_qualified", "Marketing qualified", "Qualifié marketing"),
    ("telemarketing_accepted", "Telemarketing accepted", "Accepté en télémarketing"),
    ("sales_ready", "Sales ready", "Prêt pour la vente"),
    ("sales_accepted", "Sales accepted", "Accepté par les ventes"),
    ("opportunity", "Opportunity", "Opportunité"),
    ("customer", "Customer", "Client"),
    ("disqualified", "Disqualified", "Disqualifié"),
)
CONSENT_LEVELS = _choices(
    ("none", "None", "Aucun"),
    ("transactional", "Transactional only", "Transactionnel uniquement"),
    ("marketing", "Marketing", "Marketing"),
    ("profiling", "Marketing and profiling", "Marketing et profilage"),
)
GENDERS = _choices(
    ("female", "Female", "Femme"),
    ("male", "Male", "Homme"),
    ("other", "Other", "Autre"),
    ("undisclosed", "Prefers not to say", "Préfère ne pas le dire"),
)

# The named groups of rfm.core.GROUPS, in the same order (tests/unit/rfm checks they agree).
RFM_GROUPS = _choices(
    ("champions", "Champions", "Champions"),
    ("loyal", "Loyal", "Fidèles"),
    ("potential_loyalists", "Potential loyalists", "Fidèles en devenir"),
    ("new_customers", "New customers", "Nouveaux clients"),
    ("promising", "Promising", "Prometteurs"),
    ("need_attention", "Need attention", "À surveiller"),
    ("about_to_sleep", "About to sleep", "En train de s'endormir"),
    ("at_risk", "At risk", "À risque"),
    ("cant_lose_them", "Can't lose them", "À ne pas perdre"),
    ("hibernating", "Hibernating", "En hibernation"),
    ("lost", "Lost", "Perdus"),
)


def _f(
    name: str, type_: FieldType, en: str, fr: str, group: Group, nullable: bool = True, choices: tuple[Choice, ...] = ()
) -> Field:
    return Field(
        name=name,
        type=type_,
        label_en=en,
        label_fr=fr,
        group=group,
        nullable=nullable,
        choices=choices,
    )


STANDARD_FIELDS: tuple[Field, ...] = (
    _f("email", "string", "Email", "E-mail", "contact", nullable=False),
    _f("first_name", "string", "First name", "Prénom", "contact"),
    _f("last_name", "string", "Last name", "Nom", "contact"),
    _f("phone", "string", "Phone", "Téléphone", "contact"),
    _f("job_title", "string", "Job title", "Fonction", "contact"),
    _f("country", "country", "Country", "Pays", "contact"),
    _f("city", "string", "City", "Ville", "contact"),
    _f("language", "language", "Language", "Langue", "contact"),
    _f("birth_date", "date", "Birth date", "Date de naissance", "contact"),
    _f("gender", "choice", "Gender", "Genre", "contact", choices=GENDERS),
    _f(
        "lifecycle_stage",
        "choice",
        "Lifecycle stage",
        "Étape du cycle de vie",
        "contact",
        nullable=False,
        choices=STAGES,
    ),
    _f("source", "string", "Source", "Origine", "contact"),
    _f("created_at", "datetime", "Created", "Créé le", "contact", nullable=False),
    _f("updated_at", "datetime", "Last changed", "Modifié le", "contact", nullable=False),
    _f(
        "consent_level",
        "choice",
        "Consent level",
        "Niveau de consentement",
        "consent",
        nullable=False,
        choices=CONSENT_LEVELS,
    ),
    _f("email_opt_in", "boolean", "Email opt-in", "Accepte les e-mails", "consent", nullable=False),
    _f("sms_opt_in", "boolean", "SMS opt-in", "Accepte les SMS", "consent", nullable=False),
    _f("unsubscribed", "boolean", "Unsubscribed", "Désabonné", "consent", nullable=False),
    _f("bounced", "boolean", "Bounced", "Adresse en erreur", "consent", nullable=False),
    _f("last_interaction_at", "datetime", "Last activity", "Dernière activité", "activity"),
    _f("first_seen_at", "datetime", "First seen", "Première activité", "activity"),
    _f("opens_30d", "number", "Email opens (30 days)", "Ouvertures d'e-mails (30 jours)", "activity", nullable=False),
    _f(
        "clicks_30d",
        "number",
        "Email clicks (30 days)",
        "Clics dans les e-mails (30 jours)",
        "activity",
        nullable=False,
    ),
    _f("visits_30d", "number", "Page visits (30 days)", "Pages visitées (30 jours)", "activity", nullable=False),
    _f("purchases", "number", "Purchases", "Achats", "activity", nullable=False),
    _f("total_revenue", "number", "Revenue", "Chiffre d'affaires", "activity", nullable=False),
    _f("last_purchase_at", "datetime", "Last purchase", "Dernier achat", "activity"),
    _f("rfm_recency", "number", "RFM recency (1-5)", "RFM récence (1-5)", "rfm"),
    _f("rfm_frequency", "number", "RFM frequency (1-5)", "RFM fréquence (1-5)", "rfm"),
    _f("rfm_monetary", "number", "RFM monetary (1-5)", "RFM montant (1-5)", "rfm"),
    _f("rfm_score", "string", "RFM score (e.g. 545)", "Score RFM (ex. 545)", "rfm"),
    _f("rfm_segment", "choice", "RFM group", "Groupe RFM", "rfm", choices=RFM_GROUPS),
    _f("company", "string", "Company", "Société", "account"),
    _f("account_industry", "string", "Company industry", "Secteur de la société", "account"),
    _f("account_size", "number", "Company size (employees)", "Taille de la société (salariés)", "account"),
    _f("account_annual_revenue", "number", "Company annual revenue", "Chiffre d'affaires de la société", "account"),
    _f("account_country", "country", "Company country", "Pays de la société", "account"),
    _f("segments", "segments", "Segments", "Segments", "segment", nullable=False),
)

# What a contact did in the journey run being evaluated: only a journey's conditions can read them
# (rules.service.journey_schema), never a segment's or a score's. `steps` hold the ids of the
# journey's email steps, `links` "<step id> <url>", `events` event ids.
JOURNEY_FIELDS: tuple[Field, ...] = (
    _f("opened_steps", "steps", "Opened the email of step", "A ouvert l'e-mail de l'étape", "journey", False),
    _f("clicked_steps", "steps", "Clicked in the email of step", "A cliqué dans l'e-mail de l'étape", "journey", False),
    _f("clicked_links", "links", "Clicked the link", "A cliqué sur le lien", "journey", False),
    _f("registered_events", "events", "Registered to the event", "Inscrit à l'événement", "journey", False),
    _f("attended_events", "events", "Attended the event", "A participé à l'événement", "journey", False),
)
JOURNEY_FIELD_NAMES = frozenset(f.name for f in JOURNEY_FIELDS)

CUSTOM_PREFIX = "custom_"
_CUSTOM_TYPES: dict[str, FieldType] = {
    "text": "string",
    "number": "number",
    "date": "date",
    "boolean": "boolean",
    "choice": "choice",
}


class CustomFieldInfo(msgspec.Struct, frozen=True):
    name: str
    label: str
    type: str
    choices: Sequence[str] = ()


def custom_field(info: CustomFieldInfo) -> Field:
    """A custom field is `custom_<name>` in rules; its label is the admin's, in both languages."""
    return Field(
        name=CUSTOM_PREFIX + info.name,
        type=_CUSTOM_TYPES[info.type],
        label_en=info.label,
        label_fr=info.label,
        group="custom",
        choices=tuple(Choice(value=c, label_en=c, label_fr=c) for c in info.choices),
    )


SCORE_PREFIX = "score_"
GRADE_PREFIX = "grade_"


class ScoreInfo(msgspec.Struct, frozen=True):
    """A scoring model as rules see it: its key, name, and grades from the highest band down."""

    key: str
    name: str
    grades: Sequence[str] = ()


def score_fields(info: ScoreInfo) -> tuple[Field, Field]:
    """`score_<key>` (0 until the contact earns points) and `grade_<key>`. A contact not scored
    yet has the lowest grade: the last of `choices`, which rules.context and the SQL columns
    both read as the default."""
    score = Field(
        name=SCORE_PREFIX + info.key,
        type="number",
        label_en=f"Score: {info.name}",
        label_fr=f"Score : {info.name}",
        group="score",
        nullable=False,
    )
    grade = Field(
        name=GRADE_PREFIX + info.key,
        type="choice",
        label_en=f"Grade: {info.name}",
        label_fr=f"Note : {info.name}",
        group="score",
        nullable=False,
        choices=tuple(Choice(value=g, label_en=g, label_fr=g) for g in info.grades),
    )
    return score, grade


def score_default(field: Field) -> object:
    if field.type == "number":
        return 0.0
    return field.choices[-1].value if field.choices else ""


COMPUTED_PREFIX = "computed_"


class ComputedInfo(msgspec.Struct, frozen=True):
    """A behavioural field as rules see it: `computed_<name>`, its label and its value's type
    ("number", "boolean" or "datetime"), kept by behaviour (contacts' table contact_computed)."""

    name: str
    label: str
    type: str


def computed_field(info: ComputedInfo) -> Field:
    # A count, a sum or "has done" always has a value (0, false); a first/last/min/max has none
    # until the contact does the thing.
    return Field(
        name=COMPUTED_PREFIX + info.name,
        type="boolean" if info.type == "boolean" else "datetime" if info.type == "datetime" else "number",
        label_en=info.label,
        label_fr=info.label,
        group="computed",
        nullable=info.type == "nullable_number" or info.type == "datetime",
    )


def computed_default(field: Field) -> object:
    """What a contact without a stored value reads (SQL columns coalesce to the same)."""
    if field.nullable:
        return None
    return False if field.type == "boolean" else 0.0


def catalog(
    custom: Iterable[CustomFieldInfo] = (), scores: Iterable[ScoreInfo] = (), computed: Iterable[ComputedInfo] = ()
) -> dict[str, Field]:
    fields = {f.name: f for f in STANDARD_FIELDS}
    fields.update({(field := custom_field(info)).name: field for info in custom})
    for info in scores:
        fields.update({field.name: field for field in score_fields(info)})
    fields.update({(field := computed_field(info)).name: field for info in computed})
    return fields
