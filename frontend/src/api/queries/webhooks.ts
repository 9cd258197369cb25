// Outgoing webhooks (administrators): the subscriptions, their deliveries, replays and test calls.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../client";
import { useCursorPages } from "../paging";

export type Webhook = Schemas["WebhookOut"];
export type WebhookIn = Schemas["WebhookIn"];
export type WebhookPatch = Schemas["WebhookPatch"];
export type WebhookEvent = WebhookIn["events"][number];
export type Delivery = Schemas["DeliveryOut"];

// In the order the screen offers them.
export const WEBHOOK_EVENTS: WebhookEvent[] = [
  "contact.created",
  "contact.updated",
  "contact.unsubscribed",
  "contact.stage_changed",
  "form.submitted",
  "event.registered",
  "event.attended",
  "opportunity.won",
];

export const keys = {
  all: ["webhooks"] as const,
  list: () => ["webhooks", "list"] as const,
  webhook: (id: number) => ["webhooks", "one", id] as const,
  deliveries: (id: number) => ["webhooks", "deliveries", id] as const,
};

const path = (id: number) => ({ params: { path: { webhook_id: id } } });

export const listWebhooks = (cursor?: string) =>
  unwrap(api.GET("/api/webhooks", { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }));
export const getWebhook = (id: number) => unwrap(api.GET("/api/webhooks/{webhook_id}", path(id)));
export const createWebhook = (body: WebhookIn) => unwrap(api.POST("/api/webhooks", { body }));
export const updateWebhook = (id: number, body: WebhookPatch) => unwrap(api.PATCH("/api/webhooks/{webhook_id}", { ...path(id), body }));
export const deleteWebhook = (id: number) => unwrap(api.DELETE("/api/webhooks/{webhook_id}", path(id)));
export const sendTest = (id: number) => unwrap(api.POST("/api/webhooks/{webhook_id}/test", path(id)));
export const newSecret = (id: number) => unwrap(api.POST("/api/webhooks/{webhook_id}/secret", path(id)));
export const listDeliveries = (id: number, cursor?: string) =>
  unwrap(api.GET("/api/webhooks/{webhook_id}/deliveries", {
    params: { path: { webhook_id: id }, query: { limit: 25, ...(cursor ? { cursor } : {}) } },
  }));
export const replayDelivery = (id: number, deliveryId: number) =>
  unwrap(api.POST("/api/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", {
    params: { path: { webhook_id: id, delivery_id: deliveryId } },
  }));

export const useWebhooks = () => useCursorPages(keys.list(), listWebhooks);
export const useWebhook = (id: number | null) =>
  useQuery({ queryKey: keys.webhook(id ?? 0), queryFn: () => getWebhook(id ?? 0), enabled: id !== null });
// Retries happen on their own: the log follows them while it is open.
export const useDeliveries = (id: number) =>
  useCursorPages(keys.deliveries(id), (cursor) => listDeliveries(id, cursor), { refetchInterval: 3_000 });
