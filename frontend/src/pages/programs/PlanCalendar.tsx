import { ActionIcon, Box, Card, Group, Text, Title, Tooltip } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useCalendar } from "../../api/queries/programs";
import { formatDate } from "../../components/format";

const COLORS = { journey: "var(--mantine-color-indigo-6)", campaign: "var(--mantine-color-orange-8)", event: "var(--mantine-color-teal-8)" } as const;
const LINKS = { journey: "/journeys", campaign: "/emails/campaigns", event: "/events" } as const;
type Kind = keyof typeof COLORS;

/** The annual calendar: one row per program, its journeys, campaigns and events as bars across
 * the months (each bar a link, reachable with the keyboard and named in words). */
export function PlanCalendar() {
  const { t } = useTranslation();
  const [year, setYear] = useState(() => dayjs().year());
  const calendar = useCalendar(year);
  const first = dayjs(`${year}-01-01`);
  const days = first.endOf("year").diff(first, "day") + 1;
  // Where a day falls across the year, in percent of the track.
  const at = (day: string) => (dayjs(day).diff(first, "day") / days) * 100;
  const width = (from: string, to: string) => ((dayjs(to).diff(dayjs(from), "day") + 1) / days) * 100;
  const months = Array.from({ length: 12 }, (_, m) => first.add(m, "month"));
  const rows = calendar.data?.programs ?? [];
  return (
    <Card withBorder data-testid="plan-calendar">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">{t("plan.calendar.title")}</Title>
        <Group gap={4}>
          <ActionIcon variant="default" aria-label={t("plan.calendar.previous")} onClick={() => setYear((y) => y - 1)} data-testid="calendar-previous">
            <IconChevronLeft size={16} />
          </ActionIcon>
          <Text fw={600} w={56} ta="center" aria-live="polite" data-testid="calendar-year">{year}</Text>
          <ActionIcon variant="default" aria-label={t("plan.calendar.next")} onClick={() => setYear((y) => y + 1)} data-testid="calendar-next">
            <IconChevronRight size={16} />
          </ActionIcon>
        </Group>
      </Group>
      <Group gap="md" mb="xs">
        {(Object.keys(COLORS) as Kind[]).map((kind) => (
          <Group gap={4} key={kind}>
            <Box w={12} h={12} style={{ background: COLORS[kind], borderRadius: 2 }} aria-hidden />
            <Text size="xs">{t(`plan.calendar.kinds.${kind}`)}</Text>
          </Group>
        ))}
      </Group>
      <Box style={{ overflowX: "auto" }}>
        <Box miw={760}>
          <Group gap={0} wrap="nowrap" aria-hidden>
            <Box w={180} style={{ flexShrink: 0 }} />
            {months.map((m) => (
              <Text key={m.month()} size="xs" c="dimmed" style={{ flex: 1, borderLeft: "1px solid var(--mantine-color-gray-3)", paddingLeft: 4 }}>
                {m.format("MMM")}
              </Text>
            ))}
          </Group>
          {rows.length === 0 && <Text size="sm" c="dimmed" mt="sm" data-testid="calendar-empty">{t("plan.calendar.empty")}</Text>}
          <ul style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label={t("plan.calendar.label", { year })}>
            {rows.map((row) => (
              <li key={row.program_id} data-testid={`calendar-row-${row.program_id}`}>
                <Group gap={0} wrap="nowrap" align="stretch" py={4} style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}>
                  <Text size="sm" fw={600} w={180} pr="xs" style={{ flexShrink: 0 }} truncate>{row.name}</Text>
                  <Box pos="relative" style={{ flex: 1, minHeight: Math.max(1, row.items.length) * 22 + 6 }}>
                    <Box pos="absolute" top={0} bottom={0} style={{ left: `${at(row.starts_on)}%`, width: `${width(row.starts_on, row.ends_on)}%`, background: "var(--mantine-color-gray-1)", borderRadius: 4 }}
                      aria-hidden />
                    <ul style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label={t("plan.calendar.actions_of", { name: row.name })}>
                      {row.items.map((item, index) => {
                        const label = t("plan.calendar.bar", {
                          kind: t(`plan.calendar.kinds.${item.kind}`),
                          name: item.name,
                          from: formatDate(item.starts_on),
                          to: formatDate(item.ends_on),
                        });
                        return (
                          <li key={`${item.kind}-${item.id}`}>
                            <Tooltip label={label}>
                              <Link
                                to={`${LINKS[item.kind as Kind]}/${item.id}`}
                                aria-label={label}
                                data-testid={`calendar-bar-${item.kind}-${item.id}`}
                                style={{
                                  position: "absolute",
                                  top: 3 + index * 22,
                                  left: `${at(item.starts_on)}%`,
                                  width: `max(${width(item.starts_on, item.ends_on)}%, 8px)`,
                                  height: 18,
                                  background: COLORS[item.kind as Kind],
                                  borderRadius: 3,
                                  color: "white",
                                  fontSize: 11,
                                  lineHeight: "18px",
                                  paddingLeft: 4,
                                  overflow: "hidden",
                                  whiteSpace: "nowrap",
                                  textDecoration: "none",
                                }}
                              >
                                {item.name}
                              </Link>
                            </Tooltip>
                          </li>
                        );
                      })}
                    </ul>
                  </Box>
                </Group>
              </li>
            ))}
          </ul>
        </Box>
      </Box>
    </Card>
  );
}
