"""API shapes of forms: the definition a marketer edits, what the API answers, the statistics.

Texts a visitor reads come in a default (`label`, `help`, `message`, `thank_you`, `submit`) and
per language (`labels`, `helps`, `messages`, `thank_you_labels`, `submit_labels`: {"fr": ..., "en":
...}); the page shows the visitor's language when the form has it, else the default text.
A consent field's `label` (and `labels`) is the exact wording shown: the consent evidence keeps it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Page, Strict

FieldType = Literal[
    "text", "email", "phone", "number", "date", "select", "radio", "checkboxes", "textarea", "hidden", "consent"
]
FormStatus = Literal["draft", "published"]
Language = Literal["fr", "en"]
NoScript = Literal["accept", "review", "refuse"]
SubmissionStatus = Literal["accepted", "pending", "held", "spam", "rejected"]

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
FieldName = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Label = Annotated[str, Meta(max_length=2000)]
ShortText = Annotated[str, Meta(max_length=500)]
Labels = Annotated[dict[Language, Label], Meta(max_length=2)]
# A target of a field: a contact field (`first_name`), a custom field (`custom_<name>`), a consent
# (`consent:email`, `consent:sms`) or a subscription topic (`topic:<key>`); checked on save.
MapsTo = Annotated[str, Meta(min_length=1, max_length=80)]
# A marketer's regular expression: at most 200 characters, matched by `re2`-like rules (see
# forms/definition.py: no backreferences or lookarounds, nested quantifiers refused).
Pattern = Annotated[str, Meta(min_length=1, max_length=200)]
Url = Annotated[str, Meta(max_length=2000, pattern=r"^https?://")]
Domain = Annotated[str, Meta(min_length=1, max_length=253)]
Source = Annotated[str, Meta(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$")]


class FieldOption(Strict):
    value: Annotated[str, Meta(min_length=1, max_length=200)]
    label: Label = ""
    labels: Labels = {}


class FormField(Strict):
    name: FieldName
    type: FieldType
    label: Label = ""
    labels: Labels = {}
    required: bool = False
    maps_to: MapsTo | None = None
    help: Label = ""
    helps: Labels = {}
    # Shown instead of the standard sentence when the value is refused.
    message: Label = ""
    messages: Labels = {}
    pattern: Pattern | None = None
    placeholder: ShortText = ""
    # select, radio and checkboxes: the choices offered.
    options: Annotated[list[FieldOption], Meta(max_length=200)] = []
    # hidden: the query-string key that fills it (utm_source, gclid, any key of the page's address).
    source: Source | None = None
    # Progressive profiling: asked only of a known person, in place of the fields already known.
    progressive: bool = False


class FormSettings(Strict):
    double_opt_in: bool = False
    redirect_url: Url | None = None
    thank_you: Label | None = None
    thank_you_labels: Labels = {}
    submit: ShortText = ""
    submit_labels: Labels = {}
    # The sites that may show the form through embed.js and post to it from a browser.
    allowed_domains: Annotated[list[Domain], Meta(max_length=50)] = []
    # The languages the page speaks; the first is the default.
    languages: Annotated[list[Language], Meta(min_length=1, max_length=2)] = msgspec.field(
        default_factory=lambda: ["en"]
    )
    # The version of the consent wording, kept with every consent given through the form.
    consent_version: Annotated[str, Meta(min_length=1, max_length=40)] = "1"
    # What to do with a post without proof of work (no JavaScript): apply it, hold it for review,
    # or refuse it (answered as if accepted, counted as spam).
    no_script: NoScript = "review"
    # Posted sooner than this after the page was shown: a robot (answered as if accepted).
    minimum_seconds: Annotated[int, Meta(ge=0, le=3600)] = 3
    progressive_profiling: bool = False


class FormIn(Strict):
    name: Name
    slug: Slug | None = None  # from the name when absent
    fields: Annotated[list[FormField], Meta(max_length=100)] = []
    settings: FormSettings = msgspec.field(default_factory=FormSettings)


class FormPatch(Strict):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    fields: Annotated[list[FormField], Meta(max_length=100)] | UnsetType = UNSET
    settings: FormSettings | UnsetType = UNSET


class FormOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    slug: str
    fields: list[FormField]
    settings: FormSettings
    status: FormStatus  # published once any version was published
    # The published version's number (null before the first publication).
    version: int | None
    # The draft differs from the published version.
    changed_since_publish: bool
    published_at: datetime | None
    url: str  # the hosted page, /f/{slug}
    created_by: str
    created_at: datetime
    updated_at: datetime


FormPage = Page[FormOut]


class DayFigures(msgspec.Struct, kw_only=True):
    day: date
    views: int
    submissions: int
    spam: int


class FormStats(msgspec.Struct, kw_only=True):
    views: int
    submissions: int  # applied: accepted, and confirmed double opt-ins
    conversion_rate: float  # submissions / views (0 without views)
    spam_blocked: int
    held: int  # waiting for a marketer's review
    new_contacts: int
    known_contacts: int
    pending_confirmations: int  # double opt-in not yet confirmed
    confirmed: int
    days: list[DayFigures]


class SubmissionOut(msgspec.Struct, kw_only=True):
    id: int
    form_id: int
    form_version: int
    status: SubmissionStatus
    values: dict[str, object]
    contact_id: int | None
    new_contact: bool
    spam_reason: str | None
    page_id: int | None
    created_at: datetime
    confirmed_at: datetime | None


SubmissionPage = Page[SubmissionOut]


class FormSnippet(msgspec.Struct, kw_only=True):
    """The form as plain HTML to paste into another site (works without JavaScript)."""

    html: str


class PrefillLink(msgspec.Struct, kw_only=True):
    url: str
    expires_at: datetime


class SubmitAnswer(msgspec.Struct, kw_only=True):
    """What a script posting to /f/{slug} gets back."""

    ok: bool
    # "confirm": a confirmation email was sent (double opt-in); "done" otherwise.
    next: Literal["done", "confirm"]
    message: str
    redirect_url: str | None = None


class PublishIn(Strict):
    pass


__all__ = ["Id"]
