import { BarChart } from "@mantine/charts";
import { Card, Progress, SimpleGrid, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { formatMoney } from "../../components/format";
import type { eventStats } from "../../api/queries/events";

type Stats = Awaited<ReturnType<typeof eventStats>>;

type FigureProps = { label: string; value: string; testId: string; color?: string; hint?: string };

export function Figure({ label, value, testId, color, hint }: FigureProps) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text size="xl" fw={700} c={color} data-testid={testId}>{value}</Text>
      {hint && <Text size="xs" c="dimmed">{hint}</Text>}
    </Card>
  );
}

/** Budget, costs, revenue and what is left, with how much of the budget is spent: on the budget
 * tab (`budget-*` test ids) and the dashboard (`stats-*`, with a chart of the three). */
export function MoneyFigures({ stats: s, testPrefix, chart = false }: { stats: Stats; testPrefix: "budget" | "stats"; chart?: boolean }) {
  const { t } = useTranslation();
  const over = s.budget_left !== null && s.budget_left < 0;
  const spent = s.budget ? Math.min(100, (s.costs / s.budget) * 100) : 0;
  const bars = [
    { what: t("events.budget_tab.planned"), amount: s.budget ?? 0 },
    { what: t("events.budget_tab.costs"), amount: s.costs },
    { what: t("events.budget_tab.revenue"), amount: s.revenue },
  ];
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label={t("events.budget_tab.planned")} value={s.budget === null ? "—" : formatMoney(s.budget)} testId={`${testPrefix}-planned`} />
        <Figure label={t("events.budget_tab.costs")} value={formatMoney(s.costs)} testId={`${testPrefix}-costs`} />
        <Figure label={t("events.budget_tab.revenue")} value={formatMoney(s.revenue)} testId={`${testPrefix}-revenue`} />
        <Figure label={t("events.budget_tab.left")} value={s.budget_left === null ? "—" : formatMoney(s.budget_left)}
          testId={`${testPrefix}-left`} color={over ? "red" : undefined} />
      </SimpleGrid>
      {s.budget !== null && (
        <Stack gap={2}>
          <Text size="xs" c="dimmed">{t("events.budget_tab.spent", { percent: Math.round(s.budget ? (s.costs / s.budget) * 100 : 0) })}</Text>
          <Progress value={spent} color={over ? "red" : "indigo"} aria-label={t("common.progress")} data-testid={`${testPrefix}-progress`} />
        </Stack>
      )}
      {chart && (
        <BarChart h={180} data={bars} dataKey="what" valueFormatter={formatMoney} data-testid={`${testPrefix}-money-chart`}
          series={[{ name: "amount", label: t("events.budget_tab.amount"), color: "teal.6" }]} />
      )}
    </Stack>
  );
}
