"""Which activity a form submission's lead is owed to: the form (inbound), or the journey or
campaign whose email brought the visitor (outbound, the form kept too). A visitor came from a
tracked email when the page's address carries the link's contact token (`pc`), or when the contact
clicked one of our emails within the attribution window (PARCOURS_ATTRIBUTION_DAYS, the one
the reports credit revenue with)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import service as channels
from parcours.contacts.origin import Origin
from parcours.errors import InvalidInput
from parcours.interactions import service as interactions
from parcours.settings import load_settings
from parcours.tracking.tokens import CONTACT_TOKEN_SECONDS, verify


def message_in_url(secret: str, url: str | None, now: float) -> int | None:
    """The message whose tracked link led to this page (its `pc` token), if genuine and fresh."""
    if not url:
        return None
    tokens = parse_qs(urlsplit(url).query).get("pc")
    token = tokens[0] if tokens else None
    if not token:
        return None
    try:
        payload = verify(secret, "contact", token)
    except InvalidInput:  # forged or altered: simply not attributable
        return None
    issued, message_id = payload.get("t"), payload.get("m")
    if not isinstance(issued, int) or not isinstance(message_id, int) or not 0 <= now - issued <= CONTACT_TOKEN_SECONDS:
        return None
    return message_id


async def _last_click(session: AsyncSession, contact_id: int, now: datetime) -> int | None:
    since = now - load_settings().attribution_window
    clicks = (await interactions.of_types(session, [contact_id], ["email_clicked"], since))[contact_id]
    clicks = [c for c in clicks if isinstance(c[2].get("message_id"), int)]
    return max(clicks, key=lambda c: c[1])[2]["message_id"] if clicks else None


async def submission_origin(
    session: AsyncSession,
    form_id: int,
    page_id: int | None,
    contact_id: int | None,
    message_id: int | None,
    now: datetime,
) -> Origin:
    if message_id is None and contact_id is not None:
        message_id = await _last_click(session, contact_id, now)
    message = await channels.message(session, message_id) if message_id is not None else None
    if message is not None and (message.journey_id or message.campaign_id):
        return Origin(
            kind="outbound",
            journey_id=message.journey_id,
            campaign_id=message.campaign_id,
            form_id=form_id,
            page_id=page_id,
        )
    return Origin(kind="inbound", form_id=form_id, page_id=page_id)
