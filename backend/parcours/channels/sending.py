"""What the outbox is made of, for the features that queue messages and for the kinds of message
that deliver them: a message to queue (OutboxIn), a claimed row made ready (Ready), what became of
it (Sent), and the contract each kind of message fulfils (Kind)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import httpx
import msgspec
from sqlalchemy import Row
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels.senders import Outcome, Sender
from parcours.jobs.names import JobName
from parcours.settings import Settings

T = TypeVar("T")


class OutboxIn(msgspec.Struct, frozen=True, kw_only=True):
    """A message a feature asks to send. `key` makes it unique: queued twice, sent once."""

    key: str
    channel: str = "email"  # email | notification | sms | webhook: the kind of message, how it is sent
    kind: str = "promotional"  # promotional | transactional: the consent it needs
    to: str = ""  # the address; text messages go to the contact's phone, webhooks to data["url"]
    contact_id: int | None = None
    email_id: int | None = None
    subject: str = ""
    # What the kind renders from: template values, a text, an address, A/B overrides...
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    send_after: datetime | None = None
    campaign_id: int | None = None
    variant: str | None = None
    journey_id: int | None = None
    node_id: str | None = None


# Each delivery loop (a worker job) and the channels it delivers: a campaign of a million emails
# does not hold back a registration's confirmation, nor a slow webhook the emails.
LANES: dict[JobName, tuple[str, ...]] = {
    JobName.DELIVER_MESSAGES: ("email",),
    JobName.DELIVER_NOTICES: ("notification",),
    JobName.DELIVER_OTHER_MESSAGES: ("sms", "webhook"),
}
JOBS = {channel: job for job, channels in LANES.items() for channel in channels}


class Ready(msgspec.Struct, Generic[T]):
    """A claimed message, either rendered and ready to go or refused with a reason."""

    message_id: int
    to: str
    content: T | None = None
    reason: str | None = None
    # The reason as a stable code (channels.policy.REASONS, or the channel's own), for statistics.
    code: str = ""
    subject: str = ""
    # A promotional message passed to the sender: counted by the frequency cap until recorded.
    promotional: bool = False


class Sent(msgspec.Struct, frozen=True):
    """What became of a message handed to its kind: sent, captured (kept, not sent) or failed."""

    status: str
    reason: str = ""
    mime: bytes | None = None
    message_id: str = ""
    # The last answer (an SMTP or HTTP status, "timeout", "unreachable"), and whether a failure is
    # worth another try later (the outbox retries it, up to PARCOURS_SEND_ATTEMPTS tries).
    code: str = ""
    retry: bool = False


def failed(outcome: Outcome) -> Sent:
    return Sent("failed", outcome.detail, code=outcome.code, retry=outcome.temporary)


class Env(Protocol):
    """What kinds render and send with: the process's delivery resources."""

    settings: Settings
    secret_key: str

    def sender(self) -> Sender: ...

    def http(self) -> httpx.AsyncClient: ...


class Kind(Protocol[T]):
    """A kind of message (a channel): how a batch of its claimed rows is rendered and sent."""

    channel: str
    batch: int
    # The interaction recorded for each message sent, with the email it was (None: none).
    interaction: str | None

    async def render(
        self, session: AsyncSession, claimed: Sequence[Row[Any]], env: Env, in_flight: Sequence[int]
    ) -> list[Ready[T]]: ...

    async def send(self, ready: Sequence[Ready[T]], env: Env) -> list[Sent]:
        """One Sent for each item that has content, in order. A problem with one message is its
        Sent; raising means none of them was handed on (the delivery loop releases them all to
        be tried again at once)."""
        ...
