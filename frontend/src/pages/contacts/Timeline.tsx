import { Badge, Button, Group, MultiSelect, Stack, Text, ThemeIcon, Timeline as MantineTimeline, Tooltip } from "@mantine/core";
import {
  IconCalendarEvent,
  IconClick,
  IconEye,
  IconForms,
  IconGitMerge,
  IconMail,
  IconPointer,
  IconShoppingCart,
  IconLogin2,
  IconLogout2,
  IconRoute,
  IconSparkles,
  IconUserEdit,
  IconUserPlus,
} from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type Interaction } from "../../api/client";
import { useTimeline } from "../../api/queries/contacts";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime, formatMoney, formatRelative } from "../../components/format";
import i18n from "../../i18n";

const ICONS: Record<string, typeof IconMail> = {
  email_sent: IconMail,
  email_opened: IconEye,
  email_clicked: IconClick,
  page_visited: IconPointer,
  form_submitted: IconForms,
  purchase: IconShoppingCart,
  event_registered: IconCalendarEvent,
  event_attended: IconCalendarEvent,
  contact_created: IconUserPlus,
  contact_updated: IconUserEdit,
  contacts_merged: IconGitMerge,
  segment_entered: IconLogin2,
  segment_exited: IconLogout2,
  journey_step: IconRoute,
};
const KNOWN_TYPES = Object.keys(ICONS);

function describe(item: Interaction): string {
  const p = item.properties as Record<string, unknown>;
  if (item.type.startsWith("segment_")) return String(p.segment ?? "");
  if (item.type === "journey_step") {
    const step = i18n.t(`journeys.types.${String(p.node_type ?? "").replace(".", "_")}`, { defaultValue: String(p.node_type ?? "") });
    const branch = p.label ? ` → ${String(p.label)}` : "";
    return `${String(p.journey ?? "")} · ${step}${branch}${p.outcome === "exited" ? ` · ${i18n.t("timeline.journey_exit")}` : ""}`;
  }
  if (item.type === "contact_updated" && Array.isArray(p.fields))
    return (p.fields as string[]).map((f) => i18n.t(`fields.${f}`, { defaultValue: f })).join(", ");
  if (item.type === "contact_created" && p.by) return String(p.by);
  if (item.type === "contacts_merged") return i18n.t("duplicates.timeline", { email: String(p.other_email ?? "") });
  if (item.type === "purchase" && item.value != null) return `${formatMoney(item.value)}${p.order_id ? ` · ${p.order_id}` : ""}`;
  for (const key of ["subject", "url", "event", "form", "name"]) if (typeof p[key] === "string") return p[key] as string;
  return "";
}

export function Timeline({ contactId }: { contactId: number }) {
  const { t } = useTranslation();
  const [types, setTypes] = useState<string[]>([]);
  const timeline = useTimeline(contactId, types);
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  const total = timeline.data?.pages[0]?.total ?? 0;

  return (
    <Stack>
      <Group justify="space-between">
        <MultiSelect
          placeholder={t("timeline.all_types")}
          data={KNOWN_TYPES.map((type) => ({ value: type, label: t(`interactions.${type}`) }))}
          value={types}
          onChange={setTypes}
          clearable
          w={360}
          data-testid="timeline-filter"
        />
        <Text size="sm" c="dimmed" data-testid="timeline-total">
          {t("timeline.count", { count: total })}
        </Text>
      </Group>
      <ErrorAlert error={timeline.error} />
      {items.length === 0 && !timeline.isLoading && (
        <Text c="dimmed" ta="center" p="md" data-testid="timeline-empty">
          {t("timeline.empty")}
        </Text>
      )}
      <MantineTimeline bulletSize={28} lineWidth={2} data-testid="timeline">
        {items.map((item) => {
          const Icon = ICONS[item.type] ?? IconSparkles;
          return (
            <MantineTimeline.Item
              key={item.id}
              bullet={
                <ThemeIcon size={26} radius="xl" variant="light">
                  <Icon size={15} />
                </ThemeIcon>
              }
              title={
                <Group gap="xs">
                  <Text fw={600} size="sm" data-testid="timeline-item-type">
                    {t(`interactions.${item.type}`, { defaultValue: item.type })}
                  </Text>
                  {!KNOWN_TYPES.includes(item.type) && (
                    <Badge size="xs" variant="outline">
                      {t("timeline.custom")}
                    </Badge>
                  )}
                </Group>
              }
              data-testid="timeline-item"
            >
              <Text size="sm">{describe(item)}</Text>
              <Tooltip label={formatDateTime(item.occurred_at)}>
                <Text size="xs" c="dimmed" w="fit-content">
                  {formatRelative(item.occurred_at)}
                </Text>
              </Tooltip>
            </MantineTimeline.Item>
          );
        })}
      </MantineTimeline>
      {timeline.hasNextPage && (
        <Button variant="subtle" onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage} data-testid="timeline-more">
          {t("timeline.more")}
        </Button>
      )}
    </Stack>
  );
}
