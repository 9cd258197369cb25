"""Telling sales a lead is sales-ready: a signed webhook call through the outbox's webhook
channel, and a plain-text email to the sales address, a notice (channels.notices).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import notices
from parcours.channels import service as outbox
from parcours.jobs.enqueue import Enqueue


def text_of(model_name: str, contact: dict[str, Any], score: int, grade: str, threshold: int, base_url: str) -> str:
    who = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p) or contact["email"]
    return "\n".join(
        [
            f"{who} <{contact['email']}> is sales-ready.",
            "",
            f"Model: {model_name}",
            f"Score: {score} (grade {grade}, threshold {threshold})",
            f"Job title: {contact.get('job_title') or '-'}",
            f"Stage: {contact.get('lifecycle_stage')}",
            "",
            f"{base_url}/contacts/{contact['id']}",
        ]
    )


async def sales_ready(
    session: AsyncSession,
    enqueue: Enqueue,
    *,
    model_id: int,
    model_key: str,
    model_name: str,
    notify_email: str | None,
    notify_webhook: str | None,
    contact: dict[str, Any],
    score: int,
    grade: str,
    threshold: int,
    now: datetime,
    base_url: str = "",
) -> None:
    moment = int(now.timestamp())
    if notify_webhook:
        await outbox.queue(
            session,
            enqueue,
            [
                outbox.OutboxIn(
                    key=f"sales-ready:{model_id}:{contact['id']}:{moment}:webhook",
                    channel="webhook",
                    to=notify_webhook[:320],
                    contact_id=contact["id"],
                    node_id=f"scoring:{model_key}"[:64],
                    data={
                        "url": notify_webhook,
                        "event": "sales_ready",
                        "model": model_key,
                        "score": score,
                        "grade": grade,
                    },
                )
            ],
        )
    if notify_email:
        await outbox.queue(
            session,
            enqueue,
            [
                notices.notice(
                    key=f"sales-ready:{model_id}:{contact['id']}:{moment}:email",
                    to=notify_email,
                    subject=f"Sales-ready lead: {contact['email']} ({model_name} {score})",
                    contact_id=contact["id"],
                    text=text_of(model_name, contact, score, grade, threshold, base_url),
                )
            ],
        )
