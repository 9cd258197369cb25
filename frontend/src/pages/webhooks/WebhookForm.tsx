// Creating or changing a webhook: its name, address, the events it hears (in words) and whether it is on.
import { Button, Checkbox, Group, SimpleGrid, Stack, Switch, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { WEBHOOK_EVENTS, createWebhook, updateWebhook, type Webhook, type WebhookEvent } from "../../api/queries/webhooks";

export const eventKey = (event: string) => `webhooks.event.${event.replace(".", "_")}`;

export function WebhookForm({ webhook, onSaved }: { webhook: Webhook | null; onSaved: (saved: Webhook) => void }) {
  const { t } = useTranslation();
  const form = useForm({
    initialValues: {
      name: webhook?.name ?? "",
      url: webhook?.url ?? "",
      events: (webhook?.events ?? ["contact.created"]) as WebhookEvent[],
      active: webhook?.active ?? true,
    },
    validate: {
      name: (v) => (v.trim() ? null : t("webhooks.name_required")),
      url: (v) => (/^https?:\/\/\S+$/i.test(v.trim()) ? null : t("webhooks.url_invalid")),
      events: (v) => (v.length ? null : t("webhooks.events_required")),
    },
  });

  async function save(values: typeof form.values) {
    const body = { ...values, name: values.name.trim(), url: values.url.trim() };
    try {
      onSaved(webhook ? await updateWebhook(webhook.id, body) : await createWebhook(body));
    } catch (error) {
      // A field named like events[0] is the events' group on screen.
      if (error instanceof ApiError && error.field) form.setFieldError(error.field.replace(/\[\d+\]$/, ""), error.message);
      else notifications.show({ color: "red", message: (error as Error).message });
    }
  }

  return (
    <form onSubmit={form.onSubmit(save)} noValidate>
      <Stack>
        <TextInput label={t("webhooks.name")} description={t("webhooks.name_hint")} required data-testid="webhook-name" {...form.getInputProps("name")} />
        <TextInput label={t("webhooks.url")} description={t("webhooks.url_hint")} placeholder="https://" required
          data-testid="webhook-url" {...form.getInputProps("url")} />
        <Checkbox.Group label={t("webhooks.events")} description={t("webhooks.events_hint")} required {...form.getInputProps("events")}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
            {WEBHOOK_EVENTS.map((event) => (
              <Checkbox key={event} value={event} label={t(eventKey(event))} data-testid={`webhook-event-${event}`} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Switch label={t("webhooks.active")} description={t("webhooks.active_hint")} data-testid="webhook-active"
          {...form.getInputProps("active", { type: "checkbox" })} />
        <Group justify="flex-end">
          <Button type="submit" loading={form.submitting} data-testid="webhook-save">
            {webhook ? t("common.save") : t("common.create")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
