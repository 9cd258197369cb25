"""/api/forms: the back office's forms, their publication, statistics and held submissions."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.forms import service, stats, submissions
from parcours.forms.schemas import (
    FormIn,
    FormOut,
    FormPage,
    FormPatch,
    FormSnippet,
    FormStats,
    PrefillLink,
    SubmissionOut,
    SubmissionPage,
    SubmissionStatus,
)
from parcours.runtime import Runtime


def _values(data: FormIn) -> dict[str, Any]:
    return {f: getattr(data, f) for f in data.__struct_fields__}


class FormsController(Controller):
    path = "/forms"
    tags = ["forms"]

    @get("/", summary="Forms, last changed first")
    async def list_forms(
        self,
        db: AsyncSession,
        runtime: Runtime,
        q: str | None = Parameter(default=None, max_length=200),
        limit: int = limit_param(50),
        cursor: Cursor = None,
    ) -> FormPage:
        return await service.list_forms(db, q, limit, cursor, runtime.settings.base_url)

    @post("/", summary="Create a form (a draft; its address, slug, comes from the name unless given)")
    async def create_form(self, data: FormIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> FormOut:
        form = await service.create_form(db, _values(data), actor.label)
        return service.form_out(form, runtime.settings.base_url)

    @get("/{form_id:int}", summary="A form: its draft and which version is published")
    async def get_form(self, form_id: IdParam, db: AsyncSession, runtime: Runtime) -> FormOut:
        return await service.one_out(db, await service.get_form(db, form_id), runtime.settings.base_url)

    @patch(
        "/{form_id:int}",
        summary="Change a form's draft (only the fields sent); the public page keeps the published version",
    )
    async def update_form(self, form_id: IdParam, data: FormPatch, db: AsyncSession, runtime: Runtime) -> FormOut:
        form = await service.update_form(db, form_id, changes(data))
        return await service.one_out(db, form, runtime.settings.base_url)

    @delete("/{form_id:int}", summary="Delete a form with its versions and submissions (contacts stay)")
    async def delete_form(self, form_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("form", form_id, (await service.get_form(db, form_id)).name)
        await service.delete_form(db, form_id)
        await audit.record(db, actor, "form.deleted", target)

    @post("/{form_id:int}/publish", status_code=200, summary="Publish the draft as a new version, served at /f/{slug}")
    async def publish(self, form_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor) -> FormOut:
        form = await service.publish(db, form_id, actor.label)
        return await service.one_out(db, form, runtime.settings.base_url)

    @get("/{form_id:int}/stats", summary="Views, submissions, conversion, spam blocked, new vs known contacts, per day")
    async def stats(self, form_id: IdParam, db: AsyncSession) -> FormStats:
        await service.get_form(db, form_id)
        return await stats.form_stats(db, form_id)

    @get(
        "/{form_id:int}/submissions",
        summary="A form's submissions, latest first (status=held: those waiting for review)",
    )
    async def list_submissions(
        self,
        form_id: IdParam,
        db: AsyncSession,
        status: SubmissionStatus | None = None,
        limit: int = limit_param(50),
        cursor: Cursor = None,
    ) -> SubmissionPage:
        await service.get_form(db, form_id)
        return await submissions.list_submissions(db, form_id, status, limit, cursor)

    @post(
        "/{form_id:int}/submissions/{submission_id:int}/accept",
        status_code=200,
        summary="Apply a held submission (posted without proof of work) as if it had been accepted",
    )
    async def accept(
        self, form_id: IdParam, submission_id: IdParam, db: AsyncSession, runtime: Runtime
    ) -> SubmissionOut:
        return await submissions.release(db, runtime, form_id, submission_id)

    @get(
        "/{form_id:int}/prefill-link",
        summary="A personal link to the form, prefilled for one contact (signed, expires after 30 days)",
        opt={"role": "marketer"},
    )
    async def prefill_link(
        self, form_id: IdParam, contact_id: IdParam, db: AsyncSession, runtime: Runtime
    ) -> PrefillLink:
        return await submissions.prefill_link(db, runtime, form_id, contact_id)

    @get("/{form_id:int}/snippet", summary="The published form as plain HTML for another site (no JavaScript needed)")
    async def snippet(
        self, form_id: IdParam, db: AsyncSession, runtime: Runtime, language: Literal["en", "fr"] = "en"
    ) -> FormSnippet:
        html = await service.snippet(db, form_id, language=language, base_url=runtime.settings.base_url)
        return FormSnippet(html=html)
