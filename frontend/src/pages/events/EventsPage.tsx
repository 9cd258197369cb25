import { Anchor, Button, Group, Progress, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatNumber } from "../../components/format";
import { EventStatusBadge } from "./EventStatusBadge";
import { eventKeys, listEvents, type EventOut } from "./eventsApi";

/** "Tue 4 Mar 2031, 14:00 – 16:00", in the event's own time zone. */
export function eventDates(event: Pick<EventOut, "starts_at" | "ends_at" | "timezone">, language: string): string {
  const options: Intl.DateTimeFormatOptions = { timeZone: event.timezone, dateStyle: "medium", timeStyle: "short" };
  const start = new Date(event.starts_at);
  const end = new Date(event.ends_at);
  const day = (d: Date) => new Intl.DateTimeFormat(language, { timeZone: event.timezone, dateStyle: "medium" }).format(d);
  const sameDay = day(start) === day(end);
  const until = sameDay
    ? new Intl.DateTimeFormat(language, { timeZone: event.timezone, timeStyle: "short" }).format(end)
    : new Intl.DateTimeFormat(language, options).format(end);
  return `${new Intl.DateTimeFormat(language, options).format(start)} – ${until}`;
}

function Seats({ event }: { event: EventOut }) {
  const { t } = useTranslation();
  if (event.capacity === null) {
    return <Text size="sm" data-testid="event-row-seats">{t("events.seats_unlimited", { confirmed: formatNumber(event.confirmed) })}</Text>;
  }
  const used = event.capacity ? Math.min(100, (event.confirmed / event.capacity) * 100) : 100;
  return (
    <Stack gap={2} miw={140}>
      <Text size="sm" data-testid="event-row-seats">{`${formatNumber(event.confirmed)} / ${formatNumber(event.capacity)}`}</Text>
      <Progress value={used} size="sm" color={used >= 100 ? "orange" : "indigo"} aria-label={t("events.capacity_used")} />
    </Stack>
  );
}

export function EventsPage() {
  const { t, i18n } = useTranslation();
  const { canWrite } = useAuth();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search.trim(), 300);
  const events = useQuery({ queryKey: eventKeys.list(q), queryFn: () => listEvents(q), refetchInterval: 15_000 });

  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={2}>{t("events.title")}</Title>
          <Text c="dimmed" size="sm">{t("events.intro")}</Text>
        </div>
        {canWrite && (
          <Button leftSection={<IconPlus size={16} />} component={Link} to="/events/new" data-testid="events-new">
            {t("events.new")}
          </Button>
        )}
      </Group>
      <TextInput leftSection={<IconSearch size={16} />} placeholder={t("events.search")} value={search} maw={360}
        onChange={(e) => setSearch(e.currentTarget.value)} data-testid="events-search" />
      <ErrorAlert error={events.error} />
      <Table highlightOnHover data-testid="events-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("events.name")}</Table.Th>
            <Table.Th>{t("events.type")}</Table.Th>
            <Table.Th>{t("events.dates")}</Table.Th>
            <Table.Th>{t("events.status")}</Table.Th>
            <Table.Th>{t("events.seats")}</Table.Th>
            <Table.Th ta="right">{t("events.waitlist")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.data?.items.map((event) => (
            <Table.Tr key={event.id} data-testid={`event-row-${event.id}`}>
              <Table.Td>
                <Anchor component={Link} to={`/events/${event.id}`} data-testid="event-row-name">{event.name}</Anchor>
              </Table.Td>
              <Table.Td>{t(`events.types.${event.type}`, { defaultValue: event.type })}</Table.Td>
              <Table.Td>
                <Text size="sm">{eventDates(event, i18n.language)}</Text>
                <Text size="xs" c="dimmed">{event.timezone}</Text>
              </Table.Td>
              <Table.Td><EventStatusBadge status={event.status} testId="event-row-status" /></Table.Td>
              <Table.Td><Seats event={event} /></Table.Td>
              <Table.Td ta="right" data-testid="event-row-waitlist">{formatNumber(event.waitlisted)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {events.data?.items.length === 0 && <Text c="dimmed" ta="center" data-testid="events-empty">{t("events.empty")}</Text>}
    </Stack>
  );
}
