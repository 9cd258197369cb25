// A webhook's deliveries, newest first: what was sent, how the address answered and how fast,
// when it is tried again; any of them can be sent again.
import { Badge, Code, Group, Modal, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCode, IconRepeat } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { keys, replayDelivery, useDeliveries, type Delivery } from "../../api/queries/webhooks";
import { DataTable } from "../../components/DataTable";
import { formatDateTime } from "../../components/format";
import { eventKey } from "./WebhookForm";

const COLORS: Record<Delivery["status"], string> = { pending: "orange", delivered: "green", failed: "red" };

function eventLabel(t: (key: string) => string, event: string) {
  return event === "webhook.test" ? t("webhooks.test_event") : t(eventKey(event));
}

export function DeliveriesLog({ webhookId }: { webhookId: number }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const deliveries = useDeliveries(webhookId);
  const [shown, setShown] = useState<Delivery | null>(null);

  async function replay(delivery: Delivery) {
    try {
      await replayDelivery(webhookId, delivery.id);
      notifications.show({ color: "green", message: t("webhooks.replayed") });
      void queries.invalidateQueries({ queryKey: keys.deliveries(webhookId) });
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  return (
    <>
      <DataTable<Delivery>
        testId="deliveries-table"
        rows={deliveries.items}
        rowKey={(d) => d.id}
        rowProps={(d) => ({ "data-testid": `delivery-row-${d.id}`, "data-status": d.status, "data-event": d.event })}
        loading={deliveries.isLoading}
        error={deliveries.error}
        pager={deliveries.pager}
        empty={{ message: t("webhooks.no_deliveries"), testId: "deliveries-empty" }}
        columns={[
          { key: "created", header: t("webhooks.when"), render: (d) => formatDateTime(d.created_at) },
          { key: "event", header: t("webhooks.event_column"), render: (d) => (
            <Group gap={4}>
              {eventLabel(t, d.event)}
              {d.replay_of !== null && <Badge size="xs" variant="light">{t("webhooks.replay_badge")}</Badge>}
            </Group>
          ) },
          { key: "status", header: t("webhooks.status"), render: (d) => (
            <Tooltip label={d.error} disabled={!d.error} multiline w={280}>
              <Badge color={COLORS[d.status]} data-testid="delivery-status">{t(`webhooks.statuses.${d.status}`)}</Badge>
            </Tooltip>
          ) },
          { key: "code", header: t("webhooks.status_code"), align: "right", render: (d) => (
            <span data-testid="delivery-code">{d.status_code ?? "—"}</span>
          ) },
          { key: "time", header: t("webhooks.response_time"), align: "right", render: (d) => (
            <span data-testid="delivery-time">{d.response_ms === null ? "—" : t("webhooks.ms", { count: d.response_ms })}</span>
          ) },
          { key: "attempts", header: t("webhooks.attempts"), align: "right", render: (d) => d.attempts },
          { key: "next", header: t("webhooks.next_attempt"), render: (d) => (
            d.status === "pending" && d.attempts > 0 ? formatDateTime(d.next_attempt_at) : "—"
          ) },
          { key: "error", header: t("webhooks.error"), render: (d) => <Text size="xs" lineClamp={2} maw={260}>{d.error}</Text> },
        ]}
        actions={[
          { key: "payload", label: t("webhooks.show_payload"), icon: <IconCode size={16} />, testId: "delivery-payload", onClick: (d) => setShown(d) },
          { key: "replay", label: t("webhooks.replay"), icon: <IconRepeat size={16} />, testId: "delivery-replay", onClick: (d) => replay(d) },
        ]}
      />
      <Modal opened={shown !== null} onClose={() => setShown(null)} title={t("webhooks.payload")} size="lg">
        {shown && (
          <Stack>
            <Text size="sm" c="dimmed">{eventLabel(t, shown.event)}</Text>
            <Code block data-testid="delivery-payload-json">{JSON.stringify(shown.payload, null, 2)}</Code>
          </Stack>
        )}
      </Modal>
    </>
  );
}
