import { Alert, Button, Group, Paper, Select, Stack, Text, TextInput } from "@mantine/core";
import { useInterval } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconClock, IconInfoCircle } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { keys, updateOrganization, useOrganization, type Organization } from "../../api/queries/organization";
import { ErrorAlert } from "../../components/ErrorAlert";
import { allZones } from "../events/model";

/** "14:05", the time it is now in `zone`, in the marketer's language. */
function timeIn(zone: string, now: Date, language: string): string {
  return new Intl.DateTimeFormat(language, { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(now);
}

/** The clock shown beside the zones, kept to the minute. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useInterval(() => setNow(new Date()), 20_000, { autoInvoke: true });
  return now;
}

/** The organization's name and time zone (the zone new events start in); administrators only. */
export function OrganizationTab() {
  const organization = useOrganization();
  if (!organization.data) return <ErrorAlert error={organization.error} testId="organization-error" />;
  return <OrganizationForm saved={organization.data} />;
}

function OrganizationForm({ saved }: { saved: Organization }) {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const now = useNow();
  const [name, setName] = useState(saved.name);
  const [zone, setZone] = useState(saved.timezone);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  // "America/New York": found by the city as people type it.
  const zones = useMemo(() => allZones().map((z) => ({ value: z, label: z.replaceAll("_", " ") })), []);
  const fieldError = (field: string) => (error instanceof ApiError && error.field === field ? error.message : undefined);

  async function save() {
    setSaving(true);
    setError(null);
    try {
      const out = await updateOrganization({ name: name.trim(), timezone: zone });
      queries.setQueryData(keys.organization, out);
      notifications.show({ color: "green", message: t("settings.organization_saved") });
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Paper withBorder p="md" maw={560}>
      <form onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
        <Stack>
          <Text size="sm" c="dimmed">{t("settings.organization_hint")}</Text>
          <TextInput label={t("settings.organization_name")} value={name} maxLength={200} error={fieldError("name")}
            onChange={(e) => setName(e.currentTarget.value)} data-testid="organization-name" />
          {saved.updated_at === null && (
            <Alert color="blue" icon={<IconInfoCircle size={18} />} data-testid="organization-zone-unset">
              {t("settings.organization_zone_unset")}
            </Alert>
          )}
          <Select label={t("settings.organization_timezone")} description={t("settings.organization_timezone_hint")}
            searchable allowDeselect={false} nothingFoundMessage={t("settings.organization_no_zone")} data={zones} value={zone}
            error={fieldError("timezone")} onChange={(value) => value && setZone(value)} data-testid="organization-timezone"
            renderOption={({ option }) => (
              <Group justify="space-between" wrap="nowrap" w="100%">
                <span>{option.label}</span>
                <Text size="xs" c="dimmed">{timeIn(option.value, now, i18n.language)}</Text>
              </Group>
            )} />
          <Group gap={6} data-testid="organization-local-time">
            <IconClock size={16} />
            <Text size="sm">{t("settings.organization_local_time", { time: timeIn(zone, now, i18n.language), zone })}</Text>
          </Group>
          {error != null && !fieldError("name") && !fieldError("timezone") && <ErrorAlert error={error} testId="organization-save-error" />}
          <Group justify="flex-end">
            <Button type="submit" loading={saving} data-testid="organization-save">{t("common.save")}</Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
