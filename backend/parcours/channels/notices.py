"""Notices: plain transactional emails (a text, maybe files) that any feature sends through the
outbox: a registration's confirmation, a note to sales. They are not designed emails (the email
kind sends only those), so they are outbox rows of their own channel, sent with the same sender as
every email: captured in embedded mode (they show in the Outbox screen with their MIME), sent by
SMTP otherwise."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import store
from parcours.channels.email import send_mime
from parcours.channels.mime import Attachment, Mime, Parts, build
from parcours.channels.policy import Recipient, why_not
from parcours.channels.sending import Env, OutboxIn, Ready, Sent
from parcours.clock import utcnow

# The name scoring's notes to sales were stored under before notices were shared: kept, so that
# rows queued before an upgrade are still delivered.
CHANNEL = "notification"
_LINK = re.compile(r"https?://(?:[^\s<>&\"]|&amp;)+")


def notice(
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    contact_id: int | None = None,
    attachments: Sequence[Attachment] = (),
    from_name: str = "Parcours",
) -> OutboxIn:
    """A notice to queue (channels.service.queue): the files travel in the row, base64."""
    files = [
        {"filename": a.filename, "content_type": a.content_type, "content": base64.b64encode(a.content).decode("ascii")}
        for a in attachments
    ]
    return OutboxIn(
        key=key[:200],
        channel=CHANNEL,
        kind="transactional",
        to=to[:320],
        subject=subject[:300],
        contact_id=contact_id,
        data={"text": text, "from_name": from_name, **({"attachments": files} if files else {})},
    )


def _attachments(data: dict[str, Any]) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(
            filename=str(a["filename"]), content_type=str(a["content_type"]), content=base64.b64decode(a["content"])
        )
        for a in data.get("attachments") or ()
    )


def html_of(text: str) -> str:
    """The text as it is, its links clickable."""
    escaped = html.escape(text, quote=False)
    return "<pre>" + _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped) + "</pre>"


class Notice:
    channel = CHANNEL
    batch = 50
    interaction: str | None = None

    async def render(
        self, session: AsyncSession, claimed: Sequence[Row[Any]], env: Env, in_flight: Sequence[int]
    ) -> list[Ready[Mime]]:
        """Built to go, or refused (transactional: only an address that bounced or complained is)."""
        refused = await store.suppressed(session, sorted({m.to_address for m in claimed}))
        sender_address = env.settings.admin_email or "parcours@localhost"
        ready: list[Ready[Mime]] = []
        for message in claimed:
            refusal = why_not(
                Recipient(exists=True, suppressed=refused.get(message.to_address)),
                kind="transactional",
                topic=None,
                minimum_consent=None,
                frequency_cap=0,
            )
            if refusal is not None:
                ready.append(Ready(message_id=message.id, to=message.to_address, reason=refusal, code="bounced"))
                continue
            text = str(message.data.get("text", ""))
            mime = build(
                Parts(
                    from_name=str(message.data.get("from_name") or "Parcours"),
                    from_email=sender_address,
                    to=message.to_address,
                    subject=message.subject,
                    text=text,
                    html=html_of(text),
                    idempotency_key=message.idempotency_key,
                    date=utcnow(),
                    attachments=_attachments(message.data),
                )
            )
            ready.append(Ready(message_id=message.id, to=message.to_address, content=mime, subject=message.subject))
        return ready

    async def send(self, ready: Sequence[Ready[Mime]], env: Env) -> list[Sent]:
        return await send_mime(ready, env)
