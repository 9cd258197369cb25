"""API shapes for emails, templates and topics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Strict

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Line = Annotated[str, Meta(max_length=300)]
Address = Annotated[str, Meta(max_length=320)]
Kind = Literal["promotional", "transactional"]
Language = Literal["en", "fr"]
Source = Annotated[str, Meta(max_length=500_000)]


class EmailIn(Strict):
    name: Name
    subject: Line
    from_name: Annotated[str, Meta(max_length=200)]
    from_email: Address
    preheader: Line = ""
    reply_to: Address | None = None
    kind: Kind = "promotional"
    topic: Annotated[str, Meta(max_length=64)] | None = None
    # Without one: the template's language, else the language of the user who creates it.
    language: Language | None = None
    # The content: MJML source, a template to start from, or the designer's project (with its MJML).
    mjml: Source | None = None
    template_id: Id | None = None
    design: dict[str, Any] | None = None


class EmailPatch(Strict):
    name: Name | UnsetType = UNSET
    subject: Line | UnsetType = UNSET
    from_name: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    from_email: Address | UnsetType = UNSET
    preheader: Line | UnsetType = UNSET
    reply_to: Address | None | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    topic: Annotated[str, Meta(max_length=64)] | None | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    mjml: Source | UnsetType = UNSET
    design: dict[str, Any] | None | UnsetType = UNSET
    archived: bool | UnsetType = UNSET


class EmailSummary(msgspec.Struct, kw_only=True):
    id: int
    name: str
    subject: str
    kind: str
    topic: str | None
    language: str
    version: int
    archived: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


class EmailOut(EmailSummary, kw_only=True):
    preheader: str
    from_name: str
    from_email: str
    reply_to: str | None
    template_id: int | None
    design: dict[str, Any] | None
    mjml: str
    html: str
    text: str
    warnings: list[str]


class PreviewIn(Strict):
    # Without a contact, a sample contact stands in.
    contact_id: Id | None = None
    subject: Line | None = None
    mjml: Source | None = None


class PreviewOut(msgspec.Struct):
    subject: str
    html: str
    text: str


class TestSendIn(Strict):
    to: Address
    contact_id: Id | None = None


class Queued(msgspec.Struct):
    outbox_id: int


class VersionOut(msgspec.Struct, kw_only=True):
    version: int
    subject: str
    saved_by: str
    saved_at: datetime


class TemplateIn(Strict):
    email_id: Id
    name: Name
    description: Annotated[str, Meta(max_length=500)] = ""
    category: Annotated[str, Meta(max_length=64)] = ""


class TemplatePatch(Strict):
    name: Name | UnsetType = UNSET
    description: Annotated[str, Meta(max_length=500)] | UnsetType = UNSET
    category: Annotated[str, Meta(max_length=64)] | UnsetType = UNSET
    archived: bool | UnsetType = UNSET


class TemplateOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    key: str | None
    language: str
    name: str
    description: str
    category: str
    subject: str
    preheader: str
    # The template as a sample contact (Camille Martin, of Atelier Lumière) receives it: its thumbnail.
    preview_html: str
    archived: bool
    created_at: datetime


class TopicIn(Strict):
    key: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
    name_en: Annotated[str, Meta(min_length=1, max_length=100)]
    name_fr: Annotated[str, Meta(min_length=1, max_length=100)]
    description_en: Annotated[str, Meta(max_length=300)] = ""
    description_fr: Annotated[str, Meta(max_length=300)] = ""


class TopicOut(msgspec.Struct, kw_only=True):
    key: str
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str
