"""/api/outbox (every message and what became of it) and /api/email-events (bounces...)."""

from __future__ import annotations

from email import message_from_bytes, policy
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, OptionalIdParam, to_out
from parcours.channels import service
from parcours.channels.schemas import (
    EmailEvent,
    EventRecorded,
    MessageDetail,
    MessageOut,
    MessagePage,
)
from parcours.tracking import service as tracking


def _detail(message: Any) -> MessageDetail:
    out = to_out(message, MessageOut)
    html = text = None
    headers: list[tuple[str, str]] = []
    if message.mime:
        parsed = message_from_bytes(message.mime, policy=policy.default)  # an EmailMessage (get_body)
        headers = [(k, str(v)) for k, v in parsed.items()]
        html_part, text_part = parsed.get_body(("html",)), parsed.get_body(("plain",))
        html = html_part.get_content() if html_part else None
        text = text_part.get_content() if text_part else None
    return MessageDetail(
        **{f: getattr(out, f) for f in out.__struct_fields__},
        message_id=message.message_id,
        headers=headers,
        html=html,
        text=text,
    )


class OutboxController(Controller):
    path = "/outbox"
    tags = ["outbox"]

    @get("/", summary="Messages, newest first (in embedded mode: every message, captured instead of sent)")
    async def list_messages(
        self,
        db: AsyncSession,
        status: str | None = None,
        email_id: OptionalIdParam = None,
        campaign_id: OptionalIdParam = None,
        to: str | None = None,
        limit: int = Parameter(default=50, ge=1, le=500),
        cursor: str | None = None,
    ) -> MessagePage:
        rows, next_cursor, total = await service.page(
            db, status=status, email_id=email_id, campaign_id=campaign_id, to=to, limit=limit, cursor=cursor
        )
        return MessagePage(items=[to_out(r, MessageOut) for r in rows], next_cursor=next_cursor, total=total)

    @get("/{message_id:int}", summary="One message, with its headers and content when captured")
    async def get_message(self, message_id: IdParam, db: AsyncSession) -> MessageDetail:
        return _detail(await service.get_message(db, message_id))

    @get("/{message_id:int}/raw", summary="The captured message as an .eml file", media_type="message/rfc822")
    async def raw(self, message_id: IdParam, db: AsyncSession) -> bytes:
        message = await service.get_message(db, message_id)
        return message.mime or b""


class EmailEventsController(Controller):
    path = "/email-events"
    tags = ["outbox"]

    @post("/", status_code=200, summary="Report a delivery, bounce or complaint (from your mail provider)")
    async def report(self, data: EmailEvent, db: AsyncSession) -> EventRecorded:
        recorded = await tracking.report(
            db,
            kind=data.type,
            address=data.email,
            message_id=data.message_id,
            outbox_id=data.outbox_id,
            hard=data.hard,
            detail=data.detail,
        )
        return EventRecorded(recorded=[recorded])

    @post("/dsn", status_code=200, summary="Report a bounce as the delivery status notification received (RFC 3464)")
    async def dsn(self, request: Request[Any, Any, Any], db: AsyncSession) -> EventRecorded:
        recorded = []
        for item in tracking.parse_dsn(await request.body()):
            if item["action"] in ("failed", "delayed"):
                recorded.append(
                    await tracking.report(
                        db,
                        kind="bounce",
                        address=item["address"],
                        message_id=item["message_id"],
                        outbox_id=None,
                        hard=item["hard"],
                        detail=f"{item['status']} {item['diagnostic']}".strip(),
                    )
                )
            elif item["action"] == "delivered":
                recorded.append(
                    await tracking.report(
                        db,
                        kind="delivered",
                        address=item["address"],
                        message_id=item["message_id"],
                        outbox_id=None,
                        hard=False,
                        detail="",
                    )
                )
        return EventRecorded(recorded=recorded)
