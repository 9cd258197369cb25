"""Text messages (queued by journeys), sent through a Twilio-compatible HTTP API; without one
configured (PARCOURS_SMS_URL), captured in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlparse

import httpx
import msgspec
from sqlalchemy import Row
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels.senders import Outcome, unexpected
from parcours.channels.sending import Env, Ready, Sent, failed
from parcours.emails import render
from parcours.emails import service as emails
from parcours.emails.compose import context


def http_failure(exc: httpx.HTTPError, what: str) -> Outcome:
    """An address that did not answer in time or could not be reached: worth another try."""
    timeout = isinstance(exc, httpx.TimeoutException)
    detail = f"{what} did not answer in time." if timeout else f"{what} could not be reached: {exc}"
    return Outcome(False, detail, code="timeout" if timeout else "unreachable", temporary=True)


def http_refusal(status: int, detail: str) -> Outcome:
    """An error answer: a server error, "too many requests" or "request timeout" may pass; another
    4xx (a wrong address, refused credentials) would be refused again."""
    return Outcome(False, detail, code=str(status), temporary=status >= 500 or status in (408, 429))


class SmsProvider:
    """A Twilio-compatible HTTP API: PARCOURS_SMS_URL is the Messages endpoint with the account
    id and token as user and password (https://SID:TOKEN@api.twilio.com/2010-04-01/Accounts/SID/Messages.json)."""

    def __init__(self, url: str, sender: str, client: httpx.AsyncClient, timeout: float) -> None:
        parsed = urlparse(url)
        self.auth = (unquote(parsed.username or ""), unquote(parsed.password or ""))
        self.url = parsed._replace(netloc=(parsed.hostname or "") + (f":{parsed.port}" if parsed.port else "")).geturl()
        self.sender, self.client, self.timeout = sender, client, timeout

    async def send(self, to: str, text: str) -> Outcome:
        try:
            response = await self.client.post(
                self.url, data={"To": to, "From": self.sender, "Body": text}, auth=self.auth, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            return http_failure(exc, "The SMS provider")
        if response.is_success:
            sid = str(response.json().get("sid", "")) if "json" in response.headers.get("content-type", "") else ""
            return Outcome(True, sid, code=str(response.status_code))
        return http_refusal(
            response.status_code,
            f"The SMS provider refused the message ({response.status_code}): {response.text[:200]}",
        )


class Text(msgspec.Struct, frozen=True):
    phone: str
    text: str


_REFUSALS = {
    "contact_deleted": "The contact no longer exists.",
    "no_phone_number": "The contact has no phone number.",
    "no_sms_opt_in": "The contact has not opted in to text messages.",
}


def _refusal(contact: dict[str, Any] | None) -> str | None:
    """The code of the reason a text message must not go out (a key of _REFUSALS), or None."""
    if contact is None:
        return "contact_deleted"
    if not contact.get("phone"):
        return "no_phone_number"
    if not contact.get("sms_opt_in") or contact.get("unsubscribed"):
        return "no_sms_opt_in"
    return None


class Sms:
    channel = "sms"
    batch = 100
    interaction: str | None = None

    async def render(
        self, session: AsyncSession, claimed: Sequence[Row[Any]], env: Env, in_flight: Sequence[int]
    ) -> list[Ready[Text]]:
        people = await emails.personalizations(session, [m.contact_id for m in claimed if m.contact_id], False)
        ready: list[Ready[Text]] = []
        for message in claimed:
            person = people.get(message.contact_id) if message.contact_id is not None else None
            contact = person[0] if person else None
            refusal = _refusal(contact)
            if refusal is not None or person is None or contact is None:
                ready.append(
                    Ready(
                        message_id=message.id,
                        to=message.to_address,
                        reason=_REFUSALS[refusal or "contact_deleted"],
                        code=refusal or "contact_deleted",
                    )
                )
                continue
            text = render.personalize(message.data.get("text", ""), context(contact, person[1], None)).strip()
            ready.append(
                Ready(
                    message_id=message.id, to=message.to_address, content=Text(phone=str(contact["phone"]), text=text)
                )
            )
        return ready

    async def send(self, ready: Sequence[Ready[Text]], env: Env) -> list[Sent]:
        settings = env.settings
        if not settings.sms_url:
            return [Sent("captured", item.content.text) for item in ready if item.content is not None]
        provider = SmsProvider(settings.sms_url, settings.sms_from, env.http(), settings.http_timeout)
        sent = []
        for item in ready:
            if item.content is not None:
                try:
                    outcome = await provider.send(item.content.phone, item.content.text)
                except Exception as exc:  # noqa: BLE001  (logged by `unexpected`, the message's outcome)
                    outcome = unexpected(exc)
                sent.append(Sent("sent", outcome.detail, code=outcome.code) if outcome.ok else failed(outcome))
        return sent
