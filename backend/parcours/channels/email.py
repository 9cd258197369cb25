"""Designed emails (campaigns, journeys, test sends): checked against the contact's consent, the
suppression list and the frequency cap at send time, personalized, tracked, sent by the
process's sender. A/B overrides are already on the row: data's subject, from_name and email_id
(a content test's other email; the row's email_id stays the campaign's, for its statistics)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import Row
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import policy, store
from parcours.channels.mime import Mime, Parts, build
from parcours.channels.sending import Env, Ready, Sent, failed
from parcours.clock import utcnow
from parcours.emails import render, topics
from parcours.emails import service as emails
from parcours.emails.compose import compose, context
from parcours.errors import NotFound
from parcours.tracking.tokens import Links


async def _emails(session: AsyncSession, ids: set[int]) -> dict[int, Any]:
    """The emails of a batch (a handful: one per campaign or step), those deleted left out."""
    found = {}
    for email_id in ids:
        try:
            found[email_id] = await emails.get_email(session, email_id)
        except NotFound:
            continue
    return found


def _email_id(message: Row[Any]) -> int | None:
    override = message.data.get("email_id")
    return int(override) if override is not None else message.email_id


class Email:
    channel = "email"
    batch = 200
    interaction: str | None = "email_sent"

    async def render(
        self, session: AsyncSession, claimed: Sequence[Row[Any]], env: Env, in_flight: Sequence[int]
    ) -> list[Ready[Mime]]:
        settings = env.settings
        now = utcnow()
        loaded = await _emails(session, {e for m in claimed if (e := _email_id(m)) is not None})
        contents = {eid: emails.content_of(e) for eid, e in loaded.items()}
        contact_ids = [m.contact_id for m in claimed if m.contact_id is not None]
        needs_rules = any(render.uses_rules(e.html) for e in loaded.values())
        people = await emails.personalizations(session, contact_ids, needs_rules) if contact_ids else {}
        suppressed = await store.suppressed(session, [m.to_address for m in claimed])
        opted_out = await topics.opted_out(session, contact_ids) if contact_ids else {}
        capped = any(m.data.get("frequency_cap", settings.frequency_cap) for m in claimed if not m.data.get("test"))
        counts = (
            await store.promotional_counts(session, contact_ids, now - timedelta(days=7), in_flight)
            if contact_ids and capped
            else {}
        )
        ready: list[Ready[Mime]] = []
        for message in claimed:
            email = loaded.get(_email_id(message) or 0)
            if email is None:
                ready.append(
                    Ready(
                        message_id=message.id,
                        to=message.to_address,
                        reason="The email was deleted.",
                        code="email_deleted",
                    )
                )
                continue
            person = people.get(message.contact_id) if message.contact_id is not None else None
            if not message.data.get("test"):
                recipient = policy.recipient(
                    person[0] if person else None,
                    suppressed.get(message.to_address),
                    opted_out.get(message.contact_id or 0, frozenset()),
                    counts.get(message.contact_id or 0, 0),
                )
                minimum_consent = message.data.get("minimum_consent")
                code = policy.refusal(
                    recipient,
                    kind=email.kind,
                    topic=email.topic,
                    minimum_consent=minimum_consent,
                    frequency_cap=message.data.get("frequency_cap", settings.frequency_cap),
                )
                if code:
                    reason = policy.explain(code, recipient, topic=email.topic, minimum_consent=minimum_consent)
                    ready.append(Ready(message_id=message.id, to=message.to_address, reason=reason, code=code))
                    continue
            promotional = message.kind == "promotional"
            if promotional and message.contact_id is not None:
                # Two messages to one contact in a batch: the second sees the first.
                counts[message.contact_id] = counts.get(message.contact_id, 0) + 1
            links = Links(settings.base_url, env.secret_key, message.id)
            content = msgspec.structs.replace(contents[email.id], subject=message.data.get("subject") or email.subject)
            contact, account, rule = person if person else (dict(emails.SAMPLE_CONTACT), None, None)
            composed = compose(content, context(contact, account, links, message.data.get("values")), rule, links)
            mime = build(
                Parts(
                    from_name=message.data.get("from_name") or email.from_name,
                    from_email=email.from_email,
                    to=message.to_address,
                    subject=composed.subject,
                    text=composed.text,
                    html=composed.html,
                    reply_to=email.reply_to,
                    unsubscribe_url=links.unsubscribe if email.kind == "promotional" else None,
                    idempotency_key=message.idempotency_key,
                    date=now,
                )
            )
            ready.append(
                Ready(
                    message_id=message.id,
                    to=message.to_address,
                    content=mime,
                    subject=composed.subject[:300],
                    promotional=promotional,
                )
            )
        return ready

    async def send(self, ready: Sequence[Ready[Mime]], env: Env) -> list[Sent]:
        return await send_mime(ready, env)


async def send_mime(ready: Sequence[Ready[Mime]], env: Env) -> list[Sent]:
    """A batch of built messages through the process's sender (SMTP spreads it over its pool)."""
    going = [(item.content, item.to) for item in ready if item.content is not None]
    outcomes = await env.sender().send_many(going) if going else []
    return [
        Sent("captured" if o.captured is not None else "sent", mime=o.captured, message_id=mime.message_id)
        if o.ok
        else failed(o)
        for o, (mime, _to) in zip(outcomes, going, strict=True)
    ]
