"""/api/emails, /api/templates, /api/topics."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, changes, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.emails import service, templates, topics
from parcours.emails.models import Template
from parcours.emails.schemas import (
    EmailIn,
    EmailOut,
    EmailPatch,
    EmailSummary,
    PreviewIn,
    PreviewOut,
    Queued,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TestSendIn,
    TopicIn,
    TopicOut,
    VersionOut,
)
from parcours.runtime import Runtime


class EmailsController(Controller):
    path = "/emails"
    tags = ["emails"]

    @get("/", summary="Emails (archived ones with archived=true)")
    async def list_emails(self, db: AsyncSession, archived: bool = False) -> list[EmailSummary]:
        return [to_out(e, EmailSummary) for e in await service.list_emails(db, archived)]

    @post("/", summary="Create an email from MJML, a template, or the designer's project")
    async def create_email(self, data: EmailIn, db: AsyncSession, actor: Actor) -> EmailOut:
        await topics.require_topic(db, data.topic)
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return to_out(await service.create_email(db, values, actor), EmailOut)

    @get("/{email_id:int}", summary="An email with its design, MJML, compiled HTML and text")
    async def get_email(self, email_id: IdParam, db: AsyncSession) -> EmailOut:
        return to_out(await service.get_email(db, email_id), EmailOut)

    @patch("/{email_id:int}", summary="Change an email (content changes are recompiled and versioned)")
    async def update_email(self, email_id: IdParam, data: EmailPatch, db: AsyncSession, actor: Actor) -> EmailOut:
        values = changes(data)
        if "topic" in values:
            await topics.require_topic(db, values["topic"])
        return to_out(await service.update_email(db, email_id, values, actor), EmailOut)

    @delete("/{email_id:int}", summary="Delete an email (refused once sent: archive it)")
    async def delete_email(self, email_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        email = await service.get_email(db, email_id)
        target = Target("email", email_id, email.name)
        await service.delete_email(db, email_id)
        await audit.record(db, actor, "email.deleted", target)

    @post(
        "/{email_id:int}/preview",
        status_code=200,
        opt={"role": "viewer"},
        summary="The email as one contact will receive it (or a sample contact)",
    )
    async def preview(self, email_id: IdParam, data: PreviewIn, db: AsyncSession) -> PreviewOut:
        composed = await service.preview(db, email_id, data.contact_id, data.subject, data.mjml)
        return PreviewOut(subject=composed.subject, html=composed.html, text=composed.text)

    @post("/{email_id:int}/test-send", status_code=202, summary="Send the email to one address, now")
    async def test_send(
        self, email_id: IdParam, data: TestSendIn, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> Queued:
        return Queued(outbox_id=await service.test_send(db, email_id, data.to, data.contact_id, actor, runtime.enqueue))

    @get("/{email_id:int}/versions", summary="Saved versions, newest first")
    async def versions(self, email_id: IdParam, db: AsyncSession) -> list[VersionOut]:
        return [to_out(v, VersionOut) for v in await service.versions(db, email_id)]

    @post("/{email_id:int}/versions/{version:int}/restore", status_code=200, summary="Restore an earlier version")
    async def restore(self, email_id: IdParam, version: IdParam, db: AsyncSession, actor: Actor) -> EmailOut:
        return to_out(await service.restore(db, email_id, version, actor), EmailOut)


def _template_out(template: Template) -> TemplateOut:
    assert template.id is not None  # a saved template
    return TemplateOut(
        id=template.id,
        kind=template.kind,
        key=template.key,
        language=template.language,
        name=template.name,
        description=template.description,
        category=template.category,
        subject=template.subject,
        preheader=template.preheader,
        preview_html=templates.preview_html(template) if template.html else "",
        archived=template.archived,
        created_at=template.created_at,
    )


class TemplatesController(Controller):
    path = "/templates"
    tags = ["emails"]

    @get("/", summary="The template library of one kind, in one language (the user's unless `language` says)")
    async def list_templates(
        self, db: AsyncSession, actor: Actor, kind: str = "email", language: str | None = None, archived: bool = False
    ) -> list[TemplateOut]:
        chosen = templates.check_language(language if language is not None else actor.language)
        return [_template_out(t) for t in await templates.list_templates(db, kind, chosen, archived)]

    @get("/{template_id:int}", summary="A template")
    async def get_template(self, template_id: IdParam, db: AsyncSession) -> TemplateOut:
        return _template_out(await templates.get_template(db, template_id))

    @post("/", opt={"role": "admin"}, summary="Make a template from an email (admin)")
    async def create_template(self, data: TemplateIn, db: AsyncSession, actor: Actor) -> TemplateOut:
        email = await service.get_email(db, data.email_id)
        values = {"name": data.name, "description": data.description, "category": data.category}
        return _template_out(await templates.create_from_email(db, email, values, actor))

    @patch("/{template_id:int}", opt={"role": "admin"}, summary="Rename, describe or archive a template (admin)")
    async def update_template(self, template_id: IdParam, data: TemplatePatch, db: AsyncSession) -> TemplateOut:
        return _template_out(await templates.update_template(db, template_id, changes(data)))


class TopicsController(Controller):
    path = "/topics"
    tags = ["emails"]

    @get("/", summary="Subscription topics contacts can opt out of one by one")
    async def list_topics(self, db: AsyncSession) -> list[TopicOut]:
        return [to_out(t, TopicOut) for t in await topics.list_topics(db)]

    @post("/", opt={"role": "admin"}, summary="Add a subscription topic (admin)")
    async def create_topic(self, data: TopicIn, db: AsyncSession, actor: Actor) -> TopicOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        topic = await topics.create_topic(db, values)
        await audit.record(db, actor, "topic.created", Target("topic", topic.key, topic.name_en), after=values)
        return to_out(topic, TopicOut)

    @delete("/{key:str}", opt={"role": "admin"}, summary="Remove a subscription topic (admin)")
    async def delete_topic(self, key: str, db: AsyncSession, actor: Actor) -> None:
        await topics.delete_topic(db, key)
        await audit.record(db, actor, "topic.deleted", Target("topic", key, key))
