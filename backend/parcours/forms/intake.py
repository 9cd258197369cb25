"""Posts to a form: check, judge, apply (filled in below)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.forms.models import FormSubmission
from parcours.runtime import Runtime


async def apply_held(session: AsyncSession, runtime: Runtime, row: FormSubmission) -> None:
    raise NotImplementedError
