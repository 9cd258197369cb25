// How a form performs: views, submissions and the conversion rate, robots turned away, new people
// against people already known, and the days drawn as a chart.
import { AreaChart, DonutChart } from "@mantine/charts";
import { Card, Center, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormStats } from "../../api/queries/forms";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDate, formatNumber } from "../../components/format";

function Figure({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <Card withBorder padding="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>{label}</Text>
      <Text size="xl" fw={700} data-testid={`${testId}-value`}>{value}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Card>
  );
}

export function StatsTab({ formId }: { formId: number }) {
  const { t } = useTranslation();
  const stats = useFormStats(formId, true);
  if (stats.isLoading) return <Center h={200}><Loader /></Center>;
  if (stats.error || !stats.data) return <ErrorAlert error={stats.error} />;
  const s = stats.data;
  const percent = (v: number) => formatNumber(v, { style: "percent", maximumFractionDigits: 1 });
  const people = s.new_contacts + s.known_contacts;
  return (
    <Stack data-testid="form-stats">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label={t("forms.stats.views")} value={formatNumber(s.views)} testId="stats-views" />
        <Figure label={t("forms.stats.submissions")} value={formatNumber(s.submissions)} testId="stats-submissions" />
        <Figure label={t("forms.stats.conversion")} value={percent(s.conversion_rate)} hint={t("forms.stats.conversion_hint")} testId="stats-conversion" />
        <Figure label={t("forms.stats.spam")} value={formatNumber(s.spam_blocked)} hint={t("forms.stats.spam_hint")} testId="stats-spam" />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder style={{ gridColumn: "span 2" }}>
          <Title order={5} mb="sm">{t("forms.stats.over_time")}</Title>
          {s.days.length ? (
            <AreaChart h={240} dataKey="day" data-testid="stats-chart" withLegend
              data={s.days.map((d) => ({ ...d, day: formatDate(String(d.day)) }))}
              series={[
                { name: "views", label: t("forms.stats.views"), color: "gray.6" },
                { name: "submissions", label: t("forms.stats.submissions"), color: "indigo.6" },
                { name: "spam", label: t("forms.stats.spam"), color: "red.6" },
              ]} />
          ) : (
            <Text c="dimmed" size="sm" data-testid="stats-no-activity">{t("forms.stats.no_activity")}</Text>
          )}
        </Card>
        <Card withBorder>
          <Title order={5} mb="sm">{t("forms.stats.people")}</Title>
          {people ? (
            <Group>
              <DonutChart size={120} thickness={22} data-testid="stats-people-chart" withTooltip={false}
                data={[
                  { name: t("forms.stats.new_contacts"), value: s.new_contacts, color: "teal.6" },
                  { name: t("forms.stats.known_contacts"), value: s.known_contacts, color: "indigo.6" },
                ]} />
              <Stack gap={2}>
                <Text size="sm" data-testid="stats-new">{t("forms.stats.new_count", { count: s.new_contacts })}</Text>
                <Text size="sm" data-testid="stats-known">{t("forms.stats.known_count", { count: s.known_contacts })}</Text>
              </Stack>
            </Group>
          ) : (
            <Text c="dimmed" size="sm">{t("forms.stats.no_people")}</Text>
          )}
          <Stack gap={2} mt="sm">
            <Text size="sm" data-testid="stats-pending">{t("forms.stats.pending", { count: s.pending_confirmations })}</Text>
            <Text size="sm" data-testid="stats-held">{t("forms.stats.held", { count: s.held })}</Text>
          </Stack>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
