"""Submissions as the back office sees them: the list, releasing a held one, prefill links."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.errors import Conflict, NotFound
from parcours.forms import service, tokens
from parcours.forms.models import FormSubmission
from parcours.forms.schemas import PrefillLink, SubmissionOut, SubmissionPage
from parcours.runtime import Runtime


def submission_out(row: FormSubmission) -> SubmissionOut:
    assert row.id is not None, "a stored submission"
    page_id = row.context.get("page_id")
    return SubmissionOut(
        id=row.id,
        form_id=row.form_id,
        form_version=row.form_version,
        status=row.status,  # type: ignore[arg-type]
        values=row.values,
        contact_id=row.contact_id,
        new_contact=row.new_contact,
        spam_reason=row.spam_reason,
        page_id=page_id if isinstance(page_id, int) else None,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
    )


async def list_submissions(
    session: AsyncSession, form_id: int, status: str | None, limit: int, cursor: str | None
) -> SubmissionPage:
    where = [col(FormSubmission.form_id) == form_id]
    if status is not None:
        where.append(col(FormSubmission.status) == status)
    order = [(col(FormSubmission.id), True)]
    query = select(FormSubmission).where(*where)
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(col(FormSubmission.id).desc()).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda s: [s.id])
    total = (await session.execute(select(func.count()).select_from(FormSubmission).where(*where))).scalar_one()
    return SubmissionPage(items=[submission_out(s) for s in page], next_cursor=next_cursor, total=int(total))


async def get_submission(session: AsyncSession, form_id: int, submission_id: int) -> FormSubmission:
    row = await session.get(FormSubmission, submission_id)
    if row is None or row.form_id != form_id:
        raise NotFound("This submission does not exist.", "submission_id")
    return row


async def release(session: AsyncSession, runtime: Runtime, form_id: int, submission_id: int) -> SubmissionOut:
    """Apply a held submission as the public endpoint would have."""
    from parcours.forms import intake

    row = await get_submission(session, form_id, submission_id)
    if row.status != "held":
        raise Conflict("Only a held submission can be accepted.", "status")
    await intake.apply_held(session, runtime, row)
    return submission_out(row)


async def prefill_link(session: AsyncSession, runtime: Runtime, form_id: int, contact_id: int) -> PrefillLink:
    form = await service.get_form(session, form_id)
    await contacts.get_contact(session, contact_id)
    expires_at = tokens.expiry(utcnow(), "form_prefill")
    token = tokens.sign(runtime.secret_key, "form_prefill", {"f": form_id, "c": contact_id}, expires_at)
    return PrefillLink(url=f"{runtime.settings.base_url}/f/{form.slug}?p={token}", expires_at=expires_at)
