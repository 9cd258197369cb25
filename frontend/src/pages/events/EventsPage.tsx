import { Anchor, Button, Group, Progress, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { DataTable } from "../../components/DataTable";
import { formatNumber } from "../../components/format";
import { EventStatusBadge } from "./EventStatusBadge";
import { useEvents, type EventOut } from "../../api/queries/events";

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
  const events = useEvents(q);

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
      <DataTable
        testId="events-table"
        rows={events.items}
        rowKey={(event) => event.id}
        rowProps={(event) => ({ "data-testid": `event-row-${event.id}` })}
        loading={events.isLoading}
        error={events.error}
        pager={events.pager}
        empty={{
          message: t("events.empty"), testId: "events-empty",
          action: canWrite && !q ? <Button variant="light" component={Link} to="/events/new">{t("events.new")}</Button> : undefined,
        }}
        columns={[
          { key: "name", header: t("events.name"), sortValue: (e) => e.name,
            render: (e) => <Anchor component={Link} to={`/events/${e.id}`} data-testid="event-row-name">{e.name}</Anchor> },
          { key: "type", header: t("events.type"), sortValue: (e) => e.type, render: (e) => t(`events.types.${e.type}`, { defaultValue: e.type }) },
          { key: "dates", header: t("events.dates"), sortValue: (e) => e.starts_at, render: (e) => (
            <>
              <Text size="sm">{eventDates(e, i18n.language)}</Text>
              <Text size="xs" c="dimmed">{e.timezone}</Text>
            </>
          ) },
          { key: "status", header: t("events.status"), sortValue: (e) => e.status,
            render: (e) => <EventStatusBadge status={e.status} testId="event-row-status" /> },
          { key: "seats", header: t("events.seats"), sortValue: (e) => e.confirmed, render: (e) => <Seats event={e} /> },
          { key: "waitlist", header: t("events.waitlist"), align: "right", sortValue: (e) => e.waitlisted,
            render: (e) => <span data-testid="event-row-waitlist">{formatNumber(e.waitlisted)}</span> },
        ]}
      />
    </Stack>
  );
}
