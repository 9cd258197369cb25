"""Text messages and webhook calls (queued by journeys): claimed from the outbox like emails and
sent over HTTP. Without an SMS provider configured, text messages are captured in the outbox."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlparse

import httpx

from parcours.channels import service as outbox
from parcours.channels.models import OutboxMessage
from parcours.channels.senders import Outcome
from parcours.clock import utcnow
from parcours.db import transaction
from parcours.emails import render
from parcours.emails import service as emails
from parcours.emails.compose import context
from parcours.settings import Settings

log = logging.getLogger(__name__)
CHANNELS = ("sms", "webhook")
BATCH = 100
TIMEOUT = httpx.Timeout(10.0)


class SmsProvider:
    """A Twilio-compatible HTTP API: PARCOURS_SMS_URL is the Messages endpoint with the account
    id and token as user and password (https://SID:TOKEN@api.twilio.com/2010-04-01/Accounts/SID/Messages.json)."""

    def __init__(self, url: str, sender: str, client: httpx.AsyncClient) -> None:
        parsed = urlparse(url)
        self.auth = (unquote(parsed.username or ""), unquote(parsed.password or ""))
        self.url = parsed._replace(netloc=parsed.hostname + (f":{parsed.port}" if parsed.port else "")).geturl()  # type: ignore[operator]
        self.sender, self.client = sender, client

    async def send(self, to: str, text: str) -> Outcome:
        try:
            response = await self.client.post(self.url, data={"To": to, "From": self.sender, "Body": text},
                                              auth=self.auth, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            return Outcome(False, f"The SMS provider could not be reached: {exc}")
        if response.is_success:
            return Outcome(True, str(response.json().get("sid", "")) if "json" in response.headers.get("content-type", "") else "")
        return Outcome(False, f"The SMS provider refused the message ({response.status_code}): {response.text[:200]}")


def signature(secret: str, body: bytes) -> str:
    """What a webhook receiver checks (X-Parcours-Signature) to know the call comes from us."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def private_address(url: str) -> str | None:
    """Why a webhook address is not called: it leads to this machine or a private network, where a
    marketer's address could otherwise reach internal services (Redis, the database, cloud metadata)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "The address must start with http:// or https://."
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"The host {parsed.hostname} could not be found."
    for *_, sockaddr in found:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            return (f"The address {parsed.hostname} is on a private network ({ip}); "
                    "PARCOURS_WEBHOOK_PRIVATE_NETWORKS=true allows it.")
    return None


async def call_webhook(client: httpx.AsyncClient, url: str, payload: dict[str, Any], secret: str,
                       private_networks: bool = False) -> Outcome:
    refusal = None if private_networks else await private_address(url)
    if refusal:
        return Outcome(False, refusal)
    body = json.dumps(payload, default=str).encode()
    try:
        response = await client.post(url, content=body, timeout=TIMEOUT, headers={
            "content-type": "application/json", "x-parcours-signature": signature(secret, body)})
    except httpx.HTTPError as exc:
        return Outcome(False, f"The address could not be reached: {exc}")
    return Outcome(True) if response.is_success else Outcome(False, f"The address answered {response.status_code}.")


def _sms_refusal(contact: dict[str, Any] | None) -> str | None:
    if contact is None:
        return "The contact no longer exists."
    if not contact.get("phone"):
        return "The contact has no phone number."
    if not contact.get("sms_opt_in") or contact.get("unsubscribed"):
        return "The contact has not opted in to text messages."
    return None


async def deliver_due(runtime: Any) -> int:
    """Send every due text message and webhook call, a batch at a time."""
    settings: Settings = runtime.settings
    handled = 0
    async with httpx.AsyncClient() as client:
        sms = SmsProvider(settings.sms_url, settings.sms_from, client) if settings.sms_url else None
        while True:
            async with transaction(runtime.sessions) as session:
                claimed = await outbox.claim_due(session, BATCH, timedelta(seconds=settings.stale_claim_seconds), CHANNELS)
            if not claimed:
                return handled
            async with transaction(runtime.read_sessions) as session:
                people = await emails.personalizations(session, [m.contact_id for m in claimed if m.contact_id], False)
            outcomes = [await _send(m, people.get(m.contact_id), sms, client, runtime.secret_key,
                                    settings.webhook_private_networks) for m in claimed]
            async with transaction(runtime.sessions) as session:
                for message, (status, reason) in zip(claimed, outcomes, strict=True):
                    row = await session.get(OutboxMessage, message.id)
                    row.status, row.reason = status, reason[:300]  # type: ignore[union-attr]
                    if status in ("sent", "captured"):
                        row.sent_at = utcnow()  # type: ignore[union-attr]
            handled += len(claimed)


async def _send(message: OutboxMessage, person: Any, sms: SmsProvider | None, client: httpx.AsyncClient,
                secret: str, private_networks: bool) -> tuple[str, str]:
    contact = person[0] if person else None
    if message.channel == "webhook":
        details = {k: v for k, v in message.data.items() if k not in ("url", "event")}
        payload = {"event": message.data.get("event", "journey_step"), "journey_id": message.journey_id,
                   "node_id": message.node_id, **details, "contact": {k: (contact or {}).get(k) for k in ("id", "email", "first_name", "last_name", "phone",
                                                                    "company", "lifecycle_stage", "country")}}
        outcome = await call_webhook(client, message.data["url"], payload, secret, private_networks)
        return ("sent", "") if outcome.ok else ("failed", outcome.detail)
    refusal = _sms_refusal(contact)
    if refusal:
        return "suppressed", refusal
    text = render.personalize(message.data.get("text", ""), context(contact, person[1], None)).strip()
    if sms is None:
        return "captured", text
    outcome = await sms.send(contact["phone"], text)  # type: ignore[index]
    return ("sent", outcome.detail) if outcome.ok else ("failed", outcome.detail)
