// Outgoing webhooks (administrators): the addresses told of contacts' events, each with its signing
// secret, a test call and the log of its deliveries.
import { Alert, Badge, Button, Card, Code, CopyButton, Group, Modal, PasswordInput, Stack, Switch, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconEdit, IconList, IconPlus, IconSend, IconTrash, IconWebhook } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { deleteWebhook, keys, sendTest, updateWebhook, useWebhooks, type Webhook } from "../../api/queries/webhooks";
import { DataTable } from "../../components/DataTable";
import { DeliveriesLog } from "./DeliveriesLog";
import { WebhookForm, eventKey } from "./WebhookForm";

function WebhookDetail({ webhook }: { webhook: Webhook }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  async function test() {
    try {
      await sendTest(webhook.id);
      notifications.show({ color: "green", message: t("webhooks.test_sent") });
      void queries.invalidateQueries({ queryKey: keys.deliveries(webhook.id) });
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }
  return (
    <Card withBorder data-testid="webhook-detail">
      <Stack>
        <Group justify="space-between">
          <Title order={3}>{webhook.name}</Title>
          <Button leftSection={<IconSend size={16} />} variant="light" onClick={() => void test()} data-testid="webhook-test">
            {t("webhooks.send_test")}
          </Button>
        </Group>
        <Group align="flex-end">
          <PasswordInput label={t("webhooks.secret")} description={t("webhooks.secret_hint")} value={webhook.secret} readOnly
            style={{ flex: 1 }} data-testid="webhook-secret" />
          <CopyButton value={webhook.secret}>
            {({ copied, copy }) => (
              <Button onClick={copy} variant="default" data-testid="webhook-secret-copy">
                {copied ? t("common.copied") : t("common.copy")}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Title order={4}>{t("webhooks.deliveries")}</Title>
        <DeliveriesLog webhookId={webhook.id} />
      </Stack>
    </Card>
  );
}

export function WebhooksTab() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const webhooks = useWebhooks();
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [created, setCreated] = useState<Webhook | null>(null);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const refresh = () => void queries.invalidateQueries({ queryKey: keys.all });
  const selected = webhooks.items?.find((w) => w.id === selectedId) ?? null;

  async function toggle(webhook: Webhook, active: boolean) {
    try {
      await updateWebhook(webhook.id, { active });
      refresh();
    } catch (error) {
      notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  const newButton = (variant: string, testId: string) => (
    <Button variant={variant} leftSection={<IconPlus size={16} />} onClick={() => setEditing("new")} data-testid={testId}>
      {t("webhooks.new")}
    </Button>
  );

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text c="dimmed" size="sm" maw={640}>
          {t("webhooks.hint")}
        </Text>
        {newButton("filled", "webhooks-new")}
      </Group>
      <DataTable<Webhook>
        testId="webhooks-table"
        rows={webhooks.items}
        rowKey={(w) => w.id}
        rowProps={(w) => ({ "data-testid": `webhook-row-${w.name}` })}
        onRowClick={(w) => setSelectedId(w.id)}
        loading={webhooks.isLoading}
        error={webhooks.error}
        pager={webhooks.pager}
        empty={{ message: t("webhooks.none"), action: newButton("light", "webhooks-empty-new") }}
        columns={[
          { key: "name", header: t("webhooks.name"), render: (w) => (
            <Group gap={6}>
              <IconWebhook size={16} aria-hidden />
              {w.name}
            </Group>
          ) },
          { key: "url", header: t("webhooks.url"), render: (w) => <Code>{w.url}</Code> },
          { key: "events", header: t("webhooks.events"), render: (w) => (
            <Group gap={4}>
              {w.events.map((e) => <Badge key={e} variant="light" size="sm">{t(eventKey(e))}</Badge>)}
            </Group>
          ) },
          { key: "active", header: t("webhooks.active"), render: (w) => (
            <Switch checked={w.active} onChange={(e) => void toggle(w, e.currentTarget.checked)}
              onClick={(e) => e.stopPropagation()} aria-label={t("webhooks.active_of", { name: w.name })} data-testid="webhook-row-active" />
          ) },
        ]}
        actions={[
          { key: "open", label: t("webhooks.open"), icon: <IconList size={16} />, testId: "webhook-open", onClick: (w) => setSelectedId(w.id) },
          { key: "edit", label: t("common.edit"), icon: <IconEdit size={16} />, testId: "webhook-edit", onClick: (w) => setEditing(w) },
          {
            key: "delete", label: t("common.delete"), icon: <IconTrash size={16} />, testId: "webhook-delete", color: "red",
            confirm: (w) => ({ title: t("webhooks.delete"), message: t("webhooks.delete_warning", { name: w.name }),
              confirm: t("common.delete"), testId: "webhook-delete-confirm" }),
            onClick: async (w) => {
              await deleteWebhook(w.id);
              if (selectedId === w.id) setSelectedId(null);
              refresh();
            },
          },
        ]}
      />
      {selected ? <WebhookDetail key={selected.id} webhook={selected} /> : (
        webhooks.items?.length ? <Text c="dimmed" size="sm">{t("webhooks.choose_hint")}</Text> : null
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} size="lg"
        title={editing === "new" ? t("webhooks.new") : t("webhooks.edit")}>
        {editing !== null && (
          <WebhookForm
            webhook={editing === "new" ? null : editing}
            onSaved={(saved) => {
              if (editing === "new") setCreated(saved);
              setEditing(null);
              setSelectedId(saved.id);
              refresh();
            }}
          />
        )}
      </Modal>
      <Modal opened={created !== null} onClose={() => setCreated(null)} title={t("webhooks.created")}>
        {created && (
          <Stack>
            <Alert color="blue">{t("webhooks.secret_once")}</Alert>
            <Code block data-testid="webhook-created-secret">{created.secret}</Code>
            <Group justify="flex-end">
              <CopyButton value={created.secret}>
                {({ copied, copy }) => (
                  <Button onClick={copy} variant="light" data-testid="webhook-created-copy">
                    {copied ? t("common.copied") : t("common.copy")}
                  </Button>
                )}
              </CopyButton>
              <Button onClick={() => setCreated(null)} data-testid="webhook-created-close">{t("common.close")}</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
