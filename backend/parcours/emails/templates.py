"""The template library: shipped templates (templates/emails/<language>/*.mjml, English and French
twins under one key) and those made from emails."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import select
from sqlmodel import col, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.assets.usage import AssetUse
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.emails import render
from parcours.emails.compose import SAMPLE_ACCOUNT, SAMPLE_CONTACT, Content, compose, context
from parcours.emails.models import Email, Template
from parcours.errors import InvalidInput, NotFound

_BLANK = """<mjml>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff" padding="32px 24px">
      <mj-column>
        <mj-text font-size="16px" line-height="24px" color="#1f2933">{hello} {{{{ contact.first_name | default("{there}") }}}},</mj-text>
        <mj-text font-size="16px" line-height="24px" color="#1f2933">{write}</mj-text>
      </mj-column>
    </mj-section>
    <mj-section padding="16px 24px">
      <mj-column>
        <mj-text font-size="12px" color="#5f6b7a" align="center">
          <a href="{{{{ preferences_url }}}}" style="color:#5f6b7a">{preferences}</a> ·
          <a href="{{{{ unsubscribe_url }}}}" style="color:#5f6b7a">{unsubscribe}</a>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
"""
# A blank email, in the email's language.
BLANK_MJML = {
    "en": _BLANK.format(
        hello="Hello",
        there="there",
        write="Write your message here.",
        preferences="Manage your preferences",
        unsubscribe="Unsubscribe",
    ),
    "fr": _BLANK.format(
        hello="Bonjour",
        there="à vous",
        write="Écrivez votre message ici.",
        preferences="Gérer mes préférences",
        unsubscribe="Se désinscrire",
    ),
}


LANGUAGES = ("en", "fr")


class _Meta(msgspec.Struct):
    key: str
    language: str
    name: str
    subject: str
    description: str = ""
    category: str = ""
    preheader: str = ""


def check_language(language: str, field: str = "language") -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"Templates exist in English (en) and French (fr), not '{language}'.", field)
    return language


async def list_templates(session: AsyncSession, kind: str, language: str, archived: bool = False) -> Sequence[Template]:
    query = (
        select(Template)
        .where(col(Template.kind) == kind, col(Template.language) == language, col(Template.archived) == archived)
        .order_by(Template.name)
    )
    return (await session.execute(query)).scalars().all()


def preview_html(template: Template) -> str:
    """The template as a sample contact receives it, for its thumbnail."""
    content = Content(subject=template.subject, preheader=template.preheader, html=template.html, text="")
    values = context(SAMPLE_CONTACT, SAMPLE_ACCOUNT, None)
    return compose(content, values, None, None).html


async def get_template(session: AsyncSession, template_id: int, field: str = "template_id") -> Template:
    template = await session.get(Template, template_id)
    if template is None:
        raise NotFound("This template does not exist.", field)
    return template


async def create_from_email(session: AsyncSession, email: Email, values: dict[str, Any], actor: Actor) -> Template:
    template = Template(
        kind="email",
        language=email.language,
        subject=email.subject,
        preheader=email.preheader,
        design=email.design,
        mjml=email.mjml,
        html=email.html,
        text=email.text,
        created_by=actor.label,
        **values,
    )
    session.add(template)
    await session.flush()
    return template


async def update_template(session: AsyncSession, template_id: int, changes: dict[str, Any]) -> Template:
    template = await get_template(session, template_id)
    for field, value in changes.items():
        setattr(template, field, value)
    template.updated_at = utcnow()
    await session.flush()
    return template


async def load_shipped(session: AsyncSession, directory: Path) -> int:
    """Add the shipped templates the library does not have yet (by key and language). Returns how many."""
    have = await keys(session, "email")
    added = 0
    for source in sorted((directory / "emails").glob("*/*.mjml")):
        meta = msgspec.json.decode(source.with_suffix(".json").read_bytes(), type=_Meta)
        if (meta.key, check_language(meta.language)) in have:
            continue
        mjml = source.read_text(encoding="utf-8")
        try:
            compiled = render.compile_mjml(mjml)
        except render.DesignError as exc:
            raise InvalidInput(f"The shipped template {source.name} does not compile: {exc}") from None
        design_file = source.with_suffix(".project.json")
        design = msgspec.json.decode(design_file.read_bytes()) if design_file.exists() else None
        session.add(
            Template(
                kind="email",
                key=meta.key,
                language=meta.language,
                name=meta.name,
                description=meta.description,
                category=meta.category,
                subject=meta.subject,
                preheader=meta.preheader,
                design=design,
                mjml=mjml,
                html=compiled.html,
                text=compiled.text,
                created_by="Parcours",
            )
        )
        added += 1
    await session.flush()
    return added


async def keys(session: AsyncSession, kind: str) -> set[tuple[str, str]]:
    """The (key, language) of the shipped templates of one kind this library has."""
    query = select(col(Template.key), col(Template.language)).where(
        col(Template.kind) == kind, col(Template.key).is_not(None)
    )
    return {(key, language) for key, language in (await session.execute(query)).all() if key is not None}


async def by_key(session: AsyncSession, kind: str, key: str, language: str) -> Template | None:
    query = select(Template).where(
        col(Template.kind) == kind, col(Template.key) == key, col(Template.language) == language
    )
    return (await session.execute(query)).scalar_one_or_none()


async def add_shipped(
    session: AsyncSession,
    *,
    kind: str,
    key: str,
    language: str,
    name: str,
    description: str,
    category: str,
    design: dict[str, Any],
) -> Template:
    """A shipped template of another kind than email (a journey): its content lives in `design`."""
    template = Template(
        kind=kind,
        key=key,
        language=check_language(language),
        name=name,
        description=description,
        category=category,
        design=design,
        created_by="Parcours",
    )
    session.add(template)
    await session.flush()
    return template


async def images_used(session: AsyncSession, address: str) -> list[AssetUse]:
    """The templates showing the image at this address (assets.usage: an image in use is not deleted)."""
    shows = or_(
        col(Template.mjml).contains(address, autoescape=True), col(Template.html).contains(address, autoescape=True)
    )
    rows = (
        await session.execute(select(col(Template.id), col(Template.name)).where(shows).order_by(col(Template.id)))
    ).all()
    return [AssetUse("template", int(template_id), name) for template_id, name in rows]
