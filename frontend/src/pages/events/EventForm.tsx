import { Card, Chip, Group, NumberInput, Radio, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { EVENT_TYPES } from "../../api/queries/events";
import { REMINDER_CHOICES, allZones, type Draft } from "./model";

type Props = {
  draft: Draft;
  update: (change: Partial<Draft>) => void;
  errorOf: (field: keyof Draft) => string | undefined;
  /** Says where the zone of a new event comes from. */
  zoneHint?: string;
  disabled: boolean;
  agenda?: ReactNode; // shown right after the dates, which its sessions must lie within
};

const numberOrNull = (value: string | number) => (value === "" ? null : typeof value === "number" ? value : Number(value));

/** The event's own fields: what, when (in its time zone), the agenda, where, how many, how much. */
export function EventForm({ draft, update, errorOf, disabled, agenda, zoneHint }: Props) {
  const { t } = useTranslation();
  const zones = useMemo(() => {
    const known = allZones();
    return known.includes(draft.timezone) ? known : [draft.timezone, ...known];
  }, [draft.timezone]);
  const inPerson = draft.type === "in_person" || draft.type === "hybrid";
  const online = draft.type === "webinar" || draft.type === "hybrid";

  return (
    <fieldset disabled={disabled} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <Stack>
        <Card withBorder>
          <Stack gap="sm">
            <TextInput label={t("events.name")} required value={draft.name} error={errorOf("name")}
              onChange={(e) => update({ name: e.currentTarget.value })} data-testid="event-name" />
            <Radio.Group label={t("events.type")} description={t("events.type_hint")} required value={draft.type}
              error={errorOf("type")} onChange={(value) => update({ type: value as Draft["type"] })}>
              <SimpleGrid cols={{ base: 1, sm: 3 }} mt={6} data-testid="event-type">
                {EVENT_TYPES.map((type) => (
                  <Radio.Card key={type} value={type} p="sm" radius="md" disabled={disabled} data-testid={`event-type-${type}`}>
                    <Group wrap="nowrap" align="flex-start" gap="sm">
                      <Radio.Indicator />
                      <div>
                        <Text fw={600} size="sm">{t(`events.types.${type}`)}</Text>
                        <Text size="xs" c="dimmed">{t(`events.type_explained.${type}`)}</Text>
                      </div>
                    </Group>
                  </Radio.Card>
                ))}
              </SimpleGrid>
            </Radio.Group>
            <Textarea label={t("events.description")} autosize minRows={2} value={draft.description}
              onChange={(e) => update({ description: e.currentTarget.value })} data-testid="event-description" />
          </Stack>
        </Card>

        <Card withBorder>
          <Stack gap="sm">
            <Title order={4}>{t("events.when")}</Title>
            <Group grow align="flex-start">
              <TextInput type="datetime-local" label={t("events.starts_at")} required value={draft.starts_at}
                error={errorOf("starts_at")} onChange={(e) => update({ starts_at: e.currentTarget.value })} data-testid="event-starts-at" />
              <TextInput type="datetime-local" label={t("events.ends_at")} required value={draft.ends_at}
                error={errorOf("ends_at")} onChange={(e) => update({ ends_at: e.currentTarget.value })} data-testid="event-ends-at" />
            </Group>
            <Select label={t("events.timezone")} description={[t("events.timezone_hint"), zoneHint].filter(Boolean).join(" ")} searchable allowDeselect={false}
              data={zones} value={draft.timezone} error={errorOf("timezone")} maw={360}
              onChange={(value) => value && update({ timezone: value })} data-testid="event-timezone" />
          </Stack>
        </Card>

        {agenda}

        <Card withBorder>
          <Stack gap="sm">
            <Title order={4}>{t("events.where")}</Title>
            {!draft.type && <Text size="sm" c="dimmed" data-testid="event-where-needs-type">{t("events.where_needs_type")}</Text>}
            {inPerson && (
              <Group grow align="flex-start">
                <TextInput label={t("events.venue_name")} value={draft.venue_name} error={errorOf("venue_name")}
                  onChange={(e) => update({ venue_name: e.currentTarget.value })} data-testid="event-venue-name" />
                <TextInput label={t("events.venue_address")} value={draft.venue_address} error={errorOf("venue_address")}
                  onChange={(e) => update({ venue_address: e.currentTarget.value })} data-testid="event-venue-address" />
              </Group>
            )}
            {online && (
              <TextInput label={t("events.online_url")} description={t("events.online_url_hint")} placeholder="https://…"
                value={draft.online_url} error={errorOf("online_url")}
                onChange={(e) => update({ online_url: e.currentTarget.value })} data-testid="event-online-url" />
            )}
          </Stack>
        </Card>

        <Card withBorder>
          <Stack gap="sm">
            <Title order={4}>{t("events.seats_and_money")}</Title>
            <Group grow align="flex-start">
              <NumberInput label={t("events.capacity")} description={t("events.capacity_hint")} min={0} allowDecimal={false}
                allowNegative={false} value={draft.capacity ?? ""} error={errorOf("capacity")}
                onChange={(v) => update({ capacity: numberOrNull(v) })} data-testid="event-capacity" />
              <NumberInput label={t("events.registration_fee")} min={0} decimalScale={2} allowNegative={false} prefix="€ "
                value={draft.registration_fee ?? ""} error={errorOf("registration_fee")}
                onChange={(v) => update({ registration_fee: numberOrNull(v) })} data-testid="event-fee" />
              <NumberInput label={t("events.budget")} min={0} decimalScale={2} allowNegative={false} prefix="€ "
                value={draft.budget ?? ""} error={errorOf("budget")} thousandSeparator=" "
                onChange={(v) => update({ budget: numberOrNull(v) })} data-testid="event-budget" />
            </Group>
          </Stack>
        </Card>

        <Card withBorder>
          <Stack gap="sm">
            <Title order={4}>{t("events.reminders")}</Title>
            <Text size="sm" c="dimmed">{t("events.reminders_hint")}</Text>
            <Chip.Group multiple value={draft.reminders}
              onChange={(values) => update({ reminders: REMINDER_CHOICES.filter((c) => values.includes(c)) })}>
              <Group gap="xs" data-testid="event-reminders">
                {REMINDER_CHOICES.map((choice) => (
                  <Chip key={choice} value={choice} disabled={disabled} wrapperProps={{ "data-testid": `event-reminder-${choice}` }}>
                    {t(`events.reminder.${choice}`)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
            {errorOf("reminders") && <Text size="sm" c="red">{errorOf("reminders")}</Text>}
          </Stack>
        </Card>
      </Stack>
    </fieldset>
  );
}
