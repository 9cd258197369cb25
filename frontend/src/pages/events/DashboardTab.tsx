import { BarChart } from "@mantine/charts";
import { Card, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatMoney, formatNumber } from "../../components/format";
import { Figure, MoneyFigures } from "./MoneyFigures";
import { useEventStats } from "../../api/queries/events";

const percent = (ratio: number | null) => (ratio === null ? "—" : formatNumber(ratio, { style: "percent", maximumFractionDigits: 1 }));

/** The event at a glance: registrations over time, seats, waitlist, attendance, money per attendee. */
export function DashboardTab({ eventId }: { eventId: number }) {
  const { t } = useTranslation();
  const stats = useEventStats(eventId, 5_000);
  const s = stats.data;
  if (!s) return <ErrorAlert error={stats.error} />;
  const days = s.registrations_over_time.map((d) => ({ day: formatDate(d.date), registrations: d.count }));

  return (
    <Stack>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {/* The same words and numbers as the registrations tab's filters: the first is the sum of the three others. */}
        <Figure label={t("events.dashboard.all")} value={formatNumber(s.confirmed + s.waitlisted + s.cancelled)} testId="stats-all"
          hint={t("events.dashboard.all_hint")} />
        <Figure label={t("events.dashboard.confirmed")} value={formatNumber(s.confirmed)} testId="stats-confirmed" />
        <Figure label={t("events.dashboard.waitlist")} value={formatNumber(s.waitlisted)} testId="stats-waitlist" />
        <Figure label={t("events.dashboard.cancelled")} value={formatNumber(s.cancelled)} testId="stats-cancelled" />
        <Figure label={t("events.dashboard.attended")} value={formatNumber(s.attended)} testId="stats-attended" />
        <Figure label={t("events.dashboard.attendance_rate")} value={percent(s.attendance_rate)} testId="stats-attendance-rate" />
        <Figure label={t("events.dashboard.no_shows")} value={formatNumber(s.no_shows)} testId="stats-no-shows" />
        <Figure label={t("events.dashboard.cost_per_attendee")}
          value={s.cost_per_attendee === null ? "—" : formatMoney(s.cost_per_attendee)} testId="stats-cost-per-attendee" />
      </SimpleGrid>
      <Card withBorder>
        <Stack gap={4}>
          <Text size="sm" fw={500}>{t("events.capacity_used")}</Text>
          {s.capacity === null ? (
            <Text size="sm" c="dimmed" data-testid="stats-capacity-used">{t("events.dashboard.no_limit")}</Text>
          ) : (
            <>
              <Text size="sm" data-testid="stats-capacity-used">
                {t("events.dashboard.seats_taken", { confirmed: formatNumber(s.confirmed), capacity: formatNumber(s.capacity), percent: percent(s.capacity_used) })}
              </Text>
              <Progress value={(s.capacity_used ?? 0) * 100} color={(s.capacity_used ?? 0) >= 1 ? "orange" : "indigo"} aria-label={t("events.capacity_used")} />
            </>
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={5} mb="sm">{t("events.dashboard.over_time")}</Title>
        {days.length ? (
          <BarChart h={220} data={days} dataKey="day" series={[{ name: "registrations", label: t("events.dashboard.registrations"), color: "indigo.6" }]}
            data-testid="stats-chart" data-days={days.length} />
        ) : (
          <Text size="sm" c="dimmed" data-testid="stats-chart-empty">{t("events.dashboard.no_registrations")}</Text>
        )}
      </Card>
      <Card withBorder>
        <Title order={5} mb="sm">{t("events.dashboard.money")}</Title>
        <MoneyFigures stats={s} testPrefix="stats" chart />
      </Card>
    </Stack>
  );
}
