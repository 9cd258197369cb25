"""Webhook calls (journey steps, scoring's sales-ready note): a signed JSON POST to an address
that must not lead to this machine or a private network."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import httpx
import msgspec
from sqlalchemy import Row
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels.senders import Outcome, unexpected
from parcours.channels.sending import Env, Ready, Sent, failed
from parcours.channels.sms import http_failure, http_refusal
from parcours.emails import service as emails

_CONTACT = ("id", "email", "first_name", "last_name", "phone", "company", "lifecycle_stage", "country")


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
            parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        return f"The host {parsed.hostname} could not be found."
    for *_, sockaddr in found:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            return (
                f"The address {parsed.hostname} is on a private network ({ip}); "
                "PARCOURS_WEBHOOK_PRIVATE_NETWORKS=true allows it."
            )
    return None


async def call_webhook(
    client: httpx.AsyncClient,
    url: str,
    payload: dict[str, Any],
    secret: str,
    private_networks: bool = False,
    timeout: float = 10.0,
) -> Outcome:
    refusal = None if private_networks else await private_address(url)
    if refusal:
        return Outcome(False, refusal)
    body = json.dumps(payload, default=str).encode()
    try:
        response = await client.post(
            url,
            content=body,
            timeout=timeout,
            headers={"content-type": "application/json", "x-parcours-signature": signature(secret, body)},
        )
    except httpx.HTTPError as exc:
        return http_failure(exc, "The address")
    if response.is_success:
        return Outcome(True, code=str(response.status_code))
    return http_refusal(response.status_code, f"The address answered {response.status_code}.")


class Call(msgspec.Struct, frozen=True):
    url: str
    payload: dict[str, Any]


class Webhook:
    channel = "webhook"
    batch = 100
    interaction: str | None = None

    async def render(
        self, session: AsyncSession, claimed: Sequence[Row[Any]], env: Env, in_flight: Sequence[int]
    ) -> list[Ready[Call]]:
        people = await emails.personalizations(session, [m.contact_id for m in claimed if m.contact_id], False)
        ready: list[Ready[Call]] = []
        for message in claimed:
            person = people.get(message.contact_id) if message.contact_id is not None else None
            contact = person[0] if person else {}
            details = {k: v for k, v in message.data.items() if k not in ("url", "event")}
            payload = {
                "event": message.data.get("event", "journey_step"),
                "journey_id": message.journey_id,
                "node_id": message.node_id,
                **details,
                "contact": {k: contact.get(k) for k in _CONTACT},
            }
            ready.append(
                Ready(
                    message_id=message.id,
                    to=message.to_address,
                    content=Call(url=str(message.data["url"]), payload=payload),
                )
            )
        return ready

    async def send(self, ready: Sequence[Ready[Call]], env: Env) -> list[Sent]:
        sent = []
        for item in ready:
            if item.content is not None:
                try:
                    outcome = await call_webhook(
                        env.http(),
                        item.content.url,
                        item.content.payload,
                        env.secret_key,
                        env.settings.webhook_private_networks,
                        env.settings.http_timeout,
                    )
                except Exception as exc:  # noqa: BLE001  (logged by `unexpected`, the message's outcome)
                    outcome = unexpected(exc)
                sent.append(Sent("sent", code=outcome.code) if outcome.ok else failed(outcome))
        return sent
