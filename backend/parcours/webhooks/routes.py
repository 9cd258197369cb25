"""/api/webhooks (administrators only: a subscription sends contacts' data to another system, and
shows the secret that signs it), their deliveries, replays and test calls."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.runtime import Runtime
from parcours.webhooks import service
from parcours.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    DeliveryStatus,
    WebhookIn,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
)

ADMIN = {"role": "admin"}


class WebhooksController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @get("/", opt=ADMIN, summary="Outgoing webhooks, newest first (admin)")
    async def list_webhooks(self, db: AsyncSession, limit: int = limit_param(50), cursor: Cursor = None) -> WebhookPage:
        rows, next_cursor, total = await service.list_webhooks(db, limit, cursor)
        return WebhookPage(items=[to_out(w, WebhookOut) for w in rows], next_cursor=next_cursor, total=total)

    @post("/", opt=ADMIN, summary="Subscribe an address to events; its signing secret is generated (admin)")
    async def create_webhook(self, data: WebhookIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> WebhookOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        made = await service.create_webhook(db, values, actor.label, runtime.settings.webhook_private_networks)
        return to_out(made, WebhookOut)

    @get("/{webhook_id:int}", opt=ADMIN, summary="A webhook, with its signing secret (admin)")
    async def get_webhook(self, webhook_id: IdParam, db: AsyncSession) -> WebhookOut:
        return to_out(await service.get_webhook(db, webhook_id), WebhookOut)

    @patch("/{webhook_id:int}", opt=ADMIN, summary="Change a webhook's name, address, events, or pause it (admin)")
    async def update_webhook(
        self, webhook_id: IdParam, data: WebhookPatch, db: AsyncSession, runtime: Runtime
    ) -> WebhookOut:
        changed = await service.update_webhook(db, webhook_id, changes(data), runtime.settings.webhook_private_networks)
        return to_out(changed, WebhookOut)

    @delete("/{webhook_id:int}", opt=ADMIN, summary="Delete a webhook and its deliveries (admin)")
    async def delete_webhook(self, webhook_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("webhook", webhook_id, (await service.get_webhook(db, webhook_id)).name)
        await service.delete_webhook(db, webhook_id)
        await audit.record(db, actor, "webhook.deleted", target)

    @post("/{webhook_id:int}/secret", opt=ADMIN, status_code=200, summary="Replace the signing secret (admin)")
    async def new_secret(self, webhook_id: IdParam, db: AsyncSession) -> WebhookOut:
        return to_out(await service.new_secret(db, webhook_id), WebhookOut)

    @post("/{webhook_id:int}/test", opt=ADMIN, status_code=201, summary="Send a test event now (admin)")
    async def send_test(self, webhook_id: IdParam, db: AsyncSession, runtime: Runtime) -> DeliveryOut:
        return to_out(await service.send_test(db, webhook_id, runtime.enqueue), DeliveryOut)

    @get("/{webhook_id:int}/deliveries", opt=ADMIN, summary="A webhook's deliveries, newest first (admin)")
    async def list_deliveries(
        self,
        webhook_id: IdParam,
        db: AsyncSession,
        limit: int = limit_param(50),
        cursor: Cursor = None,
        status: DeliveryStatus | None = None,
    ) -> DeliveryPage:
        rows, next_cursor, total = await service.list_deliveries(db, webhook_id, limit, cursor, status)
        return DeliveryPage(items=[to_out(d, DeliveryOut) for d in rows], next_cursor=next_cursor, total=total)

    @post(
        "/{webhook_id:int}/deliveries/{delivery_id:int}/replay",
        opt=ADMIN,
        status_code=201,
        summary="Send a delivery's event again now, as a new delivery (admin)",
    )
    async def replay(
        self, webhook_id: IdParam, delivery_id: IdParam, db: AsyncSession, runtime: Runtime
    ) -> DeliveryOut:
        return to_out(await service.replay(db, webhook_id, delivery_id, runtime.enqueue), DeliveryOut)
